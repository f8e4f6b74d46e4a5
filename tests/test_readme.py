"""Every `$ irref ...` example in README.md runs as shown (issue: the README's own jq example failed).

Each example line is run with bash (pipefail) in a scratch directory, with the installed `irref`
first on PATH. An example followed in the README by an `Error:` line must fail with a clear
message; every other example must succeed. Examples piping into jq are skipped where jq is absent.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

SCRIPT = Path(sys.executable).with_name("irref")


def _examples() -> list[tuple[str, bool]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    out: list[tuple[str, bool]] = []
    for block in re.findall(r"```console\n(.*?)```", text, re.S):
        lines = block.splitlines()
        for i, line in enumerate(lines):
            if line.startswith("$ irref"):
                nxt = next((x for x in lines[i + 1 :] if x.strip()), "")
                out.append((line[2:], nxt.startswith("Error:")))
    return out


EXAMPLES = _examples()


def test_the_readme_has_examples():
    assert len(EXAMPLES) >= 20


@pytest.mark.skipif(not SCRIPT.exists(), reason="irref console script not installed")
@pytest.mark.parametrize(("command", "fails"), EXAMPLES, ids=[c for c, _ in EXAMPLES])
def test_readme_example_runs(tmp_path, command, fails):
    if "jq" in command and shutil.which("jq") is None:
        pytest.skip("jq is not installed")
    env = {**os.environ, "PATH": f"{SCRIPT.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    env["IRREF_CACHE_DIR"] = str(tmp_path / "cache")
    env.pop("IRREF_DATA_DIRS", None)
    (tmp_path / "work").mkdir()
    shutil.copytree(ROOT / "data", tmp_path / "work" / "data")  # examples that name data/ find it
    out = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        cwd=tmp_path / "work",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in out.stderr
    assert "jq: error" not in out.stderr, out.stderr
    if fails:
        assert out.returncode != 0 and "Error:" in out.stderr
    else:
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() or "wrote" in out.stderr
