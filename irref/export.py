"""Markdown handouts: render procedure records as clean CommonMark/GitHub-flavoured Markdown.

Pure functions, standard library only: they receive records and vocabularies and return
text; they never read files, print, or look at the clock (the caller passes ``generated``).

Every string that comes from data has escape sequences and control characters removed,
its whitespace collapsed, and the characters that would change Markdown formatting
(emphasis, links, HTML, tables, headings, lists...) backslash-escaped, so a record
renders as the text it holds and nothing else. The same input always gives the same bytes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence

from irref.fields import FIELDS, LOOKUP_ONLY
from irref.normalize import strip_controls

NOTICE = (
    "Educational reference only, not medical advice. irref describes typical practice for learning and "
    "orientation; it never replaces the judgement of the clinician caring for a patient. Ask your care team "
    "about your own situation and follow their instructions."
)

#: Sections of a handout, in the order and with the headings of the terminal view (irref/fields.py).
#: ``summary`` opens the record unheaded; ``aftercare`` also renders ``recovery``; ``bleeding_risk``
#: also renders ``bleeding_risk_note``; ``variants`` is not part of a record.
HEADINGS: dict[str, str] = {
    f.key: f.heading for f in FIELDS if f.key not in ("summary", "recovery", "variants", *LOOKUP_ONLY)
}

_BULLETED = ("preparation", "risks", "benefits", "equipment", "alternatives", "pearls")
_JOINED = ("body_regions", "anesthesia", "setting")
_TABLES = {f.key: f.columns for f in FIELDS if f.kind == "table"}

# ---------------------------------------------------------------- text

# Control characters other than tab and newline (every escape sequence starts with one).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Bidirectional marks, overrides and isolates: they can reorder what a reader sees.
_INVISIBLE = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<|~$])")
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_BLOCK_START = re.compile(r"^([#>+=-])")
_ORDERED_START = re.compile(r"^(\d{1,9})([.)])")


def _strip(value: object) -> str:
    """Data text without escape sequences, control or bidi characters (newlines and tabs kept)."""
    text = str(value)
    if _CONTROL.search(text):  # strip_controls walks every character: only call it when needed
        text = strip_controls(text)
    return _INVISIBLE.sub("", text)


def _clean(value: object) -> str:
    """Data text without escape sequences, control or bidi characters, on one line."""
    return " ".join(_strip(value).split())


def _paragraphs(value: object) -> list[str]:
    """Data text split at blank lines, each paragraph cleaned."""
    return [p for p in (_clean(part) for part in re.split(r"\n[ \t]*\n", _strip(value))) if p]


def _esc(text: str, *, start: bool = True) -> str:
    """Cleaned text made literal Markdown; ``start``: it begins a block (paragraph, list item, heading)."""
    out = _INLINE_SPECIAL.sub(r"\\\1", text)
    out = _ENTITY.sub(r"\\&", out)
    if start:
        out = _BLOCK_START.sub(r"\\\1", out)
        out = _ORDERED_START.sub(r"\1\\\2", out)
    return out


def _text(value: object, *, start: bool = True) -> str:
    return _esc(_clean(value), start=start)


def _url(value: object) -> str | None:
    """A link destination for an http(s) address, or None when it is not one."""
    url = _clean(value)
    if not re.match(r"(?i)https?://[^\s]+$", url):
        return None
    url = re.sub(r"[<>\s]", lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), url)
    url = re.sub(r"([\\()])", r"\\\1", url)
    return _ENTITY.sub(r"\\&", url)


def _items(value: object) -> list:
    """A list field as a list (None -> [], a lone value -> [value]), without empty entries."""
    if value is None:
        return []
    values = value if isinstance(value, list | tuple) else [value]
    return [v for v in values if v is not None and (not isinstance(v, str) or _clean(v))]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


class _Slugger:
    """GitHub's heading anchors (as github-slugger computes them), unique within one document."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}
        self.slugs: list[str] = []

    @staticmethod
    def base(text: str) -> str:
        kept = (ch for ch in text.lower() if ch in " -_" or unicodedata.category(ch)[0] in "LMN")
        return "".join(kept).replace(" ", "-")

    def slug(self, text: str) -> str:
        original = result = self.base(text)
        while result in self._seen:
            self._seen[original] += 1
            result = f"{original}-{self._seen[original]}"
        self._seen[result] = 0
        self.slugs.append(result)
        return result


def _heading(level: int, plain: str, slugger: _Slugger | None) -> str:
    """An ATX heading for cleaned text; registers its anchor so later duplicates are numbered."""
    if slugger is not None:
        slugger.slug(plain)
    body = _esc(plain)
    if body.endswith("#"):  # would be read as a closing sequence
        body = body[:-1] + "\\#"
    return f"{'#' * level} {body}"


