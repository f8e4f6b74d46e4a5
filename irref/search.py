"""Ranked full-text search over procedure records (core: stdlib, plus rapidfuzz for typos).

How a query is matched
----------------------
The query is folded (case, accents, punctuation), British spellings become American,
simple plurals are reduced, and stop words ("the", "of", "and", ...) are dropped unless
the query has nothing else. Each remaining word is a *term*. A term matches a word of a
record when the two reduce to the same key (exact, weight 1.0), when one is the other plus
a short ending ("vertebral" for "vertebra", "stenting" for "stent": 0.85), or when the
term starts a longer word ("cement" in "cementoplasty": 0.6). A term with no exact match
in any record is also matched by similarity (rapidfuzz ratio >= 85 for terms of 5+
letters, or one edit/transposition for 4+ letters): weight 0.7 x similarity / 100.

How a record is scored (0-100)
------------------------------
Every text field is searched, each with a weight: name 10, aliases 8, summary 5,
condition names 4, condition purposes / category / body regions / modalities 3,
description 2, the list fields (steps, risks, benefits, ...) 1, reference titles 0.5.

* per field: weight x match weight x tf, where tf (BM25-like, k1 0.8, b 0.5) is 1 for one
  match in a short text, up to 1.8 for repeated matches and about 0.45 for a single match
  in a 1,000-character description;
* term score = best field + 0.4 x the sum over the other fields, so a term found in
  several fields beats one mentioned once in a long field;
* phrase score = the same sum over fields where consecutive query terms stand next to
  each other in order (only stop words or hyphens between them);
* relevance r = 1 - exp(-(mean term score + phrase score) / 6), in (0, 1);
* score = 100 x (k - 1 + r) / n for k of the n terms matched: a record matching more
  terms always outranks one matching fewer. Ties (to 0.1) are broken by name.

Cost: one lower-cased text blob per record is built inside each call and scanned with one
compiled regular expression per term (linear in catalog size); the word list needed for
typo matching is collected only when some term has no exact match.
"""

from __future__ import annotations

import math
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from functools import lru_cache
from itertools import accumulate

from irref.errors import UsageError
from irref.fields import SEARCH_WEIGHTS
from irref.normalize import fold
from irref.plain import Frozen
from irref.vocab import SPELLING

__all__ = ["FIELD_WEIGHTS", "STOP_WORDS", "Hit", "Snippet", "search"]

#: Words ignored in queries (unless the query has nothing else) and allowed inside phrases.
STOP_WORDS: frozenset[str] = frozenset(
    {"the", "of", "a", "an", "and", "in", "for", "to", "with", "or", "on", "by", "at", "is"}
)

#: Field group -> weight. Groups are record fields, except ``conditions.name`` (the display
#: name of each linked condition) and ``references.title``.
FIELD_WEIGHTS: dict[str, float] = SEARCH_WEIGHTS  # declared with each field in irref/fields.py

# How each group is read from a record: "plain" (a string or a list of strings), "conditions"
# (display names of the linked conditions) or "field.sub" (a string inside a mapping, or
# inside each mapping of a list).
_LAYOUT: tuple[tuple[str, str], ...] = tuple(
    (group, "conditions" if group == "conditions.name" else group if "." in group else "plain")
    for group in FIELD_WEIGHTS
)
_SEP = "\x1f"  # between field texts in a record's blob: never part of a word or phrase
_WEIGHT: dict[str, float] = {
    **FIELD_WEIGHTS,
    **{group + "[]": weight for group, weight in FIELD_WEIGHTS.items()},  # lists inside a mapping
    "conditions.id": FIELD_WEIGHTS["conditions.name"],
}
_WHITESPACE = str.maketrans("\n\t\r\x0b\x0c" + _SEP, "      ")

