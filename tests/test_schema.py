"""`irref schema` describes exactly what --json prints: every command's records validate against it
with a real JSON Schema validator (jsonschema), and the data-file schema accepts the YAML files."""

from __future__ import annotations

import pytest

jsonschema = pytest.importorskip("jsonschema")


@pytest.fixture(scope="module")
def validator():
    from irref import model

    schema = model.json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def _valid(validator, record):
    errors = sorted(validator.iter_errors(record), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:3]]


def test_every_listed_record_validates(cli, validator):
    records = cli("list", "--json").json()
    assert len(records) >= 160
    for rec in records:
        _valid(validator, rec)


@pytest.mark.parametrize(
    "argv",
    [
        ["show", "TACE", "--json"],
        ["show", "vertebroplsaty", "--json"],
        ["show", "fluoro guided gastrostomy", "--json"],
    ],
)
def test_show_validates_with_its_match(cli, validator, argv):
    rec = cli(*argv).json()
    assert "match" in rec
    _valid(validator, rec)


def test_for_condition_compare_and_search_records_validate(cli, validator):
    for rec in cli("for-condition", "liver cancer", "--json").json():
        assert rec["condition"]["id"] == "hepatocellular-carcinoma" and rec["purpose"]
        _valid(validator, rec)
    for rec in cli("compare", "TACE", "Y90", "--json").json():
        _valid(validator, rec)
    for hit in cli("search", "bone cement", "--json").json():
        _valid(validator, hit["record"])


def test_a_wrong_record_fails(cli, validator):
    rec = cli("show", "TACE", "--json").json()
    rec["complications"][0]["severity"] = "catastrophic"
    assert list(validator.iter_errors(rec))
    rec = cli("show", "TACE", "--json").json()
    rec["unexpected"] = 1
    assert list(validator.iter_errors(rec))


def test_data_file_schema_accepts_the_yaml_files(cli):
    from ruamel.yaml import YAML

    from .conftest import ROOT

    schema = cli("schema", "--data-file").json()
    check = jsonschema.Draft202012Validator(schema)
    yaml = YAML(typ="safe")
    for name in ("tips.yaml", "vertebroplasty.yaml", "kidney-ablation.yaml"):
        data = yaml.load((ROOT / "data" / "procedures" / name).read_text())
        data["reviewed"] = str(data["reviewed"])
        errors = list(check.iter_errors(data))
        assert not errors, (name, errors[0].message)
    assert "source" not in schema["properties"]
