"""Rich rendering for terminals and pipes. Receives data; never reads files.

Every string that comes from data is wrapped in ``rich.text.Text`` (so Rich
markup such as ``[red]`` is shown literally) after control characters and
escape sequences have been removed.
"""

from __future__ import annotations

import re
from typing import Any, TextIO

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from irref.commands import Listing, Shown
from irref.fields import BY_KEY, HEADINGS, Field
from irref.normalize import strip_controls

NOTICE = "Educational reference only, not medical advice."


class _Console(Console):
    def on_broken_pipe(self) -> None:
        """Hand a closed pipe to the CLI's error boundary (Rich would exit with status 1)."""
        self.quiet = True
        raise BrokenPipeError


def console(file: TextIO, **options: Any) -> Console:
    """A console for `file`: colour only on a terminal; NO_COLOR and TERM=dumb respected by Rich.
    ``options`` (width, force_terminal, no_color) come from the run's environment."""
    return _Console(file=file, highlight=False, soft_wrap=False, emoji=False, **options)


def _t(value: object, style: str = "") -> Text:
    return Text(strip_controls(str(value)), style=style)


#: Width the bullets are wrapped to (set per render from the console; tables are too slow for lists).
_WIDTH = [80]


def _bullets(items: list[str], numbered: bool = False) -> Text:
    """A list with hanging indents: wrapped lines align under the text, not the marker. Wrapped
    here (textwrap) rather than by a Rich table, which costs ten times more to render."""
    import textwrap

    out = Text()
    n = len(items)
    pad = len(f"{n}. ") if numbered else 2
    width = max(20, _WIDTH[0] - pad)
    for i, item in enumerate(items, 1):
        marker = f"{i}. ".rjust(pad) if numbered else "• "
        lines = textwrap.wrap(strip_controls(str(item)), width) or [""]
        out.append(marker, style="bold")
        out.append(lines[0])
        for line in lines[1:]:
            out.append("\n" + " " * pad + line)
        if i < n:
            out.append("\n")
    out.no_wrap = True
    return out


#: Shown in the card at the top of `show`, so not repeated as sections below it.
CARD_FIELDS = ("modalities", "anesthesia", "setting", "duration")


def _table(field: Field, rows: list) -> Table:
    """A table field (complications, labs, medications, outcomes): one row per item."""
    table = Table(box=box.SIMPLE, expand=True, show_edge=False, pad_edge=False)
    for key, label in field.columns:
        if key == "severity":  # a short class name: never wrapped
            table.add_column(label, no_wrap=True)
            continue
        wide = key in ("management", "use", "note")
        table.add_column(label, style="bold" if key == field.columns[0][0] else "", ratio=4 if wide else 2)
    for row in rows:
        if isinstance(row, dict):
            cells = []
            for key, _ in field.columns:
                value = row.get(key)
                cell = _t(value if value is not None else "")
                if key == "severity" and value in ("severe", "life-threatening", "death"):
                    cell.stylize("bold red")
                cells.append(cell)
            table.add_row(*cells)
    return table


def _section_body(key: str, rec: dict, shown: Shown):
    """The body of one section (Text or Table), or None when the record has nothing for it."""
    field = BY_KEY[key]
    value = rec.get(key)
    kind = field.kind
    if kind == "variants":
        return _bullets([f"{name} ({rid})" for rid, name in shown.variants]) if shown.variants else None
    if kind == "bleeding":
        label = value.upper() if value else "not classed"
        text = Text()
        text.append(label, style="bold red" if value == "high" else "bold green" if value == "low" else "bold")
        if rec.get("bleeding_risk_note"):
            text.append(" — " + strip_controls(rec["bleeding_risk_note"]))
        if value:
            text.append(f"\nBlood thinners: irref anticoag DRUG --procedure {shown.id}", style="dim")
        return text
    if value in (None, "", [], {}):
        return None
    if kind == "numbered":
        return _bullets(value, numbered=True)
    if kind == "conditions":
        names = shown.condition_names
        return _bullets([f"{names.get(c['id'], c['id'].replace('-', ' '))}: {c['purpose']}" for c in value])
    if kind == "contraindications":
        if isinstance(value, list):
            return _bullets(value)
        parts: list = []
        for label, items in (("Absolute", value.get("absolute") or []), ("Relative", value.get("relative") or [])):
            if items:
                parts += [_t(label, "bold"), _bullets(items)]
        if value.get("note"):
            parts.append(_t("Note: " + value["note"], "italic"))
        return Group(*parts)
    if kind == "table":
        return _table(field, value)
    if kind == "pediatric":
        return _t(f"Done in children: {value['performed']}. {value['notes']}")
    if kind == "references":
        out = Text()
        for i, ref in enumerate(value, 1):
            out.append(f"{i}. ", style="bold")
            out.append(strip_controls(f"{ref['publisher']}: {ref['title']}"))
            out.append("\n   ")
            out.append(strip_controls(ref["url"]), style="cyan")
            if i < len(value):
                out.append("\n")
        return out
    if kind == "inline" and isinstance(value, list):
        return _t(", ".join(value))
    if isinstance(value, list):
        return _bullets(value)
    return _t(value)


