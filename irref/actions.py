"""What each command does, keyed by command path, free of Typer.

Typer (irref/cli.py) declares the command line; each of its command functions hands its
parameters, unchanged and by name, to the action of the same path here. The fast parser
(irref/fastparse.py) fills the same parameters from the grammar table generated from that
Typer app (irref/grammar_table.py), so both paths run the same code with the same arguments.
Each action returns an exit code.
"""

from __future__ import annotations

from irref import run

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (4 ms) on every run

if TYPE_CHECKING:  # annotations only: the warm path imports neither typing's runtime nor pathlib here
    from collections.abc import Callable
    from pathlib import Path
    from typing import Any


class Ctx:
    """The options every command shares (the root callback's parameters)."""

    __slots__ = ("data_dirs", "debug", "no_pager")

    def __init__(self, data_dirs: list[Path] | None = None, debug: bool = False, no_pager: bool = False) -> None:
        self.data_dirs = list(data_dirs or [])
        self.debug = debug
        self.no_pager = no_pager


def _fmt(as_json: bool = False, as_jsonl: bool = False, as_csv: bool = False) -> str:
    return run.output_format(as_json, as_jsonl, as_csv)


def show(ctx: Ctx, query, section=None, audience=None, exact=False, as_json=False) -> int:
    return run.show(ctx.data_dirs, " ".join(query), section, as_json, audience, exact)


def for_condition(
    ctx: Ctx, condition, exact=False, limit=None, fields=None, as_json=False, as_jsonl=False, as_csv=False
) -> int:
    fmt = _fmt(as_json, as_jsonl, as_csv)
    return run.for_condition(ctx.data_dirs, " ".join(condition), fmt, exact, limit, fields)


def list_(
    ctx: Ctx,
    modality=None,
    category=None,
    region=None,
    condition=None,
    bleeding_risk=None,
    limit=None,
    fields=None,
    as_json=False,
    as_jsonl=False,
    as_csv=False,
) -> int:
    filters = {
        "modality": modality,
        "category": category,
        "region": region,
        "condition": condition,
        "bleeding_risk": bleeding_risk,
    }
    return run.list_procedures(ctx.data_dirs, filters, _fmt(as_json, as_jsonl, as_csv), limit, fields)


def search(ctx: Ctx, text, limit=10, as_json=False, as_jsonl=False, as_csv=False) -> int:
    return run.search(ctx.data_dirs, text, limit, _fmt(as_json, as_jsonl, as_csv))


def compare(ctx: Ctx, queries, exact=False, as_json=False, as_jsonl=False, as_csv=False) -> int:
    return run.compare(ctx.data_dirs, queries, _fmt(as_json, as_jsonl, as_csv), exact)


def conditions(ctx: Ctx, query=None, as_json=False, as_jsonl=False, as_csv=False) -> int:
    return run.vocabulary(ctx.data_dirs, "conditions", query, _fmt(as_json, as_jsonl, as_csv))


def modalities(ctx: Ctx, as_json=False, as_jsonl=False, as_csv=False) -> int:
    return run.vocabulary(ctx.data_dirs, "modalities", None, _fmt(as_json, as_jsonl, as_csv))


def tree(ctx: Ctx, root=None, as_json=False) -> int:
    return run.tree(ctx.data_dirs, root, as_json)


def export(ctx: Ctx, queries=None, fmt="markdown", all_=False, output=None, force=False, exact=False) -> int:
    return run.export(ctx.data_dirs, queries or [], fmt, all_, output, force, exact)


def new(ctx: Ctx, name, data_dir=None, force=False) -> int:
    return run.new(name, data_dir, force)


def validate(ctx: Ctx, paths=None, as_json=False) -> int:
    return run.validate(ctx.data_dirs, paths or [], as_json)


def schema(ctx: Ctx, data_file=False) -> int:
    return run.schema(data_file)


# ---------------------------------------------------------------- bedside tools


def _calc(compute: Callable[[], object], as_json: bool) -> int:
    from irref import views_bedside

    return views_bedside.emit_calc(compute(), as_json)


def calc_meld3(ctx: Ctx, bilirubin, inr, creatinine, sodium, albumin, sex, dialysis=False, as_json=False) -> int:
    from irref import calc

    return _calc(lambda: calc.meld3(bilirubin, inr, creatinine, sodium, albumin, sex, dialysis), as_json)