def _bullets(values: Sequence[object], *, numbered: bool = False) -> str:
    return "\n".join(f"{i}. {_text(v)}" if numbered else f"- {_text(v)}" for i, v in enumerate(values, 1))


def _name_of(rid: object, names: Mapping[str, str]) -> str:
    rid = _clean(rid)
    return _clean(names.get(rid) or rid.replace("-", " "))


def _linked(rid: object, names: Mapping[str, str], anchors: Mapping[str, str] | None) -> str:
    text = _esc(_name_of(rid, names), start=False)
    anchor = anchors.get(_clean(rid)) if anchors else None
    return f"[{text}](#{anchor})" if anchor else text


# ---------------------------------------------------------------- sections


def _section(
    field: str,
    rec: Mapping,
    names: Mapping[str, str],
    conditions: Mapping[str, dict],
    modalities: Mapping[str, dict] | None,
    anchors: Mapping[str, str] | None,
) -> list[str]:
    """The blocks of one section's body; [] when the record has nothing for it."""
    value = rec.get(field)
    if field in ("description", "duration"):
        return [_esc(p) for p in _paragraphs(value)] if value is not None else []
    if field in _TABLES:  # a Markdown table, every cell escaped (so "|" in data stays text)
        columns = _TABLES[field]
        rows = [item for item in _items(value) if isinstance(item, Mapping)]
        if not rows:
            return []
        lines = ["| " + " | ".join(label for _, label in columns) + " |", "|" + "---|" * len(columns)]
        for item in rows:
            cells = [_esc(" ".join(_clean(item.get(key) or "").split()), start=False) for key, _ in columns]
            lines.append("| " + " | ".join(cells) + " |")
        return ["\n".join(lines)]
    if field == "contraindications":
        if not isinstance(value, Mapping):
            return []
        blocks = []
        for label, key in (("Absolute", "absolute"), ("Relative", "relative")):
            items = _items(value.get(key))
            if items:
                blocks += [f"**{label}:**", _bullets(items)]
        if value.get("note"):
            blocks.append("**Note:** " + _esc(_clean(value["note"]), start=False))
        return blocks
    if field == "steps":
        steps = _items(value)
        return [_bullets(steps, numbered=True)] if steps else []
    if field in _BULLETED:
        values = _items(value)
        return [_bullets(values)] if values else []
    if field in _JOINED:
        values = [_clean(v) for v in _items(value)]
        return [_esc(_capital(", ".join(values)))] if values else []
    if field in ("modalities", "planning_imaging"):
        shown = []
        for mid in _items(value):
            entry = (modalities or {}).get(_clean(mid)) or {}
            shown.append(_clean(entry.get("name") or mid) if isinstance(entry, Mapping) else _clean(mid))
        return [_esc(", ".join(shown))] if shown else []
    if field == "conditions":
        lines = []
        for link in _items(value):
            if not isinstance(link, Mapping) or not link.get("id"):
                continue
            entry = conditions.get(_clean(link["id"])) or {}
            name = entry.get("name") if isinstance(entry, Mapping) else None
            name = _capital(_clean(name or _clean(link["id"]).replace("-", " ")))
            purpose = _clean(link.get("purpose") or "")
            lines.append(f"- {_esc(name)}" + (f" — {_esc(purpose, start=False)}" if purpose else ""))
        return ["\n".join(lines)] if lines else []
    if field == "aftercare":
        blocks = [_bullets(_items(value))] if _items(value) else []
        recovery = _paragraphs(rec["recovery"]) if rec.get("recovery") is not None else []
        if recovery:
            blocks.append("**Recovery:** " + _esc(recovery[0], start=False))
            blocks += [_esc(p) for p in recovery[1:]]
        return blocks
    if field == "bleeding_risk":
        note = _clean(rec.get("bleeding_risk_note") or "")
        if "bleeding_risk" not in rec and not note:
            return []
        risk = _clean(value or "")
        label = f"**{_esc(_capital(risk), start=False)}** (SIR 2019 class)." if risk else "**Not classed.**"
        return [label + (f" {_esc(note, start=False)}" if note else "")]
    if field == "pediatric":
        if not isinstance(value, Mapping):
            return []
        blocks = []
        if value.get("performed"):
            blocks.append(f"**Done in children:** {_text(value['performed'], start=False)}.")
        if value.get("notes") is not None:
            blocks += [_esc(p) for p in _paragraphs(value["notes"])]
        return blocks
    if field == "related":
        related = [_linked(r, names, anchors) for r in _items(value)]
        return ["\n".join(f"- {r}" for r in related)] if related else []
    if field == "references":
        lines = []
        for ref in _items(value):
            if not isinstance(ref, Mapping):
                continue
            title = _clean(ref.get("title") or "") or _clean(ref.get("url") or "") or "Untitled"
            url = _url(ref.get("url") or "")
            head = f"[{_esc(title, start=False)}]({url})" if url else _esc(title, start=False)
            if not url and ref.get("url"):
                head += f" ({_text(ref['url'], start=False)})"
            publisher = _clean(ref.get("publisher") or "")
            lines.append(head + (f", {_esc(publisher, start=False)}" if publisher else ""))
        return ["\n".join(f"{i}. {line}" for i, line in enumerate(lines, 1))] if lines else []
    return []


