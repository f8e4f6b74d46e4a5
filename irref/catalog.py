"""The catalog: find data files, build a validated index, and cache it.

Cold path: every YAML file is parsed (C loader), validated against the record model,
cross-checked, and compiled into the SQLite index (:mod:`irref.store`); with many files the
parsing, validation and search-text extraction run in worker processes, which hand back each
record compressed. Warm path: the index is opened read-only; ruamel.yaml and pydantic are not
imported.

The index is keyed by irref's version and the path, size and modification time of every source
file (the installed catalog by version alone), so any edit, addition or removal rebuilds it. It
is written to a temporary file and renamed into place, so concurrent runs never read half a
file; an unwritable cache directory means an in-memory build with no error.
"""

from __future__ import annotations

import functools
import os
import stat
import sys
import zlib
from collections import namedtuple
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence

from irref import __version__
from irref.errors import DataError
from irref.normalize import normalize

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing on every run
if TYPE_CHECKING:
    from os import PathLike
    from pathlib import Path
    from typing import Any

    StrPath = str | PathLike[str]

FORMAT = 8
ENV_DATA_DIRS = "IRREF_DATA_DIRS"
ENV_CACHE_DIR = "IRREF_CACHE_DIR"
VOCAB_FILES = ("conditions.yaml", "modalities.yaml")


# ---------------------------------------------------------------- sources


def shipped_dir() -> str:
    """The catalog shipped with irref (inside the wheel, or beside the source tree).

    Paths on the warm path are strings: pathlib costs ~6 ms to import (urllib.parse, ipaddress),
    a tenth of a warm `show --json`."""
    here = os.path.dirname(os.path.realpath(__file__))
    packaged = os.path.join(here, "data")
    if os.path.isdir(os.path.join(packaged, "procedures")):
        return packaged
    return os.path.join(os.path.dirname(here), "data")


def _dir_text(d: StrPath) -> str:
    """A directory as given, with ``~`` expanded and trailing separators dropped (as Path does)."""
    text = os.path.expanduser(os.fspath(d))
    return text.rstrip(os.sep) or text


def data_dirs(cli_dirs: Sequence[StrPath] = (), *, env: Mapping[str, str] | None = None) -> list[str]:
    """Data directories in increasing precedence: shipped, IRREF_DATA_DIRS, --data-dir."""
    env = os.environ if env is None else env
    dirs = [shipped_dir()]
    for part in (env.get(ENV_DATA_DIRS) or "").split(os.pathsep):
        if part.strip():
            dirs.append(_dir_text(part.strip()))
    for d in cli_dirs:
        path = _dir_text(d)
        if not os.path.isdir(path):
            raise DataError(f"data directory not found: {d}")
        dirs.append(path)
    for path in dirs[1:]:  # a directory named on purpose that cannot be read is an error, not a silent skip
        if os.path.isdir(path) and not os.access(path, os.R_OK | os.X_OK):
            raise DataError(f"cannot read data directory {path}: permission denied")
    seen: set[str] = set()
    out = []
    for d in dirs:
        key = os.path.realpath(d) if os.path.exists(d) else d
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


def dir_notices(dirs: Sequence[StrPath], env: Mapping[str, str] | None = None) -> list[str]:
    """Data that would otherwise be silently ignored: IRREF_DATA_DIRS entries that do not exist or
    are files, unreadable record folders, and record files beside a procedures/ folder."""
    env = os.environ if env is None else env
    out: list[str] = []
    for part in (env.get(ENV_DATA_DIRS) or "").split(os.pathsep):
        part = part.strip()
        if not part:
            continue
        path = os.path.expanduser(part)
        if not os.path.exists(path):
            out.append(f"{ENV_DATA_DIRS} names {part}, which does not exist: ignored")
        elif not os.path.isdir(path):
            out.append(f"{ENV_DATA_DIRS} names {part}, which is not a directory: ignored")
    for directory in dirs[1:]:
        procs = procedure_dir(directory)
        try:
            with os.scandir(procs):
                pass
        except OSError as exc:
            if os.path.exists(directory):
                out.append(f"cannot read {procs} ({exc.strerror or exc}): its records are not served")
            continue
        if procs != directory:
            try:
                beside = sorted(
                    e.name
                    for e in os.scandir(directory)
                    if e.name.endswith((".yaml", ".yml")) and e.name not in VOCAB_FILES and e.name[0] != "."
                )
            except OSError:
                beside = []
            if beside:
                out.append(
                    f"{directory} has a procedures/ folder, so {len(beside)} record file(s) beside it are ignored "
                    f"({', '.join(beside[:3])}{' ...' if len(beside) > 3 else ''}): move them into procedures/"
                )
    return out


