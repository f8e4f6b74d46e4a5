"""Machine-readable output (JSON), written without importing Rich."""

from __future__ import annotations

import json
from collections.abc import Iterable
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
