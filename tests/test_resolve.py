"""Name resolution by query structure (issue 12): the issue's examples through the CLI, --exact,
the `match` object, cross-hints between procedures and conditions, vocabulary filters, and the
lexicon file itself."""

from __future__ import annotations

import json

import pytest

from irref import resolve
from irref.normalize import normalize


def _show(cli, *args):
    r = cli("show", *args, "--json")
    return r, (r.json() if r.code == 0 else None)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("fluoro guided gastrostomy", "gastrostomy"),
        ("kidney RFA", "kidney-ablation"),
        ("iliac PTA", "peripheral-arterial-revascularization"),
        ("renal angioplasty", "renal-artery-stenting"),
        ("perc nephrostomy", "nephrostomy"),
        ("nephrostomy exchange", "drain-exchange"),
        ("port removal", "line-removal"),
        ("hepatic venogram", "venography"),
        ("balloon to widen a vein", "venous-stenting"),
        ("PEG", "gastrostomy"),
        ("Hickman", "tunneled-central-venous-catheter"),
        ("cryo", "cryoablation"),
        ("NG tube", "nasogastric-tube"),
        ("vertebro", "vertebroplasty"),
        ("US guided liver biopsy", "liver-biopsy"),
        ("lung microwave ablation", "lung-ablation"),
        ("nephrostomy tube check", "tube-contrast-study"),
        ("CT guided lung biopsy left", "lung-biopsy"),
    ],
)
def test_issue_names_resolve(cli, query, expected):
    r, data = _show(cli, query)
    assert r.code == 0, r.err
    assert data["id"] == expected


def test_lay_description_resolves_or_is_an_honest_miss(cli):
    r, data = _show(cli, "drain for fluid in the lungs")
    assert r.code == 0 and data["id"] in ("thoracentesis", "chest-tube")
    r, data = _show(cli, "stent for a blocked kidney")
    if r.code == 0:
        assert data["id"] in ("ureteral-stent", "nephroureteral-stent")
    else:
        assert "ureteral stent" in r.err.lower()


@pytest.mark.parametrize(
    "query",
    ["arthrogram", "appendectomy", "cholecystectomy", "colonoscopy", "hip replacement", "gastro", "thrombo"],
)
def test_never_confidently_wrong(cli, query):
    r, data = _show(cli, query)
    if query == "arthrogram" and r.code == 0:
        assert data["id"] == "arthrography"  # never angiography
        return
    assert r.code == 1, data and data["id"]
    assert r.out == ""


def test_ectomy_is_not_ostomy(cli):
    assert _show(cli, "cholecystectomy")[0].code == 1
    r, data = _show(cli, "cholecystostomy")
    assert r.code == 0 and data["id"] == "cholecystostomy"


def test_a_condition_given_to_show_is_a_hint(cli):
    r = cli("show", "DVT")
    assert r.code == 1
    assert "DVT is a condition" in r.err and "irref for-condition DVT" in r.err
    assert "Deep vein thrombosis thrombectomy" in r.err  # the procedures for it, as suggestions


def test_a_procedure_given_to_for_condition_is_a_hint(cli):
    r = cli("for-condition", "TACE")
    assert r.code == 1
    assert "TACE is a procedure" in r.err and "irref show TACE" in r.err


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("budd chiari", "budd-chiari-syndrome"),
        ("May-Thurner", "may-thurner-syndrome"),
        ("varices", "variceal-bleeding"),
    ],
)
def test_partial_condition_names(cli, index_fixture, query, expected):
    from irref import lookup

    assert lookup.find_condition(index_fixture, query).id == expected
    r = cli("for-condition", query, "--json")
    assert r.code == 0, r.err
    assert r.json()


def test_unquoted_words_are_one_query(cli):
    r = cli("show", "liver", "biopsy", "--json")
    assert r.code == 0 and r.json()["id"] == "liver-biopsy"
    r = cli("for-condition", "liver", "cancer", "--json")
    assert r.code == 0


def test_match_object_and_stderr(cli):
    r, data = _show(cli, "Vertebroplasty")
    assert data["match"] == {"kind": "exact", "score": 100.0, "query": "Vertebroplasty", "matched": "vertebroplasty"}
    assert "showing" not in r.err
    r, data = _show(cli, "TACE")
    assert data["match"]["kind"] == "alias" and data["id"] == "transarterial-chemoembolization"
    r, data = _show(cli, "vertebroplsaty")
    assert data["match"]["kind"] == "fuzzy" and data["match"]["score"] < 100
    assert "showing Vertebroplasty for 'vertebroplsaty'" in r.err
    # the record is the stored JSON plus one key
    assert {"id", "name", "summary", "source", "match"} <= set(data)


