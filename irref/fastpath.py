"""A Typer-free fast path for the everyday queries.

Typer's current release coerces every parameter through pydantic, which costs more
than the whole lookup. Invocations of the plain shapes below are parsed here and run
through the same actions and error boundary as the Typer commands (`irref.run`):
``--json`` output imports neither Typer nor Rich, people's output imports Rich only.
Anything else (help, completion, unknown or malformed options) returns None and goes
to Typer, which owns the full grammar and its messages. A test runs each shape both
ways and compares stdout, stderr and exit code.

    irref [--data-dir DIR]... [--debug] show QUERY [--section S]... [--json]
    irref [--data-dir DIR]... [--debug] for-condition CONDITION [--json | --jsonl | --csv]
    irref [--data-dir DIR]... [--debug] list [--modality M] [--category C] [--region R]
                                              [--condition C] [--bleeding-risk B] [--json | --jsonl | --csv]
    irref [--data-dir DIR]... [--debug] search TEXT [--limit N] [--json | --jsonl | --csv]
    irref [--data-dir DIR]... [--debug] compare A B [C...] [--json]
"""

from __future__ import annotations

import os

_LIST_OPTS = {
    "--modality": "modality",
    "-m": "modality",
    "--category": "category",
    "-c": "category",
    "--region": "region",
    "-r": "region",
    "--condition": "condition",
    "--bleeding-risk": "bleeding_risk",
}


def _options(tokens: list[str], valued: dict[str, str], repeatable: set[str]) -> tuple[dict, list[str]] | None:
    """Split tokens into options (``json`` is the flag) and positionals; None if anything is not plain."""
    opts: dict[str, object] = {"json": False, "jsonl": False, "csv": False, "exact": False}
    positional: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok in ("--json", "--jsonl", "--csv", "--exact"):
            opts[tok[2:]] = True
        elif tok.startswith("-") and tok != "-":
            name, eq, value = tok.partition("=")
            if name not in valued:
                return None
            if not eq:
                i += 1
                if i >= len(tokens):
                    return None
                value = tokens[i]
            key = valued[name]
            if key in repeatable:
                opts.setdefault(key, []).append(value)  # type: ignore[union-attr]
            elif key in opts:
                return None
            else:
                opts[key] = value
        else:
            positional.append(tok)
        i += 1
    return opts, positional


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


#: Option -> kind of value it takes, for completion.
_VALUE_KINDS = {
    "--modality": "modalities",
    "-m": "modalities",
    "--category": "categories",
    "-c": "categories",
    "--region": "regions",
    "-r": "regions",
    "--condition": "conditions",
    "--section": "sections",
    "-s": "sections",
    "--bleeding-risk": "bleeding_risk",
}
#: Command -> (kind of its positional arguments, how many it takes).
_POSITIONAL_KINDS = {
    "show": ("procedures", 1),
    "compare": ("procedures", 99),
    "export": ("procedures", 99),
    "tree": ("procedures", 1),
    "for-condition": ("conditions", 1),
    "conditions": ("conditions", 1),
}
_NO_VALUE = {"--json", "--jsonl", "--csv", "--all", "--force", "--debug", "--exact"}


def _root(args: list[str]) -> tuple[list[str], bool, int]:
    """The global options before the command: (data directories, --debug given, index of the command)."""
    data_dirs: list[str] = []
    debug = False
    i = 0
    while i < len(args):
        tok = args[i]
        if tok == "--data-dir" and i + 1 < len(args):
            data_dirs.append(args[i + 1])
            i += 2
        elif tok.startswith("--data-dir="):
            data_dirs.append(tok.split("=", 1)[1])
            i += 1
        elif tok == "--debug":
            debug = True
            i += 1
        else:
            break
    return data_dirs, debug, i