def procedure_dir(directory: StrPath) -> str:
    """Where a data directory keeps its procedure files: ``procedures/`` or the directory itself."""
    sub = os.path.join(directory, "procedures")
    return sub if os.path.isdir(sub) else os.fspath(directory)


#: stat relative to an open folder (fstatat), where the platform has it.
_DIR_FD = os.stat in os.supports_dir_fd and os.listdir in os.supports_fd


class _Scan:
    """The source files of one data directory as a warm run checks them: the vocabularies
    (kind, path, size, mtime in ns), then the procedure folder's file names, sorted, with their
    sizes and modification times (kept as three flat lists: 10,000 files are checked on every
    warm run, so no per-file tuple or path is built unless a build needs the list)."""

    __slots__ = ("base", "mtimes", "names", "sizes", "vocab")

    def __init__(self, vocab: list, base: str, names: list[str], sizes: list[int], mtimes: list[int]) -> None:
        self.vocab, self.base, self.names, self.sizes, self.mtimes = vocab, base, names, sizes, mtimes

    def files(self) -> list[tuple[str, str, int, int]]:
        """(kind, path, size, mtime in ns) of every file: vocabularies first, then procedures by path."""
        base = self.base
        procs = [("procedure", base + n, z, m) for n, z, m in zip(self.names, self.sizes, self.mtimes, strict=True)]
        return [*self.vocab, *procs]


def _scan(directory: StrPath) -> _Scan:
    """Every source file of one data directory, with size and modification time (see _Scan).
    Kept lean: a warm run stats every file (10,000 of them for a large user catalog), so this
    loop is most of a warm lookup's cost."""
    vocab: list[tuple[str, str, int, int]] = []
    for name in VOCAB_FILES:
        path = os.path.join(directory, name)
        try:
            st = os.stat(path)
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode):
            vocab.append((name.split(".")[0], path, st.st_size, st.st_mtime_ns))
    procs = procedure_dir(directory)
    top = os.path.normpath(directory) == os.path.normpath(procs)
    try:  # names sorted first (strings sort faster than tuples), then one stat per file
        fd = os.open(procs, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)) if _DIR_FD else None
    except OSError:
        fd = None
    try:
        try:
            listed = os.listdir(procs if fd is None else fd)
        except OSError:
            listed = []
        names = sorted(
            n for n in listed if n.endswith((".yaml", ".yml")) and n[0] != "." and not (top and n in VOCAB_FILES)
        )
        join, stat_ = os.path.join, os.stat
        try:  # the common case, as one comprehension; relative to the open folder (no path walk per file)
            if fd is None:
                stats = [stat_(join(procs, n)) for n in names]
            else:
                stats = [stat_(n, dir_fd=fd) for n in names]
            sizes = [st.st_size for st in stats]
            mtimes = [st.st_mtime_ns for st in stats]
        except OSError:  # a dangling link or an unreadable entry: go one by one
            sizes, mtimes = [], []
            for n in names:
                try:
                    st = stat_(join(procs, n))
                    sizes.append(st.st_size)
                    mtimes.append(st.st_mtime_ns)
                except OSError:
                    sizes.append(-1)
                    mtimes.append(-1)
    finally:
        if fd is not None:
            os.close(fd)
    return _Scan(vocab, os.path.join(procs, ""), names, sizes, mtimes)


def installed_catalog(directory: StrPath) -> bool:
    """True when the shipped catalog sits in an installed package (site-packages): it cannot change
    without a new install, so warm runs key it by irref's version instead of stat-ing every file.
    A checkout (an editable install, or running from the source tree) is always checked."""
    parts = os.fspath(directory).split(os.sep)
    return "site-packages" in parts or "dist-packages" in parts


def _fingerprint(dirs: Sequence[StrPath], *, full: bool = False) -> tuple[str, list[tuple[int, str, str]] | None]:
    """A key that changes when any source file is edited, added or removed; with ``full`` (for a
    build: the installed shipped catalog is listed too) also the files as (directory index, kind,
    path), else None."""
    paths: list[str] = [f"{FORMAT}|{__version__}|{sys.version_info[:2]}"]
    stamps: Any = None  # sizes and mtimes as int64 (array is imported only when a directory is scanned)
    scans: list[tuple[int, _Scan]] = []
    listed_all = True
    for i, directory in enumerate(dirs):
        if i == 0 and not full and installed_catalog(directory):
            paths.append(f"installed:{directory}")
            listed_all = False
            continue
        scanned = _scan(directory)
        if stamps is None:
            from array import array

            stamps = array("q")
        scans.append((i, scanned))
        paths.append(f"dir:{directory}")
        paths += [v[1] for v in scanned.vocab]
        paths.append(scanned.base)
        paths += scanned.names
        stamps.extend([n for v in scanned.vocab for n in v[2:]])
        stamps.extend(scanned.sizes)
        stamps.extend(scanned.mtimes)
    key = _digest("\n".join(paths)) + "-" + _digest(b"" if stamps is None else stamps.tobytes())
    if not (full and listed_all):  # a warm run needs the key only
        return key, None
    return key, [(i, f[0], f[1]) for i, scanned in scans for f in scanned.files()]


