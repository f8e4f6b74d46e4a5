"""Resolve what a user typed to a procedure, condition, modality, category or region.

Order: exact match on a normalised id, name or alias (a dict lookup, no fuzzy
library imported) -> fuzzy match with rapidfuzz over the same keys, accepted only
above a confidence threshold and with a clear winner. Otherwise: NotFoundError
carrying up to five "did you mean" suggestions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from irref.errors import NotFoundError, UsageError
from irref.normalize import fold, normalize, strip_controls

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (4 ms) on every run
if TYPE_CHECKING:
    from typing import Protocol
else:
    Protocol = object  # the Table protocol is for type checkers only

#: Minimum score (0-100) for a fuzzy hit to count as a match.
CONFIDENT = 87.0
#: Minimum score for a key to be offered as a suggestion.
SUGGEST = 60.0
#: Queries shorter than this (after normalising) only match exactly.
MIN_FUZZY_LEN = 5
#: A fuzzy winner must beat the best other id by this many points (unless near-perfect).
MARGIN = 3.0
MAX_QUERY = 200
#: Skip the whole-string fuzzy pass for procedures (the word-by-word reading covers it).
NO_WHOLE_STRING = True


#: How a query was matched, as `show --json` reports it.
KINDS = ("exact", "alias", "fuzzy", "search")


class Match:
    """The id a query resolved to, and how.

    ``kind`` is exact (the id or the display name), alias (another listed name), fuzzy (read
    word by word: qualifiers, abbreviations, typos, families) or search (the full-text ranking);
    ``matched`` is the name, alias or words that matched. Immutable by convention (``replace``
    makes a changed copy); a plain class, so that a warm run never imports dataclasses.
    """

    __slots__ = ("exact", "id", "kind", "matched", "query", "score")

    def __init__(self, id: str, query: str, exact: bool, score: float, kind: str = "exact", matched: str = "") -> None:
        self.id, self.query, self.exact, self.score, self.kind, self.matched = id, query, exact, score, kind, matched

    def replace(self, **changes) -> Match:
        values = {k: getattr(self, k) for k in self.__slots__}
        values.update(changes)
        return Match(**values)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Match) and all(getattr(self, k) == getattr(other, k) for k in self.__slots__)

    def __hash__(self) -> int:
        return hash(tuple(getattr(self, k) for k in self.__slots__))

    def __repr__(self) -> str:
        return f"Match(id={self.id!r}, kind={self.kind!r}, score={self.score!r}, matched={self.matched!r})"

    def as_dict(self) -> dict:
        return {"kind": self.kind, "score": round(self.score, 1), "query": self.query, "matched": self.matched}


def clean_query(query: str, what: str = "query") -> str:
    """Reject unusable queries with a clear message; return the query without control characters."""
    text = strip_controls(query or "")
    if not text.strip():
        raise UsageError(f"empty {what}: give a name, e.g. 'irref show ablation'")
    if len(text) > MAX_QUERY:
        raise UsageError(f"{what} is {len(text)} characters long; the limit is {MAX_QUERY}")
    if not normalize(text):
        raise UsageError(f"{what} {text.strip()!r} has no letters or digits to look up")
    return text.strip()


def sounds(text: str) -> str:
    """Fold spellings that sound alike ('nefrostomy' ~ 'nephrostomy'), for fuzzy scoring only."""
    return text.replace("ph", "f").replace("th", "t").replace("y", "i").replace("c", "k")


class Table(Protocol):
    """A key table: exact `get`, and every (key, owner, sound-alike key) for fuzzy matching."""

    def get(self, key: str) -> str | None: ...

    def pairs(self, lo: int = 0, hi: int | None = None) -> tuple[list[str], list[str], list[str]]: ...


class DictTable:
    """A Table over a plain dict (small vocabularies, tests)."""

    def __init__(self, keys: Mapping[str, str]):
        self._keys = keys

    def get(self, key: str) -> str | None:
        return self._keys.get(key)

    def pairs(self, lo: int = 0, hi: int | None = None) -> tuple[list[str], list[str], list[str]]:
        hi = 10**9 if hi is None else hi
        keys = sorted(self._keys)
        folded = [(sounds(k), k) for k in keys]
        folded = [(f, k) for f, k in folded if lo <= len(f) <= hi]
        return [k for k in keys if lo <= len(k) <= hi], [f for f, _ in folded], [k for _, k in folded]


def _table(keys: Table | Mapping[str, str]) -> Table:
    return DictTable(keys) if isinstance(keys, Mapping) else keys


def ranked(
    keys: Table | Mapping[str, str], query: str, limit: int = 5, cutoff: float = SUGGEST
) -> list[tuple[str, float, str]]:
    """(id, score, key) of the best fuzzy candidates scoring at least `cutoff`, best first, one per id.

    The score is the best of rapidfuzz's Indel ratio (also on sound-alike folded text:
    'nefrostomy'), its token-sort ratio (word order: 'FNA thyroid') and its OSA similarity
    (swapped letters: 'veterbroplasty'), on 0-100.
    """
    from rapidfuzz import fuzz, process
    from rapidfuzz.distance import OSA

    q = normalize(query)
    if not q:
        return []
    table = _table(keys)
    probes = {q, q.replace(" ", "")}
    if cutoff >= 50:
        # Indel ratio >= c needs the shorter string to be >= c / (2 - c) of the longer (0.72 at 84);
        # OSA similarity >= c is stricter still: only keys of similar length can score
        lengths = [len(p) for p in probes] + [len(sounds(p)) for p in probes]
        share = (cutoff / 100) / (2 - cutoff / 100)
        lo, hi = int(min(lengths) * share), int(max(lengths) / share) + 1
    else:
        lo, hi = 0, None
    choices, folded, folded_keys = table.pairs(lo, hi)
    best: dict[str, tuple[float, str]] = {}
    for probe in probes:
        for scorer, scale, candidates, keys_of, text in (
            (fuzz.ratio, 1.0, choices, choices, probe),
            (fuzz.ratio, 1.0, folded, folded_keys, sounds(probe)),
            # word order matters only for a query of several words (for one word it equals the ratio
            # except that it also reorders the key's words, which only adds false friends)
            *([(fuzz.token_sort_ratio, 1.0, choices, choices, probe)] if " " in probe else []),
            (OSA.normalized_similarity, 100.0, choices, choices, probe),
        ):
            hits = process.extract(text, candidates, scorer=scorer, limit=limit * 4, score_cutoff=cutoff / scale)
            for _, score, i in hits:
                s = float(score) * scale
                owner = table.get(keys_of[i])
                if owner is None:
                    continue
                if s > best.get(owner, (-1.0, ""))[0]:
                    best[owner] = (s, keys_of[i])
    out = sorted(((rid, s, k) for rid, (s, k) in best.items()), key=lambda t: (-t[1], t[0]))
    return out[:limit]


def _exact(table: Table, q: str) -> tuple[str, str] | None:
    for key in (q, q.replace(" ", "")):
        found = table.get(key)
        if found is not None:
            return found, key
    return None


def _fuzzy(table: Table, text: str, q: str) -> Match | None:
    """The whole-string fuzzy match (rapidfuzz) above the confidence threshold, or None."""
    if len(q.replace(" ", "")) < MIN_FUZZY_LEN:
        return None
    # First only candidates that could decide (a runner-up below CONFIDENT - MARGIN never
    # blocks a winner): a high cutoff lets rapidfuzz skip most keys of a large table.
    candidates = ranked(table, text, cutoff=CONFIDENT - MARGIN)
    if not candidates:
        return None
    rid, score, key = candidates[0]
    runner_up = candidates[1][1] if len(candidates) > 1 else 0.0
    # '-ectomy' names a surgical removal: never let a typo turn it into an IR '-ostomy'
    surgical = any(w.endswith("ectomy") for w in q.split()) != ("ectomy" in key)
    if score >= CONFIDENT and (score >= 95 or score - runner_up >= MARGIN) and not surgical:
        return Match(rid, text, False, score, "fuzzy", key)
    return None


def _names(names: Mapping[str, str] | Callable[[], Mapping[str, str]] | None) -> Mapping[str, str]:
    if callable(names):
        names = names()
    return names or {}


def resolve(
    keys: Table | Mapping[str, str],
    query: str,
    *,
    what: str = "procedure",
    names: Mapping[str, str] | Callable[[], Mapping[str, str]] | None = None,
    exact: bool = False,
) -> Match:
    """Resolve a query against a table of normalised keys; raise NotFoundError if not confident.

    ``names`` (id -> display name, or a function returning it) is read only to word hints.
    With ``exact``, only an exact name or alias is accepted.
    """
    text = clean_query(query, what)
    q = normalize(text)
    table = _table(keys)
    hit = _exact(table, q)
    if hit is not None:
        return Match(hit[0], text, True, 100.0, "exact", hit[1])
    if not exact:
        found = _fuzzy(table, text, q)
        if found is not None:
            return found
    raise _not_found(table, text, what, names, exact=exact)


def _not_found(
    table: Table,
    text: str,
    what: str,
    names: Mapping[str, str] | Callable[[], Mapping[str, str]] | None,
    *,
    exact: bool = False,
    hints: list[str] | None = None,
) -> NotFoundError:
    if hints is None:
        q = normalize(text)
        candidates = ranked(table, text) if len(q.replace(" ", "")) >= 2 else []  # for the hints
        hints = [rid for rid, s, _ in candidates if s >= SUGGEST]
    shown = [_names(names).get(h, h) for h in hints] if hints else []
    if exact:
        message = f"no {what} is named exactly {text!r} (--exact accepts only names and aliases)"
        return NotFoundError(message, hints=shown)
    return NotFoundError(f"no {what} matches {text!r}", hints=shown)


def _shell_word(text: str) -> str:
    import shlex

    return shlex.quote(text)


def find_procedure(index, query: str, *, exact: bool = False) -> Match:
    """A procedure for a query: exact name or alias, else the query's structure (see
    `irref.resolve`), else a guarded whole-string fuzzy match, else the full-text search when its
    best hit is clearly ahead. A query that only names a condition is a NotFoundError whose
    message points to `for-condition`."""
    text = clean_query(query, "procedure")
    q = normalize(text)
    table = index.keys("procedures")
    hit = _exact(table, q)
    if hit is not None:
        return Match(hit[0], text, True, 100.0, "exact", hit[1])
    names = lambda: index.names  # noqa: E731
    from irref import resolve as structure

    if exact:
        guess = structure.resolve_procedure(index, text)
        hints = [guess.id] if guess.id else guess.hints or None
        raise _not_found(table, text, "procedure", names, exact=True, hints=hints)

    outside = structure.outside_catalog(text)  # "CT venogram", "endoscopic biliary drainage"
    if outside is not None:
        raise NotFoundError(outside, hints=[])
    out = structure.resolve_procedure(index, text)
    if out.id is not None:
        return Match(out.id, text, False, out.score, out.kind, out.key)
    if out.condition is not None:
        cond = index.conditions.get(out.condition, {})
        listed = structure.rank_for_condition(index, out.condition)
        raise NotFoundError(
            f"{text} is a condition ({cond.get('name', out.condition)}), not a procedure: "
            f"irref for-condition {_shell_word(text)}",
            hints=[index.names.get(r, r) for r in listed[:5]],
        )
    part = structure.resolve_parts(index, text)  # "coeliac plexus block with alcohol", "... (GJ tube)"
    if part is not None and part.id is not None:
        return Match(part.id, text, False, part.score, part.kind, part.key)
    if part is not None:  # the parts name different procedures: no answer, those are the hints
        raise _not_found(table, text, "procedure", names, hints=part.hints)
    fuzzy = None if out.ambiguous or NO_WHOLE_STRING else _fuzzy(table, text, q)
    if fuzzy is not None and structure.explains(index, text, fuzzy.matched):
        return fuzzy
    ranking: list[str] | None = []
    if not out.ambiguous:
        found, ranking = structure.search_fallback(index, text)
        if found is not None:
            return Match(found.id, text, False, found.score, "search", found.key)
    if ranking is None:  # no word the catalog knows: no suggestions rather than noise
        hints: list[str] | None = out.hints
    else:
        hints = out.hints or ranking[:5] or (None if structure.has_core(text) else [])
    raise _not_found(table, text, "procedure", names, hints=hints)


def find_condition(index, query: str, *, exact: bool = False) -> Match:
    """A condition for a query: exact, the lexicon's short names, the query's words, fuzzy; a
    procedure name given here is a NotFoundError pointing to `show`."""
    text = clean_query(query, "condition")
    q = normalize(text)
    table = index.keys("conditions")
    names = lambda: {cid: c["name"] for cid, c in index.conditions.items()}  # noqa: E731
    hit = _exact(table, q)
    if hit is not None:
        return Match(hit[0], text, True, 100.0, "exact", hit[1])
    if not exact:
        from irref import resolve as structure

        found = structure.resolve_condition(index, text)
        if found is not None:
            return Match(found[0], text, False, found[1], "fuzzy", found[2])
        fuzzy = _fuzzy(table, text, q)
        if fuzzy is not None:
            return fuzzy
    proc = _exact(index.keys("procedures"), q)
    if proc is not None:
        rec = index.record(proc[0])
        conds = [index.conditions.get(c["id"], {}).get("name", c["id"]) for c in rec.get("conditions", [])]
        raise NotFoundError(
            f"{text} is a procedure ({rec['name']}), not a condition: irref show {_shell_word(text)}",
            hints=conds[:5],
        )
    raise _not_found(table, text, "condition", names, exact=exact)


def find_modality(index, query: str) -> Match:
    text = clean_query(query, "modality")
    table = index.keys("modalities")
    names = lambda: {mid: m["name"] for mid, m in index.modalities.items()}  # noqa: E731
    hit = _exact(table, normalize(text))
    if hit is not None:
        return Match(hit[0], text, True, 100.0, "exact", hit[1])
    from irref import resolve as structure

    mid = structure.lexicon_choice("modalities", text)
    if mid is not None and mid in index.modalities:
        return Match(mid, text, False, 100.0, "fuzzy", normalize(text))
    return resolve(table, text, what="modality", names=names)


def resolve_choice(choices: tuple[str, ...], query: str, *, what: str, lexicon: str | None = None) -> str:
    """Resolve against a small fixed vocabulary (categories, body regions); ``lexicon`` names the
    lexicon section of what people type for it ("categories", "regions")."""
    keys = {}
    for choice in choices:
        keys[normalize(choice)] = choice
        keys[fold(choice).replace(" ", "")] = choice
    text = clean_query(query, what)
    if _exact(DictTable(keys), normalize(text)) is None and lexicon:
        from irref import resolve as structure

        found = structure.lexicon_choice(lexicon, text)
        if found in choices:
            return found
    try:
        return resolve(keys, text, what=what).id
    except NotFoundError as exc:
        raise NotFoundError(f"{exc.message}; valid: {', '.join(choices)}", hints=exc.hints) from None
