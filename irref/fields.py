"""The one table of record fields: every view, export, search, compare and the docs read it.

Each field of a procedure record is declared here once, with:

* ``heading``: its title in ``irref show`` and in handouts (the same words in both);
* ``aliases``: other names ``show --section`` accepts;
* ``kind``: how it renders (``text``, ``numbered``, ``bullets``, ``inline``, ``table``, or a
  special kind handled by name: ``conditions``, ``contraindications``, ``bleeding``,
  ``pediatric``, ``references``, ``variants``);
* ``columns``: for ``table`` fields, the (key, heading) of each column;
* ``search``: the search groups it feeds and their weights (``field`` or ``field.sub``);
* ``compare``: the row label in ``irref compare`` (None: not compared);
* ``audience``: ``patient``, ``clinician`` or ``all`` (``show --for``).

Pure constants (no imports beyond the standard library): imported on every path.
"""

from __future__ import annotations

PATIENT, CLINICIAN, ALL = "patient", "clinician", "all"


class Field:
    """One record field (a plain class: this module is imported on every run, dataclasses is not)."""

    __slots__ = ("aliases", "audience", "columns", "compare", "heading", "key", "kind", "search")

    def __init__(
        self,
        key: str,
        heading: str,
        kind: str = "bullets",
        *,
        aliases: tuple[str, ...] = (),
        columns: tuple[tuple[str, str], ...] = (),
        search: tuple[tuple[str, float], ...] = (),
        compare: str | None = None,
        audience: str = ALL,
    ) -> None:
        self.key, self.heading, self.kind = key, heading, kind
        self.aliases, self.columns, self.search = aliases, columns, search
        self.compare, self.audience = compare, audience

    def __repr__(self) -> str:
        return f"Field({self.key!r})"


#: Sections of a record in display order (``summary`` opens the card; ``variants`` is derived).
FIELDS: tuple[Field, ...] = (
    Field("summary", "Summary", "text", search=(("summary", 5.0),), audience=PATIENT),
    Field("description", "What it is", "text", search=(("description", 2.0),), audience=CLINICIAN),
    Field(
        "steps",
        "How it is done",
        "numbered",
        aliases=("how", "procedure", "step", "technique"),
        search=(("steps", 1.0),),
    ),
    Field(
        "modalities",
        "Imaging guidance",
        "inline",
        aliases=("imaging", "guidance", "modality"),
        search=(("modalities", 3.0),),
        compare="Imaging guidance",
        audience=CLINICIAN,
    ),
    Field(
        "planning_imaging",
        "Planning and follow-up imaging",
        "inline",
        aliases=("planning", "follow up imaging", "diagnostic imaging"),
        search=(("planning_imaging", 0.5),),
        audience=CLINICIAN,
    ),
    Field(
        "conditions",
        "Used for",
        "conditions",
        aliases=("condition", "indications", "indication", "uses", "used for"),
        search=(("conditions.name", 4.0), ("conditions.purpose", 3.0)),
        compare="Conditions",
    ),
    Field(
        "body_regions",
        "Body regions",
        "inline",
        aliases=("regions", "region", "body region"),
        search=(("body_regions", 3.0),),
        compare="Body regions",
        audience=CLINICIAN,
    ),
    Field("preparation", "Preparation", "bullets", aliases=("prep", "before"), search=(("preparation", 1.0),)),
    Field(
        "anesthesia",
        "Anesthesia",
        "inline",
        aliases=("anaesthesia", "sedation"),
        search=(("anesthesia", 1.0),),
        compare="Anesthesia",
    ),
    Field("setting", "Setting", "inline", search=(("setting", 1.0),), compare="Setting"),
    Field(
        "duration", "Duration", "text", aliases=("time", "how long"), search=(("duration", 0.5),), compare="Duration"
    ),
    Field(
        "bleeding_risk",
        "Bleeding risk (SIR 2019)",
        "bleeding",
        aliases=("bleeding", "bleeding risk", "sir"),
        search=(("bleeding_risk", 1.0), ("bleeding_risk_note", 0.8)),
        compare="Bleeding risk (SIR 2019)",
        audience=CLINICIAN,
    ),
    Field(
        "labs",
        "Labs",
        "table",
        aliases=("lab", "laboratory", "bloods", "blood tests"),
        columns=(("test", "Test"), ("threshold", "Threshold"), ("note", "Note")),
        search=(("labs.test", 1.0), ("labs.note", 0.5)),
        audience=CLINICIAN,
    ),
    Field(
        "medications",
        "Medications",
        "table",
        aliases=("medication", "meds", "drugs", "drug", "antibiotics"),
        columns=(("drug", "Drug"), ("use", "Use")),
        search=(("medications.drug", 1.0), ("medications.use", 0.5)),
        audience=CLINICIAN,
    ),
    Field("aftercare", "Aftercare", "bullets", aliases=("after", "after care"), search=(("aftercare", 1.0),)),
    Field("recovery", "Recovery", "text", search=(("recovery", 1.0),), compare="Recovery", audience=PATIENT),
    Field("risks", "Risks", "bullets", aliases=("risk",), search=(("risks", 1.0),), compare="Main risks"),
    Field(
        "complications",
        "Complications",
        "table",
        aliases=("complication", "adverse events", "adverse event"),
        columns=(("name", "Complication"), ("rate", "Rate"), ("severity", "Severity"), ("management", "Management")),
        search=(("complications.name", 1.0), ("complications.management", 0.5)),
        compare="Complications (rate)",
        audience=CLINICIAN,
    ),
    Field("benefits", "Benefits", "bullets", aliases=("benefit",), search=(("benefits", 1.0),), audience=PATIENT),
    Field(
        "outcomes",
        "Outcomes",
        "table",
        aliases=("outcome", "results", "success", "evidence"),
        columns=(("measure", "Measure"), ("value", "Value"), ("note", "Note")),
        search=(("outcomes.measure", 0.5), ("outcomes.note", 0.5)),
        compare="Outcomes",
        audience=CLINICIAN,
    ),
    Field(
        "contraindications",
        "Contraindications",
        "contraindications",
        aliases=("contraindication", "when not"),
        search=(("contraindications.absolute", 1.0), ("contraindications.relative", 1.0)),
        audience=CLINICIAN,
    ),
    Field(
        "pearls",
        "Pearls",
        "bullets",
        aliases=("pearl", "tips and tricks", "teaching points"),
        search=(("pearls", 0.8),),
        audience=CLINICIAN,
    ),
    Field(
        "equipment",
        "Equipment",
        "bullets",
        aliases=("devices", "device", "kit"),
        search=(("equipment", 1.0),),
        audience=CLINICIAN,
    ),
    Field("alternatives", "Alternatives", "bullets", aliases=("alternative",), search=(("alternatives", 1.0),)),
    Field(
        "pediatric",
        "In children",
        "pediatric",
        aliases=("children", "paediatric", "kids", "pediatrics"),
        search=(("pediatric.notes", 1.0),),
        compare="Children",
    ),
    Field("related", "Related procedures", "inline", aliases=("see also",), audience=CLINICIAN),
    Field("variants", "Variants", "variants", aliases=("kinds", "types", "children entries", "family")),
    Field(
        "references",
        "References",
        "references",
        aliases=("refs", "reference", "sources", "source", "citations"),
        search=(("references.title", 0.5),),
    ),
)

