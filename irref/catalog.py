"""The catalog: find data files, build a validated index, and cache it.

Cold path: every YAML file is parsed (C loader), validated against the record
model, cross-checked, and compiled into one index file. Warm path: the index
file is read with :mod:`json` only; ruamel.yaml and pydantic are not imported.

The cache file is ``<cache dir>/index-<hash of the data dirs>.jsonl``. Its first
line is the index (JSON); each following line is one record's JSON, which
``--json`` output copies verbatim. The index is keyed by irref's version and the
path, size and modification time of every source file, so any edit, addition or
removal rebuilds it. It is written to a temporary file and renamed into place,
so concurrent runs never read half a file; an unwritable cache directory means
an in-memory build with no error.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from irref import __version__
from irref.errors import DataError
from irref.normalize import normalize

FORMAT = 1
ENV_DATA_DIRS = "IRREF_DATA_DIRS"
ENV_CACHE_DIR = "IRREF_CACHE_DIR"
VOCAB_FILES = ("conditions.yaml", "modalities.yaml")


# ---------------------------------------------------------------- sources


def shipped_dir() -> Path:
    """The catalog shipped with irref (inside the wheel, or beside the source tree)."""
    here = Path(__file__).resolve().parent
    packaged = here / "data"
    if (packaged / "procedures").is_dir():
        return packaged
    return here.parent / "data"


def data_dirs(cli_dirs: Sequence[str | Path] = (), *, env: dict[str, str] | None = None) -> list[Path]:
    """Data directories in increasing precedence: shipped, IRREF_DATA_DIRS, --data-dir."""
    env = os.environ if env is None else env
    dirs = [shipped_dir()]
    for part in (env.get(ENV_DATA_DIRS) or "").split(os.pathsep):
        if part.strip():
            dirs.append(Path(part.strip()).expanduser())
    for d in cli_dirs:
        path = Path(d).expanduser()
        if not path.is_dir():
            raise DataError(f"data directory not found: {d}")
        dirs.append(path)
    seen: set[Path] = set()
    out = []
    for d in dirs:
        key = d.resolve() if d.exists() else d
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


def procedure_dir(directory: Path) -> Path:
    """Where a data directory keeps its procedure files: ``procedures/`` or the directory itself."""
    sub = directory / "procedures"
    return sub if sub.is_dir() else directory


def _scan(directory: Path) -> list[tuple[str, Path]]:
    """(kind, path) of every source file of one data directory."""
    files: list[tuple[str, Path]] = []
    for name in VOCAB_FILES:
        path = directory / name
        if path.is_file():
            files.append((name.split(".")[0], path))
    try:
        entries = sorted(os.scandir(procedure_dir(directory)), key=lambda e: e.name)
    except OSError:
        return files
    for entry in entries:
        if entry.name.startswith(".") or not entry.name.endswith((".yaml", ".yml")):
            continue
        if entry.name in VOCAB_FILES and Path(entry.path).parent == directory:
            continue
        files.append(("procedure", Path(entry.path)))
    return files


def _fingerprint(dirs: Sequence[Path]) -> tuple[str, list[tuple[int, str, Path]]]:
    files: list[tuple[int, str, Path]] = []
    h = hashlib.sha256(f"{FORMAT}|{__version__}|{sys.version_info[:2]}".encode())
    for i, directory in enumerate(dirs):
        h.update(f"|dir:{directory}".encode())
        for kind, path in _scan(directory):
            try:
                st = path.stat()
                stamp = f"{st.st_size}:{st.st_mtime_ns}"
            except OSError:
                stamp = "unreadable"
            h.update(f"|{path}:{stamp}".encode())
            files.append((i, kind, path))
    return h.hexdigest(), files


# ---------------------------------------------------------------- index


class Index:
    """The compiled catalog: lookup tables plus lazily read record JSON."""

    def __init__(self, meta: dict[str, Any], raw: dict[str, str] | None = None, blob: tuple[Path, int] | None = None):
        self.meta = meta
        self._raw = raw or {}
        self._blob = blob
        self._parsed: dict[str, dict] = {}

    # tables
    @property
    def records(self) -> dict[str, dict]:
        """id -> summary fields used for filtering and tables."""
        return self.meta["records"]

    @property
    def conditions(self) -> dict[str, dict]:
        return self.meta["conditions"]

    @property
    def modalities(self) -> dict[str, dict]:
        return self.meta["modalities"]

    @property
    def problems(self) -> list[tuple[str, int | None, str | None, str]]:
        """(absolute path, line, field, message) of every problem found when the index was built."""
        return [tuple(p) for p in self.meta["problems"]]

    def children(self, rid: str) -> list[str]:
        return self.meta["children"].get(rid, [])

    def keys(self, table: str) -> dict[str, str]:
        """Normalised name -> id, for table 'procedures', 'conditions' or 'modalities'."""
        return self.meta["keys"][table]

    # records
    def raw(self, rid: str) -> str:
        """The record's JSON text, exactly as ``--json`` prints it."""
        if rid in self._raw:
            return self._raw[rid]
        if self._blob is None:
            raise KeyError(rid)
        path, start = self._blob
        offset, length = self.records[rid]["at"]
        with open(path, "rb") as fh:
            fh.seek(start + offset)
            text = fh.read(length).decode("utf-8")
        self._raw[rid] = text
        return text

    def raws(self, rids: Iterable[str]) -> list[str]:
        """Many records' JSON text, reading the cache file once."""
        rids = list(rids)
        missing = [r for r in rids if r not in self._raw]
        if missing and self._blob is not None:
            path, start = self._blob
            with open(path, "rb") as fh:
                for rid in sorted(missing, key=lambda r: self.records[r]["at"][0]):
                    offset, length = self.records[rid]["at"]
                    fh.seek(start + offset)
                    self._raw[rid] = fh.read(length).decode("utf-8")
        return [self.raw(r) for r in rids]

    def record(self, rid: str) -> dict:
        """The full record as a dict."""
        if rid not in self._parsed:
            self._parsed[rid] = json.loads(self.raw(rid))
        return self._parsed[rid]


