"""Benchmark irref against interpreter floors measured in the same run.

    python bench/run.py            # full run: shipped catalog plus 100 / 1,000 / 10,000 extra records
    python bench/run.py --quick    # smoke run for CI: few repetitions, 100 extra records

Floor: P = `python -c pass` with the same interpreter, measured in the same run; every figure is
reported as a multiple of P beside the target it is held to (issue "One grammar, one store, one
field table"). For reference the run also shows `import typer` and `import rich`. Every figure
is the median wall time of N runs of the installed `irref` script (warm cache, stdout to a pipe).
Synthetic catalogs are copies of the shipped records with new ids, names,
aliases and conditions, written as ordinary YAML files. This is a benchmark, not a test:
nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IRREF = Path(sys.executable).with_name("irref")


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, int, int]:
    """(seconds, max RSS in KiB, exit code) of one run."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss, proc.returncode


def median(argv: list[str], env: dict[str, str], n: int) -> tuple[float, int]:
    run_once(argv, env)  # warm-up (also builds the cache)
    times, rss = [], []
    for _ in range(n):
        t, r, code = run_once(argv, env)
        if code not in (0, 1):
            raise SystemExit(f"benchmark command failed ({code}): {' '.join(argv)}")
        times.append(t)
        rss.append(r)
    return statistics.median(times), max(rss)


