"""Behaviour of the commands through Typer's CliRunner."""

from __future__ import annotations

import json

import pytest

from irref.vocab import SECTIONS


def test_version(cli):
    from irref import __version__

    r = cli("--version")
    assert r.code == 0
    assert r.out.strip() == f"irref {__version__}"


def test_help_says_not_advice_and_has_examples(cli):
    r = cli("--help")
    assert r.code == 0
    assert "not medical advice" in r.out
    for command in ("show", "for-condition", "list", "validate", "schema"):
        sub = cli(command, "--help")
        assert sub.code == 0
        assert "Example" in sub.out, command


def test_show_json_is_the_whole_record(cli):
    r = cli("show", "ablation", "--json")
    assert r.code == 0, r.err
    rec = r.json()
    assert rec["id"] == "ablation"
    for field in (
        "name",
        "summary",
        "steps",
        "modalities",
        "conditions",
        "preparation",
        "aftercare",
        "risks",
        "references",
        "bleeding_risk",
        "pediatric",
        "source",
    ):
        assert field in rec
    assert rec["source"].endswith("ablation.yaml")


def test_show_rich_has_every_section_and_variants(cli):
    r = cli("show", "ablation")
    assert r.code == 0
    for heading in (
        "Summary",
        "How it is done",
        "Imaging",  # in the card at the top
        "Preparation",
        "Aftercare",
        "Risks",
        "References",
        "Bleeding risk",
        "Variants",
    ):
        assert heading in r.out, heading
    assert "Radiofrequency ablation" in r.out  # a variant of the family entry
    assert "\x1b[" not in r.out  # not a terminal: no ANSI codes
    assert "not medical advice" in r.out


def test_show_sections_only(cli):
    r = cli("show", "nephrostomy", "--section", "preparation", "--section", "aftercare")
    assert r.code == 0, r.err
    assert "Preparation" in r.out and "Aftercare" in r.out
    assert "Risks" not in r.out and "How it is done" not in r.out


def test_show_sections_json(cli):
    r = cli("show", "nephrostomy", "-s", "prep", "-s", "risks", "--json")
    data = r.json()
    assert set(data) == {"id", "name", "preparation", "risks", "match"}
    assert data["match"]["kind"] == "exact"


def test_show_unknown_section_is_usage_error(cli):
    r = cli("show", "nephrostomy", "--section", "wibble")
    assert r.code == 2
    assert r.out == ""
    assert "unknown section 'wibble'" in r.err


def test_fuzzy_hit_says_what_it_matched(cli):
    r = cli("show", "vertebroplsaty", "--json")
    assert r.code == 0
    assert r.json()["id"] == "vertebroplasty"
    assert "showing Vertebroplasty for 'vertebroplsaty'" in r.err


def test_seed_misspelling_resolves(cli):
    r = cli("show", "veterbroplasty", "--json")
    assert r.code == 0
    assert r.json()["id"] == "vertebroplasty"


def test_miss_exit_1_with_suggestions_on_stderr(cli):
    r = cli("show", "nephrostmy tube placment extra words", "--json")
    assert r.code in (0, 1)
    r = cli("show", "gastro", "--json")
    assert r.code == 1
    assert r.out == ""
    assert "Error: no procedure matches 'gastro'" in r.err


def test_miss_suggests(cli):
    r = cli("show", "kyphoplast")
    assert r.code == 0  # close enough to match
    r = cli("show", "thrombo")
    assert r.code == 1
    assert "Did you mean" in r.err


@pytest.mark.parametrize("query", ["appendectomy", "hip replacement", "xyzzy", "tonsillectomy"])
def test_out_of_scope_is_not_found(cli, query):
    r = cli("show", query, "--json")
    assert r.code == 1
    assert r.out == ""
    assert f"no procedure matches '{query}'" in r.err