def _display_name(rec: Mapping) -> str:
    return _clean(rec.get("name") or "") or _clean(rec.get("id") or "") or "Untitled procedure"


def _record_blocks(
    rec: Mapping,
    level: int,
    names: Mapping[str, str],
    conditions: Mapping[str, dict],
    modalities: Mapping[str, dict] | None,
    slugger: _Slugger | None = None,
    anchors: Mapping[str, str] | None = None,
) -> list[str]:
    """Heading, header lines, summary and sections of one record (no notice)."""
    blocks = [_heading(level, _display_name(rec), slugger)]
    aliases = [_clean(a) for a in _items(rec.get("aliases"))]
    if aliases:
        blocks.append("**Also called:** " + _esc(", ".join(aliases), start=False))
    meta = []
    if rec.get("category"):
        meta.append("**Category:** " + _text(rec["category"], start=False))
    if rec.get("parent"):
        meta.append("**Part of:** " + _linked(rec["parent"], names, anchors))
    if meta:
        blocks.append(" · ".join(meta))
    if rec.get("summary") is not None:
        blocks += [_esc(p) for p in _paragraphs(rec["summary"])]
    for field, label in HEADINGS.items():
        body = _section(field, rec, names, conditions, modalities, anchors)
        if body:
            blocks.append(_heading(level + 1, label, slugger))
            blocks += body
    return blocks


def _reviewed(rec: Mapping) -> list[str]:
    reviewed = _clean(rec.get("reviewed") or "")
    return [f"Last reviewed: {_esc(reviewed, start=False)}"] if reviewed else []


def _document(blocks: list[str]) -> str:
    lines = "\n\n".join(b for b in blocks if b).split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n") + "\n"


# ---------------------------------------------------------------- public


def record_markdown(
    record: dict,
    *,
    names: Mapping[str, str],
    conditions: Mapping[str, dict],
    modalities: Mapping[str, dict] | None = None,
    generated: str | None = None,
) -> str:
    """One record as a standalone Markdown handout, ending with the notice and review date.

    ``names`` maps procedure ids to display names (for parent and related procedures),
    ``conditions`` and ``modalities`` are the vocabularies (id -> {"name", ...}); without
    ``modalities`` the modality ids are shown. ``generated`` is a line added at the very end.
    """
    blocks = _record_blocks(record, 1, names, conditions, modalities)
    blocks += ["---", NOTICE, *_reviewed(record)]
    if generated and _clean(generated):
        blocks.append(_text(generated))
    return _document(blocks)


def catalog_markdown(
    records: Sequence[dict],
    *,
    names: Mapping[str, str],
    conditions: Mapping[str, dict],
    modalities: Mapping[str, dict] | None = None,
    title: str = "irref: interventional radiology procedures",
    generated: str | None = None,
) -> str:
    """Many records as one Markdown document, in the order given.

    A title, the notice, a table of contents linking to each record's heading (GitHub
    anchors), then each record one heading level down with its review date, and the notice
    again at the end. Parent and related procedures link to their entries when included.
    """
    slugger = _Slugger()
    plain_title = _clean(title) or "irref"
    head = [_heading(1, plain_title, slugger), NOTICE, _heading(2, "Contents", slugger)]
    # First pass: register every heading in document order, so each record's anchor is the
    # slug GitHub gives its heading (numbered when an earlier heading has the same text).
    anchors: dict[str, str] = {}
    toc: list[str] = []
    for rec in records:
        first = len(slugger.slugs)
        _record_blocks(rec, 2, names, conditions, modalities, slugger)
        anchor = slugger.slugs[first]
        rid = _clean(rec.get("id") or "")
        if rid:
            anchors.setdefault(rid, anchor)
        toc.append(f"- [{_esc(_display_name(rec), start=False)}](#{anchor})")
    # Second pass: the records, with parent and related procedures linked to their entries.
    body: list[str] = []
    for rec in records:
        body.append("---")
        body += _record_blocks(rec, 2, names, conditions, modalities, anchors=anchors)
        body += _reviewed(rec)
    blocks = [*head, "\n".join(toc) if toc else "No procedures.", *body, "---", NOTICE]
    if generated and _clean(generated):
        blocks.append(_text(generated))
    return _document(blocks)


def filename(record: dict) -> str:
    """The file name of a record's handout: ``<id>.md``."""
    rid = _clean(record.get("id") or "")
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", rid).strip(".-") or "procedure"
    return f"{safe}.md"
