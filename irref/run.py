"""Command actions and the error boundary, free of Typer (shared by the CLI and its fast path).

Each action loads the index, calls the core (`commands`), and hands the result to a view:
`output` for JSON (no Rich import) or `views` for people. Actions return an exit code.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence

from irref.errors import ExitCode, IrrefError, UsageError

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing on every run
if TYPE_CHECKING:
    from pathlib import Path


def err(message: str) -> None:
    """A message for people: always stderr."""
    sys.stderr.write(message.rstrip("\n") + "\n")


def quiet_pipe() -> None:
    """The reader went away (e.g. `| head`): silence stdout so nothing fails again at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def guarded(action: Callable[[], int], *, debug: bool = False) -> int:
    """Run an action; known errors become one stderr line and an exit code (tracebacks only in debug)."""
    try:
        code = action()
        sys.stdout.flush()  # surface a closed pipe here, not at interpreter exit
        return code
    except IrrefError as exc:
        if debug:
            raise
        err(f"Error: {exc.message}")
        if exc.hints:
            if exc.exit_code == ExitCode.NOT_FOUND:
                err("Did you mean: " + "; ".join(exc.hints) + "?")
            else:
                for hint in exc.hints:
                    err(f"  valid: {hint}")
        return int(exc.exit_code)
    except BrokenPipeError:
        quiet_pipe()
        return int(ExitCode.OK)
    except KeyboardInterrupt:
        if debug:
            raise
        err("Interrupted.")
        return int(ExitCode.INTERRUPTED)


def load_index(data_dirs: Sequence[str | Path]):
    from irref import catalog
    from irref.environment import current

    index = catalog.load(data_dirs, env=current().environ)
    for notice in index.notices:
        err(f"warning: {notice}")
    problems = index.problems
    cycle = next((p for p in problems if p[3].startswith("parent cycle")), None)
    if cycle is not None:  # the family tree cannot be drawn or trusted: refuse, as validate does
        from irref.loader import display_path

        raise IrrefError(f"{display_path(cycle[0])}:{cycle[1]}: parent: {cycle[3]}; fix it, then run 'irref validate'")
    warn_problems(problems)
    return index


def warn_problems(problems: list[tuple]) -> None:
    """One warning line per data file with problems (the other records are still served)."""
    if not problems:
        return
    from irref.loader import Problem, display_path

    by_file: dict[str, list[Problem]] = {}
    for path, line, field, message in problems:
        by_file.setdefault(path, []).append(Problem(display_path(path), line, field, message))
    files = list(by_file.values())
    shown = files if len(files) <= WARN_FILES else files[: WARN_FILES - 1]
    for probs in shown:
        more = f" (and {len(probs) - 1} more)" if len(probs) > 1 else ""
        err(f"warning: {probs[0]}{more}; run 'irref validate'")
    if len(shown) < len(files):  # thousands of bad user files: a summary, not thousands of lines
        rest = files[len(shown) :]
        err(
            f"warning: {len(rest)} more data file(s) with {sum(len(p) for p in rest)} problem(s) are not "
            "listed; run 'irref validate' to see every one"
        )


#: Most data files named one by one in warnings before the rest are summarised.
WARN_FILES = 5


def _rich():
    from irref import views
    from irref.environment import current

    return views, views.console(sys.stdout, **current().console_options())


def _draw(index, render: Callable[..., None]) -> None:
    """Draw with Rich (``render(views, console)``), or write the text drawn before for the same
    command, index and terminal (irref/rendercache.py); long text goes through the pager."""
    from irref import rendercache
    from irref.environment import current

    env = current()
    where = getattr(index, "path", None)
    key = rendercache.key(env.spec, getattr(index, "key", None), sys.stdout, env.environ, env.width) if where else None
    text = rendercache.get(os.path.dirname(where), key) if key else None
    if text is None:
        views, con = _rich()
        with con.capture() as drawn:
            render(views, con)
        text = drawn.get()
        if key:
            rendercache.put(os.path.dirname(where), key, text)
    _page(text)


def _page(text: str) -> None:
    """Write drawn text, through the user's pager on a terminal, as git and man do: IRREF_PAGER,
    then PAGER, else `less -FRX` (which quits when the text fits one screen); never when stdout is
    not a terminal, with --no-pager, or with IRREF_PAGER=cat (or empty)."""
    from irref.environment import current

    run_env = current()
    environ = run_env.environ
    command = environ.get("IRREF_PAGER", environ.get("PAGER", "less"))
    if run_env.no_pager or not command.strip() or command.strip() == "cat" or not run_env.isatty():
        sys.stdout.write(text)
        return
    import shlex
    import subprocess

    env = {**environ}
    env.setdefault("LESS", "FRX")
    sys.stdout.flush()
    try:
        subprocess.run(shlex.split(command), input=text, text=True, env=env, check=False)
    except OSError:  # no such pager: print as usual
        sys.stdout.write(text)


