"""Clinical depth and catalog breadth (issues 13 and 14): every entry has every clinical field,
validation guards them, every procedure sits in the family tree, and the listed procedures
resolve by the names clinicians use."""

from __future__ import annotations

import json

import pytest

from irref import catalog, commands
from irref.vocab import SEVERITIES

from .conftest import write_record

CLINICAL = ("complications", "labs", "medications", "pearls", "duration", "outcomes", "contraindications")


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    return catalog.load(env={"IRREF_CACHE_DIR": str(tmp_path_factory.mktemp("c"))})


@pytest.fixture(scope="module")
def records(index):
    return [index.record(rid) for rid in index.order]


def test_catalog_counts(index):
    assert len(index.order) >= 160
    assert len(index.conditions) >= 220


def test_every_entry_has_every_clinical_field(records):
    for rec in records:
        for field in CLINICAL:
            assert rec.get(field), (rec["id"], field)
        assert len(rec["complications"]) >= 3, rec["id"]
        assert 3 <= len(rec["pearls"]) <= 5, rec["id"]
        assert set(rec["contraindications"]) == {"absolute", "relative", "note"}
        for c in rec["complications"]:
            assert c["rate"] and c["management"] and c["severity"] in SEVERITIES, (rec["id"], c)
        assert all(ref["supports"] for ref in rec["references"]), rec["id"]


def test_guidance_is_not_planning_imaging(records):
    """`modalities` is the imaging that guides the procedure; planning imaging is separate."""
    by_id = {r["id"]: r for r in records}
    for rid in ("cerebral-aneurysm-coiling", "esophageal-stent", "colonic-stent"):
        assert "CT" not in by_id[rid]["modalities"], rid


def test_audit_findings_are_fixed(records):
    by_id = {r["id"]: r for r in records}
    chest = by_id["chest-tube"]
    assert "hepatic-hydrothorax" not in {c["id"] for c in chest["conditions"]}
    assert any("hydrothorax" in x.lower() for x in chest["contraindications"]["relative"])
    assert "clamp" in json.dumps(chest).lower()
    assert "1.5" in json.dumps(by_id["thoracentesis"])
    assert "pulse pressure" not in json.dumps(by_id["angioplasty"]["aftercare"]).lower()
    renal = json.dumps(by_id["renal-artery-stenting"])
    assert "ASTRAL" in renal and "CORAL" in renal
    assert "2021" in json.dumps(by_id["esophageal-stent"]["references"])
    assert "nimodipine" in json.dumps(by_id["cerebral-aneurysm-coiling"]["medications"]).lower()
    assert "lactulose" in json.dumps(by_id["tips"]["medications"]).lower()
    assert by_id["tips"]["contraindications"]["note"]


def test_handouts_never_show_lookup_terms(index):
    from irref import export

    rec = index.record("vertebroplasty")
    assert rec["lookup_terms"], "vertebroplasty keeps its misspellings as lookup terms"
    doc = export.record_markdown(rec, names=index.names, conditions=index.conditions, modalities=index.modalities)
    import re

    for term in rec["lookup_terms"]:
        assert term not in rec["aliases"]
        assert not re.search(rf"\b{re.escape(term.lower())}\b", doc.lower()), term


def test_show_section_complications_is_a_table_with_rates(cli):
    r = cli("show", "tips", "--section", "complications")
    assert r.code == 0
    assert "Complication" in r.out and "Rate" in r.out and "Severity" in r.out and "%" in r.out


def test_for_patient_and_clinician_pick_sections(cli):
    patient = cli("show", "tips", "--for", "patient", "--json").json()
    clinician = cli("show", "tips", "--for", "clinician", "--json").json()
    assert "summary" in patient and "complications" not in patient
    assert "complications" in clinician and "labs" in clinician and "summary" not in clinician


