"""irref.output.dumps: json.dumps(..., ensure_ascii=False) without importing json, for the small
values (a match, a condition) the warm JSON paths append to stored record text."""

from __future__ import annotations

import json
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from irref import output

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    st.text(alphabet=st.sampled_from(list('"\\/\n\t\x00\x1f\x7f\u2028\u2029é😀\ud800'))),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=5), inner, max_size=4)
        | st.dictionaries(st.integers(), inner, max_size=2)
    ),
    max_leaves=12,
)


@settings(max_examples=1500, deadline=None)
@given(VALUES)
def test_dumps_equals_json_dumps(value) -> None:
    assert output.dumps(value) == json.dumps(value, ensure_ascii=False)


def test_with_keys_appends_to_the_record_text() -> None:
    raw = '{"id": "x", "name": "X"}\n'
    joined = output.with_keys(raw, {"match": {"kind": "fuzzy", "score": 91.3, "query": 'a "b"', "matched": None}})
    assert json.loads(joined) == {
        "id": "x",
        "name": "X",
        "match": {"kind": "fuzzy", "score": 91.3, "query": 'a "b"', "matched": None},
    }
    assert output.with_keys(raw, {}) == raw
    assert not math.isnan(json.loads(output.dumps([1.5]))[0])
