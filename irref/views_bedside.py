"""Output of the bedside tools: Rich rendering for people, plain JSON through irref.output.

Receives results from irref.calc and irref.anticoag; never computes. Rich is imported only when
rendering for people, so ``--json`` never imports it. Every output ends with the
not-medical-advice notice (``notice`` in JSON).
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

NOTICE = "Educational reference only, not medical advice."


def _console(file: TextIO):
    from irref.environment import current
    from irref.views import console

    return console(file, **current().console_options())


def _t(value: object, style: str = ""):
    from rich.text import Text

    from irref.normalize import strip_controls

    return Text(strip_controls(str(value)), style=style)


def _print_references(con, refs: list[dict]) -> None:
    """Citations wrap; URLs are printed whole (soft wrap) so they stay clickable and copyable."""
    from rich.text import Text

    for i, ref in enumerate(refs, 1):
        head = Text()
        head.append(f"{i}. ", style="bold")
        head.append_text(_t(ref["citation"]))
        if ref.get("read") and ref["read"] not in ("full", "table"):
            head.append_text(_t(f" [read: {ref['read']}]", "italic"))
        con.print(head)
        con.print(_t("   " + ref["url"], "cyan"), soft_wrap=True)
        if ref.get("supports"):
            con.print(_t("   used for: " + ref["supports"], "dim"))


def _bullets(items: list[str], style: str = "") -> Any:
    from rich.text import Text

    out = Text()
    for i, item in enumerate(items):
        out.append("• ", style="bold")
        out.append_text(_t(item, style))
        if i < len(items) - 1:
            out.append("\n")
    return out


# ---------------------------------------------------------------- calculators


def render_calc(con, result) -> None:
    from rich import box
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    from irref.calc import fmt

    d = result.as_dict()
    value = Text()
    value.append_text(_t(f"{_value_text(d)}", "bold"))
    parts: list[Any] = [value, _t(d["interpretation"])]
    for w in d["warnings"]:
        parts.append(_t("WARNING: " + w, "bold red"))
    con.print(Panel(Group(*parts), title=_t(d["name"], "bold"), title_align="left", box=box.HEAVY, expand=True))

    table = Table(box=box.SIMPLE_HEAVY, expand=True, title=_t("Inputs (as used)"), title_justify="left")
    table.add_column("input", no_wrap=True)
    table.add_column("given")
    table.add_column("used")
    table.add_column("note", ratio=1)
    for inp in d["inputs"].values():
        used = inp["used"]
        if isinstance(used, bool):
            used_text = "yes" if used else "no"
        elif isinstance(used, int | float):
            used_text = f"{fmt(used, 3)} {inp['unit']}".strip()
        else:
            used_text = f"{used} {inp['unit']}".strip()
        table.add_row(
            _t(inp["label"]),
            _t(inp["given"] if inp["given"] is not None else "-"),
            _t(used_text),
            _t(inp.get("note", "")),
        )
    con.print(table)
    con.print(_t("Formula", "bold"))
    con.print(_t(d["equation"], "dim"))
    con.print(_t(d["formula"]))
    if d["notes"]:
        con.print()
        con.print(_t("Notes", "bold"))
        con.print(_bullets(d["notes"]))
    con.print()
    con.print(_t("References", "bold"))
    _print_references(con, d["reference"])
    con.print()
    con.print(_t(NOTICE, "italic"))


def _value_text(d: dict) -> str:
    if d["calculator"] == "child-pugh":
        return f"Class {d['class']} ({d['value']} points)"
    if d["calculator"] == "albi":
        return f"ALBI {d['value']:.2f}, grade {d['grade']}"
    if d["calculator"] == "egfr":
        return f"{d['value']} {d['unit']} ({d['category']})"
    if d["calculator"] == "y90":
        return f"{d['value']:.2f} GBq ({d['activity_mci']} mCi)"
    if d["calculator"] == "lidocaine" and "max_ml" in d:
        return f"{d['value']} mg = {d['max_ml']} mL"
    return f"{d['value']} {d['unit']}".strip()


def emit_calc(result, as_json: bool, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    if as_json:
        from irref import output

        output.write_json(result.as_dict(), out)
    else:
        render_calc(_console(out), result)
    return 0


# ---------------------------------------------------------------- anticoagulation


def render_anticoag(con, ans) -> None:
    from rich import box
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table

    d = ans.as_dict()
    head = [
        _t(
            f"{d['risk'].upper()} bleeding-risk procedure (SIR 2019)",
            "bold red" if d["risk"] == "high" else "bold green",
        )
    ]
    if d["procedure"]:
        p = d["procedure"]
        cls = p["bleeding_risk"] or "not classed"
        head.append(_t(f"Procedure: {p['name']} ({p['id']}), SIR 2019 class in irref: {cls}"))
    con.print(Panel(Group(*head), title=_t(d["drug"], "bold"), title_align="left", box=box.HEAVY, expand=True))

    table = Table(box=box.SIMPLE_HEAVY, expand=True, show_header=False)
    table.add_column("what", no_wrap=True, style="bold")
    table.add_column("value", ratio=1)
    unverified = "NOT VERIFIED in the guideline's text: irref states no value (see notes)"
    table.add_row("Withhold before", _t(d["withhold"] or unverified, "" if d["withhold"] else "bold yellow"))
    table.add_row("Restart after", _t(d["restart"] or unverified, "" if d["restart"] else "bold yellow"))
    if d["renal"]:
        r = d["renal"]
        band = _band_text(r)
        table.add_row(
            f"CrCl {r['crcl']:g} mL/min",
            _t(f"{band}: withhold {r['withhold']}" + (f"; restart {r['restart']}" if r.get("restart") else "")),
        )
    labs = d["labs"]
    src = "from published summaries of the guideline" if labs["verified"] == "summary" else ""
    table.add_row(f"Labs ({d['risk']} risk)", _t(src, "italic"))
    table.add_row("  screening", _t(labs["screening"]))
    table.add_row("  INR", _t(labs["inr"]))
    table.add_row("  platelets", _t(labs["platelets"]))
    for extra in labs.get("other", []):
        table.add_row("", _t(extra))
    con.print(table)
    if d["notes"]:
        con.print(_t("Notes", "bold"))
        con.print(_bullets(d["notes"]))
        con.print()
    con.print(_t("References", "bold"))
    _print_references(con, d["reference"])
    con.print()
    con.print(_t(NOTICE, "italic"))


def _band_text(r: dict) -> str:
    lo, hi = r.get("crcl_min"), r.get("crcl_max")
    if lo is not None and hi is not None:
        return f"CrCl {lo:g} to < {hi:g} mL/min"
    if lo is not None:
        return f"CrCl >= {lo:g} mL/min"
    return f"CrCl < {hi:g} mL/min"


def emit_anticoag(ans, as_json: bool, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    if as_json:
        from irref import output

        output.write_json(ans.as_dict(), out)
    else:
        render_anticoag(_console(out), ans)
    return 0


def emit_drug_list(rows: list[dict], as_json: bool, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    if as_json:
        from irref import output

        output.write_json({"drugs": rows, "notice": NOTICE}, out)
        return 0
    from rich import box
    from rich.table import Table

    con = _console(out)
    table = Table(title=_t("Drugs in the SIR 2019 table"), box=box.SIMPLE_HEAVY, expand=True)
    table.add_column("drug", ratio=2)
    table.add_column("group", no_wrap=True)
    table.add_column("also called", ratio=3)
    for r in rows:
        table.add_row(_t(f"{r['name']}\n({r['id']})"), _t(r["group"]), _t(", ".join(r["synonyms"])))
    con.print(table)
    con.print(_t(NOTICE, "italic"))
    return 0
