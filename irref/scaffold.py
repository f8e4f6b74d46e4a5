"""Scaffold a new procedure record: the commented YAML template behind ``irref new``.

The template is built from ruamel.yaml round-trip objects and dumped, so its comments
are part of the document: loading and dumping it again with ``YAML(typ="rt")`` keeps
them. Every comment sits either in the header or at the end of its key's line, the two
places ruamel keeps even when a tool replaces a whole value (a comment on a line of its
own between two keys would belong to the previous value and vanish with it).

Every field is present. Each one the author must decide holds a ``TODO`` placeholder,
so the file fails ``irref validate`` until the entry is complete.
"""

from __future__ import annotations

import datetime
import functools
import io
import re
import unicodedata
from pathlib import Path
from typing import Any

from irref.errors import UsageError
from irref.vocab import ANESTHESIA, BODY_REGIONS, CATEGORIES, PEDIATRIC_USE, SETTINGS, SEVERITIES

#: The model's Id constraint (irref.model.Id), repeated here to keep pydantic off this path.
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_ID_LENGTH = 80
TODO = "TODO"
SIR_2019_URL = "https://doi.org/10.1016/j.jvir.2019.04.017"

# Letters that Unicode decomposition does not reduce to ASCII (applied after casefold).
_FOLD = str.maketrans({"æ": "ae", "œ": "oe", "ø": "o", "ð": "d", "đ": "d", "þ": "th", "ł": "l", "ı": "i"})
_APOSTROPHES = re.compile(r"['’‘`´]")
_SEPARATORS = re.compile(r"[^a-z0-9]+")


# ---------------------------------------------------------------- names and ids


def slug(name: str) -> str:
    """The record id for a display name: kebab-case ASCII, accents folded, at most 80 characters.

    "Percutaneous Nephrostomy (PCN)" -> "percutaneous-nephrostomy-pcn". Raises UsageError
    when no letter or digit remains.
    """
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c)).translate(_FOLD)
    text = _APOSTROPHES.sub("", text).replace("&", " and ")
    text = _SEPARATORS.sub("-", text).strip("-")
    if len(text) > MAX_ID_LENGTH:  # cut at the last whole word that fits
        head = text[: MAX_ID_LENGTH + 1]
        text = head.rsplit("-", 1)[0] if "-" in head else head[:MAX_ID_LENGTH]
    if not ID_PATTERN.fullmatch(text):
        raise UsageError(
            f"cannot make an id from the name {_shown(name)}: it needs letters or digits (a-z, 0-9)",
            hints=['Example: irref new "Genicular artery embolization"'],
        )
    return text


def _shown(name: str, limit: int = 60) -> str:
    return repr(name if len(name) <= limit else name[:limit] + "…")


def _display_name(name: str) -> str:
    """The name as written into the record: whitespace collapsed, checked for usability."""
    display = " ".join(name.split())
    if not display:
        raise UsageError(
            'the procedure name is empty: give it in quotes, e.g. irref new "Genicular artery embolization"'
        )
    if not display.isprintable():
        raise UsageError(f"the name {_shown(name)} contains control characters: type it as plain text")
    if TODO in display:
        raise UsageError(f"the name {_shown(name)} contains 'TODO', which validation rejects: choose the real name")
    return display


# ---------------------------------------------------------------- the template


def _wrapped(label: str, values: tuple[str, ...], width: int = 96) -> list[str]:
    """``label: a, b, c`` over several lines, breaking only between values."""
    lines = [f"  {label}:"]
    for i, value in enumerate(values):
        item = value + ("," if i < len(values) - 1 else "")
        if len(lines[-1]) + 1 + len(item) > width:
            lines.append("     ")
        lines[-1] += " " + item
    return lines


def _modality_ids() -> list[str]:
    """Modality ids of the shipped vocabulary (empty if it cannot be read: the comment then only names the file)."""
    from irref import catalog, loader

    try:
        data = loader.parse_file(Path(catalog.shipped_dir(), "modalities.yaml"), kind="a list of entries")
    except (loader.FileRejected, OSError):
        return []
    if not isinstance(data, list):
        return []
    return [str(e["id"]) for e in data if isinstance(e, dict) and isinstance(e.get("id"), str)]


def _header(rid: str) -> str:
    lines = [
        "New irref procedure record, written by `irref new` from a commented template.",
        "",
        "This file FAILS `irref validate` until every TODO below is replaced with real content.",
        f"Check it with:  irref validate data/procedures/{rid}.yaml  (or wherever this file lives)",
        "Each remaining problem is printed as file:line: field: message; exit status 0 means complete.",
        "",
        "Write in your own words, prefer qualitative statements to numbers, describe typical practice",
        "(never advice), and cite only public pages you have actually read. Guide: CONTRIBUTING.md.",
        "",
        "Fixed vocabularies (irref/vocab.py):",
        *_wrapped("category, exactly one", CATEGORIES),
        *_wrapped("body_regions, one or more", BODY_REGIONS),
        "",
        "bleeding_risk is the procedure class (low or high) of the SIR 2019 consensus guideline on",
        "periprocedural bleeding risk (Patel et al., J Vasc Interv Radiol 2019;30:1168-1184). Set it",
        "only where the guideline names the procedure or its group, and then cite the guideline in",
        f"references ({SIR_2019_URL}). Otherwise leave it null",
        "and say why in bleeding_risk_note. Never guess a class.",
    ]
    # ruamel writes an empty line as a blank line (which a later dump may drop): keep a bare "#".
    return "\n".join(line or "#" for line in lines)