def try_complete(shell: str) -> int | None:
    """Answer Typer's completion protocol for argument and option values from the index, without
    importing Typer (so Tab is as fast as a warm `show`); None defers to Typer (commands, options,
    file names, anything unusual). The output matches Typer's for each shell (a test compares)."""
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
    data_dirs, _, i = _root(args)
    if i >= len(args) or args[i].startswith("-"):
        return None  # completing the command name or a global option: Typer lists them
    command, rest = args[i], args[i + 1 :]
    if command not in _POSITIONAL_KINDS and command != "list":
        return None
    positionals = 0
    pending: str | None = None
    for tok in rest:
        if pending:
            pending = None
        elif tok in _VALUE_KINDS:
            pending = tok
        elif tok.startswith("-"):
            if tok not in _NO_VALUE:
                return None  # an option we do not model (e.g. --output PATH): Typer decides
        else:
            positionals += 1
    if pending:
        kind = _VALUE_KINDS[pending]
        if (pending in ("--section", "-s")) != (command == "show"):
            return None
    elif command in _POSITIONAL_KINDS and positionals < _POSITIONAL_KINDS[command][1]:
        kind = _POSITIONAL_KINDS[command][0]
    else:
        return None
    from irref import complete

    items = complete.candidates(kind, incomplete, data_dirs)
    import sys

    if shell == "complete_bash":
        out = [v for v, _ in items]
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


def try_run(argv: list[str]) -> int | None:
    """Run a plain query and return its exit code, or None to defer to Typer."""
    shell = os.environ.get("_IRREF_COMPLETE")
    if shell:
        if os.environ.get("IRREF_NO_FAST_PATH"):
            return None
        return try_complete(shell)
    if os.environ.get("IRREF_NO_FAST_PATH"):
        return None
    data_dirs, debug, i = _root(argv)
    debug = debug or bool(os.environ.get("IRREF_DEBUG"))
    if i >= len(argv):
        return None
    command, rest = argv[i], argv[i + 1 :]
    if any(t in ("-h", "--help", "--") for t in rest):
        return None
    from irref import run

    if command == "show":
        parsed = _options(rest, {"--section": "section", "-s": "section", "--for": "for"}, {"section"})
        if parsed is None or not parsed[1]:
            return None
        opts, words = parsed
        if opts["jsonl"] or opts["csv"]:
            return None  # not options of `show`: Typer words the error
        query = " ".join(words)  # `irref show liver biopsy` is `irref show "liver biopsy"`
        return run.guarded(
            lambda: run.show(data_dirs, query, opts.get("section"), opts["json"], opts.get("for"), opts["exact"]),
            debug=debug,
        )
    if command == "for-condition":
        parsed = _options(rest, {}, set())
        if parsed is None or not parsed[1]:
            return None
        fmt = parsed[0]
        return run.guarded(
            lambda: run.for_condition(
                data_dirs, " ".join(parsed[1]), run.output_format(fmt["json"], fmt["jsonl"], fmt["csv"]), fmt["exact"]
            ),
            debug=debug,
        )
    if command == "list":
        parsed = _options(rest, _LIST_OPTS, set())
        if parsed is None or parsed[1] or parsed[0]["exact"]:
            return None
        filters = {k: parsed[0].get(k) for k in ("modality", "category", "region", "condition", "bleeding_risk")}
        fmt = parsed[0]
        return run.guarded(
            lambda: run.list_procedures(data_dirs, filters, run.output_format(fmt["json"], fmt["jsonl"], fmt["csv"])),
            debug=debug,
        )
    if command == "search":
        parsed = _options(rest, {"--limit": "limit", "-n": "limit"}, set())
        if parsed is None or len(parsed[1]) != 1 or parsed[0]["exact"]:
            return None
        opts = parsed[0]
        limit = opts.get("limit", "10")
        if not (isinstance(limit, str) and limit.isdigit() and 1 <= int(limit) <= 1000):
            return None  # Typer words the range error
        return run.guarded(
            lambda: run.search(
                data_dirs, parsed[1][0], int(limit), run.output_format(opts["json"], opts["jsonl"], opts["csv"])
            ),
            debug=debug,
        )
    if command == "compare":
        parsed = _options(rest, {}, set())
        if parsed is None or not parsed[1] or parsed[0]["jsonl"] or parsed[0]["csv"]:
            return None
        return run.guarded(
            lambda: run.compare(data_dirs, parsed[1], parsed[0]["json"], parsed[0]["exact"]), debug=debug
        )
    return None
