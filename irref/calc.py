"""Bedside calculators: liver scores, kidney function, contrast and lidocaine limits, Y-90 activity.

Pure core (stdlib only; no Typer, no Rich). Every calculator takes the option values as the
user typed them (strings such as ``"1.4"`` or ``"120umol/L"``), parses and range-checks them,
applies the published bounds, and returns a :class:`Result` with the value, its unit, an
interpretation, every input as given and as used, the formula with the values substituted,
the references that were read for it, and notes. A value that cannot be used raises
:class:`irref.errors.UsageError` (exit 2) with one line naming the option.

Sources and what was (and was not) read for each formula are listed in ``REFERENCES`` and in
the README ("Bedside tools"). Educational reference only, not medical advice.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from irref.errors import UsageError

NOTICE = "Educational reference only, not medical advice."

# ---------------------------------------------------------------- references (only what was read)


@dataclass(frozen=True)
class Ref:
    citation: str
    url: str
    supports: str = ""

    def as_dict(self) -> dict[str, str]:
        out = {"citation": self.citation, "url": self.url}
        if self.supports:
            out["supports"] = self.supports
        return out


OPTN_POLICY_2016 = Ref(
    "OPTN Policy 9.1.D MELD score (2016 text, with serum sodium), quoted verbatim in the "
    "MIT-LCP mimic-code MELD concept (mimic-iv/concepts/organfailure/meld.sql)",
    "https://github.com/MIT-LCP/mimic-code",
    "MELD(i) coefficients, values < 1.0 set to 1.0, creatinine 4.0 cap and dialysis rule, rounding, "
    "maximum 40, MELD-Na for MELD(i) > 11, sodium bounds 125-137",
)
OPTN_NEWS_2016 = Ref(
    "OPTN. MELD serum sodium policy changes (2015-11-11)",
    "https://optn.transplant.hrsa.gov/news/meld-serum-sodium-policy-changes/",
    "serum sodium added to OPTN Policy 9.1 in January 2016",
)
KIM_2021 = Ref(
    "Kim WR, Mannalithara A, Heimbach JK, et al. MELD 3.0: The Model for End-stage Liver Disease "
    "Updated for the Modern Era. Gastroenterology 2021;161(6):1887-1895.e4. doi:10.1053/j.gastro.2021.08.050",
    "https://pmc.ncbi.nlm.nih.gov/articles/PMC8608337",
    "variables (female sex, albumin), bilirubin-sodium and albumin-creatinine interactions, "
    "creatinine upper bound 3.0 mg/dL (abstract)",
)
CKM_MELD3 = Ref(
    "openEHR Clinical Knowledge Manager, archetype MELD_3_0 v3.1 (cites Kim et al. 2021)",
    "https://modelling.cds-platform.com/ckm/view/ckm-app-challenge-2023/MELD_3_0/3.1",
    "MELD 3.0 coefficients as written out; the score was not scaled with a cap of 40 in mind",
)
PATIENTNOTES_MELD3 = Ref(
    "PatientNotes. MELD 3.0 Score Calculator (secondary source: bounds as stated there)",
    "https://staging.patientnotes.ai/tools/calculators/meld-score",
    "bilirubin and INR below 1.0 set to 1.0; creatinine capped at 3.0 and set to 3.0 with dialysis; sodium "
    "125-137; albumin 1.5-3.5",
)
CCJM_CHILD_PUGH = Ref(
    "Cleveland Clinic Journal of Medicine, Table 1 'Child-Pugh classification' (INR variant, adapted from Pugh et al.)",
    "https://www.ccjm.org/highwire/markup/12320/expansion?height=500&iframe=true&width=1000",
    "point thresholds for bilirubin, albumin, INR, ascites, encephalopathy; classes A 5-6, B 7-9, C >= 10",
)
PUGH_1973 = Ref(
    "Pugh RNH, Murray-Lyon IM, Dawson JL, Pietroni MC, Williams R. Transection of the oesophagus for "
    "bleeding oesophageal varices. Br J Surg 1973;60(8):646-649. doi:10.1002/bjs.1800600817",
    "https://doi.org/10.1002/bjs.1800600817",
    "origin of the score (abstract only was read; the original uses prothrombin time, not INR)",
)
NKF_CKDEPI_2021 = Ref(
    "National Kidney Foundation. CKD-EPI Creatinine Equation (2021) (cites Inker LA et al., "
    "N Engl J Med 2021;385:1737-1749)",
    "https://kidney.org/ckd-epi-creatinine-equation-2021",
    "equation, kappa, alpha, 0.9938 age factor, 1.012 female factor, standardized creatinine in mg/dL",
)
INKER_2021 = Ref(
    "Inker LA, Eneanya ND, Coresh J, et al. New Creatinine- and Cystatin C-Based Equations to "
    "Estimate GFR without Race. N Engl J Med 2021;385(19):1737-1749. doi:10.1056/NEJMoa2102953",
    "https://pmc.ncbi.nlm.nih.gov/articles/PMC8822996",
    "development and validation of the race-free equations (abstract)",
)
NIDDK_ADULTS = Ref(
    "NIDDK. Estimating GFR in adults: race-free CKD-EPI equations (ages 18 and older)",
    "https://www.niddk.nih.gov/research-funding/research-programs/kidney-clinical-research-epidemiology/"
    "laboratory/glomerular-filtration-rate-equations/adults",
    "use in individuals aged 18 and older; limitations of the creatinine-only equation",
)
KDIGO_2012_G = Ref(
    "KDIGO 2012 CKD guideline, GFR categories G1-G5 (Kidney Int Suppl 2013;3:19-62, reprinted in "
    "Cleveland Clinic Journal of Medicine)",
    "https://www.ccjm.org/highwire/markup/1488/expansion?height=500&iframe=true&width=1000",
    "G1 >= 90, G2 60-89, G3a 45-59, G3b 30-44, G4 15-29, G5 < 15 mL/min/1.73 m2",
)
CG_TABERS = Ref(
    "Taber's Medical Dictionary. Cockcroft-Gault formula",
    "https://www.tabers.com/tabersonline/view/Tabers-Dictionary/738131/all/Cockcroft_Gault_formula",
    "(140 - age) x weight (kg) / (72 x serum creatinine), x 0.85 for women",
)
CG_HINDAWI = Ref(
    "Estimating Glomerular Filtration Rate in Older People. BioMed Res Int 2014, Table 2 (cites "
    "Cockcroft DW, Gault MH. Nephron 1976;16:31-41)",
    "https://www.hindawi.com/journals/bmri/2014/916542/tab2/",
    "eCCr = (140 - age) x weight in kg / (72 x Scr), x 0.85 in females",
)
CIGARROA_1989 = Ref(
    "Cigarroa RG, Lange RA, Williams RH, Hillis LD. Dosing of contrast material to prevent contrast "
    "nephropathy in patients with renal disease. Am J Med 1989;86(6 Pt 1):649-652",
    "https://scholars.uthscsa.edu/en/publications/dosing-of-contrast-material-to-prevent-contrast-nephropathy-in-pa",
    "limit = 5 mL of contrast/kg body weight (maximum 300 mL) / serum creatinine (mg/dL); "
    "study population: baseline creatinine >= 1.8 mg/dL, cardiac catheterization (abstract)",
)
XYLOCAINE_LABEL = Ref(
    "Xylocaine MPF (lidocaine HCl) injection, US prescribing information, 'Maximum recommended "
    "dosages' (openFDA drug label)",
    "https://api.fda.gov/drug/label.json?search=openfda.generic_name%3A%22xylocaine+mpf%22",
    "normal healthy adults: without epinephrine <= 4.5 mg/kg and in general <= 300 mg total; "
    "with epinephrine <= 7 mg/kg and in general <= 500 mg total",
)
HIRAOKA_2017 = Ref(
    "Hiraoka A, Kumada T, Kudo M, et al. Albumin-Bilirubin (ALBI) Grade as Part of the Evidence-Based "
    "Clinical Practice Guideline for HCC of the Japan Society of Hepatology. Liver Cancer "
    "2017;6(3):204-215. doi:10.1159/000452846",
    "https://pmc.ncbi.nlm.nih.gov/articles/PMC5473065",
    "ALBI grade cut-offs: <= -2.60 grade 1, > -2.60 to <= -1.39 grade 2, > -1.39 grade 3",
)
MDAPP_ALBI = Ref(
    "MDApp. ALBI Score Calculator (secondary source: formula as written there, citing Johnson PJ et al., "
    "J Clin Oncol 2015;33:550-558)",
    "https://www.mdapp.co/albi-score-calculator-albumin-bilirubin-grade-for-hepatocellular-carcinoma-620/",
    "ALBI = (log10 bilirubin [umol/L] x 0.66) + (albumin [g/L] x -0.085)",
)
SIRTEX_DOSIMETRY = Ref(
    "Sirtex Medical. Dosimetry (SIR-Spheres Y-90 resin microspheres)",
    "https://www.sirtex.com/us/clinicians/about-sirt/dosimetry/",
    "1 GBq of Y-90 per kg of tissue gives about 50 Gy; refer to the package insert for the activity method",
)
SIRTEX_CONTRA = Ref(
    "Sirtex Medical. SIR-Spheres approved indication, contraindications",
    "https://www.sirtex.com/ap/clinicians/about-sir-spheres-microspheres/approved-indication/",
    "contraindicated with greater than 20% lung shunting on 99mTc-MAA",
)
VAN_ROEKEL = Ref(
    "van Roekel C. PhD thesis (Utrecht University), chapter 2 'Radioembolization', pp. 30 and 41",
    "https://publicatie-online.nl/uploaded/flipbook/143091-Caren-van-Roekel/30",
    "BSA method A = (BSA - 0.2) + V_tumour / (V_tumour + V_liver); BSA = 0.2024(7) x height(m)^0.725 x "
    "weight(kg)^0.425; activity reductions of 20%, 40% and 100% when the lung shunt fraction exceeds "
    "10%, 15% or 20% (p. 41); lung dose limits 30 Gy per treatment and 50 Gy cumulative (p. 30)",
)
KAO_2013 = Ref(
    "Kao YH, et al. Cardiovasc Intervent Radiol 2013 (partition model worked example)",
    "https://link.springer.com/article/10.1007/s00270-013-0783-z",
    "MIRD schema D = 50 x (A / m), '50' the approximate absorbed-dose coefficient (Gy kg / GBq)",
)
RADIOLOGYKEY_GLASS = Ref(
    "Radiology Key. 'Dose calculation' (glass microspheres, MIRD)",
    "https://radiologykey.com/and-dose-calculation",
    "liver dose (Gy) = 50 x injected activity (GBq) x (1 - F) / target mass (kg), F = lung shunt fraction",
)

# ---------------------------------------------------------------- numbers


def round_half_up(x: float, digits: int = 0) -> float:
    """Round like a person does (0.5 goes up), on the decimal value shown, not the binary one."""
    q = Decimal(1).scaleb(-digits)
    return float(Decimal(repr(x)).quantize(q, rounding=ROUND_HALF_UP))


def floor_to(x: float, digits: int = 0) -> float:
    """Round down (for maximum doses and volumes: never round a limit up)."""
    q = Decimal(1).scaleb(-digits)
    return float(Decimal(repr(x)).quantize(q, rounding=ROUND_FLOOR))


def fmt(x: float | int, digits: int = 3) -> str:
    """A number for people: at most `digits` decimals, no trailing zeros."""
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, int) or float(x).is_integer():
        return str(int(x))
    text = f"{round_half_up(float(x), digits):.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _num(x: float) -> float | int:
    """JSON number: an int when whole."""
    return int(x) if float(x).is_integer() else x


# ---------------------------------------------------------------- quantities and units

# molar masses give the conversions: creatinine 113.12 g/mol -> 1 mg/dL = 88.4 umol/L;
# bilirubin 584.66 g/mol -> 1 mg/dL = 17.1 umol/L
CREATININE_UMOL_PER_MG_DL = 88.4
BILIRUBIN_UMOL_PER_MG_DL = 17.1


@dataclass(frozen=True)
class Quantity:
    label: str
    unit: str  # the unit used in the formula
    units: dict[str, float]  # accepted unit spellings (normalised) -> factor to the base unit
    lo: float
    hi: float
    example: str
    si: str = ""  # the SI spelling to suggest when a bare number is out of range


def _u(*pairs: tuple[tuple[str, ...], float]) -> dict[str, float]:
    out: dict[str, float] = {}
    for names, factor in pairs:
        for n in names:
            out[n] = factor
    return out


QUANTITIES: dict[str, Quantity] = {
    "creatinine": Quantity(
        "serum creatinine",
        "mg/dL",
        _u((("mg/dl",), 1.0), (("umol/l", "micromol/l", "mcmol/l"), 1 / CREATININE_UMOL_PER_MG_DL)),
        0.1,
        25.0,
        "--creatinine 1.2 or --creatinine 106umol/L",
        "umol/L",
    ),
    "bilirubin": Quantity(
        "total bilirubin",
        "mg/dL",
        _u((("mg/dl",), 1.0), (("umol/l", "micromol/l", "mcmol/l"), 1 / BILIRUBIN_UMOL_PER_MG_DL)),
        0.1,
        80.0,
        "--bilirubin 2.3 or --bilirubin 40umol/L",
        "umol/L",
    ),
    "albumin": Quantity(
        "serum albumin",
        "g/dL",
        _u((("g/dl",), 1.0), (("g/l",), 0.1)),
        0.5,
        7.0,
        "--albumin 3.1 or --albumin 31g/L",
        "g/L",
    ),
    "inr": Quantity("INR", "", {}, 0.5, 20.0, "--inr 1.4"),
    "sodium": Quantity(
        "serum sodium",
        "mmol/L",
        _u((("mmol/l", "meq/l"), 1.0)),
        100.0,
        180.0,
        "--sodium 131",
    ),
    "age": Quantity("age", "years", _u((("y", "yr", "yrs", "year", "years"), 1.0)), 18.0, 120.0, "--age 64"),
    "weight": Quantity(
        "body weight",
        "kg",
        _u((("kg",), 1.0), (("lb", "lbs"), 0.45359237)),
        2.0,
        350.0,
        "--weight 72 or --weight 160lb",
    ),
    "height": Quantity(
        "height",
        "cm",
        _u((("cm",), 1.0), (("m",), 100.0), (("in",), 2.54)),
        100.0,
        250.0,
        "--height 172 or --height 1.72m",
    ),
    "concentration": Quantity(
        "lidocaine concentration",
        "%",
        _u((("%",), 1.0), (("mg/ml",), 0.1)),
        0.1,
        5.0,
        "--concentration 1 (for 1%) or --concentration 10mg/mL",
    ),
    "volume": Quantity(
        "volume",
        "mL",
        _u((("ml", "cc", "cm3"), 1.0), (("l",), 1000.0)),
        0.1,
        10000.0,
        "--liver-volume 1650 or --liver-volume 1.65L",
    ),
    "lung_shunt": Quantity("lung shunt fraction", "%", _u((("%",), 1.0)), 0.0, 100.0, "--lung-shunt 8 (for 8%)"),
    "dose": Quantity("intended absorbed dose", "Gy", _u((("gy",), 1.0)), 1.0, 1000.0, "--dose 120"),
    "mass": Quantity(
        "target liver mass",
        "kg",
        _u((("kg",), 1.0), (("g",), 0.001)),
        0.01,
        5.0,
        "--mass 0.8 or --mass 800g",
    ),
    "lung_mass": Quantity("lung mass", "kg", _u((("kg",), 1.0), (("g",), 0.001)), 0.3, 3.0, "--lung-mass 1"),
    "prior_lung_dose": Quantity("prior lung dose", "Gy", _u((("gy",), 1.0)), 0.0, 100.0, "--prior-lung-dose 12"),
    "crcl": Quantity("creatinine clearance", "mL/min", _u((("ml/min",), 1.0)), 0.0, 250.0, "--crcl 45"),
}

_NUMBER = re.compile(r"^\s*([+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+))\s*(.*?)\s*$")


def _norm_unit(text: str) -> str:
    t = text.strip().lower().replace("µ", "u").replace("μ", "u").replace(" ", "")
    t = t.replace("per", "/").replace("litre", "l").replace("liter", "l")
    return t


def _option(name: str) -> str:
    return "--" + name.replace("_", "-")


@dataclass
class Parsed:
    """One input as given and as converted to the formula's unit."""

    name: str
    given: str
    value: float  # in the base unit
    unit: str


