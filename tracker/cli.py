"""The ``tracker`` command: a thin shell over the pipeline. Heavy imports stay inside each command.

Exit codes: 0 success; 1 some input was rejected (the rest was processed); 2 wrong usage;
3 invalid config.yaml or indicator definitions (nothing was changed); 4 another run holds the lock.
"""

from __future__ import annotations

import logging
import sys
from enum import IntEnum
from pathlib import Path
from typing import Annotated

import typer

from tracker.problems import Problem, ProblemsFound, render


class Exit(IntEnum):
    OK = 0
    REJECTED = 1
    USAGE = 2
    INVALID = 3
    BUSY = 4


app = typer.Typer(no_args_is_help=True, add_completion=False, help="Track a city's smart-city strategy: "
                  "validate indicator data, assess progress, publish a static scorecard.")
db_app = typer.Typer(no_args_is_help=True, help="Database schema (Alembic migrations).")
import_app = typer.Typer(no_args_is_help=True, help="Import indicators from other platforms.")
app.add_typer(db_app, name="db")
app.add_typer(import_app, name="import")

Project = Annotated[Path, typer.Option("--project", "-p", help="Project folder holding config.yaml.",
                                       envvar="TRACKER_PROJECT", file_okay=False)]
Format = Annotated[str, typer.Option("--format", help="Problem output: text or json.")]


def _err(text: str) -> None:
    typer.echo(text, err=True)


def _settings(project: Path):  # noqa: ANN202 - Settings imported lazily
    from tracker import config

    try:
        return config.load(project)
    except ProblemsFound as exc:
        _err(render(exc.problems))
        _err(f"config.yaml is invalid: {len(exc.problems)} problem(s); nothing was changed.")
        raise typer.Exit(Exit.INVALID) from exc


def _catalog(settings):  # noqa: ANN001, ANN202
    from tracker import catalog

    try:
        return catalog.load(settings.path("indicators"))
    except ProblemsFound as exc:
        _err(render(exc.problems))
        _err(f"indicator definitions are invalid: {len(exc.problems)} problem(s); nothing was changed.")
        raise typer.Exit(Exit.INVALID) from exc


@app.callback()
def _main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log each step.")] = False) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


@app.command()
def run(
    project: Project = Path("."),
    force: Annotated[bool, typer.Option(help="Rebuild the site even when nothing changed.")] = False,
    wait: Annotated[bool, typer.Option(help="Wait for another run to finish instead of exiting.")] = True,
    fmt: Format = "text",
) -> None:
    """Validate and store every data file and the inbox, assess progress, build the site."""
    from tracker import pipeline
    from tracker.store.db import LockBusy

    settings = _settings(project)
    _catalog(settings)  # report definition problems with the same wording as `validate`
    try:
        report = pipeline.run(settings, force=force, wait=wait)
    except LockBusy:
        _err("another tracker run or the scheduler is recomputing now; try again later or use --wait.")
        raise typer.Exit(Exit.BUSY) from None
    if report.problems:
        _err(render(report.problems, fmt))
    counts: dict[str, int] = {}
    for f in report.files:
        counts[f.status] = counts.get(f.status, 0) + 1
    assessed = sum(s.assessed for s in report.summaries.values())
    total = sum(s.total for s in report.summaries.values())
    typer.echo(
        f"files: {counts.get('accepted', 0)} accepted, {counts.get('unchanged', 0)} unchanged, "
        f"{counts.get('rejected', 0)} rejected; "
        f"observations: {sum(f.added for f in report.files)} added, {sum(f.revised for f in report.files)} revised"
    )
    typer.echo(f"indicators: {assessed} of {total} assessed across {len(report.summaries)} objectives")
    if report.skipped_build:
        typer.echo(f"site: nothing changed, {report.site_path} is current")
    else:
        typer.echo(f"site: {report.site_pages} pages written to {report.site_path} (open {report.site_path}/index.html)")
    if report.rejected:
        _err(f"{len(report.rejected)} file(s) rejected; the site was built from the data that was accepted.")
        raise typer.Exit(Exit.REJECTED)