def show(
    data_dirs: Sequence[str | Path],
    query: str,
    sections: list[str] | None,
    as_json: bool,
    audience: str | None = None,
    exact: bool = False,
) -> int:
    from irref import commands

    index = load_index(data_dirs)
    if as_json and not sections and audience is None:
        # the whole record: its JSON text as stored, plus how the query was matched (a top-level
        # key); no record is parsed, so a warm run imports no json package
        from irref import output

        match, name = commands.locate(index, query, exact=exact)
        if not match.exact:
            err(f"showing {name} for {match.query!r}")
        output.write_raw_record(output.with_keys(index.raw(match.id), {"match": match.as_dict()}), sys.stdout)
        return int(ExitCode.OK)
    shown = commands.show(index, query, sections, audience, exact=exact)
    if not shown.match.exact:
        err(f"showing {shown.record['name']} for {shown.match.query!r}")
    if as_json:
        from irref import output

        # sections or an audience were asked for (the whole record was answered above)
        picked = {"id": shown.id, "name": shown.record["name"]}
        for key in shown.sections or shown.default_sections:
            picked[key] = [r for r, _ in shown.variants] if key == "variants" else shown.record.get(key)
        picked["match"] = shown.match.as_dict()
        output.write_json(picked, sys.stdout)
    else:
        _draw(index, lambda views, con: views.render_show(con, shown))
    return int(ExitCode.OK)


FORMATS = ("rich", "json", "jsonl", "csv")


def output_format(as_json: bool = False, as_jsonl: bool = False, as_csv: bool = False) -> str:
    """The one output format asked for: rich (default), json, jsonl or csv."""
    chosen = [name for name, on in (("json", as_json), ("jsonl", as_jsonl), ("csv", as_csv)) if on]
    if len(chosen) > 1:
        raise UsageError("choose one output format: " + ", ".join(f"--{c}" for c in chosen) + " were given")
    return chosen[0] if chosen else "rich"


#: Columns of `--csv` for procedure listings.
LIST_COLUMNS = ("id", "name", "category", "modalities", "bleeding_risk", "setting", "summary")


def _fields(fields: str | None) -> list[str] | None:
    """Parse `--fields a,b,c` against the keys a record's JSON has."""
    if fields is None:
        return None
    from irref.fields import RECORD_KEYS

    chosen = [f.strip() for f in fields.split(",") if f.strip()]
    unknown = [f for f in chosen if f not in RECORD_KEYS]
    if not chosen or unknown:
        raise UsageError(
            f"unknown field(s) for --fields: {', '.join(unknown) or '(none given)'}", hints=[", ".join(RECORD_KEYS)]
        )
    return chosen


def _emit_listing(index, listing, title: str, fmt: str, limit: int | None = None, fields: str | None = None) -> int:
    """Notices to stderr, then the records (JSON array, JSON lines, CSV or a Rich table); 1 when empty.

    For `for-condition`, every record also carries `condition` (the resolved condition: id and
    name) and `purpose` (what the procedure does for it)."""
    chosen = _fields(fields)
    if chosen is not None and fmt == "rich":
        raise UsageError("--fields selects keys of --json, --jsonl or --csv output: add one of them")
    for notice in listing.notices:
        err(notice)
    ids = listing.ids[:limit] if limit else listing.ids
    cond = listing.condition
    purposes = index.purposes(cond["id"]) if cond is not None else {}
    if fmt in ("json", "jsonl"):
        from irref import output

        def records():
            for rid, raw in zip(ids, index.iter_raw(ids), strict=True):
                if cond is not None:
                    raw = output.with_keys(
                        raw, {"condition": {"id": cond["id"], "name": cond["name"]}, "purpose": purposes.get(rid)}
                    )
                yield output.project(raw, chosen) if chosen else raw

        write = output.write_raw_array if fmt == "json" else output.write_raw_lines
        write(records(), sys.stdout)
    elif fmt == "csv":
        from irref import output

        if chosen:
            import json

            def cells(rid: str, raw: str) -> list:
                rec = json.loads(raw)
                if cond is not None:
                    rec["condition"], rec["purpose"] = cond["id"], purposes.get(rid)
                return [_csv_cell(rec.get(f)) for f in chosen]

            output.write_csv(
                chosen, (cells(r, raw) for r, raw in zip(ids, index.iter_raw(ids), strict=True)), sys.stdout
            )
        else:
            purpose = cond is not None
            columns = (*LIST_COLUMNS, "purpose") if purpose else LIST_COLUMNS
            rows = listing.rows[: len(ids)]
            output.write_csv(
                columns,
                (
                    [
                        row.id,
                        row.name,
                        row.category,
                        row.modalities,
                        row.bleeding_risk or "",
                        row.setting,
                        row.summary,
                        *([row.purpose or ""] if purpose else []),
                    ]
                    for row in rows
                ),
                sys.stdout,
            )
    elif not ids:  # nothing to draw: say so on stderr, leave stdout empty
        err(f"No procedures: {title}.")
    else:
        if limit:
            listing.ids = ids
        _draw(index, lambda views, con: views.render_listing(con, listing, title))
    return int(ExitCode.OK if ids else ExitCode.NOT_FOUND)


