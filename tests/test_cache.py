"""The compiled index: rebuilt on any change, atomic, and optional."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from irref import catalog

from .conftest import write_record


def _env(cache: Path, *data: Path) -> dict[str, str]:
    return {"IRREF_CACHE_DIR": str(cache), "IRREF_DATA_DIRS": os.pathsep.join(map(str, data))}


def _cache_files(cache: Path) -> list[Path]:
    return sorted(cache.glob("index-*.jsonl"))


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
    for damage in (b"not json at all\n", cache.read_bytes()[:-500], b""):
        cache.write_bytes(damage)
        index = catalog.load(env=env)
        assert json.loads(index.raw("ablation"))["id"] == "ablation"
    assert catalog._read_cache(cache, index.key) is not None


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
    assert parallel[0] == serial[0] and parallel[1] == serial[1]
    assert [str(p) for p in parallel[2]] == [str(p) for p in serial[2]]
    assert any("parallel-bad.yaml" in str(p) and "recovry" in str(p) for p in parallel[2])
    assert "parallel-5" in parallel[0]["rows"] and "parallel-bad" not in parallel[0]["rows"]


def test_cached_index_answers_like_the_fresh_build(tmp_path, monkeypatch):
    """Bucketed key tables, facets, purposes and row lines read back from the cache file equal the build."""
    from irref import commands

    data = tmp_path / "data"
    for i in range(5):
        write_record(data, f"bucket-{i}", name=f"Bucket Test {i}", aliases=[f"bucket alias {i}"])
    env = _env(tmp_path / "c", data)
    monkeypatch.setattr(catalog, "BUCKET_SIZE", 16)  # many small buckets, as in a 10,000-record catalog
    fresh = catalog.load(env=env, use_cache=False)
    catalog.load(env=env)  # writes the cache
    cached = catalog.load(env=env)
    assert cached._cache is not None and fresh._cache is None
    buckets = cached._cache[1]["buckets"]
    assert set(buckets) == set(catalog.BUCKETED) and all(n > 1 for n in buckets.values())
    for q in ("bucket alias 3", "TACE", "vertebroplsaty", "Bucket Test 0"):
        assert commands.show(cached, q).raw == commands.show(fresh, q).raw
    for kw in ({"modality": "CT"}, {"condition": "pleural effusion"}, {"region": "chest", "bleeding_risk": "low"}):
        a, b = commands.list_procedures(cached, **kw), commands.list_procedures(fresh, **kw)
        assert a.ids == b.ids and a.rows == b.rows and a.ids
    assert commands.for_condition(cached, "liver cancer").rows == commands.for_condition(fresh, "liver cancer").rows
    assert cached.records == fresh.records
    assert cached.raws(cached.order) == [fresh.raw(r) for r in fresh.order]