def parse_quantity(kind: str, text: str, option: str | None = None) -> Parsed:
    """Parse '120umol/L', '1,2', '72 kg'... into the base unit of `kind`; refuse what is unusable."""
    q = QUANTITIES[kind]
    opt = option or _option(kind)
    raw = (text or "").strip()
    m = _NUMBER.match(raw)
    if not m:
        raise UsageError(f"{opt} {raw!r} is not a number; e.g. {q.example}")
    number = float(m.group(1).replace(",", "."))
    unit_text = m.group(2)
    if not math.isfinite(number):
        raise UsageError(f"{opt} {raw!r} is not a finite number")
    if unit_text:
        key = _norm_unit(unit_text)
        if key not in q.units:
            accepted = ", ".join(sorted({_pretty_unit(u) for u in q.units})) or "no unit"
            raise UsageError(f"{opt} {raw!r}: unknown unit {unit_text!r} (accepted: {accepted}); e.g. {q.example}")
        value = number * q.units[key]
    else:
        value = number
    if not (q.lo <= value <= q.hi):
        shown = f"{fmt(value)} {q.unit}".strip() if unit_text else f"{fmt(number)} {q.unit}".strip()
        rng = f"{fmt(q.lo)}-{fmt(q.hi)} {q.unit}".strip()
        hint = ""
        if not unit_text and q.si and q.si.lower() in q.units:
            si_value = number * q.units[q.si.lower()]
            if q.lo <= si_value <= q.hi:
                hint = f"; if you meant {q.si}, write {opt} {m.group(1)}{q.si}"
        raise UsageError(f"{opt} {raw}: {shown} is outside the accepted range for {q.label} ({rng}){hint}")
    return Parsed(kind, raw, value, q.unit)