_EXACT = 1.0
_INFLECTED = 0.85  # one word is the other plus at most 3 letters
_PARTIAL = 0.6  # the term starts a longer word
_FUZZY = 0.7  # times similarity / 100
_SPREAD = 0.4  # share of a term's score added by each field beyond the best one
_K1 = 0.8  # BM25 term-frequency saturation
_B = 0.5  # BM25 length normalisation
_SHORT = 160  # characters: fields up to this long are not penalised for length
_SCALE = 6.0  # raw score giving r = 1 - 1/e
_MAX_TERMS = 32
_SNIPPET_WIDTH = 160
_SNIPPET_LEAD = 40
_MAX_SNIPPETS = 3

_WORD = re.compile(r"[a-z0-9]+")
_Y90 = re.compile(r"\by ?90\b")
_ALNUM_DIGITS = re.compile(r"([a-z]{1,3})(\d+)")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_STOP_ALT = "|".join(sorted(STOP_WORDS, key=len, reverse=True))
# What may stand between two words of a phrase: a possessive 's, spacing, hyphens, slashes,
# quotes, brackets and at most two stop words; never sentence punctuation or a field boundary.
_GAP = re.compile(rf"(?:['’]s(?![a-z0-9]))?[\s\-/'’\"()]*(?:(?:{_STOP_ALT})[\s\-/'’\"()]+){{0,2}}")


class Snippet(Frozen):
    """An excerpt of one field around its matches.

    ``field`` is the record field path (``summary``, ``steps[2]``, ``conditions[0].purpose``;
    ``conditions[0].name`` is the condition's display name from ``condition_names``, or
    ``conditions[0].id`` when no name is known). ``text`` is at most about 160 characters,
    with "…" where it was cut; ``spans`` are (start, end) offsets into ``text`` of each
    matched word, in order. (Fields: field: str, text: str, spans: tuple[tuple[int, int], ...].)
    """

    _fields = ("field", "text", "spans")


class Hit(Frozen):
    """One ranked result.

    ``score`` is 0-100 rounded to 0.1 (see the module docstring); ``matched`` lists every
    matched field path, most important first; ``snippets`` holds up to three excerpts,
    from different fields. (Fields: id: str, name: str, score: float, matched: tuple[str, ...],
    snippets: tuple[Snippet, ...].)
    """

    _fields = ("id", "name", "score", "matched", "snippets")


# ---------------------------------------------------------------- words


def _stem(word: str) -> str:
    if len(word) > 6 and word.endswith("ae"):
        return word[:-1]  # vertebrae -> vertebra
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 5 and word.endswith("sses"):
        return word[:-2]
    if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@lru_cache(maxsize=65536)
def _key(word: str) -> str:
    """The matching key of one folded word: American spelling, simple plural reduced."""
    for british, american in SPELLING:
        if british in word:
            word = word.replace(british, american)
    return _stem(word)


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)).lower()
    if len(base) == 1:
        return base
    low = ch.lower()
    return low if len(low) == 1 else " "


def _fold_same_length(text: str) -> str:
    """Lower-case and strip accents without changing the length (offsets stay valid)."""
    if text.isascii():
        return text.lower()
    return _NON_ASCII.sub(lambda m: _fold_char(m.group()), text).lower()


def _terms(query: str) -> list[str]:
    if not isinstance(query, str) or not query.strip():
        raise UsageError("the search query is empty: give one or more words to search for")
    words = _Y90.sub("y90", fold(query)).split()
    if not words:
        raise UsageError("the search query has no words to search for (only punctuation or symbols)")
    content = [w for w in words if w not in STOP_WORDS] or words
    terms = list(dict.fromkeys(_key(w) for w in content))
    if len(terms) > _MAX_TERMS:
        raise UsageError(f"the search query has too many different words ({len(terms)}; at most {_MAX_TERMS})")
    return terms


def _weight(term: str, key: str) -> float:
    """How well an indexed word (by its key) matches a term found by prefix scanning."""
    if key == term:
        return _EXACT
    if len(term) >= 5 and key.startswith(term):
        return _INFLECTED if len(key) - len(term) <= 3 else _PARTIAL
    if len(term) == 4 and key.startswith(term) and len(key) >= 8:
        return _PARTIAL  # a short prefix of a long word: "cryo" finds cryoablation, "vert" vertebroplasty
    if len(key) >= 5 and term.startswith(key) and len(term) - len(key) <= 3:
        return _INFLECTED
    return 0.0


