"""search, compare, conditions, modalities, tree, --jsonl/--csv, completion, new and export (through the CLI)."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from irref import catalog

from .conftest import write_record

SCRIPT = Path(sys.executable).with_name("irref")
CEMENT = {"vertebroplasty", "kyphoplasty", "sacroplasty", "cementoplasty"}


# ---------------------------------------------------------------- search


def test_search_bone_cement_finds_the_cement_procedures(cli):
    r = cli("search", "bone cement", "--json")
    assert r.code == 0
    hits = r.json()
    assert CEMENT <= {h["id"] for h in hits[:6]}
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 100 for s in scores)
    for h in hits:
        assert h["record"]["id"] == h["id"] and h["record"]["name"] == h["name"]
        assert h["matched"] and h["snippets"]
        for snip in h["snippets"]:
            assert snip["field"] in h["matched"] or snip["field"].split("[")[0] in {
                m.split("[")[0] for m in h["matched"]
            }
            for start, end in snip["spans"]:
                assert 0 <= start < end <= len(snip["text"])


def test_search_tolerates_typos_and_reads_conditions(cli):
    typo = cli("search", "bone cemment", "--json").json()
    assert CEMENT & {h["id"] for h in typo[:5]}
    fibroids = cli("search", "uterine fibroids", "--json").json()
    assert fibroids[0]["id"] == "uterine-fibroid-embolization"


def test_search_rich_highlights_and_limits(cli):
    r = cli("search", "bone cement", "--limit", "3")
    assert r.code == 0
    assert "Vertebroplasty" in r.out or "Cementoplasty" in r.out
    assert "3 result(s)" in r.out and "not medical advice" in r.out
    assert len(cli("search", "drain", "-n", "2", "--json").json()) == 2


def test_search_nothing_and_bad_queries(cli):
    r = cli("search", "qqqxxyyzz", "--json")
    assert r.code == 1 and r.json() == []
    bad = cli("search", "  ", "--json")
    assert bad.code == 2 and bad.out == "" and "Error:" in bad.err


def test_search_jsonl_and_csv_agree_with_json(cli):
    ids = [h["id"] for h in cli("search", "biopsy", "--json").json()]
    lines = cli("search", "biopsy", "--jsonl").out.splitlines()
    assert [json.loads(line)["id"] for line in lines] == ids
    rows = list(csv.DictReader(io.StringIO(cli("search", "biopsy", "--csv").out)))
    assert [row["id"] for row in rows] == ids and rows[0]["rank"] == "1"


# ---------------------------------------------------------------- compare


def test_compare_json_keeps_the_order_asked(cli):
    r = cli("compare", "kyphoplasty", "vertebroplsaty", "--json")
    assert r.code == 0
    assert [rec["id"] for rec in r.json()] == ["kyphoplasty", "vertebroplasty"]
    assert "showing Vertebroplasty for 'vertebroplsaty'" in r.err


def test_compare_rich_side_by_side(cli):
    r = cli("compare", "RFA", "microwave ablation", "cryoablation")
    assert r.code == 0
    for text in ("Radiofrequency", "Microwave", "Cryoablation", "Main risks", "Anesthesia", "Recovery"):
        assert text in r.out
    narrow = cli("compare", "RFA", "cryoablation", env={"COLUMNS": "50"})
    assert narrow.code == 0 and "Main risks" in narrow.out


@pytest.mark.parametrize(
    ("args", "code"),
    [(["ablation"], 2), (["TACE", "chemoembolization"], 2), (["ablation", "xyzzy-nothing"], 1)],
)
def test_compare_errors(cli, args, code):
    r = cli("compare", *args, "--json")
    assert r.code == code and r.out == "" and r.err.startswith("Error:")


# ---------------------------------------------------------------- vocabularies and tree


def test_conditions_counts_match_for_condition(cli):
    entries = cli("conditions", "--json").json()
    index = catalog.load()
    assert len(entries) == len(index.conditions)
    by_id = {e["id"]: e for e in entries}
    for cid in ("liver-cancer", "uterine-fibroids", "pleural-effusion"):
        if cid in by_id:
            listed = cli("for-condition", by_id[cid]["name"], "--json").json()
            assert by_id[cid]["procedures"] == len(listed)
    assert all(e["procedures"] >= 1 for e in entries)


def test_conditions_query_filters(cli):
    entries = cli("conditions", "cancer", "--json").json()
    assert entries and len(entries) < len(catalog.load().conditions)
    assert all("cancer" in " ".join([e["name"], *e["synonyms"]]).lower() for e in entries)
    miss = cli("conditions", "zzqqxx")
    assert miss.code == 1 and miss.out == ""
    rows = list(csv.DictReader(io.StringIO(cli("conditions", "cancer", "--csv").out)))
    assert [r["id"] for r in rows] == [e["id"] for e in entries]


def test_modalities_counts_match_list(cli):
    mods = {m["id"]: m for m in cli("modalities", "--json").json()}
    assert {"CT", "MRI", "Ultrasound", "Fluoroscopy"} <= set(mods)
    assert mods["CT"]["procedures"] == len(cli("list", "--modality", "CT", "--json").json())
    assert "CAT scan" in mods["CT"]["synonyms"]
    assert "Computed tomography" in cli("modalities").out


def test_tree_shows_families(cli):
    nodes = cli("tree", "--json").json()
    ablation = next(n for n in nodes if n["id"] == "ablation")
    assert {"radiofrequency-ablation", "microwave-ablation", "cryoablation"} <= {c["id"] for c in ablation["children"]}
    one = cli("tree", "ablation", "--json").json()
    assert [n["id"] for n in one] == ["ablation"]
    r = cli("tree")
    assert r.code == 0 and "Microwave ablation" in r.out and "└──" in r.out


# ---------------------------------------------------------------- --jsonl and --csv


def test_list_jsonl_and_csv_match_json(cli):
    records = cli("list", "--modality", "CT", "--json").json()
    lines = cli("list", "--modality", "CT", "--jsonl").out.splitlines()
    assert [json.loads(line) for line in lines] == records
    rows = list(csv.DictReader(io.StringIO(cli("list", "--modality", "CT", "--csv").out)))
    assert [r["id"] for r in rows] == [rec["id"] for rec in records]
    assert all("CT" in r["modalities"].split("; ") for r in rows)


def test_for_condition_csv_has_purpose(cli):
    rows = list(csv.DictReader(io.StringIO(cli("for-condition", "HCC", "--csv").out)))
    assert rows and all(r["purpose"] for r in rows)
    assert "transarterial-chemoembolization" in {r["id"] for r in rows}


def test_one_output_format_at_a_time(cli):
    r = cli("list", "--json", "--csv")
    assert r.code == 2 and r.out == "" and "--json, --csv" in r.err


# ---------------------------------------------------------------- completion (the shell protocol)


def _complete(shell: str, words: str, tmp_path: Path, extra: dict[str, str] | None = None) -> list[str]:
    if not SCRIPT.exists():
        pytest.skip("console script not installed")
    env = {**os.environ, "IRREF_CACHE_DIR": str(tmp_path / "c"), "_IRREF_COMPLETE": f"complete_{shell}"}
    if shell == "bash":
        env |= {"COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1))}
    else:
        env |= {"_TYPER_COMPLETE_ARGS": words}
        if shell == "fish":
            env["_TYPER_COMPLETE_FISH_ACTION"] = "get-args"
    env |= extra or {}
    out = subprocess.run([str(SCRIPT)], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
    return out.stdout.splitlines()


def test_completion_bash(tmp_path):
    assert "vertebroplasty" in _complete("bash", "irref show vert", tmp_path)
    assert {"show", "search", "schema"} <= set(_complete("bash", "irref s", tmp_path))
    assert "kyphoplasty" in _complete("bash", "irref compare vertebroplasty kyph", tmp_path)
    assert any(c.lower().startswith("liver") for c in _complete("bash", "irref for-condition liv", tmp_path))
    assert "biopsy" in _complete("bash", "irref list --category bi", tmp_path)
    assert "CT" in _complete("bash", "irref list --modality C", tmp_path)
    assert "--modality" in _complete("bash", "irref list --mo", tmp_path)


def test_completion_zsh_and_fish(tmp_path):
    zsh = "\n".join(_complete("zsh", "irref list --modality C", tmp_path))
    assert '"CT":"Computed tomography (CT)"' in zsh
    fish = _complete("fish", "irref for-condition pancrea", tmp_path)
    assert any(line.startswith("pancrea") for line in fish)


def test_completion_reads_user_data(tmp_path):
    data = tmp_path / "data"
    write_record(data, "zygomatic-completion-test", name="Zygomatic Completion Test")
    words = _complete("bash", "irref show zygo", tmp_path, {"IRREF_DATA_DIRS": str(data)})
    assert "zygomatic\\ Completion\\ Test" in words  # prefix kept (lookups ignore case), spaces escaped


COMPLETION_SHAPES = [
    ("bash", "irref show vert"),
    ("bash", "irref show "),
    ("bash", "irref --data-dir . list --modality c"),
    ("bash", "irref list -m CT --category bi"),
    ("bash", "irref show ablation -s pre"),
    ("bash", "irref compare TACE y"),
    ("bash", "irref for-condition 'liver c"),
    ("bash", "irref list --bleeding-risk h"),
    ("zsh", "irref list --modality C"),
    ("zsh", "irref for-condition Cro"),
    ("zsh", "irref show zzzz"),
    ("fish", "irref for-condition pancrea"),
    ("fish", "irref tree abl"),
]


@pytest.mark.parametrize(("shell", "words"), COMPLETION_SHAPES, ids=lambda v: str(v))
def test_fast_completion_matches_typer(tmp_path, shell, words):
    """Value completion answered from the index without Typer gives exactly Typer's output."""
    fast = _complete(shell, words, tmp_path)
    slow = _complete(shell, words, tmp_path, {"IRREF_NO_FAST_PATH": "1"})
    assert fast == slow


