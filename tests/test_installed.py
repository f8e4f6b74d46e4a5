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


FAST_SHAPES += [
    ["tree", "ablation"],
    ["tree", "--json"],
    ["conditions", "liver", "--json"],
    ["modalities", "--csv"],
    ["show", "liver", "biopsy", "--json"],
    ["show", "GAE", "--data-dir", "data"],  # a global option after the command, as git allows
    ["--data-dir", "data", "show", "GAE", "--json"],
    ["export", "vertebroplasty"],
    ["validate", "data/procedures/ablation.yaml"],
    ["schema"],
    ["search", "x", "--limit", "0"],
    ["search", "x", "-n", "many"],
]


@pytest.mark.parametrize("argv", FAST_SHAPES, ids=lambda a: " ".join(a))
def test_fast_path_matches_typer(cli, typer_cli, argv, monkeypatch):
    """The real entry point (fast parser where it answers) gives the same stdout, stderr and exit
    code as Typer alone."""
    monkeypatch.chdir(ROOT)
    fast, slow = cli(*argv), typer_cli(*argv)
    assert (fast.code, fast.out, fast.err) == (slow.code, slow.out, slow.err)


@pytest.mark.parametrize(
    "argv",
    [
        ["show", "--help", "--json"],
        ["show", "-h"],
        ["search", "x", "--limit", "0"],
        ["search", "x", "-n", "many"],
        ["search", "x", "--limit", "\u00b2"],
        ["search", "x", "--limit", "\u0663"],
        ["list", "--wat", "x", "--json"],
        ["--version"],
        [],
        ["nonsense-command"],
        ["show"],
        ["show", "--section"],
    ],
)
def test_fast_parser_defers_to_typer(argv):
    from irref import fastparse, grammar

    assert fastparse.parse(argv, grammar.load()) is None


@pytest.mark.parametrize(
    ("argv", "path", "params"),
    [
        (["show", "liver", "biopsy", "--json"], "show", {"query": ["liver", "biopsy"], "as_json": True}),
        (["list", "--modality=CT", "-c", "biopsy"], "list", {"modality": "CT", "category": "biopsy"}),
        (["search", "x", "-n", "3"], "search", {"text": "x", "limit": 3}),
        (["show", "x", "-s", "risks", "--section", "labs"], "show", {"section": ["risks", "labs"]}),
        (["show", "--", "-x"], "show", {"query": ["-x"]}),
    ],
)
def test_fast_parser_fills_typer_parameter_names(argv, path, params):
    from irref import fastparse, grammar

    parsed = fastparse.parse(argv, grammar.load())
    assert parsed is not None and parsed.path == path
    assert {k: parsed.params[k] for k in params} == params


def test_global_options_anywhere_and_command_options_win():
    from irref import fastparse, grammar

    table = grammar.load()
    parsed = fastparse.parse(["show", "GAE", "--data-dir", "mine", "--debug"], table)
    assert parsed.globals["data_dir"] == [Path("mine")] and parsed.globals["debug"] is True
    parsed = fastparse.parse(["new", "X", "--data-dir", "out"], table)  # `new` has its own --data-dir
    assert parsed.params["data_dir"] == Path("out") and not parsed.globals["data_dir"]


def test_grammar_table_is_generated_from_the_typer_app():
    """Like `cog --check`: editing an option in irref/cli.py without regenerating fails here."""
    from irref import grammar

    assert grammar.dumps(grammar.generate()) == Path(grammar.TABLE).read_text(encoding="utf-8"), (
        "irref/grammar_table.py is out of date: run 'python -m irref.grammar'"
    )


def test_every_command_has_an_action():
    from irref import actions, grammar

    def paths(node, prefix=()):
        for name, sub in node.get("commands", {}).items():
            if "commands" in sub:
                yield from paths(sub, (*prefix, name))
            else:
                yield " ".join((*prefix, name))

    assert set(paths(grammar.load())) <= set(actions.ACTIONS)


def test_fast_completion_does_not_import_typer(tmp_path):
    env = {
        **os.environ,
        "IRREF_CACHE_DIR": str(tmp_path / "c"),
        "_IRREF_COMPLETE": "complete_bash",
        "COMP_WORDS": "irref show vert",
        "COMP_CWORD": "2",
    }
    code = "import sys; from irref import entry; c = entry.run([]); print(); print(c, 'typer' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.splitlines()[-1] == "0 False"
    assert "vertebroplasty" in out.stdout


_HEAVY = ("rich", "rapidfuzz", "ruamel", "pydantic", "typer", "pathlib", "datetime", "typing", "dataclasses")


@pytest.mark.parametrize(
    ("argv", "heavy"),
    [
        (["show", "ablation", "--json"], (*_HEAVY, "json")),
        (["show", "vertebroplsaty", "--json"], _HEAVY[2:]),  # typo: the word index, no rapidfuzz scan
        (["show", "pelvic congestion treatment", "--json"], _HEAVY[2:]),  # the search fallback
        (["search", "bone cement", "--json"], _HEAVY[2:]),
    ],
)
def test_warm_json_paths_import_only_what_they_need(tmp_path, argv, heavy):
    """Warm `--json` paths stay free of the packages they do not need: Rich, ruamel, pydantic,
    Typer, and modules such as pathlib, typing and dataclasses (~30 ms together on this VM); an
    exact `show` needs not even json or rapidfuzz. Each answer is still valid JSON."""
    env = {**os.environ, "IRREF_CACHE_DIR": str(tmp_path / "c")}
    env.pop("PYTHONPATH", None)
    code = (
        f"import re, sys; from irref.entry import run; c = run({argv!r});"
        f"sys.stderr.write('|' + ','.join(m for m in {heavy!r} if m in sys.modules)); sys.exit(c)"
    )
    first = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr  # the cold run builds the index (and the word caches)
    warm = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert warm.returncode == 0, warm.stderr
    assert warm.stderr.rsplit("|", 1)[1] == ""
    answer = json.loads(warm.stdout)
    if argv[0] == "search":
        assert {"vertebroplasty", "kyphoplasty", "cementoplasty"} <= {hit["id"] for hit in answer[:5]}
    else:
        assert answer["id"] and answer["match"]["query"] == argv[1]
    if argv[1] == "ablation":
        assert answer["id"] == "ablation" and answer["match"] == {
            "kind": "exact",
            "score": 100.0,
            "query": "ablation",
            "matched": "ablation",
        }
