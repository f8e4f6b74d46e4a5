"""The structure of a query: words, qualifiers, abbreviations, typos, families.

`lookup.resolve` answers exact names and aliases with one dict lookup. When that fails, this
module reads the query the way a clinician or a patient wrote it:

1. Words, not strings. The query and every catalog name/alias go through the same pipeline
   (:func:`Lexicon.words`): normalised, abbreviations expanded ("RFA" -> "radiofrequency
   ablation"), grammar words dropped, synonyms folded ("renal" -> "kidney", "-gram" ->
   "-graphy"), lay phrases rewritten ("balloon to widen" -> "angioplasty").
2. Qualifiers. Imaging words (CT, US, fluoro, guided), sides, organs and regions, actions
   (placement, removal, exchange, check...), generic words (percutaneous, procedure) and disease
   words (tumor, mass) may be left out of a match; every other word of the query ("core") must
   be explained by the matched name, and every core word of the name by the query.
3. Typos, word by word, against the catalog's own vocabulary (OSA distance, so a
   swap of two letters is one edit; sound-alike spellings fold), split or joined words
   ("micro wave"), and a last partial word completed ("vertebro").
4. Families: an organ the best match left out picks a more specific entry of the same family
   when one names it ("kidney RFA" -> kidney ablation).
5. A condition in the query restricts the candidates to the procedures listed for it
   ("stent for a blocked kidney"); a query that is only a condition is not a procedure (the
   caller turns it into a hint to `for-condition`).
6. Otherwise the ranked full-text search, answered only when its best hit is clearly ahead.

The lexicon lives in ``data/lexicon.yaml``; it and the word index of the catalog keys are
cached as JSON beside the index cache, keyed by the index key and the lexicon file.
"""

from __future__ import annotations

import os
import re
import sys
import zlib

from irref.normalize import normalize

TYPE_CHECKING = False  # as typing.TYPE_CHECKING: typing and pathlib cost a lookup ~15 ms to import
if TYPE_CHECKING:
    from typing import Any

#: Cost of one edit in a corrected word; of completing a partial last word; of joining two words.
EDIT_COST = 5.0
PREFIX_COST = 4.0
JOIN_COST = 1.0
#: Cost of leaving out a query qualifier, by class.
DROP_COST = {
    "unknown": 8.0,
    "secondary": 1.0,
    "condition": 2.5,
    "regions": 3.0,
    "disease": 1.0,
    "actions": 4.0,
    "imaging": 0.5,
    "sides": 0.5,
    "generic": 0.5,
    "stop": 0.0,
}
#: Cost of a qualifier of the name that the query does not mention, by class.
EXTRA_COST = {"imaging": 0.5, "sides": 0.5, "generic": 1.0, "disease": 1.0}
#: Scores are 100 minus costs; a winner must beat the next procedure by this much.
MARGIN = 1.0
#: The lowest structured score accepted as an answer.
FLOOR = 80.0
#: Suffixes that name different kinds of procedure: a typo correction never crosses them.
SUFFIXES = (
    "ectomy",
    "ostomy",
    "otomy",
    "plasty",
    "scopy",
    "graphy",
    "gram",
    "centesis",
    "pexy",
    "rrhaphy",
    "lysis",
    "itis",
    "oma",
)
#: Words a query may carry without meaning much, although a name that has them needs them.
QUERY_GENERIC = frozenset({"nonsurgical", "nonoperative", "noninvasive"})
QUALIFIER_CLASSES = ("imaging", "sides", "regions", "actions", "generic", "disease", "secondary")
_CACHE_VERSION = 7


def lexicon_path() -> str:
    from irref.catalog import shipped_dir

    return os.path.join(shipped_dir(), "lexicon.yaml")


def _digest(text: str) -> str:
    data = text.encode("utf-8")
    return f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}"


def _cache_dir() -> str | None:
    try:
        from irref.catalog import cache_dir
        from irref.environment import current

        return cache_dir(current().environ)
    except Exception:
        return None


def _read_json(path: str) -> Any:
    """A cache file (marshal: several times faster to load than JSON; the cache stamp includes the
    Python version, whose marshal format it is)."""
    import marshal

    try:
        with open(path, "rb") as fh:
            return marshal.loads(fh.read())
    except (OSError, ValueError, EOFError, TypeError):
        return None