def _prefix_pattern(term: str) -> re.Pattern[str]:
    """A regex finding every word that may match ``term`` (checked afterwards by :func:`_weight`)."""
    m = _ALNUM_DIGITS.fullmatch(term)
    if m:  # y90 also matches "Y-90" and "Y 90"
        return re.compile(rf"{m[1]}[- ]?{m[2]}(?![a-z0-9])")

    def cut(word: str) -> str:
        if len(word) >= 6:
            return word[: max(5, len(word) - 3)]  # also finds words the term extends (stent <- stenting)
        if len(word) >= 4 and word.endswith("y"):
            return word[:-1]  # ovary -> ovaries
        return word

    forms = {cut(term)}
    for british, american in SPELLING:
        if american in term:
            forms.add(cut(term.replace(american, british)))
    alternation = "|".join(sorted((re.escape(f) for f in forms), key=len, reverse=True))
    return re.compile(rf"(?:{alternation})[a-z0-9]*")


# ---------------------------------------------------------------- records


class _Doc:
    """One record's searchable text: its field texts joined into one lower-cased blob.

    ``texts[i]`` is one field element (a string field, or one item of a list field). The
    blob is built for every record; element offsets and field paths (``slots``) only for
    records that matched.
    """

    __slots__ = ("_groups", "_names", "_slots", "_starts", "blob", "careful", "record", "texts")

    def __init__(self, record: Mapping, condition_names: Mapping[str, str] | None) -> None:
        self.record = record
        self._names = condition_names
        self.careful = False
        self.texts = _elements(record, condition_names, None, careful=False)
        try:
            blob = _SEP.join(self.texts)
        except TypeError:  # a list field holds something other than strings: skip those items
            self.careful = True
            self.texts = _elements(record, condition_names, None, careful=True)
            blob = _SEP.join(self.texts)
        self.blob = _fold_same_length(blob)
        self._starts: list[int] | None = None
        self._slots: list[tuple[str, int]] | None = None
        self._groups: list[str] | None = None

    @property
    def starts(self) -> list[int]:
        """Blob offset of each element."""
        if self._starts is None:
            self._starts = list(accumulate((len(t) + 1 for t in self.texts), initial=0))
        return self._starts

    @property
    def slots(self) -> list[tuple[str, int]]:
        """(group, list index or -1) of each element."""
        if self._slots is None:
            slots: list[tuple[str, int]] = []
            _elements(self.record, self._names, slots, careful=self.careful)
            self._slots = slots
        return self._slots

    @property
    def groups(self) -> list[str]:
        """Field group of each element."""
        if self._groups is None:
            self._groups = [group for group, _ in self.slots]
        return self._groups

    def locate(self, pos: int) -> int:
        """Index of the element holding blob offset ``pos``."""
        return bisect_right(self.starts, pos) - 1

    def path(self, el: int) -> str:
        """The field path of element ``el``, e.g. ``steps[2]`` or ``conditions[0].purpose``."""
        group, i = self.slots[el]
        if i < 0:
            return group
        if group.endswith("[]"):  # a list inside a mapping
            return f"{group[:-2]}[{i}]"
        if group == "conditions.name":  # the record holds the condition's id, not its name
            return f"conditions[{i}].id"
        field, _, sub = group.partition(".")
        return f"{field}[{i}].{sub}" if sub else f"{field}[{i}]"


def searchable_texts(record: Mapping, condition_names: Mapping[str, str] | None) -> list[tuple[str, str]]:
    """(search group, text) of every searchable element of a record (for the FTS index)."""
    slots: list[tuple[str, int]] = []
    texts = _elements(record, condition_names, slots, careful=True)
    return [(group.removesuffix("[]"), text) for (group, _), text in zip(slots, texts, strict=True)]


