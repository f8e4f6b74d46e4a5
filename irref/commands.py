"""What each command computes, as plain data (no Typer, no Rich, no file reading)."""

from __future__ import annotations

import functools

from irref import lookup
from irref.catalog import Index
from irref.errors import NotFoundError, UsageError
from irref.fields import COMPARE_ROWS, for_audience
from irref.normalize import normalize
from irref.plain import Plain
from irref.vocab import BODY_REGIONS, CATEGORIES, SECTION_ALIASES, SECTIONS

__all__ = ["COMPARE_ROWS"]


class Shown(Plain):
    """One resolved procedure: id, match, record, raw (its JSON), variants [(id, name)], parent
    (id, name) or None, sections asked for, default_sections (`--for`), condition_names."""

    _fields = ("id", "match", "record", "raw", "variants", "parent", "sections", "default_sections", "condition_names")
    _defaults = {"default_sections": None, "condition_names": dict}  # noqa: RUF012


class Row(Plain):
    """One procedure in a table of results."""

    _fields = ("id", "name", "category", "modalities", "bleeding_risk", "setting", "summary", "purpose")
    _defaults = {"purpose": None}  # noqa: RUF012


class Listing(Plain):
    """The result of `list` or `for-condition`: ids in display order; table rows read on demand
    (`fetch(id) -> Row`)."""

    _fields = ("ids", "fetch", "filters", "condition", "notices")
    _defaults = {"filters": dict, "condition": None, "notices": list}  # noqa: RUF012

    @functools.cached_property
    def rows(self) -> list[Row]:
        return [self.fetch(rid) for rid in self.ids]


def section_keys(names: list[str]) -> list[str] | None:
    """Resolve `--section` values to record fields; None means every section."""
    if not names:
        return None
    out = []
    from irref.normalize import fold

    for name in names:
        key = None
        for form in (fold(name), normalize(name)):  # as typed (variants, kinds), then singular/American
            if form.replace(" ", "_") in SECTIONS:
                key = form.replace(" ", "_")
            elif form in SECTION_ALIASES:
                key = SECTION_ALIASES[form]
            elif form.replace(" ", "_") in SECTION_ALIASES:
                key = SECTION_ALIASES[form.replace(" ", "_")]
            if key:
                break
        if key not in SECTIONS:
            raise UsageError(
                f"unknown section {name!r}",
                hints=[", ".join(SECTIONS)],
            )
        if key not in out:
            out.append(key)
    return out


def find_procedure(index: Index, query: str, *, exact: bool = False) -> lookup.Match:
    return lookup.find_procedure(index, query, exact=exact)


def locate(index: Index, query: str, *, exact: bool = False) -> tuple[lookup.Match, str]:
    """The procedure a query names: how it matched, and its display name (no record is read)."""
    match = find_procedure(index, query, exact=exact)
    name = index.names[match.id]
    return match_kind(match, match.id, name), name


def match_kind(match: lookup.Match, rid: str, name: str) -> lookup.Match:
    """An exact hit on a name other than the id or display name is an alias."""
    if match.kind != "exact":
        return match
    own = {normalize(rid), normalize(rid.replace("-", " ")), normalize(name)}
    own |= {k.replace(" ", "") for k in own}
    if match.matched in own:
        return match
    return match.replace(kind="alias")


def show(
    index: Index, query: str, sections: list[str] | None = None, audience: str | None = None, *, exact: bool = False
) -> Shown:
    keys = section_keys(sections or [])
    if audience is not None and audience not in ("patient", "clinician"):
        raise UsageError(f"--for takes patient or clinician, not {audience!r}")
    match, _ = locate(index, query, exact=exact)
    rid = match.id
    record = index.record(rid)
    family = index.family(rid)
    return Shown(
        id=rid,
        match=match,
        record=record,
        raw=index.raw(rid),
        variants=[(c, name) for c, name in family["children"]],
        parent=tuple(family["parent"]) if family["parent"] else None,
        sections=keys,
        default_sections=for_audience(audience) if audience else None,
        condition_names={c["id"]: index.conditions.get(c["id"], {}).get("name", c["id"]) for c in record["conditions"]},
    )


