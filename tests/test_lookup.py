"""The lookup table: query -> expected procedure, and queries that must not match.

Run with `pytest -s tests/test_lookup.py` to see the accuracy line.
"""

from __future__ import annotations

import pytest

from irref import catalog, commands
from irref.errors import NotFoundError, UsageError
from irref.normalize import normalize

EXPECTED: dict[str, str] = {
    # seed wordings
    "ablation": "ablation",
    "radiofrequency ablation": "radiofrequency-ablation",
    "microwave ablation": "microwave-ablation",
    "cryoablation": "cryoablation",
    "cryotherapy": "cryoablation",
    "Irreversible electroporation (IRE)": "irreversible-electroporation",
    "chemoembolization": "transarterial-chemoembolization",
    "Transarterial chemo-embolization (TACE)": "transarterial-chemoembolization",
    "radioembolization": "radioembolization",
    "embolization": "embolization",
    "Tumor embolization": "preoperative-tumor-embolization",
    "Preoperative embolization": "preoperative-tumor-embolization",
    "Catheter-directed chemotherapy": "catheter-directed-chemotherapy",
    "Port catheter placement": "implanted-port",
    "PICC line placement": "picc-line",
    "central lines": "venous-access",
    "Tumor biopsy": "biopsy",
    "image-guided biopsy": "biopsy",
    "Vertebroplasty": "vertebroplasty",
    "veterbroplasty": "vertebroplasty",
    "kyphoplasty": "kyphoplasty",
    "Nephrostomy placement": "nephrostomy",
    "nephrostomy tubes": "nephrostomy",
    "Percutaneous tumor ablation": "ablation",
    "angiography": "angiography",
    "angioplasty": "angioplasty",
    "thrombectomy": "thrombectomy",
    "thrombolysis": "thrombolysis",
    "chest tube": "chest-tube",
    "nasojejunal feeding tube": "nasojejunal-tube",
    "gastrostomy": "gastrostomy",
    "joint aspiration": "joint-aspiration",
    "nerve block": "nerve-block",
    "kidney stone removal": "percutaneous-nephrolithotomy-access",
    "gallstone removal": "percutaneous-gallstone-removal",
    "photoevaporation": "laser-treatment-vascular-lesions",
    "Tunnel peritoneal catheter": "tunneled-peritoneal-catheter",
    "biliary drain": "biliary-drainage",
    "drain an abscess": "abscess-drainage",
    "uterine fibroid embolization": "uterine-fibroid-embolization",
    # abbreviations
    "TACE": "transarterial-chemoembolization",
    "DEB-TACE": "drug-eluting-bead-chemoembolization",
    "TARE": "radioembolization",
    "Y-90": "radioembolization",
    "Y90": "radioembolization",
    "y 90 radioembolisation": "radioembolization",
    "SIRT": "radioembolization",
    "RFA": "radiofrequency-ablation",
    "MWA": "microwave-ablation",
    "IRE": "irreversible-electroporation",
    "PICC": "picc-line",
    "UFE": "uterine-fibroid-embolization",
    "UAE": "uterine-fibroid-embolization",
    "PAE": "prostate-artery-embolization",
    "GAE": "genicular-artery-embolization",
    "BAE": "bronchial-artery-embolization",
    "TIPS": "tips",
    "BRTO": "brto",
    "PTBD": "biliary-drainage",
    "PCN": "nephrostomy",
    "EVAR": "endovascular-aneurysm-repair",
    "EVLA": "endovenous-ablation",
    "IVC filter": "ivc-filter-placement",
    "G-tube": "gastrostomy",
    "GJ tube": "gastrojejunostomy",
    "NJ tube": "nasojejunal-tube",
    "PleurX catheter": "tunneled-pleural-catheter",
    "FNA thyroid": "thyroid-fine-needle-aspiration",
    "thyroid FNA": "thyroid-fine-needle-aspiration",
    "ESI": "epidural-steroid-injection",
    "LP": "lumbar-puncture",
    "PTA": "angioplasty",
    # spelling variants, case, punctuation
    "chemoembolisation": "transarterial-chemoembolization",
    "Uterine Fibroid Embolisation": "uterine-fibroid-embolization",
    "radio-frequency ablation": "radiofrequency-ablation",
    "micro wave ablation": "microwave-ablation",
    "  KYPHOPLASTY  ": "kyphoplasty",
    "vertebroplasty procedure": "vertebroplasty",
    "chest tube placement": "chest-tube",
    "Cryoablátion": "cryoablation",
    "port placement": "implanted-port",
    "nephrostomy-tube": "nephrostomy",
    # typos
    "kyphoplsaty": "kyphoplasty",
    "vertebroplsty": "vertebroplasty",
    "nefrostomy": "nephrostomy",
    "paracentisis": "paracentesis",
    "thoracentisis": "thoracentesis",
    "radioembolisaton": "radioembolization",
    "cholecystostmy": "cholecystostomy",
    "gastrostomey": "gastrostomy",
    "angiogrpahy": "angiography",
    "sclerotheraphy": "sclerotherapy",
    "histotrpsy": "histotripsy",
    "athrectomy": "atherectomy",
    # lay names and other names
    "spinal tap": "lumbar-puncture",
    "feeding tube": "gastrostomy",
    "chemo port": "implanted-port",
    "clot filter": "ivc-filter-placement",
    "balloon kyphoplasty": "kyphoplasty",
    "liver biopsy": "liver-biopsy",
    "lung biopsy": "lung-biopsy",
    "kidney biopsy": "kidney-biopsy",
    "renal biopsy": "kidney-biopsy",
    "bone biopsy": "bone-biopsy",
    "transjugular liver biopsy": "transjugular-liver-biopsy",
    "dialysis catheter": "tunneled-dialysis-catheter",
    "fistulagram": "fistulagram",
    "fistulogram": "fistulagram",
    "declot": "dialysis-access-thrombectomy",
    "prostate artery embolization": "prostate-artery-embolization",
    "varicocele embolization": "varicocele-embolization",
    "carotid stenting": "carotid-stenting",
    "stroke thrombectomy": "stroke-thrombectomy",
    "aneurysm coiling": "cerebral-aneurysm-coiling",
    "celiac plexus block": "celiac-plexus-block",
    "facet injection": "facet-injection",
    "medial branch block": "facet-injection",
    "epidural steroid injection": "epidural-steroid-injection",
    "sacroplasty": "sacroplasty",
    "cementoplasty": "cementoplasty",
    "esophageal stent": "esophageal-stent",
    "oesophageal stent": "esophageal-stent",
    "colonic stent": "colonic-stent",
    "portal vein embolization": "portal-vein-embolization",
    "thoracic duct embolization": "thoracic-duct-embolization",
    "adrenal vein sampling": "adrenal-vein-sampling",
    "lymphangiogram": "lymphangiography",
    "foreign body retrieval": "foreign-body-retrieval",
    "fallopian tube recanalization": "fallopian-tube-recanalization",
    "IVC filter removal": "ivc-filter-retrieval",
}