# ---------------------------------------------------------------- new


def test_new_writes_a_template_that_fails_validation(cli, tmp_path):
    r = cli("new", "Genicular Artery Embolization Test", "--data-dir", str(tmp_path))
    assert r.code == 0
    path = Path(r.out.strip())
    assert path == tmp_path / "genicular-artery-embolization-test.yaml" and path.exists()
    assert "irref validate" in r.err
    text = path.read_text()
    assert text.startswith("#") and "TODO" in text
    check = cli("validate", str(path))
    assert check.code == 1 and "TODO" in check.out
    again = cli("new", "Genicular Artery Embolization Test", "--data-dir", str(tmp_path))
    assert again.code == 2 and again.out == "" and "already exists" in again.err
    assert path.read_text() == text


def test_new_uses_procedures_folder(cli, tmp_path):
    (tmp_path / "procedures").mkdir()
    r = cli("new", "Some New Thing", "--data-dir", str(tmp_path))
    assert Path(r.out.strip()) == tmp_path / "procedures" / "some-new-thing.yaml"


# ---------------------------------------------------------------- export


def test_export_markdown_to_stdout(cli):
    r = cli("export", "vertebroplsaty")
    assert r.code == 0
    assert r.out.startswith("# Vertebroplasty\n")
    assert "## References" in r.out and "https://" in r.out
    assert "not medical advice" in r.out
    assert "exporting Vertebroplasty for 'vertebroplsaty'" in r.err
    two = cli("export", "TACE", "Y90")
    assert two.out.startswith("# irref handout:") and "Radioembolization" in two.out