def _elements(
    record: Mapping,
    condition_names: Mapping[str, str] | None,
    slots: list[tuple[str, int]] | None,
    *,
    careful: bool,
) -> list[str]:
    """The text of every searchable field element, in :data:`FIELD_WEIGHTS` order.

    When ``slots`` is given, (group, list index or -1) of each element is appended to it.
    Without ``careful``, list fields are copied whole (the caller checks they hold strings).
    """
    texts: list[str] = []
    get = record.get
    for group, kind in _LAYOUT:
        if kind == "plain":
            value = get(group)
            if type(value) is list:
                if careful:
                    for i, item in enumerate(value):
                        if isinstance(item, str):
                            texts.append(item)
                            if slots is not None:
                                slots.append((group, i))
                else:
                    texts += value
                    if slots is not None:
                        slots += [(group, i) for i in range(len(value))]
            elif isinstance(value, str):
                texts.append(value)
                if slots is not None:
                    slots.append((group, -1))
        elif kind == "conditions":
            links = get("conditions")
            for i, link in enumerate(links if isinstance(links, list) else ()):
                cid = link.get("id") if isinstance(link, dict) else None
                if not isinstance(cid, str):
                    continue
                name = condition_names.get(cid) if condition_names else None
                if isinstance(name, str):
                    texts.append(name)
                    if slots is not None:
                        slots.append(("conditions.name", i))
                else:
                    texts.append(cid.replace("-", " "))
                    if slots is not None:
                        slots.append(("conditions.id", i))
        else:  # "field.sub": a string inside a mapping, or inside each mapping of a list
            field, sub = kind.split(".")
            value = get(field)
            if isinstance(value, dict):
                item = value.get(sub)
                if isinstance(item, str):
                    texts.append(item)
                    if slots is not None:
                        slots.append((group, -1))
                elif isinstance(item, list):  # a list inside a mapping: contraindications.absolute
                    for i, entry in enumerate(item):
                        if isinstance(entry, str):
                            texts.append(entry)
                            if slots is not None:
                                slots.append((group + "[]", i))
            elif isinstance(value, list):
                for i, entry in enumerate(value):
                    item = entry.get(sub) if isinstance(entry, dict) else None
                    if isinstance(item, str):
                        texts.append(item)
                        if slots is not None:
                            slots.append((group, i))
    return texts


# ---------------------------------------------------------------- matching

# A match: (blob start, blob end, weight).
_Match = tuple[int, int, float]


def _scan(doc: _Doc, pattern: re.Pattern[str], judge: dict[str, float], term: str | None) -> list[_Match]:
    """Every word of ``doc`` found by ``pattern`` with its weight (words at a left word boundary only).

    ``judge`` caches word -> weight; with ``term`` None, words missing from it are skipped.
    """
    blob = doc.blob
    found: list[_Match] = []
    for m in pattern.finditer(blob):
        start, end = m.span()
        if start and blob[start - 1].isalnum():
            continue
        word = m.group()
        weight = judge.get(word)
        if weight is None:
            if term is None:
                continue
            weight = judge[word] = _weight(term, _key(_NOT_ALNUM.sub("", word)))
        if weight:
            found.append((start, end, weight))
    return found


_BYTE_WORDS = bytes(c if (48 <= c <= 57 or 97 <= c <= 122) else 32 for c in range(256))