# ---------------------------------------------------------------- build


def _add_keys(table: dict[str, str], owner: str, names: Iterable[str], clashes: dict[str, set[str]]) -> None:
    for name in names:
        for key in {normalize(name), normalize(name).replace(" ", "")}:
            if not key:
                continue
            if key in table and table[key] != owner:
                clashes.setdefault(key, set()).update({table[key], owner})
            else:
                table[key] = owner


def build(
    dirs: Sequence[Path],
    *,
    extra_files: Sequence[Path] = (),
    files: list[tuple[int, str, Path]] | None = None,
) -> tuple[dict[str, Any], dict[str, str], list]:
    """Parse, validate and cross-check every file; returns (meta, raw record JSON, problems).

    ``files`` is the scan `load` already made (so the directories are not listed twice);
    ``extra_files`` are procedure files checked on top of the directories (for ``validate PATH``).
    """
    from irref import loader
    from irref.loader import FileRejected, Problem
    from irref.model import Condition, Modality, Procedure

    if files is None:
        _, files = _fingerprint(dirs)
    files = [*files, *((len(dirs), "procedure", Path(f)) for f in extra_files)]
    problems: list[Problem] = []

    # vocabularies: later directories extend and override earlier ones
    vocab: dict[str, dict[str, Any]] = {"conditions": {}, "modalities": {}}
    models = {"conditions": Condition, "modalities": Modality}
    for _, kind, path in files:
        if kind == "procedure":
            continue
        try:
            data = loader.parse_file(path, kind="a list of entries")
        except FileRejected as exc:
            problems.append(exc.problem)
            continue
        items, probs = loader.validate_list(models[kind], data, path)
        problems.extend(probs)
        seen: set[str] = set()
        for i, item in enumerate(items):
            if item.id in seen:
                problems.append(
                    Problem(loader.display_path(path), loader.line_of(path, (i,)), "id", f"duplicate id '{item.id}'")
                )
            seen.add(item.id)
            vocab[kind][item.id] = item

    # procedures: a later directory's record replaces an earlier one with the same id
    records: dict[str, tuple[Procedure, Path, int]] = {}
    for dir_index, kind, path in files:
        if kind != "procedure":
            continue
        try:
            data = loader.parse_file(path)
        except FileRejected as exc:
            problems.append(exc.problem)
            continue
        rec, probs = loader.validate_mapping(Procedure, data, path)
        if probs:
            problems.extend(probs)
            continue
        stem = path.name.rsplit(".", 1)[0]
        if rec.id != stem:
            problems.append(
                Problem(
                    loader.display_path(path),
                    loader.line_of(path, ("id",)),
                    "id",
                    f"id '{rec.id}' differs from the file name '{stem}'",
                )
            )
            continue
        if rec.id in records and records[rec.id][2] == dir_index:
            first = records[rec.id][1]
            problems.append(
                Problem(
                    loader.display_path(path),
                    loader.line_of(path, ("id",)),
                    "id",
                    f"duplicate id '{rec.id}' (also in {first})",
                )
            )
            continue
        records[rec.id] = (rec, path, dir_index)

    # cross-record checks
    condition_ids = set(vocab["conditions"])
    modality_ids = set(vocab["modalities"])
    keys: dict[str, dict[str, str]] = {"procedures": {}, "conditions": {}, "modalities": {}}
    clashes: dict[str, set[str]] = {}
    for rid, (rec, _path, _) in sorted(records.items()):
        _add_keys(keys["procedures"], rid, [rid, rid.replace("-", " "), rec.name], clashes)
    # aliases: earlier directories (the shipped catalog) keep an alias; a later claimant is the error
    for rid, (rec, path, _) in sorted(records.items(), key=lambda kv: (kv[1][2], kv[0])):
        own = {normalize(rid), normalize(rec.name)}
        for i, alias in enumerate(rec.aliases):
            key = normalize(alias)
            holder = keys["procedures"].get(key) or keys["procedures"].get(key.replace(" ", ""))
            if holder and holder != rid and key not in own:
                problems.append(
                    Problem(
                        loader.display_path(path),
                        loader.line_of(path, ("aliases", i)),
                        f"aliases[{i}]",
                        f"alias '{alias}' is already the name or alias of '{holder}'",
                    )
                )
                continue
            _add_keys(keys["procedures"], rid, [alias], clashes)
    for key, owners in sorted(clashes.items()):
        owners_sorted = sorted(owners)
        for rid in owners_sorted:
            if rid in records:
                _, path, _ = records[rid]
                problems.append(
                    Problem(
                        loader.display_path(path),
                        loader.line_of(path, ("aliases",)),
                        "aliases",
                        f"name/alias '{key}' is claimed by {', '.join(owners_sorted)}",
                    )
                )
                break

    for cid, cond in sorted(vocab["conditions"].items()):
        _add_keys(keys["conditions"], cid, [cid.replace("-", " "), cond.name, *cond.synonyms], {})
    for mid, mod in sorted(vocab["modalities"].items()):
        _add_keys(keys["modalities"], mid, [mid, mod.name, *mod.synonyms], {})

    for rec, path, _ in (records[r] for r in sorted(records)):
        p = loader.display_path(path)
        for i, m in enumerate(rec.modalities):
            if m not in modality_ids:
                problems.append(
                    Problem(
                        p,
                        loader.line_of(path, ("modalities", i)),
                        f"modalities[{i}]",
                        f"unknown modality '{m}'" + _suggest(m, modality_ids),
                    )
                )
        for i, c in enumerate(rec.conditions):
            if c.id not in condition_ids:
                problems.append(
                    Problem(
                        p,
                        loader.line_of(path, ("conditions", i, "id")),
                        f"conditions[{i}].id",
                        f"unknown condition '{c.id}'" + _suggest(c.id, condition_ids),
                    )
                )
        if rec.parent and rec.parent not in records:
            problems.append(
                Problem(
                    p,
                    loader.line_of(path, ("parent",)),
                    "parent",
                    f"parent '{rec.parent}' names no procedure" + _suggest(rec.parent, records),
                )
            )
        for i, r in enumerate(rec.related):
            if r not in records:
                problems.append(
                    Problem(
                        p,
                        loader.line_of(path, ("related", i)),
                        f"related[{i}]",
                        f"'{r}' names no procedure" + _suggest(r, records),
                    )
                )
    for rid in sorted(records):
        chain, cur = [rid], records[rid][0].parent
        while cur and cur in records:
            if cur in chain:
                rec, path, _ = records[rid]
                problems.append(
                    Problem(
                        loader.display_path(path),
                        loader.line_of(path, ("parent",)),
                        "parent",
                        "parent cycle: " + " -> ".join([*chain, cur]),
                    )
                )
                break
            chain.append(cur)
            cur = records[cur][0].parent

    # compile
    children: dict[str, list[str]] = {}
    meta_records: dict[str, dict] = {}
    raw: dict[str, str] = {}
    for rid, (rec, path, _) in sorted(records.items()):
        data = rec.model_dump(mode="json")
        data["source"] = str(path)
        raw[rid] = json.dumps(data, ensure_ascii=False)
        if rec.parent and rec.parent in records:
            children.setdefault(rec.parent, []).append(rid)
        meta_records[rid] = {
            "name": rec.name,
            "aliases": list(rec.aliases),
            "category": rec.category,
            "parent": rec.parent if rec.parent in records else None,
            "summary": rec.summary,
            "modalities": [m for m in rec.modalities if m in modality_ids],
            "conditions": {c.id: c.purpose for c in rec.conditions if c.id in condition_ids},
            "body_regions": list(rec.body_regions),
            "anesthesia": list(rec.anesthesia),
            "setting": list(rec.setting),
            "bleeding_risk": rec.bleeding_risk,
            "source": str(path),
        }
    meta = {
        "format": FORMAT,
        "version": __version__,
        "records": meta_records,
        "children": children,
        "conditions": {
            cid: {"name": c.name, "synonyms": list(c.synonyms)} for cid, c in sorted(vocab["conditions"].items())
        },
        "modalities": {
            mid: {"name": m.name, "synonyms": list(m.synonyms)} for mid, m in sorted(vocab["modalities"].items())
        },
        "keys": keys,
        "problems": [],
    }
    problems = sorted(set(problems), key=lambda p: (p.path, p.line or 0, p.field or "", p.message))
    meta["problems"] = [[os.path.abspath(p.path), p.line, p.field, p.message] for p in problems]
    return meta, raw, problems


