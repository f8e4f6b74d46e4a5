"""The index store: one SQLite database per combination of data directories (stdlib ``sqlite3``).

YAML files stay the source of truth; this is a cache of what :func:`irref.catalog.build`
compiles from them. It lives in the user cache directory as ``index-<tag>.sqlite3``, keyed by
irref's version and the path, size and modification time of every source file. It is written
to a temporary file and renamed into place (concurrent runs never see half a database), opened
read-only on warm runs, and built in memory where the cache directory is not writable. A
damaged file is removed and rebuilt.

Tables: ``record`` (the record JSON that ``--json`` prints, its table row and a CRC-32 that every
read checks), ``key`` (normalised names, aliases and synonyms -> id, with lengths for fuzzy
matching), ``facet`` (filter value -> ids in display order), ``purpose`` (condition -> procedures),
``family``, ``section`` (small JSON tables: vocabularies, completions, problems), ``word`` (every
searchable word, for typo correction) and ``fts`` (FTS5 over names, summary, conditions and the
rest of each record, for ``irref search`` and lookup's search fallback).
"""

from __future__ import annotations

import os
import zlib

try:  # the C module alone: the sqlite3 package also imports datetime (~3 ms) for adapters irref never uses
    import _sqlite3 as sqlite3
except ImportError:  # pragma: no cover - a Python whose sqlite3 is not CPython's
    import sqlite3
from collections.abc import Iterable, Iterator, Mapping

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (4 ms) on every run


if TYPE_CHECKING:
    from typing import Any

FORMAT = 9

_SCHEMA = """
CREATE TABLE meta(k TEXT PRIMARY KEY, v TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE section(name TEXT PRIMARY KEY, json TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE record(pos INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
                    raw TEXT NOT NULL, row TEXT NOT NULL, crc INTEGER NOT NULL);
CREATE TABLE family(id TEXT PRIMARY KEY, parent TEXT, json TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE key(tbl TEXT NOT NULL, key TEXT NOT NULL, id TEXT NOT NULL, len INTEGER NOT NULL,
                 sound TEXT NOT NULL, slen INTEGER NOT NULL, PRIMARY KEY(tbl, key)) WITHOUT ROWID;
CREATE INDEX key_len ON key(tbl, len);
CREATE INDEX key_slen ON key(tbl, slen);
CREATE TABLE facet(facet TEXT NOT NULL, value TEXT NOT NULL, pos INTEGER NOT NULL, id TEXT NOT NULL,
                   PRIMARY KEY(facet, value, pos)) WITHOUT ROWID;
CREATE TABLE purpose(cid TEXT NOT NULL, pos INTEGER NOT NULL, id TEXT NOT NULL, purpose TEXT NOT NULL,
                     PRIMARY KEY(cid, pos)) WITHOUT ROWID;
CREATE TABLE word(word TEXT PRIMARY KEY, len INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX word_len ON word(len);
CREATE VIRTUAL TABLE fts USING fts5(names, summary, conditions, body,
                                    content = '', tokenize = 'porter unicode61 remove_diacritics 2');
"""

#: FTS columns and the search groups (irref/fields.py) that feed each; bm25 weights per column.
FTS_COLUMNS: tuple[tuple[str, float], ...] = (("names", 10.0), ("summary", 5.0), ("conditions", 4.0), ("body", 1.0))
_NAME_GROUPS = ("name", "aliases")
_CONDITION_GROUPS = ("conditions.name", "conditions.id", "conditions.purpose")
#: Small sections kept as JSON.
JSON_SECTIONS = ("conditions", "modalities", "completions", "problems")


class StoreDamaged(Exception):
    """The database is unreadable or a record failed its checksum."""


# ---------------------------------------------------------------- writing


