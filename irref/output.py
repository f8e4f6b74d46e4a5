"""Machine-readable output (JSON), written without importing Rich."""

from __future__ import annotations

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (4 ms) on every run


if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from typing import Any, TextIO


def _tty(out: TextIO) -> bool:
    try:
        return out.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def write_json(obj: Any, out: TextIO) -> None:
    """Write one JSON value and a newline: indented on a terminal, compact (one line) when piped."""
    import json

    if _tty(out):
        out.write(json.dumps(obj, ensure_ascii=False, indent=2))
    else:
        out.write(json.dumps(obj, ensure_ascii=False))
    out.write("\n")


def _pretty(raw: str, out: TextIO) -> str:
    if not _tty(out):
        return raw
    import json

    return json.dumps(json.loads(raw), ensure_ascii=False, indent=2)


def write_raw_record(raw: str, out: TextIO) -> None:
    """Write one record whose JSON text comes from the index (indented on a terminal)."""
    out.write(_pretty(raw, out))
    out.write("\n")


def write_raw_array(raws: Iterable[str], out: TextIO) -> None:
    """Write records (JSON text from the index) as one JSON array, streaming; `[]` when empty.
    One record per line when piped; indented on a terminal."""
    sep = "[\n"
    for raw in raws:
        out.write(sep)
        out.write(_pretty(raw, out))
        sep = ",\n"
    out.write("[]\n" if sep == "[\n" else "\n]\n")


def _string_encoder() -> Callable[[str], str]:
    try:  # the C function json.dumps(..., ensure_ascii=False) itself uses for strings
        from _json import encode_basestring
    except ImportError:  # pragma: no cover - a Python without the C accelerator
        import json

        return lambda text: json.dumps(text, ensure_ascii=False)
    return encode_basestring


def dumps(value: Any) -> str:
    """``json.dumps(value, ensure_ascii=False)`` for small values (a match, a key or two) without
    importing the json package, which costs a warm run ~3 ms (its regular expressions are compiled
    at import). Strings go through json's own C encoder; a value of any other type, a non-finite
    float or a non-string key is handed to json itself. Property-tested equal to json.dumps."""
    if isinstance(value, str):
        return _encode(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int:
        return int.__repr__(value)
    if type(value) is float and value - value == 0:  # finite (NaN and infinities are json's business)
        return float.__repr__(value)
    if type(value) is dict and all(type(k) is str for k in value):
        return "{" + ", ".join(_encode(k) + ": " + dumps(v) for k, v in value.items()) + "}"
    if type(value) in (list, tuple):
        return "[" + ", ".join(dumps(v) for v in value) + "]"
    import json

    return json.dumps(value, ensure_ascii=False)


_encode = _string_encoder()


def with_keys(raw: str, extra: dict[str, Any]) -> str:
    """A record's JSON text with more top-level keys appended (no parse of the record)."""
    if not extra:
        return raw
    tail = dumps(extra)[1:]
    return raw.rstrip()[:-1].rstrip() + ", " + tail


def project(raw: str, fields: Sequence[str]) -> str:
    """Only these top-level keys of a record's JSON text, in the order given."""
    import json

    rec = json.loads(raw)
    return json.dumps({f: rec.get(f) for f in fields}, ensure_ascii=False)


def write_raw_lines(raws: Iterable[str], out: TextIO) -> None:
    """Write records (JSON text from the index) as JSON lines: one object per line."""
    for raw in raws:
        out.write(raw)
        out.write("\n")


def write_json_lines(objs: Iterable[Any], out: TextIO) -> None:
    """Write values as JSON lines: one compact JSON value per line."""
    import json

    for obj in objs:
        out.write(json.dumps(obj, ensure_ascii=False))
        out.write("\n")


def write_csv(columns: Sequence[str], rows: Iterable[Sequence[Any]], out: TextIO) -> None:
    """Write a header and rows as CSV (RFC 4180 quoting); list cells are joined with '; '."""
    import csv

    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["; ".join(map(str, v)) if isinstance(v, list | tuple) else v for v in row])