def _pretty_unit(key: str) -> str:
    return {
        "mg/dl": "mg/dL",
        "umol/l": "umol/L",
        "micromol/l": "umol/L",
        "mcmol/l": "umol/L",
        "g/dl": "g/dL",
        "g/l": "g/L",
        "mmol/l": "mmol/L",
        "meq/l": "mEq/L",
        "ml": "mL",
        "l": "L",
        "cc": "mL",
        "cm3": "mL",
        "mg/ml": "mg/mL",
        "gy": "Gy",
        "ml/min": "mL/min",
    }.get(key, key)


def parse_choice(option: str, text: str, choices: dict[str, str]) -> str:
    """A word option: returns the canonical choice; refuses others listing the valid ones."""
    key = re.sub(r"[\s_]+", "-", (text or "").strip().lower())
    if key in choices:
        return choices[key]
    valid = sorted(set(choices.values()))
    raise UsageError(f"{option} {text!r} is not one of: {', '.join(valid)}", hints=valid)


SEX_CHOICES = {"female": "female", "f": "female", "woman": "female", "male": "male", "m": "male", "man": "male"}


def require(**options: Any) -> None:
    """Refuse when options are missing, naming every one of them."""
    missing = [_option(k) for k, v in options.items() if v is None or (isinstance(v, str) and not v.strip())]
    if missing:
        what = "option" if len(missing) == 1 else "options"
        raise UsageError(f"missing {what}: {', '.join(missing)}")


# ---------------------------------------------------------------- results


@dataclass
class Input:
    """One input: what was typed, the value in the formula's unit, and the value the formula used."""

    name: str
    label: str
    given: str | None
    value: float | str | bool
    unit: str
    used: float | str | bool
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "label": self.label,
            "given": self.given,
            "value": _num(self.value) if isinstance(self.value, float) else self.value,
            "unit": self.unit,
            "used": _num(self.used) if isinstance(self.used, float) else self.used,
        }
        if self.note:
            out["note"] = self.note
        return out


@dataclass
class Result:
    """A calculator's answer, as plain data (rendered by views_bedside, or written as JSON)."""

    calculator: str
    name: str
    value: float | int
    unit: str
    interpretation: str
    inputs: list[Input]
    equation: str
    formula: str
    references: list[Ref]
    notes: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "calculator": self.calculator,
            "name": self.name,
            "value": _num(self.value) if isinstance(self.value, float) else self.value,
            "unit": self.unit,
            "interpretation": self.interpretation,
        }
        out.update(self.extra)
        out["inputs"] = {i.name: i.as_dict() for i in self.inputs}
        out["equation"] = self.equation
        out["formula"] = self.formula
        out["warnings"] = list(self.warnings)
        out["notes"] = list(self.notes)
        out["reference"] = [r.as_dict() for r in self.references]
        out["notice"] = NOTICE
        return out


def _lab(p: Parsed, used: float, note: str = "", *, digits: int = 2) -> Input:
    q = QUANTITIES[p.name]
    si = ""
    if p.name == "creatinine":
        si = f" = {fmt(p.value * CREATININE_UMOL_PER_MG_DL, 0)} umol/L"
    elif p.name == "bilirubin":
        si = f" = {fmt(p.value * BILIRUBIN_UMOL_PER_MG_DL, 0)} umol/L"
    elif p.name == "albumin":
        si = f" = {fmt(p.value * 10, 1)} g/L"
    conv = ""
    if _NUMBER.match(p.given) and _NUMBER.match(p.given).group(2):  # type: ignore[union-attr]
        conv = f"{p.given} -> {fmt(p.value, digits)} {q.unit}".strip()
    elif si:
        conv = f"{fmt(p.value, digits)} {q.unit}{si}".strip()
    notes = [n for n in (conv, note) if n]
    return Input(p.name, q.label, p.given, round_half_up(p.value, 4), q.unit, round_half_up(used, 4), "; ".join(notes))


def _ln(x: float) -> float:
    return math.log(x)


# ---------------------------------------------------------------- MELD (OPTN 2016) and MELD-Na


def _meld_inputs(bilirubin: str, inr: str, creatinine: str, dialysis: bool, *, cap: float, lower: float = 1.0):
    b = parse_quantity("bilirubin", bilirubin)
    i = parse_quantity("inr", inr)
    c = parse_quantity("creatinine", creatinine)
    b_used = max(b.value, lower)
    i_used = max(i.value, lower)
    if dialysis:
        c_used = cap
        c_note = f"set to {fmt(cap)} (dialysis)"
    elif c.value > cap:
        c_used, c_note = cap, f"capped at {fmt(cap)}"
    elif c.value < lower:
        c_used, c_note = lower, f"set to {fmt(lower)} (lower bound)"
    else:
        c_used, c_note = c.value, ""
    inputs = [
        _lab(b, b_used, f"set to {fmt(lower)} (lower bound)" if b.value < lower else ""),
        _lab(i, i_used, f"set to {fmt(lower)} (lower bound)" if i.value < lower else ""),
        _lab(c, c_used, c_note),
    ]
    return b_used, i_used, c_used, inputs