def test_show_of_a_classed_procedure_points_to_anticoag(cli):
    r = cli("show", "tips", "--section", "bleeding_risk")
    assert "irref anticoag DRUG --procedure tips" in r.out


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"complications": ...}, "complications"),
        ({"pearls": ["only one"]}, "pearls"),
        (
            {
                "complications": [
                    {"name": f"x{i}", "rate": "rare", "severity": "bad", "management": "y"} for i in range(3)
                ]
            },
            "severity",
        ),
        ({"complications": [{"name": f"x{i}", "rate": "rare", "severity": "mild"} for i in range(3)]}, "management"),
        ({"labs": ...}, "labs"),
        ({"duration": ...}, "duration"),
    ],
)
def test_validate_guards_the_clinical_fields(cli, tmp_path, change, message):
    path = write_record(tmp_path / "d", "guard-test", **change)
    r = cli("validate", str(path))
    assert r.code == 1 and message in r.out


def test_figures_need_a_supporting_reference(cli, tmp_path):
    from ruamel.yaml import YAML

    path = write_record(tmp_path / "d", "support-test")
    yaml = YAML()
    data = yaml.load(path.read_text())
    for ref in data["references"]:
        ref["supports"] = [s for s in ref["supports"] if s not in ("complications", "outcomes")] or ["summary"]
    data["complications"][0]["rate"] = "12%"
    with open(path, "w") as fh:
        yaml.dump(data, fh)
    r = cli("validate", str(path))
    assert r.code == 1 and "no reference supports them" in r.out


def test_every_procedure_is_in_the_tree(cli, index):
    tree = cli("tree", "--json").json()
    seen: list[str] = []

    def walk(node):
        seen.append(node["id"])
        for child in node["children"]:
            walk(child)

    for node in tree:
        walk(node)
    assert sorted(seen) == sorted(index.order)  # each exactly once


def test_tree_of_a_variant_shows_its_ancestors(cli):
    tree = cli("tree", "RFA", "--json").json()
    assert tree[0]["id"] == "ablation"
    assert tree[0]["children"][0]["id"] == "radiofrequency-ablation"


def test_family_parents_name_their_variants(index):
    for rid in index.order:
        kids = index.children(rid)
        if len(kids) >= 2:
            desc = index.record(rid)["description"].lower()
            named = sum(
                1 for k in kids if index.names[k].split(" (")[0].lower()[:12] in desc or k.replace("-", " ") in desc
            )
            assert named >= 1, (rid, kids)


NEW_ENTRY_NAMES = [
    ("femoral artery closure device", "arterial-access-closure"),
    ("hepatic venogram", "venography"),
    ("aortogram with runoff", "aortography-runoff"),
    ("HVPG", "hepatic-venous-pressure-gradient"),
    ("drain check", "tube-contrast-study"),
    ("nephrostomy exchange", "drain-exchange"),
    ("port removal", "line-removal"),
    ("myelogram", "myelography"),
    ("arthrogram", "arthrography"),
    ("IPSS", "inferior-petrosal-sinus-sampling"),
    ("MMA embolization", "middle-meningeal-artery-embolization"),
    ("flow diverter", "flow-diversion"),
    ("BTO", "balloon-test-occlusion"),
    ("renal angioplasty", "renal-artery-stenting"),
    ("iliac PTA", "peripheral-arterial-revascularization"),
    ("type 2 endoleak embolization", "endoleak-embolization"),
    ("thrombin injection", "pseudoaneurysm-thrombin-injection"),
    ("kidney RFA", "kidney-ablation"),
    ("NG tube", "nasogastric-tube"),
    ("suprapubic catheter", "suprapubic-cystostomy"),
    ("HSG", "hysterosalpingography"),
    ("pericardiocentesis", "pericardiocentesis"),
    ("epidural blood patch", "epidural-blood-patch"),
    ("medial branch RFA", "radiofrequency-neurotomy"),
    ("stereotactic breast biopsy", "breast-biopsy"),
]


@pytest.mark.parametrize(("query", "expected"), NEW_ENTRY_NAMES)
def test_new_entries_resolve_by_the_names_clinicians_use(index, query, expected):
    assert commands.find_procedure(index, query).id == expected
