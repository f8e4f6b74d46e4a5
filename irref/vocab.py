"""Fixed vocabularies of the record (pure constants: imported on every path)."""

from __future__ import annotations

from irref.fields import HEADINGS
from irref.fields import SECTION_ALIASES as _SECTION_ALIASES

CATEGORIES: tuple[str, ...] = (
    "vascular",
    "interventional oncology",
    "embolization",
    "venous",
    "venous access",
    "dialysis access",
    "biopsy",
    "drainage",
    "gastrointestinal",
    "genitourinary",
    "spine and musculoskeletal",
    "pain",
    "neurointerventional",
    "pediatric and vascular anomalies",
    "women's health",
    "men's health",
    "chest",
)

BODY_REGIONS: tuple[str, ...] = (
    "head and neck",
    "brain",
    "spine",
    "chest",
    "lungs",
    "heart",
    "breast",
    "abdomen",
    "liver",
    "bile ducts",
    "gallbladder",
    "pancreas",
    "spleen",
    "adrenal glands",
    "kidneys",
    "ureters",
    "bladder",
    "prostate",
    "uterus",
    "ovaries",
    "scrotum",
    "stomach",
    "intestines",
    "pelvis",
    "arms",
    "legs",
    "bones",
    "joints",
    "skin and soft tissue",
    "arteries",
    "veins",
    "lymphatics",
    "thyroid",
    "whole body",
)

ANESTHESIA: tuple[str, ...] = ("none", "local", "moderate sedation", "general")
SETTINGS: tuple[str, ...] = ("outpatient", "overnight", "inpatient")
PEDIATRIC_USE: tuple[str, ...] = ("yes", "sometimes", "rarely", "no")
BLEEDING_RISK: tuple[str, ...] = ("low", "high")
#: SIR adverse-event severity classes (Khalilzadeh et al., JVIR 2017).
SEVERITIES: tuple[str, ...] = ("mild", "moderate", "severe", "life-threatening", "death")
#: Record fields a reference may say it supports (`supports:`).
SUPPORTABLE: tuple[str, ...] = (
    "summary",
    "description",
    "steps",
    "modalities",
    "conditions",
    "preparation",
    "aftercare",
    "recovery",
    "risks",
    "benefits",
    "contraindications",
    "complications",
    "labs",
    "medications",
    "pearls",
    "duration",
    "outcomes",
    "equipment",
    "alternatives",
    "pediatric",
    "bleeding_risk",
)

#: Record sections in display order with their headings, and the other names `show --section`
#: accepts: both derived from the one field table (irref/fields.py).
SECTIONS: dict[str, str] = HEADINGS
SECTION_ALIASES: dict[str, str] = _SECTION_ALIASES

#: Words people wrap around a name that carry no meaning for lookup.
FILLER_WORDS: frozenset[str] = frozenset(
    {"procedure", "procedures", "placement", "placements", "insertion", "the", "an"}
)

#: British -> American spelling fragments, applied to whole normalised text.
SPELLING: tuple[tuple[str, str], ...] = (
    ("isation", "ization"),
    ("haem", "hem"),
    ("aema", "ema"),
    ("oesophag", "esophag"),
    ("oedema", "edema"),
    ("tumour", "tumor"),
    ("ischaem", "ischem"),
    ("anaesth", "anesth"),
    ("paediatr", "pediatr"),
    ("foetal", "fetal"),
    ("faecal", "fecal"),
    ("gynaec", "gynec"),
    ("leukaem", "leukem"),
    ("oestr", "estr"),
    ("colour", "color"),
    ("centre", "center"),
    ("fibre", "fiber"),
    ("litre", "liter"),
)
