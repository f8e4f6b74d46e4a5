"""Console-script entry point: the fast path for plain warm `--json` queries, else the Typer app.

Kept free of Typer so that the fast path never imports it.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    from irref import run
    from irref.errors import ExitCode

    try:
        from irref import fastpath

        code = fastpath.try_run(args)
        if code is None:
            from irref.cli import app

            app(args=args, prog_name="irref")
        sys.exit(code)
    except KeyboardInterrupt:
        run.err("Interrupted.")
        sys.exit(int(ExitCode.INTERRUPTED))
    except BrokenPipeError:
        run.quiet_pipe()
        sys.exit(0)
