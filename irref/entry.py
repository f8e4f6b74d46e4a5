"""Console-script entry point: one harness, one error boundary, two parsers of one grammar.

``main(argv, environ) -> exit code`` (httpie style). The command line is parsed by the fast
generic parser (irref/fastparse.py) from the table generated from the Typer app; whatever it
does not fully understand (help, usage errors, completion install, eager options) goes to the
Typer app itself, which owns every message. Both call the same action (irref/actions.py).
Kept free of Typer, so that the fast path never imports it.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (4 ms) on every run

if TYPE_CHECKING:
    from collections.abc import Mapping

    from irref.environment import Environment


def _debug(globals_: dict, environ: Mapping[str, str]) -> bool:
    return bool(globals_.get("debug")) or bool(environ.get("IRREF_DEBUG"))


def run(argv: list[str], environ: Mapping[str, str] | None = None, *, env: Environment | None = None) -> int:
    """Run one command line and return its exit code (never raises for user errors).

    ``env`` (irref/environment.py) gives the streams, terminal settings and environment variables
    of the run (default: the process's, with ``environ`` if given); for its length, standard
    output and error are its streams.
    """
    from irref.environment import Environment, active

    if env is None:
        env = Environment(environ=environ)
    if env.stdout is None:  # started with stdout closed (`irref list >&-`)
        from irref.errors import ExitCode

        env.stderr.write("Error: standard output is closed; nothing can be printed\n")
        return int(ExitCode.IO)
    with active(env):
        return _run(argv, env.environ)


def _run(argv: list[str], environ: Mapping[str, str]) -> int:
    from irref import run as harness
    from irref.errors import ExitCode

    try:
        code = _fast(argv, environ)
        if code is None:
            code = _typer(argv)
        sys.stdout.flush()
        return code
    except KeyboardInterrupt:
        harness.err("Interrupted.")
        return int(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        harness.quiet_pipe()
        return int(ExitCode.OK)
    except OSError as exc:
        if environ.get("IRREF_DEBUG") or "--debug" in argv:
            raise
        if exc.errno in _OUTPUT_ERRORS or _stdout_failed():  # a full disk, a closed output: say so once
            harness.quiet_pipe()
            harness.err(f"Error: cannot write the output: {exc.strerror or exc}")
            return int(ExitCode.IO)
        where = f": {exc.filename}" if exc.filename else ""
        harness.err(f"Error: {exc.strerror or exc}{where}")
        return int(ExitCode.USAGE)


#: errno values that mean the output could not be written (files irref writes itself report their own errors).
_OUTPUT_ERRORS = {28, 122, 5, 9, 27}  # ENOSPC, EDQUOT, EIO, EBADF, EFBIG


def _stdout_failed() -> bool:
    """True when stdout cannot take the output (what was buffered cannot be flushed)."""
    try:
        sys.stdout.flush()
        os.fstat(sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        return True
    return False


def _fast(argv: list[str], environ: Mapping[str, str]) -> int | None:
    if environ.get("IRREF_NO_FAST_PATH"):
        return None
    from irref import fastparse, grammar

    table = grammar.load()
    shell = environ.get("_IRREF_COMPLETE")
    if shell:
        return fastparse.try_complete(shell, table)
    parsed = fastparse.parse(argv, table)
    if parsed is None:
        return None
    from irref import actions

    if parsed.path not in actions.ACTIONS:
        return None
    ctx = actions.Ctx(
        list(parsed.globals.get("data_dir") or []),
        _debug(parsed.globals, environ),
        bool(parsed.globals.get("no_pager")),
    )
    return actions.call(parsed.path, ctx, parsed.params)


_SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")


def _completion_for(argv: list[str]) -> int | None:
    """`--show-completion SHELL` / `--install-completion SHELL`: Typer's options detect the running
    shell and ignore a shell named after them (`--show-completion zsh` printed the bash script)."""
    if len(argv) != 2 or argv[0] not in ("--show-completion", "--install-completion") or argv[1] not in _SHELLS:
        return None
    from typer import completion

    if argv[0] == "--show-completion":
        script = completion.get_completion_script(prog_name="irref", complete_var="_IRREF_COMPLETE", shell=argv[1])
        sys.stdout.write(script.rstrip("\n") + "\n")
        return 0
    shell, path = completion.install(shell=argv[1], prog_name="irref", complete_var="_IRREF_COMPLETE")
    sys.stdout.write(
        f"{shell} completion installed in {path}\nCompletion will take effect once you restart the terminal\n"
    )
    return 0


def _typer(argv: list[str]) -> int:
    from irref import fastparse, grammar
    from irref.cli import app

    shown = _completion_for(argv)
    if shown is not None:
        return shown
    argv = fastparse.hoist_globals(argv, grammar.load())
    try:
        app(args=argv, prog_name="irref")
    except SystemExit as exc:
        code = exc.code
        if code is None:
            return 0
        if isinstance(code, int):
            return code
        sys.stderr.write(f"{code}\n")
        return 1
    return 0


def main(argv: list[str] | None = None) -> None:
    """The console script."""
    sys.exit(run(sys.argv[1:] if argv is None else argv))