def pack(text: str, record: Mapping[str, Any], condition_names: Mapping[str, str] | None) -> bytes:
    """One record for the store: its JSON, its four FTS column texts and its searchable words,
    compressed (a build of many records holds these until the index is written)."""
    import json

    from irref.normalize import fold
    from irref.search import searchable_texts

    cols: dict[str, list[str]] = {"names": [], "summary": [], "conditions": [], "body": []}
    for group, value in searchable_texts(record, condition_names):
        if group in _NAME_GROUPS:
            cols["names"].append(value)
        elif group == "summary":
            cols["summary"].append(value)
        elif group in _CONDITION_GROUPS:
            cols["conditions"].append(value)
        else:
            cols["body"].append(value)
    texts = [" \n ".join(v) for v in cols.values()]
    words = [w for w in set(fold(" ".join(texts)).split()) if len(w) >= 3]  # unique first: ~5x fewer tests
    purposes = {c["id"]: c["purpose"] for c in record.get("conditions") or []}  # the last one, as the model
    links = json.dumps(list(purposes.items()), ensure_ascii=False)
    # NUL never occurs in JSON text (it is escaped) nor in YAML strings (not allowed there)
    return zlib.compress("\0".join([text, *texts, " ".join(words), links]).encode("utf-8"), 1)


def unpack(packed: bytes) -> tuple[str, list[str], list[str], list[list[str]]]:
    """(record JSON, FTS column texts, searchable words, [condition id, purpose] pairs) of a packed
    record."""
    import json

    text, names, summary, conditions, body, words, links = zlib.decompress(packed).decode("utf-8").split("\0")
    return text, [names, summary, conditions, body], words.split(), json.loads(links)


def _fill(con: sqlite3.Connection, key: str, sections: Mapping[str, Any], raw: Mapping[str, bytes]) -> None:
    import json

    from irref.lookup import sounds

    con.executescript(_SCHEMA)
    con.executemany(
        "INSERT INTO meta VALUES (?, ?)",
        [("format", str(FORMAT)), ("key", key)],
    )
    for name in JSON_SECTIONS:  # one at a time: encoding a large section briefly holds its pieces too
        con.execute(
            "INSERT INTO section VALUES (?, ?)",
            (name, json.dumps(sections[name], ensure_ascii=False, separators=(",", ":"))),
        )
    order = sections["order"]
    rows = sections["rows"]
    names = sections["names"]
    words: set[str] = set()
    add_record = "INSERT INTO record VALUES (?, ?, ?, ?, ?, ?)"
    add_doc = "INSERT INTO fts(rowid, names, summary, conditions, body) VALUES (?, ?, ?, ?, ?)"
    known = sections["conditions"]
    add_purpose = "INSERT INTO purpose VALUES (?, ?, ?, ?)"
    listed: dict[str, int] = {}  # condition -> procedures so far (the position of the next one)
    for pos, rid in enumerate(order):  # one record at a time: nothing is held uncompressed
        text, cols, record_words, links = unpack(raw[rid])
        for cid, purpose in links:  # purposes in display order, read from the record as it is written
            if cid in known:
                con.execute(add_purpose, (cid, listed.get(cid, 0), rid, purpose))
                listed[cid] = listed.get(cid, 0) + 1
        row = rows[rid]  # the table row's JSON text, made by the build
        con.execute(add_record, (pos, rid, names[rid], text, row, zlib.crc32(text.encode("utf-8"))))
        con.execute(add_doc, (pos, *cols))
        words.update(record_words)
    con.executemany(
        "INSERT INTO family VALUES (?, ?, ?)",
        (
            (rid, fam["parent"][0] if fam["parent"] else None, json.dumps(fam, ensure_ascii=False))
            for rid, fam in sections["family"].items()
        ),
    )
    for table in ("procedures", "conditions", "modalities"):
        con.executemany(
            "INSERT INTO key VALUES (?, ?, ?, ?, ?, ?)",
            ((table, k, owner, len(k), sounds(k), len(sounds(k))) for k, owner in sections[f"keys.{table}"].items()),
        )
    con.executemany(
        "INSERT INTO facet VALUES (?, ?, ?, ?)",
        (
            (facet, value, pos, rid)
            for facet, values in sections["facets"].items()
            for value, ids in values.items()
            for pos, rid in enumerate(ids)
        ),
    )
    con.executemany("INSERT INTO word VALUES (?, ?)", ((w, len(w)) for w in sorted(words)))
    con.execute("INSERT INTO fts(fts) VALUES ('optimize')")