def _meld_i(b: float, i: float, c: float) -> tuple[float, int, str]:
    raw = 0.957 * _ln(c) + 0.378 * _ln(b) + 1.120 * _ln(i) + 0.643
    meld_i = int(round_half_up(round_half_up(raw, 1) * 10))
    text = (
        f"MELD(i) = [0.957 x ln({fmt(c)}) + 0.378 x ln({fmt(b)}) + 1.120 x ln({fmt(i)}) + 0.643] "
        f"= {fmt(raw, 4)}; rounded to the tenth ({fmt(round_half_up(raw, 1))}) x 10 = {meld_i}"
    )
    return raw, meld_i, text


MELD_EQUATION = (
    "MELD(i) = 0.957 x ln(creatinine mg/dL) + 0.378 x ln(bilirubin mg/dL) + 1.120 x ln(INR) + 0.643, "
    "rounded to the tenth and multiplied by 10; values < 1.0 set to 1.0; creatinine > 4.0, or dialysis "
    "twice in the past week, or 24 h of CVVHD in the past week -> 4.0; maximum 40"
)
MELD_NOTES = [
    "Dialysis means two or more dialysis treatments, or 24 hours of continuous veno-venous hemodialysis "
    "(CVVHD), within the prior week (OPTN policy).",
    "For candidates at least 12 years old (OPTN policy); it does not include MELD exception points.",
    "Higher scores predict higher short-term (3-month) mortality in chronic liver disease.",
]


def meld(bilirubin: str | None, inr: str | None, creatinine: str | None, dialysis: bool = False) -> Result:
    """Original MELD as computed by OPTN/UNOS (Policy 9.1.D, 2016 text)."""
    require(bilirubin=bilirubin, inr=inr, creatinine=creatinine)
    b, i, c, inputs = _meld_inputs(bilirubin, inr, creatinine, dialysis, cap=4.0)  # type: ignore[arg-type]
    inputs.append(Input("dialysis", "dialysis in the past week", "yes" if dialysis else "no", dialysis, "", dialysis))
    _raw, meld_i, text = _meld_i(b, i, c)
    value = min(meld_i, 40)
    formula = text + (f"; capped at 40 -> {value}" if meld_i > 40 else "")
    return Result(
        "meld",
        "MELD (original, OPTN/UNOS 2016 rules)",
        value,
        "points",
        f"MELD {value} (scale 6-40). " + MELD_NOTES[2],
        inputs,
        MELD_EQUATION,
        formula,
        [OPTN_POLICY_2016, OPTN_NEWS_2016],
        [*MELD_NOTES[:2], "OPTN has replaced MELD and MELD-Na with MELD 3.0 for allocation: see 'irref calc meld3'."],
        {"meld_i": meld_i},
    )


def meld_na(
    bilirubin: str | None, inr: str | None, creatinine: str | None, sodium: str | None, dialysis: bool = False
) -> Result:
    """MELD-Na as used by OPTN/UNOS from January 2016 until MELD 3.0."""
    require(bilirubin=bilirubin, inr=inr, creatinine=creatinine, sodium=sodium)
    b, i, c, inputs = _meld_inputs(bilirubin, inr, creatinine, dialysis, cap=4.0)  # type: ignore[arg-type]
    na = parse_quantity("sodium", sodium)  # type: ignore[arg-type]
    na_used = min(max(na.value, 125.0), 137.0)
    na_note = "set to 125 (lower bound)" if na.value < 125 else "set to 137 (upper bound)" if na.value > 137 else ""
    inputs.append(_lab(na, na_used, na_note, digits=1))
    inputs.append(Input("dialysis", "dialysis in the past week", "yes" if dialysis else "no", dialysis, "", dialysis))
    _raw, meld_i, text = _meld_i(b, i, c)
    if meld_i > 11:
        d = 137.0 - na_used
        raw_na = meld_i + 1.32 * d - 0.033 * meld_i * d
        rounded = int(round_half_up(raw_na))
        value = min(rounded, 40)
        formula = (
            f"{text}; MELD(i) > 11, so MELD = {meld_i} + 1.32 x (137 - {fmt(na_used)}) - 0.033 x {meld_i} x "
            f"(137 - {fmt(na_used)}) = {fmt(raw_na, 3)} -> {rounded}"
            + (f"; capped at 40 -> {value}" if rounded > 40 else "")
        )
    else:
        value = min(meld_i, 40)
        formula = f"{text}; MELD(i) <= 11, so sodium is not applied: MELD = {value}"
    return Result(
        "meld-na",
        "MELD-Na (OPTN/UNOS 2016 rules)",
        value,
        "points",
        f"MELD-Na {value} (scale 6-40). " + MELD_NOTES[2],
        inputs,
        MELD_EQUATION + "; if MELD(i) > 11: MELD = MELD(i) + 1.32 x (137 - Na) - [0.033 x MELD(i) x (137 - Na)], "
        "sodium < 125 set to 125 and > 137 set to 137",
        formula,
        [OPTN_POLICY_2016, OPTN_NEWS_2016],
        [
            *MELD_NOTES[:2],
            "The final MELD-Na is rounded to the nearest whole number (0.5 up); the policy text read here does "
            "not state this rounding step explicitly.",
            "OPTN has replaced MELD-Na with MELD 3.0 for allocation: see 'irref calc meld3'.",
        ],
        {"meld_i": meld_i},
    )


# ---------------------------------------------------------------- MELD 3.0


MELD3_EQUATION = (
    "MELD 3.0 = 1.33 x (female) + 4.56 x ln(bilirubin) + 0.82 x (137 - Na) - 0.24 x (137 - Na) x ln(bilirubin) "
    "+ 9.09 x ln(INR) + 11.14 x ln(creatinine) + 1.85 x (3.5 - albumin) - 1.83 x (3.5 - albumin) x ln(creatinine) "
    "+ 6; bilirubin, INR, creatinine lower bound 1.0; creatinine upper bound 3.0 (3.0 with dialysis); sodium "
    "125-137 mmol/L; albumin 1.5-3.5 g/dL; rounded to the nearest whole number; maximum 40 (OPTN)"
)


def meld3(
    bilirubin: str | None,
    inr: str | None,
    creatinine: str | None,
    sodium: str | None,
    albumin: str | None,
    sex: str | None,
    dialysis: bool = False,
) -> Result:
    """MELD 3.0 (Kim et al., Gastroenterology 2021)."""
    require(bilirubin=bilirubin, inr=inr, creatinine=creatinine, sodium=sodium, albumin=albumin, sex=sex)
    sex_used = parse_choice("--sex", sex, SEX_CHOICES)  # type: ignore[arg-type]
    b, i, c, inputs = _meld_inputs(bilirubin, inr, creatinine, dialysis, cap=3.0)  # type: ignore[arg-type]
    na = parse_quantity("sodium", sodium)  # type: ignore[arg-type]
    na_used = min(max(na.value, 125.0), 137.0)
    na_note = "set to 125 (lower bound)" if na.value < 125 else "set to 137 (upper bound)" if na.value > 137 else ""
    alb = parse_quantity("albumin", albumin)  # type: ignore[arg-type]
    alb_used = min(max(alb.value, 1.5), 3.5)
    alb_note = "set to 1.5 (lower bound)" if alb.value < 1.5 else "set to 3.5 (upper bound)" if alb.value > 3.5 else ""
    inputs += [_lab(na, na_used, na_note, digits=1), _lab(alb, alb_used, alb_note)]
    inputs.append(Input("sex", "sex", sex, sex_used, "", sex_used))
    inputs.append(Input("dialysis", "dialysis in the past week", "yes" if dialysis else "no", dialysis, "", dialysis))
    female = 1.0 if sex_used == "female" else 0.0
    d_na = 137.0 - na_used
    d_alb = 3.5 - alb_used
    terms = [
        1.33 * female,
        4.56 * _ln(b),
        0.82 * d_na,
        -0.24 * d_na * _ln(b),
        9.09 * _ln(i),
        11.14 * _ln(c),
        1.85 * d_alb,
        -1.83 * d_alb * _ln(c),
        6.0,
    ]
    raw = sum(terms)
    rounded = int(round_half_up(raw))
    value = min(rounded, 40)
    formula = (
        f"1.33 x {int(female)} + 4.56 x ln({fmt(b)}) + 0.82 x (137 - {fmt(na_used)}) - 0.24 x (137 - {fmt(na_used)}) "
        f"x ln({fmt(b)}) + 9.09 x ln({fmt(i)}) + 11.14 x ln({fmt(c)}) + 1.85 x (3.5 - {fmt(alb_used)}) - 1.83 x "
        f"(3.5 - {fmt(alb_used)}) x ln({fmt(c)}) + 6 = {fmt(raw, 3)} -> {rounded}"
        + (f"; capped at 40 -> {value}" if rounded > 40 else "")
    )
    return Result(
        "meld3",
        "MELD 3.0",
        value,
        "points",
        f"MELD 3.0 {value}. Higher scores predict higher 90-day mortality on the liver transplant waitlist.",
        inputs,
        MELD3_EQUATION,
        formula,
        [KIM_2021, CKM_MELD3, PATIENTNOTES_MELD3],
        [
            "Not read in the paper's own text: the coefficients were read in a transcription that cites Kim et "
            "al. (openEHR CKM), and the lower bound of 1.0, the sodium and albumin bounds and the dialysis rule in "
            "a secondary calculator page; the paper's abstract was read (sex, albumin, the two interactions, "
            "creatinine upper bound 3.0).",
            "The cap at 40 follows the OPTN rule for MELD and MELD-Na; whether OPTN keeps it for MELD 3.0 was not "
            "verified here, and the CKM transcription says MELD 3.0 was not scaled with a cap in mind: 'uncapped' "
            "gives the value before the cap.",
            "Dialysis (twice in the past week, or 24 hours of CVVHD, as in the OPTN MELD rules): creatinine is set "
            "to 3.0 mg/dL.",
            "OPTN also adds the 1.33 for candidates aged 12-17 whatever their sex; this calculator is for adults.",
        ],
        {"uncapped": rounded},
    )


