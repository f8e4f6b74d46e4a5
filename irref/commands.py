"""What each command computes, as plain data (no Typer, no Rich, no file reading)."""

from __future__ import annotations

from dataclasses import dataclass, field

from irref import lookup
from irref.catalog import Index
from irref.errors import NotFoundError, UsageError
from irref.normalize import normalize
from irref.vocab import BODY_REGIONS, CATEGORIES, SECTION_ALIASES, SECTIONS


@dataclass
class Shown:
    """One resolved procedure."""

    id: str
    match: lookup.Match
    record: dict
    raw: str
    variants: list[tuple[str, str]]
    parent: tuple[str, str] | None
    sections: list[str] | None


@dataclass
class Row:
    """One procedure in a table of results."""

    id: str
    name: str
    category: str
    modalities: list[str]
    bleeding_risk: str | None
    setting: list[str]
    summary: str
    purpose: str | None = None


@dataclass
class Listing:
    """The result of `list` or `for-condition`."""

    rows: list[Row]
    filters: dict[str, str] = field(default_factory=dict)
    condition: dict | None = None
    notices: list[str] = field(default_factory=list)


def section_keys(names: list[str]) -> list[str] | None:
    """Resolve `--section` values to record fields; None means every section."""
    if not names:
        return None
    out = []
    for name in names:
        key = normalize(name).replace(" ", "_")
        key = SECTION_ALIASES.get(normalize(name), SECTION_ALIASES.get(key, key))
        if key not in SECTIONS:
            raise UsageError(
                f"unknown section {name!r}",
                hints=[", ".join(SECTIONS)],
            )
        if key not in out:
            out.append(key)
    return out


def _names(index: Index) -> dict[str, str]:
    return {rid: r["name"] for rid, r in index.records.items()}


def find_procedure(index: Index, query: str) -> lookup.Match:
    return lookup.resolve(index.keys("procedures"), query, what="procedure", names=_names(index))


def show(index: Index, query: str, sections: list[str] | None = None) -> Shown:
    keys = section_keys(sections or [])
    match = find_procedure(index, query)
    rid = match.id
    parent = index.records[rid]["parent"]
    return Shown(
        id=rid,
        match=match,
        record=index.record(rid),
        raw=index.raw(rid),
        variants=[
            (c, index.records[c]["name"]) for c in sorted(index.children(rid), key=lambda c: index.records[c]["name"])
        ],
        parent=(parent, index.records[parent]["name"]) if parent else None,
        sections=keys,
    )


def _row(index: Index, rid: str, purpose: str | None = None) -> Row:
    r = index.records[rid]
    return Row(rid, r["name"], r["category"], r["modalities"], r["bleeding_risk"], r["setting"], r["summary"], purpose)


def find_condition(index: Index, query: str) -> lookup.Match:
    names = {cid: c["name"] for cid, c in index.conditions.items()}
    return lookup.resolve(index.keys("conditions"), query, what="condition", names=names)


def find_modality(index: Index, query: str) -> lookup.Match:
    names = {mid: m["name"] for mid, m in index.modalities.items()}
    return lookup.resolve(index.keys("modalities"), query, what="modality", names=names)


def for_condition(index: Index, query: str) -> Listing:
    match = find_condition(index, query)
    cid = match.id
    rows = [
        _row(index, rid, r["conditions"][cid])
        for rid, r in sorted(index.records.items(), key=lambda kv: kv[1]["name"].casefold())
        if cid in r["conditions"]
    ]
    cond = {"id": cid, **index.conditions[cid]}
    notices = [] if match.exact else [f"showing {cond['name']} for {match.query!r}"]
    if not rows:
        raise NotFoundError(f"no procedure in the catalog is listed for {cond['name']}")
    return Listing(rows, {"condition": cid}, cond, notices)


def list_procedures(
    index: Index,
    *,
    modality: str | None = None,
    category: str | None = None,
    region: str | None = None,
    condition: str | None = None,
    bleeding_risk: str | None = None,
) -> Listing:
    filters: dict[str, str] = {}
    notices: list[str] = []
    if modality is not None:
        m = find_modality(index, modality)
        filters["modality"] = m.id
        if not m.exact:
            notices.append(f"modality {m.id} for {m.query!r}")
    if category is not None:
        filters["category"] = lookup.resolve_choice(CATEGORIES, category, what="category")
    if region is not None:
        filters["region"] = lookup.resolve_choice(BODY_REGIONS, region, what="body region")
    if condition is not None:
        c = find_condition(index, condition)
        filters["condition"] = c.id
        if not c.exact:
            notices.append(f"condition {index.conditions[c.id]['name']} for {c.query!r}")
    if bleeding_risk is not None:
        risk = bleeding_risk.strip().lower()
        if risk not in ("low", "high", "none"):
            raise UsageError(f"bleeding risk must be low, high or none, not {bleeding_risk!r}")
        filters["bleeding_risk"] = risk

    def keep(r: dict) -> bool:
        if "modality" in filters and filters["modality"] not in r["modalities"]:
            return False
        if "category" in filters and r["category"] != filters["category"]:
            return False
        if "region" in filters and filters["region"] not in r["body_regions"]:
            return False
        if "condition" in filters and filters["condition"] not in r["conditions"]:
            return False
        if "bleeding_risk" in filters:
            want = None if filters["bleeding_risk"] == "none" else filters["bleeding_risk"]
            if r["bleeding_risk"] != want:
                return False
        return True

    rows = [
        _row(index, rid) for rid, r in sorted(index.records.items(), key=lambda kv: kv[1]["name"].casefold()) if keep(r)
    ]
    return Listing(rows, filters, None, notices)
