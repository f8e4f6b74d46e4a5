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
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(min_size=0, max_size=60), which=st.integers(min_value=0, max_value=len(QUERY_ARGS) - 1))
def test_arbitrary_text_never_crashes(cli, text, which):
    args = [a.replace("{q}", text) for a in QUERY_ARGS[which]]
    r = cli(*args)  # the fixture asserts there is no traceback
    assert r.code in (0, 1, 2)
    if "--json" in args and r.code == 0:
        json.loads(r.out)
    if r.code != 0:
        assert r.out in ("", "[]\n")


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
