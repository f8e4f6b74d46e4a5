"""Command actions and the error boundary, free of Typer (shared by the CLI and its fast path).

Each action loads the index, calls the core (`commands`), and hands the result to a view:
`output` for JSON (no Rich import) or `views` for people. Actions return an exit code.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from irref.errors import ExitCode, IrrefError


def err(message: str) -> None:
    """A message for people: always stderr."""
    sys.stderr.write(message.rstrip("\n") + "\n")


def quiet_pipe() -> None:
    """The reader went away (e.g. `| head`): silence stdout so nothing fails again at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def guarded(action: Callable[[], int], *, debug: bool = False) -> int:
    """Run an action; known errors become one stderr line and an exit code (tracebacks only in debug)."""
    try:
        code = action()
        sys.stdout.flush()  # surface a closed pipe here, not at interpreter exit
        return code
    except IrrefError as exc:
        if debug:
            raise
        err(f"Error: {exc.message}")
        if exc.hints:
            if exc.exit_code == ExitCode.NOT_FOUND:
                err("Did you mean: " + "; ".join(exc.hints) + "?")
            else:
                for hint in exc.hints:
                    err(f"  valid: {hint}")
        return int(exc.exit_code)
    except BrokenPipeError:
        quiet_pipe()
        return int(ExitCode.OK)
    except KeyboardInterrupt:
        if debug:
            raise
        err("Interrupted.")
        return int(ExitCode.INTERRUPTED)


def load_index(data_dirs: Sequence[str | Path]):
    from irref import catalog

    index = catalog.load(data_dirs)
    warn_problems(index.problems)
    return index


def warn_problems(problems: list[tuple]) -> None:
    """One warning line per data file with problems (the other records are still served)."""
    if not problems:
        return
    from irref.loader import Problem, display_path

    by_file: dict[str, list[Problem]] = {}
    for path, line, field, message in problems:
        by_file.setdefault(path, []).append(Problem(display_path(path), line, field, message))
    for probs in by_file.values():
        more = f" (and {len(probs) - 1} more)" if len(probs) > 1 else ""
        err(f"warning: {probs[0]}{more}; run 'irref validate'")


def _rich():
    from irref import views

    return views, views.console(sys.stdout)


def show(data_dirs: Sequence[str | Path], query: str, sections: list[str] | None, as_json: bool) -> int:
    from irref import commands

    shown = commands.show(load_index(data_dirs), query, sections)
    if not shown.match.exact:
        err(f"showing {shown.record['name']} for {shown.match.query!r}")
    if as_json:
        from irref import output

        if shown.sections is None:
            output.write_raw_record(shown.raw, sys.stdout)
        else:
            picked = {"id": shown.id, "name": shown.record["name"]}
            for key in shown.sections:
                picked[key] = [r for r, _ in shown.variants] if key == "variants" else shown.record.get(key)
            output.write_json(picked, sys.stdout)
    else:
        views, con = _rich()
        views.render_show(con, shown)
    return int(ExitCode.OK)


def _emit_listing(index, listing, title: str, as_json: bool) -> int:
    """Notices to stderr, then the records as a JSON array or a Rich table; 1 when empty."""
    for notice in listing.notices:
        err(notice)
    if as_json:
        from irref import output

        output.write_raw_array(index.iter_raw(listing.ids), sys.stdout)
    else:
        views, con = _rich()
        views.render_listing(con, listing, title)
    return int(ExitCode.OK if listing.ids else ExitCode.NOT_FOUND)


def for_condition(data_dirs: Sequence[str | Path], condition: str, as_json: bool) -> int:
    from irref import commands

    index = load_index(data_dirs)
    listing = commands.for_condition(index, condition)
    return _emit_listing(index, listing, f"Procedures for {listing.condition['name']}", as_json)


def list_procedures(data_dirs: Sequence[str | Path], filters: dict[str, str | None], as_json: bool) -> int:
    from irref import commands

    index = load_index(data_dirs)
    listing = commands.list_procedures(index, **filters)
    label = ", ".join(f"{k}={v}" for k, v in listing.filters.items()) or "all"
    return _emit_listing(index, listing, f"Procedures ({label})", as_json)


def validate(data_dirs: Sequence[str | Path], paths: Sequence[Path], as_json: bool) -> int:
    """Build from scratch (no cache) and report every problem; 1 if there is any."""
    from irref import catalog

    dirs = catalog.data_dirs(data_dirs)
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            dirs.append(p)
        elif p.exists():
            files.append(p)
        else:
            raise IrrefError(f"no such file or directory: {p}")
    sections, _, problems = catalog.build(dirs, extra_files=files)
    if paths:
        wanted = [os.path.abspath(p) for p in paths]
        problems = [
            pr
            for pr in problems
            if any(os.path.abspath(pr.path) == w or os.path.abspath(pr.path).startswith(w + os.sep) for w in wanted)
        ]
    if as_json:
        from irref import output

        rows = [{"path": p.path, "line": p.line, "field": p.field, "message": p.message} for p in problems]
        output.write_json(rows, sys.stdout)
    else:
        for p in problems:
            sys.stdout.write(f"{p}\n")
    if problems:
        err(f"{len(problems)} problem(s) in {len({p.path for p in problems})} file(s).")
        return int(ExitCode.NOT_FOUND)
    err(
        f"ok: {len(sections['rows'])} procedures, {len(sections['conditions'])} conditions, "
        f"{len(sections['modalities'])} modalities valid."
    )
    return int(ExitCode.OK)


def schema() -> int:
    from irref import model, output

    output.write_json(model.json_schema(), sys.stdout)
    return int(ExitCode.OK)
