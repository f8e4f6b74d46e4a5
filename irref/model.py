"""The record model: the single definition that validates data files and emits JSON Schema.

Imported only on the cold path (building the index, ``validate``, ``schema``):
warm lookups never import pydantic.
"""

from __future__ import annotations

import datetime as _dt
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

from irref.vocab import ANESTHESIA, BLEEDING_RISK, BODY_REGIONS, CATEGORIES, PEDIATRIC_USE, SETTINGS

_TODO = "TODO"


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
    contraindications: list[Filled] = Field(min_length=1, description="When it is not done or needs care.")
    equipment: list[Filled] = Field(min_length=1, description="Needles, catheters, devices, in plain words.")
    alternatives: list[Filled] = Field(min_length=1, description="Other options.")
    related: list[Id] = Field(default_factory=list, description="Ids of related procedures.")
    pediatric: Pediatric = Field(description="Use in children.")
    bleeding_risk: BleedingRisk | None = Field(
        description="SIR 2019 procedure bleeding-risk class (low or high), or null where it gives none."
    )
    bleeding_risk_note: Filled | None = Field(
        default=None, description="Why the class applies, or why there is none (required when null)."
    )
    references: list[Reference] = Field(min_length=1, description="Public sources the entry was checked against.")
    reviewed: _dt.date = Field(description="Date last checked against its references (YYYY-MM-DD).")

    @field_validator("aliases", "modalities", "related", "body_regions")
    @classmethod
    def _no_repeats(cls, values: list) -> list:
        return _unique(values)

    @model_validator(mode="after")
    def _cross_field(self) -> Procedure:
        if self.bleeding_risk is None and not self.bleeding_risk_note:
            raise ValueError("bleeding_risk is null: say why in bleeding_risk_note")
        if self.bleeding_risk is not None and not any(
            "10.1016/j.jvir.2019.04.017" in r.url or ("2019" in r.title and "Bleeding" in r.title)
            for r in self.references
        ):
            raise ValueError("bleeding_risk is set: cite the SIR 2019 guideline in references")
        if self.parent == self.id:
            raise ValueError("parent names the record itself")
        if self.id in self.related:
            raise ValueError("related names the record itself")
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


def json_schema() -> dict:
    """JSON Schema of a procedure record, generated from the model."""
    schema = Procedure.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://irref.invalid/schema/procedure.json"
    return schema