def _csv_cell(value):
    """A CSV cell for any JSON value: lists of strings joined with '; ', other structures as JSON."""
    import json

    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else value


def _empty_on_miss(fmt: str, compute):
    """A list-shaped command that finds nothing prints `[]` for --json (and nothing else), then
    reports the miss on stderr with exit 1."""
    from irref.errors import NotFoundError

    try:
        return compute()
    except NotFoundError:
        if fmt == "json":
            sys.stdout.write("[]\n")
        raise


def for_condition(
    data_dirs: Sequence[str | Path],
    condition: str,
    fmt: str,
    exact: bool = False,
    limit: int | None = None,
    fields: str | None = None,
) -> int:
    from irref import commands

    _fields(fields)  # a bad --fields is a usage error before anything is looked up
    index = load_index(data_dirs)
    listing = _empty_on_miss(fmt, lambda: commands.for_condition(index, condition, exact=exact))
    return _emit_listing(index, listing, f"Procedures for {listing.condition['name']}", fmt, limit, fields)


def list_procedures(
    data_dirs: Sequence[str | Path],
    filters: dict[str, str | None],
    fmt: str,
    limit: int | None = None,
    fields: str | None = None,
) -> int:
    from irref import commands

    _fields(fields)
    index = load_index(data_dirs)
    listing = commands.list_procedures(index, **filters)
    label = ", ".join(f"{k}={v}" for k, v in listing.filters.items()) or "all"
    return _emit_listing(index, listing, f"Procedures ({label})", fmt, limit, fields)


def compare(data_dirs: Sequence[str | Path], queries: Sequence[str], fmt: str | bool, exact: bool = False) -> int:
    """Records side by side; --json gives the records, --jsonl one per line, --csv one row per
    procedure with the compared fields as plain text."""
    if isinstance(fmt, bool):
        fmt = "json" if fmt else "rich"
    from irref import commands

    index = load_index(data_dirs)
    compared = commands.compare(index, list(queries), exact=exact)
    for m, rec in zip(compared.matches, compared.records, strict=True):
        if not m.exact:
            err(f"showing {rec['name']} for {m.query!r}")
    if fmt in ("json", "jsonl"):
        from irref import output

        (output.write_raw_array if fmt == "json" else output.write_raw_lines)(compared.raws, sys.stdout)
    elif fmt == "csv":
        from irref import output

        output.write_csv(
            ("id", "name", *(field for _, field in commands.COMPARE_ROWS)),
            (
                [
                    rec["id"],
                    rec["name"],
                    *(commands.compare_cell(index, rec, f, plain=True) for _, f in commands.COMPARE_ROWS),
                ]
                for rec in compared.records
            ),
            sys.stdout,
        )
    else:
        _draw(index, lambda views, con: views.render_compare(con, compared, index))
    return int(ExitCode.OK)


def vocabulary(data_dirs: Sequence[str | Path], kind: str, query: str | None, fmt: str) -> int:
    from irref import commands

    index = load_index(data_dirs)
    entries, notices = _empty_on_miss(fmt, lambda: commands.vocabulary(index, kind, query))
    for notice in notices:
        err(notice)
    if fmt in ("json", "jsonl"):
        from irref import output

        rows = [e.as_dict() for e in entries]
        output.write_json(rows, sys.stdout) if fmt == "json" else output.write_json_lines(rows, sys.stdout)
    elif fmt == "csv":
        from irref import output

        output.write_csv(
            ("id", "name", "synonyms", "procedures", "procedure_ids"),
            ([e.id, e.name, e.synonyms, e.procedures, e.procedure_ids] for e in entries),
            sys.stdout,
        )
    elif entries:
        _draw(
            index,
            lambda views, con: views.render_vocabulary(
                con, entries, "Conditions" if kind == "conditions" else "Imaging modalities"
            ),
        )
    return int(ExitCode.OK if entries else ExitCode.NOT_FOUND)