def _comment_column(key: str, value: Any, indent: int, yaml: Any) -> int:
    """Column of a key's end-of-line comment: two spaces after the value as ruamel renders it."""
    if isinstance(value, list) and not value:  # written in flow style: "key: []"
        return indent + len(key) + 6
    if isinstance(value, dict | list):
        return indent + len(key) + 3
    if value is None:
        rendered = "null"
    elif isinstance(value, datetime.date):
        rendered = value.isoformat()
    else:
        out = io.StringIO()
        yaml.dump({key: value}, out)  # the scalar as it will be written (quoted or not)
        rendered = out.getvalue().splitlines()[0][len(key) + 2 :]
    return indent + len(key) + 2 + len(rendered) + 2


def _fill(target: Any, fields: list[tuple[str, Any, str]], indent: int = 0) -> None:
    yaml = _yaml()
    for key, value, comment in fields:
        target[key] = value
        if comment:
            target.yaml_add_eol_comment(comment, key, column=_comment_column(key, value, indent, yaml))


def _document(rid: str, display: str, today: datetime.date) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    def seq(*items: Any) -> CommentedSeq:
        return CommentedSeq(items)

    modalities = _modality_ids()
    modality_comment = "imaging guidance, one or more ids from data/modalities.yaml" + (
        ": " + ", ".join(modalities) if modalities else ""
    )

    condition = CommentedMap()
    _fill(
        condition,
        [
            ("id", TODO, "a condition id from data/conditions.yaml"),
            ("purpose", "TODO: what the procedure does for this condition", ""),
        ],
        indent=4,
    )
    reference = CommentedMap()
    _fill(
        reference,
        [
            ("publisher", "TODO: who publishes it (society, journal, site)", ""),
            ("title", "TODO: title of the page or article", ""),
            ("url", "TODO: https://... address of the page you read", "http or https; never a guessed URL"),
            ("supports", seq(TODO), "fields whose facts it backs, e.g. [complications, outcomes, labs]"),
        ],
        indent=4,
    )

    def group(*pairs: tuple[str, str, str]) -> CommentedMap:
        item = CommentedMap()
        _fill(item, list(pairs), indent=4)
        return item

    complication = group(
        ("name", "TODO: the adverse event", ""),
        ("rate", "TODO: 1-3% | about 1 in 200 | rare", "a figure only from a cited reference"),
        ("severity", TODO, "SIR class: " + ", ".join(SEVERITIES)),
        ("management", "TODO: how it is recognised and treated", ""),
    )
    lab = group(
        ("test", "TODO: INR | platelets | eGFR | bilirubin", ""),
        ("threshold", "TODO: the usual threshold", "SIR 2019 by bleeding-risk class for INR and platelets"),
        ("note", "TODO: where it comes from, or null", ""),
    )
    medication = group(
        ("drug", "TODO: drug or class", ""),
        ("use", "TODO: when and why it is given or withheld", "anticoagulants: see 'irref anticoag'"),
    )
    outcome = group(
        ("measure", "TODO: technical success | clinical success | patency | recurrence", ""),
        ("value", "TODO: the figure", "from a cited reference"),
        ("note", "TODO: population, follow-up, or null", ""),
    )
    contra = CommentedMap()
    _fill(
        contra,
        [
            ("absolute", seq("TODO: when it is not done"), "write [] if none"),
            ("relative", seq("TODO: when it needs care or another choice"), "write [] if none"),
            ("note", None, "where sources disagree, say so here; else null"),
        ],
        indent=2,
    )
    pediatric = CommentedMap()
    _fill(
        pediatric,
        [
            ("performed", TODO, "one of: " + ", ".join(PEDIATRIC_USE)),
            ("notes", "TODO: how practice differs in children", ""),
        ],
        indent=2,
    )

    doc = CommentedMap()
    _fill(
        doc,
        [
            ("id", rid, "kebab-case; must equal the file name without .yaml"),
            ("name", display, "canonical display name"),
            (
                "aliases",
                seq("TODO: an abbreviation, older name, lay name or common spelling"),
                "what people search for; write [] if there is none",
            ),
            ("category", TODO, "exactly one category from the list at the top of this file"),
            ("parent", TODO, "id of the broader family entry (e.g. microwave-ablation -> ablation), or null"),
            (
                "summary",
                "TODO: one or two plain sentences a patient can read",
                "short sentences, lay words; define any term you must use",
            ),
            (
                "description",
                "TODO: what it is, why and how it is done, for a trainee",
                "a paragraph; clinical terms explained once; where sources disagree, say so",
            ),
            (
                "steps",
                seq("TODO: first step", "TODO: next step"),
                "how it is done, in order, one action per item (at least two)",
            ),
            ("modalities", seq(TODO), modality_comment),
            (
                "conditions",
                seq(condition),
                "what it diagnoses or treats; add a missing condition to data/conditions.yaml first",
            ),
            ("body_regions", seq(TODO), "one or more regions from the list at the top of this file"),
            ("anesthesia", seq(TODO), "one or more of: " + ", ".join(ANESTHESIA)),
            ("setting", seq(TODO), "one or more of: " + ", ".join(SETTINGS)),
            (
                "preparation",
                seq("TODO: how patients are prepared"),
                "fasting, blood thinners, blood tests, contrast allergy, pregnancy, a driver home",
            ),
            (
                "aftercare",
                seq("TODO: care and warning signs after the procedure"),
                "observation, activity, wound or drain care, warning signs to report, follow-up",
            ),
            (
                "recovery",
                "TODO: what recovery usually looks like",
                "qualitative unless a cited reference supports a number",
            ),
            (
                "risks",
                seq("TODO: most relevant risk", "TODO: second risk", "TODO: third risk"),
                "main risks, most relevant first (at least three)",
            ),
            ("benefits", seq("TODO: a benefit"), ""),
            ("contraindications", contra, "split absolute / relative"),
            ("complications", seq(complication), "at least three, with rate, severity and management"),
            ("labs", seq(lab), "INR, platelets by SIR 2019 class, renal function before contrast, specific tests"),
            ("medications", seq(medication), "prophylaxis, sedation, analgesia, anticoagulants, specific drugs"),
            ("pearls", seq("TODO: pearl", "TODO: pearl", "TODO: pearl"), "3-5 practical points for a trainee"),
            ("duration", "TODO: typical procedure time, e.g. 30-60 minutes", ""),
            ("outcomes", seq(outcome), "technical and clinical success, patency or recurrence"),
            ("planning_imaging", seq(), "diagnostic, planning and follow-up imaging (modality ids), not guidance"),
            ("equipment", seq("TODO: a needle, catheter or device"), "in plain words"),
            ("alternatives", seq("TODO: another option"), "other tests or treatments, including non-IR ones"),
            ("related", seq(TODO), "ids of related procedures; write [] if there is none"),
            ("lookup_terms", seq(), "misspellings and search-only words: lookup reads them, handouts never show them"),
            ("pediatric", pediatric, "use in children"),
            ("bleeding_risk", None, "low | high | null: SIR 2019 class only, see the top of this file"),
            (
                "bleeding_risk_note",
                "TODO: why this SIR 2019 class, or why there is none",
                "required while bleeding_risk is null",
            ),
            (
                "references",
                seq(reference),
                "at least one: SIR, RadiologyInfo.org, CIRSE, a society guideline, a peer-reviewed review",
            ),
            ("reviewed", today, "date last checked against the references (YYYY-MM-DD)"),
        ],
    )
    doc.yaml_set_start_comment(_header(rid))
    return doc


