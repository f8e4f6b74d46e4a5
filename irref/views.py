"""Rich rendering for terminals and pipes. Receives data; never reads files.

Every string that comes from data is wrapped in ``rich.text.Text`` (so Rich
markup such as ``[red]`` is shown literally) after control characters and
escape sequences have been removed.
"""

from __future__ import annotations

from typing import TextIO

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from irref.commands import Listing, Shown
from irref.normalize import strip_controls
from irref.vocab import SECTIONS

NOTICE = "Educational reference only, not medical advice."


class _Console(Console):
    def on_broken_pipe(self) -> None:
        """Hand a closed pipe to the CLI's error boundary (Rich would exit with status 1)."""
        self.quiet = True
        raise BrokenPipeError


def console(file: TextIO) -> Console:
    """A console for `file`: colour only on a terminal; NO_COLOR and TERM=dumb respected by Rich."""
    return _Console(file=file, highlight=False, soft_wrap=False, emoji=False)


def _t(value: object, style: str = "") -> Text:
    return Text(strip_controls(str(value)), style=style)


def _bullets(items: list[str], numbered: bool = False) -> Text:
    out = Text()
    for i, item in enumerate(items, 1):
        out.append(f"{i}. " if numbered else "• ", style="bold")
        out.append(strip_controls(str(item)))
        if i < len(items):
            out.append("\n")
    return out


def _section_body(field: str, rec: dict, shown: Shown) -> Text | None:
    value = rec.get(field)
    if field == "variants":
        return _bullets([f"{name} ({rid})" for rid, name in shown.variants]) if shown.variants else None
    if field == "steps":
        return _bullets(value, numbered=True)
    if field == "conditions":
        return _bullets([f"{c['id'].replace('-', ' ')}: {c['purpose']}" for c in value])
    if field == "pediatric":
        return _t(f"Done in children: {value['performed']}. {value['notes']}")
    if field == "bleeding_risk":
        label = value.upper() if value else "not classed"
        text = Text()
        text.append(label, style="bold red" if value == "high" else "bold green" if value == "low" else "bold")
        if rec.get("bleeding_risk_note"):
            text.append(" — " + strip_controls(rec["bleeding_risk_note"]))
        return text
    if field == "references":
        out = Text()
        for i, ref in enumerate(value, 1):
            out.append(f"{i}. ", style="bold")
            out.append(strip_controls(f"{ref['publisher']}: {ref['title']}"))
            out.append("\n   ")
            out.append(strip_controls(ref["url"]), style="cyan")
            if i < len(value):
                out.append("\n")
        return out
    if field == "related":
        return _t(", ".join(value)) if value else None
    if isinstance(value, list):
        return (
            _t(", ".join(value))
            if field in ("modalities", "body_regions", "anesthesia", "setting")
            else _bullets(value)
        )
    if value in (None, "", []):
        return None
    return _t(value)


def render_show(con: Console, shown: Shown) -> None:
    rec = shown.record
    title = Text(strip_controls(rec["name"]), style="bold")
    sub = Text()
    if rec.get("aliases"):
        sub.append("also: " + strip_controls(", ".join(rec["aliases"])), style="dim")
    head = Text()
    head.append(strip_controls(f"{rec['category']}"), style="magenta")
    if shown.parent:
        head.append(strip_controls(f"  ·  part of {shown.parent[1]} ({shown.parent[0]})"), style="dim")
    head.append(f"  ·  id {shown.id}", style="dim")
    fields = shown.sections or list(SECTIONS)
    if shown.sections is None:
        con.print(Panel(Group(title, sub, head), box=box.HEAVY, expand=True))
    else:
        con.print(title)
    for field in fields:
        body = _section_body(field, rec, shown)
        if body is None:
            if shown.sections is not None:
                con.print(Panel(_t("(none)", "dim"), title=SECTIONS[field], title_align="left"))
            continue
        con.print(Panel(body, title=SECTIONS[field], title_align="left", box=box.ROUNDED))
    con.print(
        Text(
            f"{NOTICE} Reviewed {rec.get('reviewed', '?')}. Source: {strip_controls(rec.get('source', '?'))}",
            style="dim",
        )
    )


