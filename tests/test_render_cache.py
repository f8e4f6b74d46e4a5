"""The render cache (irref/rendercache.py): drawn terminal text kept per command, data and terminal."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from irref import rendercache

from .conftest import run_cli, write_record

COMMANDS = [
    ("show", "ablation"),
    ("show", "tips", "--section", "complications"),
    ("list", "--modality", "CT"),
    ("for-condition", "liver cancer"),
    ("compare", "TACE", "Y90"),
    ("tree",),
    ("conditions",),
    ("modalities",),
    ("search", "bone cement"),
]


def _rows(cache: Path) -> int:
    path = cache / rendercache.FILE
    if not path.exists():
        return 0
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT count(*) FROM render").fetchone()[0]
    finally:
        con.close()


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: " ".join(a))
def test_cached_text_is_the_text_rich_draws(argv, tmp_path):
    cache = tmp_path / "c"
    env = {"IRREF_CACHE_DIR": str(cache)}
    fresh = run_cli(list(argv), {**env, rendercache.ENV_OFF: "1"})
    assert fresh.code == 0 and fresh.out.strip()
    assert _rows(cache) == 0  # switched off: nothing kept
    first = run_cli(list(argv), env)
    assert _rows(cache) == 1
    again = run_cli(list(argv), env)
    assert first.out == fresh.out == again.out
    assert first.err == again.err  # notices ("showing X for 'y'") are not part of the drawing


def test_width_data_and_parameters_each_draw_afresh(tmp_path):
    cache, data = tmp_path / "c", tmp_path / "d"
    path = write_record(data / "procedures", "render-probe", name="Render Probe Alpha")
    env = {"IRREF_CACHE_DIR": str(cache), "IRREF_DATA_DIRS": str(data)}
    wide = run_cli(["show", "render-probe"], {**env, "COLUMNS": "120"})
    narrow = run_cli(["show", "render-probe"], {**env, "COLUMNS": "60"})
    assert max(map(len, wide.out.splitlines())) > 60 >= max(map(len, narrow.out.splitlines()))
    assert _rows(cache) == 2
    # an edited record: the index key changes, so the old drawing is never served
    path.write_text(path.read_text().replace("Render Probe Alpha", "Render Probe Beta"))
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    edited = run_cli(["show", "render-probe"], {**env, "COLUMNS": "120"})
    assert "Render Probe Beta" in edited.out and "Alpha" not in edited.out
    # a different parameter is a different drawing
    section = run_cli(["show", "render-probe", "--section", "labs"], {**env, "COLUMNS": "120"})
    assert section.out != edited.out
    # NO_COLOR / FORCE_COLOR are Rich's inputs too: colour when forced, none otherwise
    forced = run_cli(["show", "render-probe"], {**env, "COLUMNS": "120", "FORCE_COLOR": "1"})
    assert "\x1b[" in forced.out and "\x1b[" not in edited.out


def test_damaged_cache_file_is_replaced(tmp_path):
    cache = tmp_path / "c"
    env = {"IRREF_CACHE_DIR": str(cache)}
    good = run_cli(["tree"], {**env, rendercache.ENV_OFF: "1"})
    (cache / rendercache.FILE).write_bytes(b"this is not a database" * 100)
    first = run_cli(["tree"], env)
    assert first.code == 0 and first.out == good.out
    second = run_cli(["tree"], env)
    assert second.out == good.out and _rows(cache) == 1


def test_only_the_newest_drawings_are_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(rendercache, "LIMIT", 2)
    cache = tmp_path / "c"
    for argv in (["tree"], ["conditions"], ["modalities"]):
        run_cli(argv, {"IRREF_CACHE_DIR": str(cache)})
    assert _rows(cache) == 2


def test_a_hit_through_the_console_script_does_not_import_rich(tmp_path):
    """The installed script, in a subprocess: the second run writes the kept text without Rich."""
    script = Path(sys.executable).with_name("irref")
    if not script.exists():
        pytest.skip("console script not installed")
    env = {**os.environ, "IRREF_CACHE_DIR": str(tmp_path / "c"), "COLUMNS": "90"}
    probe = (
        "import sys; from irref import entry; code = entry.run(sys.argv[1:]); sys.stdout.flush();"
        "sys.stderr.write('rich loaded: %s' % ('rich' in sys.modules)); sys.exit(code)"
    )
    # from outside the checkout, so that `python -c` imports the installed irref, as the script does
    run = {"env": env, "capture_output": True, "text": True, "cwd": tmp_path}
    first = subprocess.run([sys.executable, "-c", probe, "show", "tips"], **run)
    second = subprocess.run([sys.executable, "-c", probe, "show", "tips"], **run)
    assert first.returncode == second.returncode == 0
    assert first.stderr.endswith("rich loaded: True") and second.stderr.endswith("rich loaded: False")
    assert first.stdout == second.stdout and "Transjugular" in first.stdout
    plain = subprocess.run([str(script), "show", "tips"], **run)
    assert plain.stdout == first.stdout


def test_a_changed_lookup_lexicon_draws_afresh(tmp_path, monkeypatch):
    """The lexicon decides which record a query shows, so it is part of the key (a checkout can
    edit it without the index changing)."""
    from irref import catalog

    shipped = tmp_path / "shipped"
    (shipped / "procedures").mkdir(parents=True)
    lexicon = shipped / "lexicon.yaml"
    lexicon.write_text("{}\n")
    monkeypatch.setattr(catalog, "shipped_dir", lambda: shipped)
    before = rendercache._code_stamp()
    lexicon.write_text("{}\n# edited\n")
    assert rendercache._code_stamp() != before