@functools.cache
def _representer() -> type:
    """The round-trip representer, writing None as ``null`` (a subclass: ruamel's add_representer is class-wide)."""
    from ruamel.yaml.representer import RoundTripRepresenter

    class Representer(RoundTripRepresenter):
        pass

    Representer.add_representer(type(None), lambda rep, _data: rep.represent_scalar("tag:yaml.org,2002:null", "null"))
    return Representer


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.Representer = _representer()
    yaml.width = 4096  # never fold a placeholder or comment across lines
    yaml.indent(mapping=2, sequence=4, offset=2)  # the catalog's style: "  - item"
    return yaml


def template(name: str, *, today: datetime.date | None = None) -> str:
    """The commented YAML text of a new record for ``name``: id and name filled, every other field a TODO."""
    display = _display_name(name)
    doc = _document(slug(display), display, today or datetime.date.today())
    out = io.StringIO()
    _yaml().dump(doc, out)
    return out.getvalue()


# ---------------------------------------------------------------- writing


def write_new(name: str, directory: Path) -> Path:
    """Write ``<slug>.yaml`` for a new record and return its path; never overwrites.

    The file goes into ``directory/procedures`` when that folder exists (a data directory),
    else into ``directory`` itself, which is created if missing.
    """
    from irref.loader import display_path

    text = template(name)
    rid = slug(_display_name(name))
    directory = Path(directory)
    target = directory / "procedures" if (directory / "procedures").is_dir() else directory
    path = target / f"{rid}.yaml"
    twin = target / f"{rid}.yml"
    if twin.exists():
        raise UsageError(f"{display_path(twin)} already exists with the same id; edit it or choose another name")
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create directory {display_path(target)}: {exc.strerror or exc}") from None
    try:
        handle = path.open("x", encoding="utf-8", newline="\n")
    except FileExistsError:
        raise UsageError(f"{display_path(path)} already exists; edit it or choose another name") from None
    except OSError as exc:
        raise UsageError(f"cannot create {display_path(path)}: {exc.strerror or exc}") from None
    try:
        with handle:
            handle.write(text)
    except OSError as exc:
        path.unlink(missing_ok=True)  # never leave a half-written template behind
        raise UsageError(f"cannot write {display_path(path)}: {exc.strerror or exc}") from None
    return path