MUST_NOT_MATCH = [
    "appendectomy",
    "hip replacement",
    "xyzzy",
    "tonsillectomy",
    "cataract surgery",
    "knee replacement",
    "coronary bypass",
    "liposuction",
    "heart transplant",
    "root canal",
    "caesarean section",
    "colonoscopy screening",
    "tattoo removal",
    "lasik",
    "mastectomy",
    "hernia repair",
    "wisdom teeth",
    "banana",
    "qwerty",
    "homework",
    "pizza",
    "cholecystectomy",
]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    return catalog.load(env={"IRREF_CACHE_DIR": str(tmp_path_factory.mktemp("c"))})


def _resolve(index, query):
    try:
        return commands.find_procedure(index, query).id
    except (NotFoundError, UsageError):
        return None


def test_table_sizes():
    assert len(EXPECTED) >= 100
    assert len(MUST_NOT_MATCH) >= 20


def test_every_expected_id_exists(index):
    missing = sorted(set(EXPECTED.values()) - set(index.records))
    assert not missing


def test_lookup_accuracy(index):
    wrong = {q: (_resolve(index, q), want) for q, want in EXPECTED.items() if _resolve(index, q) != want}
    false_hits = {q: _resolve(index, q) for q in MUST_NOT_MATCH if _resolve(index, q) is not None}
    total = len(EXPECTED) + len(MUST_NOT_MATCH)
    correct = total - len(wrong) - len(false_hits)
    print(f"\nlookup accuracy: {correct}/{total} = {correct / total:.1%}")
    assert not wrong, wrong
    assert not false_hits, false_hits


def test_normalize_rules():
    assert normalize("Transarterial Chemo-Embolisation") == "transarterial chemo embolization"
    assert normalize("Y-90") == normalize("y90") == normalize("Y 90") == "y90"
    assert normalize("Haemorrhage") == "hemorrhage"
    assert normalize("Cryoablátion") == "cryoablation"
    assert normalize("port placement procedure") == "port"


def test_condition_and_modality_synonyms(index):
    assert commands.find_condition(index, "liver cancer").id == "hepatocellular-carcinoma"
    assert commands.find_condition(index, "HCC").id == "hepatocellular-carcinoma"
    assert commands.find_condition(index, "fibroids").id == "uterine-fibroids"
    assert commands.find_condition(index, "PAD").id == "peripheral-artery-disease"
    assert commands.find_condition(index, "blocked kidney").id == "urinary-obstruction"
    assert commands.find_modality(index, "CAT scan").id == "CT"
    assert commands.find_modality(index, "sonography").id == "Ultrasound"
    assert commands.find_modality(index, "live X-ray").id == "Fluoroscopy"
    assert commands.find_modality(index, "MR").id == "MRI"


def test_length_pruning_loses_no_candidate(tmp_path, monkeypatch):
    """The decisive fuzzy pass reads only keys of similar length (from the cache's per-length
    tables); on every test query it must rank exactly what a pass over all keys ranks."""
    from irref import catalog, lookup

    monkeypatch.setenv("IRREF_CACHE_DIR", str(tmp_path))
    catalog.load()
    index = catalog.load()  # from the cache file: keys selected by length in SQL
    assert index._path is not None
    table = index.keys("procedures")
    every = dict(table.items())

    class Unpruned(lookup.DictTable):
        def pairs(self, lo=0, hi=None):
            return super().pairs()

    full = Unpruned(every)
    queries = [q for q in [*EXPECTED, *MUST_NOT_MATCH] if len(lookup.normalize(q)) >= 2]
    for cutoff in (lookup.CONFIDENT - lookup.MARGIN, lookup.SUGGEST):
        for q in queries:
            pruned = [(rid, round(score, 6)) for rid, score, _ in lookup.ranked(table, q, cutoff=cutoff)]
            unpruned = [(rid, round(score, 6)) for rid, score, _ in lookup.ranked(full, q, cutoff=cutoff)]
            # pruning loses nothing: the full pass's candidates come first, in order (the pruned pass
            # may list one more, which the per-scorer cap cut from the longer list of the full pass)
            assert pruned[: len(unpruned)] == unpruned and len(pruned) <= len(unpruned) + 1, (q, cutoff)
