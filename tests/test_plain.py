"""irref.plain: the small record classes the core returns (in place of dataclasses)."""

from __future__ import annotations

import pytest

from irref.commands import Listing, Row
from irref.plain import Frozen
from irref.search import Hit, Snippet


def test_fields_by_position_or_name_defaults_and_refusals() -> None:
    row = Row("a", "A", "cat", ["CT"], "low", ["outpatient"], "sum")
    assert row.purpose is None and row == Row(**{n: getattr(row, n) for n in Row._fields})
    first, second = Listing([], None), Listing([], None)
    assert first.filters == {} and first.filters is not second.filters  # a type default is a factory
    with pytest.raises(TypeError):
        Row("a")  # a field without default is missing
    with pytest.raises(TypeError):
        Row("a", "A", "cat", [], "low", [], "sum", None, "extra")
    with pytest.raises(TypeError):
        Row("a", "A", "cat", [], "low", [], "sum", nonsense=1)
    with pytest.raises(TypeError):
        hash(row)  # mutable records are unhashable


def test_frozen_records_are_immutable_and_hashable() -> None:
    snip = Snippet("summary", "text", ((0, 4),))
    hit = Hit(id="x", name="X", score=1.0, matched=("summary",), snippets=(snip,))
    assert hit == Hit("x", "X", 1.0, ("summary",), (snip,)) and hash(hit) == hash(
        Hit("x", "X", 1.0, ("summary",), (snip,))
    )
    assert repr(snip) == "Snippet(field='summary', text='text', spans=((0, 4),))"
    with pytest.raises(AttributeError):
        hit.score = 2.0
    with pytest.raises(AttributeError):
        del hit.name
    assert isinstance(hit, Frozen) and hit != snip
