"""Read data files and validate them against the record model (cold path only).

Files are parsed with ruamel.yaml's C loader. When a file has problems it is
parsed once more with the round-trip loader, which keeps line numbers, so that
every problem names file, line and field.
"""

from __future__ import annotations

import difflib
import functools
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 12


def display_path(path: Path | str) -> str:
    """A path as shown in messages: relative to the working directory when inside it."""
    text = os.path.abspath(path)
    try:
        rel = os.path.relpath(text)
    except ValueError:
        return text
    return text if rel.startswith("..") else rel


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in one data file."""

    path: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        what = f"{self.field}: " if self.field else ""
        return f"{where}: {what}{self.message}"


class FileRejected(Exception):
    """A file that cannot be read as a YAML mapping at all."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def _yaml(typ: str):
    from ruamel.yaml import YAML

    yaml = YAML(typ=typ, pure=False) if typ == "safe" else YAML(typ=typ)
    yaml.allow_duplicate_keys = False
    return yaml


def _read_text(path: Path) -> str:
    shown = display_path(path)
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):  # a directory, FIFO or device would fail or block
            raise FileRejected(Problem(shown, None, None, "not a regular file: remove it or replace it with a file"))
        size = st.st_size
        if size > MAX_FILE_BYTES:
            raise FileRejected(
                Problem(shown, None, None, f"file is {size} bytes, over the 1 MiB limit: split or trim it")
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise FileRejected(Problem(shown, None, None, f"cannot read file: {exc.strerror or exc}")) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FileRejected(Problem(shown, line, None, "file is not UTF-8 text: re-save it as UTF-8")) from None


def _alias_line(text: str) -> int | None:
    """Line of the first YAML alias (``*name``) in a text, from the C parser's events."""
    from ruamel.yaml.events import AliasEvent

    try:
        for event in _yaml("safe").parse(text):
            if isinstance(event, AliasEvent):
                return event.start_mark.line + 1 if event.start_mark else None
    except Exception:
        return None
    return None


def _syntax_problem(exc: Exception, shown: str) -> None:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    raise FileRejected(Problem(shown, line, None, f"YAML syntax error: {problem}")) from None


_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


class _Refused(Exception):
    def __init__(self, node: Any, message: str) -> None:
        super().__init__(message)
        self.line = node.start_mark.line + 1 if getattr(node, "start_mark", None) else None
        self.message = message


class _Builder:
    """Python values from a composed YAML node tree (the C parser composes; this replaces
    ruamel's generic constructor, which dominated a cold build). Refuses aliases (a node met
    twice), duplicate keys, non-scalar keys, unknown tags and nesting deeper than MAX_DEPTH."""

    def __init__(self, constructor: Any) -> None:
        from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

        self.scalar, self.mapping, self.sequence = ScalarNode, MappingNode, SequenceNode
        self.constructor = constructor  # the C loader, for the rare non-string scalar
        self.seen: set[int] = set()

    def build(self, node: Any, depth: int = 0) -> Any:
        if id(node) in self.seen:
            raise _Refused(node, "alias")
        self.seen.add(id(node))
        tag = node.ctag
        cls = type(node)
        if cls is self.scalar:
            if tag.handle is None and tag.suffix == _STR:
                return node.value
            try:
                return self.constructor.construct_object(node, deep=True)
            except Exception as exc:
                raise _Refused(node, f"cannot read value {node.value!r}: {getattr(exc, 'problem', exc)}") from None
        if depth >= MAX_DEPTH:
            raise _Refused(node, "deep")
        if cls is self.mapping and tag.handle is None and tag.suffix == _MAP:
            out: dict = {}
            for key_node, value_node in node.value:
                if type(key_node) is not self.scalar or key_node.ctag.suffix == "tag:yaml.org,2002:merge":
                    raise _Refused(key_node, "keys must be plain names")
                key = self.build(key_node, depth + 1)
                if not isinstance(key, str | int | bool | None):
                    raise _Refused(key_node, "keys must be plain names")
                if key in out:
                    raise _Refused(key_node, f"duplicate key {key!r}")
                out[key] = self.build(value_node, depth + 1)
            return out
        if cls is self.sequence and tag.handle is None and tag.suffix == _SEQ:
            return [self.build(item, depth + 1) for item in node.value]
        raise _Refused(node, f"unsupported YAML tag {str(tag)!r}")


def parse_file(path: Path, *, kind: str = "a mapping") -> Any:
    """Parse one YAML file with the C loader, refusing hostile or unusable files."""
    from ruamel.yaml.cyaml import CSafeLoader

    shown = display_path(path)
    text = _read_text(path)
    if not text.strip():
        raise FileRejected(Problem(shown, None, None, f"file is empty: it must hold {kind}"))
    parser = CSafeLoader(text)
    try:
        try:
            node = parser.get_single_node()
        except Exception as exc:
            _syntax_problem(exc, shown)
        if node is None:
            raise FileRejected(Problem(shown, None, None, f"file is empty: it must hold {kind}"))
        return _Builder(parser).build(node)
    except _Refused as exc:
        if exc.message == "alias":
            line = _alias_line(text) or exc.line
            message = "YAML aliases (*name) are not allowed in data files: write the value out"
        elif exc.message == "deep":
            line, message = None, f"structure is nested deeper than {MAX_DEPTH} levels"
        else:
            line, message = exc.line, f"YAML: {exc.message}"
        raise FileRejected(Problem(shown, line, None, message)) from None
    except RecursionError:
        raise FileRejected(Problem(shown, None, None, f"structure is nested deeper than {MAX_DEPTH} levels")) from None
    finally:
        parser.dispose()


@functools.lru_cache(maxsize=64)
def _rt_tree(path: Path, stamp: tuple[int, int]) -> Any:
    """The file parsed by the round-trip loader (which keeps line numbers), cached per version."""
    try:
        return _yaml("rt").load(path.read_text(encoding="utf-8"))
    except Exception:
        return None


def line_of(path: Path, loc: tuple) -> int | None:
    """Line (1-based) of a pydantic error location, read with the round-trip loader."""
    try:
        st = path.stat()
    except OSError:
        return None
    node = _rt_tree(Path(path), (st.st_size, st.st_mtime_ns))
    if node is None:
        return None
    line = None
    for part in loc:
        lc = getattr(node, "lc", None)
        if lc is None:
            break
        try:
            if isinstance(node, dict) and part in node:
                line = lc.key(part)[0] + 1
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and part < len(node):
                line = lc.item(part)[0] + 1
                node = node[part]
            else:
                break
        except (KeyError, IndexError, TypeError):
            break
    if line is None and getattr(node, "lc", None) is not None:
        line = node.lc.line + 1
    return line


def _field_name(loc: tuple) -> str:
    return ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in loc).replace(".[", "[")