def _completion_env(words: str) -> dict[str, str]:
    """The environment bash's completion function gives irref (Typer's completion protocol)."""
    return {"_IRREF_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - 1)}


def make_catalog(target: Path, n: int) -> None:
    """Write n synthetic procedure files (copies of shipped records) plus their conditions."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=False)
    yaml.default_flow_style = False
    shipped = sorted((ROOT / "data" / "procedures").glob("*.yaml"))
    bases = [yaml.load(p.read_text(encoding="utf-8")) for p in shipped]
    procs = target / "procedures"
    procs.mkdir(parents=True)
    n_conditions = max(1, n // 20)
    conditions = [
        {"id": f"synthetic-condition-{j}", "name": f"Synthetic condition {j}", "synonyms": [f"syn cond {j}"]}
        for j in range(n_conditions)
    ]
    with open(target / "conditions.yaml", "w", encoding="utf-8") as fh:
        yaml.dump(conditions, fh)
    for i in range(n):
        rec = dict(bases[i % len(bases)])
        rid = f"{rec['id']}-site{i}"
        rec["id"] = rid
        rec["name"] = f"{rec['name']} (site protocol {i})"
        rec["aliases"] = [f"{a} site{i}" for a in rec.get("aliases", [])[:3]]
        rec["parent"] = None
        rec["conditions"] = [
            *rec["conditions"],
            {"id": f"synthetic-condition-{i % n_conditions}", "purpose": "treats it"},
        ]
        with open(procs / f"{rid}.yaml", "w", encoding="utf-8") as fh:
            yaml.dump(rec, fh)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke run: 3 repetitions, 100 extra records")
    parser.add_argument("-n", type=int, default=15, help="repetitions per figure (default 15)")
    parser.add_argument("--sizes", default="100,1000,10000", help="extra-record catalog sizes (default 100,1000,10000)")
    args = parser.parse_args()
    n = 3 if args.quick else args.n
    sizes = [100] if args.quick else [int(x) for x in args.sizes.split(",") if x.strip()]
    if not IRREF.exists():
        raise SystemExit(f"irref is not installed beside {sys.executable}")

    # An editable (development) install has no bytecode when PYTHONDONTWRITEBYTECODE is set, so every
    # run would recompile irref while Typer and Rich load from .pyc: compile it first, as pip does.
    pkg = subprocess.run(
        [sys.executable, "-c", "import irref, os; print(os.path.dirname(irref.__file__))"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tempfile.gettempdir(),  # not the checkout (its irref/ would shadow the installed one)
    ).stdout.strip()
    subprocess.run([sys.executable, "-m", "compileall", "-q", pkg], check=False, stdout=subprocess.DEVNULL)

    # the shipped catalog the installed irref reads (site-packages for an install, data/ for a checkout)
    catalog_tips = (
        Path(
            subprocess.run(
                [sys.executable, "-c", "from irref import catalog; print(catalog.shipped_dir())"],
                capture_output=True,
                text=True,
                check=True,
                cwd=tempfile.gettempdir(),
            ).stdout.strip()
        )
        / "procedures"
        / "tips.yaml"
    )
    work = Path(tempfile.mkdtemp(prefix="irref-bench-"))
    base_env = {k: v for k, v in os.environ.items() if k not in ("IRREF_DATA_DIRS", "IRREF_DEBUG")}
    base_env["COLUMNS"] = "100"
    py = sys.executable
    rows: list[tuple[str, float, str, float | None]] = []
    try:
        env = {**base_env, "IRREF_CACHE_DIR": str(work / "cache-shipped")}
        bare, _ = median([py, "-c", "pass"], env, n)
        rows += [
            ("P: python -c pass", bare, "", None),
            ("   python -c 'import typer'", median([py, "-c", "import typer"], env, n)[0], "", None),
            ("   python -c 'import rich.console'", median([py, "-c", "import rich.console"], env, n)[0], "", None),
        ]

        def fig(label: str, argv: list[str], e: dict[str, str], target: float | None = None) -> float:
            t, _ = median([str(IRREF), *argv], e, n)
            rows.append((label, t, f"<= {target:g}" if target else "", t / bare))
            return t

        fig("show ablation --json", ["show", "ablation", "--json"], env, 3)
        fig("show vertebroplsaty --json (fuzzy)", ["show", "vertebroplsaty", "--json"], env, 4.5)
        # name resolution (issue 12): read by the query's words; answered by the full-text search
        q_words, q_search = "fluoro guided gastrostomy", "pelvic congestion treatment"
        fig(f"show '{q_words}' --json (words)", ["show", q_words, "--json"], env, 4.5)
        fig(f"show '{q_search}' --json (search)", ["show", q_search, "--json"], env, 4.5)
        fig("show ablation (Rich card, to a pipe)", ["show", "ablation"], env, 7)
        # the same card drawn afresh every time (as a first `show` of any procedure is)
        fig("show ablation (Rich card, render cache off)", ["show", "ablation"], {**env, "IRREF_NO_RENDER_CACHE": "1"})
        for label, argv in (
            ("for-condition 'liver cancer' --json", ["for-condition", "liver cancer", "--json"]),
            ("list --modality CT --json", ["list", "--modality", "CT", "--json"]),
            ("list --modality CT (Rich)", ["list", "--modality", "CT"]),
            ("search 'bone cement' --json", ["search", "bone cement", "--json"]),
            ("compare TACE Y90", ["compare", "TACE", "Y90"]),
            ("tree", ["tree"]),
            ("conditions", ["conditions"]),
            ("modalities", ["modalities"]),
            ("export tips", ["export", "tips"]),
            ("validate <catalog>/tips.yaml (a catalog file)", ["validate", str(catalog_tips)]),
            (
                "calc meld3 ... --json",
                [
                    "calc",
                    "meld3",
                    "--bilirubin",
                    "2.3",
                    "--inr",
                    "1.6",
                    "--creatinine",
                    "1.4",
                    "--sodium",
                    "131",
                    "--albumin",
                    "2.9",
                    "--sex",
                    "female",
                    "--json",
                ],
            ),
        ):
            fig(label, argv, env, 8)
        fig("completion: show vert<TAB>", [], {**env, **_completion_env("irref show vert")}, 8)
        # a file outside the catalog (a new entry being written) is parsed and checked by the model
        outside = work / "new-entry.yaml"
        outside.write_text(
            (ROOT / "data" / "procedures" / "tips.yaml")
            .read_text(encoding="utf-8")
            .replace("id: tips", "id: new-entry", 1),
            encoding="utf-8",
        )
        fig("validate new-entry.yaml (outside the catalog)", ["validate", str(outside)], env)

        growth: dict[int, float] = {}
        for size in sizes:
            data = work / f"data-{size}"
            make_catalog(data, size)
            e = {**base_env, "IRREF_CACHE_DIR": str(work / f"cache-{size}"), "IRREF_DATA_DIRS": str(data)}
            start = time.perf_counter()
            _, cold_rss, _ = run_once([str(IRREF), "show", "ablation", "--json"], e)
            cold = time.perf_counter() - start
            rows.append((f"+{size}: cold build (s, show ablation)", cold, "<= 5 s" if size >= 10000 else "", None))
            rows.append(
                (f"+{size}: max RSS cold build (MiB)", cold_rss / 1024, "<= 100" if size >= 10000 else "", None)
            )
            big = size >= 10000
            growth[size] = fig(f"+{size}: show ablation --json", ["show", "ablation", "--json"], e, 6 if big else None)
            fig(f"+{size}: show vertebroplsaty --json", ["show", "vertebroplsaty", "--json"], e)
            fig(
                f"+{size}: search 'bone cement' --json",
                ["search", "bone cement", "--json"],
                e,
                15 if big else None,
            )
            fig(f"+{size}: for-condition 'liver cancer' --json", ["for-condition", "liver cancer", "--json"], e)
            fig(f"+{size}: list --modality CT --json", ["list", "--modality", "CT", "--json"], e)
            _, rss = median([str(IRREF), "list", "--modality", "CT", "--json"], e, max(3, n // 3))
            rows.append((f"+{size}: max RSS warm list (MiB)", rss / 1024, "<= 100" if big else "", None))
        print(f"| {'figure':44} | {'median':>9} | {'x P':>6} | {'target':>7} |")
        print(f"| {'-' * 44} | {'-' * 9}:| {'-' * 6}:| {'-' * 7} |")
        for label, t, target, ratio in rows:
            if "MiB" in label:
                value = f"{t:6.1f} MiB"
            elif "(s," in label:
                value = f"{t:7.2f} s"
            else:
                value = f"{t * 1000:6.1f} ms"
            r = f"{ratio:6.2f}" if ratio is not None else ""
            print(f"| {label:44} | {value:>9} | {r:>6} | {target:>7} |")
        if len(growth) > 1:
            small, big_t = growth[min(growth)], growth[max(growth)]
            print(f"growth of warm exact show, +{min(growth)} -> +{max(growth)}: {big_t / small:.2f} x")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