# ---------------------------------------------------------------- Child-Pugh


ASCITES = {
    "none": "none",
    "absent": "none",
    "no": "none",
    "mild": "mild",
    "slight": "mild",
    "moderate": "moderate",
    "moderate-severe": "moderate",
    "moderate-to-severe": "moderate",
    "severe": "moderate",
    "tense": "moderate",
}
ENCEPHALOPATHY = {
    "none": "none",
    "absent": "none",
    "no": "none",
    "grade-1-2": "grade-1-2",
    "1-2": "grade-1-2",
    "grade-1-or-2": "grade-1-2",
    "grade1-2": "grade-1-2",
    "grades-1-2": "grade-1-2",
    "grade-3-4": "grade-3-4",
    "3-4": "grade-3-4",
    "grade-3-or-4": "grade-3-4",
    "grade3-4": "grade-3-4",
    "grades-3-4": "grade-3-4",
}


def _points(value: float, thresholds: tuple[float, float], higher_is_worse: bool) -> int:
    lo, hi = thresholds
    if higher_is_worse:  # < lo: 1; lo..hi: 2; > hi: 3
        return 1 if value < lo else 2 if value <= hi else 3
    return 1 if value > hi else 2 if value >= lo else 3  # albumin: > hi: 1; lo..hi: 2; < lo: 3


def child_pugh(
    bilirubin: str | None,
    albumin: str | None,
    inr: str | None,
    ascites: str | None,
    encephalopathy: str | None,
) -> Result:
    """Child-Pugh score (points 5-15) and class A/B/C, INR variant."""
    require(bilirubin=bilirubin, albumin=albumin, inr=inr, ascites=ascites, encephalopathy=encephalopathy)
    b = parse_quantity("bilirubin", bilirubin)  # type: ignore[arg-type]
    a = parse_quantity("albumin", albumin)  # type: ignore[arg-type]
    i = parse_quantity("inr", inr)  # type: ignore[arg-type]
    asc = parse_choice("--ascites", ascites, ASCITES)  # type: ignore[arg-type]
    enc = parse_choice("--encephalopathy", encephalopathy, ENCEPHALOPATHY)  # type: ignore[arg-type]
    pb = _points(b.value, (2.0, 3.0), True)
    pa = _points(a.value, (2.8, 3.5), False)
    pi = _points(i.value, (1.7, 2.3), True)
    pasc = {"none": 1, "mild": 2, "moderate": 3}[asc]
    penc = {"none": 1, "grade-1-2": 2, "grade-3-4": 3}[enc]
    total = pb + pa + pi + pasc + penc
    cls = "A" if total <= 6 else "B" if total <= 9 else "C"
    inputs = [
        _lab(b, b.value, f"{pb} point(s)"),
        _lab(a, a.value, f"{pa} point(s)"),
        _lab(i, i.value, f"{pi} point(s)"),
        Input("ascites", "ascites", ascites, asc, "", asc, f"{pasc} point(s)"),
        Input("encephalopathy", "hepatic encephalopathy", encephalopathy, enc, "", enc, f"{penc} point(s)"),
    ]
    formula = (
        f"bilirubin {fmt(b.value)} mg/dL -> {pb} + albumin {fmt(a.value)} g/dL -> {pa} + INR {fmt(i.value)} -> {pi} "
        f"+ ascites {asc} -> {pasc} + encephalopathy {enc} -> {penc} = {total} points: class {cls}"
    )
    meaning = {"A": "5-6 points", "B": "7-9 points", "C": "10-15 points"}[cls]
    return Result(
        "child-pugh",
        "Child-Pugh score (INR variant)",
        total,
        "points",
        f"Child-Pugh class {cls} ({meaning}).",
        inputs,
        "1-3 points each: bilirubin < 2 / 2-3 / > 3 mg/dL; albumin > 3.5 / 2.8-3.5 / < 2.8 g/dL; INR < 1.7 / "
        "1.7-2.3 / > 2.3; ascites none / mild / moderate; encephalopathy none / grade 1-2 / grade 3-4. "
        "Class A 5-6, B 7-9, C 10-15",
        formula,
        [CCJM_CHILD_PUGH, PUGH_1973],
        [
            "Boundary values fall in the middle band (bilirubin exactly 2 or 3, albumin exactly 2.8 or 3.5, INR "
            "exactly 1.7 or 2.3 score 2 points).",
            "Pugh's 1973 table grades prothrombin time (seconds prolonged), not INR; the INR cut-offs are a later "
            "adaptation. Published tables differ at the margins (some use albumin 3.0-3.5 g/dL or INR 1.8-2.3).",
            "Ascites and encephalopathy are clinical grades; 'moderate' includes severe or tense ascites.",
            "SI inputs are converted and scored on the mg/dL and g/dL cut-offs (2 mg/dL = 34.2 umol/L, 3 mg/dL = "
            "51.3 umol/L); SI tables with rounded cut-offs (34/51 umol/L, 28/35 g/L) can differ by a point at the "
            "margins.",
        ],
        {"class": cls, "points": {"bilirubin": pb, "albumin": pa, "inr": pi, "ascites": pasc, "encephalopathy": penc}},
    )


# ---------------------------------------------------------------- kidney function


def kdigo_category(egfr: float) -> tuple[str, str]:
    for cut, cat, words in (
        (90, "G1", "normal or high"),
        (60, "G2", "mildly decreased"),
        (45, "G3a", "mildly to moderately decreased"),
        (30, "G3b", "moderately to severely decreased"),
        (15, "G4", "severely decreased"),
    ):
        if egfr >= cut:
            return cat, words
    return "G5", "kidney failure"