def calc_meld(ctx: Ctx, bilirubin, inr, creatinine, dialysis=False, as_json=False) -> int:
    from irref import calc

    return _calc(lambda: calc.meld(bilirubin, inr, creatinine, dialysis), as_json)


def calc_meld_na(ctx: Ctx, bilirubin, inr, creatinine, sodium, dialysis=False, as_json=False) -> int:
    from irref import calc

    return _calc(lambda: calc.meld_na(bilirubin, inr, creatinine, sodium, dialysis), as_json)


def calc_child_pugh(ctx: Ctx, bilirubin, albumin, inr, ascites, encephalopathy, as_json=False) -> int:
    from irref import calc

    return _calc(lambda: calc.child_pugh(bilirubin, albumin, inr, ascites, encephalopathy), as_json)


def calc_egfr(ctx: Ctx, creatinine, age, sex, as_json=False) -> int:
    from irref import calc

    return _calc(lambda: calc.egfr(creatinine, age, sex), as_json)


def calc_crcl(ctx: Ctx, creatinine, age, sex, weight, as_json=False) -> int:
    from irref import calc

    return _calc(lambda: calc.crcl(creatinine, age, sex, weight), as_json)


def calc_contrast(ctx: Ctx, weight, creatinine, as_json=False) -> int:
    from irref import calc

    return _calc(lambda: calc.contrast(weight, creatinine), as_json)


def calc_lidocaine(ctx: Ctx, weight, epinephrine=False, concentration=None, as_json=False) -> int:
    from irref import calc

    return _calc(lambda: calc.lidocaine(weight, epinephrine, concentration), as_json)


def calc_albi(ctx: Ctx, bilirubin, albumin, as_json=False) -> int:
    from irref import calc

    return _calc(lambda: calc.albi(bilirubin, albumin), as_json)


def calc_y90(ctx: Ctx, microspheres=None, as_json=False, **amounts: Any) -> int:
    from irref import calc

    return _calc(lambda: calc.y90(microspheres, **amounts), as_json)


def anticoag(ctx: Ctx, drug=None, risk=None, procedure=None, crcl=None, list_=False, as_json=False) -> int:
    """Withholding and restarting a blood thinner around a procedure (SIR 2019)."""
    from irref import anticoag as core
    from irref import views_bedside
    from irref.errors import UsageError

    table = core.load()
    if list_:
        if drug is not None or risk or procedure or crcl:
            raise UsageError("--list takes no drug, --risk, --procedure or --crcl")
        return views_bedside.emit_drug_list(core.list_drugs(table), as_json)
    if drug is None:
        raise UsageError("missing argument: DRUG (e.g. 'irref anticoag apixaban --risk high'; see --list)")
    crcl_value = core.parse_crcl(crcl)
    record = None
    if procedure is not None:
        core.resolve(table, drug)  # a bad drug name is reported before the catalog is loaded
        record, match = core.procedure_record(ctx.data_dirs, procedure)
        if not match.exact:
            run.err(f"using {record['name']} for {match.query!r}")
    ans = core.answer(table, drug, risk, record, crcl_value)
    return views_bedside.emit_anticoag(ans, as_json)


#: Command path (as typed) -> action. Commands not listed here run through Typer only.
ACTIONS: dict[str, Callable[..., int]] = {
    "show": show,
    "for-condition": for_condition,
    "list": list_,
    "search": search,
    "compare": compare,
    "conditions": conditions,
    "modalities": modalities,
    "tree": tree,
    "export": export,
    "new": new,
    "validate": validate,
    "schema": schema,
    "calc meld3": calc_meld3,
    "calc meld": calc_meld,
    "calc meld-na": calc_meld_na,
    "calc child-pugh": calc_child_pugh,
    "calc egfr": calc_egfr,
    "calc crcl": calc_crcl,
    "calc contrast": calc_contrast,
    "calc lidocaine": calc_lidocaine,
    "calc albi": calc_albi,
    "calc y90": calc_y90,
    "anticoag": anticoag,
}


def call(path: str, ctx: Ctx, params: dict[str, Any]) -> int:
    """Run the action of a command path with its parameters, through the one error boundary."""
    from irref.environment import current

    action = ACTIONS[path]
    env = current()
    env.no_pager = ctx.no_pager
    env.spec = (path, dict(params))
    return run.guarded(lambda: action(ctx, **params), debug=ctx.debug)