def test_export_to_directory_never_overwrites_without_force(cli, tmp_path):
    out = tmp_path / "handouts"
    r = cli("export", "TACE", "kyphoplasty", "--output", str(out))
    assert r.code == 0
    files = sorted(p.name for p in out.iterdir())
    assert files == ["kyphoplasty.md", "transarterial-chemoembolization.md"]
    assert r.out.splitlines() == [str(out / "transarterial-chemoembolization.md"), str(out / "kyphoplasty.md")]
    (out / "kyphoplasty.md").write_text("mine")
    refused = cli("export", "kyphoplasty", "-o", str(out))
    assert refused.code == 2 and "--force" in refused.err and refused.out == ""
    assert (out / "kyphoplasty.md").read_text() == "mine"
    forced = cli("export", "kyphoplasty", "-o", str(out), "--force")
    assert forced.code == 0 and (out / "kyphoplasty.md").read_text().startswith("# Kyphoplasty")


def test_export_all_is_one_document(cli, tmp_path):
    r = cli("export", "--all", "-o", str(tmp_path))
    assert r.code == 0
    doc = (tmp_path / "irref-catalog.md").read_text()
    index = catalog.load()
    assert all(f"## {name}" in doc for name in list(index.names.values())[:20])
    assert doc.count("not medical advice") >= 2


@pytest.mark.parametrize("args", [["--all", "TACE"], [], ["TACE", "--format", "pdf"], ["TACE", "-o", "/dev/null"]])
def test_export_usage_errors(cli, args):
    r = cli("export", *args)
    assert r.code == 2 and r.out == "" and r.err.startswith("Error:")


def test_completion_through_real_bash(tmp_path):
    """The script `--show-completion bash` prints, sourced in bash, fills COMPREPLY from the index."""
    if not SCRIPT.exists() or not shutil.which("bash"):
        pytest.skip("needs the console script and bash")
    env = {
        **os.environ,
        "IRREF_CACHE_DIR": str(tmp_path / "c"),
        "PATH": f"{SCRIPT.parent}{os.pathsep}{os.environ['PATH']}",
    }
    script = (
        "source <(irref --show-completion bash); "
        "COMP_WORDS=(irref show vert); COMP_CWORD=2; _irref_completion irref; printf '%s\\n' \"${COMPREPLY[@]}\""
    )
    out = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "vertebroplasty" in out.stdout.splitlines()


@pytest.mark.parametrize(
    ("shell", "where"),
    [("bash", ".bash_completions/irref.sh"), ("zsh", ".zfunc/_irref"), ("fish", ".config/fish/completions/irref.fish")],
)
def test_install_completion(tmp_path, shell, where):
    if not SCRIPT.exists():
        pytest.skip("console script not installed")
    home = tmp_path / "home"
    home.mkdir()
    # Typer's own switch for naming the shell instead of detecting the parent process (shellingham)
    env = {
        **os.environ,
        "HOME": str(home),
        "IRREF_CACHE_DIR": str(tmp_path / "c"),
        "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1",
    }
    out = subprocess.run([str(SCRIPT), "--install-completion", shell], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    installed = home / where
    assert installed.exists() and "_IRREF_COMPLETE" in installed.read_text()


def test_empty_results_leave_stdout_clean(cli):
    none = cli("list", "--region", "legs", "--category", "neurointerventional")
    assert none.code == 1 and none.out == "" and "No procedures" in none.err
    miss = cli("search", "qqqxxyyzz")
    assert miss.code == 1 and miss.out == "" and "No procedure mentions 'qqqxxyyzz'" in miss.err
    csv_miss = cli("search", "qqqxxyyzz", "--csv")
    assert csv_miss.code == 1 and csv_miss.out == "rank,id,name,score,matched,snippet\n"