def egfr(creatinine: str | None, age: str | None, sex: str | None) -> Result:
    """CKD-EPI 2021 creatinine equation (race-free), mL/min/1.73 m2."""
    require(creatinine=creatinine, age=age, sex=sex)
    sex_used = parse_choice("--sex", sex, SEX_CHOICES)  # type: ignore[arg-type]
    c = parse_quantity("creatinine", creatinine)  # type: ignore[arg-type]
    a = parse_quantity("age", age)  # type: ignore[arg-type]
    female = sex_used == "female"
    kappa, alpha = (0.7, -0.241) if female else (0.9, -0.302)
    ratio = c.value / kappa
    value_raw = (
        142 * min(ratio, 1.0) ** alpha * max(ratio, 1.0) ** -1.200 * 0.9938**a.value * (1.012 if female else 1.0)
    )
    value = int(round_half_up(value_raw))
    cat, words = kdigo_category(value)
    formula = (
        f"142 x min({fmt(c.value)}/{kappa}, 1)^{alpha} x max({fmt(c.value)}/{kappa}, 1)^-1.200 x 0.9938^{fmt(a.value)}"
        + (" x 1.012" if female else "")
        + f" = {fmt(value_raw, 2)} -> {value}"
    )
    return Result(
        "egfr",
        "eGFR, CKD-EPI 2021 creatinine equation (race-free)",
        value,
        "mL/min/1.73 m2",
        f"eGFR {value} mL/min/1.73 m2: KDIGO category {cat} ({words}).",
        [
            _lab(c, c.value),
            Input("age", "age", age, a.value, "years", a.value),
            Input("sex", "sex", sex, sex_used, "", sex_used),
        ],
        "eGFRcr = 142 x min(Scr/k, 1)^a x max(Scr/k, 1)^-1.200 x 0.9938^age x 1.012 [if female]; "
        "k = 0.7 (F) / 0.9 (M); a = -0.241 (F) / -0.302 (M); Scr standardized (IDMS-traceable) in mg/dL",
        formula,
        [NKF_CKDEPI_2021, INKER_2021, NIDDK_ADULTS, KDIGO_2012_G],
        [
            "For adults (18 years and older) with stable creatinine; not valid in acute kidney injury.",
            "Normalized to 1.73 m2 body surface area; drug labels often use Cockcroft-Gault creatinine clearance "
            "instead (irref calc crcl).",
            "A GFR category alone does not make a diagnosis of CKD: G1 and G2 need markers of kidney damage, and "
            "any category needs 3 months' duration.",
            "The category is read from the reported (whole-number) eGFR.",
        ],
        {"category": cat, "unrounded": round_half_up(value_raw, 2)},
    )


def crcl(creatinine: str | None, age: str | None, sex: str | None, weight: str | None) -> Result:
    """Cockcroft-Gault creatinine clearance, mL/min."""
    require(creatinine=creatinine, age=age, sex=sex, weight=weight)
    sex_used = parse_choice("--sex", sex, SEX_CHOICES)  # type: ignore[arg-type]
    c = parse_quantity("creatinine", creatinine)  # type: ignore[arg-type]
    a = parse_quantity("age", age)  # type: ignore[arg-type]
    w = parse_quantity("weight", weight)  # type: ignore[arg-type]
    factor = 0.85 if sex_used == "female" else 1.0
    raw = (140 - a.value) * w.value / (72 * c.value) * factor
    value = round_half_up(raw, 1)
    formula = f"(140 - {fmt(a.value)}) x {fmt(w.value)} / (72 x {fmt(c.value)})" + (" x 0.85" if factor != 1 else "")
    formula += f" = {fmt(raw, 2)} -> {fmt(value)}"
    inputs = [_lab(c, c.value), Input("age", "age", age, a.value, "years", a.value)]
    w_note = f"{w.given} -> {fmt(w.value, 1)} kg" if w.given.strip() != fmt(w.value) else ""
    inputs += [
        Input("weight", "body weight", weight, round_half_up(w.value, 3), "kg", round_half_up(w.value, 3), w_note)
    ]
    inputs.append(Input("sex", "sex", sex, sex_used, "", sex_used))
    return Result(
        "crcl",
        "Creatinine clearance, Cockcroft-Gault",
        value,
        "mL/min",
        f"Estimated creatinine clearance {fmt(value)} mL/min (not normalized to body surface area).",
        inputs,
        "CrCl = (140 - age) x weight (kg) / (72 x serum creatinine mg/dL), x 0.85 if female",
        formula,
        [CG_TABERS, CG_HINDAWI],
        [
            "Uses the weight given (actual body weight unless you give another); the choice of weight in obesity "
            "changes the result and is not settled by the formula.",
            "Derived before creatinine assays were standardized (IDMS); for stable renal function in adults.",
            "Many drug labels and the renal bands of periprocedural tables use this CrCl (mL/min), not eGFR.",
        ],
    )


# ---------------------------------------------------------------- contrast (Cigarroa)


def contrast(weight: str | None, creatinine: str | None) -> Result:
    """Maximum contrast volume (Cigarroa 1989): 5 mL x kg / creatinine (mg/dL), at most 300 mL."""
    require(weight=weight, creatinine=creatinine)
    w = parse_quantity("weight", weight)  # type: ignore[arg-type]
    c = parse_quantity("creatinine", creatinine)  # type: ignore[arg-type]
    raw = 5 * w.value / c.value
    capped = raw > 300
    value = 300.0 if capped else floor_to(raw, 0)
    formula = f"5 mL x {fmt(w.value)} kg / {fmt(c.value)} mg/dL = {fmt(raw, 1)} mL" + (
        "; maximum 300 mL -> 300 mL" if capped else f" -> {fmt(value)} mL (rounded down)"
    )
    inputs = [
        Input("weight", "body weight", weight, round_half_up(w.value, 3), "kg", round_half_up(w.value, 3)),
        _lab(c, c.value),
    ]
    warnings = []
    if c.value < 1.8:
        warnings.append(
            f"Creatinine {fmt(c.value)} mg/dL is below the study population's baseline (>= 1.8 mg/dL); the limit "
            "was derived and tested only in patients with renal dysfunction."
        )
    return Result(
        "contrast",
        "Maximum contrast volume (Cigarroa)",
        _num(value),
        "mL",
        f"Contrast limit {fmt(value)} mL" + (" (the formula's 300 mL maximum)." if capped else "."),
        inputs,
        "Contrast limit = 5 mL of contrast x body weight (kg) / serum creatinine (mg/dL), maximum 300 mL",
        formula,
        [CIGARROA_1989],
        [
            "Derived in 115 patients with baseline creatinine >= 1.8 mg/dL undergoing cardiac catheterization "
            "(1979-1989 contrast agents); it is a volume limit, not a safe dose.",
            "The limit is rounded down to a whole mL.",
        ],
        {"uncapped": round_half_up(raw, 1)},
        warnings,
    )


# ---------------------------------------------------------------- lidocaine


