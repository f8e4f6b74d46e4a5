"""Bad data files: every problem named with file, line and field; other records still served."""

from __future__ import annotations

import time

import pytest

from .conftest import ROOT, write_record


def _validate(cli, *paths):
    r = cli("validate", *map(str, paths))
    return r


def test_misspelt_field_is_suggested(cli, tmp_path):
    path = write_record(tmp_path, "typo-test")
    text = path.read_text().replace("modalities:", "modalites:")
    path.write_text(text)
    r = _validate(cli, path)
    assert r.code == 1
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith("modalites:"))
    assert f"typo-test.yaml:{line}: modalites: unknown field: did you mean 'modalities'?" in r.out
    assert "modalities: required field is missing" in r.out  # every problem at once


def test_wrong_type_and_missing_field(cli, tmp_path):
    path = write_record(tmp_path, "type-test", risks="just one string", summary=...)
    r = _validate(cli, path)
    assert r.code == 1
    assert "risks: input should be a valid list" in r.out
    assert "summary: required field is missing" in r.out


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("category", "astrology", "category: 'astrology' is not allowed"),
        ("modalities", ["CT", "X-ray vision"], "modalities[1]: unknown modality 'X-ray vision'"),
        (
            "conditions",
            [{"id": "lycanthropy", "purpose": "cures it"}],
            "conditions[0].id: unknown condition 'lycanthropy'",
        ),
        ("related", ["no-such-thing"], "related[0]: 'no-such-thing' names no procedure"),
        ("parent", "no-such-parent", "parent: parent 'no-such-parent' names no procedure"),
        ("bleeding_risk", "medium", "bleeding_risk: 'medium' is not allowed"),
    ],
)
def test_vocabulary_and_reference_errors(cli, tmp_path, field, value, expected):
    path = write_record(tmp_path, "vocab-test", **{field: value})
    r = _validate(cli, path)
    assert r.code == 1
    assert expected in r.out
    assert "vocab-test.yaml:" in r.out


def test_todo_marker_fails(cli, tmp_path):
    path = write_record(tmp_path, "todo-test", summary="TODO: write me")
    r = _validate(cli, path)
    assert r.code == 1
    assert "summary: still contains a TODO marker" in r.out


def test_id_must_equal_file_name(cli, tmp_path):
    path = write_record(tmp_path, "name-test")
    path.rename(tmp_path / "other-name.yaml")
    r = _validate(cli, tmp_path)
    assert r.code == 1
    assert "id: id 'name-test' differs from the file name 'other-name'" in r.out


def test_duplicate_id_in_one_directory(cli, tmp_path):
    write_record(tmp_path, "dup-test")
    (tmp_path / "dup-test.yml").write_text((tmp_path / "dup-test.yaml").read_text())
    r = _validate(cli, tmp_path)
    assert r.code == 1
    assert "duplicate id 'dup-test'" in r.out


def test_alias_claimed_twice(cli, tmp_path):
    write_record(tmp_path, "alias-test", aliases=["TACE"])
    r = _validate(cli, tmp_path)
    assert r.code == 1
    assert "alias 'TACE' is already the name or alias of 'transarterial-chemoembolization'" in r.out


def test_parent_cycle(cli, tmp_path):
    write_record(tmp_path, "cycle-a", parent="cycle-b")
    write_record(tmp_path, "cycle-b", parent="cycle-a")
    r = _validate(cli, tmp_path)
    assert r.code == 1
    assert "parent cycle: cycle-a -> cycle-b -> cycle-a" in r.out


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"id: x\nname: [unclosed\n", "YAML syntax error"),
        (b"", "file is empty"),
        (b"- just\n- a list\n", "file must hold a mapping of fields, found list"),
        (b"id: caf\xe9\n", "file is not UTF-8 text"),
        (b"a: &x [1, 2]\nb: *x\n", "YAML aliases (*name) are not allowed"),
    ],
)
def test_unusable_files(cli, tmp_path, content, expected):
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    r = _validate(cli, path)
    assert r.code == 1
    assert "bad.yaml" in r.out and expected in r.out


