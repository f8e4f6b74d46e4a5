"""The new-record template (irref.scaffold): ids, the commented YAML, writing, and validation."""

from __future__ import annotations

import datetime
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from irref import loader, model, scaffold
from irref.errors import UsageError
from irref.vocab import ANESTHESIA, BODY_REGIONS, CATEGORIES, PEDIATRIC_USE, SETTINGS

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
EXAMPLE = DATA / "procedures" / "thoracentesis.yaml"
TODAY = datetime.date(2031, 5, 17)
NAME = "Scaffold Test Widget Embolization"  # named by no shipped record, so the real catalog check can run
RID = "scaffold-test-widget-embolization"
# Every placeholder is refused by the model itself (modalities included).
MODEL_ACCEPTS: set[str] = set()


def field_name(loc: tuple) -> str:
    """A location as validation problems name it: conditions[0].id, pediatric.notes."""
    return ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in loc).replace(".[", "[")


def todo_fields(node: Any, loc: tuple = ()) -> set[str]:
    """Every location whose value is a string containing TODO."""
    if isinstance(node, dict):
        return set().union(*(todo_fields(v, (*loc, k)) for k, v in node.items()))
    if isinstance(node, list):
        return set().union(*(todo_fields(v, (*loc, i)) for i, v in enumerate(node)))
    return {field_name(loc)} if isinstance(node, str) and "TODO" in node else set()


def problems_of(path: Path) -> list[loader.Problem]:
    _, problems = loader.validate_mapping(model.Procedure, loader.parse_file(path), path)
    return problems


def comments(text: str) -> list[str]:
    """The comment text of every line, in order (header lines and end-of-line comments)."""
    out = []
    for line in text.splitlines():
        if line.startswith("#"):
            out.append(line)
        elif match := re.search(r"\s(# .*)$", line):  # no value here holds " # "
            out.append(match.group(1))
    return out


def rt_yaml():
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.width = 4096  # the template's own dump settings
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


#: Values for fields the example record may not have yet (the clinical fields).
FILLED = {
    "complications": [
        {"name": f"Event {i}", "rate": "rare", "severity": "mild", "management": "Observation."} for i in range(3)
    ],
    "labs": [{"test": "INR", "threshold": "2.0-3.0 or lower", "note": None}],
    "medications": [{"drug": "Local anesthetic", "use": "At the puncture site."}],
    "pearls": ["One.", "Two.", "Three."],
    "duration": "10-20 minutes",
    "outcomes": [{"measure": "Technical success", "value": "nearly always", "note": None}],
    "planning_imaging": [],
    "lookup_terms": [],
}


def fill(path: Path, *, keep_todo: tuple[str, ...] = ()) -> None:
    """Replace every TODO the way a tool would: load round-trip, set values, dump back.

    Top-level values are replaced wholesale (from thoracentesis.yaml); the nested pediatric
    mapping is edited in place. Aliases become [] so the record claims none of thoracentesis's.
    """
    example = loader.parse_file(EXAMPLE)
    yaml = rt_yaml()
    doc = yaml.load(path.read_text(encoding="utf-8"))
    for key in model.FIELDS:
        if key in {"id", "name", "pediatric", *keep_todo}:
            continue
        doc[key] = example[key] if key in example else FILLED[key]
    doc["aliases"] = []
    for key, value in example["pediatric"].items():
        doc["pediatric"][key] = value
    out = io.StringIO()
    yaml.dump(doc, out)
    path.write_text(out.getvalue(), encoding="utf-8")


@pytest.fixture
def written(tmp_path: Path) -> Path:
    (tmp_path / "data" / "procedures").mkdir(parents=True)
    return scaffold.write_new(NAME, tmp_path / "data")


# ---------------------------------------------------------------- slug


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Percutaneous Nephrostomy (PCN)", "percutaneous-nephrostomy-pcn"),
        ("Genicular artery embolization", "genicular-artery-embolization"),
        ("Ablación por radiofrecuencia", "ablacion-por-radiofrecuencia"),
        ("  Cholécystostomie  —  percutanée  ", "cholecystostomie-percutanee"),
        ("Women's health: UFE", "womens-health-ufe"),
        ("Straße & Ærø", "strasse-and-aero"),
        ("--TIPS--", "tips"),
        ("Y-90 radioembolization", "y-90-radioembolization"),
        ("Bronchial artery embolisation (BAE) / haemoptysis", "bronchial-artery-embolisation-bae-haemoptysis"),
    ],
)
def test_slug(name: str, expected: str) -> None:
    assert scaffold.slug(name) == expected


@pytest.mark.parametrize("name", ["", "   ", "!!!", "— / —", "日本語", "βγ"])
def test_slug_refuses_names_without_letters_or_digits(name: str) -> None:
    with pytest.raises(UsageError, match="cannot make an id"):
        scaffold.slug(name)


