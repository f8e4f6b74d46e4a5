"""The record model: the single definition that validates data files and emits JSON Schema.

Imported only on the cold path (building the index, ``validate``, ``schema``):
warm lookups never import pydantic.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from irref.vocab import (
    ANESTHESIA,
    BLEEDING_RISK,
    BODY_REGIONS,
    CATEGORIES,
    PEDIATRIC_USE,
    SETTINGS,
    SEVERITIES,
    SUPPORTABLE,
)

_TODO = "TODO"
_FIGURE = re.compile(r"\d")


def _no_todo(value: str) -> str:
    if _TODO in value:
        raise ValueError("still contains a TODO marker: replace it with real content")
    return value


def _todo_first(value: object) -> object:
    """For ids and fixed vocabularies: name a template placeholder as such, not as a bad value."""
    return _no_todo(value) if isinstance(value, str) else value


_Placeholder = BeforeValidator(_todo_first)
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Id = Annotated[str, _Placeholder, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=80)]
Category = Annotated[Literal[CATEGORIES], _Placeholder]  # type: ignore[valid-type]
Region = Annotated[Literal[BODY_REGIONS], _Placeholder]  # type: ignore[valid-type]
Anesthesia = Annotated[Literal[ANESTHESIA], _Placeholder]  # type: ignore[valid-type]
Setting = Annotated[Literal[SETTINGS], _Placeholder]  # type: ignore[valid-type]
PediatricUse = Annotated[Literal[PEDIATRIC_USE], _Placeholder]  # type: ignore[valid-type]
BleedingRisk = Annotated[Literal[BLEEDING_RISK], _Placeholder]  # type: ignore[valid-type]
Severity = Annotated[Literal[SEVERITIES], _Placeholder]  # type: ignore[valid-type]
Supportable = Annotated[Literal[SUPPORTABLE], _Placeholder]  # type: ignore[valid-type]


Filled = Annotated[Text, AfterValidator(_no_todo)]


def _unique(values: list) -> list:
    seen: set = set()
    for v in values:
        key = v.casefold() if isinstance(v, str) else v
        if key in seen:
            raise ValueError(f"duplicate entry {v!r}")
        seen.add(key)
    return values


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Reference(_Strict):
    """A public source the entry was checked against."""

    publisher: Filled = Field(description="Who publishes it (society, journal, site).")
    title: Filled = Field(description="Title of the page or article.")
    url: Annotated[str, _Placeholder, StringConstraints(pattern=r"^https?://\S+$")] = Field(
        description="Address of the page (http or https)."
    )
    supports: list[Supportable] = Field(
        min_length=1, description="Record fields whose facts this source backs, e.g. [complications, outcomes]."
    )


class Complication(_Strict):
    """An adverse event, how often it happens, how bad it is (SIR classes) and how it is handled."""

    name: Filled = Field(description="The adverse event.")
    rate: Filled = Field(description="How often: '1-3%', 'about 1 in 200', or 'rare' where no figure is published.")
    severity: Severity = Field(description="SIR adverse-event class: mild, moderate, severe, life-threatening, death.")
    management: Filled = Field(description="How it is recognised and treated.")


class Lab(_Strict):
    """A laboratory check before the procedure and its usual threshold."""

    test: Filled = Field(description="The test, e.g. INR, platelets, eGFR, bilirubin.")
    threshold: Filled = Field(description="The usual threshold or target, e.g. '<= 1.5-1.8'.")
    note: Filled | None = Field(default=None, description="Where the threshold comes from, or when it differs.")


class Medication(_Strict):
    """A drug (or class) used around the procedure, and what for."""

    drug: Filled = Field(description="Drug or drug class.")
    use: Filled = Field(description="When and why it is given (or withheld).")


class Outcome(_Strict):
    """A published result: technical or clinical success, patency, recurrence."""

    measure: Filled = Field(description="What was measured.")
    value: Filled = Field(description="The figure, e.g. '90-95%'.")
    note: Filled | None = Field(default=None, description="Context: population, follow-up, source.")


class Contraindications(_Strict):
    """When the procedure is not done (absolute) or needs care (relative)."""

    absolute: list[Filled] = Field(default_factory=list, description="When it should not be done.")
    relative: list[Filled] = Field(default_factory=list, description="When it needs extra care or another choice.")
    note: Filled | None = Field(default=None, description="Where sources disagree, say so here.")

    @model_validator(mode="after")
    def _some(self) -> Contraindications:
        if not self.absolute and not self.relative:
            raise ValueError("give at least one absolute or relative contraindication")
        return self


class ConditionLink(_Strict):
    """A condition the procedure diagnoses or treats, and what it does for it."""

    id: Id = Field(description="Condition id from the condition vocabulary.")
    purpose: Filled = Field(description="What the procedure does for this condition, in a short phrase.")


class Pediatric(_Strict):
    """Whether and how the procedure is done in children."""

    performed: PediatricUse = Field(description="yes, sometimes, rarely or no.")
    notes: Filled = Field(description="How practice differs in children.")


class Procedure(_Strict):
    """One interventional radiology procedure (one YAML file in data/procedures/)."""

    id: Id = Field(description="Kebab-case identifier; equals the file name without .yaml.")
    name: Filled = Field(description="Canonical display name.")
    aliases: list[Filled] = Field(default_factory=list, description="Abbreviations, other names, lay names.")
    category: Category = Field(description="Category from the fixed vocabulary.")
    parent: Id | None = Field(default=None, description="Id of the broader family entry, if any.")
    summary: Filled = Field(description="One or two plain-language sentences.")
    description: Filled = Field(description="What it is and how it works, for a trainee.")
    steps: list[Filled] = Field(min_length=2, description="How it is done, in order.")
    modalities: list[Filled] = Field(min_length=1, description="Imaging guidance (modality vocabulary ids).")
    conditions: list[ConditionLink] = Field(min_length=1, description="Conditions it diagnoses or treats.")
    body_regions: list[Region] = Field(min_length=1, description="Body regions involved.")
    anesthesia: list[Anesthesia] = Field(min_length=1, description="none, local, moderate sedation, general.")
    setting: list[Setting] = Field(min_length=1, description="outpatient, overnight, inpatient.")
    preparation: list[Filled] = Field(min_length=1, description="How patients are prepared.")
    aftercare: list[Filled] = Field(min_length=1, description="Care and warning signs after the procedure.")
    recovery: Filled = Field(description="What recovery usually looks like.")
    risks: list[Filled] = Field(min_length=3, description="Main risks, most relevant first (at least three).")
    benefits: list[Filled] = Field(min_length=1, description="Benefits.")
    contraindications: Contraindications = Field(
        description="{absolute: [...], relative: [...], note}: when it is not done, or needs care."
    )
    complications: list[Complication] = Field(
        min_length=3, description="Adverse events with rate, SIR severity and management (3 or more)."
    )
    labs: list[Lab] = Field(min_length=1, description="Laboratory checks and thresholds.")
    medications: list[Medication] = Field(
        min_length=1, description="Drugs around the procedure: prophylaxis, sedation, specific drugs."
    )
    pearls: list[Filled] = Field(min_length=3, max_length=5, description="3-5 practical points a trainee is taught.")
    duration: Filled = Field(description="Typical procedure time, e.g. '30-60 minutes'.")
    outcomes: list[Outcome] = Field(min_length=1, description="Technical and clinical success, patency or recurrence.")
    planning_imaging: list[Filled] = Field(
        default_factory=list,
        description="Diagnostic, planning and follow-up imaging (modality ids); not the guidance itself.",
    )
    equipment: list[Filled] = Field(min_length=1, description="Needles, catheters, devices, in plain words.")
    alternatives: list[Filled] = Field(min_length=1, description="Other options.")
    related: list[Id] = Field(default_factory=list, description="Ids of related procedures.")
    lookup_terms: list[Filled] = Field(
        default_factory=list,
        description="Search-only terms and common misspellings: lookup reads them, handouts never show them.",
    )
    pediatric: Pediatric = Field(description="Use in children.")
    bleeding_risk: BleedingRisk | None = Field(
        description="SIR 2019 procedure bleeding-risk class (low or high), or null where it gives none."
    )
    bleeding_risk_note: Filled | None = Field(
        default=None, description="Why the class applies, or why there is none (required when null)."
    )
    references: list[Reference] = Field(min_length=1, description="Public sources the entry was checked against.")
    reviewed: _dt.date = Field(description="Date last checked against its references (YYYY-MM-DD).")

    @field_validator("aliases", "modalities", "related", "body_regions", "planning_imaging", "lookup_terms")
    @classmethod
    def _no_repeats(cls, values: list) -> list:
        return _unique(values)

    @field_validator("references")
    @classmethod
    def _one_entry_per_source(cls, refs: list[Reference]) -> list[Reference]:
        seen: dict[str, int] = {}
        for i, ref in enumerate(refs):
            key = ref.url.rstrip("/").lower()
            if key in seen:
                raise ValueError(
                    f"references[{i}] repeats the url of references[{seen[key]}]: merge their supports lists"
                )
            seen[key] = i
        return refs

    @model_validator(mode="after")
    def _cross_field(self) -> Procedure:
        if self.bleeding_risk is None and not self.bleeding_risk_note:
            raise ValueError("bleeding_risk is null: say why in bleeding_risk_note")
        if self.bleeding_risk is not None and not any(
            "10.1016/j.jvir.2019.04.017" in r.url or ("2019" in r.title and "Bleeding" in r.title)
            for r in self.references
        ):
            raise ValueError("bleeding_risk is set: cite the SIR 2019 guideline in references")
        # a parent or related id naming the record itself is reported by the cross-record checks
        # (irref/catalog.py), at the line of that field
        supported = {field for r in self.references for field in r.supports}
        for field, items, attr in (("complications", self.complications, "rate"), ("outcomes", self.outcomes, "value")):
            if items and any(_FIGURE.search(getattr(i, attr)) for i in items) and field not in supported:
                raise ValueError(
                    f"{field} gives figures but no reference supports them: add '{field}' to a "
                    "reference's supports list"
                )
        return self


class Condition(_Strict):
    """An entry of the condition vocabulary (data/conditions.yaml)."""

    id: Id = Field(description="Kebab-case identifier used in procedure records.")
    name: Filled = Field(description="Display name.")
    synonyms: list[Filled] = Field(default_factory=list, description="Other names, abbreviations, lay terms.")


class Modality(_Strict):
    """An entry of the imaging-guidance vocabulary (data/modalities.yaml)."""

    id: Filled = Field(description="Identifier used in procedure records (e.g. CT).")
    name: Filled = Field(description="Display name.")
    synonyms: list[Filled] = Field(default_factory=list, description="Other names and abbreviations.")


FIELDS: tuple[str, ...] = tuple(Procedure.model_fields)


def json_schema(data_file: bool = False) -> dict:
    """JSON Schema generated from the model: by default of a record exactly as ``--json`` prints it
    (the data file's fields plus ``source``, and the optional keys some commands add: ``match`` on
    ``show``, ``condition`` and ``purpose`` on ``for-condition``); with ``data_file``, of a YAML
    data file (for editors)."""
    schema = Procedure.model_json_schema(mode="serialization" if not data_file else "validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    if data_file:
        schema["$id"] = "https://irref.invalid/schema/procedure-file.json"
        return schema
    schema["$id"] = "https://irref.invalid/schema/procedure.json"
    schema["title"] = "Record"
    schema["description"] = "A procedure record as irref's --json output prints it."
    props = schema["properties"]
    props["reviewed"] = {"type": "string", "format": "date", "description": props["reviewed"].get("description", "")}
    props["source"] = {"type": "string", "description": "The data file the record was read from."}
    props["match"] = {
        "type": "object",
        "description": "show only: how the query was matched.",
        "properties": {
            "kind": {"enum": ["exact", "alias", "fuzzy", "search"]},
            "score": {"type": "number"},
            "query": {"type": "string"},
            "matched": {"type": "string"},
        },
        "required": ["kind", "score", "query", "matched"],
        "additionalProperties": False,
    }
    props["condition"] = {
        "type": "object",
        "description": "for-condition only: the condition asked about.",
        "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
        "required": ["id", "name"],
        "additionalProperties": False,
    }
    props["purpose"] = {"type": ["string", "null"], "description": "for-condition only: what it does for it."}
    schema["required"] = sorted({*schema.get("required", []), *FIELDS, "source"} - {"bleeding_risk_note"})
    return schema
