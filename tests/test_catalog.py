"""Completeness of the shipped catalog (the model enforces every field of every record)."""

from __future__ import annotations

import pytest

from irref import catalog


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    return catalog.load(env={"IRREF_CACHE_DIR": str(tmp_path_factory.mktemp("c"))})


def test_breadth(index):
    assert len(index.records) >= 100
    assert len(index.conditions) >= 150
    assert not index.problems


def test_every_condition_is_used(index):
    used = {c for r in index.records.values() for c in r["conditions"]}
    assert set(index.conditions) == used


def test_every_record_is_complete_and_cited(index):
    for rid in index.records:
        rec = index.record(rid)
        assert len(rec["risks"]) >= 3, rid
        assert rec["references"], rid
        assert all(ref["url"].startswith(("http://", "https://")) for ref in rec["references"]), rid
        if rec["bleeding_risk"] is None:
            assert rec["bleeding_risk_note"], rid
        else:
            assert any("10.1016/j.jvir.2019.04.017" in ref["url"] for ref in rec["references"]), rid


def test_family_entries_list_their_variants(index):
    for family in ("ablation", "embolization", "biopsy", "drainage", "venous-access", "nerve-block"):
        assert index.children(family), family
