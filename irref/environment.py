"""What a run reads and writes, injected by the entry harness (httpie's ``Environment``):
standard output and error, whether output is a terminal, the width, the environment variables
(which hold the data and cache directories). ``entry.run(argv, env=Environment(...))`` runs the
real command path as a terminal or as a pipe, with no global state to patch.

The harness makes one environment current for the length of a run (pushed, then popped: runs
nest, as tests do); ``current()`` outside a run describes the process itself.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (4 ms) on every run

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any, TextIO


class _Terminal:
    """A stream that says it is (or is not) a terminal, whatever it writes to."""

    def __init__(self, stream: TextIO, tty: bool) -> None:
        self._stream = stream
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class Environment:
    """One run's streams and settings.

    ``stdout_isatty`` and ``width`` default to what the process has (None: detect, as Rich
    does); set them to run as a terminal of that width, or as a pipe (``stdout_isatty=False``).
    """

    __slots__ = ("environ", "no_pager", "spec", "stderr", "stdout", "stdout_isatty", "width")

    def __init__(
        self,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
        environ: Mapping[str, str] | None = None,
        *,
        stdout_isatty: bool | None = None,
        width: int | None = None,
    ) -> None:
        out = sys.stdout if stdout is None else stdout
        self.stdout = out if stdout_isatty is None else _Terminal(out, stdout_isatty)
        self.stderr = sys.stderr if stderr is None else stderr
        self.environ = os.environ if environ is None else environ
        self.stdout_isatty = stdout_isatty
        self.width = width
        self.no_pager = False  # --no-pager, set by the action harness for one command
        self.spec: tuple[str, dict] | None = None  # the command path and its parameters (for the render cache's key)

    def isatty(self) -> bool:
        """Is standard output a terminal (as set, or as the stream says)?"""
        try:
            return bool(self.stdout.isatty())
        except (AttributeError, ValueError, OSError):
            return False

    def console_options(self) -> dict[str, Any]:
        """What Rich's Console must be told beyond its own detection: the width and terminal-ness
        set here, and NO_COLOR / COLUMNS from these environment variables (Rich reads the
        process's)."""
        opts: dict[str, Any] = {}
        if self.stdout_isatty is not None:
            opts["force_terminal"] = self.stdout_isatty
        columns = self.environ.get("COLUMNS", "")
        if self.width is not None:
            opts["width"] = self.width
        elif columns.strip().isdigit() and self.environ is not os.environ:
            opts["width"] = int(columns)
        if self.environ is not os.environ and self.environ.get("NO_COLOR"):
            opts["no_color"] = True
        return opts


#: Environments of the runs under way, innermost last, above the process's own (made on first
#: use); a plain list, as importing contextvars would cost a warm run a millisecond.
_ACTIVE: list[Environment] = []


def current() -> Environment:
    """The environment of the running command (the process's own outside a run)."""
    if not _ACTIVE:
        _ACTIVE.append(Environment())
    return _ACTIVE[-1]


class active:
    """``with active(env):`` makes ``env`` current, and standard output and error point at its
    streams (Typer and Rich write there too), for the length of one run."""

    def __init__(self, env: Environment) -> None:
        self.env = env

    def __enter__(self) -> Environment:
        _ACTIVE.append(self.env)
        self._streams = (sys.stdout, sys.stderr)
        if self.env.stdout is not sys.stdout:
            sys.stdout = self.env.stdout
        if self.env.stderr is not sys.stderr:
            sys.stderr = self.env.stderr
        return self.env

    def __exit__(self, *exc: object) -> None:
        sys.stdout, sys.stderr = self._streams
        _ACTIVE.pop()