BY_KEY: dict[str, Field] = {f.key: f for f in FIELDS}

#: Section key -> heading, in display order (``show --section`` accepts these keys).
HEADINGS: dict[str, str] = {f.key: f.heading for f in FIELDS}

#: Names ``show --section`` accepts besides the keys: each alias, and each heading.
SECTION_ALIASES: dict[str, str] = {
    **{f.heading.lower(): f.key for f in FIELDS},
    **{alias: f.key for f in FIELDS for alias in f.aliases},
}

#: Search group -> weight, strongest first after the names.
SEARCH_WEIGHTS: dict[str, float] = {
    "name": 10.0,
    "aliases": 8.0,
    **{group: weight for f in FIELDS for group, weight in f.search},
    "category": 3.0,
    "anesthesia": 1.0,
}

#: Rows of ``irref compare``: (label, field), in display order, category first.
COMPARE_ROWS: tuple[tuple[str, str], ...] = (
    ("Category", "category"),
    *((f.compare, f.key) for f in FIELDS if f.compare),
)

#: Top-level keys of a record as `--json` prints it (for `--fields`), in record order.
RECORD_KEYS: tuple[str, ...] = (
    "id",
    "name",
    "aliases",
    "category",
    "parent",
    *(f.key for f in FIELDS if f.key not in ("variants",)),
    "bleeding_risk_note",
    "lookup_terms",
    "reviewed",
    "source",
    "condition",  # for-condition only: the resolved condition
    "purpose",  # for-condition only: what the procedure does for it
)

#: Fields lookup reads but no handout or card shows.
LOOKUP_ONLY: tuple[str, ...] = ("lookup_terms",)


def for_audience(audience: str | None) -> list[str]:
    """Section keys for ``show --for patient|clinician`` (None: every section)."""
    if audience is None:
        return list(HEADINGS)
    return [f.key for f in FIELDS if f.audience in (audience, ALL)]