def test_for_condition_pancreatic_cancer(cli):
    r = cli("for-condition", "pancreatic cancer", "--json")
    assert r.code == 0
    ids = {rec["id"] for rec in r.json()}
    assert "irreversible-electroporation" in ids
    assert all(any(c["id"] == "pancreatic-cancer" for c in rec["conditions"]) for rec in r.json())
    table = cli("for-condition", "pancreatic cancer", env={"COLUMNS": "200"})
    assert "Irreversible electroporation" in table.out
    assert "What it does for it" in table.out


def test_for_condition_synonyms(cli):
    by_lay = {rec["id"] for rec in cli("for-condition", "liver cancer", "--json").json()}
    by_abbrev = {rec["id"] for rec in cli("for-condition", "HCC", "--json").json()}
    by_name = {rec["id"] for rec in cli("for-condition", "hepatocellular carcinoma", "--json").json()}
    assert by_lay == by_abbrev == by_name
    assert "transarterial-chemoembolization" in by_lay


@pytest.mark.parametrize(
    ("query", "cid"),
    [
        ("bleeding after birth", "postpartum-hemorrhage"),  # not "birthmark" (vascular malformation)
        ("heavy bleeding after giving birth", "postpartum-hemorrhage"),
        ("swollen veins in the scrotum", "varicocele"),
        ("fluid around the lungs", "pleural-effusion"),
        ("blocked bile duct", "biliary-obstruction"),
        # from a self-check of lay condition wording (the first two gave a wrong condition)
        ("leg ulcers", "venous-leg-ulcer"),
        ("blocked arteries in legs", "peripheral-artery-disease"),
        ("high blood pressure kidney", "renal-artery-stenosis"),
        ("can't swallow", "dysphagia"),
        ("dialysis", "chronic-kidney-disease"),
        ("bone cancer pain", "bone-metastases"),
    ],
)
def test_for_condition_lay_names(cli, query, cid):
    recs = cli("for-condition", query, "--json").json()
    assert recs and {rec["condition"]["id"] for rec in recs} == {cid}


def test_for_condition_unknown(cli):
    r = cli("for-condition", "zzzz unknown", "--json")
    assert r.code == 1
    assert r.out == "[]\n"  # an empty list for scripts; the miss is explained on stderr
    assert r.err.startswith("Error:")


def test_list_modality_synonym(cli):
    ct = cli("list", "--modality", "CT", "--json").json()
    cat = cli("list", "--modality", "CAT scan", "--json").json()
    assert [r["id"] for r in ct] == [r["id"] for r in cat]
    assert len(ct) > 10
    assert all("CT" in r["modalities"] for r in ct)
    fluoro = [r["id"] for r in cli("list", "--modality", "fluoroscopy", "--json").json()]
    for room in ("angiography suite", "angio suite", "cath lab"):  # where it is done, as staff say it
        assert [r["id"] for r in cli("list", "--modality", room, "--json").json()] == fluoro


def test_list_filters_combine(cli):
    every = cli("list", "--json").json()
    high = cli("list", "--bleeding-risk", "high", "--json").json()
    spine_high = cli("list", "--bleeding-risk", "high", "--region", "spine", "--json").json()
    assert 0 < len(spine_high) <= len(high) < len(every)
    assert all(r["bleeding_risk"] == "high" and "spine" in r["body_regions"] for r in spine_high)
    cat = cli("list", "--category", "biopsy", "--json").json()
    assert cat and all(r["category"] == "biopsy" for r in cat)
    cond = cli("list", "--condition", "fibroids", "--json").json()
    assert "uterine-fibroid-embolization" in {r["id"] for r in cond}


def test_list_no_rows_exit_1_and_empty_array(cli):
    r = cli("list", "--category", "neurointerventional", "--region", "legs", "--json")
    assert r.code == 1
    assert r.json() == []


def test_list_bad_filter_is_clean_error(cli):
    r = cli("list", "--modality", "telepathy", "--json")
    assert r.code == 1
    assert r.out == ""
    assert "no modality matches" in r.err
    r = cli("list", "--bleeding-risk", "medium")
    assert r.code == 2
    assert "bleeding risk must be" in r.err


def test_list_table(cli):
    r = cli("list", "--modality", "ultrasound")
    assert r.code == 0
    assert "Procedures (modality=Ultrasound)" in r.out
    assert "procedure(s)" in r.out