def tree(data_dirs: Sequence[str | Path], root: str | None, as_json: bool) -> int:
    from irref import commands

    index = load_index(data_dirs)
    nodes = commands.tree(index, root)
    if as_json:
        from irref import output

        output.write_json([n.as_dict() for n in nodes], sys.stdout)
    else:
        _draw(index, lambda views, con: views.render_tree(con, nodes))
    return int(ExitCode.OK if nodes else ExitCode.NOT_FOUND)


def search(data_dirs: Sequence[str | Path], text: str, limit: int, fmt: str) -> int:
    import json

    from irref import search as searching

    index = load_index(data_dirs)
    hits = searching.search_index(index, text, limit=limit)
    if fmt in ("json", "jsonl"):
        from irref import output

        def rows():
            for hit in hits:
                head = json.dumps(
                    {
                        "id": hit.id,
                        "name": hit.name,
                        "score": round(hit.score, 1),
                        "matched": list(hit.matched),
                        "snippets": [
                            {"field": s.field, "text": s.text, "spans": [list(x) for x in s.spans]}
                            for s in hit.snippets
                        ],
                    },
                    ensure_ascii=False,
                )
                yield head[:-1] + ', "record": ' + index.raw(hit.id) + "}"

        (output.write_raw_array if fmt == "json" else output.write_raw_lines)(rows(), sys.stdout)
    elif fmt == "csv":
        from irref import output

        output.write_csv(
            ("rank", "id", "name", "score", "matched", "snippet"),
            (
                [i, h.id, h.name, f"{h.score:.1f}", list(h.matched), h.snippets[0].text if h.snippets else ""]
                for i, h in enumerate(hits, 1)
            ),
            sys.stdout,
        )
    elif not hits:
        err(f"No procedure mentions {text.strip()!r}.")
    else:
        _draw(index, lambda views, con: views.render_search(con, hits, text))
    return int(ExitCode.OK if hits else ExitCode.NOT_FOUND)


def export(
    data_dirs: Sequence[str | Path],
    queries: Sequence[str],
    fmt: str,
    all_: bool,
    directory: Path | None,
    force: bool,
    exact: bool = False,
) -> int:
    """Markdown or HTML handouts: to stdout (one document), or into a directory (one file per record)."""
    import datetime

    from irref import __version__, commands
    from irref import export as exporting

    if fmt.strip().lower() not in ("markdown", "md", "html"):
        raise UsageError(f"unknown export format {fmt!r}", hints=["markdown", "html"])
    if all_ == bool(queries):
        raise UsageError("give procedures to export, or --all for the whole catalog (not both)")
    index = load_index(data_dirs)
    if all_:
        ids = list(index.order)
    else:
        ids = []
        for q in queries:
            m = commands.find_procedure(index, q, exact=exact)
            if not m.exact:
                err(f"exporting {index.names[m.id]} for {m.query!r}")
            if m.id not in ids:
                ids.append(m.id)
    records = [index.record(r) for r in ids]
    context = {"names": index.names, "conditions": index.conditions, "modalities": index.modalities}
    generated = f"Generated by irref {__version__} on {datetime.date.today().isoformat()}."
    if fmt.strip().lower() == "html":
        return _export_html(records, context, all_, directory, force, generated)
    if all_ or directory is None:
        if len(records) == 1 and not all_:
            docs = {
                exporting.filename(records[0]): exporting.record_markdown(records[0], **context, generated=generated)
            }
        else:
            title = (
                "irref: interventional radiology procedures"
                if all_
                else "irref handout: " + ", ".join(r["name"] for r in records)
            )
            docs = {
                "irref-catalog.md": exporting.catalog_markdown(records, **context, title=title, generated=generated)
            }
    else:
        docs = {exporting.filename(r): exporting.record_markdown(r, **context, generated=generated) for r in records}
    if directory is None:
        for text in docs.values():
            sys.stdout.write(text)
        return int(ExitCode.OK)
    return _write_out(directory, docs, force)


def _write_out(directory: Path, docs: dict[str, str], force: bool) -> int:
    """Write handouts into a directory: each file whole or absent (temporary name, then rename);
    an existing file or a link at a name, even a dangling one, is refused without --force."""
    from irref import atomic

    if directory.exists() and not directory.is_dir():
        raise UsageError(f"--output {directory} is not a directory")
    targets = {directory / name: text for name, text in docs.items()}
    atomic.write_files(targets, force=force)
    for target in targets:
        sys.stdout.write(f"{target}\n")
    err(f"wrote {len(targets)} file(s) to {directory}")
    return int(ExitCode.OK)