def test_hostile_files_are_refused_fast(cli, tmp_path):
    bomb = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 12):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        bomb.append(f"{cur}: &{cur} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]")
    (tmp_path / "bomb.yaml").write_text("\n".join(bomb) + "\n")
    (tmp_path / "huge.yaml").write_text("id: huge\nsummary: " + "x" * (1024 * 1024 + 10) + "\n")
    (tmp_path / "deep.yaml").write_text("id: deep\nname: " + "[" * 200 + "]" * 200 + "\n")
    from irref.loader import FileRejected, parse_file

    for name in ("bomb.yaml", "huge.yaml", "deep.yaml"):  # each refused within a second
        start = time.monotonic()
        with pytest.raises(FileRejected):
            parse_file(tmp_path / name)
        assert time.monotonic() - start < 1.0, name
    start = time.monotonic()
    r = _validate(cli, tmp_path)
    elapsed = time.monotonic() - start
    assert r.code == 1
    assert "bomb.yaml:2: YAML aliases" in r.out
    assert "huge.yaml: file is" in r.out and "over the 1 MiB limit" in r.out
    assert "deep.yaml" in r.out and "nested deeper" in r.out
    assert elapsed < 5


def test_other_commands_serve_valid_records_and_warn(cli, tmp_path):
    write_record(tmp_path, "good-extra", name="Good Extra Procedure")
    bad = write_record(tmp_path, "broken-extra", name="Broken Extra Procedure")
    bad.write_text(bad.read_text().replace("modalities:", "modalites:"))
    r = cli("--data-dir", str(tmp_path), "show", "good extra procedure", "--json")
    assert r.code == 0
    assert r.json()["id"] == "good-extra"
    warnings = [line for line in r.err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "broken-extra.yaml" in warnings[0]
    assert cli("--data-dir", str(tmp_path), "show", "broken extra procedure").code == 1


def test_user_record_overrides_shipped(cli, tmp_path):
    write_record(tmp_path, "thoracentesis", name="Thoracentesis (our protocol)")
    r = cli("--data-dir", str(tmp_path), "show", "thoracentesis", "--json")
    assert r.code == 0
    assert r.json()["name"] == "Thoracentesis (our protocol)"
    assert r.json()["source"] == str(tmp_path / "thoracentesis.yaml")


def test_missing_data_dir_is_usage_error(cli, tmp_path):
    r = cli("--data-dir", str(tmp_path / "nope"), "show", "ablation")
    assert r.code == 2
    assert "data directory not found" in r.err
    assert r.out == ""


def test_shipped_files_all_named_by_id():
    for path in (ROOT / "data" / "procedures").glob("*.yaml"):
        assert f"id: {path.stem}\n" in path.read_text(), path


def test_links_loops_fifos_and_unreadable_files_are_refused(cli, tmp_path):
    import os

    (tmp_path / "loop-a.yaml").symlink_to(tmp_path / "loop-b.yaml")
    (tmp_path / "loop-b.yaml").symlink_to(tmp_path / "loop-a.yaml")
    (tmp_path / "dangling.yaml").symlink_to(tmp_path / "nowhere.yaml")
    (tmp_path / "dir-link.yaml").symlink_to(tmp_path, target_is_directory=True)  # a directory loop
    os.mkfifo(tmp_path / "pipe.yaml")  # reading it would block forever
    locked = write_record(tmp_path, "locked-test")
    locked.chmod(0)
    start = time.monotonic()
    r = _validate(cli, tmp_path)
    assert time.monotonic() - start < 5
    assert r.code == 1
    assert "loop-a.yaml: cannot read file" in r.out
    assert "dangling.yaml: cannot read file" in r.out
    assert "dir-link.yaml: not a regular file" in r.out
    assert "pipe.yaml: not a regular file" in r.out
    if os.geteuid() != 0:  # root reads mode-000 files
        assert "locked-test.yaml: cannot read file" in r.out


def test_a_source_cited_twice_in_one_entry_is_refused(cli, tmp_path):
    """Two reference entries with one url (a trailing slash aside) are one source."""
    from ruamel.yaml import YAML

    base = YAML(typ="safe").load((ROOT / "data" / "procedures" / "tips.yaml").read_text(encoding="utf-8"))
    refs = base["references"]
    twin = {**refs[0], "url": refs[0]["url"].rstrip("/") + "/", "supports": ["description"]}
    path = write_record(tmp_path, "dup-ref-test", references=[*refs, twin])
    r = _validate(cli, path)
    assert r.code == 1
    n = len(refs)
    text = path.read_text()
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith("references:"))
    assert f"dup-ref-test.yaml:{line}: references: references[{n}] repeats the url of references[0]" in r.out