def test_exact_refuses_everything_but_names_and_aliases(cli):
    r = cli("show", "vertebroplsaty", "--exact", "--json")
    assert r.code == 1 and r.out == ""
    assert "--exact" in r.err
    r = cli("show", "TACE", "--exact", "--json")
    assert r.code == 0 and r.json()["match"]["kind"] == "alias"
    r = cli("show", "bilateral vertebroplasty under fluoro", "--exact")
    assert r.code == 1
    r = cli("for-condition", "budd chiari", "--exact")
    assert r.code == 1
    r = cli("for-condition", "budd chiari")
    assert r.code == 0
    r = cli("compare", "TACE", "vertebroplsaty", "--exact")
    assert r.code == 1
    r = cli("compare", "TACE", "vertebroplasty", "--exact", "--json")
    assert r.code == 0


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--category", "oncology", "interventional oncology"),
        ("--category", "neuro", "neurointerventional"),
        ("--category", "MSK", "spine and musculoskeletal"),
        ("--category", "GU", "genitourinary"),
        ("--category", "GI", "gastrointestinal"),
        ("--category", "pediatric", "pediatric and vascular anomalies"),
        ("--region", "leg", "legs"),
        ("--region", "arm", "arms"),
        ("--region", "head", "head and neck"),
        ("--region", "knee", "joints"),
    ],
)
def test_list_filters_resolve(cli, option, value, expected):
    r = cli("list", option, value, "--json")
    assert r.code in (0, 1), r.err
    assert "Error" not in r.err
    for rec in r.json():
        field = rec["category"] if option == "--category" else rec["body_regions"]
        assert expected == field or expected in field


@pytest.mark.parametrize("value", ["angio", "fluoro"])
def test_list_modality_words(cli, value):
    r = cli("list", "--modality", value, "--json")
    assert r.code == 0, r.err
    assert all("Fluoroscopy" in rec["modalities"] for rec in r.json())


def test_an_unknown_category_lists_the_valid_values(cli):
    r = cli("list", "--category", "wibble")
    assert r.code == 1
    assert "valid:" in r.err and "interventional oncology" in r.err


def test_lexicon_file_is_clean():
    """No duplicate keys (the runtime loader lets the last one win), every entry normalises to
    something, and no lay phrase rewrites a phrase into itself."""
    from ruamel.yaml import YAML

    path = resolve.lexicon_path()
    with open(path, encoding="utf-8") as fh:
        raw = YAML(typ="safe").load(fh)  # strict: raises on duplicate keys
    for section in ("abbreviations", "phrases", "synonyms", "categories", "regions", "modalities", "conditions"):
        for key, value in raw[section].items():
            assert normalize(str(key)), (section, key)
            assert str(value).strip(), (section, key)
    lex = resolve.load_lexicon()
    for words, repl in lex.phrases.get("balloon", []):
        assert words != repl


def test_lexicon_values_name_real_vocabulary(index_fixture):
    from irref.vocab import BODY_REGIONS, CATEGORIES

    raw = resolve.load_lexicon().choices
    assert set(raw["categories"].values()) <= set(CATEGORIES)
    assert set(raw["regions"].values()) <= set(BODY_REGIONS)
    assert set(raw["modalities"].values()) <= set(index_fixture.modalities)
    conditions = resolve.load_lexicon().conditions
    assert set(conditions.values()) <= set(index_fixture.conditions)


@pytest.fixture
def index_fixture(tmp_path, monkeypatch):
    from irref import catalog

    monkeypatch.setenv("IRREF_CACHE_DIR", str(tmp_path))
    return catalog.load()


def test_lookup_terms_are_keys_but_never_shown(cli, index_fixture):
    """A record's lookup_terms resolve like aliases (catalog.py adds them as keys)."""
    index = index_fixture
    for rid in index.order:
        rec = index.record(rid)
        for term in rec.get("lookup_terms") or []:
            owner = index.keys("procedures").get(normalize(term))
            if owner == rid:
                r = cli("show", term, "--json")
                assert r.code == 0 and r.json()["id"] == rid
                return
    pytest.skip("no record has a lookup term yet")


def test_resolution_uses_no_search_or_fuzzy_for_exact_names(monkeypatch, index_fixture):
    """The exact path never reads the lexicon, the word index or rapidfuzz."""
    from irref import lookup

    def boom(*a, **k):
        raise AssertionError("structured resolution on an exact name")

    monkeypatch.setattr(resolve, "resolve_procedure", boom)
    assert lookup.find_procedure(index_fixture, "TACE").kind == "exact"
    assert lookup.find_procedure(index_fixture, "chemoembolisation").id == "transarterial-chemoembolization"


def test_json_output_parses_with_match_for_every_kind(cli):
    for query in ("ablation", "RFA", "kidny biopsy", "fluoro guided gastrostomy"):
        r = cli("show", query, "--json")
        assert r.code == 0, (query, r.err)
        data = json.loads(r.out)
        assert data["match"]["kind"] in ("exact", "alias", "fuzzy", "search")


def test_word_index_cache_form_reads_back_the_same():
    """The compact cache form of a word index (one text, packed posting lists) answers exactly as
    the index it was written from."""
    import marshal

    from irref import catalog, resolve

    index = catalog.load()
    lex = resolve.load_lexicon()
    built = resolve.WordIndex.build(lex, resolve._table_keys(index.keys("procedures")))
    loaded = resolve.WordIndex.load(marshal.loads(marshal.dumps(built.dump())))
    assert len(loaded.entries) == len(built.entries) > 500
    assert [loaded.entries[i] for i in range(len(built.entries))] == [list(e) for e in built.entries]
    assert list(loaded.entries) == [list(e) for e in built.entries]
    assert sorted(loaded.vocab_set) == sorted(built.vocab_set) and loaded.vocab == built.vocab
    for word in built.vocab:
        assert list(loaded.postings[word]) == built.postings[word]
        assert list(loaded.postings.get(word, ())) == built.postings[word]
    assert loaded.postings.get("no-such-word", ()) == ()
    for owner, ids in built.by_owner.items():
        assert list(loaded.by_owner.get(owner, ())) == ids
