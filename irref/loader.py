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


def _rt_yaml():
    """ruamel.yaml's round-trip loader, which keeps line numbers (for problem reports)."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    return yaml


def _read_text(path: Path) -> str:
    def shown() -> str:  # computed only for a message: it costs more than reading a small file
        return display_path(path)

    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):  # a directory, FIFO or device would fail or block
            raise FileRejected(Problem(shown(), None, None, "not a regular file: remove it or replace it with a file"))
        size = st.st_size
        if size > MAX_FILE_BYTES:
            raise FileRejected(
                Problem(shown(), None, None, f"file is {size} bytes, over the 1 MiB limit: split or trim it")
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise FileRejected(Problem(shown(), None, None, f"cannot read file: {exc.strerror or exc}")) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FileRejected(Problem(shown(), line, None, "file is not UTF-8 text: re-save it as UTF-8")) from None


def _syntax_problem(exc: Exception, shown: str) -> None:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    raise FileRejected(Problem(shown, line, None, f"YAML syntax error: {problem}")) from None


_CORE = "tag:yaml.org,2002:"


class _Refused(Exception):
    def __init__(self, event: Any, message: str) -> None:
        super().__init__(message)
        mark = getattr(event, "start_mark", None)
        self.line = mark.line + 1 if mark is not None else None
        self.message = message


class _Events:
    """Python values straight from the C parser's events.

    ruamel's generic composer and constructor (a node object per value, then a constructor
    pass) dominated a cold build; this builds dicts, lists and strings as the events arrive,
    resolving only plain scalars that could be something other than a string. It refuses
    aliases (``*name``), duplicate keys, non-scalar or merge keys, non-core tags, more than
    one document and nesting deeper than MAX_DEPTH.
    """

    _shared: tuple | None = None

    @classmethod
    def _tools(cls) -> tuple:
        if cls._shared is None:
            from ruamel.yaml import events
            from ruamel.yaml.cyaml import CSafeLoader
            from ruamel.yaml.nodes import ScalarNode
            from ruamel.yaml.tag import Tag

            helper = CSafeLoader("")  # its resolver and constructor, for the rare typed scalar
            # plain scalars that may resolve to something else than a string: those whose first
            # character has an implicit resolver, except words starting with a letter (bool and
            # null are whole words: true, False, NULL...), checked against that short list
            first = frozenset(k for k in helper.yaml_implicit_resolvers if k and not k.isalpha())
            words = frozenset(w for base in ("true", "false", "null") for w in (base, base.title(), base.upper()))
            cls._shared = (events, helper, first | words, ScalarNode, Tag)
        return cls._shared

    @classmethod
    def load(cls, text: str) -> Any:
        from ruamel.yaml.cyaml import CParser

        events, helper, first, scalar_node, tag_cls = cls._tools()
        scalar_ev, alias_ev = events.ScalarEvent, events.AliasEvent
        map_start, seq_start = events.MappingStartEvent, events.SequenceStartEvent
        map_end, seq_end = events.MappingEndEvent, events.SequenceEndEvent
        doc_start, stream_end = events.DocumentStartEvent, events.StreamEndEvent

        def scalar(ev: Any) -> Any:
            tag, value = ev.tag, ev.value
            if tag is None or tag == "!":
                if not ev.implicit[0] or (value and value[0] not in first and value not in first):
                    return value  # quoted, or plain text that cannot be a number, bool, null or date
                tag = str(helper.resolve(scalar_node, value, (True, False)))
                if tag == _CORE + "str":
                    return value
                if tag == _CORE + "merge":
                    raise _Refused(ev, "merge keys (<<) are not allowed: write the values out")
            elif tag == _CORE + "str":
                return value
            if tag not in (_CORE + t for t in ("int", "float", "bool", "null", "timestamp")):
                raise _Refused(ev, f"unsupported YAML tag {tag!r}")
            node = scalar_node(tag_cls(suffix=tag), value, ev.start_mark, ev.end_mark)
            try:
                return helper.construct_object(node, deep=True)
            except Exception as exc:
                raise _Refused(ev, f"cannot read value {value!r}: {getattr(exc, 'problem', exc)}") from None
            finally:
                helper.constructed_objects.clear()

        parser = CParser(text)
        try:
            get = parser.get_event
            stack: list[Any] = []
            keys: list[Any] = []  # per open mapping: the pending key, or _NO_KEY
            root: Any = None
            documents = 0
            while True:
                ev = get()
                cls_ = type(ev)
                if cls_ is scalar_ev:
                    value = scalar(ev)
                elif cls_ is map_start or cls_ is seq_start:
                    if ev.tag not in (None, "!", _CORE + ("map" if cls_ is map_start else "seq")):
                        raise _Refused(ev, f"unsupported YAML tag {ev.tag!r}")
                    if len(stack) >= MAX_DEPTH:
                        raise _Refused(ev, "deep")
                    if stack and type(stack[-1]) is dict and keys[-1] is _NO_KEY:
                        raise _Refused(ev, "keys must be plain names")
                    value = {} if cls_ is map_start else []
                elif cls_ is map_end or cls_ is seq_end:
                    done = stack.pop()
                    keys.pop()
                    if stack:
                        continue
                    root = done
                    continue
                elif cls_ is alias_ev:
                    raise _Refused(ev, "alias")
                elif cls_ is doc_start:
                    documents += 1
                    if documents > 1:
                        raise _Refused(ev, "a file must hold one YAML document")
                    continue
                elif cls_ is stream_end:
                    break
                else:  # stream start, document end
                    continue
                # attach value to its parent (or make it the root)
                if not stack:
                    root = value
                else:
                    top = stack[-1]
                    if type(top) is dict:
                        if keys[-1] is _NO_KEY:
                            if not isinstance(value, str | int | bool | float | None):
                                raise _Refused(ev, "keys must be plain names")
                            if value in top:
                                raise _Refused(ev, f"duplicate key {value!r}")
                            keys[-1] = value
                            continue
                        top[keys[-1]] = value
                        keys[-1] = _NO_KEY
                    else:
                        top.append(value)
                if type(value) is dict or type(value) is list:
                    stack.append(value)
                    keys.append(_NO_KEY)
            return root
        finally:
            parser.dispose()


_NO_KEY = object()


def parse_file(path: Path, *, kind: str = "a mapping") -> Any:
    """Parse one YAML file with the C loader, refusing hostile or unusable files."""
    text = _read_text(path)
    if not text.strip():
        raise FileRejected(Problem(display_path(path), None, None, f"file is empty: it must hold {kind}"))
    try:
        data = _Events.load(text)
    except _Refused as exc:
        if exc.message == "alias":
            line, message = exc.line, "YAML aliases (*name) are not allowed in data files: write the value out"
        elif exc.message == "deep":
            line, message = None, f"structure is nested deeper than {MAX_DEPTH} levels"
        else:
            line, message = exc.line, f"YAML: {exc.message}"
        raise FileRejected(Problem(display_path(path), line, None, message)) from None
    except FileRejected:
        raise
    except Exception as exc:
        _syntax_problem(exc, display_path(path))
    if data is None:
        raise FileRejected(Problem(display_path(path), None, None, f"file is empty: it must hold {kind}"))
    return data


@functools.lru_cache(maxsize=64)
def _rt_tree(path: Path, stamp: tuple[int, int]) -> Any:
    """The file parsed by the round-trip loader (which keeps line numbers), cached per version."""
    try:
        return _rt_yaml().load(path.read_text(encoding="utf-8"))
    except Exception:
        return None


@functools.lru_cache(maxsize=4096)
def _lines(path: Path, stamp: tuple[int, int]) -> list[str] | None:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None


def _quick_line(lines: list[str], loc: tuple) -> int | None:
    """The line of a top-level key, or of item i of a top-level block list, by scanning the text
    (no YAML parse: thousands of problems in thousands of files stay cheap); None when unsure."""
    if not loc or not isinstance(loc[0], str) or len(loc) > 2:
        return None
    key = loc[0] + ":"
    start = next((n for n, line in enumerate(lines) if line.startswith(key) and line[: len(key)] == key), None)
    if start is None:
        return None
    if len(loc) == 1:
        return start + 1
    if not isinstance(loc[1], int):
        return None
    rest = lines[start][len(key) :].strip()
    if rest.startswith("["):  # a flow list on the key's line
        return start + 1 if "]" in rest else None
    count = -1
    for n in range(start + 1, len(lines)):
        line = lines[n]
        if line and not line[0].isspace() and not line.startswith("#") and not line.startswith("-"):
            break  # the next top-level key
        stripped = line.lstrip()
        if stripped.startswith("- ") or stripped == "-":
            indent = len(line) - len(stripped)
            if indent <= 2:
                count += 1
                if count == loc[1]:
                    return n + 1
    return None


def line_of(path: Path | str, loc: tuple) -> int | None:
    """Line (1-based) of a pydantic error location: a top-level key or list item by a text scan,
    anything deeper with the round-trip loader."""
    path = Path(path)
    try:
        st = path.stat()
    except OSError:
        return None
    stamp = (st.st_size, st.st_mtime_ns)
    lines = _lines(path, stamp)
    if lines is not None:
        quick = _quick_line(lines, loc)
        if quick is not None:
            return quick
    node = _rt_tree(path, stamp)
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

    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "nothing"
        return None, [Problem(display_path(path), 1, None, f"file must hold a mapping of fields, found {kind}")]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        shown = display_path(path)
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
