"""Every `$ irref ...` example in README.md runs as shown (issue: the README's own jq example failed).

The examples of one ```console block run in order, in one scratch directory (a later example may
depend on an earlier one, as in the README), with bash (pipefail) and the installed `irref` first
on PATH. An example followed in the README by an `Error:` line must fail with a clear message; one
marked `# exit N` must exit N; every other example must succeed and print something (or write the
file it redirects to). Blocks with jq are skipped where jq is absent.
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


def _blocks() -> list[list[tuple[str, int | None]]]:
    """The examples of each console block: (command, expected exit: None = 0, -1 = any failure)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    out = []
    for block in re.findall(r"```console\n(.*?)```", text, re.S):
        lines = block.splitlines()
        examples: list[tuple[str, int | None]] = []
        for i, line in enumerate(lines):
            if line.startswith("$ irref"):
                command = line[2:]
                nxt = next((x for x in lines[i + 1 :] if x.strip()), "")
                marked = re.search(r"#\s*exit (\d+)\s*$", command)
                expect = int(marked.group(1)) if marked else (-1 if nxt.startswith("Error:") else None)
                examples.append((command, expect))
        if examples:
            out.append(examples)
    return out


BLOCKS = _blocks()


def test_the_readme_has_examples():
    assert sum(len(b) for b in BLOCKS) >= 20


@pytest.mark.skipif(not SCRIPT.exists(), reason="irref console script not installed")
@pytest.mark.parametrize("block", BLOCKS, ids=[b[0][0][:60] for b in BLOCKS])
def test_readme_examples_run(tmp_path, block):
    if any("jq" in c for c, _ in block) and shutil.which("jq") is None:
        pytest.skip("jq is not installed")
    env = {**os.environ, "PATH": f"{SCRIPT.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    env["IRREF_CACHE_DIR"] = str(tmp_path / "cache")
    env.pop("IRREF_DATA_DIRS", None)
    work = tmp_path / "work"
    work.mkdir()
    shutil.copytree(ROOT / "data", work / "data")  # examples that name data/ find it
    for command, expect in block:
        out = subprocess.run(
            ["bash", "-o", "pipefail", "-c", command], cwd=work, env=env, capture_output=True, text=True, timeout=120
        )
        assert "Traceback" not in out.stderr, command
        assert "jq: error" not in out.stderr, (command, out.stderr)
        if expect == -1:
            assert out.returncode != 0 and "Error:" in out.stderr, command
        elif expect is not None:
            assert out.returncode == expect, (command, out.stderr)
        else:
            assert out.returncode == 0, (command, out.stderr)
            redirect = re.search(r">\s*(\S+)\s*$", command)
            if redirect:
                assert (work / redirect.group(1)).stat().st_size > 0, command
            else:
                assert out.stdout.strip() or out.stderr.strip(), command