def _export_html(
    records: list[dict], context: dict, all_: bool, directory: Path | None, force: bool, generated: str
) -> int:
    """HTML handouts: one document to stdout, or one file per record (and index.html with --all)."""
    from irref import export_html

    title = "irref: interventional radiology procedures"
    if directory is None:
        if len(records) == 1 and not all_:
            text = export_html.record_html(records[0], **context, generated=generated)
        else:
            if not all_:
                title = "irref handout: " + ", ".join(r["name"] for r in records)
            text = export_html.catalog_html(records, **context, title=title, generated=generated)
        sys.stdout.write(text)
        return int(ExitCode.OK)
    hrefs = {r["id"]: export_html.filename(r) for r in records}
    if len(set(hrefs.values())) < len(records):
        raise UsageError("two procedures would share one file name; export them separately")
    docs = {hrefs[r["id"]]: export_html.record_html(r, **context, generated=generated, links=hrefs) for r in records}
    if all_:
        docs["index.html"] = export_html.index_html(records, hrefs=hrefs, title=title, generated=generated)
    return _write_out(directory, docs, force)


def new(name: str, directory: Path | None, force: bool = False) -> int:
    """Write a commented template and print its path; never overwrites a file, and shadows a
    shipped record only with ``force``."""
    from pathlib import Path

    from irref import catalog, scaffold

    if directory is None:
        directory = Path("data") if Path("data", "procedures").is_dir() else Path(".")
    rid = scaffold.slug(" ".join(name.split()) or name)
    shipped = Path(catalog.procedure_dir(catalog.shipped_dir()), f"{rid}.yaml")
    target_dir = Path(catalog.procedure_dir(directory))
    if shipped.exists() and target_dir.resolve() != shipped.parent.resolve() and not force:
        raise UsageError(
            f"irref already ships a record with the id '{rid}' ({shipped.name}); a new file would replace it "
            "for every command that reads this directory. Edit a copy on purpose with --force, or choose another name"
        )
    path = scaffold.write_new(name, directory)
    if shipped.exists() and target_dir.resolve() != shipped.parent.resolve():
        err(f"warning: {path} shadows the shipped record '{rid}'")
    sys.stdout.write(f"{path}\n")
    err(f"Fill in every TODO, then check it with: irref validate {path}")
    return int(ExitCode.OK)


def validate(data_dirs: Sequence[str | Path], paths: Sequence[Path], as_json: bool) -> int:
    """Build from scratch (no cache) and report every problem; 1 if there is any."""
    from irref import catalog

    dirs = catalog.data_dirs(data_dirs)
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            dirs.append(p)
        elif p.exists():
            files.append(p)
        else:
            raise IrrefError(f"no such file or directory: {p}")
    if files and len(files) == len(paths) and all(f.name not in catalog.VOCAB_FILES for f in files):
        # only procedure files: check them against the (warm) index instead of rebuilding it
        problems = catalog.check_files(load_index(data_dirs), files, dirs)
        return _report_problems(problems, as_json, f"ok: {len(files)} procedure file(s) valid.")
    sections, _, problems = catalog.build(dirs, extra_files=files, pack=False)  # nothing is stored
    if paths:
        wanted = [os.path.abspath(p) for p in paths]
        problems = [
            pr
            for pr in problems
            if any(os.path.abspath(pr.path) == w or os.path.abspath(pr.path).startswith(w + os.sep) for w in wanted)
        ]
    return _report_problems(
        problems,
        as_json,
        f"ok: {len(sections['rows'])} procedures, {len(sections['conditions'])} conditions, "
        f"{len(sections['modalities'])} modalities valid.",
    )


def _report_problems(problems: list, as_json: bool, ok: str) -> int:
    """Every problem as file:line: field: message (or JSON), and a count; exit 1 if any."""
    if as_json:
        from irref import output

        rows = [{"path": p.path, "line": p.line, "field": p.field, "message": p.message} for p in problems]
        output.write_json(rows, sys.stdout)
    else:
        for p in problems:
            sys.stdout.write(f"{p}\n")
    if problems:
        err(f"{len(problems)} problem(s) in {len({p.path for p in problems})} file(s).")
        return int(ExitCode.NOT_FOUND)
    err(ok)
    return int(ExitCode.OK)


def schema(data_file: bool = False) -> int:
    from irref import model, output

    output.write_json(model.json_schema(data_file), sys.stdout)
    return int(ExitCode.OK)
