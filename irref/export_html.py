"""HTML handouts: procedure records as self-contained, printable web pages.

Pure functions, standard library only: they receive records and vocabularies and return
text; they never read files, print, or look at the clock (the caller passes ``generated``).

A handout has the sections of the Markdown handout (irref.export), in the same order and
with the same headings (irref/fields.py). The page needs nothing from the network: the CSS is
inline, there are no scripts, images or web fonts, and a Content-Security-Policy forbids
loading anything. The print stylesheet keeps headings with their content and table rows
whole, and repeats the not-medical-advice notice at the foot of every printed page.

Every string that comes from data is cleaned as for Markdown (escape sequences, control and
bidi characters removed, whitespace collapsed) and then HTML-escaped, so a record renders as
the text it holds and nothing else; only http(s) references (and the caller's links to other
handouts) become links. The same input always gives the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from html import escape

from irref.export import _BULLETED, _JOINED, HEADINGS, NOTICE, _capital, _clean, _display_name, _items, _paragraphs
from irref.fields import BY_KEY, CLINICIAN

#: The short notice repeated at the foot of every printed page.
RUNNING_NOTICE = "Educational reference only, not medical advice."

#: Sections whose body is one short line: printed with their heading run in, to save paper.
_RUN_IN = ("modalities", "planning_imaging", "body_regions", "anesthesia", "setting", "duration", "bleeding_risk")
#: Clinician tables (labs, medications, complications, outcomes): printed in a compact form.
_TABLES = {key: BY_KEY[key].columns for key in HEADINGS if BY_KEY[key].kind == "table"}

_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

CSS = """\
:root{color-scheme:light}
html{font-family:"Helvetica Neue",Helvetica,Arial,"Liberation Sans","Nimbus Sans",system-ui,sans-serif;
font-size:16px;line-height:1.45;color:#111;background:#fff;-webkit-text-size-adjust:100%}
body{max-width:46rem;margin:1.5rem auto;padding:0 1rem}
.frame,.frame>tbody,.frame>tbody>tr,.frame>tbody>tr>td{display:block;margin:0;padding:0;border:0}
.frame>tfoot,.running{display:none}
h2,h3{font-size:1.08em;margin:1em 0 .25em;padding-bottom:.1em;border-bottom:1px solid #888}
h1,.title{font-size:1.6em;line-height:1.2;margin:0 0 .3em;padding:0;border:0}
h1,h2,h3{overflow-wrap:anywhere}
p,ul,ol{margin:.3em 0}
ul,ol{padding-left:1.4em}
li{margin:.1em 0}
a{color:#0645ad}
.meta{color:#333}
.summary{font-size:1.05em}
.notice{border:1.5px solid #333;border-radius:3px;padding:.35em .6em;margin:.6em 0;font-size:.92em}
.run-in,.facts{margin:.35em 0}
.facts .run-in{display:inline-block;margin:0 1.6em .1em 0}
.run-in h2,.run-in h3{display:inline;font-size:1em;border:0;margin:0;padding:0}
.run-in h2::after,.run-in h3::after{content:": "}
.run-in p{display:inline;margin:0}
.nowrap{white-space:nowrap}
.data{border-collapse:collapse;width:100%;margin:.3em 0;font-size:.9em}
.data th,.data td{border:1px solid #aaa;padding:.2em .35em;text-align:left;vertical-align:top}
.data th{background:#eee}
.refs .url{overflow-wrap:anywhere;color:#444;font-size:.9em}
.refs a~.url{display:none}
.end{margin-top:1.2em;border-top:1px solid #888}
.end p{margin:.35em 0}
.toc{columns:2 16rem}
@page{margin:10mm 11mm 6mm}
@media print{
/* compact: 10pt text, clinician sections 9pt, clinician tables as labelled rows */
html{font-size:10pt;line-height:1.25}
body{max-width:none;margin:0;padding:0}
p,ul,ol{margin:.2em 0}
li{margin:0}
a{color:inherit;text-decoration:none}
h1,.title{font-size:16pt}
h2,h3{font-size:11pt;margin:.55em 0 .1em}
.clinician{font-size:9pt;line-height:1.22}
.clinician h2,.clinician h3{font-size:10.5pt}
.facts{font-size:9.5pt}
.run-in h2,.run-in h3{font-size:1em}
header .meta,.end{font-size:9pt}
.refs{font-size:8pt;line-height:1.18}
.refs a~.url{display:inline}
.cols{columns:2;column-gap:1.6em}
/* pages: headings stay with what follows; rows, items and notices are never split */
h1,h2,h3,.label{break-after:avoid;page-break-after:avoid}
li,tr,.notice,.run-in,.end{break-inside:avoid;page-break-inside:avoid}
p{orphans:2;widows:2}
article+article{break-before:page;page-break-before:always}
.data,.data tbody{display:block;font-size:8.5pt;line-height:1.2}
.data thead{display:none}
.data tr{display:block;margin:.15em 0;padding-left:1em;text-indent:-1em}
.data td{display:inline;border:0;padding:0}
.data td:first-child{font-weight:bold}
.data td:empty{display:none}
.data td+td::before{content:" \\B7  " attr(data-label) ": ";font-style:italic;font-weight:normal}
/* the frame's footer row keeps room on every page for the running notice */
.frame{display:table;width:100%;border-collapse:collapse}
.frame>tbody{display:table-row-group}
.frame>tfoot{display:table-footer-group}
.frame>tbody>tr,.frame>tfoot>tr{display:table-row}
.frame>tbody>tr>td,.frame>tfoot>tr>td{display:table-cell;padding:0}
.frame-space{height:7mm}
.running{display:block;position:fixed;left:0;right:0;bottom:0;height:4.5mm;padding-top:.8mm;
border-top:1px solid #888;font-size:7.5pt;line-height:1.2;color:#222;background:#fff}
}
"""


# ---------------------------------------------------------------- text


def _e(text: str) -> str:
    """Cleaned text as HTML text (quotes escaped too, so it is safe in an attribute)."""
    return escape(text, quote=True)


def _t(value: object) -> str:
    return _e(_clean(value))


def _url(value: object) -> str | None:
    """An http(s) address as an escaped attribute value, or None when it is not one."""
    url = _clean(value)
    if not re.match(r"(?i)https?://[^\s]+$", url):
        return None
    url = re.sub(r"[<>\"'`\s]", lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), url)
    return _e(url)


def _ps(value: object) -> list[str]:
    return [f"<p>{_e(p)}</p>" for p in _paragraphs(value)] if value is not None else []


def _two_columns(texts: Sequence[str]) -> bool:
    """Whether a list of short items takes clearly fewer printed lines in two columns.

    Only lists whose items are all short (a long sentence is harder to read in a narrow
    column); estimated at about 105 characters to a full line and 50 to a half line.
    """
    if len(texts) < 4 or max(len(t) for t in texts) > 70:
        return False
    full = sum(-(-max(len(t), 1) // 105) for t in texts)
    half = -(-sum(-(-max(len(t), 1) // 50) for t in texts) // 2)
    return half <= 0.75 * full


def _list(values: Sequence[object], *, numbered: bool = False) -> str:
    tag = "ol" if numbered else "ul"
    texts = [_clean(v) for v in values]
    attr = ' class="cols"' if not numbered and _two_columns(texts) else ""
    return f"<{tag}{attr}>" + "".join(f"<li>{_e(t)}</li>" for t in texts) + f"</{tag}>"


def _name_of(rid: object, names: Mapping[str, str]) -> str:
    rid = _clean(rid)
    return _clean(names.get(rid) or rid.replace("-", " "))


def _linked(rid: object, names: Mapping[str, str], links: Mapping[str, str] | None) -> str:
    text = _e(_name_of(rid, names))
    href = links.get(_clean(rid)) if links else None
    return f'<a href="{_e(href)}">{text}</a>' if href else text


# ---------------------------------------------------------------- sections


def _section(
    field: str,
    rec: Mapping,
    names: Mapping[str, str],
    conditions: Mapping[str, dict],
    modalities: Mapping[str, dict] | None,
    links: Mapping[str, str] | None,
) -> list[str]:
    """The HTML blocks of one section's body; [] when the record has nothing for it."""
    value = rec.get(field)
    if field in ("description", "duration"):
        return _ps(value)
    if field in _TABLES:
        columns = _TABLES[field]
        rows = [item for item in _items(value) if isinstance(item, Mapping)]
        if not rows:
            return []
        head = "".join(f'<th scope="col">{_e(label)}</th>' for _, label in columns)
        body = "".join(
            "<tr>"
            + "".join(f'<td data-label="{_e(label)}">{_t(item.get(key) or "")}</td>' for key, label in columns)
            + "</tr>"
            for item in rows
        )
        return [f'<table class="data"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>']
    if field == "contraindications":
        if not isinstance(value, Mapping):
            return []
        blocks = []
        for label, key in (("Absolute", "absolute"), ("Relative", "relative")):
            items = _items(value.get(key))
            if items:
                blocks += [f'<p class="label"><strong>{label}:</strong></p>', _list(items)]
        if value.get("note"):
            blocks.append(f"<p><strong>Note:</strong> {_t(value['note'])}</p>")
        return blocks
    if field == "steps":
        steps = _items(value)
        return [_list(steps, numbered=True)] if steps else []
    if field in _BULLETED:
        values = _items(value)
        return [_list(values)] if values else []
    if field in _JOINED:
        values = [_clean(v) for v in _items(value)]
        return [f"<p>{_e(_capital(', '.join(values)))}</p>"] if values else []
    if field in ("modalities", "planning_imaging"):
        shown = []
        for mid in _items(value):
            entry = (modalities or {}).get(_clean(mid)) or {}
            shown.append(_clean(entry.get("name") or mid) if isinstance(entry, Mapping) else _clean(mid))
        return [f"<p>{_e(', '.join(shown))}</p>"] if shown else []
    if field == "conditions":
        items = []
        for link in _items(value):
            if not isinstance(link, Mapping) or not link.get("id"):
                continue
            entry = conditions.get(_clean(link["id"])) or {}
            name = entry.get("name") if isinstance(entry, Mapping) else None
            name = _capital(_clean(name or _clean(link["id"]).replace("-", " ")))
            purpose = _clean(link.get("purpose") or "")
            items.append(f"<li><strong>{_e(name)}</strong>" + (f" — {_e(purpose)}" if purpose else "") + "</li>")
        return ["<ul>" + "".join(items) + "</ul>"] if items else []
    if field == "aftercare":
        blocks = [_list(_items(value))] if _items(value) else []
        recovery = _paragraphs(rec["recovery"]) if rec.get("recovery") is not None else []
        if recovery:
            blocks.append(f"<p><strong>Recovery:</strong> {_e(recovery[0])}</p>")
            blocks += [f"<p>{_e(p)}</p>" for p in recovery[1:]]
        return blocks
    if field == "bleeding_risk":
        note = _clean(rec.get("bleeding_risk_note") or "")
        if "bleeding_risk" not in rec and not note:
            return []
        risk = _clean(value or "")
        label = f"<strong>{_e(_capital(risk))}</strong> (SIR 2019 class)." if risk else "<strong>Not classed.</strong>"
        return [f"<p>{label}" + (f" {_e(note)}" if note else "") + "</p>"]
    if field == "pediatric":
        if not isinstance(value, Mapping):
            return []
        blocks = []
        if value.get("performed"):
            blocks.append(f"<p><strong>Done in children:</strong> {_t(value['performed'])}.</p>")
        if value.get("notes") is not None:
            blocks += _ps(value["notes"])
        return blocks
    if field == "related":
        ids = _items(value)
        attr = ' class="cols"' if _two_columns([_name_of(r, names) for r in ids]) else ""
        related = [_linked(r, names, links) for r in ids]
        return [f"<ul{attr}>" + "".join(f"<li>{r}</li>" for r in related) + "</ul>"] if related else []
    if field == "references":
        items = []
        for ref in _items(value):
            if not isinstance(ref, Mapping):
                continue
            title = _clean(ref.get("title") or "") or _clean(ref.get("url") or "") or "Untitled"
            url = _url(ref.get("url") or "")
            raw = _clean(ref.get("url") or "")
            if url:
                head = f'<a href="{url}" rel="noopener noreferrer">{_e(title)}</a>'
            else:
                head = _e(title)
            publisher = _clean(ref.get("publisher") or "")
            tail = f", {_e(publisher)}" if publisher else ""
            # The address is written out too (on paper only when linked): paper cannot be clicked.
            shown = f' <span class="url">{_e(raw)}</span>' if raw and raw != title else ""
            stop = "" if (publisher or title).endswith((".", "?", "!")) else "."
            items.append(f"<li>{head}{tail}{stop}{shown}</li>")
        return ['<ol class="refs">' + "".join(items) + "</ol>"] if items else []
    return []


def _record_article(
    rec: Mapping,
    names: Mapping[str, str],
    conditions: Mapping[str, dict],
    modalities: Mapping[str, dict] | None,
    links: Mapping[str, str] | None,
    *,
    anchor: str | None = None,
    notice: bool = True,
    level: int = 1,
) -> str:
    """One record as an <article>: title block, notice, summary, sections, review date."""
    h, sub = f"h{level}", f"h{level + 1}"
    ident = f' id="{_e(anchor)}"' if anchor else ""
    parts = [f"<article{ident}>", f'<header><{h} class="title">{_e(_display_name(rec))}</{h}>']
    aliases = [_clean(a) for a in _items(rec.get("aliases"))]
    if aliases:
        parts.append(f'<p class="meta"><strong>Also called:</strong> {_e(", ".join(aliases))}</p>')
    meta = []
    if rec.get("category"):
        meta.append(f"<strong>Category:</strong> {_t(rec['category'])}")
    if rec.get("parent"):
        meta.append(f"<strong>Part of:</strong> {_linked(rec['parent'], names, links)}")
    reviewed = _clean(rec.get("reviewed") or "")
    if reviewed:
        meta.append(f"<strong>Last reviewed:</strong> {_e(reviewed)}")
    if meta:
        parts.append('<p class="meta">' + " · ".join(meta) + "</p>")
    parts.append("</header>")
    if notice:
        parts.append(f'<p class="notice" role="note">{_e(NOTICE)}</p>')
    if rec.get("summary") is not None:
        parts += [f'<p class="summary">{_e(p)}</p>' for p in _paragraphs(rec["summary"])]
    facts: list[str] = []  # consecutive one-line sections, printed side by side
    for field, label in HEADINGS.items():
        body = _section(field, rec, names, conditions, modalities, links)
        if not body:
            continue
        run_in = field in _RUN_IN and len(body) == 1 and body[0].startswith("<p>")
        classes = ["run-in"] if run_in else []
        if BY_KEY[field].audience == CLINICIAN:
            classes.append("clinician")
        attr = f' class="{" ".join(classes)}"' if classes else ""
        block = f"<section{attr}><{sub}>{_e(label)}</{sub}>" + "".join(body) + "</section>"
        if run_in:
            facts.append(block)
            continue
        if facts:
            parts.append('<div class="facts">' + "".join(facts) + "</div>")
            facts = []
        parts.append(block)
    if facts:
        parts.append('<div class="facts">' + "".join(facts) + "</div>")
    parts.append("</article>")
    return "\n".join(parts)


def _page(title: str, body: list[str], running: str, generated: str | None, reviewed: str = "") -> str:
    end = [f"<p>{_e(NOTICE)}</p>"]
    if reviewed:
        end.append(f'<p class="meta">Last reviewed: {_e(reviewed)}</p>')
    if generated and _clean(generated):
        end.append(f'<p class="meta">{_t(generated)}</p>')
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
            '<meta name="referrer" content="no-referrer">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta name="generator" content="irref">',
            f"<title>{_e(title)}</title>",
            f"<style>\n{CSS}</style>",
            "</head>",
            "<body>",
            # The frame's footer row repeats on every printed page and keeps the space where the
            # running notice (position: fixed) is printed; on screen the frame is plain blocks.
            '<table class="frame" role="presentation">',
            '<tfoot><tr><td><div class="frame-space"></div></td></tr></tfoot>',
            "<tbody><tr><td>",
            "<main>",
            *body,
            '<footer class="end">',
            *end,
            "</footer>",
            "</main>",
            "</td></tr></tbody>",
            "</table>",
            f'<div class="running" aria-hidden="true">{running}</div>',
            "</body>",
            "</html>",
            "",
        ]
    )


def _running(*parts: str) -> str:
    return " · ".join([_e(RUNNING_NOTICE), *(f'<span class="nowrap">{_e(p)}</span>' for p in parts if p)])


# ---------------------------------------------------------------- public


def record_html(
    record: dict,
    *,
    names: Mapping[str, str],
    conditions: Mapping[str, dict],
    modalities: Mapping[str, dict] | None = None,
    generated: str | None = None,
    links: Mapping[str, str] | None = None,
) -> str:
    """One record as a standalone HTML handout.

    ``names``, ``conditions`` and ``modalities`` are as for :func:`irref.export.record_markdown`;
    ``links`` maps procedure ids to the address of their own handout (parent and related
    procedures are linked when present). ``generated`` is a line added at the very end.
    """
    name = _display_name(record)
    reviewed = _clean(record.get("reviewed") or "")
    running = _running(name, f"reviewed {reviewed}" if reviewed else "")
    article = _record_article(record, names, conditions, modalities, links)
    return _page(name, [article], running, generated, reviewed)


def catalog_html(
    records: Sequence[dict],
    *,
    names: Mapping[str, str],
    conditions: Mapping[str, dict],
    modalities: Mapping[str, dict] | None = None,
    title: str = "irref: interventional radiology procedures",
    generated: str | None = None,
) -> str:
    """Many records as one HTML document, in the order given.

    A title, the notice, a table of contents linking to each record, then each record (one
    heading level down; printed, each after the first starts a new page). Parent and related procedures link
    to their entries when included.
    """
    own = [
        f"p{n}-" + (re.sub(r"[^A-Za-z0-9_-]+", "-", _clean(rec.get("id") or "")).strip("-") or "procedure")
        for n, rec in enumerate(records, 1)
    ]
    links: dict[str, str] = {}
    for rec, anchor in zip(records, own, strict=True):
        links.setdefault(_clean(rec.get("id") or ""), "#" + anchor)
    links.pop("", None)
    toc = [
        f'<li><a href="#{anchor}">{_e(_display_name(rec))}</a></li>' for rec, anchor in zip(records, own, strict=True)
    ]
    plain_title = _clean(title) or "irref"
    body = [
        f"<header><h1>{_e(plain_title)}</h1></header>",
        f'<p class="notice" role="note">{_e(NOTICE)}</p>',
        "<nav><h2>Contents</h2>",
        '<ul class="toc">' + "".join(toc) + "</ul>" if toc else "<p>No procedures.</p>",
        "</nav>",
    ]
    for rec, anchor in zip(records, own, strict=True):
        body.append(_record_article(rec, names, conditions, modalities, links, anchor=anchor, notice=False, level=2))
    return _page(plain_title, body, _running("irref"), generated)


def index_html(
    records: Sequence[dict],
    *,
    hrefs: Mapping[str, str],
    title: str = "irref: interventional radiology procedures",
    generated: str | None = None,
) -> str:
    """An index page linking each record's handout (``hrefs``: id -> file name), in the order given."""
    items = []
    for rec in records:
        href = hrefs.get(_clean(rec.get("id") or ""))
        name = _e(_display_name(rec))
        link = f'<a href="{_e(href)}">{name}</a>' if href else name
        category = _clean(rec.get("category") or "")
        items.append(f"<li>{link}" + (f' <span class="meta">({_e(category)})</span>' if category else "") + "</li>")
    plain_title = _clean(title) or "irref"
    body = [
        f"<header><h1>{_e(plain_title)}</h1></header>",
        f'<p class="notice" role="note">{_e(NOTICE)}</p>',
        f"<nav><h2>Handouts ({len(items)})</h2>",
        '<ul class="toc">' + "".join(items) + "</ul>" if items else "<p>No procedures.</p>",
        "</nav>",
    ]
    return _page(plain_title, body, _running("irref"), generated)


def filename(record: dict) -> str:
    """The file name of a record's handout: ``<id>.html`` (never ``index.html``, never a path)."""
    rid = _clean(record.get("id") or "")
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", rid).strip(".-") or "procedure"
    if safe.lower() == "index":
        safe = "index-procedure"
    return f"{safe}.html"
