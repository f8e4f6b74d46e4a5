"""Typer declarations of the bedside tools: `irref calc NAME ...` and `irref anticoag DRUG ...`.

Options that may carry units are plain strings, parsed by irref.calc; computing lives in
irref.calc / irref.anticoag, output in irref.views_bedside. Registered on the main app by
``register(app)`` (called from irref.cli).
"""

from __future__ import annotations

from typing import Annotated

import typer

NOTICE = "Educational reference only, not medical advice."

calc_app = typer.Typer(
    name="calc",
    help=(
        "Bedside calculators: liver scores, kidney function, contrast and lidocaine limits, Y-90 activity.\n\n"
        "Each prints the result, its interpretation, every input as used (after bounds), the formula with "
        "the values substituted, and the references read for it; --json gives one object. SI units are "
        "accepted where clinicians use them (120umol/L, 40umol/L, 28g/L). "
        f"{NOTICE}\n\n"
        "Examples:\n\n"
        "  irref calc meld3 --bilirubin 2.3 --inr 1.6 --creatinine 1.4 --sodium 131 --albumin 2.9 --sex female\n\n"
        "  irref calc child-pugh --bilirubin 40umol/L --albumin 28g/L --inr 1.9 --ascites mild "
        "--encephalopathy none\n\n"
        "  irref calc egfr --creatinine 120umol/L --age 67 --sex male --json"
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout (and nothing else).")]
Bili = Annotated[
    str | None, typer.Option("--bilirubin", metavar="MG_DL", help="Total bilirubin, mg/dL (or e.g. 40umol/L).")
]
Inr = Annotated[str | None, typer.Option("--inr", metavar="X", help="INR.")]
Creat = Annotated[
    str | None, typer.Option("--creatinine", metavar="MG_DL", help="Serum creatinine, mg/dL (or e.g. 120umol/L).")
]
Sodium = Annotated[str | None, typer.Option("--sodium", metavar="MMOL_L", help="Serum sodium, mmol/L (= mEq/L).")]
Alb = Annotated[str | None, typer.Option("--albumin", metavar="G_DL", help="Serum albumin, g/dL (or e.g. 28g/L).")]
Sex = Annotated[str | None, typer.Option("--sex", metavar="female|male", help="Sex: female or male.")]
Dialysis = Annotated[
    bool,
    typer.Option("--dialysis", help="Dialysis at least twice in the past week, or 24 hours of CVVHD in the past week."),
]
Age = Annotated[str | None, typer.Option("--age", metavar="YEARS", help="Age in years (18 or older).")]
Weight = Annotated[str | None, typer.Option("--weight", metavar="KG", help="Body weight, kg (or e.g. 160lb).")]


def _run(path: str, params: dict) -> None:
    """Hand the parameters, by name, to the command's action (irref/actions.py), as irref.cli does."""
    from irref.cli import _run as run_action

    run_action(path, params)


@calc_app.command("meld3")
def meld3(
    bilirubin: Bili = None,
    inr: Inr = None,
    creatinine: Creat = None,
    sodium: Sodium = None,
    albumin: Alb = None,
    sex: Sex = None,
    dialysis: Dialysis = False,
    as_json: JsonOpt = False,
) -> None:
    """MELD 3.0 (Kim et al., Gastroenterology 2021), with its bounds; all options but --dialysis are required.

    Example:

    \b
      irref calc meld3 --bilirubin 2.3 --inr 1.6 --creatinine 1.4 --sodium 131 --albumin 2.9 --sex female
    """
    _run("calc meld3", locals())


@calc_app.command("meld")
def meld(
    bilirubin: Bili = None,
    inr: Inr = None,
    creatinine: Creat = None,
    dialysis: Dialysis = False,
    as_json: JsonOpt = False,
) -> None:
    """Original MELD with the OPTN/UNOS rules (values < 1 set to 1, creatinine cap 4.0, maximum 40).

    Example:

    \b
      irref calc meld --bilirubin 2.3 --inr 2.0 --creatinine 1.9
    """
    _run("calc meld", locals())


@calc_app.command("meld-na")
def meld_na(
    bilirubin: Bili = None,
    inr: Inr = None,
    creatinine: Creat = None,
    sodium: Sodium = None,
    dialysis: Dialysis = False,
    as_json: JsonOpt = False,
) -> None:
    """MELD-Na as used by OPTN/UNOS from 2016 until MELD 3.0 (sodium 125-137, applied when MELD(i) > 11).

    Example:

    \b
      irref calc meld-na --bilirubin 4 --inr 1.8 --creatinine 1.9 --sodium 128
    """
    _run("calc meld-na", locals())


@calc_app.command("child-pugh")
def child_pugh(
    bilirubin: Bili = None,
    albumin: Alb = None,
    inr: Inr = None,
    ascites: Annotated[
        str | None, typer.Option("--ascites", metavar="none|mild|moderate", help="Ascites: none, mild or moderate.")
    ] = None,
    encephalopathy: Annotated[
        str | None,
        typer.Option(
            "--encephalopathy",
            metavar="none|grade-1-2|grade-3-4",
            help="Hepatic encephalopathy: none, grade-1-2 or grade-3-4.",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Child-Pugh points (5-15) and class A/B/C, INR variant.

    Example:

    \b
      irref calc child-pugh --bilirubin 2.4 --albumin 3.1 --inr 1.5 --ascites mild --encephalopathy none
    """
    _run("calc child-pugh", locals())


@calc_app.command("egfr")
def egfr(creatinine: Creat = None, age: Age = None, sex: Sex = None, as_json: JsonOpt = False) -> None:
    """eGFR by the CKD-EPI 2021 creatinine equation (race-free), with the KDIGO G category.

    Example:

    \b
      irref calc egfr --creatinine 1.2 --age 67 --sex female
    """
    _run("calc egfr", locals())


@calc_app.command("crcl")
def crcl(
    creatinine: Creat = None, age: Age = None, sex: Sex = None, weight: Weight = None, as_json: JsonOpt = False
) -> None:
    """Creatinine clearance by Cockcroft-Gault (mL/min, not normalized to body surface area).

    Example:

    \b
      irref calc crcl --creatinine 1.4 --age 65 --sex male --weight 70
    """
    _run("calc crcl", locals())


@calc_app.command("contrast")
def contrast(weight: Weight = None, creatinine: Creat = None, as_json: JsonOpt = False) -> None:
    """Maximum contrast volume (Cigarroa 1989): 5 mL x kg / creatinine (mg/dL), at most 300 mL.

    Example:

    \b
      irref calc contrast --weight 70 --creatinine 2.0
    """
    _run("calc contrast", locals())


@calc_app.command("lidocaine")
def lidocaine(
    weight: Weight = None,
    epinephrine: Annotated[bool, typer.Option("--epinephrine", help="Lidocaine with epinephrine.")] = False,
    concentration: Annotated[
        str | None,
        typer.Option("--concentration", metavar="PERCENT", help="Solution strength in %, e.g. 1 or 2 (or 10mg/mL)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Maximum lidocaine dose: 4.5 mg/kg up to 300 mg plain, 7 mg/kg up to 500 mg with epinephrine; and in mL.

    Example:

    \b
      irref calc lidocaine --weight 70 --epinephrine --concentration 1
    """
    _run("calc lidocaine", locals())


@calc_app.command("albi")
def albi(bilirubin: Bili = None, albumin: Alb = None, as_json: JsonOpt = False) -> None:
    """ALBI score and grade: 0.66 x log10(bilirubin umol/L) - 0.085 x albumin (g/L).

    Example:

    \b
      irref calc albi --bilirubin 17umol/L --albumin 40g/L
    """
    _run("calc albi", locals())


@calc_app.command("y90")
def y90(
    microspheres: Annotated[
        str | None,
        typer.Option("--microspheres", metavar="resin|glass", help="resin (SIR-Spheres) or glass (TheraSphere)."),
    ] = None,
    lung_shunt: Annotated[
        str | None, typer.Option("--lung-shunt", metavar="PERCENT", help="Lung shunt fraction in % (99mTc-MAA).")
    ] = None,
    height: Annotated[str | None, typer.Option("--height", metavar="CM", help="Resin: height, cm (or 1.72m).")] = None,
    weight: Annotated[str | None, typer.Option("--weight", metavar="KG", help="Resin: body weight, kg.")] = None,
    tumor_volume: Annotated[
        str | None, typer.Option("--tumor-volume", metavar="ML", help="Resin: tumour volume, mL.")
    ] = None,
    liver_volume: Annotated[
        str | None,
        typer.Option("--liver-volume", metavar="ML", help="Resin: total liver volume including tumour, mL."),
    ] = None,
    dose: Annotated[
        str | None, typer.Option("--dose", metavar="GY", help="Glass: intended dose to the target, Gy.")
    ] = None,
    mass: Annotated[
        str | None, typer.Option("--mass", metavar="KG", help="Glass: target (perfused) liver mass, kg (or 800g).")
    ] = None,
    lung_mass: Annotated[
        str | None, typer.Option("--lung-mass", metavar="KG", help="Lung mass for the lung dose, kg (default 1).")
    ] = None,
    prior_lung_dose: Annotated[
        str | None, typer.Option("--prior-lung-dose", metavar="GY", help="Lung dose from earlier treatments, Gy.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Y-90 activity: resin by the BSA method, glass by MIRD single compartment; lung dose checked (30/50 Gy).

    Examples:

    \b
      irref calc y90 --microspheres resin --height 172 --weight 78 --tumor-volume 300 --liver-volume 1800 --lung-shunt 8
      irref calc y90 --microspheres glass --dose 120 --mass 0.9 --lung-shunt 6
    """
    _run("calc y90", locals())


def anticoag(
    drug: Annotated[
        str | None,
        typer.Argument(
            metavar="DRUG", help="Drug: generic or brand name or abbreviation (apixaban, Eliquis, LMWH therapeutic...)."
        ),
    ] = None,
    risk: Annotated[
        str | None, typer.Option("--risk", metavar="low|high", help="SIR 2019 bleeding-risk class of the procedure.")
    ] = None,
    procedure: Annotated[
        str | None,
        typer.Option("--procedure", metavar="QUERY", help="Take the class from this procedure's record, e.g. tips."),
    ] = None,
    crcl: Annotated[
        str | None,
        typer.Option("--crcl", metavar="ML_MIN", help="Creatinine clearance (Cockcroft-Gault), for renal bands."),
    ] = None,
    list_: Annotated[bool, typer.Option("--list", help="List the drugs in the table and their other names.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Withholding and restarting an anticoagulant or antiplatelet drug around a procedure (SIR 2019).

    Values not verified in the guideline's own text are not stated (the answer says so).

    Examples:

    \b
      irref anticoag Eliquis --risk high
      irref anticoag clopidogrel --procedure tips --json
      irref anticoag dabigatran --risk high --crcl 42
      irref anticoag --list
    """
    _run("anticoag", locals())


def register(app: typer.Typer) -> None:
    """Add `calc` and `anticoag` to the main app."""
    app.add_typer(calc_app, name="calc")
    app.command("anticoag")(anticoag)