def build_memory(key: str, sections: Mapping[str, Any], raw: Mapping[str, bytes]) -> sqlite3.Connection:
    """The index as an in-memory database (when the cache directory is not writable)."""
    con = sqlite3.connect(":memory:")
    with con:
        _fill(con, key, sections, raw)
    return con


def save(path: str, key: str, sections: Mapping[str, Any], raw: Mapping[str, bytes]) -> bool:
    """Write the index to ``path`` atomically (temp file + rename); False where that is impossible."""
    import tempfile

    try:
        root = os.path.dirname(os.path.abspath(path))
        # e.g. HOME=/nonexistent: create nothing outside the cache root
        if not os.path.isdir(os.path.dirname(os.path.dirname(root))):
            return False
        os.makedirs(root, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".index-", suffix=".tmp", dir=root)
        os.close(fd)
    except OSError:
        return False
    try:
        con = sqlite3.connect(tmp)
        try:
            con.execute("PRAGMA journal_mode = OFF")
            con.execute("PRAGMA synchronous = OFF")
            with con:
                _fill(con, key, sections, raw)
        finally:
            con.close()
        os.replace(tmp, path)
        return True
    except (OSError, sqlite3.Error):
        try:
            os.unlink(tmp)
        except OSError:
            pass
        return False
    except BaseException:  # Ctrl-C mid-write: never leave a half-written temp file
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def open_cached(path: str, key: str) -> sqlite3.Connection | None:
    """The cached database if it exists, is readable and was built for ``key``; else None."""
    try:
        uri = str(path).replace("%", "%25").replace("?", "%3f").replace("#", "%23")
        con = sqlite3.connect(f"file:{uri}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error:
        return None
    try:
        meta = dict(con.execute("SELECT k, v FROM meta").fetchall())
    except sqlite3.Error:
        con.close()
        if os.path.exists(path):  # a damaged file (not a missing one): remove it so it is rebuilt
            try:
                os.unlink(path)
            except OSError:
                pass
        return None
    if meta.get("format") != str(FORMAT) or meta.get("key") != key:
        con.close()
        return None
    return con


def clean_stale(directory: str, keep: str, *, max_age_s: float = 3600.0) -> None:
    """Remove temp files a killed build left behind (older than ``max_age_s``), index files of
    other data-directory combinations and lookup word lists (``lexicon-*``, ``words-*``: one per
    lexicon and catalog version) unused for 30 days."""
    import time

    now = time.time()
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    for e in entries:
        try:
            if e.name.startswith(".index-") and e.name.endswith(".tmp"):
                if now - e.stat().st_mtime > max_age_s:
                    os.unlink(e.path)
            elif e.name.startswith("index-") and e.path != str(keep):
                if e.name.endswith(".jsonl") or now - e.stat().st_atime > 30 * 86400:
                    os.unlink(e.path)
            elif e.name.startswith(("lexicon-", "words-")) and e.name.endswith(".bin"):
                if now - e.stat().st_atime > 30 * 86400:
                    os.unlink(e.path)
        except OSError:
            continue


# ---------------------------------------------------------------- reading


class KeyTable:
    """Normalised key -> id for one vocabulary, read from the ``key`` table."""

    def __init__(self, index: Index, table: str):
        self._index, self._table = index, table

    def get(self, key: str) -> str | None:
        row = self._index._one("SELECT id FROM key WHERE tbl = ? AND key = ?", (self._table, key))
        return row[0] if row else None

    def __contains__(self, key: str) -> bool:
        return self.get(key) is not None

    def __getitem__(self, key: str) -> str:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def items(self) -> list[tuple[str, str]]:
        """Every (key, id) pair."""
        return self._index._all("SELECT key, id FROM key WHERE tbl = ? ORDER BY key", (self._table,))

    def pairs(self, lo: int = 0, hi: int | None = None) -> tuple[list[str], list[str], list[str]]:
        """Keys for fuzzy matching: (keys, sound-alike folded keys, the key of each folded one),
        only those whose length (or folded length) is within [lo, hi]."""
        hi = 10**9 if hi is None else hi
        index, table = self._index, self._table
        keys = [r[0] for r in index._all("SELECT key FROM key WHERE tbl = ? AND len BETWEEN ? AND ?", (table, lo, hi))]
        folded = index._all("SELECT sound, key FROM key WHERE tbl = ? AND slen BETWEEN ? AND ?", (table, lo, hi))
        return keys, [f for f, _ in folded], [k for _, k in folded]


class _Names(Mapping[str, str]):
    """id -> display name of every procedure, read on demand."""

    def __init__(self, index: Index):
        self._index = index

    def __getitem__(self, rid: str) -> str:
        row = self._index._one("SELECT name FROM record WHERE id = ?", (rid,))
        if row is None:
            raise KeyError(rid)
        return row[0]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index.order)

    def __len__(self) -> int:
        return self._index._one("SELECT count(*) FROM record", ())[0]


