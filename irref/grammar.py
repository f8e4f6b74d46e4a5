"""The command-line grammar as data, generated from the Typer app (the one declaration).

``python -m irref.grammar`` rewrites ``irref/grammar_table.py`` from ``irref.cli.app``; a test
fails when the checked-in table differs from what the app generates (like ``cog --check``),
so an option added to the Typer app reaches the fast parser (irref/fastparse.py) with no
other edit. The table holds, for the root and each command: its parameters with their
option strings, value type, whether they repeat or take many values, flags, defaults,
bounds, and which completion vocabulary they offer.

Only this module (and only when regenerating or testing) imports Typer; the fast path imports
the table as a Python literal (its compiled form loads in a fraction of a millisecond, where
reading JSON would import the json package, ~3 ms, on every run).
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # the fast path imports the table only: no typing on that path
if TYPE_CHECKING:
    from typing import Any

TABLE = os.path.join(os.path.dirname(__file__), "grammar_table.py")

_HEADER = (
    "# The command-line grammar, generated from the Typer app (irref/cli.py) by `python -m irref.grammar`:\n"
    "# do not edit. A test and CI (`python -m irref.grammar --check`) fail when it drifts from the app.\n"
)


def _value_type(annotation: Any) -> tuple[str, bool]:
    """(scalar type name, is a list) of a parameter's annotation."""
    import types
    import typing

    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if origin in (typing.Union, types.UnionType):
        return _value_type(args[0]) if len(args) == 1 else ("str", False)
    if origin is list:
        return _value_type(args[0])[0], True
    if annotation is bool:
        return "bool", False
    if annotation is int:
        return "int", False
    if annotation is float:
        return "float", False
    from pathlib import Path

    if isinstance(annotation, type) and issubclass(annotation, Path):
        return "path", False
    return "str", False


def _param(p: Any) -> dict[str, Any]:
    annotation = p.type_descriptor.annotation
    kind, is_list = _value_type(annotation)
    option = p.param_type_name == "option"
    default = p.default
    from pathlib import Path

    if isinstance(default, Path):
        default = str(default)
    if isinstance(default, tuple):
        default = list(default)
    spec: dict[str, Any] = {
        "name": p.name,
        "kind": "option" if option else "argument",
        "type": kind,
        "list": is_list,
        "required": bool(p.required),
        "default": default,
    }
    if option:
        spec["opts"] = list(p.opts)
        spec["secondary"] = list(p.secondary_opts)
        spec["flag"] = bool(p.is_flag)
        spec["eager"] = bool(p.is_eager)
        spec["multiple"] = bool(p.multiple)
    else:
        spec["nargs"] = p.nargs
    if getattr(p, "min", None) is not None:
        spec["min"] = p.min
    if getattr(p, "max", None) is not None:
        spec["max"] = p.max
    info = getattr(p.type_descriptor, "parameter_info", None)
    completes = getattr(getattr(info, "autocompletion", None), "irref_kind", None)
    if completes is None and spec["type"] == "path":
        completes = "files"
    if completes:
        spec["completes"] = completes
    return spec


def _command(cmd: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"params": [_param(p) for p in cmd.params if p.expose_value or p.is_eager]}
    subcommands = getattr(cmd, "commands", None)
    if subcommands:
        out["commands"] = {name: _command(sub) for name, sub in sorted(subcommands.items())}
    return out


def generate() -> dict[str, Any]:
    """The grammar table of ``irref.cli.app``."""
    import typer.main

    from irref.cli import app

    root = typer.main.get_command(app)
    table = _command(root)
    table["help"] = ["-h", "--help"]
    return table


def dumps(table: dict[str, Any]) -> str:
    """The table as the text of irref/grammar_table.py (keys sorted, so the text is stable)."""
    import pprint

    return _HEADER + "TABLE = " + pprint.pformat(table, indent=1, width=120, sort_dicts=True) + "\n"


def load() -> dict[str, Any]:
    """The checked-in table (what the fast parser uses; read it, never change it)."""
    from irref.grammar_table import TABLE as table

    return table


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def main(argv: list[str] | None = None) -> int:
    """``python -m irref.grammar [--check]``: rewrite grammar_table.py, or check it is current."""
    args = sys.argv[1:] if argv is None else argv
    text = dumps(generate())
    if "--check" in args:
        current = _read(TABLE) if os.path.exists(TABLE) else ""
        if current != text:
            sys.stderr.write("irref/grammar_table.py is out of date: run 'python -m irref.grammar'\n")
            return 1
        return 0
    with open(TABLE, "w", encoding="utf-8") as fh:
        fh.write(text)
    sys.stderr.write(f"wrote {TABLE}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
