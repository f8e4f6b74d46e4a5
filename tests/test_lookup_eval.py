"""The name-resolution evaluation set (tests/data/lookup_eval.yaml), run through the real CLI path.

Every query goes through `irref show QUERY --json` (CliRunner). Per group, the test prints the
accuracy and fails when a group is below its floor, or on any confidently-wrong answer: exit 0
with an entry that is neither an expected id nor a family ancestor of one (an ancestor, e.g.
"Drainage" for a biliary drain, is imprecise: it counts as a miss, not as wrong).

Expected ids not yet in the catalog fail the test, unless IRREF_EVAL_ALLOW_PENDING=1 is set, in
which case they are skipped (and counted). Run with `pytest -s tests/test_lookup_eval.py` to see
the table.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from irref import catalog
from irref.cli import app

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


def test_lookup_eval(tmp_path, monkeypatch):
    monkeypatch.setenv("IRREF_CACHE_DIR", str(tmp_path))
    index = catalog.load()
    known = set(index.names)
    allow_pending = os.environ.get("IRREF_EVAL_ALLOW_PENDING") == "1"
    runner = CliRunner()
    wrong: list[str] = []
    low: list[str] = []
    missing: list[str] = []
    lines = []
    for name, group in GROUPS.items():
        right = total = pending = 0
        misses = []
        for query, want in group["queries"]:
            expected = _expected(want)
            condition = expected is not None and expected[0].startswith("condition:")
            if expected is not None and not condition and not any(e in known for e in expected):
                if allow_pending:
                    pending += 1
                    continue
                missing.append(f"{name}: {query!r} expects {expected} (not in the catalog)")
                continue
            total += 1
            result = runner.invoke(app, ["show", query, "--json"])
            assert result.exception is None or isinstance(result.exception, SystemExit), (query, result.exception)
            if result.exit_code == 0:
                data = json.loads(result.stdout)
                got = data["id"]
                assert data["match"]["kind"] in ("exact", "alias", "fuzzy", "search"), query
                if expected is not None and not condition and got in expected:
                    right += 1
                elif expected is not None and not condition and any(got in _ancestors(index, e) for e in expected):
                    misses.append(f"{query!r} -> {got} (an ancestor of {expected})")
                else:
                    wrong.append(f"{name}: {query!r} -> {got} ({data['match']['kind']}), expected {want}")
            else:
                assert result.exit_code == 1, (query, result.exit_code, result.stderr)
                assert result.stdout == "", query
                if expected is None:
                    right += 1
                elif condition:
                    if "irref for-condition" in result.stderr:
                        right += 1
                    else:
                        misses.append(f"{query!r}: no for-condition hint")
                else:
                    misses.append(f"{query!r}: no match, expected {want}")
        accuracy = right / total if total else 1.0
        lines.append(f"{name:16} {right:4}/{total:<4} {accuracy:7.1%}  floor {group['floor']:.0%}  pending {pending}")
        if accuracy < float(group["floor"]):
            low.append(f"{name}: {accuracy:.1%} < {group['floor']}: " + "; ".join(misses))
    print("\nlookup evaluation (show --json):\n" + "\n".join(lines))
    assert not wrong, "confidently wrong:\n" + "\n".join(wrong)
    assert not missing, "expected ids missing from the catalog (IRREF_EVAL_ALLOW_PENDING=1 skips them):\n" + "\n".join(
        missing
    )
    assert not low, "groups below their floor:\n" + "\n".join(low)


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_groups_have_queries(group):
    assert GROUPS[group]["queries"]