def _write_json(path: str, value: Any) -> None:
    import tempfile

    try:
        folder = os.path.dirname(path)
        os.makedirs(folder, exist_ok=True)
        import marshal

        data = marshal.dumps(value)
        fd, tmp = tempfile.mkstemp(prefix=".resolve-", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except (OSError, ValueError):
        return


def _lexicon_stamp(path: str) -> str:
    try:
        st = os.stat(path)
    except OSError:
        return "none"
    return _digest(f"{_CACHE_VERSION}\n{sys.version}\n{os.path.realpath(path)}\n{st.st_size}\n{st.st_mtime_ns}")


_LEXICONS: dict[str, Lexicon] = {}


def load_lexicon(path: str | None = None) -> Lexicon:
    """The lexicon, from its JSON cache when the YAML file has not changed."""
    path = path or lexicon_path()
    stamp = _lexicon_stamp(path)
    if stamp in _LEXICONS:
        return _LEXICONS[stamp]
    cdir = _cache_dir()
    cached = _read_json(os.path.join(cdir, f"lexicon-{stamp}.bin")) if cdir else None
    if not isinstance(cached, dict):
        raw: dict = {}
        if stamp != "none":
            from ruamel.yaml import YAML
            from ruamel.yaml.error import YAMLError

            from irref.errors import DataError

            yaml = YAML(typ="safe")
            yaml.allow_duplicate_keys = True  # the last one wins; tests/test_lookup.py lints the file
            try:
                with open(path, encoding="utf-8") as fh:
                    raw = yaml.load(fh) or {}
            except (OSError, YAMLError) as exc:
                raise DataError(f"cannot read the lookup lexicon {path}: {exc}") from None
            if not isinstance(raw, dict):
                raise DataError(f"the lookup lexicon {path} is not a mapping of sections")
        cached = Lexicon.compile(raw)
        if cdir:
            _write_json(os.path.join(cdir, f"lexicon-{stamp}.bin"), cached)
    lex = Lexicon(cached, stamp)
    _LEXICONS[stamp] = lex
    return lex


class Lexicon:
    """Abbreviations, phrases, synonyms and qualifier classes, compiled for the word pipeline."""

    def __init__(self, data: dict, stamp: str):
        self.stamp = stamp
        self.abbreviations: dict[str, list[str]] = data["abbreviations"]
        self.synonyms: dict[str, str] = data["synonyms"]
        self.stop: set[str] = set(data["stop_words"])
        self.classes: dict[str, str] = data["classes"]
        self.not_procedures: set[str] = set(data["not_procedures"])
        self.choices: dict[str, dict[str, str]] = data["choices"]
        self.conditions: dict[str, str] = data["conditions"]
        self.strong_actions: set[str] = set(data.get("strong_actions", []))
        self.vague: set[str] = set(data.get("vague_conditions", []))
        self.treatment_words: set[str] = {
            *("treatment", "therapy", "stop", "fix", "cure", "help", "procedure", "repair"),
            *("shrink", "starve", "relieve", "ease", "control", "kill", "destroy"),
        }
        # phrases: first word -> [(words, replacement words)], longest first
        self.phrases: dict[str, list[tuple[list[str], list[str]]]] = {}
        for words, repl in data["phrases"]:
            self.phrases.setdefault(words[0], []).append((words, repl))
        for options in self.phrases.values():
            options.sort(key=lambda p: -len(p[0]))

    @staticmethod
    def compile(raw: dict) -> dict:
        """The YAML mapping -> the plain-JSON form kept in the cache."""

        def norm_words(text: str) -> list[str]:
            return normalize(str(text)).split()

        abbreviations = {}
        for k, v in (raw.get("abbreviations") or {}).items():
            key = normalize(str(k)).replace(" ", "")
            if key:
                abbreviations[key] = norm_words(v)
        synonyms = {}
        for k, v in (raw.get("synonyms") or {}).items():
            key = normalize(str(k))
            if key and " " not in key:
                synonyms[key] = normalize(str(v))
        classes: dict[str, str] = {}
        for cls in QUALIFIER_CLASSES:
            for word in (raw.get("qualifiers") or {}).get(cls) or []:
                w = normalize(str(word))
                w = synonyms.get(w, w)
                if w and " " not in w:
                    classes.setdefault(w, cls)
        stop = sorted({normalize(str(w)) or str(w) for w in raw.get("stop_words") or []})
        data = {
            "abbreviations": abbreviations,
            "synonyms": synonyms,
            "stop_words": stop,
            "classes": classes,
            "not_procedures": sorted({normalize(str(w)) for w in raw.get("not_procedures") or []}),
            "phrases": [],
            "choices": {},
            "conditions": {normalize(str(k)): str(v) for k, v in (raw.get("conditions") or {}).items()},
            "vague_conditions": sorted(
                {synonyms.get(normalize(str(w)), normalize(str(w))) for w in raw.get("vague_conditions") or []}
            ),
            "strong_actions": sorted(
                {synonyms.get(normalize(str(w)), normalize(str(w))) for w in raw.get("strong_actions") or []}
            ),
        }
        lex = Lexicon(data, "")
        phrases = []
        for k, v in (raw.get("phrases") or {}).items():
            words = lex.words(str(k), phrases=False)
            repl = lex.words(str(v), phrases=False)
            if words and repl:
                phrases.append([words, repl])
        data["phrases"] = phrases
        for kind in ("categories", "regions", "modalities"):
            data["choices"][kind] = {normalize(str(k)): str(v) for k, v in (raw.get(kind) or {}).items()}
        return data

    def canon(self, word: str) -> str:
        word = self.synonyms.get(word, word)
        if len(word) > 6 and word.endswith("gram") and word not in self.not_procedures:
            word = word[:-4] + "graphy"
        return self.synonyms.get(word, word)

    def words(self, text: str, *, phrases: bool = True) -> list[str]:
        """The words of a name or query, as matched: normalised, expanded, canonical."""
        out: list[str] = []
        for w in normalize(text).split():
            out += self.abbreviations.get(w, [w])
        # "non tunneled" and "non-tunneled" are one word: a negation is never a droppable qualifier
        for i in range(len(out) - 2, -1, -1):
            if out[i] == "non":
                out[i : i + 2] = [out[i] + out[i + 1]]
        kept = [w for w in out if w not in self.stop]
        out = kept or out
        out = [self.canon(w) for w in out]
        if phrases and self.phrases:
            out = self.rewrite(out)
        # "Irreversible electroporation (IRE)" says each word twice once IRE is expanded
        return list(dict.fromkeys(out)) if len(set(out)) < len(out) else out

    def rewrite(self, words: list[str]) -> list[str]:
        """Replace lay phrases; imaging words and sides inside a phrase are kept, after it
        ("AV shunt fluoroscopic angiogram" -> fistulography, fluoroscopic)."""
        out: list[str] = []
        i = 0
        while i < len(words):
            for pat, repl in self.phrases.get(words[i], ()):
                j, k, skipped = i, 0, []
                while j < len(words) and k < len(pat):
                    if words[j] == pat[k]:
                        k += 1
                    elif k and self.classes.get(words[j]) in ("imaging", "sides"):
                        skipped.append(words[j])
                    else:
                        break
                    j += 1
                if k == len(pat):
                    out += repl + skipped
                    i = j
                    break
            else:
                out.append(words[i])
                i += 1
        return out

    def query_kind(self, word: str) -> str | None:
        """The class of a query word: as `kind`, except that words such as "nonsurgical" may be left
        out of a query although a name that has them needs them."""
        if word in QUERY_GENERIC:
            return "generic"
        return self.kind(word)

    def kind(self, word: str) -> str | None:
        """The qualifier class of a word, or None for a core word."""
        if word in self.stop:
            return "stop"
        if word[:1] == "@":
            return "condition"
        return self.classes.get(word)


# ---------------------------------------------------------------- the word index of a key table


class WordIndex:
    """Every key of one table as words: entries [(words, owner)], postings word -> entries."""

    def __init__(self, entries: list, postings: dict[str, list[int]], by_owner: dict[str, list[int]]):
        self.entries = entries
        self.postings = postings
        self.by_owner = by_owner
        self.vocab_set = postings.keys()
        self._vocab: list[str] | None = None

    @property
    def vocab(self) -> list[str]:
        if self._vocab is None:
            self._vocab = sorted(self.postings)
        return self._vocab

    @classmethod
    def build(cls, lex: Lexicon, keys: list[tuple[str, str]]) -> WordIndex:
        entries: list[tuple[list[str], str]] = []
        seen: set[tuple[str, ...]] = set()
        # every key, including the run-together twin the catalog adds for each spaced one ("liverbiopsy"):
        # a twin can also be a real name ("chemoembolization" beside "chemo-embolization")
        for key, owner in sorted(keys):
            words = lex.words(key)
            sig = (owner, *words)
            if not words or sig in seen:
                continue
            seen.add(sig)
            entries.append((words, owner))
        return cls.from_entries(entries)

    @classmethod
    def from_entries(cls, entries: list) -> WordIndex:
        postings: dict[str, list[int]] = {}
        by_owner: dict[str, list[int]] = {}
        for i, (words, owner) in enumerate(entries):
            for w in set(words):
                postings.setdefault(w, []).append(i)
            by_owner.setdefault(owner, []).append(i)
        return cls([[list(w), o] for w, o in entries], postings, by_owner)

    def dump(self) -> dict:
        """A compact form for the cache file: the entries as one text, each posting list as packed
        integers. A catalog of 10,000 records has ~100,000 entries; as nested lists the file took
        half a second to load, as a few thousand strings it takes a few milliseconds."""
        from array import array

        def pack(ids: list[int]) -> bytes:
            return array("I", ids).tobytes()

        return {
            "entries": "\n".join(" ".join(words) + "\t" + owner for words, owner in self.entries),
            "postings": {w: pack(ids) for w, ids in self.postings.items()},
            "by_owner": {o: pack(ids) for o, ids in self.by_owner.items()},
        }

    @classmethod
    def load(cls, data: dict) -> WordIndex:
        """The index from :meth:`dump`, decoded as it is read (only the entries a query touches)."""
        return cls(_Entries(data["entries"]), _Packed(data["postings"]), _Packed(data["by_owner"]))


class _Entries:
    """Entries [(words, owner)] kept as one text, an entry split out when it is read."""

    __slots__ = ("_lines", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._lines: list[str] | None = None

    def _all(self) -> list[str]:
        if self._lines is None:
            self._lines = self._text.split("\n") if self._text else []
        return self._lines

    def __getitem__(self, i: int) -> list:
        words, owner = self._all()[i].split("\t")
        return [words.split(" "), owner]

    def __len__(self) -> int:
        return len(self._all())

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]


class _Packed(dict):
    """word (or owner) -> entry numbers, stored packed; each list decoded when it is read."""

    def __getitem__(self, key: str):
        from array import array

        ids = array("I")
        ids.frombytes(dict.__getitem__(self, key))
        return ids

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if dict.__contains__(self, key) else default


class Spans:
    """Condition names and synonyms as word sequences, to fold into one ``@<id>`` word."""

    def __init__(self, lex: Lexicon, cwords: WordIndex):
        # keyed by the sorted words: "blocked arteries in the legs" is "blocked leg arteries"
        self.seqs: dict[tuple[str, ...], str] = {}
        for text, cid in lex.conditions.items():
            self.seqs.setdefault(tuple(sorted(lex.words(text))), cid)
        for words, owner in cwords.entries:
            if len(words) == 1 and words[0] in lex.vague:
                continue  # "tumor", "aneurysm", "bleeding" alone name no one condition
            self.seqs.setdefault(tuple(sorted(words)), owner)
        self.longest = max((len(k) for k in self.seqs), default=0)

    def dump(self) -> list:
        return [[list(k), v] for k, v in self.seqs.items()]

    @classmethod
    def load(cls, data: list) -> Spans:
        spans = cls.__new__(cls)
        spans.seqs = {tuple(k): v for k, v in data}
        spans.longest = max((len(k) for k in spans.seqs), default=0)
        return spans

    def fold(self, words: list[str]) -> list[str]:
        out: list[str] = []
        i = 0
        while i < len(words):
            for size in range(min(self.longest, len(words) - i), 0, -1):
                cid = self.seqs.get(tuple(sorted(words[i : i + size])))
                if cid:
                    out.append("@" + cid)
                    i += size
                    break
            else:
                out.append(words[i])
                i += 1
        return out


def _table_keys(table) -> list[tuple[str, str]]:
    items = getattr(table, "items", None)
    if callable(items):  # one read, where the table offers it
        return [(k, o) for k, o in items() if o is not None]
    keys, _, _ = table.pairs()
    out = []
    for k in keys:
        owner = table.get(k)
        if owner is not None:
            out.append((k, owner))
    return out


class _Tables(dict):
    """{"procedures": WordIndex, "conditions": WordIndex} with the condition table read only when
    asked for (it has its own cache file), and the condition spans kept beside the procedures."""

    def __init__(self, index, lex: Lexicon, path: str | None, spans: Spans):
        super().__init__()
        self._index, self._lex, self._path, self.spans = index, lex, path, spans

    def __missing__(self, table: str) -> WordIndex:
        if table != "conditions":
            raise KeyError(table)
        data = _read_json(self._path) if self._path else None
        if isinstance(data, dict) and "entries" in data:
            words = WordIndex.load(data)
        else:
            words = WordIndex.build(self._lex, _table_keys(self._index.keys("conditions")))
            if self._path:
                _write_json(self._path, words.dump())
        self[table] = words
        return words


#: Format of the word-index cache files (part of their name, so an older layout is never read).
_WORDS_FORMAT = "w2"


def word_indexes(index, lex: Lexicon) -> _Tables:
    """Word indexes of the procedure and condition keys (memoised on the index, cached on disk: one
    file for the procedures and the condition spans, one for the conditions)."""
    memo = getattr(index, "_irref_words", None)
    if memo is not None and memo[0] == lex.stamp:
        return memo[1]
    key = getattr(index, "key", "") or ""
    cdir = _cache_dir() if key else None
    tag = _digest(key + lex.stamp + _WORDS_FORMAT)
    path = os.path.join(cdir, f"words-{tag}.bin") if cdir else None
    cpath = os.path.join(cdir, f"words-{tag}-conditions.bin") if cdir else None
    data = _read_json(path) if path else None
    if isinstance(data, dict) and data.get("key") == key and data.get("lexicon") == lex.stamp:
        out = _Tables(index, lex, cpath, Spans.load(data["spans"]))
        out["procedures"] = WordIndex.load(data["procedures"])
    else:
        conditions = WordIndex.build(lex, _table_keys(index.keys("conditions")))
        spans = Spans(lex, conditions)
        procs = WordIndex.build(lex, _table_keys(index.keys("procedures")))
        out = _Tables(index, lex, cpath, spans)
        out["procedures"] = WordIndex.from_entries([(spans.fold(w), o) for w, o in procs.entries])
        out["conditions"] = conditions
        if path and cpath:
            _write_json(cpath, conditions.dump())
            _write_json(
                path,
                {"key": key, "lexicon": lex.stamp, "procedures": out["procedures"].dump(), "spans": spans.dump()},
            )
    try:
        index._irref_words = (lex.stamp, out)
        index._irref_spans = out.spans
    except AttributeError:
        pass
    return out


# ---------------------------------------------------------------- matching


def osa(a: str, b: str, cutoff: int) -> int:
    """Optimal string alignment distance (a swap of two neighbouring letters is one edit), or
    cutoff + 1 once it must exceed cutoff. Plain Python: typo correction compares a word with the few
    vocabulary words of similar length and first letter, cheaper than importing rapidfuzz."""
    if a == b:
        return 0
    la, lb = len(a), len(b)
    if abs(la - lb) > cutoff:
        return cutoff + 1
    prev2: list[int] = []
    prev = list(range(lb + 1))
    for i in range(1, la + 1):
        cur = [i] + [0] * lb
        ai = a[i - 1]
        best = cur[0]
        for j in range(1, lb + 1):
            bj = b[j - 1]
            cost = 0 if ai == bj else 1
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ai == b[j - 2] and a[i - 2] == bj:
                v = min(v, prev2[j - 2] + 1)
            cur[j] = v
            if v < best:
                best = v
        if best > cutoff:
            return cutoff + 1
        prev2, prev = prev, cur
    return prev[lb] if prev[lb] <= cutoff else cutoff + 1


def _suffix(word: str) -> str | None:
    for s in SUFFIXES:
        if word.endswith(s):
            return s
    return None


def _sounds(text: str) -> str:
    return text.replace("ph", "f").replace("th", "t").replace("y", "i").replace("c", "k").replace("ae", "e")


def _budget(n: int) -> int:
    return 0 if n < 4 else 1 if n < 8 else 2 if n < 12 else 3


_CORRECTIONS: dict[tuple[int, str, bool], list[tuple[str, float]]] = {}


def corrections(lex: Lexicon, words: WordIndex, word: str, *, known: bool = False) -> list[tuple[str, float]]:
    """Vocabulary words a misspelt word may stand for, with their cost (empty if none is close).
    ``known``: the word is itself in the vocabulary; only more common words are offered."""
    memo = (id(words), word, known)
    if memo not in _CORRECTIONS:
        _CORRECTIONS[memo] = _corrections(lex, words, word, known)
    return _CORRECTIONS[memo]


def _corrections(lex: Lexicon, words: WordIndex, word: str, known: bool) -> list[tuple[str, float]]:
    if word in lex.not_procedures or word.isdigit():
        return []
    budget = _budget(len(word))
    if not budget:
        return []
    out: dict[str, float] = {}
    folded = _sounds(word)
    letters, fletters = set(word), set(folded)
    surface, canon = _surface(lex, words)
    for cand in surface:
        if abs(len(cand) - len(word)) > budget or len(cand) < 4:
            continue
        if cand[0] != word[0] and _sounds(cand[:2])[0] != folded[0]:
            continue  # a typo rarely changes the first letter
        if len(letters.symmetric_difference(cand)) > 2 * budget and (
            folded == word or len(fletters.symmetric_difference(_sounds(cand))) > 2 * budget
        ):
            continue  # too many different letters for so few edits (a cheap bound before the distance)
        dist, fold = osa(word, cand, budget), False
        if dist > budget and folded != word:
            dist, fold = osa(folded, _sounds(cand), budget), True
        if dist > budget:
            continue
        if len(word) < 5 and not (
            dist == 1 and (sorted(cand) == sorted(word) or (len(cand) == len(word) + 1 and not fold))
        ):
            continue  # short words: only a swap of two letters, or one letter left out ("pach")
        sw, sc = _suffix(word), _suffix(cand)
        if sw and sw != sc:
            continue  # -ectomy is not -ostomy, -scopy is not -graphy
        if cand in lex.classes and lex.classes[cand] in ("regions", "sides") and word not in lex.classes:
            # never turn an unknown organ into another organ (kidney vs knee)
            if dist > 1:
                continue
        cost = EDIT_COST * dist * (0.6 if fold else 1.0)
        cand = canon.get(cand, cand)
        if known and (cand == word or len(words.postings.get(cand, ())) <= len(words.postings.get(word, ()))):
            continue
        if cost < out.get(cand, 1e9):
            out[cand] = cost
    if not out:
        return []
    best = min(out.values())
    return sorted(((c, s) for c, s in out.items() if s <= best + 0.01), key=lambda t: t[0])


def _surface(lex: Lexicon, words: WordIndex) -> tuple[list[str], dict[str, str]]:
    """Typo targets: the vocabulary plus the spellings the lexicon folds into it ("drainage")."""
    memo = getattr(words, "_surface", None)
    if memo is None:
        canon = {k: lex.canon(k) for k in lex.synonyms if lex.canon(k) in words.vocab_set and k not in words.vocab_set}
        quals = sorted(w for w in lex.classes if w not in words.vocab_set and len(w) >= 5)
        for w in ("placement", "insertion", "procedure"):
            if w not in words.vocab_set:
                quals.append(w)
        for w in words.vocab:  # "myelogrm": the -gram form of a -graphy word is a typo target too
            if w.endswith("graphy") and len(w) > 8 and w[:-6] + "gram" not in words.vocab_set:
                canon[w[:-6] + "gram"] = w
        memo = (words.vocab + sorted(canon) + quals, canon)  # canon's keys include the -gram forms
        words._surface = memo
    return memo


class _Plain:
    """A small record class (dataclasses would import inspect: 15 ms on every fuzzy lookup)."""

    __slots__ = ()

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={getattr(self, k)!r}" for k in self.__slots__)
        return f"{type(self).__name__}({fields})"


class Token(_Plain):
    """One query word: its qualifier class (None for a core word) and the vocabulary words it may
    match, with their cost."""

    __slots__ = ("alts", "kind", "word")

    def __init__(self, word: str, kind: str | None, alts: list[tuple[str, float]]):
        self.word, self.kind, self.alts = word, kind, alts


class Candidate(_Plain):
    """The best entry of one procedure for a query: its score, words, the query qualifiers it left
    out, and how many query tokens it explains."""

    __slots__ = ("covered", "dropped", "owner", "score", "words")

    def __init__(self, owner: str, score: float, words: list[str], dropped: list[str], covered: int):
        self.owner, self.score, self.words, self.dropped, self.covered = owner, score, words, dropped, covered


def tokens(
    lex: Lexicon, words: WordIndex, query_words: list[str], *, fuzzy: bool = True, relaxed: bool = False
) -> list[Token] | None:
    """The query's tokens with their possible vocabulary words; None if a core word is unknown."""
    out: list[Token] = []
    i = 0
    n = len(query_words)
    while i < n:
        w = query_words[i]
        kind = lex.query_kind(w)
        if w in words.vocab_set:
            alts = [(w, 0.0)]
            if fuzzy and kind is None and len(w) >= 6 and len(words.postings[w]) <= 2:
                # a rare word may be a misspelling kept as a lookup term ("injecton"): its correction too
                alts += [(a, c) for a, c in corrections(lex, words, w, known=True) if a != w]
            out.append(Token(w, kind, alts))
            i += 1
            continue
        # two words written apart ("micro wave")
        if i + 1 < n and (w + query_words[i + 1]) in words.vocab_set:
            joined = w + query_words[i + 1]
            out.append(Token(joined, lex.kind(joined), [(joined, JOIN_COST)]))
            i += 2
            continue
        if kind is not None:
            out.append(Token(w, kind, []))
            i += 1
            continue
        alts = corrections(lex, words, w) if fuzzy else []
        if not alts and fuzzy and i == n - 1 and len(w) >= 4 and w not in lex.not_procedures:
            alts = [(v, PREFIX_COST) for v in words.vocab if v.startswith(w) and len(v) > len(w)]
        if alts and all(lex.kind(a) is not None for a, _ in alts):
            # a misspelt qualifier ("placment"): read as that qualifier
            out.append(Token(alts[0][0], lex.kind(alts[0][0]), alts if alts[0][0] in words.vocab_set else []))
            i += 1
            continue
        if not alts:
            if not relaxed or w in lex.not_procedures or len(w) < 3:
                return None
            out.append(Token(w, "unknown", []))  # left out, at a price (lay wording)
            i += 1
            continue
        out.append(Token(w, None, alts))
        i += 1
    # an imaging study named beside a procedure ("angiogram / angioplasty") is how it is guided
    if any(t.kind is None for t in out):
        for t in out:
            if t.kind == "secondary":
                t.alts = t.alts or [(t.word, 0.0)]
    else:
        for t in out:
            if t.kind == "secondary":
                t.kind = None
    return out


def match(
    lex: Lexicon,
    words: WordIndex,
    toks: list[Token],
    *,
    owners: set[str] | None = None,
    loose_keys: bool = False,
) -> list[Candidate]:
    """Score every entry that can explain the query; the best entry per owner, best first."""
    core = [t for t in toks if t.kind is None]
    borrowed = not core  # no core word: an action or the qualifiers stand in, and no organ may be left out
    if not core:  # "removal of a totally implantable venous access device": the action is the core
        core = [t for t in toks if t.word in lex.strong_actions and t.alts]
    strict = False
    if not core:  # "IR guided chest drain": only qualifiers, which must then all be named
        core = [t for t in toks if t.alts and t.kind in ("regions", "generic", "actions", "disease")]
        strict = True
    must = {id(t) for t in core}
    pool: set[int] = set()
    for t in core:
        for alt, _ in t.alts:
            pool.update(words.postings.get(alt, ()))
    if not core:
        return []
    best: dict[str, Candidate] = {}
    for e in pool:
        entry_words, owner = words.entries[e]
        if owners is not None and owner not in owners:
            continue
        used = [False] * len(toks)
        cost = 0.0
        ok = True
        extras = 0
        for k in entry_words:
            pick, pick_cost = -1, 1e9
            for j, t in enumerate(toks):
                if used[j]:
                    continue
                for alt, c in t.alts:
                    if alt == k and c < pick_cost:
                        pick, pick_cost = j, c
            if pick >= 0:
                used[pick] = True
                cost += pick_cost
                continue
            kind = lex.kind(k)
            if kind in EXTRA_COST and k not in lex.strong_actions and not strict:
                cost += EXTRA_COST[kind]
                if kind in ("generic", "disease"):
                    extras += 1 if kind == "generic" else 10
                    if extras > 10 and len(toks) == 1:
                        # one word does not name an entry that needs a disease word and another
                        # ("balloon" is not the balloon occlusion test; "PleurX" is the PleurX catheter)
                        ok = False
                        break
            elif loose_keys and kind == "regions":
                cost += 1.0  # the organ the condition implies ("stent for a blocked bowel": colonic stent)
            else:
                ok = False
                break
        if not ok:
            continue
        dropped = []
        for j, t in enumerate(toks):
            if used[j]:
                continue
            if t.kind is None or id(t) in must or (borrowed and t.kind == "regions"):
                ok = False
                break
            cost += DROP_COST.get(t.kind, 0.5) + min((c for _, c in t.alts), default=0.0)  # a typo stays a typo
            if t.word in lex.strong_actions:
                cost += 2.0  # an entry that names the action ("tube exchange") beats one that does not
            if t.kind in ("regions", "actions", "condition"):
                dropped.append(t.word)
        if not ok:
            continue
        cand = Candidate(owner, 100.0 - cost, entry_words, dropped, sum(used))
        prev = best.get(owner)
        if prev is None or (cand.score, cand.covered, -len(cand.words)) > (prev.score, prev.covered, -len(prev.words)):
            best[owner] = cand
    return sorted(best.values(), key=lambda c: (-c.score, -c.covered, len(c.words), c.owner))


#: Regions too vague to pick a more specific entry.
VAGUE_REGIONS = frozenset(
    "artery vein vessel blood upper lower internal external common superficial deep below above site tissue soft"
    " peripheral side".split()
)


def words_with(words: WordIndex, query_words: list[str]) -> set[int]:
    """Entries that contain every word of the query."""
    pool: set[int] | None = None
    for w in query_words:
        ids = set(words.postings.get(w, ()))
        pool = ids if pool is None else pool & ids
        if not pool:
            return set()
    return pool or set()


def _only_procedure(index, lex: Lexicon, cid: str, spans: Spans) -> str | None:
    """The one procedure listed for a condition, or the one whose display name names it."""
    listed = list(index.purposes(cid))
    if len(listed) == 1:
        return listed[0]
    token = "@" + cid
    named = [r for r in listed if token in spans.fold(lex.words(index.names.get(r, r)))]
    return named[0] if len(named) == 1 else None


def _record_mentions(index, rid: str, words: list[str]) -> bool:
    if hasattr(index, "raw"):
        text = index.raw(rid).lower()
    else:  # an index of plain records (tests)
        import json

        text = json.dumps(index.record(rid)).lower()
    return all(w[:6] in text for w in words)


def _names_action(words: WordIndex, rid: str, actions: list[str]) -> bool:
    return any(set(actions) <= set(words.entries[e][0]) for e in words.by_owner.get(rid, ()))


def _descendants(index, rid: str, depth: int = 0) -> list[str]:
    out = []
    for child, _ in index.family(rid)["children"]:
        out.append(child)
        if depth < 6:
            out += _descendants(index, child, depth + 1)
    return out


def _ancestors(index, rid: str) -> list[str]:
    out: list[str] = []
    parent = index.family(rid)["parent"]
    while parent and parent[0] not in out and len(out) < 8:
        out.append(parent[0])
        parent = index.family(parent[0])["parent"]
    return out


def _close(a: str, b: str) -> bool:
    """Same word, or one is the other's compound (cryoablation ~ ablation)."""
    if a == b or (min(len(a), len(b)) >= 6 and (a.endswith(b) or b.endswith(a))):
        return True
    if min(len(a), len(b)) >= 5 and a[:4] == b[:4] and abs(len(a) - len(b)) <= 2:
        return osa(a, b, 2) <= 2  # a misspelling kept as a lookup term ("drainge")
    return False


def refine_family(index, lex: Lexicon, words: WordIndex, toks: list[Token], cand: Candidate) -> str | None:
    """A more specific entry of the winner's family named by an organ or an action the winner left
    out ("kidney RFA" -> kidney ablation, "nephrostomy tube check" -> the tube contrast study)."""
    if not cand.dropped:
        return None
    family = _descendants(index, cand.owner)
    below = set(family)  # a variant of the match may narrow its technique words (DCB angioplasty)
    parent = index.family(cand.owner)["parent"]
    if parent:
        family += [r for r in _descendants(index, parent[0]) if r != cand.owner]
    query_words = {alt for t in toks for alt, _ in (t.alts or [(t.word, 0.0)])}
    # what the query does: its words, and the winner's own name when a lay alias matched it
    # ("block the blood vessels supplying fibroids": embolization, for fibroids)
    doing = query_words | set(lex.words(cand.owner.replace("-", " ")))
    dropped = set(cand.dropped) - VAGUE_REGIONS
    kept = [k for k in cand.words if lex.kind(k) is None]
    acts = {k for k in cand.words if k in lex.strong_actions}
    best: tuple[int, float, str] | None = None
    tie = False
    for rid in dict.fromkeys(family):
        for e in words.by_owner.get(rid, ()):
            entry_words, _ = words.entries[e]
            hits = dropped & set(entry_words)
            if not hits or not acts <= set(entry_words):
                continue  # ... and keeps the action the match named ("abscess drain upsize")
            organ_only = all(lex.kind(h) in ("regions", "condition") for h in hits)
            if rid not in below and not all(any(_close(k, e) for e in entry_words) for k in kept):
                # a sibling must still name everything the match named (cryoablation ~ ablation); for
                # an action ("nephrostomy tube check"), its record must at least speak of it
                if organ_only or not _record_mentions(index, rid, kept):
                    continue
            if organ_only and not any(
                lex.kind(k) in (None, "secondary") and any(_close(k, q) for q in doing) for k in entry_words
            ):
                continue  # the entry must also name what the query does (ablation), not only the organ
            if all(
                k in query_words
                or (lex.kind(k) in EXTRA_COST and lex.kind(k) != "actions")
                or any(_close(k, q) for q in query_words)
                for k in entry_words
            ):
                score = (len(hits), -len(entry_words), rid)
                if best is None or score[:2] > best[:2]:
                    best, tie = score, False
                elif score[:2] == best[:2] and rid != best[2]:
                    tie = True
    if best is None or tie:
        return None
    return best[2]


# ---------------------------------------------------------------- the outcome


class Outcome(_Plain):
    """What the structured reading found.

    ``id`` is set when one procedure explains the query (``kind`` fuzzy or search), else
    ``condition`` when the query only names a condition, and ``hints`` lists candidate ids.
    """

    __slots__ = ("ambiguous", "condition", "hints", "id", "key", "kind", "score")

    def __init__(
        self,
        id: str | None = None,
        kind: str = "fuzzy",
        score: float = 0.0,
        key: str = "",
        condition: str | None = None,
        hints: list[str] | None = None,
        ambiguous: bool = False,
    ):
        self.id, self.kind, self.score, self.key = id, kind, score, key
        self.condition, self.hints, self.ambiguous = condition, list(hints or []), ambiguous


def _decide(cands: list[Candidate], lex: Lexicon | None = None) -> tuple[Candidate | None, bool]:
    if not cands:
        return None, False
    top = cands[0]
    if top.score < FLOOR:
        return None, False
    if len(cands) > 1 and top.score - cands[1].score < MARGIN:
        tied = [c for c in cands if top.score - c.score < MARGIN]
        if lex is not None and all(c.words == top.words for c in tied):
            # the entry that is the procedure's own id wins a tie ("thrombectomy" over an alias
            # "clot retrieval" that reads the same)
            own = [c for c in tied if c.words == lex.words(c.owner.replace("-", " "))]
            if len(own) == 1:
                return own[0], False
        return None, True
    return top, False


def _condition_typos(lex: Lexicon, tables, words: list[str]) -> list[str]:
    """Misspelt words of a condition named in a procedure query ("vairocele embolization"):
    corrected against the condition vocabulary when they are no procedure word at all."""
    pw = tables["procedures"]
    out = list(words)
    cw = None
    for i, w in enumerate(words):
        if len(w) < 6 or w in pw.vocab_set or lex.kind(w) is not None or w in lex.not_procedures:
            continue
        if corrections(lex, pw, w):
            continue
        cw = cw or tables["conditions"]
        if w in cw.vocab_set:
            continue
        alts = corrections(lex, cw, w)
        if len(alts) == 1:
            out[i] = alts[0][0]
    return out


def resolve_procedure(index, query: str) -> Outcome:
    """Read a query that is not an exact name or alias (see the module docstring)."""
    lex = load_lexicon()
    tables = word_indexes(index, lex)
    pw, spans = tables["procedures"], tables.spans
    qwords = spans.fold(_condition_typos(lex, tables, lex.words(query)))
    if not qwords:
        return Outcome()
    conditions = [w[1:] for w in qwords if w[:1] == "@"]
    toks = tokens(lex, pw, qwords)
    content = [w for w in qwords if lex.kind(w) not in ("stop", "imaging", "sides", "generic")]
    if toks is None and len(content) >= 3:
        # a long lay description may carry a word we do not know: leave out at most one in three
        toks = tokens(lex, pw, qwords, relaxed=True)
        if toks is not None and sum(t.kind == "unknown" for t in toks) * 3 > len(content):
            toks = None
    if toks is None and conditions:
        # unknown words beside a condition ("stent for a blocked food pipe"): a hint, not a guess
        return Outcome(condition=conditions[0]) if len(qwords) == 1 else Outcome()
    if toks is None:
        return Outcome()
    same = {tuple(sorted(w for w in qwords if lex.kind(w) != "stop"))}
    named = [o for e in words_with(pw, qwords) for ws, o in [pw.entries[e]] if tuple(sorted(ws)) in same]
    if conditions:  # a name that reads the same must still be used for the condition named
        named = [o for o in named if all(o in index.purposes(c) for c in conditions)]
    if len(set(named)) == 1:
        return Outcome(named[0], "fuzzy", 99.0, " ".join(qwords))  # an alias, but for spelling
    if conditions and all(t.kind is not None and t.word not in lex.strong_actions for t in toks):
        # only a condition (and qualifiers): `show DVT` is a hint to `for-condition`; "treatment for
        # a varicocele" names the one procedure for it, if there is one
        plain = all(t.kind in ("condition", "stop", "generic", "imaging") for t in toks)
        if len(set(conditions)) == 1 and plain and any(t.word in lex.treatment_words for t in toks):
            only = _only_procedure(index, lex, conditions[0], spans)
            if only:
                return Outcome(only, "fuzzy", 90.0, " ".join(qwords))
        return Outcome(condition=conditions[0])
    cands = match(lex, pw, toks)
    listed: set[str] = set()
    if conditions:
        # a condition the match left out: prefer the procedures listed for it
        for cid in conditions:
            listed.update(index.purposes(cid))
        for c in cands:
            if c.owner not in listed and not any(w[:1] == "@" for w in c.words):
                c.score -= 3.0
        cands.sort(key=lambda c: (-c.score, -c.covered, len(c.words), c.owner))
    top, ambiguous = _decide(cands, lex)
    if conditions and (top is None or (top.owner not in listed and not any(w[:1] == "@" for w in top.words))):
        # the condition was left out: read the rest among the procedures listed for it, loosely
        rest = [t for t in toks if t.kind != "condition"]
        if any(t.kind is None for t in rest):
            near = match(lex, pw, rest, owners=listed, loose_keys=True)
            best, tie = _decide(near)
            if best is not None:
                return Outcome(best.owner, "fuzzy", best.score, " ".join(best.words))
            if tie:
                close = [c.owner for c in near if near[0].score - c.score < MARGIN]
                picked = _search_pick(index, query, close)
                return picked or Outcome(hints=close[:5], ambiguous=True)
        if top is not None:
            # "ablation of a kidney cyst" is not the tumor ablation: a condition the answer is not
            # used for makes it no answer
            listed_first = [r for cid in conditions for r in rank_for_condition(index, cid)]
            return Outcome(hints=[top.owner, *listed_first][:5], ambiguous=True)
    if top is not None:
        child = refine_family(index, lex, pw, toks, top)
        strong = [w for w in top.dropped if w in lex.strong_actions]
        if strong and (child is None or not _names_action(pw, child, strong)):
            # "port removal" is not the port placement: without an entry for the action, no answer
            return Outcome(hints=[top.owner], ambiguous=True)
        return Outcome(child or top.owner, "fuzzy", top.score, " ".join(top.words))
    hints = [c.owner for c in cands if cands and cands[0].score - c.score < MARGIN][:5] if ambiguous else []
    if ambiguous and len(hints) > 1:
        # a tie between an entry and a more specific one of its family ("clot retrieval from the
        # brain": thrombectomy and stroke thrombectomy) is settled by what the query adds
        tied = [c for c in cands if cands[0].score - c.score < MARGIN]
        for c in tied:
            family = {c.owner, *_descendants(index, c.owner)}
            if not {t.owner for t in tied} <= family:
                continue
            child = refine_family(index, lex, pw, toks, c)
            if child is not None and child in {t.owner for t in tied}:
                return Outcome(child, "fuzzy", c.score, " ".join(c.words))
    return Outcome(hints=hints, ambiguous=bool(hints))


# ---------------------------------------------------------------- search fallback

#: The search fallback answers only when its best hit leads the next by this many points ...
SEARCH_MARGIN = 12.0
#: ... and scores at least this (every word of the query matched).
SEARCH_FLOOR = 60.0


def _light_records(index) -> list[dict]:
    """Every procedure as a small record (name, keys as aliases, summary, category, regions,
    modalities, conditions) built from the table rows and the key table."""
    keys: dict[str, list[str]] = {}
    for k, owner in _table_keys(index.keys("procedures")):
        if " " in k or len(k) < 12:
            keys.setdefault(owner, []).append(k)
    out = []
    for rid, row in index.records.items():
        out.append(
            {
                "id": rid,
                "name": row["name"],
                "aliases": keys.get(rid, []),
                "summary": row.get("summary", ""),
                "category": row.get("category", ""),
                "body_regions": row.get("body_regions", []),
                "modalities": row.get("modalities", []),
                "conditions": [{"id": c, "purpose": ""} for c in row.get("conditions", [])],
            }
        )
    return out


#: Records the FTS5 table hands to the ranker for the search fallback.
FTS_POOL = 15


def search_hits(index, query: str, limit: int = 6, ids: list[str] | None = None, *, light: bool = False):
    from irref import search as searching
    from irref.errors import UsageError

    if ids is None and light and callable(getattr(index, "fts", None)):
        # the index's FTS5 table (bm25 over names, summary, conditions and text) picks the few
        # records worth ranking; the ranker's scores depend on each record alone
        try:
            terms = searching._terms(query)
            expression = " OR ".join("(" + " OR ".join(searching._fts_forms(t, index)) + ")" for t in terms)
            ids = index.fts(expression, FTS_POOL)
            light = False
        except (AttributeError, TypeError, UsageError):  # the index or ranker changed shape: scan all
            ids = None
    rids = ids if ids is not None else list(index.order)
    if not rids:
        return []
    records = _light_records(index) if light else [index.record(r) for r in rids]
    names = {cid: c["name"] for cid, c in index.conditions.items()}
    try:
        return searching.search(records, query, limit=limit, condition_names=names)
    except UsageError:
        return []


def _search_pick(index, query: str, ids: list[str]) -> Outcome | None:
    hits = search_hits(index, query, limit=3, ids=ids)
    if not hits:
        return None
    runner = hits[1].score if len(hits) > 1 else 0.0
    if hits[0].score - runner >= SEARCH_MARGIN / 2:
        return Outcome(hits[0].id, "search", round(hits[0].score, 1), hits[0].name)
    return None


def _record_words(index, lex: Lexicon, rid: str) -> set[str]:
    rec = index.record(rid)
    texts = [rec.get("name", ""), *rec.get("aliases", []), *(rec.get("lookup_terms") or [])]
    out: set[str] = set()
    for text in texts:
        out.update(lex.words(text, phrases=False))
    return out


def _word_found(word: str, pool: set[str]) -> bool:
    if word in pool:
        return True
    budget = _budget(len(word))
    for w in pool:
        if len(w) >= 5 and len(word) >= 5 and (w.startswith(word) or word.startswith(w)):
            return True
        if budget and abs(len(w) - len(word)) <= budget and osa(w, word, budget) <= budget:
            return True
    return False


def search_fallback(index, query: str) -> tuple[Outcome | None, list[str] | None]:
    """The best full-text hit when it is clearly ahead and every core word of the query is in its
    name, aliases or lookup terms (so the answer is explained by the query's words); else the
    ranking's ids, as hints (None: nothing is worth suggesting)."""
    lex = load_lexicon()
    qwords = [w for w in lex.words(query) if lex.kind(w) != "stop"]
    core = [w for w in qwords if lex.kind(w) is None or lex.kind(w) == "secondary"]
    if not core:
        return None, None  # only qualifiers ("hip replacement"): no ranking is worth suggesting
    words = word_indexes(index, lex)["procedures"]
    if not any(w in words.vocab_set or corrections(lex, words, w) for w in core):
        return None, None  # not one word the catalog knows ("xyzzy plugh"): suggestions would be noise
    # ranked over light records (names, aliases, summaries, conditions: the fields an answer must be
    # explained by), built from the table rows without reading any full record
    hits = search_hits(index, " ".join(lex.words(query)) or query, light=True)
    ids = [h.id for h in hits]
    if not hits or any(w in lex.not_procedures for w in qwords):
        return None, ids
    top = hits[0]
    if any(w in lex.strong_actions and w not in qwords for w in lex.words(top.name)):
        return None, ids  # named for an action the query does not ask for ("filter": not the retrieval)
    # an entry of the top hit's own family (its parent, a child) is not a competing answer
    kin = {*_descendants(index, top.id), *_ancestors(index, top.id)}
    asked = set(qwords)
    rivals = [
        h
        for h in hits[1:]
        if h.id not in kin and not any(w in lex.strong_actions and w not in asked for w in lex.words(h.name))
    ]  # nor is an entry named for an action the query does not ask for (filter retrieval)
    runner = rivals[0].score if rivals else 0.0
    if top.score < SEARCH_FLOOR or top.score - runner < SEARCH_MARGIN:
        return None, ids
    pool = _record_words(index, lex, top.id)
    if not all(_word_found(w, pool) for w in core):
        return None, ids
    spans = word_indexes(index, lex).spans
    for w in spans.fold(lex.words(query)):
        if w[:1] == "@" and top.id not in index.purposes(w[1:]):
            return None, ids  # the query names a condition the answer is not used for
    return Outcome(top.id, "search", round(top.score, 1), top.name), ids


# ---------------------------------------------------------------- scans that share a name

#: Cross-sectional imaging words: "CT venogram" and "MR angiogram" are scans, not catheter studies.
SCAN_WORDS = frozenset({"ct", "mri", "cta", "mra", "ctv", "mrv", "tomography", "cat", "scan"})


def scan_named(query: str) -> str | None:
    """The catheter study a query names as a CT or MR scan ("CT venogram" -> venography), or
    None. Such a scan is diagnostic imaging, outside the catalog; a CT myelogram is not one
    (contrast is injected into the spinal canal first)."""
    lex = load_lexicon()
    words = [w for w in lex.words(query) if lex.kind(w) not in ("stop", "sides", "regions")]
    if not any(w in SCAN_WORDS for w in words):
        return None
    core = [w for w in words if lex.kind(w) not in ("imaging", "generic")]
    if len(core) == 1 and lex.kind(core[0]) == "secondary" and core[0].endswith("graphy"):
        return core[0]
    return None


def endoscopic_named(query: str) -> bool:
    """Whether a query names an endoscopic procedure ("endoscopic biliary drainage"): done through
    an endoscope, outside the catalog, although a percutaneous entry shares its other words.
    PEG and PEJ stay names of the feeding-tube entries (their records cover both routes)."""
    lex = load_lexicon()
    raw = normalize(query).split()
    if not any(w.startswith("endoscop") for w in raw):
        return False
    return not any(w in ("gastrostomy", "jejunostomy") for w in lex.words(query))


def outside_catalog(query: str) -> str | None:
    """Why a query names something outside the catalog although its words match an entry (a CT
    or MR scan named like a catheter study, an endoscopic procedure), or None."""
    if endoscopic_named(query):
        return (
            f"{query} is an endoscopic procedure, which irref does not cover (it covers image-guided "
            "ones); for the percutaneous route, search without the word 'endoscopic'"
        )
    scan = scan_named(query)
    if scan is not None:
        return (
            f"{query} is a diagnostic CT or MR scan, which irref does not cover; for the catheter "
            f"study see: irref show {scan}"
        )
    return None


# ---------------------------------------------------------------- compound queries

_PAREN = re.compile(r"\(([^()]*)\)")
_JOINERS = re.compile(r"\s+(?:and|with|plus|then|&|\+|/)\s+|\s*[;,]\s*|\s+-\s+", re.IGNORECASE)


#: A tail that names what the procedure avoids ("shrink fibroids without a hysterectomy").
_NEGATED = re.compile(
    r"\s+(?:without|instead\s+of|rather\s+than|avoiding|avoid|alternative\s+to|as\s+an\s+alternative\s+to|no\s+need\s+for)\b.*$",
    re.IGNORECASE,
)
_OPTIONAL = re.compile(r"\s*(?:\+/-|\+-|±|w/ ?or w/?o)\s+.*$", re.IGNORECASE)
_SLASHED = re.compile(r"\b([A-Za-z0-9-]+(?:/[A-Za-z0-9-]+)+)\b")


def query_parts(query: str) -> list[list[str]]:
    """Shorter readings of a query that names more than one thing, as tiers tried in order:
    without an optional tail ("nephrostomy tube +/- stent") or what it avoids ("... without a
    hysterectomy"); one of slashed alternatives at a
    time ("IVC/SVC filter placement"); without its parenthesis, then the parenthesis alone
    ("Gastrojejunostomy tube (GJ tube)"); each part joined by and / with / plus / a comma
    ("nephrostomy and ureteric stent")."""
    tiers: list[list[str]] = []
    text = _NEGATED.sub("", _OPTIONAL.sub("", query)).strip() or query
    if text != query.strip():
        tiers.append([text])
    m = _SLASHED.search(text)
    if m:
        tiers.append([text[: m.start()] + alt + text[m.end() :] for alt in m[1].split("/")])
    bare = _PAREN.sub(" ", text).strip()
    if bare and bare != text:
        tiers.append([bare])
        inside = [p.strip() for p in _PAREN.findall(text) if p.strip()]
        if inside:
            tiers.append(inside)
    parts = [p.strip() for p in _JOINERS.split(bare or text) if p and p.strip()]
    if len(parts) > 1:
        tiers.append(parts)
    seen: set[str] = {query}
    out = []
    for tier in tiers:
        kept = [p for p in dict.fromkeys(tier) if p not in seen]
        seen.update(kept)
        if kept:
            out.append(kept)
    return out


def _absorbed(index, lex: Lexicon, found: dict[str, Outcome], rid: str) -> bool:
    """Whether ``rid`` is a broader entry named only by words of a narrower answer found beside it."""
    for other in found:
        if other != rid and rid in _ancestors(index, other):
            pool = _record_words(index, lex, other)
            if all(_word_found(w, pool) for w in lex.words(found[rid].key) if lex.kind(w) is None):
                return True
    return False


def resolve_parts(index, query: str) -> Outcome | None:
    """A compound query read part by part, tier by tier (:func:`query_parts`): the one procedure
    a tier's parts name, or, when they name several, no answer with those as hints (`show`
    shows one procedure: "vertebroplasty and kyphoplasty" is two). A part that only restates a
    broader entry of the answer's family ("renal angioplasty and stent insertion") is part of
    the answer; a part that names a procedure by itself but is not understood ("mediastinal
    venogram and stent insertion") makes the reading incomplete, so there is no answer."""
    lex = load_lexicon()
    keys = index.keys("procedures")
    for tier in query_parts(query):
        found: dict[str, Outcome] = {}
        unread = False
        for part in tier:
            if not has_core(part):
                continue
            out = resolve_procedure(index, part)
            if out.id is not None:
                found.setdefault(out.id, out)
            elif any(keys.get(normalize(w)) for w in part.split()):
                unread = True  # a part naming a procedure by itself ("venogram") that the reading missed
        if not found:
            continue

        ids = [r for r in found if not _absorbed(index, lex, found, r)]
        if len(ids) > 1 or unread:
            return Outcome(hints=ids[:5], ambiguous=True)
        best = found[ids[0]]
        return Outcome(best.id, best.kind, best.score - 1.0, best.key)
    return None


# ---------------------------------------------------------------- helpers for lookup


def has_core(query: str) -> bool:
    """Whether a query has a word that is not a qualifier or a grammar word."""
    lex = load_lexicon()
    return any(lex.kind(w) is None for w in lex.words(query))


def rank_for_condition(index, cid: str) -> list[str]:
    """Procedures listed for a condition, for hints: those with a name or alias naming it first."""
    listed = list(index.purposes(cid))
    lex = load_lexicon()
    words = word_indexes(index, lex)["procedures"]
    token = "@" + cid

    def names_it(rid: str) -> int:
        return -sum(token in words.entries[e][0] for e in words.by_owner.get(rid, ()))

    return sorted(listed, key=lambda r: (names_it(r), listed.index(r)))


def explains(index, query: str, key: str) -> bool:
    """Whether every core word of the query is close to a word of the matched key (a guard on
    the whole-string fuzzy match: arthrogram is not angiogram)."""
    lex = load_lexicon()
    qwords = [w for w in lex.words(query) if lex.kind(w) is None]
    kwords = lex.words(key)
    if any(w in lex.not_procedures for w in qwords):
        return False
    for w in qwords:
        ok = False
        for k in kwords:
            if w == k or (min(len(w), len(k)) >= 5 and (w.startswith(k[:5]) and k.startswith(w[:5]))):
                budget = _budget(max(len(w), len(k))) + 1
                ok = osa(w, k, budget) <= budget and _suffix(w) == _suffix(k)
            if ok:
                break
        if not ok:
            return False
    return True


def resolve_condition(index, query: str) -> tuple[str, float, str] | None:
    """(condition id, score, matched words) from the lexicon's short names or the query's words."""
    lex = load_lexicon()
    text = normalize(query)
    cid = lex.conditions.get(text)
    if cid and cid in index.conditions:
        return cid, 100.0, text
    cw = word_indexes(index, lex)["conditions"]
    qwords = lex.words(query)
    joined = " ".join(qwords)
    cid = lex.conditions.get(joined)
    if cid and cid in index.conditions:
        return cid, 100.0, joined
    toks = tokens(lex, cw, qwords)
    if toks is None:
        return None
    cands = match(lex, cw, toks)
    top, _ = _decide(cands)
    if top is None:
        return None
    return top.owner, top.score, " ".join(top.words)


def lexicon_choice(kind: str, query: str) -> str | None:
    """What a query names in one of the lexicon's value maps (categories, regions, modalities)."""
    lex = load_lexicon()
    return lex.choices.get(kind, {}).get(normalize(query))