def _row(index: Index, rid: str, purpose: str | None = None) -> Row:
    r = index.row(rid)
    return Row(rid, r["name"], r["category"], r["modalities"], r["bleeding_risk"], r["setting"], r["summary"], purpose)


def find_condition(index: Index, query: str, *, exact: bool = False) -> lookup.Match:
    return lookup.find_condition(index, query, exact=exact)


def find_modality(index: Index, query: str) -> lookup.Match:
    return lookup.find_modality(index, query)


def for_condition(index: Index, query: str, *, exact: bool = False) -> Listing:
    match = find_condition(index, query, exact=exact)
    cid = match.id
    purposes = index.purposes(cid)  # in display order
    cond = {"id": cid, **index.conditions[cid]}
    notices = [] if match.exact else [f"showing {cond['name']} for {match.query!r}"]
    if not purposes:
        raise NotFoundError(f"no procedure in the catalog is listed for {cond['name']}")
    return Listing(list(purposes), lambda rid: _row(index, rid, purposes[rid]), {"condition": cid}, cond, notices)


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
        filters["category"] = lookup.resolve_choice(CATEGORIES, category, what="category", lexicon="categories")
        if normalize(filters["category"]) != normalize(category):
            notices.append(f"category {filters['category']} for {category.strip()!r}")
    if region is not None:
        filters["region"] = lookup.resolve_choice(BODY_REGIONS, region, what="body region", lexicon="regions")
        if normalize(filters["region"]) != normalize(region):
            notices.append(f"region {filters['region']} for {region.strip()!r}")
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

    # each filter is a list of ids in display order: walk the shortest, test the others as sets
    picked: list[list[str]] = []
    if "modality" in filters:
        picked.append(index.facet("modality", filters["modality"]))
    if "category" in filters:
        picked.append(index.facet("category", filters["category"]))
    if "region" in filters:
        picked.append(index.facet("region", filters["region"]))
    if "condition" in filters:
        picked.append(list(index.purposes(filters["condition"])))
    if "bleeding_risk" in filters:
        picked.append(index.facet("bleeding_risk", filters["bleeding_risk"]))
    if not picked:
        ids = list(index.order)
    else:
        picked.sort(key=len)
        others = [set(p) for p in picked[1:]]
        ids = [rid for rid in picked[0] if all(rid in o for o in others)]
    return Listing(ids, lambda rid: _row(index, rid), filters, None, notices)


# ---------------------------------------------------------------- compare, vocabularies, tree


class Compared(Plain):
    """Records resolved for `compare`, in the order asked: matches, records, raws."""

    _fields = ("matches", "records", "raws")


def compare(index: Index, queries: list[str], *, exact: bool = False) -> Compared:
    if len(queries) < 2:
        raise UsageError("compare needs at least two procedures, e.g. 'irref compare vertebroplasty kyphoplasty'")
    matches = [find_procedure(index, q, exact=exact) for q in queries]
    seen: dict[str, str] = {}
    for m in matches:
        if m.id in seen:
            raise UsageError(f"{seen[m.id]!r} and {m.query!r} both name {index.names[m.id]}: give different procedures")
        seen[m.id] = m.query
    return Compared(matches, [index.record(m.id) for m in matches], [index.raw(m.id) for m in matches])