def lidocaine(weight: str | None, epinephrine: bool = False, concentration: str | None = None) -> Result:
    """Maximum lidocaine dose (label): 4.5 mg/kg up to 300 mg plain; 7 mg/kg up to 500 mg with epinephrine."""
    require(weight=weight)
    w = parse_quantity("weight", weight)  # type: ignore[arg-type]
    per_kg, cap = (7.0, 500.0) if epinephrine else (4.5, 300.0)
    raw = per_kg * w.value
    capped = raw > cap
    mg = cap if capped else floor_to(raw, 1)
    inputs = [
        Input("weight", "body weight", weight, round_half_up(w.value, 3), "kg", round_half_up(w.value, 3)),
        Input("epinephrine", "with epinephrine", "yes" if epinephrine else "no", epinephrine, "", epinephrine),
    ]
    extra: dict[str, Any] = {"mg_per_kg": per_kg, "max_total_mg": cap, "max_mg": _num(mg)}
    formula = f"{fmt(per_kg)} mg/kg x {fmt(w.value)} kg = {fmt(raw, 1)} mg" + (
        f"; total limit {fmt(cap)} mg -> {fmt(cap)} mg" if capped else f" -> {fmt(mg)} mg"
    )
    if concentration is not None:
        conc = parse_quantity("concentration", concentration)
        ml = floor_to(mg / (conc.value * 10), 1)
        inputs.append(
            Input(
                "concentration",
                "lidocaine concentration",
                concentration,
                conc.value,
                "%",
                conc.value,
                f"{fmt(conc.value * 10)} mg/mL",
            )
        )
        formula += f"; {fmt(mg)} mg / ({fmt(conc.value)}% x 10 mg/mL) = {fmt(ml)} mL"
        extra["max_ml"] = _num(ml)
        interpretation = f"Maximum {fmt(mg)} mg = {fmt(ml)} mL of {fmt(conc.value)}% lidocaine" + (
            " with epinephrine." if epinephrine else " (plain)."
        )
    else:
        vols = {f"{fmt(p)}%": _num(floor_to(mg / (p * 10), 1)) for p in (0.5, 1.0, 2.0)}
        extra["max_ml_by_concentration"] = vols
        interpretation = (
            f"Maximum {fmt(mg)} mg lidocaine"
            + (" with epinephrine" if epinephrine else " (plain)")
            + (" = " + ", ".join(f"{v} mL of {k}" for k, v in vols.items()) + ".")
        )
    return Result(
        "lidocaine",
        "Maximum lidocaine dose (infiltration and nerve block)",
        _num(mg),
        "mg",
        interpretation,
        inputs,
        "Without epinephrine: 4.5 mg/kg, in general at most 300 mg; with epinephrine: 7 mg/kg, in general at most "
        "500 mg; mL = mg / (concentration % x 10)",
        formula,
        [XYLOCAINE_LABEL],
        [
            "Label maxima for normal healthy adults; the label asks for lower doses in children, the elderly, "
            "debilitated patients and patients with cardiac or liver disease.",
            "The total counts every lidocaine given in the same period (all sites, all syringes).",
            "Limits are rounded down (mg and mL to one decimal).",
        ],
        extra,
    )


# ---------------------------------------------------------------- ALBI


def albi(bilirubin: str | None, albumin: str | None) -> Result:
    """ALBI score and grade: 0.66 x log10(bilirubin umol/L) - 0.085 x albumin (g/L)."""
    require(bilirubin=bilirubin, albumin=albumin)
    b = parse_quantity("bilirubin", bilirubin)  # type: ignore[arg-type]
    a = parse_quantity("albumin", albumin)  # type: ignore[arg-type]
    b_si = b.value * BILIRUBIN_UMOL_PER_MG_DL
    a_si = a.value * 10
    raw = 0.66 * math.log10(b_si) - 0.085 * a_si
    score = round_half_up(raw, 2)
    grade = 1 if score <= -2.60 else 2 if score <= -1.39 else 3
    inputs = [
        Input(
            "bilirubin",
            "total bilirubin",
            bilirubin,
            round_half_up(b_si, 2),
            "umol/L",
            round_half_up(b_si, 2),
            f"= {fmt(b.value, 2)} mg/dL",
        ),
        Input(
            "albumin",
            "serum albumin",
            albumin,
            round_half_up(a_si, 2),
            "g/L",
            round_half_up(a_si, 2),
            f"= {fmt(a.value, 2)} g/dL",
        ),
    ]
    formula = f"0.66 x log10({fmt(b_si, 1)}) + (-0.085 x {fmt(a_si, 1)}) = {fmt(raw, 3)} -> {score:.2f}: grade {grade}"
    return Result(
        "albi",
        "ALBI score and grade",
        score,
        "",
        f"ALBI score {score:.2f}: grade {grade} "
        + {1: "(<= -2.60)", 2: "(> -2.60 to <= -1.39)", 3: "(> -1.39)"}[grade]
        + "; lower scores mean better liver function.",
        inputs,
        "ALBI = (log10 bilirubin [umol/L] x 0.66) + (albumin [g/L] x -0.085); grade 1 <= -2.60, grade 2 > -2.60 "
        "to <= -1.39, grade 3 > -1.39",
        formula,
        [HIRAOKA_2017, MDAPP_ALBI],
        [
            "Bilirubin converted at 17.1 umol/L per mg/dL; albumin at 10 g/L per g/dL.",
            "The grade is read from the score rounded to two decimals, as the cut-offs are published.",
            "The formula itself was read in a secondary calculator page citing Johnson et al. (J Clin Oncol 2015), "
            "not in that paper; the grade cut-offs were read in Hiraoka et al. 2017.",
        ],
        {"grade": grade},
    )


# ---------------------------------------------------------------- Y-90


MCI_PER_GBQ = 1000 / 37  # 1 Ci = 3.7e10 Bq (definition), so 1 GBq = 27.03 mCi
GY_KG_PER_GBQ = 50.0


def _lung_checks(activity: float, lsf: float, lung_mass: float, prior: float) -> tuple[float, list[str]]:
    lung_dose = GY_KG_PER_GBQ * activity * lsf / lung_mass
    warnings = []
    if lung_dose > 30:
        warnings.append(f"Estimated lung dose {fmt(lung_dose, 1)} Gy exceeds 30 Gy for a single treatment.")
    if prior + lung_dose > 50:
        warnings.append(
            f"Cumulative lung dose {fmt(prior + lung_dose, 1)} Gy (prior {fmt(prior, 1)} Gy) exceeds 50 Gy."
        )
    return lung_dose, warnings


