"""A small generic command-line parser driven by the grammar table (irref/grammar_table.py).

Typer declares irref's command line (irref/cli.py) and the table is generated from it, so this
module knows no command by name. It parses what it fully understands (commands, options in
any order, global options before or after the command as git allows, ``--opt=value``, ``--``,
repeatable options, many-valued arguments, ints within their bounds) and returns None for
anything else (help, unknown options, missing values, values it would have to guess about), so
Typer handles it and prints its own message. Importing it costs no Typer, no pydantic.

It also answers shell completion (Typer's protocol) for argument and option values, from the
``completes`` kind each parameter carries in the table.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (4 ms) on every run


if TYPE_CHECKING:
    from typing import Any

_INT = "0123456789"


class Parsed:
    """A command line the fast parser understood: the command path and its parameters."""

    __slots__ = ("globals", "params", "path")

    def __init__(self, path: str, globals_: dict[str, Any], params: dict[str, Any]) -> None:
        self.path = path  # "show", "calc meld3"
        self.globals = globals_  # the root's parameters (data_dir, debug, ...)
        self.params = params  # the command's parameters, by Python name


def _is_int(text: str) -> bool:
    digits = text[1:] if text[:1] in "+-" else text
    return bool(digits) and all(c in _INT for c in digits)


def _is_float(text: str) -> bool:
    import re

    return re.fullmatch(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", text) is not None


class _Defer(Exception):
    """Not a shape this parser decides: Typer takes over."""


def _defaults(params: list[dict]) -> dict[str, Any]:
    out = {}
    for p in params:
        if p.get("eager"):
            continue
        default = p["default"]
        if p["type"] == "path" and isinstance(default, str):
            from pathlib import Path  # only where a command has a path option (~6 ms to import)

            default = Path(default)
        out[p["name"]] = list(default) if isinstance(default, list) else default  # the table stays unchanged
    return out


def _convert(p: dict, text: str, *, literal: bool = False) -> Any:
    kind = p["type"]
    if text.startswith("-") and len(text) > 1 and kind not in ("int", "float") and not literal:
        raise _Defer  # an option where a value should be: Typer words the error
    if kind == "int":
        if not _is_int(text):
            raise _Defer
        value: Any = int(text)
    elif kind == "float":
        if not _is_float(text):
            raise _Defer
        value = float(text)
    elif kind == "path":
        from pathlib import Path

        value = Path(text)
    elif kind == "bool":
        raise _Defer
    else:
        value = text
    if ("min" in p and value < p["min"]) or ("max" in p and value > p["max"]):
        raise _Defer
    return value


def _find(params: list[dict], name: str) -> tuple[dict, bool] | None:
    for p in params:
        if p["kind"] != "option":
            continue
        if name in p["opts"]:
            return p, True
        if name in p["secondary"]:
            return p, False
    return None


def _option(argv: list[str], i: int, scopes: list[tuple[list[dict], dict[str, Any]]]) -> int:
    """Consume the option at argv[i] into the first scope that declares it; the next index."""
    tok = argv[i]
    name, eq, attached = tok.partition("=") if tok.startswith("--") else (tok, "", "")
    for params, values in scopes:
        found = _find(params, name)
        if found is None:
            continue
        p, primary = found
        if p.get("eager"):
            raise _Defer  # --version, --help and the like
        if p["flag"]:
            if eq:
                raise _Defer
            values[p["name"]] = primary
            return i + 1
        if not primary:
            raise _Defer
        if eq:
            text = attached
            nxt = i + 1
        else:
            if i + 1 >= len(argv):
                raise _Defer  # missing value
            text = argv[i + 1]
            nxt = i + 2
        value = _convert(p, text)
        if p["multiple"]:
            current = values.get(p["name"])
            values[p["name"]] = [*(current or []), value]
        else:
            values[p["name"]] = value
        return nxt
    raise _Defer  # unknown option


def parse(argv: list[str], table: dict[str, Any]) -> Parsed | None:
    """The command path and its parameters, or None to let Typer handle the command line."""
    try:
        return _parse(argv, table)
    except _Defer:
        return None


def _parse(argv: list[str], table: dict[str, Any]) -> Parsed:
    helps = set(table.get("help", ()))
    root_params = table["params"]
    root_values = _defaults(root_params)
    node = table
    path: list[str] = []
    i = 0
    while True:  # the command path; only global options may come before it
        if i >= len(argv):
            raise _Defer  # no command (Typer shows the help)
        tok = argv[i]
        if tok in helps or tok == "--":
            raise _Defer
        if tok.startswith("-") and tok != "-":
            i = _option(argv, i, [(root_params, root_values)])
            continue
        sub = node.get("commands", {}).get(tok)
        if sub is None:
            raise _Defer  # unknown command: Typer suggests one
        node, i = sub, i + 1
        path.append(tok)
        if "commands" not in node:
            break
        if node["params"]:
            raise _Defer  # a group with options of its own
    params = node["params"]
    values = _defaults(params)
    positionals: list[str] = []
    literal = False  # after "--", words that look like options are values
    scopes = [(params, values), (root_params, root_values)]  # the command's own option wins
    while i < len(argv):
        tok = argv[i]
        if tok in helps:
            raise _Defer
        if tok == "--":
            positionals += argv[i + 1 :]
            literal = True
            break
        if tok.startswith("-") and tok != "-":
            i = _option(argv, i, scopes)
        else:
            positionals.append(tok)
            i += 1
    for p in params:
        if p["kind"] != "argument":
            continue
        if p["nargs"] == -1:
            taken, positionals = positionals, []
            if not taken:
                if p["required"]:
                    raise _Defer
                continue
            values[p["name"]] = [_convert(p, t, literal=literal) for t in taken]
        elif positionals:
            values[p["name"]] = _convert(p, positionals.pop(0), literal=literal)
        elif p["required"]:
            raise _Defer  # Typer names the missing argument
    if positionals:
        raise _Defer  # too many arguments
    for p in params:
        if p["kind"] == "option" and p["required"] and values.get(p["name"]) is None:
            raise _Defer
    return Parsed(" ".join(path), root_values, values)


def hoist_globals(argv: list[str], table: dict[str, Any]) -> list[str]:
    """The same command line with global options moved before the command, so that Typer (which
    takes them only there) accepts them anywhere, as the fast parser and git do. A command's own
    option of the same name stays where it is; nothing moves past ``--``."""
    root_params = table["params"]
    node = table
    i = 0
    start = None  # where the command path begins
    while i < len(argv):
        tok = argv[i]
        if tok == "--" or tok in table.get("help", ()):
            return argv
        if tok.startswith("-") and tok != "-":
            found = _find(root_params, tok.partition("=")[0])
            if found is None:
                return argv
            i += 1 if (found[0]["flag"] or "=" in tok) else 2
            continue
        sub = node.get("commands", {}).get(tok)
        if sub is None:
            return argv
        start = i if start is None else start
        node, i = sub, i + 1
        if "commands" not in node:
            break
    if start is None:
        return argv
    own = node.get("params", [])
    moved: list[str] = []
    tail: list[str] = []
    j = i
    while j < len(argv):
        tok = argv[j]
        if tok == "--":
            tail += argv[j:]
            break
        name = tok.partition("=")[0]
        mine = _find(own, name) if tok.startswith("-") else None
        glob = _find(root_params, name) if tok.startswith("-") and mine is None else None
        if glob is not None:
            width = 1 if (glob[0]["flag"] or "=" in tok) else 2
            moved += argv[j : j + width]
            j += width
        elif mine is not None and not mine[0]["flag"] and "=" not in tok:
            tail += argv[j : j + 2]  # the command's option and its value
            j += 2
        else:
            tail.append(tok)
            j += 1
    if not moved:
        return argv
    return argv[:start] + moved + argv[start:i] + tail


# ---------------------------------------------------------------- completion


def _split(text: str) -> list[str]:
    """Shell words as Click splits them for completion (an unclosed quote keeps its partial word)."""
    import shlex

    lex = shlex.shlex(text, posix=True)
    lex.whitespace_split = True
    lex.commenters = ""
    out: list[str] = []
    try:
        for tok in lex:
            out.append(tok)
    except ValueError:
        out.append(lex.token)
    return out


def completion_kind(args: list[str], table: dict[str, Any]) -> tuple[str, list[str]] | None:
    """(vocabulary kind, data directories) for the value being completed after ``args``, or None
    when Typer should answer (command and option names, files, anything unusual)."""
    root_params = table["params"]
    data_dirs: list[str] = []
    node = table
    i = 0
    pending: dict | None = None
    positionals = 0
    in_command = False
    while i < len(args):
        tok = args[i]
        scope = node["params"] + (root_params if in_command else [])
        if pending is not None:
            if pending["name"] == "data_dir":
                data_dirs.append(tok)
            pending = None
        elif tok.startswith("-") and tok != "-":
            name = tok.partition("=")[0]
            found = _find(scope, name) or _find(root_params, name)
            if found is None:
                return None
            p, _ = found
            if not p["flag"] and "=" not in tok:
                pending = p
            elif p["name"] == "data_dir":
                data_dirs.append(tok.partition("=")[2])
        elif not in_command or "commands" in node:
            sub = node.get("commands", {}).get(tok)
            if sub is None:
                return None
            node = sub
            in_command = "commands" not in node
        else:
            positionals += 1
        i += 1
    if pending is not None:
        kind = pending.get("completes")
    elif in_command:
        arguments = [p for p in node["params"] if p["kind"] == "argument"]
        slot = next(
            (p for n, p in enumerate(arguments) if p["nargs"] == -1 or n >= positionals),
            None,
        )
        kind = slot.get("completes") if slot else None
    else:
        return None
    if not kind or kind == "files":
        return None
    return kind, data_dirs


def _bash_word(text: str) -> str:
    """A value as bash would need it typed: spaces and shell characters backslash-escaped."""
    return "".join("\\" + ch if ch in " \t'\"\\$`!&|;()<>*?[]{}#~" else ch for ch in text)


def shell_values(shell: str, items: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Candidates as the shell must insert them: backslash-escaped words for bash, escaped spaces
    for zsh (its _arguments list is space-separated), unchanged for fish."""
    if shell == "complete_bash":
        return [(_bash_word(v), h) for v, h in items]
    if shell == "complete_zsh":
        return [(v.replace(" ", "\\ "), h) for v, h in items]
    return items