def _fuzzy(terms: list[str], missing: list[int], docs: list[_Doc]) -> dict[int, dict[str, float]]:
    """Surface word -> weight for each term index in ``missing`` (terms with no exact match anywhere)."""
    from rapidfuzz import fuzz, process
    from rapidfuzz.distance import OSA

    raw: set[bytes] = set()
    for doc in docs:  # the same words as _WORD.findall(doc.blob), several times faster
        raw.update(doc.blob.encode().translate(_BYTE_WORDS).split())
    words = [w for w in (item.decode() for item in raw if len(item) >= 3) if w not in STOP_WORDS]
    out: dict[int, dict[str, float]] = {}
    for i in missing:
        term = terms[i]
        if len(term) < 4:
            continue
        similar: dict[str, float] = {}  # surface word -> similarity 0-100
        if len(term) >= 5:
            for word, sim, _ in process.extract(term, words, scorer=fuzz.ratio, score_cutoff=85, limit=None):
                similar[word] = sim
        for word, _, _ in process.extract(term, words, scorer=OSA.distance, score_cutoff=1, limit=None):
            if len(word) >= 4:
                similar[word] = max(similar.get(word, 0.0), 85.0)
        by_key: dict[str, float] = {}
        for word, sim in similar.items():
            key = _key(word)
            if key != term:
                by_key[key] = max(by_key.get(key, 0.0), sim)
        if not by_key:
            continue
        best = max(by_key.values())
        keep = set(sorted((k for k, sim in by_key.items() if sim >= best - 5), key=lambda k: -by_key[k])[:5])
        out[i] = {w: _FUZZY * by_key[_key(w)] / 100 for w in similar if _key(w) in keep}
    return out


def _phrase_pairs(doc: _Doc, first: list[_Match], second: list[_Match]) -> list[tuple[int, float]]:
    """(element, weight) of each place where a ``second`` match directly follows a ``first`` one."""
    if not first or not second:
        return []
    follow = {s: w for s, _, w in second}
    blob = doc.blob
    pairs = []
    for s, e, w in first:
        nxt = _GAP.match(blob, e).end()
        w2 = follow.get(nxt)
        if w2 is not None and nxt > s:
            pairs.append((doc.locate(s), min(w, w2)))
    return pairs


def _tf(count: float, length: float) -> float:
    """BM25-style weight of ``count`` matches in text of ``length`` characters: 1.0 for one
    match in a short text, less in a long one, rising towards 1 + _K1 with more matches."""
    norm = max(1.0, 1 - _B + _B * length / _SHORT)
    return count * (1 + _K1) / (count + _K1 * norm)


def _group_sum(values: Iterable[float]) -> float:
    ordered = sorted(values, reverse=True)
    return ordered[0] + _SPREAD * sum(ordered[1:]) if ordered else 0.0


def _score(doc: _Doc, matches: list[list[_Match]]) -> tuple[float, set[int]]:
    """Score 0-100 of a record with at least one match, and the elements holding a phrase."""
    n = len(matches)
    starts = doc.starts
    groups = doc.groups
    texts = doc.texts
    term_raw = 0.0
    for found in matches:
        best: dict[int, float] = {}  # element -> best match weight
        count: dict[int, int] = {}  # element -> matches
        for s, _, w in found:
            el = bisect_right(starts, s) - 1
            if w > best.get(el, 0.0):
                best[el] = w
            count[el] = count.get(el, 0) + 1
        per_group: dict[str, list[float]] = {}  # group -> [best weight, matches, total length, elements]
        for el, w in best.items():
            acc = per_group.setdefault(groups[el], [0.0, 0, 0, 0])
            acc[0] = max(acc[0], w)
            acc[1] += count[el]
            acc[2] += len(texts[el])
            acc[3] += 1
        term_raw += _group_sum(_WEIGHT[g] * w * _tf(tf, size / n_el) for g, (w, tf, size, n_el) in per_group.items())
    phrase_raw = 0.0
    phrase_elems: set[int] = set()
    if n > 1:
        per_group: dict[str, float] = {}
        for t in range(n - 1):
            seen: dict[str, float] = {}
            for el, w in _phrase_pairs(doc, matches[t], matches[t + 1]):
                phrase_elems.add(el)
                g = groups[el]
                if w > seen.get(g, 0.0):
                    seen[g] = w
            for g, w in seen.items():
                per_group[g] = per_group.get(g, 0.0) + _WEIGHT[g] * w / (n - 1)
        phrase_raw = _group_sum(per_group.values())
    k = sum(1 for found in matches if found)
    r = 1 - math.exp(-(term_raw / n + phrase_raw) / _SCALE)
    return 100 * (k - 1 + r) / n, phrase_elems


