"""Terminal output already drawn, kept per command line, data and terminal (as man keeps
formatted pages): a repeated `irref show tips` writes the same text without importing Rich.

Drawing a procedure card costs 150-250 ms (importing Rich, laying out panels and tables) on
top of a 25 ms interpreter start; the text it draws depends only on

- the command and its parameters (the spec the action harness records),
- the index it read (the store key: irref's version and every source file's path, size and
  modification time),
- the code that draws it and the data that decide what is drawn (every module of irref, the
  shipped data files such as the lookup lexicon, and Rich's own version), and
- the terminal: whether each standard stream is a terminal, their sizes, stdout's encoding and
  every environment variable Rich reads (COLUMNS, LINES, TERM, COLORTERM, NO_COLOR,
  FORCE_COLOR, TTY_COMPATIBLE, TTY_INTERACTIVE, JUPYTER_COLUMNS, JUPYTER_LINES),

so all of these make the key; any change draws afresh. Entries live in one SQLite file beside
the index (``render.sqlite3``), the newest :data:`LIMIT` kept. The cache is best effort: an
unwritable or damaged file only means drawing every time. ``IRREF_NO_RENDER_CACHE=1`` turns it
off. Nothing here imports Rich.
"""

from __future__ import annotations

import hashlib
import os

try:  # the C module alone, as irref/store.py does (the package also imports datetime)
    import _sqlite3 as sqlite3
except ImportError:  # pragma: no cover
    import sqlite3
import sys

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (4 ms) on every run

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import TextIO

ENV_OFF = "IRREF_NO_RENDER_CACHE"
#: Environment variables Rich's Console reads (rich/console.py), all part of the key.
RICH_ENV = (
    "COLUMNS",
    "LINES",
    "JUPYTER_COLUMNS",
    "JUPYTER_LINES",
    "NO_COLOR",
    "FORCE_COLOR",
    "TTY_COMPATIBLE",
    "TTY_INTERACTIVE",
    "TERM",
    "COLORTERM",
)
#: Entries kept (the newest); older ones are dropped when a new one is written.
LIMIT = 400
FILE = "render.sqlite3"
_SCHEMA = "CREATE TABLE IF NOT EXISTS render(key TEXT PRIMARY KEY, text TEXT NOT NULL, at INTEGER NOT NULL)"


def _code_stamp() -> str:
    """Name, size and modification time of every irref module and shipped data file (the lookup
    lexicon decides which record a query shows), and of Rich's package: changed or reinstalled
    code or data never serves old text."""
    import importlib.util

    here = os.path.dirname(os.path.abspath(__file__))
    parts = []
    with os.scandir(here) as entries:
        for entry in entries:
            if entry.name.endswith((".py", ".json")):
                st = entry.stat()
                parts.append(f"{entry.name}:{st.st_size}:{st.st_mtime_ns}")
    from irref.catalog import shipped_dir

    with os.scandir(shipped_dir()) as entries:  # the lookup lexicon and other shipped data files
        for entry in entries:
            if entry.is_file():
                st = entry.stat()
                parts.append(f"data/{entry.name}:{st.st_size}:{st.st_mtime_ns}")
    spec = importlib.util.find_spec("rich")
    if spec is None or not spec.origin:
        return ""
    st = os.stat(spec.origin)  # a reinstalled Rich has a new __init__.py
    parts.append(f"{spec.origin}:{st.st_size}:{st.st_mtime_ns}")
    return "\n".join(sorted(parts))


def _terminal(stream: TextIO, environ: Mapping[str, str]) -> str:
    """Everything about the terminal that Rich's drawing depends on."""
    parts = [sys.platform, str(getattr(stream, "encoding", None))]
    for fd in (0, 1, 2):
        try:
            tty = os.isatty(fd)
        except OSError:
            tty = False
        try:
            size = tuple(os.get_terminal_size(fd))
        except (OSError, ValueError):
            size = None
        parts.append(f"{fd}:{tty}:{size}")
    for what in ("isatty", "fileno"):
        try:
            parts.append(f"out.{what}:{getattr(stream, what)()}")
        except (AttributeError, ValueError, OSError):
            parts.append(f"out.{what}:none")
    parts += [f"{name}={environ.get(name)!r}" for name in RICH_ENV]
    return "\n".join(parts)


def key(
    spec: tuple[str, dict] | None,
    index_key: str | None,
    stream: TextIO,
    environ: Mapping[str, str] | None = None,
    width: int | None = None,
) -> str | None:
    """The cache key of one drawing, or None when it must not be cached."""
    environ = os.environ if environ is None else environ
    if not spec or not index_key or environ.get(ENV_OFF):
        return None
    code = _code_stamp()
    if not code:
        return None
    import json

    command = json.dumps(list(spec), sort_keys=True, default=str)
    text = "\0".join((command, index_key, code, _terminal(stream, environ), f"width={width}"))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def get(directory: str, cache_key: str) -> str | None:
    """The text drawn before under this key, or None."""
    path = os.path.join(directory, FILE)
    if not os.path.exists(path):
        return None
    try:
        uri = path.replace("%", "%25").replace("?", "%3f").replace("#", "%23")
        con = sqlite3.connect(f"file:{uri}?mode=ro", uri=True, timeout=0.2)
        try:
            row = con.execute("SELECT text FROM render WHERE key = ?", (cache_key,)).fetchone()
        finally:
            con.close()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def put(directory: str, cache_key: str, text: str) -> None:
    """Keep a drawing (best effort: any failure is ignored; a damaged file is removed)."""
    import time

    path = os.path.join(directory, FILE)
    try:
        if not os.path.isdir(directory):
            return
        con = sqlite3.connect(path, timeout=0.5)
        try:
            con.execute("PRAGMA synchronous = OFF")
            with con:
                con.execute(_SCHEMA)
                con.execute("INSERT OR REPLACE INTO render VALUES (?, ?, ?)", (cache_key, text, time.time_ns()))
                con.execute(
                    "DELETE FROM render WHERE key NOT IN (SELECT key FROM render ORDER BY at DESC LIMIT ?)", (LIMIT,)
                )
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        if not isinstance(exc, sqlite3.OperationalError):  # not a database, or corrupt: start again
            try:
                os.unlink(path)
            except OSError:
                pass
    except (sqlite3.Error, OSError):
        pass
