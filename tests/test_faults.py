"""Faults and edges: no traceback, nothing lost, nothing silently ignored (issue 16).

Permission cases inject the OSError (the suite runs as root here, and the interpreter lives
where an unprivileged user cannot run it); full and closed outputs use /dev/full and a closed
descriptor in a real subprocess.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import ROOT, write_record

SCRIPT = Path(sys.executable).with_name("irref")
needs_script = pytest.mark.skipif(not SCRIPT.exists(), reason="irref console script not installed")


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "IRREF_CACHE_DIR": str(tmp_path / "cache"), **extra}
    env.pop("IRREF_DATA_DIRS", None) if "IRREF_DATA_DIRS" not in extra else None
    return env


# ---------------------------------------------------------------- outputs that fail


@needs_script
@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
@pytest.mark.parametrize(
    "argv",
    [["show", "TACE", "--json"], ["list", "--csv"], ["export", "--all"], ["show", "TACE"], ["search", "stent"]],
)
def test_full_disk_on_stdout_is_one_line_and_exit_74(tmp_path, argv):
    with open("/dev/full", "w") as full:
        out = subprocess.run([str(SCRIPT), *argv], stdout=full, stderr=subprocess.PIPE, text=True, env=_env(tmp_path))
    assert out.returncode == 74
    assert out.stderr.strip().splitlines() == ["Error: cannot write the output: No space left on device"]


@needs_script
@pytest.mark.parametrize("argv", [["show", "TACE", "--json"], ["list"]])
def test_closed_stdout_is_one_line_and_non_zero(tmp_path, argv):
    out = subprocess.run(
        [str(SCRIPT), *argv], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=_env(tmp_path)
    )
    assert out.returncode == 0  # control: with an open stdout it works
    cmd = " ".join([f"'{SCRIPT}'", *(f"'{a}'" for a in argv)]) + " >&-"
    out = subprocess.run(["bash", "-c", cmd], stderr=subprocess.PIPE, text=True, env=_env(tmp_path))
    assert out.returncode == 74
    assert "Traceback" not in out.stderr and out.stderr.count("\n") == 1


# ---------------------------------------------------------------- Ctrl-C during a large cold build


@needs_script
@pytest.mark.skipif(os.cpu_count() in (None, 1), reason="the parallel build needs two cores")
def test_ctrl_c_during_parallel_build_exits_130_quickly_and_leaves_nothing(tmp_path):
    data = tmp_path / "data" / "procedures"
    base = (ROOT / "data" / "procedures" / "thoracentesis.yaml").read_text()
    data.mkdir(parents=True)
    for i in range(600):
        rid = f"bulk-{i}"
        text = base.replace("id: thoracentesis", f"id: {rid}").replace("name: Thoracentesis", f"name: Bulk {i}")
        text = text.replace("aliases:", f"aliases:\n  - bulk alias {i}", 1)
        (data / f"{rid}.yaml").write_text(text)
    env = _env(tmp_path, IRREF_DATA_DIRS=str(tmp_path / "data"))
    proc = subprocess.Popen(
        [str(SCRIPT), "show", "bulk 3", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
        start_new_session=True,
    )
    time.sleep(1.0)  # inside the build
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal sends: the whole process group
    start = time.monotonic()
    out, err = proc.communicate(timeout=10)
    elapsed = time.monotonic() - start
    if proc.returncode == 0:
        pytest.skip("the build finished before the interrupt arrived")
    assert proc.returncode == 130, err
    assert elapsed < 1.5
    assert "Traceback" not in err and err.strip() == "Interrupted."
    assert out == ""
    time.sleep(0.2)
    left = subprocess.run(["pgrep", "-s", str(proc.pid)], capture_output=True, text=True)
    assert left.stdout.strip() == "", "worker processes were left running"
    cache = tmp_path / "cache"
    assert not list(cache.glob("index-*")) and not list(cache.glob(".index-*"))


# ---------------------------------------------------------------- data that must not be ignored silently


def test_missing_or_file_entries_of_irref_data_dirs_are_named(cli, tmp_path):
    a_file = tmp_path / "notadir.txt"
    a_file.write_text("x")
    env = {"IRREF_DATA_DIRS": os.pathsep.join([str(tmp_path / "missing"), str(a_file)])}
    r = cli("show", "TACE", "--json", env=env)
    assert r.code == 0 and r.json()["id"] == "transarterial-chemoembolization"
    assert f"IRREF_DATA_DIRS names {tmp_path / 'missing'}, which does not exist" in r.err
    assert f"IRREF_DATA_DIRS names {a_file}, which is not a directory" in r.err


def test_record_files_beside_a_procedures_folder_are_named(cli, tmp_path):
    data = tmp_path / "mine"
    write_record(data / "procedures", "inside-test", name="Inside Test")
    write_record(data, "beside-test", name="Beside Test")
    r = cli("--data-dir", str(data), "show", "Inside Test", "--json")
    assert r.code == 0
    assert "1 record file(s) beside it are ignored (beside-test.yaml)" in r.err


def test_unreadable_procedures_folder_is_named(cli, tmp_path, monkeypatch):
    data = tmp_path / "mine"
    write_record(data / "procedures", "locked-test", name="Locked Test")
    real = os.scandir
    locked = str(data / "procedures")

    def scandir(path="."):
        if os.fspath(path) == locked:
            raise PermissionError(13, "Permission denied", locked)
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    r = cli("--data-dir", str(data), "show", "TACE", "--json")
    assert r.code == 0
    assert f"cannot read {locked} (Permission denied): its records are not served" in r.err


def test_unwritable_export_and_new_targets_are_one_error_line(cli, tmp_path, monkeypatch):
    import pathlib

    real_mkdir = pathlib.Path.mkdir

    def mkdir(self, *a, **kw):
        if str(self).startswith(str(tmp_path / "locked")):
            raise PermissionError(13, "Permission denied", str(self))
        return real_mkdir(self, *a, **kw)

    monkeypatch.setattr(pathlib.Path, "mkdir", mkdir)
    r = cli("export", "TACE", "--output", str(tmp_path / "locked" / "out"))
    assert r.code == 2 and r.out == "" and r.err.startswith("Error:") and r.err.count("\n") == 1
    r = cli("new", "Some New Thing", "--data-dir", str(tmp_path / "locked" / "new"))
    assert r.code == 2 and r.out == "" and r.err.startswith("Error:") and r.err.count("\n") == 1


def test_unreadable_file_given_to_validate_is_reported(cli, tmp_path, monkeypatch):
    path = write_record(tmp_path / "v", "unreadable-test")
    import pathlib

    real_read = pathlib.Path.read_bytes

    def read_bytes(self):
        if str(self) == str(path):
            raise PermissionError(13, "Permission denied", str(path))
        return real_read(self)

    monkeypatch.setattr(pathlib.Path, "read_bytes", read_bytes)
    r = cli("validate", str(path))
    assert r.code == 1 and "Traceback" not in r.err
    assert f"{path}: cannot read file: Permission denied" in r.out


# ---------------------------------------------------------------- validate: everything in one pass


def test_validate_reports_every_problem_of_a_file_in_one_pass_at_its_own_line(cli, tmp_path):
    path = write_record(
        tmp_path / "v",
        "bad-one",
        parent="bad-one",
        steps="not a list",
        modalities=["Fluoroscopy", "Sonar"],
        related=["no-such-proc"],
    )
    text = path.read_text().replace("- id: pleural-effusion", "- id: no-such-condition", 1)
    path.write_text(text)
    lines = path.read_text().splitlines()
    r = cli("validate", str(path))
    assert r.code == 1
    found = {line.split(": ", 2)[1] for line in r.out.splitlines()}
    assert {"parent", "steps", "modalities[1]", "related[0]"} <= found
    assert any(f.startswith("conditions[") for f in found)
    parent_line = next(i for i, line in enumerate(lines, 1) if line.startswith("parent:"))
    assert f"{path}:{parent_line}: parent: parent names the record itself" in r.out


# ---------------------------------------------------------------- cycles, collisions, shadowing


def test_a_parent_cycle_is_refused_by_every_command(cli, tmp_path):
    data = tmp_path / "cyc"
    write_record(data, "cycle-a", name="Cycle A", parent="cycle-b")
    write_record(data, "cycle-b", name="Cycle B", parent="cycle-a")
    messages = set()
    for argv in (["tree"], ["show", "TACE", "--json"], ["list", "--json"], ["search", "stent"]):
        r = cli("--data-dir", str(data), *argv)
        assert r.code == 2 and r.out == "", argv
        messages.add(r.err)
    (message,) = messages  # the same message everywhere
    assert "parent cycle" in message and message.startswith("Error:")
    v = cli("--data-dir", str(data), "validate")
    assert v.code == 1 and "parent cycle" in v.out


def test_many_colliding_user_records_are_summarised(cli, tmp_path):
    data = tmp_path / "many"
    for i in range(40):
        write_record(data, f"collide-{i}", name=f"Collide {i}", aliases=["TACE"])
    r = cli("--data-dir", str(data), "show", "TACE", "--json")
    assert r.code == 0 and r.json()["id"] == "transarterial-chemoembolization"
    warnings = [line for line in r.err.splitlines() if line.startswith("warning:")]
    assert len(warnings) <= 6
    assert "more data file(s)" in warnings[-1] and "irref validate" in warnings[-1]


def test_new_refuses_to_shadow_a_shipped_record_without_force(cli, tmp_path):
    r = cli("new", "TIPS", "--data-dir", str(tmp_path))
    assert r.code == 2 and r.out == "" and "ships a record with the id 'tips'" in r.err
    r = cli("new", "TIPS", "--data-dir", str(tmp_path), "--force")
    assert r.code == 0 and (tmp_path / "tips.yaml").exists()
    assert "shadows the shipped record 'tips'" in r.err


def test_no_directories_created_outside_the_cache_root(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("IRREF_CACHE_DIR", "XDG_CACHE_HOME")}
    env["HOME"] = str(tmp_path / "nonexistent")
    code = "from irref import catalog; print(catalog.load().record('tips')['id'])"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "tips", out.stderr
    assert not (tmp_path / "nonexistent").exists()


def test_json_output_survives_everything_above(cli):
    """Control: the normal path is untouched."""
    r = cli("show", "TACE", "--json")
    assert json.loads(r.out)["id"] == "transarterial-chemoembolization"
    assert shutil.which("bash")


def test_unreadable_data_directory_is_one_error_line(cli, tmp_path, monkeypatch):
    data = tmp_path / "mine"
    write_record(data / "procedures", "locked-dir-test")
    real_access = os.access

    def access(path, mode, *a, **kw):
        if os.fspath(path) == str(data):
            return False
        return real_access(path, mode, *a, **kw)

    monkeypatch.setattr(os, "access", access)
    for argv, env in (
        (["--data-dir", str(data), "show", "TACE", "--json"], None),
        (["show", "TACE", "--json"], {"IRREF_DATA_DIRS": str(data)}),
    ):
        r = cli(*argv, env=env)
        assert r.code == 2 and r.out == ""
        assert r.err == f"Error: cannot read data directory {data}: permission denied\n"


def test_markdown_export_is_whole_or_absent_and_refuses_a_dangling_link(cli, tmp_path, monkeypatch):
    out = tmp_path / "handouts"
    out.mkdir()
    (out / "transarterial-chemoembolization.md").symlink_to(tmp_path / "nowhere.md")  # dangling
    r = cli("export", "TACE", "--output", str(out))
    assert r.code == 2 and "already exist" in r.err and not (tmp_path / "nowhere.md").exists()
    # a write that fails mid-way (full disk) leaves no file, and a retry works without --force
    from irref import atomic

    real = atomic.write_one

    def full_disk(target, data, **kw):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic, "write_one", full_disk)
    r = cli("export", "kyphoplasty", "--output", str(out))
    assert r.code == 2 and r.err.startswith("Error: cannot write")
    assert not (out / "kyphoplasty.md").exists() and not list(out.glob(".*"))
    monkeypatch.setattr(atomic, "write_one", real)
    r = cli("export", "kyphoplasty", "--output", str(out))
    assert r.code == 0 and "Educational reference only" in (out / "kyphoplasty.md").read_text()


def test_colliding_aliases_are_located_without_a_yaml_parse_per_problem(tmp_path, monkeypatch):
    """Line numbers of thousands of alias problems come from a text scan, not a round-trip YAML
    parse per problem (which made 5,000 colliding records take 50 s to build; the benchmark
    measures the time, this test checks the mechanism)."""
    from irref import catalog, loader

    parses: list[str] = []
    real = loader._rt_tree.__wrapped__

    def counted(path, stamp):
        parses.append(str(path))
        return real(path, stamp)

    monkeypatch.setattr(loader, "_rt_tree", counted)

    data = tmp_path / "coll"
    for i in range(300):
        write_record(data, f"coll-{i}", name=f"Coll {i}", aliases=["TACE", f"coll alias {i}"])
    dirs = catalog.data_dirs(env={"IRREF_DATA_DIRS": str(data)})
    _, raw, problems = catalog.build(dirs)
    clashes = [p for p in problems if "alias 'TACE'" in p.message]
    assert len(clashes) == 300 and all(p.line and p.line > 1 for p in clashes)
    assert "coll-7" in raw  # the record is still served, without the clashing alias
    assert not [p for p in parses if "coll-" in p]  # no round-trip parse of the colliding files