class Index:
    """The compiled catalog, read from one SQLite connection (a file, or memory)."""

    def __init__(
        self, con: sqlite3.Connection, *, key: str = "", path: str | None = None, notices: list[str] | None = None
    ):
        self.notices = list(notices or [])  # data that is ignored (unreadable or misplaced), for warnings
        self._con = con
        self._path = path
        self._sections: dict[str, Any] = {}
        self._parsed: dict[str, dict] = {}
        self._order: list[str] | None = None
        self.key = key

    @property
    def path(self) -> str | None:
        """The database file (None for an index built in memory)."""
        return self._path

    # low level
    def _damaged(self, exc: Exception) -> None:
        from irref.errors import DataError

        if self._path is not None:
            try:
                os.unlink(self._path)
            except OSError:
                pass
        raise DataError(f"the index cache was damaged ({exc.__class__.__name__}) and has been removed: run again")

    def _one(self, sql: str, args: tuple) -> Any:
        try:
            return self._con.execute(sql, args).fetchone()
        except sqlite3.DatabaseError as exc:
            self._damaged(exc)

    def _all(self, sql: str, args: tuple) -> list:
        try:
            return self._con.execute(sql, args).fetchall()
        except sqlite3.DatabaseError as exc:
            self._damaged(exc)
            return []

    def section(self, name: str) -> Any:
        """One of the small JSON tables: conditions, modalities, completions, problems."""
        if name not in self._sections:
            row = self._one("SELECT json FROM section WHERE name = ?", (name,))
            if row is None:
                raise KeyError(name)
            if row[0] == "[]":  # no problems, the common case: no json import on a warm run
                self._sections[name] = []
            else:
                import json

                self._sections[name] = json.loads(row[0])
        return self._sections[name]

    # tables
    @property
    def order(self) -> list[str]:
        """Every procedure id, in display order (by name)."""
        if self._order is None:
            self._order = [r[0] for r in self._all("SELECT id FROM record ORDER BY pos", ())]
        return self._order

    def facet(self, name: str, value: str | None) -> list[str]:
        """Ids (in display order) whose `name` facet (modality, category, region, bleeding_risk) has `value`."""
        value = "none" if value is None else value
        return [
            r[0] for r in self._all("SELECT id FROM facet WHERE facet = ? AND value = ? ORDER BY pos", (name, value))
        ]

    def row(self, rid: str) -> dict:
        """The fields a table shows for one procedure."""
        import json

        row = self._one("SELECT row FROM record WHERE id = ?", (rid,))
        if row is None:
            raise KeyError(rid)
        return json.loads(row[0])

    def rows(self, rids: Iterable[str]) -> Iterator[tuple[str, dict]]:
        """(id, table row) of many procedures, in the order given."""
        for rid in rids:
            yield rid, self.row(rid)

    @property
    def records(self) -> dict[str, dict]:
        """id -> table row of every procedure, in display order (reads every row: for tools and tests)."""
        import json

        return {rid: json.loads(row) for rid, row in self._all("SELECT id, row FROM record ORDER BY pos", ())}

    @property
    def names(self) -> Mapping[str, str]:
        """id -> display name of every procedure."""
        return _Names(self)

    @property
    def conditions(self) -> dict[str, dict]:
        return self.section("conditions")

    @property
    def modalities(self) -> dict[str, dict]:
        return self.section("modalities")

    @property
    def problems(self) -> list[tuple[str, int | None, str | None, str]]:
        """(absolute path, line, field, message) of every problem found when the index was built."""
        return [tuple(p) for p in self.section("problems")]

    def family(self, rid: str) -> dict[str, Any]:
        """{"parent": [id, name] or None, "children": [[id, name], ...]} of one record."""
        import json

        row = self._one("SELECT json FROM family WHERE id = ?", (rid,))
        return json.loads(row[0]) if row else {"parent": None, "children": []}

    def children(self, rid: str) -> list[str]:
        return [c for c, _ in self.family(rid)["children"]]

    def roots(self) -> list[str]:
        """Every procedure without a parent, in display order (each is the root of its family)."""
        parented = {r[0] for r in self._all("SELECT id FROM family WHERE parent IS NOT NULL", ())}
        return [rid for rid in self.order if rid not in parented]

    def keys(self, table: str) -> KeyTable:
        """Normalised name -> id, for table 'procedures', 'conditions' or 'modalities'."""
        return KeyTable(self, table)

    def purposes(self, cid: str) -> dict[str, str]:
        """procedure id -> what it does for condition `cid`, in display order."""
        return dict(self._all("SELECT id, purpose FROM purpose WHERE cid = ? ORDER BY pos", (cid,)))

    # records
    def raw(self, rid: str) -> str:
        """The record's JSON text, exactly as ``--json`` prints it (its checksum verified)."""
        row = self._one("SELECT raw, crc FROM record WHERE id = ?", (rid,))
        if row is None:
            raise KeyError(rid)
        if zlib.crc32(row[0].encode("utf-8")) != row[1]:
            self._damaged(StoreDamaged(f"record {rid} failed its checksum"))
        return row[0]

    def iter_raw(self, rids: Iterable[str]) -> Iterator[str]:
        """Records' JSON text in the order given, one at a time (not kept)."""
        for rid in rids:
            yield self.raw(rid)

    def raws(self, rids: Iterable[str]) -> list[str]:
        return list(self.iter_raw(rids))

    def record(self, rid: str) -> dict:
        """The full record as a dict."""
        import json

        if rid not in self._parsed:
            self._parsed[rid] = json.loads(self.raw(rid))
        return self._parsed[rid]

    # search
    def words(self, lo: int, hi: int) -> list[str]:
        """Every searchable word whose length is within [lo, hi] (for typo correction)."""
        return [r[0] for r in self._all("SELECT word FROM word WHERE len BETWEEN ? AND ?", (lo, hi))]

    def has_word(self, word: str) -> bool:
        return self._one("SELECT 1 FROM word WHERE word = ?", (word,)) is not None

    def fts(self, expression: str, limit: int) -> list[str]:
        """Ids of the records matching an FTS5 expression, best first (bm25 with column weights)."""
        weights = ", ".join(str(w) for _, w in FTS_COLUMNS)
        try:
            rows = self._con.execute(
                f"SELECT r.id FROM fts JOIN record r ON r.pos = fts.rowid WHERE fts MATCH ? "
                f"ORDER BY bm25(fts, {weights}) LIMIT ?",
                (expression, limit),
            ).fetchall()
        except sqlite3.OperationalError:  # an expression FTS5 cannot parse: no candidates
            return []
        except sqlite3.DatabaseError as exc:
            self._damaged(exc)
            return []
        return [r[0] for r in rows]
