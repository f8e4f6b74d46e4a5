"""The compiled index (a SQLite database): rebuilt on any change, atomic, checked, and optional."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from irref import catalog, store

from .conftest import ROOT, write_record


def _env(cache: Path, *data: Path) -> dict[str, str]:
    return {"IRREF_CACHE_DIR": str(cache), "IRREF_DATA_DIRS": os.pathsep.join(map(str, data))}


def _cache_files(cache: Path) -> list[Path]:
    return sorted(cache.glob("index-*.sqlite3"))


def test_warm_run_reads_the_cache_without_yaml(tmp_path):
    env = _env(tmp_path / "c")
    catalog.load(env=env)
    assert len(_cache_files(tmp_path / "c")) == 1
    code = (
        "import sys; from irref import catalog; i = catalog.load(); i.record('ablation');"
        "print(','.join(m for m in ('ruamel', 'pydantic', 'rich', 'rapidfuzz') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


def test_stale_after_edit_added_and_removed_file(tmp_path):
    data = tmp_path / "data"
    path = write_record(data, "cache-test", name="Cache Test One")
    env = _env(tmp_path / "c", data)
    assert catalog.load(env=env).records["cache-test"]["name"] == "Cache Test One"
    # edit (same size is still caught by mtime)
    text = path.read_text().replace("Cache Test One", "Cache Test Two")
    path.write_text(text)
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10_000_000))
    assert catalog.load(env=env).records["cache-test"]["name"] == "Cache Test Two"
    # added
    write_record(data, "cache-added", name="Cache Added")
    assert "cache-added" in catalog.load(env=env).records
    # removed
    (data / "cache-added.yaml").unlink()
    assert "cache-added" not in catalog.load(env=env).records


def test_corrupt_cache_is_rebuilt(tmp_path):
    env = _env(tmp_path / "c")
    catalog.load(env=env)
    (cache,) = _cache_files(tmp_path / "c")
    good = cache.read_bytes()
    for damage in (b"not a database at all\n", good[: len(good) // 2], b""):
        cache.write_bytes(damage)
        index = catalog.load(env=env)
        assert json.loads(index.raw("ablation"))["id"] == "ablation"
    from irref import store

    assert store.open_cached(cache, index.key) is not None


def test_a_changed_record_fails_its_checksum(tmp_path):
    """Bytes changed inside a record are caught (a per-record CRC), reported in one line, and the
    damaged cache is removed so the next run rebuilds."""
    import sqlite3

    from irref.errors import DataError

    env = _env(tmp_path / "c")
    catalog.load(env=env)
    (cache,) = _cache_files(tmp_path / "c")
    con = sqlite3.connect(cache)
    with con:
        con.execute("UPDATE record SET raw = replace(raw, 'ablation', 'ablatiox') WHERE id = 'ablation'")
    con.close()
    index = catalog.load(env=env)
    try:
        index.raw("ablation")
    except DataError as exc:
        assert "damaged" in exc.message
    else:
        raise AssertionError("a tampered record was served")
    assert not cache.exists()
    assert catalog.load(env=env).record("ablation")["id"] == "ablation"


def test_stale_temp_files_and_old_caches_are_removed(tmp_path):
    cache_dir = tmp_path / "c"
    cache_dir.mkdir()
    stale = cache_dir / ".index-killed.tmp"
    stale.write_bytes(b"x" * 1000)
    old = 1_000_000_000
    os.utime(stale, (old, old))
    fresh_tmp = cache_dir / ".index-building.tmp"  # another process may be writing it right now
    fresh_tmp.write_bytes(b"x")
    legacy = cache_dir / "index-0000.jsonl"
    legacy.write_text("{}")
    other = cache_dir / "index-1111.sqlite3"
    other.write_bytes(b"")
    os.utime(other, (old, old))
    catalog.load(env=_env(cache_dir))
    assert not stale.exists() and not legacy.exists() and not other.exists()
    assert fresh_tmp.exists() and len(_cache_files(cache_dir)) == 1


def test_unwritable_cache_dir_falls_back_to_memory(tmp_path):
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    env = _env(blocker / "cache")
    index = catalog.load(env=env)
    assert index.record("ablation")["id"] == "ablation"


def test_two_processes_building_at_once(tmp_path):
    env = {**os.environ, **_env(tmp_path / "c")}
    code = "from irref import catalog; i = catalog.load(); print(len(i.records), i.record('ablation')['id'])"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    assert len({o[0] for o in outs}) == 1
    assert outs[0][0].split()[1] == "ablation"
    assert not list((tmp_path / "c").glob(".index-*.tmp"))  # no temp files left behind


def test_parallel_build_matches_serial(tmp_path, monkeypatch):
    """Many files are compiled in worker processes; the result must equal a one-process build."""
    data = tmp_path / "data"
    for i in range(6):
        write_record(data, f"parallel-{i}", name=f"Parallel Test {i}", aliases=[f"par alias {i}"])
    bad = write_record(data, "parallel-bad", name="Parallel Bad")
    bad.write_text(bad.read_text().replace("recovery:", "recovry:"))
    dirs = catalog.data_dirs(env=_env(tmp_path / "c", data))
    monkeypatch.setattr(catalog, "PARALLEL_MIN", 10**9)
    serial = catalog.build(dirs)
    monkeypatch.setattr(catalog, "PARALLEL_MIN", 2)
    monkeypatch.setattr(catalog, "_CHUNK", 3)
    parallel = catalog.build(dirs)
    assert parallel[0] == serial[0]
    # a large build spools its packed records to a temporary file; the records are the same
    order = serial[0]["order"]
    assert len(parallel[1]) == len(serial[1]) == len(order)
    assert [store.unpack(parallel[1][r]) for r in order] == [store.unpack(serial[1][r]) for r in order]
    assert json.loads(store.unpack(parallel[1]["parallel-5"])[0])["name"] == "Parallel Test 5"
    assert [str(p) for p in parallel[2]] == [str(p) for p in serial[2]]
    assert any("parallel-bad.yaml" in str(p) and "recovry" in str(p) for p in parallel[2])
    assert "parallel-5" in parallel[0]["rows"] and "parallel-bad" not in parallel[0]["rows"]


def test_cached_index_answers_like_the_fresh_build(tmp_path):
    """Key tables, facets, purposes and rows read back from the cache file equal the in-memory build."""
    from irref import commands

    data = tmp_path / "data"
    for i in range(5):
        write_record(data, f"bucket-{i}", name=f"Bucket Test {i}", aliases=[f"bucket alias {i}"])
    env = _env(tmp_path / "c", data)
    fresh = catalog.load(env=env, use_cache=False)
    catalog.load(env=env)  # writes the cache
    cached = catalog.load(env=env)
    assert cached._path is not None and fresh._path is None
    for q in ("bucket alias 3", "TACE", "vertebroplsaty", "Bucket Test 0"):
        assert commands.show(cached, q).raw == commands.show(fresh, q).raw
    for kw in ({"modality": "CT"}, {"condition": "pleural effusion"}, {"region": "chest", "bleeding_risk": "low"}):
        a, b = commands.list_procedures(cached, **kw), commands.list_procedures(fresh, **kw)
        assert a.ids == b.ids and a.rows == b.rows and a.ids
    assert commands.for_condition(cached, "liver cancer").rows == commands.for_condition(fresh, "liver cancer").rows
    assert cached.records == fresh.records
    assert cached.raws(cached.order) == [fresh.raw(r) for r in fresh.order]


def test_installed_catalog_is_keyed_by_version_not_stat(tmp_path, monkeypatch):
    """In site-packages the shipped files cannot change without a reinstall: a warm run does not
    stat them (a checkout, like this one, is always checked)."""
    assert catalog.installed_catalog(Path("/x/lib/python3.11/site-packages/irref/data"))
    assert not catalog.installed_catalog(catalog.shipped_dir())  # the source tree
    seen: list[str] = []
    real_scan = catalog._scan

    def scan(directory):
        seen.append(str(directory))
        return real_scan(directory)

    monkeypatch.setattr(catalog, "_scan", scan)
    monkeypatch.setattr(catalog, "installed_catalog", lambda d: d == catalog.shipped_dir())
    env = _env(tmp_path / "c")
    catalog.load(env=env)  # cold: lists the files to build them
    seen.clear()
    index = catalog.load(env=env)  # warm: keyed by version
    assert seen == [] and index._path is not None


def test_validate_of_a_catalog_file_answers_from_the_index(tmp_path):
    """`validate FILE` for a file the fresh index was built from gives what the build found
    (every problem the file-by-file check finds, and the same for valid files), without
    importing pydantic or ruamel.yaml; a file outside the catalog is still checked by the model."""
    data = tmp_path / "d"
    write_record(data / "procedures", "probe-good")
    write_record(data / "procedures", "probe-alias", aliases=["TIPS", "probe alias own"])
    write_record(data / "procedures", "probe-bad", conditions=[{"id": "no-such-condition", "purpose": "x"}])
    (data / "procedures" / "probe-broken.yaml").write_text("id: probe-broken\nname: [unclosed\n")
    env = _env(tmp_path / "c", data)
    index = catalog.load(env=env)
    dirs = catalog.data_dirs(env=env)
    shipped = sorted((ROOT / "data" / "procedures").glob("*.yaml"))[:40]
    files = [*sorted((data / "procedures").glob("*.yaml")), *shipped]
    assert all(catalog.indexed_sources(dirs, files))
    assert not any(catalog.indexed_sources(dirs, [tmp_path / "elsewhere.yaml", data / "conditions.yaml"]))
    from_index = catalog.check_files(index, files, dirs)
    fresh = catalog.check_files(index, files)
    assert set(fresh) <= set(from_index)
    by_file = {p.path for p in from_index}
    assert {p.path for p in fresh} == by_file
    assert any("probe-alias" in p and "TIPS" in q.message for q in from_index for p in [q.path])
    assert any("no-such-condition" in q.message for q in from_index)
    assert any("probe-broken" in q.path and "YAML" in q.message and q.line for q in from_index)
    assert not any("probe-good" in q.path for q in from_index)

    code = (
        "import sys; from irref import entry; c = entry.run(sys.argv[1:]);"
        "sys.stderr.write('|' + ','.join(m for m in ('pydantic', 'ruamel') if m in sys.modules)); sys.exit(c)"
    )
    good = str(data / "procedures" / "probe-good.yaml")
    out = subprocess.run(
        [sys.executable, "-c", code, "validate", good], env={**os.environ, **env}, capture_output=True, text=True
    )
    assert out.returncode == 0 and out.stderr.endswith("|"), out.stderr
    outside = tmp_path / "probe-outside.yaml"
    outside.write_text((data / "procedures" / "probe-good.yaml").read_text().replace("probe-good", "probe-outside"))
    out = subprocess.run(
        [sys.executable, "-c", code, "validate", str(outside)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0 and "pydantic" in out.stderr, out.stderr