def y90(
    microspheres: str | None,
    *,
    lung_shunt: str | None = None,
    height: str | None = None,
    weight: str | None = None,
    tumor_volume: str | None = None,
    liver_volume: str | None = None,
    dose: str | None = None,
    mass: str | None = None,
    lung_mass: str | None = None,
    prior_lung_dose: str | None = None,
) -> Result:
    """Y-90 activity: resin (BSA method) or glass (MIRD single compartment), with lung-dose checks."""
    require(microspheres=microspheres)
    kind = parse_choice(
        "--microspheres",
        microspheres,  # type: ignore[arg-type]
        {"resin": "resin", "sir-spheres": "resin", "sirspheres": "resin", "glass": "glass", "therasphere": "glass"},
    )
    lm = (
        parse_quantity("lung_mass", lung_mass)
        if lung_mass is not None
        else Parsed("lung_mass", "1 (assumed)", 1.0, "kg")
    )
    prior = parse_quantity("prior_lung_dose", prior_lung_dose) if prior_lung_dose is not None else None
    prior_v = prior.value if prior else 0.0
    common_inputs = [
        Input("lung_mass", "lung mass", lung_mass, lm.value, "kg", lm.value, "" if lung_mass else "assumed 1 kg"),
        Input("prior_lung_dose", "prior lung dose", prior_lung_dose, prior_v, "Gy", prior_v),
    ]
    if kind == "resin":
        wrong = [o for o, v in (("--dose", dose), ("--mass", mass)) if v is not None]
        if wrong:
            raise UsageError(
                f"{', '.join(wrong)} apply to glass microspheres; resin uses --height, --weight, "
                "--tumor-volume and --liver-volume (BSA method)"
            )
        require(
            lung_shunt=lung_shunt, height=height, weight=weight, tumor_volume=tumor_volume, liver_volume=liver_volume
        )
        h = parse_quantity("height", height)  # type: ignore[arg-type]
        w = parse_quantity("weight", weight)  # type: ignore[arg-type]
        vt = parse_quantity("volume", tumor_volume, "--tumor-volume")  # type: ignore[arg-type]
        vl = parse_quantity("volume", liver_volume, "--liver-volume")  # type: ignore[arg-type]
        lsf = parse_quantity("lung_shunt", lung_shunt)  # type: ignore[arg-type]
        if vt.value > vl.value:
            raise UsageError(
                f"--tumor-volume {vt.given} is larger than --liver-volume {vl.given}; give the total liver volume "
                "(tumour included)"
            )
        bsa = 0.007184 * h.value**0.725 * w.value**0.425
        base = (bsa - 0.2) + vt.value / vl.value
        f = lsf.value
        if f > 20:
            reduction, band = 1.0, "> 20%: do not treat (SIR-Spheres contraindication)"
        elif f > 15:
            reduction, band = 0.4, "> 15% to 20%: reduce by 40%"
        elif f > 10:
            reduction, band = 0.2, "> 10% to 15%: reduce by 20%"
        else:
            reduction, band = 0.0, "<= 10%: no reduction"
        activity = round_half_up(base * (1 - reduction), 2)
        lung_dose, warnings = _lung_checks(activity, f / 100, lm.value, prior_v)
        if reduction == 1.0:
            warnings.insert(0, f"Lung shunt {fmt(f, 1)}% is above 20%: SIR-Spheres are contraindicated.")
        inputs = [
            Input("height", "height", height, round_half_up(h.value, 1), "cm", round_half_up(h.value, 1)),
            Input("weight", "body weight", weight, round_half_up(w.value, 2), "kg", round_half_up(w.value, 2)),
            Input("tumor_volume", "tumour volume", tumor_volume, vt.value, "mL", vt.value),
            Input("liver_volume", "total liver volume (tumour included)", liver_volume, vl.value, "mL", vl.value),
            Input("lung_shunt", "lung shunt fraction", lung_shunt, f, "%", f, band),
            *common_inputs,
        ]
        formula = (
            f"BSA = 0.007184 x {fmt(h.value, 1)}^0.725 x {fmt(w.value, 1)}^0.425 = {fmt(bsa, 3)} m2; "
            f"A = ({fmt(bsa, 3)} - 0.2) + {fmt(vt.value)} / {fmt(vl.value)} = {fmt(base, 3)} GBq; "
            f"lung shunt {fmt(f, 1)}% ({band}) -> {fmt(base, 3)} x {fmt(1 - reduction, 2)} = {activity:.2f} GBq; "
            f"lung dose = 50 x {activity:.2f} x {fmt(f / 100, 3)} / {fmt(lm.value)} kg = {fmt(lung_dose, 1)} Gy"
        )
        return Result(
            "y90",
            "Y-90 activity, resin microspheres (BSA method)",
            activity,
            "GBq",
            (
                f"Do not treat with resin microspheres: lung shunt {fmt(f, 1)}% is above 20% (contraindication); "
                f"the BSA activity before reduction would be {fmt(base, 2)} GBq."
                if reduction == 1.0
                else f"Prescribed activity {activity:.2f} GBq ({fmt(activity * MCI_PER_GBQ, 1)} mCi) for whole-liver "
                f"treatment; estimated lung dose {fmt(lung_dose, 1)} Gy."
            ),
            inputs,
            "A (GBq) = (BSA - 0.2) + V_tumour / V_total liver; BSA (m2) = 0.007184 x height(cm)^0.725 x "
            "weight(kg)^0.425 (Du Bois; = 0.20247 x height(m)^0.725 x weight(kg)^0.425); reduce A by 20% if the "
            "lung shunt is > 10-15%, by 40% if > 15-20%, do not treat if > 20%; lung dose (Gy) = 50 x A x LSF / "
            "lung mass (kg)",
            formula,
            [VAN_ROEKEL, SIRTEX_CONTRA, SIRTEX_DOSIMETRY],
            [
                "The BSA method and its lung-shunt reductions were read in a review (van Roekel, thesis ch. 2), "
                "not in the SIR-Spheres instructions for use, which were not available; check against the current "
                "package insert.",
                "For a lobar or segmental treatment the activity is scaled to the treated fraction of the liver; "
                "this calculator gives the whole-liver BSA activity.",
                "Lung dose assumes a 1 kg lung mass unless --lung-mass is given; limits 30 Gy per treatment and "
                "50 Gy cumulative (van Roekel, citing the original consensus).",
                "Activity is at calibration; decay to treatment time and residual activity are not included.",
            ],
            {
                "microspheres": "resin",
                "bsa_m2": round_half_up(bsa, 3),
                "activity_before_reduction_gbq": round_half_up(base, 3),
                "lung_shunt_reduction": reduction,
                "activity_mci": round_half_up(activity * MCI_PER_GBQ, 1),
                "lung_dose_gy": round_half_up(lung_dose, 1),
                "cumulative_lung_dose_gy": round_half_up(prior_v + lung_dose, 1),
            },
            warnings,
        )
    # glass
    wrong = [
        o
        for o, v in (
            ("--height", height),
            ("--weight", weight),
            ("--tumor-volume", tumor_volume),
            ("--liver-volume", liver_volume),
        )
        if v is not None
    ]
    if wrong:
        raise UsageError(f"{', '.join(wrong)} apply to resin microspheres (BSA method); glass uses --dose and --mass")
    require(lung_shunt=lung_shunt, dose=dose, mass=mass)
    d = parse_quantity("dose", dose)  # type: ignore[arg-type]
    m = parse_quantity("mass", mass)  # type: ignore[arg-type]
    lsf = parse_quantity("lung_shunt", lung_shunt)  # type: ignore[arg-type]
    f = lsf.value / 100
    if f >= 1:
        raise UsageError("--lung-shunt must be below 100%")
    raw = d.value * m.value / (GY_KG_PER_GBQ * (1 - f))
    activity = round_half_up(raw, 2)
    lung_dose, warnings = _lung_checks(activity, f, lm.value, prior_v)
    inputs = [
        Input("dose", "intended absorbed dose to the target", dose, d.value, "Gy", d.value),
        Input("mass", "target (perfused) liver mass", mass, round_half_up(m.value, 4), "kg", round_half_up(m.value, 4)),
        Input("lung_shunt", "lung shunt fraction", lung_shunt, lsf.value, "%", lsf.value),
        *common_inputs,
    ]
    formula = (
        f"A = {fmt(d.value)} Gy x {fmt(m.value, 3)} kg / (50 x (1 - {fmt(f, 3)})) = {fmt(raw, 3)} "
        f"-> {activity:.2f} GBq; "
        f"lung dose = 50 x {activity:.2f} x {fmt(f, 3)} / {fmt(lm.value)} kg = {fmt(lung_dose, 1)} Gy"
    )
    return Result(
        "y90",
        "Y-90 activity, glass microspheres (MIRD single compartment)",
        activity,
        "GBq",
        f"Activity {activity:.2f} GBq ({fmt(activity * MCI_PER_GBQ, 1)} mCi) to deliver {fmt(d.value)} Gy to "
        f"{fmt(m.value, 3)} kg; estimated lung dose {fmt(lung_dose, 1)} Gy.",
        inputs,
        "A (GBq) = D (Gy) x M (kg) / [50 x (1 - LSF)]; lung dose (Gy) = 50 x A x LSF / lung mass (kg); limits "
        "30 Gy per treatment, 50 Gy cumulative",
        formula,
        [KAO_2013, RADIOLOGYKEY_GLASS, VAN_ROEKEL, SIRTEX_DOSIMETRY],
        [
            "Single-compartment MIRD: assumes the activity is spread evenly through the target mass; it does not "
            "give the tumour dose (partition model).",
            "The TheraSphere package insert was not available; the formula was read in published reviews. "
            "Check against the current package insert.",
            "Target mass is the perfused liver mass in kg (volume x density, commonly about 1.03 g/mL).",
            "Lung dose assumes a 1 kg lung mass unless --lung-mass is given.",
            "Activity is at the time of treatment; decay from calibration and residual activity are not included.",
        ],
        {
            "microspheres": "glass",
            "activity_mci": round_half_up(activity * MCI_PER_GBQ, 1),
            "lung_dose_gy": round_half_up(lung_dose, 1),
            "cumulative_lung_dose_gy": round_half_up(prior_v + lung_dose, 1),
        },
        warnings,
    )


#: calculator ids, for help and tests
CALCULATORS = ("meld3", "meld", "meld-na", "child-pugh", "egfr", "crcl", "contrast", "lidocaine", "albi", "y90")
