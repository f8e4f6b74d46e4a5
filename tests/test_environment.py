"""The injected environment (irref/environment.py): the real entry path run as a terminal and as
a pipe, with its own streams and environment variables, and nothing left behind."""

from __future__ import annotations

import io
import json
import os
import re
import sys

from irref import entry
from irref.environment import Environment, current

from .conftest import write_record

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _env(tmp_path, *, tty: bool | None, width: int | None = None, **extra: str) -> Environment:
    environ = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "FORCE_COLOR", "NO_COLOR")}
    environ.update({"IRREF_CACHE_DIR": str(tmp_path / "cache"), "IRREF_PAGER": "cat", **extra})
    return Environment(io.StringIO(), io.StringIO(), environ, stdout_isatty=tty, width=width)


def _out(env: Environment) -> str:
    return env.stdout.getvalue()


def test_as_a_terminal_and_as_a_pipe(tmp_path):
    before = (sys.stdout, sys.stderr)
    term = _env(tmp_path, tty=True, width=72)
    assert entry.run(["show", "tips"], env=term) == 0
    drawn = _out(term)
    assert ANSI.search(drawn), "a terminal gets colour"
    plain = ANSI.sub("", drawn)
    assert "Transjugular" in plain and max(map(len, plain.splitlines())) <= 72
    pipe = _env(tmp_path, tty=False, width=72)
    assert entry.run(["show", "tips"], env=pipe) == 0
    assert not ANSI.search(_out(pipe)) and ANSI.sub("", drawn) == _out(pipe)
    # JSON: indented for a person at a terminal, one line for a script
    term_json, pipe_json = _env(tmp_path, tty=True), _env(tmp_path, tty=False)
    entry.run(["show", "tips", "--json"], env=term_json)
    entry.run(["show", "tips", "--json"], env=pipe_json)
    assert json.loads(_out(term_json)) == json.loads(_out(pipe_json))
    assert _out(term_json).count("\n") > 20 and _out(pipe_json).count("\n") == 1
    assert (sys.stdout, sys.stderr) == before  # the process's streams are back
    assert current().environ is os.environ  # and so is its environment


def test_errors_and_typer_messages_go_to_the_runs_stderr(tmp_path):
    env = _env(tmp_path, tty=False)
    assert entry.run(["show", "no such procedure at all"], env=env) == 1
    assert _out(env) == "" and "Error:" in env.stderr.getvalue()
    usage = _env(tmp_path, tty=False)
    assert entry.run(["show", "tips", "--no-such-option"], env=usage) == 2
    assert _out(usage) == "" and "No such option" in usage.stderr.getvalue()


def test_the_runs_environment_variables_choose_the_data(tmp_path):
    data = tmp_path / "mine"
    write_record(data / "procedures", "env-probe", name="Environment Probe Procedure")
    env = _env(tmp_path, tty=False, IRREF_DATA_DIRS=str(data))
    assert entry.run(["show", "env-probe", "--json"], env=env) == 0
    assert json.loads(_out(env))["name"] == "Environment Probe Procedure"
    assert "IRREF_DATA_DIRS" not in os.environ  # the process itself never saw it
    other = _env(tmp_path, tty=False)
    assert entry.run(["show", "env-probe", "--json"], env=other) == 1


def test_a_terminal_pages_long_output_through_the_pager(tmp_path):
    got = tmp_path / "paged.txt"
    pager = tmp_path / "pager.sh"
    pager.write_text(f"#!/bin/sh\ncat > {got}\n")
    pager.chmod(0o755)
    env = _env(tmp_path, tty=True, width=80, IRREF_PAGER=str(pager))
    assert entry.run(["show", "tips"], env=env) == 0
    assert "Transjugular" in got.read_text() and _out(env) == ""
    got.unlink()
    quiet = _env(tmp_path, tty=True, width=80, IRREF_PAGER=str(pager))
    assert entry.run(["--no-pager", "show", "tips"], env=quiet) == 0
    assert not got.exists() and "Transjugular" in _out(quiet)
