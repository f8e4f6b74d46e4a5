from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from irref.cli import STATE, app

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
    def __init__(self, result):
        self.code = result.exit_code
        self.out = result.stdout
        self.err = result.stderr
        self.exception = result.exception

    def json(self):
        return json.loads(self.out)


@pytest.fixture
def cli():
    runner = CliRunner()

    def invoke(*args: str, env: dict[str, str] | None = None) -> Run:
        result = runner.invoke(app, list(args), env=env, catch_exceptions=True)
        run = Run(result)
        if run.exception is not None and not isinstance(run.exception, SystemExit):
            raise run.exception
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
