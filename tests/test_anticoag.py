"""`irref anticoag` and data/anticoag.yaml: validation, names, risk classes, procedures, CrCl."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from irref import anticoag
from irref.errors import DataError, NotFoundError, UsageError

from .conftest import ROOT

NOTICE = "Educational reference only, not medical advice."
SCRIPT = Path(sys.executable).with_name("irref")
REQUIRED = {
    "warfarin",
    "ufh",
    "lmwh-prophylactic",
    "lmwh-therapeutic",
    "fondaparinux",
    "apixaban",
    "rivaroxaban",
    "edoxaban",
    "dabigatran",
    "aspirin",
    "clopidogrel",
    "prasugrel",
    "ticagrelor",
    "nsaids",
}


@pytest.fixture(scope="module")
def table():
    return anticoag.load()


# ---------------------------------------------------------------- the data file


def test_shipped_table_validates():
    table, problems = anticoag.validate(ROOT / "data" / "anticoag.yaml")
    assert problems == []
    assert REQUIRED <= set(table.drugs)
    assert set(table.labs) == {"low", "high"}


def test_every_row_cites_a_source_and_unverified_rows_state_no_value(table):
    for drug in table.drugs.values():
        for risk in ("low", "high"):
            m = drug[risk]
            assert m["sources"] and all(s in table.sources for s in m["sources"])
            if m["verified"] == "no":
                assert m["withhold"] is None and m["restart"] is None and not m["renal"]
                assert "not" in m["note"].lower() and "verified" in m["note"].lower()


def _support_problem(table, verified: str, source_ids: list[str]) -> str | None:
    """Why a row marked `verified` is not backed the way the data file's rules require, or None."""
    cited = [table.sources[s] for s in source_ids]
    if verified == "primary":
        guideline = table.sources[table.guideline]
        if guideline not in cited or guideline["read"] not in ("full", "table"):
            return "primary needs the guideline itself, read in full or in its table"
    elif verified == "summary":
        others = [s for s in cited if s["id"] != table.guideline and s["read"] != "no"]
        if len(others) < 2:
            return "summary needs two independent read reproductions that agree"
    return None


def test_verified_rows_are_backed_as_the_rules_require(table):
    # a value is accepted from the guideline's own text, or from two agreeing reproductions of it
    for drug in table.drugs.values():
        for risk in ("low", "high"):
            m = drug[risk]
            assert _support_problem(table, m["verified"], m["sources"]) is None, (drug["id"], risk)
    for risk, lab in table.labs.items():
        assert _support_problem(table, lab["verified"], lab["sources"]) is None, ("labs", risk)


def test_drug_rows_stay_unverified_while_the_guideline_is_unread(table):
    # the SIR 2019 drug table has not been read, nor two agreeing reproductions of it, so the
    # shipped table states no withhold or restart value for any drug (see the file's STATUS)
    assert table.sources[table.guideline]["read"] == "no"
    for drug_id in REQUIRED:
        for risk in ("low", "high"):
            m = table.drugs[drug_id][risk]
            assert (m["verified"], m["withhold"], m["restart"], m["renal"]) == ("no", None, None, []), (drug_id, risk)
            assert "two agreeing published" in m["note"]


GOOD = """\
guideline: g
sources:
  - id: g
    citation: TEST ONLY, not a real guideline
    url: https://example.org/test
    read: table
labs:
  low: {screening: s, inr: i, platelets: p, verified: primary, sources: [g]}
  high: {screening: s, inr: i, platelets: p, verified: primary, sources: [g]}
classes:
  - {id: kls, name: Test class, synonyms: [TC], members: [renal-drug, plain-drug]}
drugs:
  - id: renal-drug
    name: Renal drug
    group: anticoagulant
    synonyms: [Renalix]
    low: {withhold: TEST low withhold, restart: TEST low restart, verified: primary, sources: [g]}
    high:
      withhold: TEST high withhold
      restart: TEST high restart
      verified: primary
      sources: [g]
      renal:
        - {crcl_min: 50, withhold: TEST band A}
        - {crcl_min: 30, crcl_max: 50, withhold: TEST band B}
        - {crcl_max: 30, withhold: TEST band C, restart: TEST restart C}
  - id: plain-drug
    name: Plain drug
    group: antiplatelet
    low: {withhold: TEST, restart: TEST, verified: primary, sources: [g]}
    high: {withhold: TEST, restart: TEST, verified: primary, sources: [g]}
"""


