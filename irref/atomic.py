"""Write files so that each is either whole or absent, never through a link (stdlib only).

Each file is written to a temporary name in its own directory, flushed to disk, then moved
to its name in one step. Without ``force`` nothing at a target name is touched, not even a
dangling symbolic link; with ``force`` the name itself is replaced (a link is replaced by the
file, its target is left alone).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from irref.errors import UsageError


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _sync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # not possible everywhere (Windows): the files themselves are synced
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_one(target: Path, data: bytes, *, force: bool, mode: int = 0o644) -> None:
    """Write ``data`` to ``target`` atomically; without ``force``, fail if anything is there."""
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        if force:
            os.replace(tmp, target)
            return
        try:
            os.link(tmp, target)  # no-clobber: fails if any entry has the name
        except FileExistsError:
            raise UsageError(f"{target} already exists; use --force to overwrite") from None
        except (OSError, NotImplementedError):  # a file system without hard links
            if os.path.lexists(target):
                raise UsageError(f"{target} already exists; use --force to overwrite") from None
            os.replace(tmp, target)
    finally:
        if os.path.lexists(tmp):
            tmp.unlink()


def write_files(targets: Mapping[Path, str], *, force: bool) -> None:
    """Write every text (UTF-8) to its path, creating the directories; check all names first.

    Raises UsageError, before writing anything, when a name is taken (by a file, a directory,
    or a link, even a dangling one) and ``force`` is not given, or when a name is a directory.
    """
    taken = [t for t in targets if os.path.lexists(t)]
    folders = [t for t in taken if t.is_dir() and not t.is_symlink()]
    if folders:
        raise UsageError(f"{folders[0]} is a directory; choose another --output")
    if taken and not force:
        shown = ", ".join(str(t) for t in taken[:3]) + (" ..." if len(taken) > 3 else "")
        raise UsageError(f"{len(taken)} file(s) already exist: {shown}; use --force to overwrite")
    mode = 0o666 & ~_umask()
    directories = sorted({t.parent for t in targets})
    for directory in directories:
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"cannot create {directory}: {exc.strerror or exc}") from None
    for target, text in targets.items():
        try:
            write_one(target, text.encode("utf-8"), force=force, mode=mode)
        except OSError as exc:
            raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from None
    for directory in directories:
        _sync_dir(directory)
