"""The installed console script, and the wheel in a fresh virtual environment."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from .conftest import ROOT

SCRIPT = Path(sys.executable).with_name("irref")


@pytest.mark.skipif(not SCRIPT.exists(), reason="irref console script not installed in this environment")
def test_console_script_in_subprocess(tmp_path):
    env = {**os.environ, "IRREF_CACHE_DIR": str(tmp_path / "c")}
    out = subprocess.run([str(SCRIPT), "show", "TACE", "--json"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["id"] == "transarterial-chemoembolization"
    miss = subprocess.run([str(SCRIPT), "show", "xyzzy"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert miss.returncode == 1 and miss.stdout == "" and "Traceback" not in miss.stderr


def test_python_dash_m(tmp_path):
    env = {**os.environ, "IRREF_CACHE_DIR": str(tmp_path / "c"), "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-m", "irref", "--version"], env=env, capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("irref ")


def test_pipe_to_head_exits_quietly(tmp_path):
    if not SCRIPT.exists():
        pytest.skip("console script not installed")
    env = {**os.environ, "IRREF_CACHE_DIR": str(tmp_path / "c")}
    for cmd in (f"'{SCRIPT}' list | head -1", f"'{SCRIPT}' list --json | head -c 10"):
        out = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], env=env, capture_output=True, text=True)
        assert "Error" not in out.stderr and "Traceback" not in out.stderr, out.stderr
        assert out.returncode == 0, (cmd, out.returncode, out.stderr)


@pytest.mark.skipif(os.environ.get("IRREF_SKIP_WHEEL") == "1", reason="IRREF_SKIP_WHEEL=1")
def test_wheel_in_fresh_venv_runs_outside_the_repo(tmp_path):
    """Build the wheel, install it into a new venv, run from a directory outside the repo."""
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".venv*", ".git", "dist", "build", "drafts", "*.egg-info"))
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(src)], check=True)
    (wheel,) = dist.glob("irref-*.whl")
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    assert "irref/data/procedures/ablation.yaml" in names
    assert "irref/data/conditions.yaml" in names
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    pip = env_dir / "bin" / "pip"
    subprocess.run([str(pip), "install", "-q", str(wheel)], check=True)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["IRREF_CACHE_DIR"] = str(tmp_path / "cache")
    out = subprocess.run(
        [str(env_dir / "bin" / "irref"), "show", "ablation", "--json"],
        cwd=outside,
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    rec = json.loads(out.stdout)
    assert rec["id"] == "ablation"
    assert "/site-packages/irref/data/" in rec["source"]


FAST_SHAPES = [
    ["show", "ablation", "--json"],
    ["show", "vertebroplsaty", "--json"],
    ["show", "nephrostomy", "--section", "preparation", "-s", "aftercare", "--json"],
    ["show", "xyzzy", "--json"],
    ["show", "   ", "--json"],
    ["for-condition", "pancreatic cancer", "--json"],
    ["for-condition", "nonsense condition zz", "--json"],
    ["list", "--modality", "CAT scan", "--json"],
    ["list", "--modality=CT", "-c", "biopsy", "--json"],
    ["list", "--bleeding-risk", "medium", "--json"],
    ["list", "--region", "legs", "--category", "neurointerventional", "--json"],
    ["show", "ablation"],
    ["show", "TACE", "-s", "risks"],
    ["show", "nothing-like-this"],
    ["for-condition", "fibroids"],
    ["list", "-m", "MRI"],
    ["list", "--category", "nonsense"],
    ["list", "-m", "CT", "--jsonl"],
    ["for-condition", "HCC", "--csv"],
    ["list", "--json", "--csv"],
    ["search", "bone cement", "--json"],
    ["search", "bone cemnt", "-n", "3"],
    ["search", "biopsy", "--limit=2", "--csv"],
    ["search", "zzqqxx", "--jsonl"],
    ["search", "   "],
    ["compare", "vertebroplasty", "kyphoplasty"],
    ["compare", "TACE", "Y90", "--json"],
    ["compare", "ablation"],
    ["compare", "TACE", "chemoembolization", "--json"],
]


@pytest.mark.parametrize("argv", FAST_SHAPES, ids=lambda a: " ".join(a))
def test_fast_path_matches_typer(cli, tmp_path, argv, capsys, monkeypatch):
    """The Typer-free fast path gives the same stdout, stderr and exit code as the Typer commands."""
    from irref import fastpath

    code = fastpath.try_run(argv)
    fast = capsys.readouterr()
    assert code is not None, "shape should be handled by the fast path"
    slow = cli(*argv)
    assert code == slow.code
    assert fast.out == slow.out
    assert fast.err == slow.err


@pytest.mark.parametrize(
    "argv",
    [
        ["show", "--help", "--json"],
        ["show", "-h"],
        ["search", "x", "--limit", "0"],
        ["search", "x", "-n", "many"],
        ["compare", "a", "b", "--csv"],
        ["list", "--wat", "x", "--json"],
        ["schema"],
        ["show", "a", "b", "--json"],
        ["--version"],
    ],
)
def test_fast_path_defers_to_typer(argv):
    from irref import fastpath

    assert fastpath.try_run(argv) is None