def test_slug_caps_length_at_a_word_boundary() -> None:
    words = ["transcatheter"] * 10  # 139 characters once joined
    result = scaffold.slug(" ".join(words))
    assert len(result) <= 80
    assert result == "-".join(["transcatheter"] * 5)  # 69 chars; a sixth word would make 83
    assert scaffold.slug("x" * 100) == "x" * 80  # one long word is cut hard


def test_slug_pattern_is_the_models() -> None:
    id_meta = model.Procedure.model_fields["id"].metadata
    assert any(getattr(m, "pattern", None) == scaffold.ID_PATTERN.pattern for m in id_meta)
    assert any(getattr(m, "max_length", None) == scaffold.MAX_ID_LENGTH for m in id_meta)


@given(st.text(max_size=200))
def test_slug_is_always_a_valid_id_or_a_usage_error(name: str) -> None:
    try:
        result = scaffold.slug(name)
    except UsageError:
        return
    assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", result)
    assert len(result) <= 80


# ---------------------------------------------------------------- template


def test_template_fills_id_name_and_date_and_lists_every_field() -> None:
    data = rt_yaml().load(scaffold.template(NAME, today=TODAY))
    assert list(data) == list(model.FIELDS)  # every field, in the model's order
    assert data["id"] == RID
    assert data["name"] == NAME
    assert data["reviewed"] == TODAY
    assert data["bleeding_risk"] is None
    assert "TODO" in data["bleeding_risk_note"]
    assert len(data["steps"]) == 2
    assert len(data["risks"]) == 3
    assert len(data["references"]) == 1
    assert set(data["references"][0]) == {"publisher", "title", "url", "supports"}
    # every field but id, name, bleeding_risk, reviewed and the optional lists carries a TODO
    assert {f.split("[")[0].split(".")[0] for f in todo_fields(data)} == set(model.FIELDS) - {
        "id",
        "name",
        "bleeding_risk",
        "reviewed",
        "planning_imaging",
        "lookup_terms",
    }


def test_template_defaults_to_today() -> None:
    data = rt_yaml().load(scaffold.template(NAME))
    assert data["reviewed"] == datetime.date.today()


def test_template_header_says_it_fails_until_todos_are_replaced() -> None:
    text = scaffold.template(NAME, today=TODAY)
    header = text[: text.index("\nid:")]
    assert all(line.startswith("#") for line in header.splitlines())
    assert "FAILS `irref validate` until every TODO" in header
    assert f"irref validate data/procedures/{RID}.yaml" in header


def test_template_comments_list_the_vocabularies() -> None:
    text = scaffold.template(NAME, today=TODAY)
    lines = {line.split(":")[0].strip(): line for line in text.splitlines() if not line.startswith(("#", " "))}
    header = " ".join(line.lstrip("# ") for line in text.splitlines() if line.startswith("#"))
    for value in (*CATEGORIES, *BODY_REGIONS):
        assert value in header
    assert all(v in lines["anesthesia"] for v in ANESTHESIA)
    assert all(v in lines["setting"] for v in SETTINGS)
    performed = next(line for line in text.splitlines() if line.strip().startswith("performed:"))
    assert all(v in performed for v in PEDIATRIC_USE)
    modality_ids = [e["id"] for e in loader.parse_file(DATA / "modalities.yaml")]
    assert all(m in lines["modalities"] for m in modality_ids)
    assert "data/conditions.yaml" in lines["conditions"]
    assert "SIR 2019" in lines["bleeding_risk"]
    assert "10.1016/j.jvir.2019.04.017" in header


def test_template_round_trips_with_every_comment() -> None:
    from ruamel.yaml import YAML

    text = scaffold.template(NAME, today=TODAY)
    own = scaffold._yaml()  # the template's own dump settings: byte for byte
    out = io.StringIO()
    own.dump(own.load(text), out)
    assert out.getvalue() == text
    plain = YAML(typ="rt")  # a tool's default settings: layout may change, comments may not
    out = io.StringIO()
    plain.dump(plain.load(text), out)
    assert comments(out.getvalue()) == comments(text)
    assert len(comments(text)) > 40


def test_template_values_fit_a_default_width_dump() -> None:
    """ruamel folds scalars past 80 columns by default, which would push comments onto odd lines."""
    text = scaffold.template("Genicular artery embolization", today=TODAY)
    body = [line.split("  # ")[0] for line in text.splitlines() if not line.startswith("#")]
    assert max(len(line) for line in body) <= 80


@pytest.mark.parametrize("name", ["", "  \t ", "TODO later", "Bad\x00name"])
def test_template_refuses_unusable_names(name: str) -> None:
    with pytest.raises(UsageError):
        scaffold.template(name)