def _describe(error: dict, fields: tuple[str, ...]) -> str:
    kind = error["type"]
    loc = error["loc"]
    if kind == "extra_forbidden":
        name = str(loc[-1])
        guess = difflib.get_close_matches(name, fields, n=1, cutoff=0.6)
        return "unknown field" + (f": did you mean '{guess[0]}'?" if guess else "")
    if kind == "missing":
        return "required field is missing"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"{error['input']!r} is not allowed; expected one of {expected}"
    msg = error["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    return msg[0].lower() + msg[1:] if msg else kind


def validate_mapping(model: type, data: Any, path: Path) -> tuple[Any | None, list[Problem]]:
    """Validate parsed data against a model; returns (object or None, problems with lines)."""
    from pydantic import ValidationError

    shown = display_path(path)
    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "nothing"
        return None, [Problem(shown, 1, None, f"file must hold a mapping of fields, found {kind}")]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        fields = tuple(model.model_fields)
        problems = []
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith(("function-", "lax-"))))
            problems.append(Problem(shown, line_of(path, loc), _field_name(loc) or None, _describe(err, fields)))
        return None, problems


def validate_list(model: type, data: Any, path: Path) -> tuple[list, list[Problem]]:
    """Validate a vocabulary file: a YAML list of mappings."""
    from pydantic import ValidationError

    shown = display_path(path)
    if not isinstance(data, list):
        return [], [Problem(shown, 1, None, "vocabulary file must hold a list of entries")]
    items, problems = [], []
    fields = tuple(model.model_fields)
    for i, entry in enumerate(data):
        try:
            items.append(model.model_validate(entry))
        except ValidationError as exc:
            for err in exc.errors():
                loc = (i, *err["loc"])
                problems.append(Problem(shown, line_of(path, loc), _field_name(loc), _describe(err, fields)))
    return items, problems


def list_yaml(directory: Path) -> list[Path]:
    """YAML files directly in a directory (sorted), skipping symlinks to directories."""
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        return []
    out = []
    for entry in entries:
        if entry.name.startswith(".") or not entry.name.endswith((".yaml", ".yml")):
            continue
        try:
            if entry.is_dir():
                continue
        except OSError:
            pass
        out.append(Path(entry.path))
    return out
