"""Reads (current values, revision history) and the run/assessment snapshots.

Each run saves the verdicts it produced; :func:`latest_assessments` returns the snapshot of the last
successful run before a given one, which is what "what changed since" compares against.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select
from sqlalchemy.orm import Session

from tracker.observations import Observation
from tracker.store.models import (
    ACCEPTED,
    FAILED,
    OK,
    RUNNING,
    UNCHANGED,
    AssessmentRow,
    ObservationRow,
    Run,
    SourceFile,
    utcnow,
)

AssessmentKey = tuple[str, str, str, str]  # indicator_id, series, method, window
#: The category of a row that ends a key in the snapshots (an indicator, series or window that is gone).
REMOVED = "removed"


def current_observations(
    session: Session, indicator_ids: Collection[str] | None = None
) -> dict[str, list[Observation]]:
    """The current value of every (territory, series, period), per indicator, ordered by territory (the city's
    own first), series, then time.

    Indicators without any stored value are absent from the result.
    """
    t = ObservationRow.__table__.c
    query = select(
        t.indicator_id,
        t.period,
        t.time,
        t.value,
        t.series,
        t.note,
        t.flag,
        t.source,
        t.line,
        t.note_it,
        t.note_en,
        t.bound,
        t.territory,
        t.notes,
    ).where(t.superseded_at.is_(None))
    if indicator_ids is not None:
        query = query.where(t.indicator_id.in_(list(indicator_ids)))
    query = query.order_by(t.indicator_id, t.territory, t.series, t.time, t.period)
    result: dict[str, list[Observation]] = {}
    # The driver makes a new string for every text of every row; the ids, periods, series keys, flags, notes
    # and sources repeat, and sharing one copy of each saves about 180 MB for a million values.
    texts: dict[str, str] = {}
    share = texts.setdefault
    for (
        ind,
        period,
        time,
        value,
        series,
        note,
        flag,
        source,
        line,
        note_it,
        note_en,
        bound,
        territory,
        notes,
    ) in session.execute(query):
        found = result.get(ind)
        if found is None:
            found = result[share(ind, ind)] = []
        found.append(
            Observation(
                share(ind, ind),
                share(period, period),
                time,
                value,
                share(series, series),
                share(note, note),
                share(flag, flag),
                share(source, source),
                line,
                share(note_it, note_it),
                share(note_en, note_en),
                share(bound, bound),
                share(territory, territory),
                share(notes, notes),
            )
        )
    return result


def values_tokens(session: Session) -> dict[str, tuple[int, int]]:
    """Indicator id -> (number, highest id) of its accepted files.

    Values change only by merging an accepted file, which always adds a ``source_files`` row first (an
    identical file is not merged again), so this moves whenever an indicator's values may have: what
    ``tracker.assess.cache`` keys kept results on. It reads the small files table, not the observations.
    """
    f = SourceFile.__table__.c
    rows = session.execute(
        select(f.indicator_id, func.count(), func.max(f.id))
        .where(f.status == ACCEPTED)
        .group_by(f.indicator_id)
    )
    return {indicator_id: (count, top) for indicator_id, count, top in rows}


@dataclass(frozen=True, slots=True)
class Revision:
    """One stored version of a value, with the one it replaced."""

    indicator_id: str
    series: str
    period: str
    old_value: float | None  # None: first value stored for this (series, period)
    new_value: float
    flag: str
    note: str
    recorded_at: datetime
    superseded_at: datetime | None  # None: this is the current version
    file_id: int
    file_path: str
    file_sha256: str
    line: int
    bound: str = ""  # "", "lower" or "upper" (see tracker.observations.BOUNDS)
    territory: str = ""  # "" for the city's own value, else the peer territory
    old_bound: str = ""  # the replaced value's bound: a revision of "more than 63" to 63.4 is not one of 63

    @property
    def current(self) -> bool:
        return self.superseded_at is None


def history(db: Session | Connection, indicator_id: str, *, revisions_only: bool = False) -> list[Revision]:
    """Every version of every value of ``indicator_id`` in order of (series, period, time of recording).

    ``db``: a session, or a plain connection (the CLI reads without the ORM).

    ``revisions_only`` leaves out first appearances (``old_value`` None) and keeps the changes.
    """
    o, f = ObservationRow.__table__.c, SourceFile.__table__.c
    query = (
        select(
            o.series,
            o.period,
            o.value,
            o.flag,
            o.note,
            o.recorded_at,
            o.superseded_at,
            o.file_id,
            f.path,
            f.sha256,
            o.line,
            o.note_en,
            o.note_it,
            o.bound,
            o.territory,
        )
        .join_from(ObservationRow.__table__, SourceFile.__table__, o.file_id == f.id)
        .where(o.indicator_id == indicator_id)
        .order_by(o.territory, o.series, o.period, o.id)
    )
    out: list[Revision] = []
    previous: tuple[str, str, str, float, str] | None = None
    for row in db.execute(query):
        key = (row.territory, row.series, row.period)
        same = previous is not None and previous[:3] == key
        old, old_bound = (previous[3], previous[4]) if previous is not None and same else (None, "")
        previous = (*key, row.value, row.bound)
        if revisions_only and old is None:
            continue
        out.append(
            # The command line speaks English: the English note, else the neutral or the Italian one.
            Revision(
                indicator_id,
                row.series,
                row.period,
                old,
                row.value,
                row.flag,
                row.note_en or row.note or row.note_it,
                row.recorded_at,
                row.superseded_at,
                row.file_id,
                row.path,
                row.sha256,
                row.line,
                row.bound,
                row.territory,
                old_bound,
            )
        )
    return out


# --- runs and their snapshots ------------------------------------------------------------------------------


def start_run(
    session: Session, summary: Mapping[str, Any] | None = None, *, now: datetime | None = None
) -> int:
    """Open a run; ``now`` is the run's clock (``tracker.pipeline.run`` passes it: one date for everything)."""
    run = Run(status=RUNNING, summary=dict(summary or {}), started_at=now or utcnow())
    session.add(run)
    session.flush()
    return run.id