def test_template_leaves_other_ruamel_dumpers_alone() -> None:
    from ruamel.yaml import YAML

    scaffold.template(NAME)
    out = io.StringIO()
    YAML(typ="rt").dump({"a": None}, out)
    assert out.getvalue() == "a:\n"  # the template's "null" style is not installed globally


# ---------------------------------------------------------------- validation of the written file


def test_written_template_fails_only_on_its_todos(written: Path) -> None:
    data = loader.parse_file(written)
    placed = todo_fields(data)
    problems = problems_of(written)
    assert problems
    failing = {p.field for p in problems}
    assert failing == placed - MODEL_ACCEPTS  # no structural error: every problem is a placeholder
    assert all(p.line is not None for p in problems)
    assert not [p for p in problems if "missing" in p.message or "unknown field" in p.message]
    todo_messages = [p for p in problems if "TODO marker" in p.message]
    assert len(todo_messages) >= 20


def test_filled_template_validates_and_keeps_its_comments(written: Path) -> None:
    before = written.read_text(encoding="utf-8")
    fill(written)
    after = written.read_text(encoding="utf-8")
    assert "TODO" not in after[after.index("\nid:") :]
    assert problems_of(written) == []
    # the header and the end-of-line comments of top-level keys (and of pediatric, edited in
    # place) survive; those inside replaced values go with them
    lines = before.splitlines()
    start = lines.index(next(line for line in lines if line.startswith("id:")))
    kept = [line for line in lines[start:] if line[:1].isalpha() or line.startswith(("  performed:", "  notes:"))]
    expected = [c for c in comments(before) if c in comments("\n".join(lines[:start] + kept))]
    assert comments(after) == expected
    assert after.startswith(before[: before.index("\nid:")])  # the header, untouched


def test_irref_validate_reports_the_todos(written: Path, tmp_path: Path) -> None:
    result = run_irref("validate", str(written), cwd=tmp_path)
    assert result.returncode == 1
    assert "TODO" in result.stdout
    lines = result.stdout.splitlines()
    assert len(lines) == len(todo_fields(loader.parse_file(written)) - MODEL_ACCEPTS)
    assert all(line.startswith(f"{os.path.relpath(written, tmp_path)}:") for line in lines)


def test_irref_validate_catches_a_todo_modality_and_passes_a_complete_file(tmp_path: Path) -> None:
    """A placeholder left in one field is the only problem reported; a complete file passes."""
    almost = scaffold.write_new("Scaffold Test Almost", tmp_path)
    fill(almost, keep_todo=("modalities",))
    complete = scaffold.write_new("Scaffold Test Complete", tmp_path)
    fill(complete)
    result = run_irref("validate", "--json", str(almost), str(complete), cwd=tmp_path)
    assert result.returncode == 1
    found = [(Path(p["path"]).name, p["field"], p["message"]) for p in json.loads(result.stdout)]
    assert found == [
        ("scaffold-test-almost.yaml", "modalities[0]", "still contains a TODO marker: replace it with real content")
    ]


def run_irref(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("irref")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "irref"]
    return subprocess.run([*command, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


# ---------------------------------------------------------------- writing


def test_write_new_uses_the_procedures_folder_of_a_data_dir(tmp_path: Path) -> None:
    (tmp_path / "procedures").mkdir()
    path = scaffold.write_new(NAME, tmp_path)
    assert path == tmp_path / "procedures" / f"{RID}.yaml"
    assert path.read_text(encoding="utf-8").startswith("# New irref procedure record")


def test_write_new_creates_a_missing_directory(tmp_path: Path) -> None:
    target = tmp_path / "new" / "place"
    path = scaffold.write_new(NAME, target)
    assert path == target / f"{RID}.yaml"
    assert loader.parse_file(path)["id"] == RID


def test_write_new_never_overwrites(written: Path) -> None:
    written.write_text("id: precious\n", encoding="utf-8")
    with pytest.raises(UsageError, match="already exists; edit it or choose another name") as info:
        scaffold.write_new(NAME, written.parent.parent)
    assert written.name in info.value.message
    assert written.read_text(encoding="utf-8") == "id: precious\n"


def test_write_new_refuses_a_yml_twin(tmp_path: Path) -> None:
    twin = tmp_path / f"{RID}.yml"
    twin.write_text("id: twin\n", encoding="utf-8")
    with pytest.raises(UsageError, match="already exists"):
        scaffold.write_new(NAME, tmp_path)
    assert not (tmp_path / f"{RID}.yaml").exists()
    assert twin.read_text(encoding="utf-8") == "id: twin\n"


def test_write_new_bad_name_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        scaffold.write_new("???", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_write_new_into_a_file_is_a_usage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(UsageError, match="cannot create"):
        scaffold.write_new(NAME, blocker)
    assert blocker.read_text(encoding="utf-8") == "x"
