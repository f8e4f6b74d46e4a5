"""The name-resolution evaluation set (tests/data/lookup_eval.yaml), run through the real CLI path.

Every query goes through `irref show QUERY --json` by the real entry point (irref.entry.run, as
users run it), one test per group. Each prints its accuracy and fails below the group's floor,
or on any confidently-wrong answer: exit 0
with an entry that is neither an expected id nor a family ancestor of one (an ancestor, e.g.
"Drainage" for a biliary drain, is imprecise: it counts as a miss, not as wrong).

Expected ids not yet in the catalog fail the test, unless IRREF_EVAL_ALLOW_PENDING=1 is set, in
which case they are skipped (and counted). Run with `pytest -n 0 -s tests/test_lookup_eval.py` to see
the table.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from irref import catalog

from .conftest import run_cli

EVAL = Path(__file__).parent / "data" / "lookup_eval.yaml"
MIN_QUERIES = 400
MIN_MUST_NOT = 60


def _load() -> dict:
    from ruamel.yaml import YAML

    with open(EVAL, encoding="utf-8") as fh:
        return YAML(typ="safe").load(fh)["groups"]


GROUPS = _load()


def _expected(value) -> list[str] | None:
    if value is None:
        return None
    return list(value) if isinstance(value, list) else [value]


def test_the_set_is_large_enough_and_sourced():
    total = sum(len(g["queries"]) for g in GROUPS.values())
    assert total >= MIN_QUERIES, total
    wants = [want for g in GROUPS.values() for _, want in g["queries"]]
    must_not = sum(1 for want in wants if want is None or str(want).startswith("condition:"))
    assert must_not >= MIN_MUST_NOT, must_not
    for name, group in GROUPS.items():
        assert group.get("source", "").strip(), f"group {name} does not say where it came from"
        # groups tuned on keep >= 95%; a held-out probe (written without seeing the catalog's names)
        # keeps the level it reached, which is lower by design
        assert (0.80 if group.get("heldout") else 0.95) <= float(group["floor"]) <= 1.0, name
        queries = [q for q, _ in group["queries"]]
        assert len(queries) == len(set(queries)), f"duplicate queries in {name}"


def _ancestors(index, rid: str) -> set[str]:
    out: set[str] = set()
    cur = index.family(rid)["parent"]
    while cur and cur[0] not in out:
        out.add(cur[0])
        cur = index.family(cur[0])["parent"]
    return out


@pytest.fixture(scope="module")
def eval_env(tmp_path_factory):
    """One cache for the whole module (each group's test runs in the same index)."""
    env = {"IRREF_CACHE_DIR": str(tmp_path_factory.mktemp("eval-cache"))}
    old = os.environ.get("IRREF_CACHE_DIR")
    os.environ["IRREF_CACHE_DIR"] = env["IRREF_CACHE_DIR"]
    try:
        yield catalog.load()
    finally:
        if old is None:
            os.environ.pop("IRREF_CACHE_DIR", None)
        else:
            os.environ["IRREF_CACHE_DIR"] = old


@pytest.mark.parametrize("name", sorted(GROUPS))
def test_lookup_eval(name, eval_env):
    """One group of the evaluation set through the real entry point (the path users run)."""
    index = eval_env
    group = GROUPS[name]
    known = set(index.names)
    allow_pending = os.environ.get("IRREF_EVAL_ALLOW_PENDING") == "1"
    wrong: list[str] = []
    missing: list[str] = []
    right = total = pending = 0
    misses = []
    for query, want in group["queries"]:
        expected = _expected(want)
        condition = expected is not None and expected[0].startswith("condition:")
        if expected is not None and not condition and not any(e in known for e in expected):
            if allow_pending:
                pending += 1
                continue
            missing.append(f"{query!r} expects {expected} (not in the catalog)")
            continue
        total += 1
        result = run_cli(["show", query, "--json"])
        assert "Traceback" not in result.out + result.err, query
        if result.code == 0:
            data = result.json()
            got = data["id"]
            assert data["match"]["kind"] in ("exact", "alias", "fuzzy", "search"), query
            if expected is not None and not condition and got in expected:
                right += 1
            elif expected is not None and not condition and any(got in _ancestors(index, e) for e in expected):
                misses.append(f"{query!r} -> {got} (an ancestor of {expected})")
            else:
                wrong.append(f"{query!r} -> {got} ({data['match']['kind']}), expected {want}")
        else:
            assert result.code == 1, (query, result.code, result.err)
            assert result.out == "", query
            if expected is None:
                right += 1
            elif condition:
                if "irref for-condition" in result.err:
                    right += 1
                else:
                    misses.append(f"{query!r}: no for-condition hint")
            else:
                misses.append(f"{query!r}: no match, expected {want}")
    accuracy = right / total if total else 1.0
    print(f"\n{name:16} {right:4}/{total:<4} {accuracy:7.1%}  floor {group['floor']:.0%}  pending {pending}")
    assert not wrong, "confidently wrong:\n" + "\n".join(wrong)
    assert not missing, "expected ids missing from the catalog (IRREF_EVAL_ALLOW_PENDING=1 skips them):\n" + "\n".join(
        missing
    )
    assert accuracy >= float(group["floor"]), f"{name}: {accuracy:.1%} < {group['floor']}: " + "; ".join(misses)


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_groups_have_queries(group):
    assert GROUPS[group]["queries"]
