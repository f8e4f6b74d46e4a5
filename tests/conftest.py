from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from irref.cli import STATE

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture(autouse=True)
def _isolated(tmp_path_factory, monkeypatch):
    """Every test gets its own cache dir, no user data dirs, and a fixed terminal width."""
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("IRREF_CACHE_DIR", str(cache))
    monkeypatch.delenv("IRREF_DATA_DIRS", raising=False)
    monkeypatch.delenv("IRREF_DEBUG", raising=False)
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.delenv("NO_COLOR", raising=False)
    STATE.data_dirs = []
    STATE.debug = False
    yield


class Run:
    def __init__(self, code: int, out: str, err: str):
        self.code = code
        self.out = out
        self.err = err

    def json(self):
        return json.loads(self.out)


def run_cli(args: list[str], env: dict[str, str] | None = None, *, fast: bool = True) -> Run:
    """Run a command line through the real entry point (irref.entry.run: the fast parser, or Typer
    where it defers), with stdout and stderr captured as a pipe would see them."""
    from irref import entry

    runner = CliRunner()
    env = dict(env or {})
    if not fast:
        env["IRREF_NO_FAST_PATH"] = "1"
    with runner.isolation(env=env) as (out, err, _):
        code = entry.run(list(args))
        sys.stdout.flush()
        sys.stderr.flush()
        stdout, stderr = out.getvalue().decode("utf-8", "replace"), err.getvalue().decode("utf-8", "replace")
    STATE.data_dirs = []
    STATE.debug = False
    return Run(code, stdout, stderr)


@pytest.fixture
def cli():
    """The CLI as users run it (fast path where it answers, else Typer)."""

    def invoke(*args: str, env: dict[str, str] | None = None) -> Run:
        run = run_cli(list(args), env)
        assert "Traceback" not in run.out + run.err
        return run

    return invoke


@pytest.fixture
def typer_cli():
    """The same command lines through Typer only (IRREF_NO_FAST_PATH=1)."""

    def invoke(*args: str, env: dict[str, str] | None = None) -> Run:
        run = run_cli(list(args), env, fast=False)
        assert "Traceback" not in run.out + run.err
        return run

    return invoke


def write_record(directory: Path, rid: str, **overrides) -> Path:
    """Write a valid record (copied from a shipped one) with overrides, for data-error tests."""
    from ruamel.yaml import YAML

    yaml = YAML()
    base = yaml.load((ROOT / "data" / "procedures" / "thoracentesis.yaml").read_text())
    base["id"] = rid
    base["name"] = overrides.pop("name", rid.replace("-", " ").title() + " Test")
    base["aliases"] = overrides.pop("aliases", [])
    base["related"] = overrides.pop("related", [])
    base["parent"] = overrides.pop("parent", None)
    for k, v in overrides.items():
        if v is ...:
            del base[k]
        else:
            base[k] = v
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{rid}.yaml"
    with open(path, "w") as fh:
        yaml.dump(base, fh)
    return path


os.environ.setdefault("IRREF_TEST", "1")
