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

from irref import __version__

DISCLAIMER = "Educational reference only, not medical advice."


def _people_help() -> None:
    """Help for people: arguments by their metavar (QUERY..., [PROCEDURE]) without Typer's Python
    type labels (<list[str]>) or braces. Typer 0.29 has no option for this, so its argument class
    is adjusted once, here, for this program only."""
    from typer.core import TyperArgument

    def usage_name(self) -> str:
        name = self.display_name_raw
        name = name if self.required else f"[{name}]"
        return name + ("..." if self.nargs != 1 else "")

    def display_name(self) -> str:
        return self.display_name_raw + ("..." if self.nargs != 1 else "")

    TyperArgument._usage_display_name = usage_name  # type: ignore[method-assign]
    TyperArgument._rich_display_name = display_name  # type: ignore[method-assign]
    TyperArgument.display_type = lambda self, ctx: ""  # type: ignore[method-assign]
    TyperArgument.display_type_rich = lambda self, ctx: None  # type: ignore[method-assign]


_people_help()

app = typer.Typer(
    name="irref",
    help=(
        "irref: an offline reference for interventional radiology (IR) procedures.\n\n"
        f"{DISCLAIMER} It describes typical practice and never replaces a clinician.\n\n"
        "Examples:\n\n"
        "  irref show ablation\n\n"
        "  irref for-condition 'pancreatic cancer'\n\n"
        "  irref list --modality CT --json | jq length\n\n"
        "  irref search 'bone cement'\n\n"
        "  irref compare vertebroplasty kyphoplasty"
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
        self.no_pager: bool = False


STATE = State()


# ---------------------------------------------------------------- shared options

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON on stdout (and nothing else).")]
JsonlOpt = Annotated[bool, typer.Option("--jsonl", help="Print JSON lines: one object per line, for streaming.")]
LimitOpt = Annotated[int | None, typer.Option("--limit", "-n", min=1, metavar="N", help="Show at most N procedures.")]
FieldsOpt = Annotated[
    str | None,
    typer.Option(
        "--fields",
        metavar="A,B,C",
        help="Only these keys of each record, in this order (with --json, --jsonl or --csv), e.g. id,name.",
    ),
]
CsvOpt = Annotated[bool, typer.Option("--csv", help="Print CSV with a header row (lists joined with '; ').")]
ExactOpt = Annotated[
    bool, typer.Option("--exact", help="Accept only an exact name or alias (no typo, word or search matching).")
]


def _completer(kind: str):
    """A Typer completion callback offering `kind` names from the index."""

    def complete(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
        from irref import complete as completion
        from irref import fastparse

        dirs = ctx.find_root().params.get("data_dir") or []
        items = completion.candidates(kind, incomplete, dirs)
        # as the fast path answers: a name of several words is one shell word in bash and zsh
        return fastparse.shell_values(os.environ.get("_IRREF_COMPLETE", ""), items)

    complete.irref_kind = kind  # type: ignore[attr-defined]  # read by irref/grammar.py
    return complete


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
    no_pager: Annotated[
        bool, typer.Option("--no-pager", help="Never page long output (also IRREF_PAGER=cat).")
    ] = False,
) -> None:
    STATE.data_dirs = list(data_dir or [])
    STATE.debug = debug or bool(os.environ.get("IRREF_DEBUG"))
    STATE.no_pager = no_pager


# ---------------------------------------------------------------- error boundary


def _run(path: str, params: dict) -> None:
    """Hand a command's parameters, by name and unchanged, to its action (irref/actions.py): the
    fast parser calls the same action with the same names, from the table generated from this app."""
    from irref import actions

    code = actions.call(path, actions.Ctx(list(STATE.data_dirs), STATE.debug, STATE.no_pager), params)
    if code:
        raise typer.Exit(code)


# ---------------------------------------------------------------- commands


@app.command()
def show(
    query: Annotated[
        list[str],
        typer.Argument(
            metavar="QUERY",
            help="Procedure name, alias or abbreviation (typos are tolerated; several words need no quotes).",
            autocompletion=_completer("procedures"),
        ),
    ],
    section: Annotated[
        list[str] | None,
        typer.Option(
            "--section",
            "-s",
            metavar="SECTION",
            help="Show only this part (repeatable), e.g. preparation, complications, labs, pearls.",
            autocompletion=_completer("sections"),
        ),
    ] = None,
    audience: Annotated[
        str | None,
        typer.Option(
            "--for",
            help="Only the sections for this reader: patient (plain-language care) or clinician (labs, "
            "medications, complications, pearls...). Default: all.",
            metavar="patient|clinician",
        ),
    ] = None,
    as_json: JsonOpt = False,
    exact: ExactOpt = False,
) -> None:
    """Everything about one procedure.

    Examples:

    \b
      irref show ablation
      irref show TACE --json
      irref show liver biopsy
      irref show nephrostomy --section preparation --section aftercare
    """
    _run("show", locals())


@app.command("for-condition")
def for_condition(
    condition: Annotated[
        list[str],
        typer.Argument(
            metavar="CONDITION",
            help="Condition name, synonym or lay term, e.g. 'liver cancer', HCC, PAD (no quotes needed).",
            autocompletion=_completer("conditions"),
        ),
    ],
    limit: LimitOpt = None,
    fields: FieldsOpt = None,
    as_json: JsonOpt = False,
    as_jsonl: JsonlOpt = False,
    as_csv: CsvOpt = False,
    exact: ExactOpt = False,
) -> None:
    """Procedures used for a condition, with what each does for it.

    Examples:

    \b
      irref for-condition 'pancreatic cancer'
      irref for-condition HCC --csv
    """
    _run("for-condition", locals())


@app.command("list")
def list_(
    modality: Annotated[
        str | None,
        typer.Option(
            "--modality",
            "-m",
            metavar="MODALITY",
            help="Imaging guidance, e.g. CT, 'CAT scan', US.",
            autocompletion=_completer("modalities"),
        ),
    ] = None,
    category: Annotated[
        str | None,
        typer.Option(
            "--category",
            "-c",
            metavar="CATEGORY",
            help="Category, e.g. biopsy, drainage, oncology, neuro.",
            autocompletion=_completer("categories"),
        ),
    ] = None,
    region: Annotated[
        str | None,
        typer.Option(
            "--region",
            "-r",
            metavar="REGION",
            help="Body region, e.g. liver, spine.",
            autocompletion=_completer("regions"),
        ),
    ] = None,
    condition: Annotated[
        str | None,
        typer.Option(
            "--condition",
            metavar="CONDITION",
            help="Condition, e.g. 'liver cancer'.",
            autocompletion=_completer("conditions"),
        ),
    ] = None,
    bleeding_risk: Annotated[
        str | None,
        typer.Option(
            "--bleeding-risk",
            metavar="low|high|none",
            help="SIR 2019 bleeding-risk class: low, high or none.",
            autocompletion=_completer("bleeding_risk"),
        ),
    ] = None,
    limit: LimitOpt = None,
    fields: FieldsOpt = None,
    as_json: JsonOpt = False,
    as_jsonl: JsonlOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """A table of procedures; filters combine.

    Examples:

    \b
      irref list --modality CT
      irref list --category biopsy --bleeding-risk low --json
      irref list --region liver --csv > liver.csv
    """
    _run("list", locals())


@app.command()
def search(
    text: Annotated[
        str, typer.Argument(metavar="TEXT", help="Words to look for in every field (typos are tolerated).")
    ],
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, max=1000, metavar="N", help="Most results to show (1-1000).")
    ] = 10,
    as_json: JsonOpt = False,
    as_jsonl: JsonlOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """Ranked full-text search over names, aliases, summaries, steps, conditions, risks and more.

    Examples:

    \b
      irref search "bone cement"
      irref search "blood clot lung" --json
      jq '.[].id'
    """
    _run("search", locals())


@app.command()
def compare(
    queries: Annotated[
        list[str],
        typer.Argument(
            metavar="PROCEDURE",
            help="Two or more procedures, resolved as in 'show'.",
            autocompletion=_completer("procedures"),
        ),
    ],
    as_json: JsonOpt = False,
    as_jsonl: JsonlOpt = False,
    as_csv: CsvOpt = False,
    exact: ExactOpt = False,
) -> None:
    """Procedures side by side: imaging, anesthesia, setting, recovery, main risks, conditions.

    Examples:

    \b
      irref compare vertebroplasty kyphoplasty
      irref compare RFA MWA cryoablation --json
    """
    _run("compare", locals())


@app.command()
def conditions(
    query: Annotated[
        str | None,
        typer.Argument(
            metavar="QUERY",
            help="Only conditions whose name or synonyms contain this.",
            autocompletion=_completer("conditions"),
        ),
    ] = None,
    as_json: JsonOpt = False,
    as_jsonl: JsonlOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """The condition vocabulary: names, synonyms and how many procedures each has.

    Examples:

    \b
      irref conditions
      irref conditions cancer
      irref conditions --csv
    """
    _run("conditions", locals())


@app.command()
def modalities(as_json: JsonOpt = False, as_jsonl: JsonlOpt = False, as_csv: CsvOpt = False) -> None:
    """The imaging-guidance vocabulary: names, synonyms and how many procedures use each.

    Example:

    \b
      irref modalities --json
    """
    _run("modalities", locals())


@app.command()
def tree(
    root: Annotated[
        str | None,
        typer.Argument(
            metavar="PROCEDURE", help="Show only this procedure's family.", autocompletion=_completer("procedures")
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """The family hierarchy: broad entries and their variants (ablation -> radiofrequency, microwave...).

    Examples:

    \b
      irref tree
      irref tree ablation --json
    """
    _run("tree", locals())


@app.command()
def export(
    queries: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="QUERY",
            help="Procedures to export, resolved as in 'show'.",
            autocompletion=_completer("procedures"),
        ),
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            metavar="markdown|html",
            help="Output format: markdown, or html (printable, self-contained).",
        ),
    ] = "markdown",
    all_: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Export the whole catalog as one document (html with --output: one file per record and index.html).",
        ),
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", metavar="DIR", help="Write files into this directory (one per record) instead of stdout."
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing files in --output.")] = False,
    exact: ExactOpt = False,
) -> None:
    """Printable Markdown or HTML handouts with references and the not-medical-advice notice.

    Examples:

    \b
      irref export vertebroplasty > vertebroplasty.md
      irref export TACE Y90 -o handouts/
      irref export --all -o handouts/
      irref export tips --format html > tips.html
    """
    _run("export", locals())


@app.command()
def new(
    name: Annotated[
        str, typer.Argument(metavar="NAME", help="The procedure's display name, e.g. 'Genicular artery embolization'.")
    ],
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            help="Where to write (its procedures/ folder if it has one). Default: ./data if it holds "
            "procedures/, else the current directory.",
            metavar="DIR",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Write even when the id is a shipped record (your copy then replaces it).")
    ] = False,
) -> None:
    """Write a commented template for a new entry (<id>.yaml); never overwrites.

    The file fails 'irref validate' until every TODO is replaced.

    Examples:

    \b
      irref new "Genicular artery embolization"
      irref new "My local protocol" --data-dir mydata
    """
    _run("new", locals())


@app.command()
def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="PATH", help="Procedure files or data directories to check (default: every data directory)."
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Check data files against the record model; exit 1 on any problem.

    Examples:

    \b
      irref validate
      irref validate data/procedures/ablation.yaml
    """
    _run("validate", locals())


@app.command()
def schema(
    data_file: Annotated[
        bool, typer.Option("--data-file", help="The schema of a YAML data file instead (for editors).")
    ] = False,
) -> None:
    """Print the JSON Schema of a record as --json prints it (generated from the model).

    Examples:

    \b
      irref schema > record.schema.json
      irref schema --data-file > procedure-file.schema.json
    """
    _run("schema", locals())


from irref.cli_bedside import register as _register_bedside  # noqa: E402

_register_bedside(app)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point (see `irref.entry`)."""
    from irref.entry import main as entry_main

    entry_main(argv)
