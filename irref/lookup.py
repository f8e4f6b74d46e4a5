"""Resolve what a user typed to a procedure, condition, modality, category or region.

Order: exact match on a normalised id, name or alias (a dict lookup, no fuzzy
library imported) -> fuzzy match with rapidfuzz over the same keys, accepted only
above a confidence threshold and with a clear winner. Otherwise: NotFoundError
carrying up to five "did you mean" suggestions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from irref.errors import NotFoundError, UsageError
from irref.normalize import fold, normalize, strip_controls

#: Minimum score (0-100) for a fuzzy hit to count as a match.
CONFIDENT = 87.0
#: Minimum score for a key to be offered as a suggestion.
SUGGEST = 60.0
#: Queries shorter than this (after normalising) only match exactly.
MIN_FUZZY_LEN = 5
#: A fuzzy winner must beat the best other id by this many points (unless near-perfect).
MARGIN = 3.0
MAX_QUERY = 200


@dataclass(frozen=True)
class Match:
    """The id a query resolved to, and how."""

    id: str
    query: str
    exact: bool
    score: float


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


def resolve(
    keys: Table | Mapping[str, str],
    query: str,
    *,
    what: str = "procedure",
    names: Mapping[str, str] | Callable[[], Mapping[str, str]] | None = None,
) -> Match:
    """Resolve a query against a table of normalised keys; raise NotFoundError if not confident.

    ``names`` (id -> display name, or a function returning it) is read only to word hints.
    """
    text = clean_query(query, what)
    q = normalize(text)
    table = _table(keys)
    for key in (q, q.replace(" ", "")):
        found = table.get(key)
        if found is not None:
            return Match(found, text, True, 100.0)
    if len(q.replace(" ", "")) >= MIN_FUZZY_LEN:
        # First only candidates that could decide (a runner-up below CONFIDENT - MARGIN never
        # blocks a winner): a high cutoff lets rapidfuzz skip most keys of a large table.
        candidates = ranked(table, text, cutoff=CONFIDENT - MARGIN)
        if candidates:
            rid, score, key = candidates[0]
            runner_up = candidates[1][1] if len(candidates) > 1 else 0.0
            # '-ectomy' names a surgical removal: never let a typo turn it into an IR '-ostomy'
            surgical = any(w.endswith("ectomy") for w in q.split()) != ("ectomy" in key)
            if score >= CONFIDENT and (score >= 95 or score - runner_up >= MARGIN) and not surgical:
                return Match(rid, text, False, score)
    candidates = ranked(table, text) if len(q.replace(" ", "")) >= 2 else []  # for the hints
    hints = [rid for rid, s, _ in candidates if s >= SUGGEST]
    if callable(names):
        names = names()
    shown = [names.get(h, h) if names else h for h in hints]
    raise NotFoundError(f"no {what} matches {text!r}", hints=shown)


def resolve_choice(choices: tuple[str, ...], query: str, *, what: str) -> str:
    """Resolve against a small fixed vocabulary (categories, body regions)."""
    keys = {}
    for choice in choices:
        keys[normalize(choice)] = choice
        keys[fold(choice).replace(" ", "")] = choice
    return resolve(keys, query, what=what).id