def _digest(text: str | bytes) -> str:
    """A 64-bit fingerprint (CRC-32 and Adler-32) plus the length: enough to tell cache keys
    apart, and zlib is built in, where hashlib would load OpenSSL on every run."""
    data = text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text
    return f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}-{len(data)}"


# ---------------------------------------------------------------- index

# The compiled index lives in a SQLite database (irref/store.py); Index and KeyTable read it.
from irref.store import Index, KeyTable  # noqa: E402

__all__ = ["Index", "KeyTable", "build", "data_dirs", "load"]


# ---------------------------------------------------------------- build

#: Catalogs with at least this many procedure files are parsed by worker processes.
PARALLEL_MIN = 400
_CHUNK = 200


def _add_keys(
    table: dict[str, str], owner: str, names: Iterable[str], clashes: dict[str, set[str]], *, normalized: bool = False
) -> None:
    for name in names:
        norm = name if normalized else normalize(name)
        for key in (norm, norm.replace(" ", "")):
            if not key:
                continue
            if key in table and table[key] != owner:
                clashes.setdefault(key, set()).update({table[key], owner})
            else:
                table[key] = owner


#: Fields of a record the build keeps in memory for every record (names and keys) ...
_HEAD_FIELDS = ("id", "name", "aliases", "parent")
#: ... and those it keeps as one compressed JSON text per record (``rest``), decoded only by
#: the two passes that read them: as Python dicts these were ~6 KB a record, most of the memory
#: of a 10,000-record build; compressed they are ~0.6 KB.
_REST_FIELDS = (
    "category",
    "summary",
    "modalities",
    "conditions",
    "body_regions",
    "anesthesia",
    "setting",
    "bleeding_risk",
    "related",
)


def _full(head: dict) -> dict:
    """A head with its ``rest`` fields decoded (heads of invalid records have no ``rest``)."""
    import json

    rest = head.get("rest")
    return {**head, **json.loads(zlib.decompress(rest))} if rest is not None else head


def _loose_head(data: object, stem: str) -> dict | None:
    """The cross-checkable fields of a record that failed validation (marked invalid)."""
    if not isinstance(data, dict):
        return None

    def strs(value: object) -> list[str]:  # placeholders are reported by the model already
        return [v for v in value if isinstance(v, str) and "TODO" not in v] if isinstance(value, list) else []

    links = data.get("conditions")
    conditions = [
        {"id": c["id"]}
        for c in (links if isinstance(links, list) else [])
        if isinstance(c, dict) and isinstance(c.get("id"), str) and "TODO" not in c["id"]
    ]
    parent = data.get("parent")
    parent = None if isinstance(parent, str) and "TODO" in parent else parent
    rid = data.get("id")
    return {
        "id": rid if isinstance(rid, str) else stem,
        "parent": parent if isinstance(parent, str) else None,
        "modalities": strs(data.get("modalities")),
        "conditions": conditions,
        "related": strs(data.get("related")),
        "invalid": True,
    }


def _compile_procedures(
    paths: Sequence[str], condition_names: dict[str, str] | None = None, pack: bool = True
) -> list[tuple[str, dict | None, bytes, list]]:
    """Parse and validate procedure files: (path, head fields or None, packed record, problems) each.

    The packed record (:func:`irref.store.pack`) holds the record JSON and its search texts,
    compressed, so a large build neither holds nor ships the text uncompressed; without ``pack``
    (validation only) it is empty. Module-level so worker processes can run it on a chunk of files.
    """
    import json
    from pathlib import Path

    from irref import loader, store
    from irref.loader import FileRejected, Problem
    from irref.model import Procedure

    out: list[tuple[str, dict | None, str, list]] = []
    for name in paths:
        path = Path(name)
        try:
            data = loader.parse_file(path)
        except FileRejected as exc:
            out.append((name, None, b"", [exc.problem]))
            continue
        rec, probs = loader.validate_mapping(Procedure, data, path)
        stem = path.name.rsplit(".", 1)[0]
        if probs:  # still cross-check what can be read, so one run reports every problem
            out.append((name, _loose_head(data, stem), b"", probs))
            continue
        if rec.id != stem:
            problem = Problem(
                loader.display_path(path),
                loader.line_of(path, ("id",)),
                "id",
                f"id '{rec.id}' differs from the file name '{stem}'",
            )
            out.append((name, None, b"", [problem]))
            continue
        dumped = rec.model_dump(mode="json")
        dumped["source"] = name
        head = {k: dumped[k] for k in _HEAD_FIELDS}
        rest = json.dumps({k: dumped[k] for k in _REST_FIELDS}, ensure_ascii=False, separators=(",", ":"))
        head["rest"] = zlib.compress(rest.encode("utf-8"), 1)
        # lookup keys are normalised here, in the worker: id, id with spaces, name, then each alias
        rid = dumped["id"]
        head["norm"] = [normalize(t) for t in (rid, rid.replace("-", " "), dumped["name"], *dumped["aliases"])]
        head["terms"] = [normalize(t) for t in dumped.get("lookup_terms") or []]  # lookup keys, never shown
        packed = store.pack(json.dumps(dumped, ensure_ascii=False), dumped, condition_names) if pack else b""
        out.append((name, head, packed, []))
    return out