def render_listing(con: Console, listing: Listing, title: str) -> None:
    purpose = listing.condition is not None
    if con.width < 70:  # narrow terminal: one block per procedure instead of a table
        con.print(_t(title, "bold"))
        for row in listing.rows:
            con.print(_t(row.name, "bold"))
            detail = [row.purpose] if purpose else []
            detail += [row.category, ", ".join(row.modalities), f"bleeding risk: {row.bleeding_risk or 'not classed'}"]
            con.print(_t("  " + " · ".join(d for d in detail if d), "dim"))
        con.print(Text(f"{len(listing.rows)} procedure(s). {NOTICE}", style="dim"))
        return
    table = Table(title=_t(title), box=box.SIMPLE_HEAVY, show_lines=False, expand=True)
    table.add_column("Procedure", style="bold", overflow="fold", ratio=3, min_width=14)
    if purpose:
        table.add_column("What it does for it", ratio=4)
    table.add_column("Category", ratio=2)
    table.add_column("Imaging", ratio=2)
    if not purpose:
        table.add_column("Bleeding", ratio=1, min_width=9)
        table.add_column("Setting", ratio=2)
    for row in listing.rows:
        cells = [_t(row.name)]
        if purpose:
            cells.append(_t(row.purpose or ""))
        cells += [_t(row.category), _t(", ".join(row.modalities))]
        if not purpose:
            cells += [_t(row.bleeding_risk or "not classed"), _t(", ".join(row.setting))]
        table.add_row(*cells)
    con.print(table)
    con.print(Text(f"{len(listing.rows)} procedure(s). {NOTICE}", style="dim"))


def render_compare(con: Console, compared, index) -> None:
    """Records side by side: one column per procedure, one row per field."""
    from irref.commands import COMPARE_ROWS, compare_cell

    if con.width < 70:  # narrow terminal: one block per field
        for label, field in COMPARE_ROWS:
            con.print(_t(label, "bold"))
            for rec in compared.records:
                cell = compare_cell(index, rec, field).replace("\n", " ")
                con.print(_t(f"  {rec['name']}: {cell}"))
        con.print(Text(NOTICE, style="dim"))
        return
    table = Table(box=box.SIMPLE_HEAVY, show_lines=True, expand=True)
    table.add_column("", style="bold", ratio=2, min_width=10)
    for rec in compared.records:
        table.add_column(_t(rec["name"], "bold"), ratio=4, overflow="fold")
    for label, field in COMPARE_ROWS:
        table.add_row(_t(label), *(_t(compare_cell(index, rec, field)) for rec in compared.records))
    con.print(table)
    con.print(Text(NOTICE, style="dim"))


def render_vocabulary(con: Console, entries, title: str) -> None:
    table = Table(title=_t(title), box=box.SIMPLE_HEAVY, expand=True)
    table.add_column("Name", style="bold", ratio=3, overflow="fold")
    table.add_column("Also called", ratio=5, overflow="fold")
    table.add_column("Procedures", justify="right", min_width=10, no_wrap=True)
    for e in entries:
        table.add_row(_t(e.name), _t(", ".join(e.synonyms)), _t(e.procedures))
    con.print(table)
    con.print(Text(f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'}. {NOTICE}", style="dim"))


def render_tree(con: Console, nodes) -> None:
    from rich.tree import Tree

    root = Tree(Text("Procedure families", style="bold"), guide_style="dim")

    def add(parent, node) -> None:
        label = _t(node.name, "bold" if node.children else "")
        label.append(f"  {node.id}", style="dim")
        branch = parent.add(label)
        for child in node.children:
            add(branch, child)

    for node in nodes:
        add(root, node)
    con.print(root)
    con.print(Text(NOTICE, style="dim"))


def _highlighted(snippet) -> Text:
    text = Text(strip_controls(snippet.text))
    if text.plain == snippet.text:  # spans index the original text: highlight only when nothing was removed
        for start, end in snippet.spans:
            text.stylize("bold reverse", start, end)
    return text


def render_search(con: Console, hits, query: str) -> None:
    if con.width < 70:
        for i, hit in enumerate(hits, 1):
            con.print(_t(f"{i}. {hit.name}", "bold"), Text(f"  {hit.score:.0f}", style="dim"))
            for snip in hit.snippets[:1]:
                line = Text("   ")
                line.append_text(_highlighted(snip))
                con.print(line)
        con.print(Text(f"{len(hits)} result(s). {NOTICE}", style="dim"))
        return
    table = Table(title=_t(f"Search: {query}"), box=box.SIMPLE_HEAVY, expand=True)
    table.add_column("#", justify="right", min_width=2)
    table.add_column("Procedure", style="bold", ratio=3, overflow="fold")
    table.add_column("Score", justify="right", min_width=5)
    table.add_column("Where it matched", ratio=7)
    for i, hit in enumerate(hits, 1):
        where = Text()
        for j, snip in enumerate(hit.snippets[:2]):
            if j:
                where.append("\n")
            where.append(f"{snip.field}: ", style="dim")
            where.append_text(_highlighted(snip))
        table.add_row(str(i), _t(hit.name), f"{hit.score:.0f}", where)
    con.print(table)
    con.print(Text(f"{len(hits)} result(s). {NOTICE}", style="dim"))
