"""A Typer-free fast path for the everyday queries.

Typer's current release coerces every parameter through pydantic, which costs more
than the whole lookup. Invocations of the plain shapes below are parsed here and run
through the same actions and error boundary as the Typer commands (`irref.run`):
``--json`` output imports neither Typer nor Rich, people's output imports Rich only.
Anything else (help, completion, unknown or malformed options) returns None and goes
to Typer, which owns the full grammar and its messages. A test runs each shape both
ways and compares stdout, stderr and exit code.

    irref [--data-dir DIR]... [--debug] show QUERY [--section S]... [--json]
    irref [--data-dir DIR]... [--debug] for-condition CONDITION [--json]
    irref [--data-dir DIR]... [--debug] list [--modality M] [--category C] [--region R]
                                              [--condition C] [--bleeding-risk B] [--json]
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
    opts: dict[str, object] = {"json": False}
    positional: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok == "--json":
            opts["json"] = True
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


def try_run(argv: list[str]) -> int | None:
    """Run a plain query and return its exit code, or None to defer to Typer."""
    if os.environ.get("_IRREF_COMPLETE"):
        return None
    data_dirs: list[str] = []
    debug = bool(os.environ.get("IRREF_DEBUG"))
    i = 0
    while i < len(argv):
        tok = argv[i]
        if tok == "--data-dir" and i + 1 < len(argv):
            data_dirs.append(argv[i + 1])
            i += 2
        elif tok.startswith("--data-dir="):
            data_dirs.append(tok.split("=", 1)[1])
            i += 1
        elif tok == "--debug":
            debug = True
            i += 1
        else:
            break
    if i >= len(argv):
        return None
    command, rest = argv[i], argv[i + 1 :]
    if any(t in ("-h", "--help", "--") for t in rest):
        return None
    from irref import run

    if command == "show":
        parsed = _options(rest, {"--section": "section", "-s": "section"}, {"section"})
        if parsed is None or len(parsed[1]) != 1:
            return None
        opts, (query,) = parsed
        return run.guarded(lambda: run.show(data_dirs, query, opts.get("section"), opts["json"]), debug=debug)
    if command == "for-condition":
        parsed = _options(rest, {}, set())
        if parsed is None or len(parsed[1]) != 1:
            return None
        return run.guarded(lambda: run.for_condition(data_dirs, parsed[1][0], parsed[0]["json"]), debug=debug)
    if command == "list":
        parsed = _options(rest, _LIST_OPTS, set())
        if parsed is None or parsed[1]:
            return None
        filters = {k: parsed[0].get(k) for k in ("modality", "category", "region", "condition", "bleeding_risk")}
        return run.guarded(lambda: run.list_procedures(data_dirs, filters, parsed[0]["json"]), debug=debug)
    return None
