"""The command line: parse options, call the core, hand the result to a view.

Rich is imported only when a command renders for people; ``--json`` output and
``--version`` never import it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from irref import __version__, run

DISCLAIMER = "Educational reference only, not medical advice."

app = typer.Typer(
    name="irref",
    help=(
        "irref: an offline reference for interventional radiology (IR) procedures.\n\n"
        f"{DISCLAIMER} It describes typical practice and never replaces a clinician.\n\n"
        "Examples:\n\n"
        "  irref show ablation\n\n"
        "  irref for-condition 'pancreatic cancer'\n\n"
        "  irref list --modality CT --json | jq length"
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
)


class State:
    """Options shared by every command (set by the app callback)."""

    def __init__(self) -> None:
        self.data_dirs: list[Path] = []
        self.debug: bool = bool(os.environ.get("IRREF_DEBUG"))


STATE = State()


# ---------------------------------------------------------------- shared options

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON on stdout (and nothing else).")]


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"irref {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
    data_dir: Annotated[
        list[Path] | None,
        typer.Option(
            "--data-dir",
            help="Extra directory of procedure YAML files (repeatable; overrides IRREF_DATA_DIRS and the catalog).",
            metavar="DIR",
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show Python tracebacks (for bug reports).")] = False,
) -> None:
    STATE.data_dirs = list(data_dir or [])
    STATE.debug = debug or bool(os.environ.get("IRREF_DEBUG"))


# ---------------------------------------------------------------- error boundary


def _call(action) -> None:
    """Run an action through the shared error boundary; a non-zero code becomes typer.Exit."""
    code = run.guarded(action, debug=STATE.debug)
    if code:
        raise typer.Exit(code)


# ---------------------------------------------------------------- commands


@app.command()
def show(
    query: Annotated[str, typer.Argument(help="Procedure name, alias or abbreviation (typos are tolerated).")],
    section: Annotated[
        list[str] | None,
        typer.Option("--section", "-s", help="Show only this part (repeatable), e.g. preparation, aftercare, risks."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Everything about one procedure.

    Examples: irref show ablation | irref show TACE --json |
    irref show nephrostomy --section preparation --section aftercare
    """
    _call(lambda: run.show(STATE.data_dirs, query, section, as_json))


@app.command("for-condition")
def for_condition(
    condition: Annotated[
        str, typer.Argument(help="Condition name, synonym or lay term, e.g. 'liver cancer', HCC, PAD.")
    ],
    as_json: JsonOpt = False,
) -> None:
    """Procedures used for a condition, with what each does for it.

    Example: irref for-condition 'pancreatic cancer'
    """
    _call(lambda: run.for_condition(STATE.data_dirs, condition, as_json))


@app.command("list")
def list_(
    modality: Annotated[
        str | None, typer.Option("--modality", "-m", help="Imaging guidance, e.g. CT, 'CAT scan', US.")
    ] = None,
    category: Annotated[str | None, typer.Option("--category", "-c", help="Category, e.g. biopsy, drainage.")] = None,
    region: Annotated[str | None, typer.Option("--region", "-r", help="Body region, e.g. liver, spine.")] = None,
    condition: Annotated[str | None, typer.Option("--condition", help="Condition, e.g. 'liver cancer'.")] = None,
    bleeding_risk: Annotated[
        str | None, typer.Option("--bleeding-risk", help="SIR 2019 bleeding-risk class: low, high or none.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """A table of procedures; filters combine.

    Examples: irref list --modality CT | irref list --category biopsy --bleeding-risk low --json
    """
    filters = {
        "modality": modality,
        "category": category,
        "region": region,
        "condition": condition,
        "bleeding_risk": bleeding_risk,
    }
    _call(lambda: run.list_procedures(STATE.data_dirs, filters, as_json))


@app.command()
def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Procedure files or data directories to check (default: every data directory)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Check data files against the record model; exit 1 on any problem.

    Examples: irref validate | irref validate data/procedures/ablation.yaml
    """
    _call(lambda: run.validate(STATE.data_dirs, paths or [], as_json))


@app.command()
def schema() -> None:
    """Print the JSON Schema of a procedure record (generated from the model).

    Example: irref schema > procedure.schema.json
    """
    _call(run.schema)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point (see `irref.entry`)."""
    from irref.entry import main as entry_main

    entry_main(argv)