@app.command()
def validate(
    paths: Annotated[list[Path] | None, typer.Argument(help="Definitions or data files; none: the whole project.")] = None,
    indicator: Annotated[str | None, typer.Option(help="Indicator the data files belong to.")] = None,
    project: Project = Path("."),
    fmt: Format = "text",
) -> None:
    """Check config, definitions and data files; write nothing."""
    from tracker import pipeline

    settings = _settings(project)
    cat = _catalog(settings)
    problems: list[Problem] = []
    checked = 0
    targets: list[tuple[Path, str | None]] = []
    if not paths:
        targets = [(e.data_file, e.indicator.id) for e in cat.entries if e.data_file is not None]
    else:
        for path in paths:
            if path.suffix in {".yaml", ".yml"}:
                checked += 1  # definitions were all checked by loading the catalogue
                continue
            targets.append((path, indicator))
    for path, ind_id in targets:
        label = pipeline.relative_label(path, settings.root)
        entry = _entry_for(cat, path, ind_id)
        if entry is None:
            problems.append(Problem(label, "no indicator matches this file",
                                    hint="pass --indicator ID or name the file <indicator-id>.csv"))
            continue
        if not path.is_file():
            problems.append(Problem(label, "file not found"))
            continue
        _, found = pipeline.read_file(path, entry.indicator, label)
        problems += found
        checked += 1
    if problems:
        typer.echo(render(problems, fmt))
        _err(f"{len(problems)} problem(s) in {len({p.file for p in problems})} file(s).")
        raise typer.Exit(Exit.REJECTED)
    if fmt == "json":
        typer.echo("[]")
    else:
        typer.echo(f"ok: config, {len(cat.entries)} definitions and {checked} file(s) are valid")


def _entry_for(cat, path: Path, indicator_id: str | None):  # noqa: ANN001, ANN202
    from tracker import pipeline

    if indicator_id:
        try:
            return cat.entry(indicator_id)
        except KeyError:
            return None
    return pipeline.inbox_indicator(path.name, cat)


@app.command()
def add(
    file: Annotated[Path, typer.Argument(help="A CSV or XLSX data file.")],
    indicator: Annotated[str | None, typer.Option(help="Indicator id; default: from the file name.")] = None,
    project: Project = Path("."),
    fmt: Format = "text",
) -> None:
    """Validate a data file and merge it into the indicator's series (all or nothing)."""
    from tracker import pipeline
    from tracker.store import db

    settings = _settings(project)
    cat = _catalog(settings)
    label = pipeline.relative_label(file, settings.root)
    entry = _entry_for(cat, file, indicator)
    if entry is None:
        _err(str(Problem(label, "no indicator matches this file",
                         hint="pass --indicator ID or name the file <indicator-id>.csv")))
        raise typer.Exit(Exit.REJECTED)
    if not file.is_file():
        _err(str(Problem(label, "file not found")))
        raise typer.Exit(Exit.REJECTED)
    engine = pipeline.open_database(settings)
    try:
        with db.run_lock(engine, "run", wait=True):
            outcome = pipeline.take_in(engine, entry.indicator, file, label)
    finally:
        engine.dispose()
    if outcome.problems:
        typer.echo(render(outcome.problems, fmt))
        _err(f"{label}: rejected, {len(outcome.problems)} problem(s); nothing was stored.")
        raise typer.Exit(Exit.REJECTED)
    if outcome.status == "unchanged":
        typer.echo(f"{label}: already accepted, nothing changed")
    else:
        typer.echo(f"{label}: accepted for {entry.indicator.id}: {outcome.added} added, {outcome.revised} revised"
                   " (run `tracker run` to publish)")


@app.command()
def history(indicator_id: Annotated[str, typer.Argument(help="Indicator id.")], project: Project = Path(".")) -> None:
    """Every stored value of an indicator, with revisions: old and new value, when, from which file."""
    from tracker import pipeline
    from tracker.store import queries

    settings = _settings(project)
    cat = _catalog(settings)
    try:
        cat.entry(indicator_id)
    except KeyError:
        _err(f"unknown indicator {indicator_id!r}; see the ids in {settings.config.paths.indicators}/")
        raise typer.Exit(Exit.USAGE) from None
    engine = pipeline.open_database(settings)
    try:
        with engine.begin() as conn:
            rows = queries.history(conn, indicator_id)
    finally:
        engine.dispose()
    if not rows:
        typer.echo(f"{indicator_id}: no data stored yet")
        return
    for row in rows:
        typer.echo(str(row))


@app.command()
def serve(
    project: Project = Path("."),
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8000,
) -> None:
    """Serve the built site on http://127.0.0.1:PORT/ (for previewing; any static host works)."""
    import functools
    import http.server

    settings = _settings(project)
    site = settings.path("site")
    if not (site / "index.html").exists():
        _err(f"{site} has no site yet: run `tracker run` first.")
        raise typer.Exit(Exit.USAGE)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        typer.echo(f"serving {site} at http://127.0.0.1:{port}/ (Ctrl+C to stop)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass


@db_app.command("upgrade")
def db_upgrade(project: Project = Path(".")) -> None:
    """Apply the database migrations up to the current schema."""
    from tracker.store import migrations

    settings = _settings(project)
    migrations.upgrade(settings.database_url)
    typer.echo(f"database at revision {migrations.current_revision(settings.database_url)}")


def main() -> None:
    try:
        app()
    except ProblemsFound as exc:  # a stage found problems the command did not expect to handle
        _err(render(exc.problems))
        sys.exit(Exit.INVALID)
