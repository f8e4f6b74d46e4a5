"""Every procedure, condition and modality named in ../shared/seeds resolves, by the seeds' own wording."""

from __future__ import annotations

import re

import pytest

from irref import catalog, commands

from .conftest import SEEDS

# (wording exactly as in a seed page, kind, expected id)
SEED_TERMS: list[tuple[str, str, str]] = [
    # procedures
    ("Ablation", "procedure", "ablation"),
    ("radiofrequency ablation", "procedure", "radiofrequency-ablation"),
    ("microwave ablation", "procedure", "microwave-ablation"),
    ("cryoablation", "procedure", "cryoablation"),
    ("cryotherapy", "procedure", "cryoablation"),
    ("Irreversible electroporation (IRE)", "procedure", "irreversible-electroporation"),
    ("Draining obstructions", "procedure", "drainage"),
    ("Embolization", "procedure", "embolization"),
    ("chemoembolization", "procedure", "transarterial-chemoembolization"),
    ("Transarterial chemo-embolization (TACE)", "procedure", "transarterial-chemoembolization"),
    ("radioembolization", "procedure", "radioembolization"),
    ("Tumor embolization", "procedure", "preoperative-tumor-embolization"),
    ("Preoperative embolization", "procedure", "preoperative-tumor-embolization"),
    ("Catheter-directed chemotherapy", "procedure", "catheter-directed-chemotherapy"),
    ("nerve block", "procedure", "nerve-block"),
    ("PICC line", "procedure", "picc-line"),
    ("Port catheter placement", "procedure", "implanted-port"),
    ("port", "procedure", "implanted-port"),
    ("central lines", "procedure", "venous-access"),
    ("dialysis catheters", "procedure", "tunneled-dialysis-catheter"),
    ("Tumor biopsy", "procedure", "biopsy"),
    ("Image-guided biopsies", "procedure", "biopsy"),
    ("biopsy", "procedure", "biopsy"),
    ("Vertebroplasty", "procedure", "vertebroplasty"),
    ("veterbroplasty", "procedure", "vertebroplasty"),
    ("kyphoplasty", "procedure", "kyphoplasty"),
    ("Percutaneous tumor ablation", "procedure", "ablation"),
    ("Tumor ablation or cryotherapy", "procedure", "ablation"),
    ("angiography", "procedure", "angiography"),
    ("angioplasty", "procedure", "angioplasty"),
    ("stent", "procedure", "stent-placement"),
    ("thrombectomy", "procedure", "thrombectomy"),
    ("thrombolysis", "procedure", "thrombolysis"),
    ("Nephrostomy placement", "procedure", "nephrostomy"),
    ("nephrostomy tubes", "procedure", "nephrostomy"),
    ("biliary drains", "procedure", "biliary-drainage"),
    ("gastrostomy feeding tubes", "procedure", "gastrostomy"),
    ("nasojejunal (NJ)", "procedure", "nasojejunal-tube"),
    ("chest tube", "procedure", "chest-tube"),
    ("drain an abscess", "procedure", "abscess-drainage"),
    ("joint aspirations", "procedure", "joint-aspiration"),
    ("steroid injections", "procedure", "joint-injection"),
    ("Kidney stone removal", "procedure", "percutaneous-nephrolithotomy-access"),
    ("photoevaporation", "procedure", "laser-treatment-vascular-lesions"),
    ("lasers", "procedure", "laser-treatment-vascular-lesions"),
    ("treat vascular malformations", "procedure", "vascular-malformation-treatment"),
    ("Tunnel peritoneal catheter", "procedure", "tunneled-peritoneal-catheter"),
    ("Accessing your veins during dialysis", "procedure", "fistulagram"),
    # conditions
    ("kidney and liver cancers", "skip", ""),
    ("kidney", "skip", ""),
    ("liver cancer", "condition", "hepatocellular-carcinoma"),
    ("metastasis", "condition", "metastatic-cancer"),
    ("pancreatic cancer", "condition", "pancreatic-cancer"),
    ("breast", "skip", ""),
    ("uterine fibroids", "condition", "uterine-fibroids"),
    ("peripheral artery disease (PAD)", "condition", "peripheral-artery-disease"),
    ("gallstones", "condition", "gallstones"),
    ("blood clots", "condition", "deep-vein-thrombosis"),
    ("aneurysms", "condition", "visceral-artery-aneurysm"),
    ("gastrointestinal bleeding", "condition", "gastrointestinal-bleeding"),
    ("hemorrhages from trauma", "condition", "traumatic-hemorrhage"),
    ("kidney failure", "condition", "chronic-kidney-disease"),
    ("kidney disease", "condition", "chronic-kidney-disease"),
    ("liver disease", "condition", "liver-disease"),
    ("Kidney stones", "condition", "kidney-stones"),
    ("malignant ascites", "condition", "malignant-ascites"),
    ("ascites", "condition", "ascites"),
    ("abscess", "condition", "abscess"),
    ("compression fractures", "condition", "vertebral-compression-fracture"),
    ("vertebral fractures", "condition", "vertebral-compression-fracture"),
    ("vascular malformations", "condition", "vascular-malformation"),
    ("arthritis", "condition", "arthritis"),
    ("blocked bile ducts", "condition", "biliary-obstruction"),
    ("blocked kidneys", "condition", "urinary-obstruction"),
    ("cancer-related pain", "condition", "cancer-pain"),
    ("infectious disease", "condition", "infection"),
    # modalities
    ("Computed tomography (CT)", "modality", "CT"),
    ("CT scans", "modality", "CT"),
    ("CAT scan", "modality", "CT"),
    ("Magnetic resonance imaging (MRI)", "modality", "MRI"),
    ("MRIs", "modality", "MRI"),
    ("Ultrasound", "modality", "Ultrasound"),
    ("ultrasounds", "modality", "Ultrasound"),
    ("X-rays", "modality", "X-ray"),
    ("live X-ray diagnosis", "modality", "Fluoroscopy"),
    ("fluoroscopy", "modality", "Fluoroscopy"),
]

TERMS = [t for t in SEED_TERMS if t[1] != "skip"]


def _seed_text() -> str:
    text = " ".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    return re.sub(r"\s+", " ", text).lower()


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    return catalog.load(env={"IRREF_CACHE_DIR": str(tmp_path_factory.mktemp("c"))})


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside the repository")
def test_wording_is_in_the_seeds():
    """The terms above are the seeds' own words (checked where the seeds are; the resolution
    tests below need only the terms, so a fresh clone without ../shared runs them all)."""
    text = _seed_text()
    missing = [w for w in sorted({t[0] for t in SEED_TERMS}) if w.lower() not in text]
    assert not missing


@pytest.mark.parametrize(("wording", "kind", "expected"), TERMS)
def test_seed_term_resolves(index, wording, kind, expected):
    finder = {
        "procedure": commands.find_procedure,
        "condition": commands.find_condition,
        "modality": commands.find_modality,
    }[kind]
    assert finder(index, wording).id == expected


def test_every_seed_condition_has_procedures(index):
    for wording, kind, _expected in TERMS:
        if kind == "condition":
            assert commands.for_condition(index, wording).rows, wording
