"""Shell-completion candidates, read from the compiled index (no Typer, no Rich).

Completion runs the same warm path as a lookup: the cache header, one small section.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

#: Most candidates offered at once (shells list them all; more is noise).
LIMIT = 200


def candidates(kind: str, incomplete: str, data_dirs: Sequence[str | Path] = ()) -> list[tuple[str, str]]:
    """(value, help) pairs for `kind` (procedures, conditions, modalities, categories, regions, sections,
    bleeding_risk)
    whose text starts with what was typed, ignoring case."""
    from irref import vocab

    if kind == "bleeding_risk":
        items = [["low", ""], ["high", ""], ["none", "not classed"]]
    elif kind == "categories":
        items = [[c, ""] for c in vocab.CATEGORIES]
    elif kind == "regions":
        items = [[r, ""] for r in vocab.BODY_REGIONS]
    elif kind == "sections":
        items = [[k, label] for k, label in vocab.SECTIONS.items()]
    else:
        try:
            from irref import catalog

            items = catalog.load(data_dirs).section("completions")[kind]
        except Exception:  # completion must never print a traceback into the shell
            return []
    # Shells (and Typer) keep only candidates that start with the typed text, exactly: match without
    # regard to case, then hand back the candidate spelled with the user's own prefix ("vert" ->
    # "vertebroplasty"); lookups ignore case, so the completed word resolves the same.
    typed = incomplete.casefold()
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for text, help_ in items:
        if text.casefold().startswith(typed):
            value = incomplete + text[len(incomplete) :]
            if value not in seen:
                seen.add(value)
                out.append((value, help_))
    return out[:LIMIT]