def _explain(
    doc: _Doc, matches: list[list[_Match]], phrase_elems: set[int]
) -> tuple[list[int], dict[int, list[tuple[int, int]]]]:
    """Matched elements, most important first, and the spans matched in each (element offsets)."""
    best: dict[int, dict[int, float]] = {}
    spans: dict[int, set[tuple[int, int]]] = {}
    starts = doc.starts
    for t, found in enumerate(matches):
        for s, e, w in found:
            el = bisect_right(starts, s) - 1
            per = best.setdefault(el, {})
            per[t] = max(per.get(t, 0.0), w)
            spans.setdefault(el, set()).add((s - starts[el], e - starts[el]))
    groups = doc.groups
    importance = {
        el: _WEIGHT[groups[el]] * sum(per.values()) * (1.5 if el in phrase_elems else 1.0) for el, per in best.items()
    }
    ranked = sorted(importance, key=lambda el: (-importance[el], el))
    return ranked, {el: sorted(found) for el, found in spans.items()}


# ---------------------------------------------------------------- snippets


def _window(text: str, spans: list[tuple[int, int]]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Cut ``text`` to about :data:`_SNIPPET_WIDTH` characters around the densest run of spans."""
    if len(text) <= _SNIPPET_WIDTH:
        return text, tuple(spans)
    best: tuple[int, int, int] | None = None
    for anchor, _ in spans:
        hi = min(len(text), max(0, anchor - _SNIPPET_LEAD) + _SNIPPET_WIDTH)
        lo = max(0, hi - _SNIPPET_WIDTH)
        inside = sum(1 for s, e in spans if s >= lo and e <= hi)
        if best is None or inside > best[0]:
            best = (inside, lo, hi)
    assert best is not None
    _, lo, hi = best
    kept = [(s, e) for s, e in spans if s >= lo and e <= hi]
    if lo > 0:  # start after a space, without dropping a kept span
        space = text.find(" ", lo - 1, kept[0][0] if kept else hi)
        lo = space + 1 if space != -1 else lo
    if hi < len(text):  # end before a space, without dropping a kept span
        space = text.rfind(" ", kept[-1][1] if kept else lo, hi + 1)
        hi = space if space != -1 else hi
    prefix = "…" if lo > 0 else ""
    suffix = "…" if hi < len(text) else ""
    shift = len(prefix) - lo
    return prefix + text[lo:hi] + suffix, tuple((s + shift, e + shift) for s, e in kept)


def _snippets(doc: _Doc, ranked: list[int], spans: dict[int, list[tuple[int, int]]]) -> tuple[Snippet, ...]:
    """Up to :data:`_MAX_SNIPPETS` snippets, from the most important element of different groups."""
    out: list[Snippet] = []
    used: set[str] = set()
    groups = doc.groups
    for el in ranked:
        if groups[el] in used:
            continue
        used.add(groups[el])
        text, cut = _window(doc.texts[el].translate(_WHITESPACE), spans[el])
        out.append(Snippet(field=doc.path(el), text=text, spans=cut))
        if len(out) == _MAX_SNIPPETS:
            break
    return tuple(out)


# ---------------------------------------------------------------- search


def search(
    records: Iterable[dict],
    query: str,
    *,
    limit: int = 20,
    condition_names: Mapping[str, str] | None = None,
) -> list[Hit]:
    """Rank ``records`` against ``query``; the best ``limit`` hits, best first ([] when nothing matches).

    ``condition_names`` maps condition ids to display names so that condition names are
    searched too (without it, the ids are searched as words). Raises
    :class:`~irref.errors.UsageError` for a query with no words or a ``limit`` below 1.
    See the module docstring for matching and scoring.
    """
    if limit < 1:
        raise UsageError(f"the result limit must be at least 1 (got {limit})")
    terms = _terms(query)
    docs = [_Doc(r, condition_names) for r in records]
    patterns = [_prefix_pattern(t) for t in terms]
    judges: list[dict[str, float]] = [{} for _ in terms]
    found: list[list[list[_Match]]] = []
    exact = [False] * len(terms)
    for doc in docs:
        per_doc = []
        for i, term in enumerate(terms):
            got = _scan(doc, patterns[i], judges[i], term)
            if not exact[i] and any(w == _EXACT for _, _, w in got):
                exact[i] = True
            per_doc.append(got)
        found.append(per_doc)

    missing = [i for i, ok in enumerate(exact) if not ok]
    if missing and docs:
        for i, judge in _fuzzy(terms, missing, docs).items():
            alternation = "|".join(sorted((re.escape(w) for w in judge), key=len, reverse=True))
            pattern = re.compile(rf"(?:{alternation})(?![a-z0-9])")
            for doc, per_doc in zip(docs, found, strict=True):
                extra = _scan(doc, pattern, judge, None)
                if extra:
                    merged = {s: (s, e, w) for s, e, w in per_doc[i]}
                    for s, e, w in extra:
                        if s not in merged or merged[s][2] < w:
                            merged[s] = (s, e, w)
                    per_doc[i] = sorted(merged.values())

    scored = []
    for doc, per_doc in zip(docs, found, strict=True):
        if any(per_doc):
            score, phrase_elems = _score(doc, per_doc)
            name = str(doc.record.get("name") or doc.record.get("id") or "")
            rid = str(doc.record.get("id") or "")
            scored.append((round(score, 1), name.casefold(), rid, name, doc, per_doc, phrase_elems))
    scored.sort(key=lambda x: (-x[0], x[1], x[2]))

    hits = []
    for score, _, rid, name, doc, per_doc, phrase_elems in scored[:limit]:
        ranked, spans = _explain(doc, per_doc, phrase_elems)
        hits.append(
            Hit(
                id=rid,
                name=name,
                score=score,
                matched=tuple(doc.path(el) for el in ranked),
                snippets=_snippets(doc, ranked, spans),
            )
        )
    return hits


# ---------------------------------------------------------------- over the index (FTS5 first)

#: Candidates FTS5 hands to the ranker above, at least (more for a larger --limit).
POOL = 100


def _fts_forms(term: str, index) -> list[str]:
    """FTS5 query atoms for one term: its prefix (cut as the ranker cuts it), British spelling,
    Y-90 style splits, and similar vocabulary words when the term itself is unknown (typos)."""
    m = _ALNUM_DIGITS.fullmatch(term)
    if m:
        return [f'"{term}"*', f'"{m[1]} {m[2]}"']
    cut = term[: max(5, len(term) - 3)] if len(term) >= 6 else term
    forms = {cut}
    for british, american in SPELLING:
        if american in term:
            british_term = term.replace(american, british)
            forms.add(british_term[: max(5, len(british_term) - 3)] if len(british_term) >= 6 else british_term)
    if len(term) >= 4 and not index.has_word(term):
        from rapidfuzz import fuzz, process

        words = index.words(max(3, len(term) - 2), len(term) + 2)
        for word, _score, _ in process.extract(term, words, scorer=fuzz.ratio, limit=8, score_cutoff=75):
            forms.add(word)
    return [f'"{f}"*' for f in sorted(forms)]


def search_index(index, query: str, *, limit: int = 20) -> list[Hit]:
    """Search a compiled index: FTS5 (bm25 with column weights) picks the candidates, then the
    ranker above scores them exactly as it would score the whole catalog (its scores depend on
    each record alone), so results match a full scan while reading only a few hundred records."""
    if limit < 1:
        raise UsageError(f"the result limit must be at least 1 (got {limit})")
    terms = _terms(query)
    expression = " OR ".join("(" + " OR ".join(_fts_forms(t, index)) + ")" for t in terms)
    ids = index.fts(expression, max(POOL, limit * 5))
    names = {cid: c["name"] for cid, c in index.conditions.items()}
    return search([index.record(r) for r in ids], query, limit=limit, condition_names=names)
