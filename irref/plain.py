"""Small record classes for the plain data results of the core (stdlib only).

Used instead of dataclasses, whose import (with inspect) costs a warm run about 13-15 ms. A
subclass names its fields in order (``_fields``) and may give defaults (``_defaults``; a type
such as ``list`` is a factory); instances take the fields by position or name and have equality
and a repr. :class:`Frozen` records are also immutable and hashable.
"""

from __future__ import annotations


class Plain:
    """A mutable record (unhashable, like a dataclass with ``eq``)."""

    _fields: tuple[str, ...] = ()
    _defaults: dict = {}  # noqa: RUF012  (read-only class table)

    def __init__(self, *args: object, **kwargs: object) -> None:
        names = self._fields
        if len(args) > len(names) or any(k not in names or k in names[: len(args)] for k in kwargs):
            raise TypeError(f"{type(self).__name__}{names}: bad arguments")
        values = dict(zip(names, args, strict=False)) | kwargs
        for name in names:
            if name in values:
                value = values[name]
            elif name in self._defaults:
                default = self._defaults[name]
                value = default() if isinstance(default, type) else default
            else:
                raise TypeError(f"{type(self).__name__} needs {name}")
            object.__setattr__(self, name, value)

    def _values(self) -> tuple:
        return tuple(getattr(self, n) for n in self._fields)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._values() == other._values()  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(" + ", ".join(f"{n}={getattr(self, n)!r}" for n in self._fields) + ")"


class Frozen(Plain):
    """An immutable, hashable record (as a frozen dataclass)."""

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __hash__(self) -> int:
        return hash(self._values())