def _card(shown: Shown) -> Table:
    """The facts at a glance: a compact two-column grid."""
    rec = shown.record
    grid = Table.grid(padding=(0, 2), expand=True)
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(ratio=1)
    risk = rec.get("bleeding_risk")
    facts = [
        ("Category", _t(rec.get("category", ""))),
        ("Imaging", _t(", ".join(rec.get("modalities") or []))),
        ("Anesthesia", _t(", ".join(rec.get("anesthesia") or []))),
        ("Setting", _t(", ".join(rec.get("setting") or []))),
        ("Duration", _t(rec.get("duration") or "not stated")),
        ("Bleeding risk", _t(risk.upper() if risk else "not classed", "bold red" if risk == "high" else "")),
    ]
    for i in range(0, len(facts), 2):
        pair = facts[i : i + 2]
        cells = []
        for label, value in pair:
            cells += [_t(label, "bold"), value]
        grid.add_row(*cells)
    family = Table.grid(padding=(0, 2), expand=True)  # full width: ids are never cut
    family.add_column(style="bold", no_wrap=True)
    family.add_column(ratio=1, overflow="fold")
    if shown.parent:
        family.add_row(_t("Part of", "bold"), _t(f"{shown.parent[1]} ({shown.parent[0]})"))
    if shown.variants:
        family.add_row(_t("Variants", "bold"), _t(", ".join(rid for rid, _ in shown.variants)))
    return Group(grid, family) if family.row_count else grid


def render_show(con: Console, shown: Shown) -> None:
    _WIDTH[0] = con.width
    rec = shown.record
    title = Text(strip_controls(rec["name"]), style="bold")
    title.append(f"  {shown.id}", style="dim")
    sub = Text()
    aliases = rec.get("aliases") or []
    if aliases:
        more = f" (+{len(aliases) - 6} more in --json)" if len(aliases) > 6 else ""
        sub.append("also: " + strip_controls(", ".join(aliases[:6])) + more, style="dim")
    fields = shown.sections or shown.default_sections or [k for k in HEADINGS if k not in CARD_FIELDS]
    if shown.sections is None:
        con.print(Panel(Group(title, sub, _card(shown)), box=box.HEAVY, expand=True))
    else:
        con.print(title)
    for key in fields:
        body = _section_body(key, rec, shown)
        if body is None:
            if shown.sections is not None:
                con.print(Text(f"{HEADINGS[key]}: (none)", style="dim"))
            continue
        con.print(Rule(Text(HEADINGS[key], style="bold cyan"), align="left", style="cyan"))
        con.print(body)
    con.print(Text(f"{NOTICE} Reviewed {rec.get('reviewed', '?')}.", style="dim"))
    # the path on lines of its own, broken only after a "/" (never mid-name) when it is too long
    parts = re.split(r"(?<=/)", "Source: " + strip_controls(rec.get("source", "?")))
    line = ""
    for part in parts:
        if line and len(line) + len(part) > con.width:
            con.print(Text(line, style="dim"), soft_wrap=True)
            line = ""
        line += part
    con.print(Text(line, style="dim"), soft_wrap=True)


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
    # Column priorities: the name and the bleeding-risk class are never cut (the name wraps by
    # words, the class keeps its width); the id sits under the name, whole where it fits; below
    # 100 columns the category (and, for a condition, the imaging) make room.
    wide = con.width >= 100
    table = Table(title=_t(title), box=box.SIMPLE_HEAVY, show_lines=False, expand=True)
    table.add_column("Procedure (id)", ratio=4, min_width=20, overflow="fold")
    if purpose:
        table.add_column("What it does for it", ratio=4)
    if wide:
        table.add_column("Category", ratio=2)
    if wide or not purpose:
        table.add_column("Imaging", ratio=2)
    if not purpose:
        table.add_column("Bleeding", no_wrap=True, min_width=11)
    for row in listing.rows:
        name = _t(row.name, "bold")
        name.append("\n" + strip_controls(row.id), style="dim")
        cells = [name]
        if purpose:
            cells.append(_t(row.purpose or ""))
        if wide:
            cells.append(_t(row.category))
        if wide or not purpose:
            cells.append(_t(", ".join(row.modalities)))
        if not purpose:
            cells.append(_t(row.bleeding_risk or "not classed"))
        table.add_row(*cells)
    con.print(table)
    con.print(Text(f"{len(listing.rows)} procedure(s). {NOTICE}", style="dim"))


def render_compare(con: Console, compared, index) -> None:
    """Records side by side: one column per procedure, one row per field."""
    from irref.commands import COMPARE_ROWS, compare_cell

    label_width = max(len(label) for label, _ in COMPARE_ROWS)
    longest_word = max(len(w) for rec in compared.records for w in rec["name"].split())
    column = (con.width - label_width - 3 * (len(compared.records) + 1)) // max(1, len(compared.records))
    if column < max(18, longest_word):  # too narrow for a table: one block per field, names in full
        for label, field in COMPARE_ROWS:
            con.print(Rule(Text(label, style="bold cyan"), align="left", style="cyan"))
            for rec in compared.records:
                name = _t(rec["name"] + ": ", "bold")
                name.append_text(_t(compare_cell(index, rec, field).replace("\n", "; ").replace("• ", "")))
                con.print(name)
        con.print(Text(NOTICE, style="dim"))
        return
    table = Table(box=box.SIMPLE_HEAVY, show_lines=True, expand=True)
    table.add_column("", style="bold", no_wrap=True, min_width=label_width)
    for rec in compared.records:
        table.add_column(_t(rec["name"], "bold"), ratio=1)
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
