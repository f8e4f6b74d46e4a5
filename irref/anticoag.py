"""Periprocedural anticoagulant and antiplatelet management (SIR 2019), from data/anticoag.yaml.

Pure core (no Typer, no Rich): load and validate the table (every problem with file, line and
field), resolve a drug name (generic, brand, abbreviation; a class such as "DOAC" answers with
a hint listing its members), and answer for a bleeding-risk class or for a procedure, whose
class is read from its catalog record. A value the table marks as not verified is never
stated: the answer says so and points to the guideline.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from irref.errors import DataError, NotFoundError, UsageError
from irref.normalize import fold, strip_controls

NOTICE = "Educational reference only, not medical advice."
RISKS = ("low", "high")
VERIFIED = ("primary", "summary", "no")
GROUPS = ("anticoagulant", "antiplatelet", "nsaid")
FILENAME = "anticoag.yaml"


def default_path() -> Path:
    from irref import catalog

    return Path(catalog.shipped_dir(), FILENAME)


# ---------------------------------------------------------------- the model (pydantic, loaded lazily)


def _models():
    from typing import Annotated, Literal

    from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

    Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]

    class Strict(BaseModel):
        model_config = ConfigDict(extra="forbid", frozen=True)

    class Source(Strict):
        id: Id
        citation: Text
        url: Annotated[str, StringConstraints(pattern=r"^https://\S+$")]
        read: Literal["full", "table", "abstract", "summary", "no"]
        note: str = ""

    class RenalBand(Strict):
        crcl_min: float | None = Field(default=None, ge=0)
        crcl_max: float | None = Field(default=None, gt=0)
        withhold: Text
        restart: Text | None = None

        @model_validator(mode="after")
        def _range(self):
            if self.crcl_min is None and self.crcl_max is None:
                raise ValueError("a renal band needs crcl_min, crcl_max or both")
            if self.crcl_min is not None and self.crcl_max is not None and self.crcl_min >= self.crcl_max:
                raise ValueError(f"crcl_min {self.crcl_min} must be below crcl_max {self.crcl_max}")
            return self

    class Management(Strict):
        withhold: Text | None
        restart: Text | None
        renal: list[RenalBand] = Field(default_factory=list)
        verified: Literal["primary", "summary", "no"]
        sources: Annotated[list[Id], Field(min_length=1)]
        note: str = ""

        @model_validator(mode="after")
        def _honest(self):
            if self.verified == "no":
                if self.withhold is not None or self.restart is not None or self.renal:
                    raise ValueError(
                        "verified is 'no': withhold, restart and renal must be null/empty (state no unverified value)"
                    )
                if not self.note.strip():
                    raise ValueError("verified is 'no': the note must say what could not be read")
            else:
                if self.withhold is None or self.restart is None:
                    raise ValueError(f"verified is {self.verified!r}: withhold and restart are required")
            bands = sorted(self.renal, key=lambda b: b.crcl_min or 0.0)
            for a, b in itertools.pairwise(bands):
                if a.crcl_max is None or (b.crcl_min or 0.0) < a.crcl_max:
                    raise ValueError("renal bands overlap")
            return self

    class Drug(Strict):
        id: Id
        name: Text
        group: Literal["anticoagulant", "antiplatelet", "nsaid"]
        synonyms: list[Text] = Field(default_factory=list)
        low: Management
        high: Management
        notes: list[Text] = Field(default_factory=list)

    class Klass(Strict):
        id: Id
        name: Text
        synonyms: list[Text] = Field(default_factory=list)
        members: Annotated[list[Id], Field(min_length=1)]

    class Labs(Strict):
        screening: Text
        inr: Text
        platelets: Text
        other: list[Text] = Field(default_factory=list)
        verified: Literal["primary", "summary", "no"]
        sources: Annotated[list[Id], Field(min_length=1)]

    class Table(Strict):
        guideline: Id
        sources: Annotated[list[Source], Field(min_length=1)]
        labs: dict[Literal["low", "high"], Labs]
        classes: list[Klass] = Field(default_factory=list)
        drugs: Annotated[list[Drug], Field(min_length=1)]

    return Table


# ---------------------------------------------------------------- loading and validation


@dataclass
class Table:
    """The validated table, as plain dicts, with a name index."""

    path: Path
    guideline: str
    sources: dict[str, dict]
    labs: dict[str, dict]
    classes: dict[str, dict]
    drugs: dict[str, dict]
    keys: dict[str, tuple[str, str]] = field(default_factory=dict)  # folded name -> ("drug"|"class", id)


def _key(text: str) -> str:
    return fold(strip_controls(text))


def validate(path: Path | str | None = None) -> tuple[Table | None, list]:
    """Parse and check the file; returns (table or None, problems with file, line and field)."""
    from irref import loader

    path = Path(path) if path is not None else default_path()
    try:
        data = loader.parse_file(path, kind="the anticoagulation table (a mapping)")
    except loader.FileRejected as exc:
        return None, [exc.problem]
    obj, problems = loader.validate_mapping(_models(), data, path)
    if obj is None:
        return None, problems
    raw = obj.model_dump()
    shown = loader.display_path(path)

    def problem(loc: tuple, message: str) -> None:
        field_name = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in loc).replace(".[", "[")
        problems.append(loader.Problem(shown, loader.line_of(path, loc), field_name, message))

    sources = {s["id"]: s for s in raw["sources"]}
    if len(sources) != len(raw["sources"]):
        problem(("sources",), "duplicate source id")
    if raw["guideline"] not in sources:
        problem(("guideline",), f"{raw['guideline']!r} is not a listed source id")
    drugs: dict[str, dict] = {}
    keys: dict[str, tuple[str, str]] = {}

    def claim(name: str, kind: str, ident: str, loc: tuple) -> None:
        k = _key(name)
        if not k:
            problem(loc, f"name {name!r} has no letters or digits")
        elif k in keys and keys[k] != (kind, ident):
            other = keys[k]
            problem(loc, f"name {name!r} is already used by {other[0]} {other[1]!r}")
        else:
            keys[k] = (kind, ident)

    for i, d in enumerate(raw["drugs"]):
        if d["id"] in drugs:
            problem(("drugs", i, "id"), f"duplicate drug id {d['id']!r}")
            continue
        drugs[d["id"]] = d
        claim(d["id"], "drug", d["id"], ("drugs", i, "id"))
        claim(d["name"], "drug", d["id"], ("drugs", i, "name"))
        for j, s in enumerate(d["synonyms"]):
            claim(s, "drug", d["id"], ("drugs", i, "synonyms", j))
        for risk in RISKS:
            for j, sid in enumerate(d[risk]["sources"]):
                if sid not in sources:
                    problem(("drugs", i, risk, "sources", j), f"{sid!r} is not a listed source id")
    classes: dict[str, dict] = {}
    for i, c in enumerate(raw["classes"]):
        if c["id"] in classes or c["id"] in drugs:
            problem(("classes", i, "id"), f"duplicate id {c['id']!r}")
            continue
        classes[c["id"]] = c
        claim(c["id"], "class", c["id"], ("classes", i, "id"))
        claim(c["name"], "class", c["id"], ("classes", i, "name"))
        for j, s in enumerate(c["synonyms"]):
            claim(s, "class", c["id"], ("classes", i, "synonyms", j))
        for j, m in enumerate(c["members"]):
            if m not in drugs:
                problem(("classes", i, "members", j), f"{m!r} is not a drug id in this file")
    for risk, lab in raw["labs"].items():
        for j, sid in enumerate(lab["sources"]):
            if sid not in sources:
                problem(("labs", risk, "sources", j), f"{sid!r} is not a listed source id")
    for risk in RISKS:
        if risk not in raw["labs"]:
            problem(("labs",), f"missing the {risk!r} bleeding-risk laboratory thresholds")
    if problems:
        return None, problems
    return Table(path, raw["guideline"], sources, raw["labs"], classes, drugs, keys), []


_CACHE: dict[tuple[str, int, int], Table] = {}


def load(path: Path | str | None = None) -> Table:
    """The validated table; a file with problems is a DataError naming the first (and how many)."""
    path = Path(path) if path is not None else default_path()
    try:
        st = path.stat()
        stamp = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    except OSError:
        raise DataError(f"anticoagulation table not found at {path}: reinstall irref") from None
    if stamp in _CACHE:
        return _CACHE[stamp]
    table, problems = validate(path)
    if table is None:
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        raise DataError(f"{problems[0]}{more}")
    _CACHE[stamp] = table
    return table


# ---------------------------------------------------------------- resolving names


def resolve(table: Table, query: str) -> dict:
    """The drug a name means; a class gives a hint listing its members; otherwise suggestions."""
    text = strip_controls(query or "").strip()
    if not text:
        raise UsageError("empty drug name: give one, e.g. 'irref anticoag apixaban --risk high'")
    if len(text) > 200:
        raise UsageError(f"drug name is {len(text)} characters long; the limit is 200")
    hit = table.keys.get(_key(text))
    if hit is None:
        import difflib

        names = {}
        for d in table.drugs.values():
            for n in (d["name"], d["id"], *d["synonyms"]):
                names.setdefault(_key(n), d["name"])
        for c in table.classes.values():
            for n in (c["name"], *c["synonyms"]):
                names.setdefault(_key(n), c["name"])
        close = difflib.get_close_matches(_key(text), list(names), n=5, cutoff=0.75)
        hints = list(dict.fromkeys(names[c] for c in close))
        raise NotFoundError(f"no drug called {text!r} in the SIR 2019 table; see 'irref anticoag --list'", hints=hints)
    kind, ident = hit
    if kind == "class":
        c = table.classes[ident]
        members = [table.drugs[m]["name"] for m in c["members"]]
        raise UsageError(
            f"{text!r} is a class ({c['name']}): name one drug - " + "; ".join(members),
            hints=list(c["members"]),
        )
    return table.drugs[ident]


def list_drugs(table: Table) -> list[dict]:
    return [
        {"id": d["id"], "name": d["name"], "group": d["group"], "synonyms": list(d["synonyms"])}
        for d in table.drugs.values()
    ]


# ---------------------------------------------------------------- answering


@dataclass
class Answer:
    drug: dict
    risk: str
    risk_from: str  # "--risk" or "procedure"
    management: dict
    labs: dict
    sources: list[dict]
    procedure: dict | None = None
    crcl: float | None = None
    renal: dict | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def verified(self) -> str:
        return self.management["verified"]

    def as_dict(self) -> dict[str, Any]:
        m = self.management
        return {
            "drug": self.drug["name"],
            "drug_id": self.drug["id"],
            "group": self.drug["group"],
            "risk": self.risk,
            "risk_from": self.risk_from,
            "procedure": self.procedure,
            "withhold": m["withhold"],
            "restart": m["restart"],
            "verified": m["verified"],
            "crcl": self.crcl,
            "renal": self.renal,
            "labs": self.labs,
            "notes": list(self.notes),
            "reference": self.sources,
            "notice": NOTICE,
        }


def _band_for(bands: list[dict], crcl: float) -> dict | None:
    for b in bands:
        lo = b["crcl_min"] if b["crcl_min"] is not None else float("-inf")
        hi = b["crcl_max"] if b["crcl_max"] is not None else float("inf")
        if lo <= crcl < hi:
            return b
    return None


def answer(
    table: Table,
    drug_query: str,
    risk: str | None = None,
    procedure: dict | None = None,
    crcl: float | None = None,
) -> Answer:
    """What to do with `drug_query` for a bleeding-risk class, given directly or by a procedure record.

    `procedure` is ``{"id", "name", "bleeding_risk", "bleeding_risk_note"}`` from the catalog.
    """
    drug = resolve(table, drug_query)
    notes: list[str] = []
    if risk is not None:
        risk = risk.strip().lower()
        if risk not in RISKS:
            raise UsageError(f"--risk {risk!r} is not one of: low, high", hints=list(RISKS))
    proc = None
    risk_from = "--risk"
    if procedure is not None:
        cls = procedure.get("bleeding_risk")
        proc = {
            "id": procedure["id"],
            "name": procedure["name"],
            "bleeding_risk": cls,
            "bleeding_risk_note": procedure.get("bleeding_risk_note"),
        }
        if cls is None:
            why = procedure.get("bleeding_risk_note") or "the guideline gives none"
            if risk is None:
                raise UsageError(
                    f"{procedure['name']} has no SIR 2019 bleeding-risk class in irref ({why.rstrip('.')}); "
                    "decide the class with the operator and give --risk low or --risk high"
                )
            notes.append(
                f"{procedure['name']} has no SIR 2019 bleeding-risk class in irref; using --risk {risk} as given."
            )
        elif risk is not None and risk != cls:
            raise UsageError(
                f"--risk {risk} contradicts {procedure['name']}, which SIR 2019 classes as {cls} bleeding risk; "
                "drop --risk or --procedure"
            )
        else:
            risk = cls
            risk_from = "procedure"
    if risk is None:
        raise UsageError("give the procedure's bleeding risk: --risk low|high, or --procedure NAME")
    m = table.drugs[drug["id"]][risk]
    renal = None
    if m["verified"] == "no":
        notes.append(m["note"].strip())
        notes.append(
            "Consult the guideline's table (Patel et al., J Vasc Interv Radiol 2019;30:1168-1184, "
            "doi:10.1016/j.jvir.2019.04.017) before withholding or restarting."
        )
    elif m["note"].strip():
        notes.append(m["note"].strip())
    if crcl is not None:
        if m["verified"] == "no":
            notes.append(f"CrCl {crcl:g} mL/min noted, but this row is not verified, so no renal adjustment is stated.")
        elif m["renal"]:
            band = _band_for(m["renal"], crcl)
            if band is None:
                notes.append(f"CrCl {crcl:g} mL/min is outside the table's renal bands for this drug.")
            else:
                renal = {"crcl": crcl, **band}
        else:
            notes.append(f"The table has no renal adjustment for {drug['name']}; CrCl {crcl:g} mL/min changes nothing.")
    notes.extend(n.strip() for n in drug.get("notes", []))
    cited = list(dict.fromkeys([*m["sources"], *table.labs[risk]["sources"], table.guideline]))
    sources = [{k: table.sources[s][k] for k in ("citation", "url", "read")} for s in cited]
    return Answer(drug, risk, risk_from, m, dict(table.labs[risk]), sources, proc, crcl, renal, notes)


def procedure_record(data_dirs, query: str) -> tuple[dict, Any]:
    """The catalog record a procedure query resolves to (and the match), for --procedure."""
    from irref import catalog, commands

    index = catalog.load(data_dirs)
    match = commands.find_procedure(index, query)
    rec = index.record(match.id)
    return (
        {
            "id": rec["id"],
            "name": rec["name"],
            "bleeding_risk": rec.get("bleeding_risk"),
            "bleeding_risk_note": rec.get("bleeding_risk_note"),
        },
        match,
    )


def parse_crcl(text: str | None) -> float | None:
    if text is None:
        return None
    from irref.calc import parse_quantity

    return parse_quantity("crcl", text).value
