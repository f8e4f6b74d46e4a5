"""Bad queries and hostile text: clear errors, exit codes in {0, 1, 2}, nothing rendered from data."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from irref import run

from .conftest import write_record

QUERY_ARGS = [
    # positional queries go after "--", so text such as "-h" is a query, not an option
    ["show", "--json", "--", "{q}"],
    ["show", "--", "{q}"],
    ["for-condition", "--json", "--", "{q}"],
    ["list", "--modality", "{q}", "--json"],
    ["list", "--category", "{q}", "--json"],
    ["list", "--region", "{q}", "--json"],
    ["list", "--condition", "{q}", "--json"],
    ["show", "ablation", "--section", "{q}", "--json"],
    ["search", "--json", "--", "{q}"],
    ["search", "--", "{q}"],
    ["search", "--csv", "--", "{q}"],
    ["compare", "--json", "--", "ablation", "{q}"],
    ["compare", "--", "{q}", "TACE"],
    ["conditions", "--json", "--", "{q}"],
    ["tree", "--json", "--", "{q}"],
    ["export", "--", "{q}"],
    ["for-condition", "--jsonl", "--", "{q}"],
]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(min_size=0, max_size=60), which=st.integers(min_value=0, max_value=len(QUERY_ARGS) - 1))
def test_arbitrary_text_never_crashes(cli, text, which):
    args = [a.replace("{q}", text) for a in QUERY_ARGS[which]]
    r = cli(*args)  # the fixture asserts there is no traceback
    assert r.code in (0, 1, 2)
    if "--json" in args and r.code == 0:
        json.loads(r.out)
    if "--jsonl" in args and r.code == 0:
        for line in r.out.splitlines():
            json.loads(line)
    if r.code != 0:
        assert r.out in ("", "[]\n") or ("--csv" in args and r.out.count("\n") == 1)  # CSV: the header only


def test_huge_and_strange_queries(cli):
    for q in ["x" * 100_000, "\x1b[31mred\x1b[0m", "!!!???", "🦴🩻", "椎体形成術", "\x00\x07"]:
        r = cli("show", q, "--json")
        assert r.code in (1, 2), q[:20]
        assert r.out == ""
        assert r.err.startswith("Error:") or "Error:" in r.err
        assert "\x1b[" not in r.err


def test_markup_and_escapes_in_data_are_not_interpreted(cli, tmp_path):
    path = write_record(tmp_path, "markup-test", name="Markup [red]Evil[/red] Test", summary="PLACEHOLDER")
    # YAML double-quoted escapes put a real ESC and BEL into the loaded value
    escaped = '"Click [link=https://example.invalid]here[/link] \\e[31mnow\\e[0m \\a bell"'
    path.write_text(path.read_text().replace("PLACEHOLDER", escaped))
    r = cli("--data-dir", str(tmp_path), "show", "markup-test", env={"COLUMNS": "200"})
    assert r.code == 0, r.err
    assert "[red]Evil[/red]" in r.out
    assert "[link=https://example.invalid]here[/link]" in r.out
    assert "\x1b" not in r.out and "\x07" not in r.out
    assert "now" in r.out


def test_no_color_and_dumb_terminal(cli):
    for env in ({"NO_COLOR": "1"}, {"TERM": "dumb"}):
        r = cli("show", "ablation", env=env)
        assert r.code == 0
        assert "\x1b[" not in r.out


def test_narrow_and_wide_terminals_render_every_name(cli):
    names = [rec["name"] for rec in cli("list", "--category", "biopsy", "--json").json()]
    for width in ("40", "200"):
        r = cli("list", "--category", "biopsy", env={"COLUMNS": width})
        assert r.code == 0
        assert max(len(line) for line in r.out.splitlines()) <= int(width)
        if width == "200":
            assert all(name in r.out for name in names)
        else:  # narrow: one block per procedure, names wrapped but every word present
            flat = " ".join(r.out.split())
            assert all(name.split()[0] in flat for name in names)
    show = cli("show", "TACE", env={"COLUMNS": "40"})
    assert max(len(line) for line in show.out.splitlines()) <= 40


def test_interrupt_exits_130_without_traceback(capsys):
    def action() -> int:
        raise KeyboardInterrupt

    assert run.guarded(action) == 130
    assert capsys.readouterr().err == "Interrupted.\n"


def test_debug_shows_the_traceback():
    from typer.testing import CliRunner

    from irref.cli import app
    from irref.errors import NotFoundError

    result = CliRunner().invoke(app, ["--debug", "show", "xyzzy"])
    assert isinstance(result.exception, NotFoundError)  # raised, not turned into one line


# Each mutation: (name, makes the record invalid?, function applied to the record mapping)
def _set(key, value):
    def apply(rec):
        rec[key] = value

    return apply


def _drop(key):
    def apply(rec):
        del rec[key]

    return apply


MUTATIONS = [
    ("new summary", False, _set("summary", "A plain sentence about the procedure.")),
    ("extra alias", False, _set("aliases", ["zz unique alias for testing"])),
    ("no parent", False, _set("parent", None)),
    ("low risk", False, _set("bleeding_risk", "low")),
    ("more steps", False, _set("steps", ["First step.", "Second step.", "Third step."])),
    ("drop summary", True, _drop("summary")),
    ("drop references", True, _drop("references")),
    ("risks as string", True, _set("risks", "one risk")),
    ("two risks", True, _set("risks", ["one", "two"])),
    ("unknown field", True, _set("modalites", ["CT"])),
    ("bad category", True, _set("category", "astrology")),
    ("bad modality", True, _set("modalities", ["telepathy"])),
    ("bad condition", True, _set("conditions", [{"id": "no-such-condition", "purpose": "x"}])),
    ("bad related", True, _set("related", ["no-such-procedure"])),
    ("bad date", True, _set("reviewed", "yesterday")),
    ("null risk without note", True, lambda rec: (rec.update(bleeding_risk=None), rec.pop("bleeding_risk_note", None))),
    ("TODO text", True, _set("description", "TODO")),
    ("bad id", True, _set("id", "Not A Kebab Id")),
]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(picks=st.lists(st.integers(min_value=0, max_value=len(MUTATIONS) - 1), max_size=3, unique=True))
def test_validate_accepts_exactly_the_valid_records(cli, tmp_path_factory, picks):
    from ruamel.yaml import YAML

    from .conftest import ROOT

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False  # flow style mangles URLs containing ':'
    rec = yaml.load((ROOT / "data" / "procedures" / "thoracentesis.yaml").read_text())
    rec.update(id="prop-test", name="Property Test Procedure", aliases=[], related=[], parent=None)
    for i in sorted(picks):  # the valid mutations come first, so none can undo an invalid one
        MUTATIONS[i][2](rec)
    invalid = any(MUTATIONS[i][1] for i in picks)
    directory = tmp_path_factory.mktemp("prop")
    path = directory / "prop-test.yaml"
    with open(path, "w") as fh:
        yaml.dump(rec, fh)
    r = cli("validate", str(path))
    assert r.code == (1 if invalid else 0), (sorted(MUTATIONS[i][0] for i in picks), r.out)
    if invalid:
        assert "prop-test.yaml" in r.out
