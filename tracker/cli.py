"""The ``tracker`` command: a thin shell over the pipeline. Heavy imports stay inside each command.

Exit codes: 0 success; 1 some input was rejected (the rest was processed); 2 wrong usage;
3 invalid config.yaml or indicator definitions (nothing was changed); 4 another run holds the lock;
5 an update could not be delivered (recorded, retried at the next update, reported to the operations channel).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import sys
from datetime import UTC, date, datetime
from enum import IntEnum
from pathlib import Path
from typing import Annotated

import typer

from tracker.problems import Problem, ProblemsFound, render, visible


class Exit(IntEnum):
    OK = 0
    REJECTED = 1
    USAGE = 2
    INVALID = 3
    BUSY = 4
    UNDELIVERED = (
        5  # its own code: a delivery failure is not rejected input, and a cron wrapper can tell them apart
    )


app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    help="Track a city's smart-city strategy: "
    "validate indicator data, assess progress, publish a static scorecard.",
)
db_app = typer.Typer(no_args_is_help=True, help="Database schema (Alembic migrations).")
import_app = typer.Typer(no_args_is_help=True, help="Import indicators from other platforms.")
export_app = typer.Typer(no_args_is_help=True, help="Export the indicators for other platforms.")
app.add_typer(db_app, name="db")
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")

Project = Annotated[
    Path,
    typer.Option(
        "--project",
        "-p",
        help="Project folder holding config.yaml.",
        envvar="TRACKER_PROJECT",
        file_okay=False,
    ),
]
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


def _catalog(settings, *, keep: bool = True):  # noqa: ANN001, ANN202
    from tracker import catalog

    try:
        return catalog.load_project(settings, keep=keep)
    except ProblemsFound as exc:
        _err(render(exc.problems))
        _err(f"indicator definitions are invalid: {len(exc.problems)} problem(s); nothing was changed.")
        raise typer.Exit(Exit.INVALID) from exc


def _show_version(value: bool) -> None:
    if value:
        from tracker import __version__

        typer.echo(f"smartcity-tracker {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log each step.")] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )


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
    cat = _catalog(settings)  # definition problems are reported with the same wording as `validate`
    try:
        report = pipeline.run(settings, force=force, wait=wait, cat=cat)
    except LockBusy:
        _err("another tracker run or the scheduler is recomputing now; try again later or use --wait.")
        raise typer.Exit(Exit.BUSY) from None
    except ProblemsFound as exc:  # a configured language the tracker has no words for
        _err(render(exc.problems, fmt))
        raise typer.Exit(Exit.INVALID) from exc
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
    if report.summaries:
        typer.echo(f"indicators: {assessed} of {total} assessed across {len(report.summaries)} objectives")
    if report.skipped_build:
        typer.echo(f"site: nothing changed, {report.site_path} is current")
    else:
        kept = report.site_pages - report.site_rendered
        detail = f" ({report.site_rendered} rendered, {kept} unchanged)" if kept else ""
        typer.echo(
            f"site: {report.site_pages} pages{detail} published at {report.site_path} "
            f"(open {report.site_path}/index.html)"
        )
    _base_url_warning(settings)
    _show_deliveries(settings, report.deliveries, quiet_nothing=True)
    if report.rejected:
        _err(f"{len(report.rejected)} file(s) rejected; the site was built from the data that was accepted.")
        raise typer.Exit(Exit.REJECTED)
    if any(o.status == "failed" for o in report.deliveries):
        raise typer.Exit(Exit.UNDELIVERED)


def _base_url_warning(settings) -> None:  # noqa: ANN001 - Settings imported lazily
    """Without ``site.base_url`` e-mails and chat messages carry no links: say so when someone receives them."""
    if settings.config.updates.subscriptions and not settings.config.site.base_url:
        _err(
            "warning: site.base_url is not set, so updates to subscriptions carry no links to the site; "
            "set it in config.yaml to the address where the site is published (https://...)"
        )


def _show_deliveries(settings, outcomes: list, *, quiet_nothing: bool = False) -> None:  # noqa: ANN001
    """One line per subscription: what was sent (or would be) to whom, or why not; failures on stderr."""
    from tracker.updates.deliver import channel_kind

    subs = {s.name: s for s in settings.config.updates.subscriptions}
    for o in outcomes:
        sub = subs[o.subscription]
        who = f"{o.subscription} ({sub.language}, {channel_kind(sub.url)}) via {o.channel}"
        told = (
            "; reported to the operations channel"
            if o.reported
            else "; NOT reported: set updates.operations_url"
            if not settings.config.updates.operations_url
            else "; the operations channel could not be told either"
        )
        if o.status == "would_send" and o.message is not None:
            typer.echo(f"would send to {who}")
            typer.echo(f"  title: {o.message.title}")
            body = o.message.text if channel_kind(sub.url) == "email" else o.message.chat
            typer.echo("\n".join(f"  | {line}" for line in body.splitlines()))
        elif o.status == "sent":
            typer.echo(f"update sent to {who}: {o.message.title if o.message else ''}")
        elif o.status == "failed" and not o.recorded:  # the digest could not even be made (e.g. a template)
            _err(f"update NOT prepared for {o.subscription}: {o.detail} (tried again at the next update)")
        elif o.status == "failed":
            _err(f"update NOT delivered to {who}: {o.detail} (recorded; retried at the next update{told})")
        elif o.status == "skipped":
            _err(f"update to {who} not resent: {o.detail}{told}")
        elif not quiet_nothing:
            typer.echo(f"{o.subscription}: nothing to send ({o.detail})")


@app.command()
def validate(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Definitions or data files; none: the whole project.")
    ] = None,
    indicator: Annotated[str | None, typer.Option(help="Indicator the data files belong to.")] = None,
    project: Project = Path("."),
    fmt: Format = "text",
) -> None:
    """Check config, definitions and data files; write nothing."""
    from tracker import pipeline

    settings = _settings(project)
    cat = _catalog(settings, keep=False)  # validate writes nothing, not even the parse cache
    _known_indicator(cat, indicator, settings)
    from tracker.site.build import check_templates

    template_problems = pipeline.language_problems(settings) + check_templates(settings)
    if template_problems:
        typer.echo(render(template_problems, fmt))
        _err(
            f"the city's languages and templates have {len(template_problems)} problem(s); nothing was changed."
        )
        raise typer.Exit(Exit.INVALID)
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
            problems.append(
                Problem(
                    label,
                    "no indicator matches this file",
                    hint="pass --indicator ID or name the file <indicator-id>.csv",
                )
            )
            continue
        if not path.is_file():
            problems.append(Problem(label, "file not found"))
            continue
        _, found = pipeline.read_file(
            path, entry.indicator, label, keep=False, today=_today(settings), limits=settings.limits
        )
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
    _base_url_warning(settings)


def _today(settings) -> date:  # noqa: ANN001 - Settings, imported lazily
    """Today in the city's time zone (not the machine's): outside a run, what makes a period "in the future"."""
    from tracker import pipeline

    return pipeline.run_date(settings, datetime.now(UTC))


def _known_indicator(cat, indicator_id: str | None, settings) -> None:  # noqa: ANN001
    """Exit with the usage code when ``--indicator`` names no indicator of the catalogue, naming the id."""
    if indicator_id is None:
        return
    try:
        cat.entry(indicator_id)
    except KeyError:
        import difflib

        ids = [e.indicator.id for e in cat.entries]
        guess = difflib.get_close_matches(indicator_id, ids, n=1)
        _err(
            visible(
                f"unknown indicator {indicator_id!r}"
                + (f"; did you mean {guess[0]!r}?" if guess else "")
                + f" (the ids are the definition file names in {settings.config.paths.indicators}/)"
            )
        )
        raise typer.Exit(Exit.USAGE) from None


def _entry_for(cat, path: Path, indicator_id: str | None):  # noqa: ANN001, ANN202

    if indicator_id:
        try:
            return cat.entry(indicator_id)
        except KeyError:
            return None
    return cat.inbox_indicator(path.name)


@app.command()
def add(
    file: Annotated[Path, typer.Argument(help="A CSV or XLSX data file.")],
    indicator: Annotated[str | None, typer.Option(help="Indicator id; default: from the file name.")] = None,
    project: Project = Path("."),
    fmt: Format = "text",
) -> None:
    """Validate a data file and merge it into the indicator's series (all or nothing)."""
    from tracker import pipeline
    from tracker.store import db, open_database

    settings = _settings(project)
    cat = _catalog(settings)
    _known_indicator(cat, indicator, settings)
    label = pipeline.relative_label(file, settings.root)
    entry = _entry_for(cat, file, indicator)
    if entry is None:
        _err(
            str(
                Problem(
                    label,
                    "no indicator matches this file name",
                    hint="pass --indicator ID or name the file <indicator-id>.csv",
                )
            )
        )
        raise typer.Exit(Exit.USAGE)
    if not file.is_file():
        _err(
            str(
                Problem(
                    label,
                    "file not found" if not file.exists() else "is not a regular file",
                    hint="give the path of a CSV or XLSX file",
                )
            )
        )
        raise typer.Exit(Exit.REJECTED)
    with open_database(settings) as engine, db.run_lock(engine, "run", wait=True):
        outcome = pipeline.take_in(
            engine, entry.indicator, file, label, today=_today(settings), limits=settings.limits
        )
    shown = visible(label)
    if outcome.problems:
        typer.echo(render(outcome.problems, fmt))
        _err(f"{shown}: rejected, {len(outcome.problems)} problem(s); nothing was stored.")
        raise typer.Exit(Exit.REJECTED)
    if outcome.status == "unchanged":
        typer.echo(f"{shown}: already accepted, nothing changed")
    else:
        typer.echo(
            f"{shown}: accepted for {entry.indicator.id}: {outcome.added} added, {outcome.revised} revised"
            " (run `tracker run` to publish)"
        )