def finish_run(
    session: Session,
    run_id: int,
    status: str = OK,
    summary: Mapping[str, Any] | None = None,
    *,
    now: datetime | None = None,
) -> None:
    """Close a run; only runs finished with ``OK`` count as snapshots for later comparisons.

    ``now``: the run's clock. The site dates verdicts by ``finished_at`` and the digests count the values
    recorded up to it, so a run's values (recorded at its ``now``) fall inside its own window.
    """
    run = session.get_one(Run, run_id)
    run.status = status
    run.finished_at = now or utcnow()
    if summary is not None:
        run.summary = {**run.summary, **summary}
    session.flush()


@dataclass(frozen=True, slots=True)
class AssessmentRecord:
    indicator_id: str
    series: str  # "" = headline
    method: str
    window: str
    category: str
    score: float | None
    payload: dict[str, Any] = field(default_factory=dict)

    def __reduce__(self) -> tuple:  # pickled by value: the slots default goes through dataclasses.fields()
        return (
            AssessmentRecord,
            (
                self.indicator_id,
                self.series,
                self.method,
                self.window,
                self.category,
                self.score,
                self.payload,
            ),
        )

    @property
    def key(self) -> AssessmentKey:
        return (self.indicator_id, self.series, self.method, self.window)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The verdicts of one finished run, keyed by (indicator_id, series, method, window)."""

    run_id: int
    finished_at: datetime | None
    rows: dict[AssessmentKey, AssessmentRecord]

    def get(self, indicator_id: str, series: str, method: str, window: str) -> AssessmentRecord | None:
        return self.rows.get((indicator_id, series, method, window))


def save_assessments(
    session: Session, run_id: int, rows: Iterable[AssessmentRecord | Mapping[str, Any]]
) -> int:
    """Store the verdicts of a run (one bulk insert); returns how many."""
    values = []
    for row in rows:
        if isinstance(row, AssessmentRecord):  # field by field: asdict() would deep-copy every payload
            data = {
                "indicator_id": row.indicator_id,
                "series": row.series,
                "method": row.method,
                "window": row.window,
                "category": row.category,
                "score": row.score,
                "payload": row.payload,
            }
        else:
            data = dict(row)
        data["category"] = str(data["category"])  # a Category StrEnum is stored as its value
        data.setdefault("payload", {})
        data["run_id"] = run_id
        values.append(data)
    if values:  # a Core insert: the ORM's bulk path costs more than the database for 10,000 rows
        session.connection().execute(insert(AssessmentRow.__table__), values)
    return len(values)


def latest_assessments(session: Session, before_run: int | None = None) -> Snapshot | None:
    """The snapshot of the last run finished OK (before ``before_run`` if given); None if there is none."""
    query = select(Run.id, Run.finished_at).where(Run.status == OK)
    if before_run is not None:
        query = query.where(Run.id < before_run)
    run = session.execute(query.order_by(Run.id.desc()).limit(1)).first()
    if run is None:
        return None
    return Snapshot(run.id, run.finished_at, snapshot_at(session, run.id))


def snapshot_at(
    session: Session, run_id: int, indicator_ids: Collection[str] | None = None, series: str | None = None
) -> dict[AssessmentKey, AssessmentRecord]:
    """The verdicts as they stood after run ``run_id``: for each key, its row in the latest OK run up to it.

    Runs save only the rows that changed (:func:`save_changes`), so a snapshot is rebuilt from the rows of
    several runs; a :data:`REMOVED` row ends a key. ``indicator_ids`` and ``series`` narrow it down.
    """
    a = AssessmentRow.__table__.c
    keys = (a.indicator_id, a.series, a.method, a.window)
    newest = (
        select(*keys, func.max(a.run_id).label("run_id"))
        .join(Run, Run.id == a.run_id)
        .where(Run.status.not_in([RUNNING, FAILED, UNCHANGED]), a.run_id <= run_id)
    )
    if indicator_ids is not None:
        newest = newest.where(a.indicator_id.in_(list(indicator_ids)))
    if series is not None:
        newest = newest.where(a.series == series)
    latest = newest.group_by(*keys).subquery()
    rows = session.execute(
        select(*keys, a.category, a.score, a.payload)
        .join(latest, and_(a.run_id == latest.c.run_id, *(k == latest.c[k.name] for k in keys)))
        .where(a.category != REMOVED)
    )
    return {(r[0], r[1], r[2], r[3]): AssessmentRecord(*r) for r in rows}


def save_changes(
    session: Session,
    run_id: int,
    records: Iterable[AssessmentRecord],
    previous: Mapping[AssessmentKey, AssessmentRecord],
    indicator_ids: Collection[str] | None = None,
) -> int:
    """Save the run's verdicts as changes to ``previous`` (the last snapshot, over the same indicators).

    Only new or changed rows are written, and a :data:`REMOVED` row for each key of ``previous`` that is gone;
    ``indicator_ids`` limits that to the indicators given (None: ``records`` is the whole snapshot).
    """
    records = list(records)
    current = {r.key for r in records}
    changed = [
        r
        for r in records
        if (old := previous.get(r.key)) is None
        or (old.category, old.score, old.payload) != (str(r.category), r.score, r.payload)
    ]
    scope = None if indicator_ids is None else set(indicator_ids)
    gone = [
        AssessmentRecord(*key, REMOVED, None, {})
        for key in previous
        if key not in current and (scope is None or key[0] in scope)
    ]
    return save_assessments(session, run_id, [*changed, *gone])


def last_snapshot_run(session: Session) -> int | None:
    """The id of the last run finished OK: the one whose snapshot is the current one."""
    return session.scalar(select(func.max(Run.id)).where(Run.status == OK))


def snapshot_identity(session: Session) -> str | None:
    """The last run finished OK as ``id@finished_at``: unlike the id alone, not repeated by a recreated
    database. What kept results (``tracker.assess.cache``) are matched against."""
    row = session.execute(
        select(Run.id, Run.finished_at).where(Run.status == OK).order_by(Run.id.desc()).limit(1)
    ).first()
    if row is None:
        return None
    at = row.finished_at.isoformat() if row.finished_at is not None else ""
    return f"{row.id}@{at}"


# --- what the pipeline asks before doing work --------------------------------------------------------------


def file_accepted(session: Session, indicator_id: str, path_label: str, sha256: str) -> bool:
    """True when this path's last accepted version had exactly this content, so reading it again is useless.

    Keyed by path: a catalogue file that did not change must not be merged again just because an inbox file
    for the same indicator was accepted in between (that would revert the inbox's revisions).
    """
    last = session.scalar(
        select(SourceFile.sha256)
        .where(
            SourceFile.indicator_id == indicator_id,
            SourceFile.path == path_label,
            SourceFile.status == ACCEPTED,
        )
        .order_by(SourceFile.id.desc())
        .limit(1)
    )
    return last == sha256


def accepted_hashes(session: Session) -> dict[tuple[str, str], str]:
    """(indicator id, path) -> content hash of that path's last accepted version, for all files in one query."""
    rows = session.execute(
        select(SourceFile.indicator_id, SourceFile.path, SourceFile.sha256)
        .where(SourceFile.status == ACCEPTED)
        .order_by(SourceFile.id)
    )
    return {(indicator_id, path): sha for indicator_id, path, sha in rows}


def data_changed(session: Session, indicator_ids: Collection[str] | None = None) -> dict[str, datetime]:
    """Indicator id -> when its stored values last changed: the newest ``recorded_at`` of its rows (a revision
    is a new row; an identical value is not stored again), what its page calls "last updated". One grouped
    query; indicators without values are absent."""
    o = ObservationRow.__table__.c
    # A peer territory's values are not the city's data: they never make its page "last updated".
    query = select(o.indicator_id, func.max(o.recorded_at)).where(o.territory == "").group_by(o.indicator_id)
    if indicator_ids is not None:
        query = query.where(o.indicator_id.in_(list(indicator_ids)))
    return {i: at for i, at in session.execute(query)}  # max() keeps the column's type: aware UTC datetimes


def data_version(session: Session) -> str:
    """Changes whenever a file is accepted (also by ``tracker add`` between runs)."""
    return str(session.scalar(select(func.max(SourceFile.id)).where(SourceFile.status == ACCEPTED)) or 0)


def last_fingerprint(session: Session) -> str | None:
    """The input fingerprint recorded by the last run that finished OK."""
    summary = session.scalar(select(Run.summary).where(Run.status == OK).order_by(Run.id.desc()).limit(1))
    return (summary or {}).get("fingerprint")


def headline_history(session: Session) -> dict[str, list[dict[str, Any]]]:
    """Per indicator, the headline verdicts of past runs, oldest first, keeping only the runs where the
    verdict or the latest value changed: what the site shows as "earlier assessments" and "last update"."""
    t = AssessmentRow.__table__.c
    rows = session.execute(
        select(t.indicator_id, Run.finished_at, t.category, t.score, t.payload)
        .join(Run, Run.id == t.run_id)
        .where(Run.status == OK, t.series == "")
        .order_by(t.indicator_id, Run.id)
    )
    out: dict[str, list[dict[str, Any]]] = {}
    for indicator_id, at, category, score, payload in rows:
        if category == REMOVED or not (payload or {}).get("headline"):
            continue
        append_if_changed(
            out.setdefault(indicator_id, []), at, category, score, (payload or {}).get("latest")
        )
    return out


def append_if_changed(
    items: list[dict[str, Any]],
    at: datetime,
    category: str,
    score: float | None,
    latest: Mapping[str, Any] | None,
) -> None:
    item = {"at": at, "category": category, "score": score, "latest": dict(latest) if latest else None}
    if not items or (items[-1]["category"], items[-1]["latest"]) != (category, item["latest"]):
        items.append(item)