def compare_cell(index: Index, record: dict, field: str, max_items: int = 4, plain: bool = False) -> str:
    """One cell of the comparison table, as text (``plain``: every item, joined with '; ', for CSV)."""
    value = record.get(field)
    if plain:
        if field == "conditions":
            return "; ".join(index.conditions.get(c["id"], {}).get("name", c["id"]) for c in value)
        if field == "complications":
            return "; ".join(f"{c['name']} ({c['rate']})" for c in value or [])
        if field == "outcomes":
            return "; ".join(f"{o['measure']}: {o['value']}" for o in value or [])
        if field == "pediatric":
            return value["performed"]
        if isinstance(value, list):
            return "; ".join(str(v) for v in value)
        return "" if value is None else str(value)
    if field == "risks":
        more = len(value) - 3
        return "\n".join(f"• {r}" for r in value[:3]) + (f"\n(+{more} more)" if more > 0 else "")
    if field == "conditions":
        names = [index.conditions.get(c["id"], {}).get("name", c["id"]) for c in value]
        more = len(names) - max_items
        return "\n".join(f"• {n}" for n in names[:max_items]) + (f"\n(+{more} more)" if more > 0 else "")
    if field == "pediatric":
        return f"{value['performed']}"
    if field == "complications":
        items = value or []
        lines = [f"• {c['name']} ({c['rate']})" for c in items[:max_items]]
        return "\n".join(lines) + (f"\n(+{len(items) - max_items} more)" if len(items) > max_items else "")
    if field == "outcomes":
        items = value or []
        return "\n".join(f"• {o['measure']}: {o['value']}" for o in items[:max_items])
    if field == "bleeding_risk":
        return value or "not classed"
    if isinstance(value, list):
        return ", ".join(value)
    return str(value or "")


class VocabEntry(Plain):
    """One entry of the condition or modality vocabulary."""

    _fields = ("id", "name", "synonyms", "procedures", "procedure_ids")
    _defaults = {"procedure_ids": list}  # noqa: RUF012

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "synonyms": self.synonyms,
            "procedures": self.procedures,
            "procedure_ids": self.procedure_ids,
        }


def vocabulary(index: Index, kind: str, query: str | None = None) -> tuple[list[VocabEntry], list[str]]:
    """Entries of the 'conditions' or 'modalities' vocabulary, optionally those matching a query.

    A query keeps entries whose id, name or a synonym contains it (after normalising), plus the
    entry it resolves to by fuzzy matching; nothing matching raises NotFoundError with hints.
    Returns (entries, notices).
    """
    table = index.conditions if kind == "conditions" else index.modalities
    linked = (
        (lambda vid: list(index.purposes(vid))) if kind == "conditions" else (lambda vid: index.facet("modality", vid))
    )
    entries = []
    for vid, v in sorted(table.items(), key=lambda kv: kv[1]["name"].casefold()):
        ids = linked(vid)
        entries.append(VocabEntry(vid, v["name"], list(v.get("synonyms", [])), len(ids), ids))
    if query is None:
        return entries, []
    text = lookup.clean_query(query, "query")
    q = normalize(text)
    notices: list[str] = []
    keep = {e.id for e in entries if any(q in normalize(t) for t in [e.id.replace("-", " "), e.name, *e.synonyms])}
    try:
        match = (find_condition if kind == "conditions" else find_modality)(index, text)
        if match.id not in keep and not match.exact:
            notices.append(f"including {table[match.id]['name']} for {text!r}")
        keep.add(match.id)
    except NotFoundError as exc:
        if not keep:
            raise NotFoundError(f"no {kind[:-1]} matches {text!r}", hints=exc.hints) from None
    return [e for e in entries if e.id in keep], notices


class Node(Plain):
    """One procedure in the family tree: id, name, children."""

    _fields = ("id", "name", "children")

    def as_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "children": [c.as_dict() for c in self.children]}


def tree(index: Index, root: str | None = None) -> list[Node]:
    """The family hierarchy: every family root (a procedure without a parent, alone or with its
    variants beneath it); or one procedure's family: its ancestors down to it, then its variants."""

    def node(rid: str, depth: int = 0) -> Node:
        kids = index.family(rid)["children"] if depth < 16 else []
        return Node(rid, index.names[rid], [node(c, depth + 1) for c, _ in kids])

    if root is None:
        return [node(rid) for rid in index.roots()]
    rid = find_procedure(index, root).id
    chain = [rid]
    parent = index.family(rid)["parent"]
    while parent and parent[0] not in chain and len(chain) < 16:
        chain.insert(0, parent[0])
        parent = index.family(parent[0])["parent"]
    out = node(rid)
    for ancestor in reversed(chain[:-1]):  # each ancestor shows only the branch that leads to it
        out = Node(ancestor, index.names[ancestor], [out])
    return [out]
