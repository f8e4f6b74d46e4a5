"""Machine-readable output (JSON), written without importing Rich."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, TextIO


def write_json(obj: Any, out: TextIO) -> None:
    """Write one JSON value followed by a newline."""
    out.write(json.dumps(obj, ensure_ascii=False, indent=2))
    out.write("\n")


def write_raw_record(raw: str, out: TextIO) -> None:
    """Write one record whose JSON text comes from the index."""
    out.write(raw)
    out.write("\n")


def write_raw_array(raws: Iterable[str], out: TextIO) -> None:
    """Write records (JSON text from the index) as one JSON array, streaming; `[]` when empty."""
    sep = "[\n"
    for raw in raws:
        out.write(sep)
        out.write(raw)
        sep = ",\n"
    out.write("[]\n" if sep == "[\n" else "\n]\n")


def write_raw_lines(raws: Iterable[str], out: TextIO) -> None:
    """Write records (JSON text from the index) as JSON lines: one object per line."""
    for raw in raws:
        out.write(raw)
        out.write("\n")


def write_json_lines(objs: Iterable[Any], out: TextIO) -> None:
    """Write values as JSON lines: one compact JSON value per line."""
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
