"""Help is written for people: metavars, one example per line, no Python type names."""

from __future__ import annotations

import re

import pytest

from irref import grammar


def _paths(node, prefix=()):
    for name, sub in node.get("commands", {}).items():
        if "commands" in sub:
            yield from _paths(sub, (*prefix, name))
        else:
            yield (*prefix, name)


COMMANDS = sorted(_paths(grammar.load()))


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_help_reads_as_written_for_people(cli, path):
    r = cli(*path, "--help")
    assert r.code == 0
    text = r.out
    assert not re.search(r"<(list|str|int|float|bool|path)\b", text), text
    assert "{" not in text.split("\n", 1)[0]  # no {query} in the usage line
    assert re.search(r"^\s+Examples?:\s*$", text, re.M), f"no example block in {' '.join(path)} --help"
    example_lines = [line.strip() for line in text.splitlines() if line.strip().startswith("irref ")]
    assert example_lines and all(" | irref " not in line for line in example_lines)


def test_top_level_help_says_it_is_not_medical_advice(cli):
    r = cli("--help")
    assert r.code == 0 and "not medical advice" in r.out
