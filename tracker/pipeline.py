"""The tracker's cycle, stage by stage: read this file top to bottom to see what ``tracker run`` does.

config -> catalogue -> intake (read + validate each data file) -> store -> assess -> site.
A rejected file changes nothing in the database; the site is still built from what was accepted.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from tracker import catalog as catalog_mod
from tracker import code_hash, gc_freeze, wording
from tracker.assess import assess_indicator
from tracker.assess import cache as kept_results
from tracker.assess.brief import brief_of, series_views
from tracker.assess.outcome import Outcome
from tracker.assess.rollup import summarize
from tracker.assess.snapshot import snapshot_records
from tracker.intake.periods import is_stale
from tracker.intake.pool import read_in_order
from tracker.observations import one_zero
from tracker.problems import Problem, ProblemsFound, render, visible
from tracker.site.context import StaleBrief
from tracker.store import (
    LockBusy,
    accepted_hashes,
    append_if_changed,
    current_observations,
    data_changed,
    data_version,
    file_accepted,
    finish_run,
    headline_history,
    last_fingerprint,
    last_snapshot_run,
    merge_file,
    open_database,
    record_rejected,
    run_lock,
    save_changes,
    session_scope,
    snapshot_at,
    snapshot_identity,
    start_run,
    values_tokens,
)
from tracker.store.models import UNCHANGED

# Imported where they are used, because they are heavy and not every run needs them: pandas and pandera
# (tracker.intake.validate: only when a file must be read), plotly and Jinja (tracker.site.build: only when
# the site is built), Apprise (tracker.updates: only after the run), rich (a progress bar on a terminal).

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session

    from tracker.assess.base import IndicatorResult, ObjectiveSummary
    from tracker.assess.cache import KeptResult, ResultCache
    from tracker.catalog import Catalog, Entry, Indicator
    from tracker.config import Limits, Settings
    from tracker.observations import Observation

log = logging.getLogger(__name__)
Progress = Callable[[str], None]


@dataclass
class FileOutcome:
    """What happened to one data file."""

    label: str
    indicator_id: str
    status: str  # "accepted", "unchanged", "rejected"
    added: int = 0
    revised: int = 0
    problems: list[Problem] = field(default_factory=list)


@dataclass
class RunReport:
    files: list[FileOutcome] = field(default_factory=list)
    results: dict[str, IndicatorResult] = field(default_factory=dict)
    summaries: dict[str, ObjectiveSummary] = field(default_factory=dict)
    site_pages: int = 0
    site_rendered: int = 0
    reassessed: int = 0  # indicators assessed again (the others kept their result from an earlier run)
    site_path: Path | None = None
    skipped_build: bool = False
    run_id: int | None = None
    deliveries: list = field(default_factory=list)  # tracker.updates outcomes, one per subscription

    @property
    def rejected(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == "rejected"]

    @property
    def problems(self) -> list[Problem]:
        return [p for f in self.rejected for p in f.problems]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def relative_label(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root))
    except ValueError:
        return str(path)


#: Files above this size get a progress bar when the command runs on a terminal.
PROGRESS_BYTES = 5_000_000


def run_date(settings: Settings, now: datetime) -> date:
    """The run's date in the city's time zone: what "today" means for future periods, overdue and stale data."""
    return now.astimezone(ZoneInfo(settings.config.timezone)).date()


def read_file(
    path: Path,
    indicator: Indicator,
    label: str,
    *,
    keep: bool = True,
    today: date | None = None,
    limits: Limits | None = None,
) -> tuple[list[Observation], list[Problem]]:
    """Read and validate one data file (pandas and pandera load here, not at start-up).

    With ``keep=False`` only the problems are collected, in memory bounded by the chunk size. ``today`` (the
    run's date, see :func:`run_date`) decides which periods lie in the future; ``limits``: the resource limits
    of ``config.yaml``.
    """
    from tracker.intake.validate import check_file, read_observations

    big = sys.stderr.isatty() and path.is_file() and path.stat().st_size > PROGRESS_BYTES
    bar = _row_progress(label) if big else nullcontext(None)
    with bar as on_rows:
        if keep:
            return read_observations(
                path, indicator, label=label, on_rows=on_rows, today=today, limits=limits
            )
        return [], check_file(path, indicator, label=label, on_rows=on_rows, today=today, limits=limits)


def _row_progress(label: str):  # noqa: ANN202 - a context manager yielding the callback
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    @contextmanager
    def bar():  # noqa: ANN202
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TextColumn("{task.completed:,} rows"),
            TimeElapsedColumn(),
            transient=True,
        ) as progress:
            task = progress.add_task(f"validating {label}", total=None)
            yield lambda rows: progress.advance(task, rows)

    return bar()


def take_in(
    engine: Engine,
    indicator: Indicator,
    path: Path,
    label: str,
    accepted: dict[tuple[str, str], str] | None = None,
    limits: Limits | None = None,
    *,
    now: datetime | None = None,
    today: date | None = None,
) -> FileOutcome:
    """Validate one file and merge it, all or nothing; an already accepted identical file is skipped.

    ``accepted`` (from :func:`tracker.store.accepted_hashes`) saves a query per file when taking in many.
    ``now`` is recorded as the values' and the file's time (the run's clock; default: the wall clock);
    ``today`` as in :func:`read_file`.
    """
    try:
        digest = sha256_of(path)
    except OSError as exc:
        return unreadable(label, indicator.id, exc)
    if _already_accepted(engine, indicator, label, digest, accepted):
        return FileOutcome(label, indicator.id, "unchanged")
    return store_read(
        engine,
        indicator,
        label,
        digest,
        read_file(path, indicator, label, today=today, limits=limits),
        now=now,
    )


def unreadable(label: str, indicator_id: str, exc: OSError) -> FileOutcome:
    """A file the tracker may not read (permissions, a vanished file): rejected with a problem, not a crash."""
    return FileOutcome(
        label,
        indicator_id,
        "rejected",
        problems=[
            Problem(
                label,
                f"cannot be read ({exc.strerror or type(exc).__name__})",
                hint="check that the file exists and that the tracker may read it (permissions)",
            )
        ],
    )


def _already_accepted(
    engine: Engine, indicator: Indicator, label: str, digest: str, accepted: dict[tuple[str, str], str] | None
) -> bool:

    if accepted is not None:
        return accepted.get((indicator.id, label)) == digest
    with session_scope(engine) as session:
        return file_accepted(session, indicator.id, label, digest)


def store_read(
    engine: Engine,
    indicator: Indicator,
    label: str,
    digest: str,
    read: tuple[list[Observation], list[Problem]],
    kept: dict[str, list[Observation]] | None = None,
    *,
    now: datetime | None = None,
) -> FileOutcome:
    """Merge what was read from one file, or record its rejection; ``kept`` receives accepted observations.

    ``now``: the time recorded with the file and its values (the run's clock).
    """
    return store_reads(engine, [(indicator, label, digest, read)], kept, now=now)[0]


#: A transaction of :func:`store_reads` in :func:`take_in_catalog` holds files up to this many bytes (or one
#: larger file): a transaction per small file costs more than merging it, while a group this size (~15,000
#: values) keeps SQLite's write lock for a fraction of a second, far within the busy timeout of another
#: process waiting to write, and lets the parent start merging soon after the reading workers start.
GROUP_BYTES = 1_000_000


def store_reads(
    engine: Engine,
    reads: Sequence[tuple[Indicator, str, str, tuple[list[Observation], list[Problem]]]],
    kept: dict[str, list[Observation]] | None = None,
    *,
    now: datetime | None = None,
) -> list[FileOutcome]:
    """:func:`store_read` for several files (definition, label, hash, what was read) in one transaction.

    Each file is still merged all or nothing (``merge_file``'s SAVEPOINT), and an error stops the run with the
    whole transaction rolled back: the database holds every file of the group or none.
    """
    with session_scope(engine) as session:
        return [_store(session, *one, kept, now) for one in reads]


def _store(
    session: Session,
    indicator: Indicator,
    label: str,
    digest: str,
    read: tuple[list[Observation], list[Problem]],
    kept: dict[str, list[Observation]] | None,
    now: datetime | None,
) -> FileOutcome:
    observations, problems = read
    observations = one_zero(observations)  # as merge_file stores them: kept values are published as stored
    if problems:
        record_rejected(session, indicator.id, label, digest, len(problems), now=now)
        return FileOutcome(label, indicator.id, "rejected", problems=problems)
    merged = merge_file(session, indicator.id, label, digest, observations, now=now)
    if merged.same_file:
        return FileOutcome(label, indicator.id, "unchanged")
    if kept is not None:
        kept[indicator.id] = observations
    return FileOutcome(label, indicator.id, "accepted", added=merged.added, revised=merged.revised)


def take_in_catalog(
    engine: Engine,
    settings: Settings,
    cat: Catalog,
    fresh: dict[str, list[Observation]] | None = None,
    *,
    now: datetime | None = None,
) -> list[FileOutcome]:
    """Take in every data file of the catalogue, in catalogue order (files are read ahead in two worker
    processes when there are many: ``tracker.intake.pool``).

    ``now`` is the run's clock (default: the wall clock), recorded with the values and deciding "today".
    ``fresh`` receives the values of each indicator that had none stored before its file was accepted: they
    are then exactly its current values, so the assessment need not read them back from the database.
    """

    now = now or datetime.now(UTC)
    with session_scope(engine, immediate=False) as session:
        accepted = accepted_hashes(session)
    stored = {indicator_id for indicator_id, _ in accepted}  # values come only from accepted files
    outcomes: list[FileOutcome] = []
    todo: list[tuple[int, Indicator, str, str, Path]] = []  # outcome index, definition, label, hash, path
    for entry in cat.entries:
        if entry.data_file is None:
            continue
        label = relative_label(entry.data_file, settings.root)
        try:
            digest = sha256_of(entry.data_file)
        except OSError as exc:
            outcomes.append(unreadable(label, entry.indicator.id, exc))
            continue
        outcomes.append(FileOutcome(label, entry.indicator.id, "unchanged"))
        if not _already_accepted(engine, entry.indicator, label, digest, accepted):
            todo.append((len(outcomes) - 1, entry.indicator, label, digest, entry.data_file))
    kept: dict[str, list[Observation]] = {}
    jobs = [(path, ind, label) for _, ind, label, _, path in todo]
    today = run_date(settings, now)

    def read_one(path: Path, indicator: Indicator, label: str) -> tuple[list[Observation], list[Problem]]:
        return read_file(path, indicator, label, today=today, limits=settings.limits)

    def big(path: Path) -> bool:
        try:
            return path.stat().st_size > PROGRESS_BYTES
        except OSError:
            return True  # read (and reported) by the parent

    with closing(read_in_order(jobs, read_one, parent_only=big)) as reads:  # closed even when a merge fails
        for group in _groups(todo):
            stored_now = store_reads(
                engine,
                [(ind, label, digest, next(reads)) for _, ind, label, digest, _ in group],
                kept,
                now=now,
            )
            for (index, *_), outcome in zip(group, stored_now, strict=True):
                outcomes[index] = outcome
    if fresh is not None:
        for outcome in outcomes:
            own = kept.get(outcome.indicator_id)
            if (
                outcome.status == "accepted"
                and outcome.indicator_id not in stored
                and own is not None
                and outcome.added == len(own)
            ):
                fresh[outcome.indicator_id] = sorted(own, key=lambda o: (o.series, o.time, o.period))
    return outcomes


def _groups(
    todo: list[tuple[int, Indicator, str, str, Path]],
) -> Iterator[list[tuple[int, Indicator, str, str, Path]]]:
    """``todo`` in consecutive groups of files adding up to at most :data:`GROUP_BYTES` (or one larger file)."""
    group: list[tuple[int, Indicator, str, str, Path]] = []
    size = 0
    for item in todo:
        try:
            bytes_ = item[4].stat().st_size
        except OSError:
            bytes_ = 0  # its reader reports it
        if group and size + bytes_ > GROUP_BYTES:
            yield group
            group, size = [], 0
        group.append(item)
        size += bytes_
    if group:
        yield group


def take_in_inbox(
    engine: Engine, settings: Settings, cat: Catalog, *, now: datetime | None = None
) -> list[FileOutcome]:
    """Files dropped in the inbox: accepted ones move to the archive, rejected ones beside a report, in a
    folder named after the run's clock ``now`` (default: the wall clock), the time recorded with them.

    Each entry is taken in on its own: whatever is wrong with one (unreadable, a symbolic link, a folder, a
    bug met by an odd file) rejects that one with its report, and the others are still processed. The report
    is written before the file moves, so an interrupted run never leaves a rejection without its report.
    """
    inbox = settings.path("inbox")
    if not inbox.is_dir():
        return []
    outcomes = []
    now = now or datetime.now(UTC)
    today = run_date(settings, now)
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    for path in sorted(p for p in inbox.iterdir() if not p.name.startswith(".")):
        # Shown escaped (and stored so): a name may hold a newline, a terminal escape or undecodable bytes.
        label = visible(_inbox_label(path, settings))
        entry = cat.inbox_indicator(path.name)
        if path.is_symlink():  # never followed: it may lead anywhere, and its content would be echoed
            outcome = _refused(
                label,
                entry,
                "is a symbolic link; the inbox takes regular files only",
                "copy the file itself into the inbox instead of a link",
            )
        elif path.is_dir():
            outcome = _refused(
                label,
                entry,
                "is a folder, not a data file",
                "put the data files themselves in the inbox, not a folder",
            )
        elif not path.is_file():
            outcome = _refused(
                label,
                entry,
                "is not a regular file (a pipe, socket or device)",
                "put only CSV or XLSX files in the inbox",
            )
        elif entry is None or path.suffix.lower() not in catalog_mod.DATA_SUFFIXES:
            outcome = _refused(
                label,
                entry,
                "no indicator matches this file name",
                "name it <indicator-id>.csv or <indicator-id>--<anything>.csv/.xlsx",
            )
        else:
            try:
                outcome = take_in(
                    engine, entry.indicator, path, label, limits=settings.limits, now=now, today=today
                )
            except (ValueError, TypeError, LookupError, ArithmeticError, RecursionError, MemoryError) as exc:
                log.error("%s: unexpected error %r (details with debug logging)", label, exc)
                log.debug("%s: unexpected error", label, exc_info=True)
                outcome = _refused(
                    label,
                    entry,
                    f"could not be taken in: {type(exc).__name__}",
                    "report it to the tracker's maintainers with the file; the other files were processed",
                )
        target = settings.path("rejected" if outcome.status == "rejected" else "archive") / stamp
        target.mkdir(parents=True, exist_ok=True)
        if outcome.problems:
            report = target / f"{path.name}.problems.txt"
            tmp = report.with_name(f".{report.name}.tmp")
            tmp.write_text(render(outcome.problems) + "\n", encoding="utf-8")
            tmp.replace(report)  # the whole report or none, before the file moves
        _move(path, target / path.name)
        outcomes.append(outcome)
    return outcomes


def _inbox_label(path: Path, settings: Settings) -> str:
    """The label of an inbox entry without resolving it (a symbolic link is shown as itself)."""
    try:
        return str(path.relative_to(settings.root))
    except ValueError:
        return str(path)


def _refused(label: str, entry: Entry | None, message: str, hint: str) -> FileOutcome:
    return FileOutcome(
        label, entry.indicator.id if entry else "", "rejected", problems=[Problem(label, message, hint=hint)]
    )


def _move(path: Path, target: Path) -> None:
    """Move an inbox entry as it is: a rename (a link stays a link, a pipe is never opened), else a copy of a
    regular file or folder across file systems."""
    try:
        path.rename(target)
    except OSError:
        if path.is_symlink() or not (path.is_file() or path.is_dir()):
            log.warning("%s could not be moved to %s: left in the inbox", path, target)
            return
        shutil.move(str(path), target)


def summarize_objectives(
    cat: Catalog, results: dict[str, IndicatorResult], settings: Settings, today: date | None = None
) -> dict[str, ObjectiveSummary]:
    """Each objective's roll-up; ``today`` (the run's date) tells which verdicts rest on stale data."""

    frequency = {e.indicator.id: e.indicator.frequency for e in cat.entries}

    def stale(result: IndicatorResult) -> bool:
        latest = result.headline.latest
        return (
            today is not None
            and latest is not None
            and is_stale(latest.period, frequency[result.indicator_id], today)
        )

    minimum = settings.config.assessment.rollup_min_coverage
    return {
        o.id: summarize(
            o.id,
            [results[e.indicator.id] for e in cat.of_objective(o.id)],
            len(cat.of_objective(o.id)),
            stale=stale,
            min_coverage=minimum,
        )
        for o in cat.objectives
    }


@dataclass
class Assessed:
    """The assessment stage's output: every indicator's result, and the values read to produce it."""

    kept: dict[str, KeptResult]  # indicator id -> result, snapshot rows, brief of its values
    observations: dict[str, list[Observation]]  # only the indicators assessed again this run
    cache: ResultCache  # saved once the run's snapshot is committed
    scope: set[str] | None  # indicators whose snapshot rows may change (None: all)
    snapshot_run: int | None  # the run whose snapshot is the current one
    reused: int = 0  # indicators whose kept result was still valid


def assess_changed(
    engine: Engine,
    settings: Settings,
    cat: Catalog,
    *,
    force: bool = False,
    fresh: dict[str, list[Observation]] | None = None,
    today: date | None = None,
) -> Assessed:
    """Assess the indicators whose inputs changed since their kept result; reuse the others' results.

    Only the changed indicators' observations are read from the database (all of them on a first run), unless
    ``fresh`` already holds them.
    """

    database = engine.url.render_as_string(hide_password=True)
    config = kept_results.settings_part(settings)
    kept: dict[str, KeptResult] = {}
    stale: dict[str, tuple[Indicator, str]] = {}
    with session_scope(engine, immediate=False) as session:
        snapshot_run = last_snapshot_run(session)
        identity = None if force else snapshot_identity(session)
        cache = kept_results.ResultCache.load(settings.path("cache"), database, identity)
        values = values_tokens(session)
        for entry in cat.entries:
            ind = entry.indicator
            wanted = kept_results.token(ind, values.get(ind.id), config)
            # The run's date is an input too: projections and notes depend on the age of the data.
            age = partial(kept_results.age_of, frequency=ind.frequency, today=today)
            found = cache.get(ind.id, wanted, age)
            if found is None:
                stale[ind.id] = (ind, wanted)
            else:
                kept[ind.id] = found
        fresh = fresh or {}
        missing = [i for i in stale if i not in fresh]
        observations = current_observations(session, missing if kept or fresh else None) if missing else {}
        observations.update((i, fresh[i]) for i in stale if i in fresh)
        # When the values last changed, for the pages' "last updated": only for the reassessed indicators,
        # the others' briefs keep theirs (a new accepted file always makes its indicator stale).
        changed = data_changed(session, list(stale) if kept else None) if stale else {}
    for indicator_id, (ind, wanted) in stale.items():
        own = observations.get(
            indicator_id, []
        )  # peers and bounds included: assess_indicator leaves them out
        result = assess_indicator(ind, own, settings.config.assessment, today)
        brief = brief_of(ind, own, result, series_views(ind, own), changed.get(indicator_id))
        kept[indicator_id] = kept_results.KeptResult(
            wanted,
            result,
            snapshot_records({indicator_id: result}),
            brief,
            kept_results.age_of(result, ind.frequency, today),
        )
    # What the previous snapshot holds that may differ: the reassessed indicators and those that left the
    # catalogue; everything when the kept results do not describe it.
    scope = {*stale, *(set(cache.entries) - set(kept))} if cache.valid else None
    for indicator_id in stale:
        cache.put(indicator_id, kept[indicator_id])
    ordered = {e.indicator.id: kept[e.indicator.id] for e in cat.entries}
    return Assessed(ordered, observations, cache, scope, snapshot_run, reused=len(cat.entries) - len(stale))


def inputs_fingerprint(
    settings: Settings, cat: Catalog, extra: Iterable[Path] = (), data_version: str = ""
) -> str:
    """A hash of everything the site depends on (the tracker's code, configuration, definitions, templates,
    ``extra`` files and ``data_version``), so an unchanged project skips the rebuild."""
    from tracker.site.folders import template_folders

    digest = hashlib.sha256(f"{code_hash()}|{data_version}".encode())
    files = [settings.root / "config.yaml", *(e.definition_file for e in cat.entries), *extra]
    files += [cat.root / catalog_mod.OBJECTIVES_FILE, cat.root / catalog_mod.EVENTS_FILE]
    if settings.config.site.logo:  # published as it is: a new logo under the same name is a change
        files.append(settings.root / settings.config.site.logo)
    for templates in template_folders(
        settings
    ):  # the folders the site is built from: the city's, the defaults
        files += sorted(templates.rglob("*"))
    if (own := wording.project_folder()) is not None and own.is_dir():  # the city's own catalogues
        files += sorted(own.rglob("*.po"))
    for path in files:
        if path.is_file():
            digest.update(str(path).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def build(
    engine: Engine,
    settings: Settings,
    cat: Catalog,
    report: RunReport,
    now: datetime,
    fingerprint: str,
    *,
    force: bool = False,
    fresh: dict[str, list[Observation]] | None = None,
) -> None:
    """Assess what changed, publish the site, and save the run's snapshot.

    ``fresh``: current values already in memory (see :func:`take_in_catalog`), not read back.
    """
    from tracker.site.build import build_site
    from tracker.updates.feed import feed_files

    assessed = assess_changed(engine, settings, cat, force=force, fresh=fresh, today=run_date(settings, now))
    gc_freeze.freeze_now()  # the kept results and the values just read live until the end of the run
    report.results = {k: v.result for k, v in assessed.kept.items()}
    report.summaries = summarize_objectives(cat, report.results, settings, run_date(settings, now))
    report.reassessed = len(assessed.kept) - assessed.reused
    with session_scope(engine, immediate=False) as session:
        history = headline_history(session)
    for indicator_id, result in report.results.items():
        latest = result.headline.latest
        append_if_changed(
            history.setdefault(indicator_id, []),
            now,
            str(result.headline.category),
            result.headline.score,
            {"period": latest.period, "value": latest.value} if latest else None,
        )

    def load(indicator_ids: list[str]) -> dict[str, list[Observation]]:
        with session_scope(engine, immediate=False) as session:
            return current_observations(session, indicator_ids)

    outcome = Outcome(
        report.results,
        report.summaries,
        assessed.observations,
        briefs={k: v.brief for k, v in assessed.kept.items()},
        loader=load,
        history=history,
    )
    site_report = build_site(
        settings, cat, outcome, generated_at=now, extra_files=feed_files(settings, engine, now)
    )
    report.site_pages = site_report.pages
    report.site_rendered = site_report.rendered
    with session_scope(engine) as session:
        scope = assessed.scope
        previous = snapshot_at(session, assessed.snapshot_run, scope) if assessed.snapshot_run else {}
        records = [
            r for k, kept in assessed.kept.items() if scope is None or k in scope for r in kept.records
        ]
        if report.run_id is None:  # the caller starts the run before it builds
            raise RuntimeError("build() needs the id of the started run in report.run_id")
        save_changes(session, report.run_id, records, previous, scope)
        # A run with rejected files is still a complete snapshot of what was accepted: it finishes OK.
        finish_run(
            session,
            report.run_id,
            summary={
                "fingerprint": fingerprint,
                "files": {f.label: f.status for f in report.files},
                "problems": len(report.problems),
            },
            now=now,
        )
    with session_scope(engine, immediate=False) as session:
        identity = snapshot_identity(session)
    if identity is not None:
        assessed.cache.save(assessed.kept, identity)  # after the commit: never ahead of the database


#: Temporary files the tracker's own writers leave behind when killed, by the folder role holding them.
_PID_TMP = r"\.[^/]+\.(\d+)\.tmp"  # tracker.yamlfile / tracker.assess.cache: .<name>.<pid>.tmp
LEFTOVERS = {
    "cache": re.compile(_PID_TMP),
    "site_parent": re.compile(
        r"\.{site}\.link-\d{8}T\d+Z-(\d+)"
    ),  # tracker.site.publish's link being switched
    "site": re.compile(r"\.feed\.xml\.[A-Za-z0-9_]+\.tmp"),  # tracker.updates.feed (mkstemp)
    "reports": re.compile(r"\.[^/]+\.problems\.txt\.tmp"),  # take_in_inbox's report being written
}


def clean_leftovers(engine: Engine, settings: Settings) -> list[Path]:
    """Remove what an interrupted run left: only files matching the project's own temporary names, only in the
    folders those writers use, only when this process holds the run lock (the caller's duty) and, for names
    carrying a process id, only when that process is gone. The feed's temporary files are removed only when
    no one holds the updates lock either. Returns what was removed."""

    removed: list[Path] = []
    site = settings.path("site")

    def sweep(folder: Path, pattern: re.Pattern[str], recursive: bool = False) -> None:
        if not folder.is_dir():
            return
        for path in folder.rglob(".*") if recursive else folder.glob(".*"):
            m = pattern.fullmatch(path.name)
            if m is None or (m.groups() and _alive(int(m[1]))) or not (path.is_file() or path.is_symlink()):
                continue
            try:
                path.unlink()
                removed.append(path)
            except OSError as exc:
                log.warning("could not remove the leftover %s: %s", path, exc)

    sweep(settings.path("cache"), LEFTOVERS["cache"], recursive=True)
    sweep(site.parent, re.compile(LEFTOVERS["site_parent"].pattern.replace("{site}", re.escape(site.name))))
    for role in ("archive", "rejected"):
        sweep(settings.path(role), LEFTOVERS["reports"], recursive=True)
    if site.is_dir():
        try:
            from tracker.updates.deliver import LOCK

            with run_lock(engine, LOCK, wait=False):
                sweep(site, LEFTOVERS["site"])
                for lang in settings.config.languages:
                    sweep(site / lang, LEFTOVERS["site"])
        except LockBusy:
            pass  # updates are being written now: their files are not leftovers
    for path in removed:
        log.info("removed the leftover %s", path)
    return removed


def _alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine (then its temporary file may be in use)."""
    if pid == os.getpid():
        return False  # this run's own files from before: it holds the lock, nothing of it is writing now
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


# Languages whose catalogue (pages, assessment, digests) and long pages ship complete with the package
# (tests/test_languages.py checks them with ``language_problems(settings, SHIPPED_LANGUAGES)``): a run skips them,
# unless the project brings its own catalogue for one, so that a run where nothing changed need not read the
# catalogues or import Babel.
SHIPPED_LANGUAGES = wording.SHIPPED


def language_problems(settings: Settings, languages: Sequence[str] | None = None) -> list[Problem]:
    """What a configured language lacks: its catalogue (the package's, or the project's own in
    ``site.translations``), the strings untranslated in it, the methodology and guide pages. Checked before
    anything runs, so a page never falls back to English unseen. ``languages``: those to check (default: the
    configured ones not shipped, and any the project has its own catalogue for)."""
    if languages is None:
        languages = [
            lang
            for lang in settings.config.languages
            if lang not in SHIPPED_LANGUAGES
            or (own := wording.project_po(lang)) is not None
            and own.is_file()
        ]
    if not languages:
        return []
    from babel.messages.pofile import PoFileError, read_po

    from tracker.config import CONFIG_FILE
    from tracker.resources import default_templates
    from tracker.site.i18n import untranslated

    with wording.shipped_po("en").open("rb") as fh:  # the English catalogue holds every string, untranslated
        wanted = {(m.context, _msgid(m.id)) for m in read_po(fh) if m.id}
    problems = []
    for lang in languages:
        missing = []
        path = wording.po_path(lang)
        shown = _shown(path, settings.root)
        if not path.is_file():
            wanted_at = _shown(wording.project_po(lang) or path, settings.root)
            missing.append(
                f"no catalogue {wanted_at} (write it with `tracker translations {lang}`, then translate it)"
            )
        elif lang != "en":  # the English catalogue is the source strings themselves
            try:
                with path.open("rb") as fh:
                    catalog = read_po(fh, locale=lang, abort_invalid=True)
            except (PoFileError, ValueError, UnicodeDecodeError) as exc:
                missing.append(f"{shown} cannot be read ({exc})")
            else:
                have = {(m.context, _msgid(m.id)) for m in catalog if m.id}
                absent = sorted(wanted - have, key=lambda k: k[1])
                empty = untranslated(catalog)
                if absent:
                    missing.append(
                        f"{shown} lacks {len(absent)} strings of this tracker version (first: {absent[0][1]!r}; "
                        f"`tracker translations {lang}` adds them)"
                    )
                if empty:
                    missing.append(
                        f"{len(empty)} untranslated strings (or marked fuzzy) in {shown}, first: "
                        + ", ".join(f"line {m.lineno} {_msgid(m.id)!r}" for m in empty[:3])
                    )
                if marked := [m for m in catalog if m.id and _new_markup(m.id, m.string)]:
                    missing.append(
                        f"{len(marked)} translations in {shown} add markup their English string does not have "
                        "(a page inserts a translation as it is written), first: "
                        + ", ".join(f"line {m.lineno} {_msgid(m.id)!r}" for m in marked[:3])
                    )
        folders = (settings.root / settings.config.site.templates, default_templates())
        for page in (f"_methodology_{lang}.html", f"_guide_{lang}.html"):
            if not any((folder / page).is_file() for folder in folders):
                missing.append(
                    f"no template {page} in {settings.config.site.templates}/ "
                    "(the methodology and the guide are written per language)"
                )
        if missing:
            problems.append(
                Problem(
                    CONFIG_FILE,
                    f"the tracker cannot publish in {lang!r} yet: " + "; ".join(missing),
                    key="languages",
                    hint="see 'Adding a language' in the README",
                )
            )
    return problems


_MARKUP = re.compile(r"<\s*/?\s*([a-z][a-z0-9-]*)|\bon[a-z]+\s*=|javascript\s*:", re.IGNORECASE)


def _new_markup(msgid: object, msgstr: object) -> bool:
    """Whether a translation holds a tag, an event handler or a ``javascript:`` link its English does not."""
    english = " ".join(msgid) if isinstance(msgid, tuple | list) else str(msgid)
    texts = msgstr if isinstance(msgstr, tuple | list) else (msgstr,)
    allowed = {m.group(0).lower().replace(" ", "") for m in _MARKUP.finditer(english)}
    return any(
        m.group(0).lower().replace(" ", "") not in allowed
        for text in texts
        for m in _MARKUP.finditer(str(text))
    )


def _msgid(msgid: str | tuple[str, ...] | list[str]) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]


def _shown(path: Path, root: Path) -> str:
    """A catalogue's path as a user finds it: relative to the project, or to the package's folder."""
    for base in (root, Path(__file__).parent.parent):
        if path.is_relative_to(base):
            return path.relative_to(base).as_posix()
    return str(path)


def run(
    settings: Settings,
    *,
    force: bool = False,
    now: datetime | None = None,
    wait: bool | float = True,
    updates: bool = True,
    cat: Catalog | None = None,
) -> RunReport:
    """The whole cycle: validate and store every data file and the inbox, assess, build the site.

    Only one run writes at a time (a database-wide lock shared with the scheduler). When no input changed
    since the last successful run and the site is there, the build is skipped.

    ``now`` is the run's one clock: the run's start and end, the values and files it records, the inbox
    folders, "today" for future periods and overdue data, and every date its pages and feeds show (default:
    the wall clock once the lock is held, so that runs record increasing times). The digests count values
    recorded between two runs' clocks: give later runs later times.
    """

    if problems := language_problems(settings):
        raise ProblemsFound(problems)
    cat = cat or catalog_mod.load_project(settings)  # raises ProblemsFound: nothing is touched
    report = RunReport()
    with open_database(settings) as engine:
        with run_lock(engine, "run", wait=wait), gc_freeze.frozen():
            now = now or datetime.now(UTC)
            clean_leftovers(engine, settings)
            with session_scope(engine) as session:
                report.run_id = start_run(session, now=now)
            fresh: dict[str, list[Observation]] = {}
            report.files = take_in_catalog(engine, settings, cat, fresh, now=now)
            inbox = take_in_inbox(engine, settings, cat, now=now)
            for outcome in inbox:  # merged on top of the catalogue file: read back from the database
                fresh.pop(outcome.indicator_id, None)
            report.files += inbox
            site = settings.path("site")
            report.site_path = site
            with session_scope(engine) as session:
                previous = last_fingerprint(session)
                version = data_version(session)
            # The date is an input too: an indicator becomes overdue without any file changing.
            fingerprint = inputs_fingerprint(
                settings, cat, data_version=f"{version}|{run_date(settings, now)}"
            )
            unchanged = all(f.status == "unchanged" for f in report.files)
            if not force and unchanged and previous == fingerprint and site.exists():
                # Nothing to read, assess or publish; the run is recorded but is not a new snapshot.
                report.skipped_build = True
                with session_scope(engine) as session:
                    finish_run(
                        session, report.run_id, UNCHANGED, {"fingerprint": fingerprint, "files": {}}, now=now
                    )
            else:
                try:
                    build(engine, settings, cat, report, now, fingerprint, force=force, fresh=fresh)
                except StaleBrief as exc:  # kept results that lie: nothing was published or saved yet
                    log.warning("%s; assessing every indicator again", exc)
                    build(engine, settings, cat, report, now, fingerprint, force=True, fresh=fresh)
        if updates:
            from tracker.updates import after_run

            # Feed, updates page and on-change subscriptions; failures are recorded and retried next time.
            with gc_freeze.frozen():  # the run's results are still in memory
                report.deliveries = after_run(settings, engine, cat, now=now)
    return report