def test_schema_is_generated_from_model(cli):
    r = cli("schema")
    schema = r.json()
    assert schema["title"] == "Record"  # a record as --json prints it (the data file: --data-file)
    assert set(SECTIONS) - {"variants"} <= set(schema["properties"])
    assert "bleeding_risk" in schema["required"]


def test_validate_shipped_catalog_is_clean(cli):
    r = cli("validate")
    assert r.code == 0, r.out
    assert r.out == ""
    assert "procedures" in r.err and "valid" in r.err


def test_empty_query(cli):
    r = cli("show", "   ")
    assert r.code == 2
    assert "empty procedure" in r.err
    assert r.out == ""


def test_json_output_is_parseable_everywhere(cli):
    for args in (
        ["show", "TACE", "--json"],
        ["list", "--json"],
        ["for-condition", "PAD", "--json"],
        ["validate", "--json"],
        ["schema"],
    ):
        r = cli(*args)
        json.loads(r.out)


@pytest.mark.parametrize(
    ("name", "heading"),
    [
        ("variants", "Variants"),
        ("body_regions", "Body regions"),
        ("body-regions", "Body regions"),
        ("kinds", "Variants"),
        ("types", "Variants"),
        ("indications", "Used for"),
        ("complications", "Complications"),
        ("devices", "Equipment"),
        ("sources", "References"),
        ("Pearls", "Pearls"),
    ],
)
def test_every_listed_section_name_and_alias_works(cli, name, heading):
    r = cli("show", "ablation", "--section", name)
    assert r.code == 0, r.err
    assert heading in r.out


@pytest.mark.parametrize("columns", ["80", "100", "200"])
@pytest.mark.parametrize(
    "argv", [["list", "--category", "biopsy"], ["list", "--modality", "CT"], ["for-condition", "stroke"]]
)
def test_tables_keep_names_ids_and_bleeding_whole_at_every_width(cli, columns, argv):
    records = cli(*argv, "--json").json()
    r = cli(*argv, env={"COLUMNS": columns})
    assert r.code == 0
    lines = r.out.splitlines()
    assert max(len(line) for line in lines) <= int(columns)
    words = {w for line in lines for w in line.split()}
    for rec in records:
        assert rec["id"] in words, (columns, rec["id"])  # never split across lines
    if argv[0] == "list":
        assert "not classed" in r.out or "low" in words or "high" in words
        assert "not clas…" not in r.out and "Blee…" not in r.out


def test_long_output_is_paged_on_a_terminal_only(tmp_path):
    """On a terminal, `show` goes through IRREF_PAGER (here a script that records what it got);
    --no-pager, IRREF_PAGER=cat and a pipe never page."""
    import os
    import pty
    import subprocess
    import sys
    from pathlib import Path

    script = Path(sys.executable).with_name("irref")
    if not script.exists():
        pytest.skip("console script not installed")
    got = tmp_path / "paged.txt"
    pager = tmp_path / "pager.sh"
    pager.write_text(f"#!/bin/sh\ncat > {got}\n")
    pager.chmod(0o755)
    env = {**os.environ, "IRREF_PAGER": str(pager), "IRREF_CACHE_DIR": str(tmp_path / "c"), "COLUMNS": "80"}

    def on_tty(*argv: str) -> None:
        leader, follower = pty.openpty()
        proc = subprocess.Popen([str(script), *argv], stdin=follower, stdout=follower, stderr=follower, env=env)
        os.close(follower)
        while True:  # drain the terminal so the program never blocks on a full pty
            try:
                if not os.read(leader, 65536):
                    break
            except OSError:
                break
        proc.wait(timeout=60)
        os.close(leader)

    on_tty("show", "tips")
    assert got.exists() and "Transjugular" in got.read_text()
    got.unlink()
    on_tty("show", "tips", "--no-pager")
    assert not got.exists()
    subprocess.run([str(script), "show", "tips"], env=env, capture_output=True, timeout=60)
    assert not got.exists()  # piped: never paged
