"""Ranked full-text search (irref.search) over the shipped catalog and small synthetic records."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from irref import catalog
from irref.errors import UsageError
from irref.normalize import fold
from irref.search import Hit, Snippet, search

CEMENT_IDS = {"vertebroplasty", "kyphoplasty", "sacroplasty", "cementoplasty"}


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    return catalog.load(env={"IRREF_CACHE_DIR": str(tmp_path_factory.mktemp("c"))})


@pytest.fixture(scope="module")
def records(index):
    recs = [index.record(rid) for rid in index.records]
    assert len(recs) > 50
    return recs


@pytest.fixture(scope="module")
def names(index):
    return {cid: c["name"] for cid, c in index.conditions.items()}


@pytest.fixture(scope="module")
def run(records, names):
    def go(query: str, **kw) -> list[Hit]:
        kw.setdefault("condition_names", names)
        return search(records, query, **kw)

    return go


def ids(hits: list[Hit]) -> list[str]:
    return [h.id for h in hits]


def rec(rid: str, name: str | None = None, **fields) -> dict:
    """A minimal synthetic record (search must not need the full model)."""
    base = {
        "id": rid,
        "name": name or rid.replace("-", " ").title(),
        "aliases": [],
        "summary": "A procedure.",
        "description": "Something is done.",
        "steps": ["First step.", "Second step."],
        "conditions": [],
        "risks": ["Pain", "Bruising", "Infection"],
    }
    base.update(fields)
    return base


# ---------------------------------------------------------------- ranking on the real catalog


def test_the_cement_procedures_exist(records):
    assert CEMENT_IDS <= {r["id"] for r in records}


@pytest.mark.parametrize("query", ["bone cement", "Bone Cement", "the bone cement", "bone-cement"])
def test_bone_cement_ranks_the_cement_procedures_on_top(run, query):
    top = ids(run(query))[:5]
    assert CEMENT_IDS <= set(top), top


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("vertebra cemment", "vertebroplasty"),
        ("kyphoplsty", "kyphoplasty"),
        ("paracentsis", "paracentesis"),
        ("thoracentessis", "thoracentesis"),
        ("uterine fibriods", "uterine-fibroid-embolization"),
    ],
)
def test_typos_still_find_the_record(run, query, expected):
    assert ids(run(query))[0] == expected


def test_typo_in_one_word_still_finds_all_cement_procedures(run):
    assert CEMENT_IDS <= set(ids(run("bone cemnt"))[:6])


FTS_QUERIES = [
    "bone cement",
    "bone cemnt",
    "vertebra cemment",
    "haemorrhage",
    "blood clot lung",
    "uterine fibroids",
    "Y90",
    "y-90 liver",
    "cryo",
    "stenting",
    "drain for fluid in the lungs",
    "kyphoplsty",
    "oesophageal stent",
    "biopsies",
    "the of and",
]


@pytest.mark.parametrize("query", FTS_QUERIES)
def test_fts_candidates_rank_like_a_full_scan(index, run, query):
    """search_index lets SQLite FTS5 pick candidates, then ranks them: the top results must be what
    ranking every record gives (scores depend on each record alone)."""
    from irref.search import search_index

    full = run(query, limit=10)
    fast = search_index(index, query, limit=10)
    assert [(h.id, h.score) for h in fast] == [(h.id, h.score) for h in full]


def test_a_typo_scores_below_the_exact_word(run):
    exact = run("kyphoplasty")[0]
    typo = run("kyphoplsty")[0]
    assert exact.id == typo.id == "kyphoplasty"
    assert typo.score < exact.score


def test_transposed_letters_in_a_short_word(run):
    hits = run("stnet")
    assert hits and all("stent" in h.id for h in hits[:3]), ids(hits)[:3]


@pytest.mark.parametrize("rid", ["kyphoplasty", "vertebroplasty", "thoracentesis", "paracentesis", "sacroplasty"])
def test_a_name_match_ranks_first(run, records, rid):
    name = next(r["name"] for r in records if r["id"] == rid)
    hits = run(name)
    assert hits[0].id == rid
    assert "name" in hits[0].matched


def test_name_match_beats_mentions_elsewhere(run):
    hits = run("kyphoplasty")
    assert hits[0].id == "kyphoplasty"
    # vertebroplasty mentions kyphoplasty in its description and alternatives, far below
    other = next(h for h in hits if h.id == "vertebroplasty")
    assert other.score < hits[0].score - 20


def test_condition_display_names_are_searched(run):
    hits = run("uterine fibroids")
    assert hits[0].id == "uterine-fibroid-embolization"
    # the embolization family links the condition: its display name is a matched field
    family = next(h for h in hits if h.id == "embolization")
    # paths name fields that exist in the record: the condition's id, shown by its display name
    cond_paths = [p for p in family.matched if re.fullmatch(r"conditions\[\d+\]\.id", p)]
    assert cond_paths
    snippet = next(s for s in family.snippets if s.field == cond_paths[0])
    assert snippet.text == "Uterine fibroids"


def test_without_condition_names_the_ids_are_searched(records):
    hits = search(records, "uterine fibroids")
    family = next(h for h in hits if h.id == "embolization")
    cond_paths = [p for p in family.matched if re.fullmatch(r"conditions\[\d+\]\.id", p)]
    assert cond_paths
    snippet = next(s for s in family.snippets if s.field == cond_paths[0])
    assert snippet.text == "uterine fibroids"  # the id's words: no display names were given


def test_case_accents_plurals_and_spelling_are_folded(run):
    assert ids(run("BONE CEMENT")) == ids(run("bone cement"))
    assert ids(run("fractures")) == ids(run("fracture"))
    assert ids(run("biopsies")) == ids(run("biopsy"))
    assert ids(run("vertebrae"))[:5] == ids(run("vertebra"))[:5]
    assert ids(run("haemorrhage"))[:5] == ids(run("hemorrhage"))[:5]
    assert ids(run("hémorrhage"))[:5] == ids(run("hemorrhage"))[:5]
    assert run("oesophageal stent")[0].id == "esophageal-stent"


def test_stop_words_are_ignored_unless_alone(run):
    assert ids(run("the bone and the cement")) == ids(run("bone cement"))
    assert run("the"), "a stop-word-only query still searches"


def test_y90_spellings(run):
    for query in ("Y-90", "y90", "Y 90"):
        assert run(query)[0].id == "radioembolization", query


def test_scores_are_sorted_and_within_0_100(run):
    for query in ("bone cement", "embolization", "the", "liver biopsy needle", "kyphoplsty", "stent"):
        hits = run(query)
        assert hits, query
        scores = [h.score for h in hits]
        assert scores == sorted(scores, reverse=True), query
        assert all(0 < s <= 100 for s in scores), query


def test_equal_scores_are_ordered_by_name(run):
    hits = run("biopsy", limit=100)
    for a, b in itertools.pairwise(hits):
        if a.score == b.score:
            assert a.name.casefold() <= b.name.casefold(), (a.name, b.name)


def test_limit_is_respected(run):
    assert len(run("stent")) == 20  # default
    assert len(run("stent", limit=3)) == 3
    assert ids(run("stent", limit=3)) == ids(run("stent", limit=50))[:3]
    assert len(run("kyphoplasty", limit=1)) == 1


def test_bad_limit_raises(run):
    with pytest.raises(UsageError):
        run("stent", limit=0)


@pytest.mark.parametrize("query", ["", "   ", "\t\n", "?!", "--- ...", "¿¡"])
def test_an_empty_query_raises_usage_error(run, query):
    with pytest.raises(UsageError) as err:
        run(query)
    assert "query" in err.value.message


def test_nonsense_returns_nothing(run):
    assert run("xyzzyqwv plmoknbj") == []
    assert run("zzzzzz") == []


def test_reference_urls_are_not_searched(run):
    assert run("ncbi") == []  # every StatPearls reference links to ncbi.nlm.nih.gov
    assert run("doi") == []


# ---------------------------------------------------------------- hits and snippets


def test_hit_shape(run, records):
    by_id = {r["id"]: r for r in records}
    for hit in run("bone cement"):
        assert hit.name == by_id[hit.id]["name"]
        assert hit.matched and len(set(hit.matched)) == len(hit.matched)
        assert 1 <= len(hit.snippets) <= 3
        assert all(isinstance(s, Snippet) and s.field in hit.matched for s in hit.snippets)
        groups = {re.sub(r"\[\d+\]", "", s.field) for s in hit.snippets}
        assert len(groups) == len(hit.snippets)  # from different fields


def _field_text(record: dict, path: str, names: dict[str, str]) -> str:
    """The text a snippet came from; every path names a field that exists in the record."""
    m = re.fullmatch(r"(\w+)(?:\.(\w+))?(?:\[(\d+)\])?(?:\.(\w+))?", path)
    assert m, path
    value = record[m[1]]
    if m[2] is not None:  # a list inside a mapping: contraindications.relative[2]
        value = value[m[2]]
    if m[3] is not None:
        value = value[int(m[3])]
    if m[1] == "conditions" and m[4] == "id":  # the condition's display name is what was searched
        return names.get(value["id"], value["id"].replace("-", " "))
    if m[4] is not None:
        value = value[m[4]]
    return value


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("bone cement", ("bone", "cement")),
        ("kyphoplasty", ("kyphoplasty",)),
        ("haemorrhage", ("hemorrhage", "haemorrhage")),
        ("fractures", ("fracture",)),
        ("vertebra cemment", ("vertebra", "cement")),
        ("uterine fibroids", ("uterine", "fibroid")),
    ],
)
def test_snippet_spans_point_at_the_matched_words(run, records, names, query, words):
    by_id = {r["id"]: r for r in records}
    hits = run(query)
    assert hits
    for hit in hits:
        for snip in hit.snippets:
            assert snip.spans, snip
            assert len(snip.text) <= 165
            full = " ".join(_field_text(by_id[hit.id], snip.field, names).split())
            assert snip.text.strip("…") in full  # an excerpt of that very field
            assert snip.text.startswith("…") == (not full.startswith(snip.text.strip("…")))
            last = -1
            for s, e in snip.spans:
                assert 0 <= s < e <= len(snip.text) and s >= last
                last = e
                word = fold(snip.text[s:e])
                assert word.startswith(words) or any(w.startswith(word) for w in words), (word, snip)
                assert s == 0 or not snip.text[s - 1].isalnum()  # whole words
                assert e == len(snip.text) or not snip.text[e].isalnum()


def test_a_long_field_is_cut_around_the_match():
    filler = " ".join(["lorem"] * 80)
    hit = search([rec("x", description=f"{filler} the needle sits in the femur {filler}")], "femur")[0]
    snip = next(s for s in hit.snippets if s.field == "description")
    assert snip.text.startswith("…") and snip.text.endswith("…")
    assert len(snip.text) <= 165
    (s, e), *_ = snip.spans
    assert snip.text[s:e] == "femur"


# ---------------------------------------------------------------- ranking rules on synthetic records


def test_phrase_beats_scattered_words():
    adjacent = rec("a", "Zeta", description="The doctor injects bone cement into the vertebra slowly today.")
    scattered = rec("b", "Alpha", description="The doctor injects cement into the vertebra bone slowly today.")
    hits = search([scattered, adjacent], "bone cement")
    assert ids(hits) == ["a", "b"]
    assert hits[0].score > hits[1].score


def test_phrase_may_span_stop_words_but_not_sentences():
    across = rec("a", "Zeta", description="Injection of cement under imaging, and more.")
    split = rec("b", "Alpha", description="Injection. Cement under imaging, and more.")
    assert ids(search([split, across], "injection cement")) == ["a", "b"]


def test_all_words_beat_some_even_in_weaker_fields():
    both = rec("a", "Zeta", risks=["Pain", "Bruising", "Cement leak into a bone vein"])
    one = rec("b", "Bone", aliases=["bone", "bone thing"], summary="Bone bone bone.", description="Bone.")
    hits = search([one, both], "bone cement")
    assert ids(hits) == ["a", "b"]


def test_name_and_alias_outweigh_summary_and_other_fields():
    named = rec("a", "Femur Fixing", description="Done.")
    aliased = rec("b", "Zeta", aliases=["femur fixing"])
    summary = rec("c", "Alpha", summary="It treats the femur.")
    stepped = rec("d", "Beta", steps=["The femur is reached.", "Done."])
    assert ids(search([stepped, summary, aliased, named], "femur")) == ["a", "b", "c", "d"]


def test_several_fields_beat_one_mention_in_a_long_field():
    long_text = "The thrombus is treated. " + "Further words about the procedure. " * 20
    many = rec("a", "Zeta", risks=["Thrombus", "Pain", "Bleeding"], steps=["Thrombus is found.", "Done."])
    once = rec("b", "Alpha", description=long_text)
    assert ids(search([once, many], "thrombus")) == ["a", "b"]


def test_prefix_and_inflection_score_below_exact():
    exact = rec("a", "Zeta", summary="A stent is placed.")
    inflected = rec("b", "Alpha", summary="Stenting is done.")
    partial = rec("c", "Beta", summary="Stentgraftish things are done.")
    hits = search([partial, inflected, exact], "stent")
    assert ids(hits) == ["a", "b", "c"]
    assert hits[0].score > hits[1].score > hits[2].score


def test_ties_are_broken_by_name():
    hits = search([rec("b", "beta"), rec("c", "Gamma"), rec("a", "Alpha")], "procedure")
    assert [h.name for h in hits] == ["Alpha", "beta", "Gamma"]
    assert len({h.score for h in hits}) == 1


def test_odd_records_do_not_break_search():
    odd = {
        "id": "odd",
        "name": "Odd Record",
        "aliases": ["cement thing", None, 3],
        "steps": "cement as a plain string",
        "conditions": [{"id": "bone-cement-allergy"}, "junk", {"purpose": 5}],
        "pediatric": {"performed": "no", "notes": None},
        "references": [{"title": "Cement review", "url": "https://example.org/cement"}],
    }
    hit = search([odd, {"id": "bare"}], "cement")[0]
    assert hit.id == "odd"
    assert {"aliases[0]", "steps", "conditions[0].id", "references[0].title"} <= set(hit.matched)


def test_records_can_be_any_iterable():
    gen = (rec(f"r{i}", f"Name {i}", summary="cement") for i in range(5))
    assert len(search(gen, "cement", limit=3)) == 3


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=40))
def test_any_query_either_raises_usage_error_or_gives_valid_hits(records, names, query):
    try:
        hits = search(records, query, limit=5, condition_names=names)
    except UsageError:
        assert not fold(query).strip() or len(fold(query).split()) > 32
        return
    assert len(hits) <= 5
    for hit in hits:
        assert 0 < hit.score <= 100
        for snip in hit.snippets:
            assert all(0 <= s < e <= len(snip.text) for s, e in snip.spans)


# Speed is measured by bench/run.py (`search "bone cement" --json`), never by a timed test.


def test_a_short_prefix_finds_long_words(run):
    """`search cryo` (a partial word) finds cryoablation, ranked first."""
    hits = run("cryo")
    assert hits and hits[0].id == "cryoablation"
