"""Shell completion in bash, zsh and fish, each tested by running the shell with the script irref
prints (`irref --show-completion SHELL`) against the installed console script."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).with_name("irref")
pytestmark = pytest.mark.skipif(not SCRIPT.exists(), reason="irref console script not installed")


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PATH": f"{SCRIPT.parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "IRREF_CACHE_DIR": str(tmp_path / "c"),
    }


def _shell(shell: str, script: str, tmp_path: Path) -> str:
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed")
    out = subprocess.run([shell, "-c", script], env=_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_show_completion_prints_the_script_of_the_shell_named(cli, shell):
    r = cli("--show-completion", shell)
    assert r.code == 0
    marker = {"bash": "complete -o default -F", "zsh": "#compdef irref", "fish": "complete --command irref"}[shell]
    assert marker in r.out


def test_bash_completes_names_as_one_escaped_word(tmp_path):
    out = _shell(
        "bash",
        "source <(irref --show-completion bash); COMP_WORDS=(irref show vertebral); COMP_CWORD=2; "
        '_irref_completion irref; printf "%s\\n" "${COMPREPLY[@]}"',
        tmp_path,
    )
    lines = out.splitlines()
    assert "vertebral\\ augmentation" in lines
    out = _shell(
        "bash",
        "source <(irref --show-completion bash); COMP_WORDS=(irref list --modality CA); COMP_CWORD=3; "
        '_irref_completion irref; printf "%s\\n" "${COMPREPLY[@]}"',
        tmp_path,
    )
    assert "CAT\\ scan" in out.splitlines()


def test_zsh_completion_function_offers_escaped_names(tmp_path):
    out = _shell(
        "zsh",
        'source <(irref --show-completion zsh) 2>/dev/null; _arguments() { print -r -- "$@"; }; '
        "words=(irref show vertebral); CURRENT=3; _irref_completion",
        tmp_path,
    )
    assert '"vertebral\\ augmentation":"Vertebroplasty"' in out


def test_fish_completes_procedures_and_options(tmp_path):
    out = _shell("fish", 'irref --show-completion fish | source; complete -C"irref show vertebro"', tmp_path)
    names = [line.split("\t")[0] for line in out.splitlines()]
    assert "vertebroplasty" in names
    out = _shell("fish", 'irref --show-completion fish | source; complete -C"irref for-condition budd"', tmp_path)
    assert any(line.lower().startswith("budd") for line in out.splitlines())