def _suggest(value: str, known: Iterable[str]) -> str:
    import difflib

    guess = difflib.get_close_matches(value, list(known), n=1, cutoff=0.75)
    return f": did you mean '{guess[0]}'?" if guess else ""


# ---------------------------------------------------------------- cache


def cache_dir(env: dict[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get(ENV_CACHE_DIR):
        return Path(env[ENV_CACHE_DIR]).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("irref", appauthor=False))


def _cache_path(dirs: Sequence[Path], env: dict[str, str] | None) -> Path:
    tag = hashlib.sha256("\n".join(str(d.resolve()) for d in dirs).encode()).hexdigest()[:16]
    return cache_dir(env) / f"index-{tag}.jsonl"


def _read_cache(path: Path, key: str) -> Index | None:
    try:
        with open(path, "rb") as fh:
            first = fh.readline()
            meta = json.loads(first)
            if not isinstance(meta, dict) or meta.get("key") != key or meta.get("format") != FORMAT:
                return None
            start = len(first)
            size = os.fstat(fh.fileno()).st_size
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    if size - start != meta.get("blob_size"):
        return None  # truncated or tampered
    return Index(meta, blob=(path, start))


def _write_cache(path: Path, meta: dict[str, Any], raw: dict[str, str]) -> None:
    """Write the index atomically (temp file + rename); silently skip if impossible."""
    chunks: list[bytes] = []
    offset = 0
    for rid in meta["records"]:
        data = raw[rid].encode("utf-8") + b"\n"
        meta["records"][rid]["at"] = [offset, len(data) - 1]
        chunks.append(data)
        offset += len(data)
    meta["blob_size"] = offset
    head = json.dumps(meta, ensure_ascii=False).encode("utf-8") + b"\n"
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".index-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(head)
                fh.writelines(chunks)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    except OSError:
        return


def load(cli_dirs: Sequence[str | Path] = (), *, env: dict[str, str] | None = None, use_cache: bool = True) -> Index:
    """The catalog index for these data directories: from the cache when fresh, else built."""
    dirs = data_dirs(cli_dirs, env=env)
    if not (dirs[0] / "procedures").is_dir() and len(dirs) == 1:
        raise DataError(f"shipped catalog not found at {dirs[0]}: reinstall irref")
    key, files = _fingerprint(dirs)
    path = _cache_path(dirs, env)
    if use_cache:
        index = _read_cache(path, key)
        if index is not None:
            return index
    meta, raw, _ = build(dirs, files=files)
    meta["key"] = key
    if use_cache:
        _write_cache(path, meta, raw)
    return Index(meta, raw=raw)