def test_renal_bands_adjust_where_the_table_does(tmp_path):
    path = tmp_path / "anticoag.yaml"
    path.write_text(GOOD)
    table, problems = anticoag.validate(path)
    assert problems == []
    for crcl, band in (
        (80, "TEST band A"),
        (50, "TEST band A"),
        (49.9, "TEST band B"),
        (30, "TEST band B"),
        (12, "TEST band C"),
    ):
        ans = anticoag.answer(table, "Renalix", "high", crcl=crcl)
        assert ans.renal["withhold"] == band, crcl
        assert ans.as_dict()["withhold"] == "TEST high withhold"
    plain = anticoag.answer(table, "plain drug", "high", crcl=20)
    assert plain.renal is None and any("no renal adjustment" in n for n in plain.notes)
    no_crcl = anticoag.answer(table, "renal-drug", "low")
    assert no_crcl.renal is None and no_crcl.as_dict()["withhold"] == "TEST low withhold"


BROKEN = {
    "unknown source": (
        ("low: {withhold: TEST low withhold, restart: TEST low restart, verified: primary, sources: [g]}",
         "low: {withhold: TEST low withhold, restart: TEST low restart, verified: primary, sources: [nope]}"),
        "drugs[0].low.sources[0]",
        "'nope' is not a listed source id",
    ),
    "name used twice": (
        ("    synonyms: [Renalix]", "    synonyms: [Renalix, TC]"),
        "classes[0].synonyms[0]",
        "already used",
    ),
    "class member missing": (
        ("members: [renal-drug, plain-drug]", "members: [renal-drug, ghost-drug]"),
        "classes[0].members[1]",
        "not a drug id",
    ),
    "overlapping bands": (("{crcl_min: 30, crcl_max: 50", "{crcl_min: 40, crcl_max: 60"), "drugs[0].high", "overlap"),
    "unverified with a value": (
        ("      verified: primary\n      sources: [g]\n      renal:",
         '      verified: "no"\n      note: x\n      sources: [g]\n      renal:'),
        "drugs[0].high",
        "must be null",
    ),
    "bad read value": (("read: table", "read: skimmed"), "sources[0].read", "is not allowed"),
    "unknown field": (
        ("group: antiplatelet", "group: antiplatelet\n    colour: red"),
        "drugs[1].colour",
        "unknown field",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_validation_names_file_line_and_field(tmp_path, case):
    (old, new), field, message = BROKEN[case]
    assert old in GOOD
    path = tmp_path / "anticoag.yaml"
    path.write_text(GOOD.replace(old, new))
    table, problems = anticoag.validate(path)
    assert table is None and problems
    p = next((p for p in problems if message in p.message), None)
    assert p is not None, [str(x) for x in problems]
    assert p.path.endswith("anticoag.yaml") and isinstance(p.line, int) and p.line > 1
    assert p.field == field
    assert str(p).startswith(f"{p.path}:{p.line}: {field}: ")


def test_broken_table_is_a_data_error_not_a_traceback(tmp_path):
    path = tmp_path / "anticoag.yaml"
    path.write_text("drugs: [\n")
    with pytest.raises(DataError) as exc:
        anticoag.load(path)
    assert "anticoag.yaml" in exc.value.message


# ---------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("query", "drug"),
    [
        ("Eliquis", "apixaban"),
        ("eliquis", "apixaban"),
        ("Xarelto", "rivaroxaban"),
        ("Plavix", "clopidogrel"),
        ("Pradaxa", "dabigatran"),
        ("Savaysa", "edoxaban"),
        ("Coumadin", "warfarin"),
        ("Arixtra", "fondaparinux"),
        ("Brilinta", "ticagrelor"),
        ("Effient", "prasugrel"),
        ("ASA", "aspirin"),
        ("UFH", "ufh"),
        ("heparin", "ufh"),
        ("LMWH therapeutic", "lmwh-therapeutic"),
        ("prophylactic enoxaparin", "lmwh-prophylactic"),
        ("ibuprofen", "nsaids"),
        ("Toradol", "nsaids"),
        ("  APIXABAN ", "apixaban"),
    ],
)
def test_brand_names_and_abbreviations_resolve(table, query, drug):
    assert anticoag.resolve(table, query)["id"] == drug


def test_classes_answer_with_a_hint(cli):
    r = cli("anticoag", "DOAC", "--risk", "high", "--json")
    assert r.code == 2 and r.out == ""
    assert r.err.startswith("Error: 'DOAC' is a class")
    for name in ("Apixaban", "Rivaroxaban", "Edoxaban", "Dabigatran"):
        assert name in r.err
    r = cli("anticoag", "LMWH", "--risk", "low")
    assert r.code == 2 and "prophylactic dose" in r.err and "therapeutic dose" in r.err


def test_unknown_drug_suggests(cli):
    r = cli("anticoag", "apixiban", "--risk", "high", "--json")
    assert r.code == 1 and r.out == ""
    assert "Did you mean: Apixaban?" in r.err
    with pytest.raises(NotFoundError):
        anticoag.resolve(anticoag.load(), "aspirinx42")


# ---------------------------------------------------------------- answers


def test_risk_class_answer_json(cli):
    r = cli("anticoag", "Eliquis", "--risk", "high", "--json")
    assert r.code == 0, r.err
    d = r.json()
    for key in ("drug", "risk", "withhold", "restart", "labs", "notes", "reference", "notice"):
        assert key in d
    assert (d["drug"], d["risk"], d["risk_from"], d["notice"]) == ("Apixaban", "high", "--risk", NOTICE)
    # the row is not verified in the guideline's text, so no value is stated and the notes say why
    assert d["withhold"] is None and d["restart"] is None and d["verified"] == "no"
    assert any(n.startswith("Not verified") for n in d["notes"])
    assert d["labs"]["inr"].startswith("Correct INR to within the range of 1.5-1.8")
    assert d["labs"]["platelets"].endswith("below 50 x 10^9/L.")
    assert any("10.1016/j.jvir.2019.04.017" in ref["citation"] for ref in d["reference"])
    low = cli("anticoag", "Eliquis", "--risk", "low", "--json").json()
    assert "2.0-3.0" in low["labs"]["inr"] and "20 x 10^9/L" in low["labs"]["platelets"]
    assert any("femoral" in o for o in low["labs"]["other"])


def test_people_output_says_not_verified_and_ends_with_notice(cli):
    r = cli("anticoag", "Xarelto", "--risk", "high")
    assert r.code == 0
    assert "NOT VERIFIED" in r.out and "Consult the guideline" in r.out
    assert r.out.rstrip().endswith(NOTICE)


def test_procedure_with_a_class(cli):
    r = cli("anticoag", "clopidogrel", "--procedure", "tips", "--json")
    assert r.code == 0, r.err
    d = r.json()
    assert (d["risk"], d["risk_from"]) == ("high", "procedure")
    assert d["procedure"]["id"] == "tips" and d["procedure"]["bleeding_risk"] == "high"
    # the same class given twice is fine; a contradiction is refused
    assert cli("anticoag", "clopidogrel", "--procedure", "tips", "--risk", "high", "--json").code == 0
    bad = cli("anticoag", "clopidogrel", "--procedure", "tips", "--risk", "low", "--json")
    assert bad.code == 2 and bad.out == "" and "contradicts" in bad.err


def test_procedure_without_a_class(cli):
    r = cli("anticoag", "Plavix", "--procedure", "bland embolization", "--json")
    assert r.code == 2 and r.out == ""
    assert "has no SIR 2019 bleeding-risk class" in r.err and "--risk low or --risk high" in r.err
    r = cli("anticoag", "Plavix", "--procedure", "bland embolization", "--risk", "low", "--json")
    assert r.code == 0
    d = r.json()
    assert d["risk"] == "low" and d["procedure"]["bleeding_risk"] is None
    assert any("no SIR 2019 bleeding-risk class" in n for n in d["notes"])


def test_procedure_names_resolve_like_show(cli):
    r = cli("anticoag", "warfarin", "--procedure", "Transjugular intrahepatic portosystemic shunt", "--json")
    assert r.code == 0 and r.json()["procedure"]["id"] == "tips"
    r = cli("anticoag", "warfarin", "--procedure", "vertebroplsaty", "--json")  # a typo: announced on stderr
    assert r.code == 0 and r.json()["procedure"]["id"] == "vertebroplasty"
    assert "using Vertebroplasty for 'vertebroplsaty'" in r.err
    r = cli("anticoag", "warfarin", "--procedure", "xyzzy", "--json")
    assert r.code == 1 and r.out == "" and r.err.startswith("Error:")


def test_crcl_on_real_table(cli):
    d = cli("anticoag", "dabigatran", "--risk", "high", "--crcl", "42", "--json").json()
    assert d["crcl"] == 42 and d["renal"] is None
    assert any("no renal adjustment is stated" in n for n in d["notes"])
    d = cli("anticoag", "dabigatran", "--risk", "high", "--crcl", "42 mL/min", "--json").json()
    assert d["crcl"] == 42
    r = cli("anticoag", "dabigatran", "--risk", "high", "--crcl", "lots", "--json")
    assert r.code == 2 and r.out == "" and "--crcl" in r.err


def test_usage_errors(cli):
    for args, text in (
        (["anticoag", "apixaban", "--json"], "--risk low|high"),
        (["anticoag", "--risk", "high"], "missing argument: DRUG"),
        (["anticoag", "apixaban", "--risk", "medium"], "--risk 'medium' is not one of"),
        (["anticoag", "--list", "apixaban"], "--list takes no drug"),
        (["anticoag", "", "--risk", "high"], "empty drug name"),
    ):
        r = cli(*args)
        assert r.code == 2, (args, r.err)
        assert r.out == "" and r.err.startswith("Error:") and text in r.err


def test_list(cli):
    d = cli("anticoag", "--list", "--json").json()
    assert REQUIRED <= {row["id"] for row in d["drugs"]} and d["notice"] == NOTICE
    r = cli("anticoag", "--list")
    assert r.code == 0 and "Eliquis" in r.out and r.out.rstrip().endswith(NOTICE)


def test_core_api_without_typer(table):
    ans = anticoag.answer(
        table, "Plavix", procedure={"id": "x", "name": "X", "bleeding_risk": "low", "bleeding_risk_note": None}
    )
    assert ans.risk == "low" and ans.risk_from == "procedure"
    with pytest.raises(UsageError):
        anticoag.answer(table, "Plavix")


@pytest.mark.skipif(not SCRIPT.exists(), reason="irref console script not installed in this environment")
def test_installed_script_runs_anticoag(tmp_path):
    env = {**os.environ, "IRREF_CACHE_DIR": str(tmp_path / "c")}
    out = subprocess.run(
        [str(SCRIPT), "anticoag", "Eliquis", "--procedure", "TIPS", "--json"],
        cwd=tmp_path, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    assert (d["drug"], d["risk"], d["notice"]) == ("Apixaban", "high", NOTICE)
    bad = subprocess.run(
        [str(SCRIPT), "anticoag", "NOAC", "--risk", "high"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert bad.returncode == 2 and bad.stdout == "" and bad.stderr.startswith("Error: 'NOAC' is a class")