def _worker_init() -> None:
    """Workers leave Ctrl-C to the parent, which stops them all (no tracebacks from workers)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _compile_all(
    paths: list[str], condition_names: dict[str, str] | None = None, pack: bool = True, pool: Any = None
) -> Iterator[tuple[str, dict | None, bytes, list]]:
    """Compile every procedure file, in the worker processes of ``pool`` when given, yielding
    results in file order as they arrive (so the caller can spool them).

    Ctrl-C stops at once: the caller (``build``) cancels queued work and terminates the workers
    (none is left running), and KeyboardInterrupt reaches the harness, which exits 130; nothing
    is cached.
    """
    if pool is None:
        yield from _compile_procedures(paths, condition_names, pack)
        return
    chunks = [paths[i : i + _CHUNK] for i in range(0, len(paths), _CHUNK)]
    task = functools.partial(_compile_procedures, condition_names=condition_names, pack=pack)
    done = 0
    try:
        for part in pool.map(task, chunks):
            yield from part
            done += 1
    except Exception:  # a broken pool (Ctrl-C is no Exception: it reaches build): do the rest here
        pool.shutdown(wait=False, cancel_futures=True)
        for chunk in chunks[done:]:
            yield from _compile_procedures(chunk, condition_names, pack)


#: A condition or modality as the build uses it (plain data, so a worker can hand it back
#: without the parent importing pydantic).
_Term = namedtuple("_Term", "id name synonyms")


def _compile_vocab(files: Sequence[tuple[str, str]]) -> tuple[dict[str, dict[str, _Term]], list]:
    """Parse and validate the vocabulary files ((kind, path) in directory order; later ones
    extend and override earlier ones): ({"conditions": {id: term}, "modalities": ...}, problems)."""
    from pathlib import Path

    from irref import loader
    from irref.loader import FileRejected, Problem
    from irref.model import Condition, Modality

    problems: list[Problem] = []
    vocab: dict[str, dict[str, _Term]] = {"conditions": {}, "modalities": {}}
    models = {"conditions": Condition, "modalities": Modality}
    for kind, name in files:
        path = Path(name)
        try:
            data = loader.parse_file(path, kind="a list of entries")
        except FileRejected as exc:
            problems.append(exc.problem)
            continue
        items, probs = loader.validate_list(models[kind], data, path)
        problems.extend(probs)
        seen: set[str] = set()
        for i, item in enumerate(items):
            if item.id in seen:
                problems.append(
                    Problem(loader.display_path(path), loader.line_of(path, (i,)), "id", f"duplicate id '{item.id}'")
                )
            seen.add(item.id)
            vocab[kind][item.id] = _Term(item.id, item.name, tuple(item.synonyms))
    return vocab, problems


def _start_pool(n_files: int) -> Any:
    """Worker processes (one per core, at most 8) for a build of many procedure files; None for a
    small build, or where processes cannot be started (a sandbox, no /dev/shm...)."""
    workers = min(os.cpu_count() or 1, 8)
    if n_files < PARALLEL_MIN or workers < 2:
        return None
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    try:
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("fork" if sys.platform == "linux" and "fork" in methods else None)
        return ProcessPoolExecutor(workers, mp_context=ctx, initializer=_worker_init)
    except Exception:
        return None


def _stop_pool(pool: Any, *, now: bool = False) -> None:
    """Shut the workers down; ``now`` (Ctrl-C): cancel queued work and terminate them, so none is
    left running."""
    if pool is None:
        return
    if not now:
        pool.shutdown(wait=True)
        return
    procs = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        proc.terminate()
    for proc in procs:
        proc.join(timeout=1)


class _Spool:
    """Packed records of a large build, kept in an unnamed temporary file instead of memory
    (10,000 records are ~80 MB even compressed); read back by id when the index is written."""

    def __init__(self) -> None:
        import tempfile

        self._file = tempfile.TemporaryFile()
        self._where: dict[str, tuple[int, int]] = {}

    def __setitem__(self, rid: str, packed: bytes) -> None:
        self._file.seek(0, os.SEEK_END)
        self._where[rid] = (self._file.tell(), len(packed))
        self._file.write(packed)

    def __getitem__(self, rid: str) -> bytes:
        offset, size = self._where[rid]
        self._file.seek(offset)
        return self._file.read(size)

    def __contains__(self, rid: object) -> bool:
        return rid in self._where

    def __len__(self) -> int:
        return len(self._where)


def build(
    dirs: Sequence[Path],
    *,
    extra_files: Sequence[Path] = (),
    files: list[tuple[int, str, str]] | None = None,
    pack: bool = True,
) -> tuple[dict[str, Any], dict[str, bytes], list]:
    """Parse, validate and cross-check every file; returns (index sections, packed records, problems).

    ``files`` is the scan `load` already made (so the directories are not listed twice);
    ``extra_files`` are procedure files checked on top of the directories (for ``validate PATH``);
    without ``pack`` (validation only) no record is packed for the store.
    """
    import gc

    gc_was_on = gc.isenabled()
    gc.disable()  # a build allocates millions of small objects and frees none of them early
    try:
        return _build(dirs, extra_files, files, pack)
    finally:
        if gc_was_on:
            gc.enable()


def _build(
    dirs: Sequence[Path], extra_files: Sequence[Path], scanned: list[tuple[int, str, str]] | None, pack: bool
) -> tuple[dict[str, Any], dict[str, bytes], list]:
    if scanned is None:
        _, scanned = _fingerprint(dirs, full=True)
    files = list(scanned)  # paths as strings: 10,000 Path objects cost ~5 MB
    files += [(len(dirs), "procedure", str(f)) for f in extra_files]
    # vocabularies (later directories extend and override earlier ones), then procedures: in the
    # worker processes of a large build, so that this process never imports pydantic (~20 MB)
    pool = _start_pool(sum(1 for _, kind, _ in files if kind == "procedure"))
    try:
        result = _build_with(pool, files, pack)
    except BaseException:  # Ctrl-C, or any failure: no worker is left running
        _stop_pool(pool, now=True)
        raise
    _stop_pool(pool)
    return result


def _build_with(
    pool: Any, files: list[tuple[int, str, str]], pack: bool
) -> tuple[dict[str, Any], dict[str, bytes], list]:
    import json

    from irref import loader
    from irref.loader import Problem

    vocab_files = [(kind, str(path)) for _, kind, path in files if kind != "procedure"]
    if pool is not None:
        try:
            vocab, problems = pool.submit(_compile_vocab, vocab_files).result()
        except Exception:  # a broken pool: this process does it
            vocab, problems = _compile_vocab(vocab_files)
    else:
        vocab, problems = _compile_vocab(vocab_files)

    # procedures: a later directory's record replaces an earlier one with the same id
    proc_files = [(i, path) for i, kind, path in files if kind == "procedure"]
    condition_names = {cid: c.name for cid, c in vocab["conditions"].items()}
    compiled = _compile_all([str(path) for _, path in proc_files], condition_names, pack, pool)
    records: dict[str, tuple[dict, Path, int]] = {}
    raw: dict[str, bytes] | _Spool = {} if len(proc_files) < PARALLEL_MIN or not pack else _Spool()
    invalid: list[tuple[dict, Path, int]] = []  # records that failed validation: cross-checked, never served
    for (dir_index, path), (_, head, text, probs) in zip(proc_files, compiled, strict=True):
        if head is None or head.get("invalid"):
            problems.extend(probs)
            if head is not None:
                invalid.append((head, path, dir_index))
            continue
        rid = head["id"]
        if rid in records and records[rid][2] == dir_index:
            first = records[rid][1]
            problems.append(
                Problem(
                    loader.display_path(path),
                    loader.line_of(path, ("id",)),
                    "id",
                    f"duplicate id '{rid}' (also in {first})",
                )
            )
            continue
        records[rid] = (head, path, dir_index)
        raw[rid] = text

    # cross-record checks
    condition_ids = set(vocab["conditions"])
    modality_ids = set(vocab["modalities"])
    keys: dict[str, dict[str, str]] = {"procedures": {}, "conditions": {}, "modalities": {}}
    clashes: dict[str, set[str]] = {}
    for rid, (rec, _path, _) in sorted(records.items()):
        _add_keys(keys["procedures"], rid, rec["norm"][:3], clashes, normalized=True)
    # aliases: earlier directories (the shipped catalog) keep an alias; a later claimant is the error
    for rid, (rec, path, _) in sorted(records.items(), key=lambda kv: (kv[1][2], kv[0])):
        own = {rec["norm"][0], rec["norm"][2]}
        for i, (alias, key) in enumerate(zip(rec["aliases"], rec["norm"][3:], strict=True)):
            holder = keys["procedures"].get(key) or keys["procedures"].get(key.replace(" ", ""))
            if holder and holder != rid and key not in own:
                problems.append(
                    Problem(
                        loader.display_path(path),
                        loader.line_of(path, ("aliases", i)),
                        f"aliases[{i}]",
                        f"alias '{alias}' is already the name or alias of '{holder}'",
                    )
                )
                continue
            _add_keys(keys["procedures"], rid, [key], clashes, normalized=True)
    # lookup_terms: keys like aliases, added last (any name or alias, of any entry, wins over them)
    for rid, (rec, _path, _) in sorted(records.items(), key=lambda kv: (kv[1][2], kv[0])):
        for key in rec.get("terms", []):
            if not (keys["procedures"].get(key) or keys["procedures"].get(key.replace(" ", ""))):
                _add_keys(keys["procedures"], rid, [key], clashes, normalized=True)
    for key, owners in sorted(clashes.items()):
        owners_sorted = sorted(owners)
        for rid in owners_sorted:
            if rid in records:
                _, path, _ = records[rid]
                problems.append(
                    Problem(
                        loader.display_path(path),
                        loader.line_of(path, ("aliases",)),
                        "aliases",
                        f"name/alias '{key}' is claimed by {', '.join(owners_sorted)}",
                    )
                )
                break

    for cid, cond in sorted(vocab["conditions"].items()):
        _add_keys(keys["conditions"], cid, [cid.replace("-", " "), cond.name, *cond.synonyms], {})
    for mid, mod in sorted(vocab["modalities"].items()):
        _add_keys(keys["modalities"], mid, [mid, mod.name, *mod.synonyms], {})

    for rec, path, _ in [*(records[r] for r in sorted(records)), *invalid]:
        problems += cross_check(_full(rec), path, records, condition_ids, modality_ids)
    for rid in sorted(records):
        chain, cur = [rid], records[rid][0]["parent"]
        while cur and cur in records:
            if cur in chain:
                _, path, _ = records[rid]
                problems.append(
                    Problem(
                        loader.display_path(path),
                        loader.line_of(path, ("parent",)),
                        "parent",
                        "parent cycle: " + " -> ".join([*chain, cur]),
                    )
                )
                break
            chain.append(cur)
            cur = records[cur][0]["parent"]

    # compile
    order = sorted(records, key=lambda r: (records[r][0]["name"].casefold(), r))
    names = {rid: records[rid][0]["name"] for rid in order}
    family: dict[str, dict[str, Any]] = {}
    rows: dict[str, Any] = {}  # id -> the table row's JSON text
    purposes: dict[str, int] = {}  # condition -> how many procedures (the purposes are written from each record)
    facets: dict[str, dict[str, list[str]]] = {"modality": {}, "category": {}, "region": {}, "bleeding_risk": {}}
    for rid in order:
        rec = _full(records[rid][0])
        parent = rec["parent"] if rec["parent"] in records else None
        if parent:
            family.setdefault(rid, {"parent": None, "children": []})["parent"] = [parent, names[parent]]
            family.setdefault(parent, {"parent": None, "children": []})["children"].append([rid, names[rid]])
        conds = [c for c in rec["conditions"] if c["id"] in condition_ids]
        for cid in {c["id"] for c in conds}:
            purposes[cid] = purposes.get(cid, 0) + 1
        rows[rid] = {
            "name": rec["name"],
            "category": rec["category"],
            "parent": parent,
            "summary": rec["summary"],
            "modalities": [m for m in rec["modalities"] if m in modality_ids],
            "conditions": [c["id"] for c in conds],
            "body_regions": rec["body_regions"],
            "anesthesia": rec["anesthesia"],
            "setting": rec["setting"],
            "bleeding_risk": rec["bleeding_risk"],
        }
        row = rows[rid]
        for facet, values in (
            ("modality", row["modalities"]),
            ("category", [row["category"]]),
            ("region", row["body_regions"]),
            ("bleeding_risk", [row["bleeding_risk"] or "none"]),
        ):
            for value in values:
                facets[facet].setdefault(value, []).append(rid)
        rows[rid] = json.dumps(row, ensure_ascii=False, separators=(",", ":"))  # kept as the text stored
    problems = sorted(set(problems), key=lambda p: (p.path, p.line or 0, p.field or "", p.message))

    completions: dict[str, list[list[str]]] = {"procedures": [], "conditions": [], "modalities": []}
    for rid in order:
        rec = records[rid][0]
        completions["procedures"].append([rec["name"], rid])
        completions["procedures"] += [[alias, rec["name"]] for alias in rec["aliases"]]
    for cid, c in sorted(vocab["conditions"].items(), key=lambda kv: kv[1].name.casefold()):
        completions["conditions"].append([c.name, f"{purposes.get(cid, 0)} procedure(s)"])
        completions["conditions"] += [[syn, c.name] for syn in c.synonyms]
    for mid, m in sorted(vocab["modalities"].items()):
        completions["modalities"].append([mid, m.name])
        completions["modalities"] += [[syn, m.name] for syn in m.synonyms]
    sections: dict[str, Any] = {
        "names": names,
        "order": order,
        "facets": facets,
        "rows": rows,
        "family": family,
        "completions": completions,
        "conditions": {
            cid: {"name": c.name, "synonyms": list(c.synonyms), "procedures": purposes.get(cid, 0)}
            for cid, c in sorted(vocab["conditions"].items())
        },
        "modalities": {
            mid: {"name": m.name, "synonyms": list(m.synonyms), "procedures": len(facets["modality"].get(mid, []))}
            for mid, m in sorted(vocab["modalities"].items())
        },
        "problems": [[os.path.abspath(p.path), p.line, p.field, p.message] for p in problems],
    }
    for table in ("procedures", "conditions", "modalities"):
        sections[f"keys.{table}"] = keys[table]
    return sections, raw, problems


def cross_check(rec: dict, path: Path, known: Container[str], condition_ids: set[str], modality_ids: set[str]) -> list:
    """Problems of one record against the rest of the catalog: itself as parent or related,
    unknown modalities and conditions, parent and related ids that name no procedure."""
    from irref import loader
    from irref.loader import Problem

    out = []
    p = loader.display_path(path)
    if rec["parent"] and rec["parent"] == rec["id"]:
        out.append(Problem(p, loader.line_of(path, ("parent",)), "parent", "parent names the record itself"))
    for i, r in enumerate(rec["related"]):
        if r == rec["id"]:
            out.append(
                Problem(p, loader.line_of(path, ("related", i)), f"related[{i}]", "related names the record itself")
            )
    for i, m in enumerate(rec["modalities"]):
        if m not in modality_ids:
            message = f"unknown modality '{m}'" + _suggest(m, modality_ids)
            out.append(Problem(p, loader.line_of(path, ("modalities", i)), f"modalities[{i}]", message))
    for i, c in enumerate(rec["conditions"]):
        if c["id"] not in condition_ids:
            message = f"unknown condition '{c['id']}'" + _suggest(c["id"], condition_ids)
            out.append(Problem(p, loader.line_of(path, ("conditions", i, "id")), f"conditions[{i}].id", message))
    if rec["parent"] and rec["parent"] not in known and rec["parent"] != rec["id"]:
        message = f"parent '{rec['parent']}' names no procedure" + _suggest(rec["parent"], known)
        out.append(Problem(p, loader.line_of(path, ("parent",)), "parent", message))
    for i, r in enumerate(rec["related"]):
        if r not in known and r != rec["id"]:
            message = f"'{r}' names no procedure" + _suggest(r, known)
            out.append(Problem(p, loader.line_of(path, ("related", i)), f"related[{i}]", message))
    return out


def indexed_sources(dirs: Sequence[Path], paths: Sequence[Path]) -> list[bool]:
    """For each path: is it one of the procedure files the index of ``dirs`` was built from?
    (A file directly in a data directory's procedure folder, as the build lists them.)"""
    folders = set()
    for directory in dirs:
        procs = procedure_dir(directory)
        folders.add((os.path.realpath(procs), os.path.normpath(directory) == os.path.normpath(procs)))
    out = []
    for p in paths:
        real = os.path.realpath(p)
        parent = os.path.dirname(real)
        given = os.path.basename(p)
        ok = given.endswith((".yaml", ".yml")) and not given.startswith(".") and os.path.isfile(real)
        out.append(ok and any(parent == f and not (top and given in VOCAB_FILES) for f, top in folders))
    return out


def check_files(index: Index, paths: Sequence[Path], dirs: Sequence[Path] = ()) -> list:
    """Validate procedure files against the built index (for `validate FILE...`): the model, then
    the cross-checks against the catalog's ids, vocabularies and names, without rebuilding it.

    A file the index of ``dirs`` was built from is answered from the problems that build found
    (the index is fresh: its key holds every source file's size and modification time, or the
    installed version), so checking a catalog file imports neither ruamel.yaml nor pydantic;
    any other file is parsed and validated here.
    """
    from pathlib import Path

    from irref import loader
    from irref.loader import Problem

    problems: list = []
    if dirs:
        known_files = indexed_sources(dirs, paths)
        indexed = {os.path.realpath(p): p for p, k in zip(paths, known_files, strict=True) if k}
        for path, line, field, message in index.problems:
            given = indexed.get(os.path.realpath(path))
            if given is not None:
                problems.append(Problem(loader.display_path(Path(given)), line, field, message))
        paths = [p for p, k in zip(paths, known_files, strict=True) if not k]
    compiled = _compile_procedures([str(p) for p in paths], pack=False) if paths else []
    ids = {head["id"] for _, head, _, _ in compiled if head}
    known = set(index.order) | ids
    condition_ids, modality_ids = set(index.conditions), set(index.modalities)
    keys = index.keys("procedures")
    for name, head, _, probs in compiled:
        problems += probs
        if head is None:
            continue
        path = Path(name)
        problems += cross_check(_full(head), path, known, condition_ids, modality_ids)
        if head.get("invalid"):
            continue
        own = {head["norm"][0], head["norm"][2]}
        for i, (alias, key) in enumerate(zip(head["aliases"], head["norm"][3:], strict=True)):
            holder = keys.get(key) or keys.get(key.replace(" ", ""))
            if holder and holder != head["id"] and key not in own:
                line = loader.line_of(path, ("aliases", i))
                problems.append(
                    Problem(
                        loader.display_path(path),
                        line,
                        f"aliases[{i}]",
                        f"alias '{alias}' is already the name or alias of '{holder}'",
                    )
                )
    return sorted(set(problems), key=lambda p: (p.path, p.line or 0, p.field or "", p.message))


def _suggest(value: str, known: Iterable[str]) -> str:
    import difflib

    guess = difflib.get_close_matches(value, list(known), n=1, cutoff=0.75)
    return f": did you mean '{guess[0]}'?" if guess else ""


# ---------------------------------------------------------------- cache


def cache_dir(env: Mapping[str, str] | None = None) -> str:
    """irref's folder in the user cache directory (IRREF_CACHE_DIR overrides it)."""
    env = os.environ if env is None else env
    if env.get(ENV_CACHE_DIR):
        return _dir_text(env[ENV_CACHE_DIR])
    if sys.platform.startswith("linux") and env.get("HOME"):  # the XDG rule, without importing platformdirs
        return os.path.join(env.get("XDG_CACHE_HOME") or os.path.join(env["HOME"], ".cache"), "irref")
    from platformdirs import user_cache_dir

    return user_cache_dir("irref", appauthor=False)


def _cache_path(dirs: Sequence[StrPath], env: Mapping[str, str] | None) -> str:
    tag = _digest("\n".join(os.path.realpath(d) for d in dirs)).split("-")[0]
    return os.path.join(cache_dir(env), f"index-{tag}.sqlite3")


def load(cli_dirs: Sequence[StrPath] = (), *, env: Mapping[str, str] | None = None, use_cache: bool = True) -> Index:
    """The catalog index for these data directories: from the cache when fresh, else built.

    A fresh build is saved atomically to the cache; where that is impossible (a read-only
    cache directory, a full disk) the index is built in memory and the run goes on.
    """
    from irref import store

    dirs = data_dirs(cli_dirs, env=env)
    if not os.path.isdir(os.path.join(dirs[0], "procedures")) and len(dirs) == 1:
        raise DataError(f"shipped catalog not found at {dirs[0]}: reinstall irref")
    key, files = _fingerprint(dirs)
    notices = dir_notices(dirs, env) if len(dirs) > 1 or (env or os.environ).get(ENV_DATA_DIRS) else []
    path = _cache_path(dirs, env)
    if use_cache:
        con = store.open_cached(path, key)
        if con is not None:
            return Index(con, key=key, path=path, notices=notices)
    if files is None:  # the installed catalog was keyed by version: list its files for the build
        files = _fingerprint(dirs, full=True)[1]
    sections, raw, _ = build(dirs, files=files)
    if use_cache and store.save(path, key, sections, raw):
        store.clean_stale(os.path.dirname(path), path)
        con = store.open_cached(path, key)
        if con is not None:
            return Index(con, key=key, path=path, notices=notices)
    return Index(store.build_memory(key, sections, raw), key=key, notices=notices)