def try_complete(shell: str, table: dict[str, Any]) -> int | None:
    """Answer Typer's completion protocol for argument and option values from the index, without
    importing Typer; None defers to Typer. The output matches Typer's for each shell."""
    import sys

    if shell == "complete_bash":
        words = _split(os.environ.get("COMP_WORDS", ""))
        try:
            cword = int(os.environ.get("COMP_CWORD", ""))
        except ValueError:
            return None
        args, incomplete = words[1:cword], (words[cword] if cword < len(words) else "")
    elif shell in ("complete_zsh", "complete_fish"):
        line = os.environ.get("_TYPER_COMPLETE_ARGS", "")
        words = _split(line)[1:]
        if words and not line.endswith(" "):
            args, incomplete = words[:-1], words[-1]
        else:
            args, incomplete = words, ""
        if shell == "complete_fish" and os.environ.get("_TYPER_COMPLETE_FISH_ACTION") not in ("get-args", "is-args"):
            return None
    else:
        return None
    if incomplete.startswith("-"):
        return None
    found = completion_kind(args, table)
    if found is None:
        return None
    kind, data_dirs = found
    from irref import complete

    items = shell_values(shell, complete.candidates(kind, incomplete, data_dirs))
    if shell == "complete_bash":
        out = [v for v, _ in items]  # escaped: a name of several words is one shell word
    elif shell == "complete_zsh":

        def esc(t: str) -> str:
            return t.replace('"', '""').replace("'", "''").replace("$", "\\$").replace("`", "\\`").replace(":", r"\\:")

        lines = [f'"{esc(v)}":"{esc(h)}"' if h else f'"{esc(v)}"' for v, h in items]
        out = [f"_arguments '*: :(({chr(10).join(lines)}))'"] if lines else ["_files"]
    else:
        if os.environ.get("_TYPER_COMPLETE_FISH_ACTION") == "is-args":
            return 0 if items else 1
        import re

        out = [v + "\t" + re.sub(r"\s", " ", h) if h else v for v, h in items]
    sys.stdout.write("\n".join(out) + "\n")  # Typer echoes its answer with a newline
    return 0