@app.command()
def history(
    indicator_id: Annotated[str, typer.Argument(help="Indicator id.")],
    project: Project = Path("."),
    fmt: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """Every stored value of an indicator, with revisions: old and new value, when, from which file."""
    from tracker.store import open_database, queries

    settings = _settings(project)
    cat = _catalog(settings)
    try:
        cat.entry(indicator_id)
    except KeyError:
        _err(f"unknown indicator {indicator_id!r}; see the ids in {settings.config.paths.indicators}/")
        raise typer.Exit(Exit.USAGE) from None
    with open_database(settings) as engine, engine.begin() as conn:
        rows = queries.history(conn, indicator_id)
    if not rows:
        typer.echo(f"{indicator_id}: no data stored yet")
        return
    if fmt == "json":
        import json
        from dataclasses import asdict

        typer.echo(json.dumps([asdict(r) for r in rows], default=str, ensure_ascii=False, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{indicator_id}: stored values and revisions", title_justify="left")
    columns = ("series", "period", "old value", "new value", "recorded (UTC)", "from file", "status")
    peers = any(r.territory for r in rows)
    for column in ("territory", *columns) if peers else columns:
        table.add_column(column)
    mark = {"lower": "more than ", "upper": "less than "}  # a published bound: "more than 63", never "63"
    for r in rows:
        table.add_row(
            *([r.territory or settings.config.city.name] if peers else []),
            r.series or "headline",
            r.period,
            "" if r.old_value is None else f"{mark.get(r.old_bound, '')}{r.old_value:g}",
            f"{mark.get(r.bound, '')}{r.new_value:g}",
            r.recorded_at.strftime("%Y-%m-%d %H:%M:%S"),
            f"{r.file_path}:{r.line}",
            "current" if r.current else "replaced",
        )
    Console(width=160).print(table)


@app.command()
def serve(
    project: Project = Path("."),
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0: any free one, printed).")] = 8000,
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
        typer.echo(f"serving {site} at http://127.0.0.1:{server.server_port}/ (Ctrl+C to stop)")
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()


@app.command()
def schedule(
    project: Project = Path("."),
    show: Annotated[bool, typer.Option("--list", help="Show each job's next run times and exit.")] = False,
) -> None:
    """Run the scheduled jobs (recompute, inbox, digest of config.yaml) in the foreground until Ctrl+C or SIGTERM."""
    from tracker import schedule as schedule_mod
    from tracker.store.db import LockBusy

    settings = _settings(project)
    if show:
        now = datetime.now(UTC)
        for name in schedule_mod.FUNCTIONS:
            job = getattr(settings.config.schedule, name)
            if not job.enabled:
                typer.echo(f"{name:<10} {job.cron:<16} disabled")
                continue
            trigger = schedule_mod.cron_trigger(job.cron, settings.config.timezone)
            times = ", ".join(
                t.strftime("%a %Y-%m-%d %H:%M %Z") for t in schedule_mod.next_fire_times(trigger, now, 3)
            )
            typer.echo(f"{name:<10} {job.cron:<16} next: {times}")
        return

    def started(scheduler) -> None:  # noqa: ANN001
        for job in sorted(scheduler.get_jobs(), key=lambda j: j.id):
            when = job.next_run_time.strftime("%a %Y-%m-%d %H:%M %Z") if job.next_run_time else "paused"
            typer.echo(f"{job.id:<10} next run {when}")
        typer.echo("scheduler running; stop it with Ctrl+C or SIGTERM (a running job is let finish)")

    try:
        schedule_mod.run_forever(settings, on_started=started)
    except LockBusy:
        _err("another `tracker schedule` is already running on this database; run only one scheduler.")
        raise typer.Exit(Exit.BUSY) from None
    typer.echo("scheduler stopped")


@app.command()
def updates(
    project: Project = Path("."),
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Show what would be sent now and to whom; send and record nothing."),
    ] = False,
    subscription: Annotated[
        list[str] | None, typer.Option("--subscription", "-s", help="Only this subscription (repeatable).")
    ] = None,
) -> None:
    """Send each subscription what changed since its last update, now (whatever its `when`)."""
    from tracker import updates as updates_mod
    from tracker.store.db import LockBusy
    from tracker.updates.deliver import unknown_objectives

    settings = _settings(project)
    cat = _catalog(settings)
    subs = settings.config.updates.subscriptions
    if not subs:
        typer.echo("no subscriptions: add them under updates.subscriptions in config.yaml")
        return
    unknown = sorted(set(subscription or []) - {s.name for s in subs})
    if unknown:
        _err(f"unknown subscription(s): {', '.join(unknown)}; configured: {', '.join(s.name for s in subs)}")
        raise typer.Exit(Exit.USAGE)
    for warning in unknown_objectives(settings, cat):
        _err(f"warning: {warning}")
    _base_url_warning(settings)
    try:
        outcomes = updates_mod.send_now(settings, names=subscription or None, dry_run=dry_run, lock_wait=60)
    except LockBusy:
        _err("the scheduler is sending updates now; try again in a minute.")
        raise typer.Exit(Exit.BUSY) from None
    _show_deliveries(settings, outcomes)
    if dry_run:
        typer.echo("dry run: nothing was sent or recorded")
    if any(o.status == "failed" for o in outcomes):
        raise typer.Exit(Exit.UNDELIVERED)


@app.command()
def bench(
    indicators: Annotated[
        int, typer.Option(min=1, help="Synthetic indicators (across 7 objectives).")
    ] = 1000,
    years: Annotated[int, typer.Option(min=1, max=120, help="Annual values per series.")] = 30,
    series: Annotated[
        int, typer.Option(min=1, help="Series per indicator: the headline plus SERIES-1 municipi.")
    ] = 10,
    repeat: Annotated[int, typer.Option(min=1, help="Runs per measure; medians are reported.")] = 3,
    naive_repeat: Annotated[int, typer.Option(min=1, help="Runs of the naive pandas + Plotly approach.")] = 1,
    milan: Annotated[
        bool, typer.Option("--milan", help="Also time the project's own catalogue, cold and warm.")
    ] = False,
    profile: Annotated[
        Path | None, typer.Option(help="Also write a cProfile of one cold build to this file.")
    ] = None,
    merge_rows: Annotated[
        int,
        typer.Option(
            min=0, help="Values of the store's bulk-merge measure (then a third of them revised); 0 skips it."
        ),
    ] = 300_000,
    opensdg: Annotated[
        Path | None,
        typer.Option(
            help="Also import this Open SDG data repository and build it cold, in one language and two; "
            "default: Statistics Canada's sample in ../shared/data/opensdg-cif-sample when it is there."
        ),
    ] = None,
    no_opensdg: Annotated[bool, typer.Option("--no-opensdg", help="Skip the Open SDG scenario.")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print every figure as JSON instead of tables.")
    ] = False,
    project: Project = Path("."),
) -> None:
    """Time `tracker run` on a SYNTHETIC catalogue (cold, unchanged, one file changed) against the naive approach,
    the store's bulk merge of 300,000 values, and real Open SDG data imported and built."""
    import json

    from tracker import bench as bench_mod
    from tracker.bench.opensdg import SAMPLE

    if opensdg is None and not no_opensdg and SAMPLE.is_dir():
        opensdg = SAMPLE

    result = bench_mod.run_benchmark(
        indicators,
        years,
        series,
        repeat,
        naive_repeat=naive_repeat,
        profile=profile,
        merge_rows=merge_rows,
        milan=project.resolve() if milan else None,
        opensdg=None if no_opensdg else opensdg,
        log=lambda text: _err(f"bench: {text}"),
    )
    if as_json:
        typer.echo(json.dumps(result, indent=2))
    else:
        bench_mod.render(result)


@app.command()
def init(
    folder: Annotated[
        Path, typer.Argument(help="The new project's folder (missing or empty).", file_okay=False)
    ],
    city: Annotated[str, typer.Option("--city", help="The city's name, as the pages show it.")] = "My City",
    languages: Annotated[
        list[str] | None,
        typer.Option("--languages", help="Interface languages, the default first; repeat it (it, en, fr)."),
    ] = None,
    timezone: Annotated[str, typer.Option(help="The city's IANA time zone.")] = "Europe/Rome",
) -> None:
    """Start a new city's project: config.yaml, objectives, one example indicator, an inbox, a stewards' guide."""
    from pydantic import ValidationError

    from tracker import config
    from tracker.scaffold import NewCity, create, scaffold_languages, texts

    city_spec = NewCity(city, tuple(dict.fromkeys(languages or ["it", "en"])), timezone)
    if unknown := [lang for lang in city_spec.languages if lang not in scaffold_languages()]:
        _err(
            f"languages: the example project has no texts in {', '.join(unknown)} "
            f"(it has {', '.join(sorted(scaffold_languages()))}; see 'Adding a language' in the README)"
        )
        raise typer.Exit(Exit.USAGE)
    try:  # checked before anything is written, with the rules config.yaml itself is checked by
        config.Config.model_validate(
            {
                "city": {"title": texts(city_spec, "title"), "strategy": texts(city_spec, "strategy")},
                "languages": city_spec.languages,
                "default_language": city_spec.languages[0],
                "timezone": timezone,
            }
        )
    except ValidationError as exc:
        _err("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()))
        raise typer.Exit(Exit.USAGE) from None
    try:
        create(folder, city_spec)
    except ProblemsFound as exc:  # a folder that already holds anything: never written into
        _err(render(exc.problems))
        raise typer.Exit(Exit.USAGE) from None
    _catalog(config.load(folder), keep=False)  # what was written is a valid project (else a bug: exit 3)
    typer.echo(
        f"created {folder}/ for {city}: config.yaml, indicators/ (one EXAMPLE indicator, invented figures),"
    )
    typer.echo(
        "inbox/, templates/ and STEWARDS.md. Next: cd into it and run `tracker run`, then open site/index.html."
    )


@app.command()
def translations(
    language: Annotated[str, typer.Argument(help="The language code, e.g. es.")],
    project: Project = Path("."),
) -> None:
    """Create or update the project's catalogue of a language (site.translations) to translate."""
    from tracker.config import _babel_language
    from tracker.resources import default_templates
    from tracker.site.folders import template_folders
    from tracker.site.i18n import project_catalogue

    try:
        _babel_language(language)
    except ValueError as exc:
        _err(f"{language}: {exc}")
        raise typer.Exit(Exit.USAGE) from None
    settings = _settings(project)
    folder = settings.root / settings.config.site.translations
    path, left = project_catalogue(template_folders(settings), folder, language)
    shown = path.relative_to(settings.root).as_posix()
    typer.echo(f"wrote {shown}: {left} strings to translate (each empty msgstr, and any marked fuzzy)")
    own = settings.root / settings.config.site.templates
    pages = [
        p for p in (f"_methodology_{language}.html", f"_guide_{language}.html") if not (own / p).is_file()
    ]
    if pages and not all((default_templates() / p).is_file() for p in pages):
        typer.echo(
            f"also write {', '.join(f'{settings.config.site.templates}/{p}' for p in pages)}, translated from "
            f"{default_templates() / '_methodology_en.html'} and {default_templates() / '_guide_en.html'}"
        )


@import_app.command("opensdg")
def import_opensdg(
    folder: Annotated[Path, typer.Argument(help="Open SDG data repository (holding data/ and meta/).")],
    objective: Annotated[str, typer.Option("--objective", help="Objective id the indicators join.")],
    indicator: Annotated[
        list[str] | None,
        typer.Option("--indicator", help="Open SDG indicator id (1-1-1 or 1.1.1); repeat it; default: all."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Report what would be written; write nothing.")
    ] = False,
    language: Annotated[str, typer.Option(help="Platform language of the texts and data values.")] = "en",
    prefix: Annotated[str, typer.Option(help="Prefix of the new indicator ids (sdg-1-1-1).")] = "sdg-",
    origin: Annotated[
        str | None,
        typer.Option(
            help="Where the repository comes from, for the data notes; default: its git remote or folder name."
        ),
    ] = None,
    project: Project = Path("."),
    fmt: Format = "text",
) -> None:
    """Turn Open SDG indicators (data/indicator_<id>.csv + meta/<id>.md) into definitions and data files."""
    from tracker.catalog import Indicator
    from tracker.intake.opensdg import import_opensdg as run_import
    from tracker.intake.validate import read_observations
    from tracker.yamlfile import load_model

    settings = _settings(project)
    if not folder.is_dir():
        _err(f"{folder}: not a folder; pass the Open SDG data repository.")
        raise typer.Exit(Exit.USAGE)
    dest = settings.path("indicators")
    report = run_import(
        folder,
        dest,
        objective,
        language=language,
        ids=indicator,
        prefix=prefix,
        origin=origin,
        dry_run=dry_run,
    )
    problems = list(report.problems)
    for item in report.imported:
        if not dry_run:
            label = _label(item.data_file, settings.root)
            definition = load_model(
                Indicator, item.definition_file, _label(item.definition_file, settings.root)
            )
            problems += read_observations(item.data_file, definition, label=label, today=_today(settings))[1]
        typer.echo(
            f"{item.source_id} -> {_label(item.definition_file, settings.root)} "
            f"({item.rows} rows, {item.headline_rows} in the headline; {item.status})"
        )
    if problems:
        _err(render(problems, fmt))
    verb = "would be imported" if dry_run else "imported"
    typer.echo(
        f"{len(report.imported)} indicator(s) {verb}, {len(report.skipped)} skipped, {len(problems)} problem(s)"
    )
    if report.imported and not dry_run:
        _catalog(settings)  # the whole catalogue must still load
    if problems:
        raise typer.Exit(Exit.REJECTED)


@export_app.command("opensdg")
def export_opensdg(
    folder: Annotated[Path, typer.Argument(help="Folder to write the Open SDG data repository in.")],
    objective: Annotated[
        list[str] | None,
        typer.Option("--objective", help="Objective id to export; repeat it; default: all."),
    ] = None,
    project: Project = Path("."),
    fmt: Format = "text",
) -> None:
    """Write the indicators as an Open SDG data repository (data/indicator_<id>.csv, meta/<id>.md)."""
    from tracker.intake.opensdg_export import export_opensdg as run_export

    settings = _settings(project)
    if (folder.exists() and not folder.is_dir()) or not folder.parent.is_dir():
        _err(f"{folder}: not a folder, and cannot be created here; pass a folder whose parent exists.")
        raise typer.Exit(Exit.USAGE)
    cat = _catalog(settings, keep=False)
    known = {o.id for o in cat.objectives}
    unknown = sorted(set(objective or []) - known)
    if unknown:
        _err(f"unknown objective(s) {', '.join(unknown)}; use one of: {', '.join(sorted(known))}.")
        raise typer.Exit(Exit.USAGE)
    report = run_export(
        cat,
        folder,
        objectives=objective or None,
        default_method=settings.config.assessment.default_method,
        base_year=settings.config.assessment.base_year,
        today=_today(settings),
    )
    for item in report.exported:
        written = _label(item.data_file, folder) if item.data_file else "no data"
        typer.echo(f"{item.indicator_id} -> {item.source_id} ({item.rows} rows; {written})")
    for warning in report.warnings:
        _err(f"warning: {warning}")
    if report.problems:
        _err(render(report.problems, fmt))
    typer.echo(
        f"{len(report.exported)} indicator(s) exported to {folder}, {len(report.warnings)} with something "
        f"dropped, {len(report.problems)} problem(s)"
    )
    if report.problems:
        raise typer.Exit(Exit.REJECTED)


def _label(path: Path, root: Path) -> str:
    from tracker import pipeline

    return pipeline.relative_label(path, root)


@db_app.command("upgrade")
def db_upgrade(project: Project = Path(".")) -> None:
    """Apply the database migrations up to the current schema."""
    from tracker.store import current_revision, open_database

    settings = _settings(project)
    with open_database(settings) as engine:
        typer.echo(f"database at revision {current_revision(engine)}")


@db_app.command("check")
def db_check(project: Project = Path(".")) -> None:
    """Fail when the models differ from the migrated schema (a model change without a migration)."""
    from alembic.util.exc import CommandError

    from tracker.store import check, open_database

    settings = _settings(project)
    with open_database(settings) as engine:
        try:
            check(engine)
        except CommandError as exc:
            _err(
                f"the database models and the migrations differ: {exc}\n"
                "add a migration (alembic revision --autogenerate) for the model change."
            )
            raise typer.Exit(Exit.INVALID) from None
    typer.echo("ok: the migrations match the models")


def main() -> None:
    try:
        app()
    except ProblemsFound as exc:  # a stage found problems the command did not expect to handle
        _err(render(exc.problems))
        sys.exit(Exit.INVALID)
    finally:
        # The process ends here: spare the interpreter's last full collection over everything a run left
        # in memory (0.9 s of a 1,000-indicator incremental run). Objects are still freed and atexit runs.
        gc.freeze()
