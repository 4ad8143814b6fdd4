"""Reads (current values, revision history) and the run/assessment snapshots.

Each run saves the verdicts it produced; :func:`latest_assessments` returns the snapshot of the last
successful run before a given one, which is what "what changed since" compares against.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from tracker.observations import Observation
from tracker.store.models import ACCEPTED, OK, RUNNING, AssessmentRow, ObservationRow, Run, SourceFile, utcnow

AssessmentKey = tuple[str, str, str, str]  # indicator_id, series, method, window


def current_observations(
    session: Session, indicator_ids: Collection[str] | None = None
) -> dict[str, list[Observation]]:
    """The current value of every (series, period), per indicator, ordered by series then time.

    Indicators without any stored value are absent from the result.
    """
    t = ObservationRow.__table__.c
    query = select(t.indicator_id, t.period, t.time, t.value, t.series, t.note, t.flag, t.source, t.line).where(
        t.superseded_at.is_(None)
    )
    if indicator_ids is not None:
        query = query.where(t.indicator_id.in_(list(indicator_ids)))
    query = query.order_by(t.indicator_id, t.series, t.time, t.period)
    result: dict[str, list[Observation]] = {}
    for row in session.execute(query):
        result.setdefault(row[0], []).append(Observation(*row))
    return result


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

    @property
    def current(self) -> bool:
        return self.superseded_at is None


def history(session: Session, indicator_id: str, *, revisions_only: bool = False) -> list[Revision]:
    """Every version of every value of ``indicator_id`` in order of (series, period, time of recording).

    ``revisions_only`` leaves out first appearances (``old_value`` None) and keeps the changes.
    """
    o, f = ObservationRow.__table__.c, SourceFile.__table__.c
    query = (
        select(o.series, o.period, o.value, o.flag, o.note, o.recorded_at, o.superseded_at, o.file_id, f.path,
               f.sha256, o.line)
        .join_from(ObservationRow.__table__, SourceFile.__table__, o.file_id == f.id)
        .where(o.indicator_id == indicator_id)
        .order_by(o.series, o.period, o.id)
    )
    out: list[Revision] = []
    previous: tuple[str, str, float] | None = None
    for row in session.execute(query):
        old = previous[2] if previous is not None and previous[:2] == (row.series, row.period) else None
        previous = (row.series, row.period, row.value)
        if revisions_only and old is None:
            continue
        out.append(
            Revision(indicator_id, row.series, row.period, old, row.value, row.flag, row.note, row.recorded_at,
                     row.superseded_at, row.file_id, row.path, row.sha256, row.line)
        )
    return out


# --- runs and their snapshots ------------------------------------------------------------------------------


def start_run(session: Session, summary: Mapping[str, Any] | None = None) -> int:
    run = Run(status=RUNNING, summary=dict(summary or {}), started_at=utcnow())
    session.add(run)
    session.flush()
    return run.id


def finish_run(session: Session, run_id: int, status: str = OK, summary: Mapping[str, Any] | None = None) -> None:
    """Close a run; only runs finished with ``OK`` count as snapshots for later comparisons."""
    run = session.get_one(Run, run_id)
    run.status = status
    run.finished_at = utcnow()
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
        data = asdict(row) if isinstance(row, AssessmentRecord) else dict(row)
        data["category"] = str(data["category"])  # a Category StrEnum is stored as its value
        data.setdefault("payload", {})
        values.append({**data, "run_id": run_id})
    if values:
        session.execute(insert(AssessmentRow), values)
    return len(values)


def latest_assessments(session: Session, before_run: int | None = None) -> Snapshot | None:
    """The snapshot of the last run finished OK (before ``before_run`` if given); None if there is none."""
    query = select(Run.id, Run.finished_at).where(Run.status == OK)
    if before_run is not None:
        query = query.where(Run.id < before_run)
    run = session.execute(query.order_by(Run.id.desc()).limit(1)).first()
    if run is None:
        return None
    a = AssessmentRow.__table__.c
    result = session.execute(
        select(a.indicator_id, a.series, a.method, a.window, a.category, a.score, a.payload).where(a.run_id == run.id)
    )
    records = [AssessmentRecord(*r) for r in result]
    return Snapshot(run.id, run.finished_at, {r.key: r for r in records})


# --- what the pipeline asks before doing work --------------------------------------------------------------


def file_accepted(session: Session, indicator_id: str, path_label: str, sha256: str) -> bool:
    """True when this path's last accepted version had exactly this content, so reading it again is useless.

    Keyed by path: a catalogue file that did not change must not be merged again just because an inbox file
    for the same indicator was accepted in between (that would revert the inbox's revisions).
    """
    last = session.scalar(
        select(SourceFile.sha256)
        .where(SourceFile.indicator_id == indicator_id, SourceFile.path == path_label, SourceFile.status == ACCEPTED)
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
        if not (payload or {}).get("headline"):
            continue
        append_if_changed(out.setdefault(indicator_id, []), at, category, score, (payload or {}).get("latest"))
    return out


def append_if_changed(items: list[dict[str, Any]], at: datetime, category: str, score: float | None,
                      latest: Mapping[str, Any] | None) -> None:
    item = {"at": at, "category": category, "score": score, "latest": dict(latest) if latest else None}
    if not items or (items[-1]["category"], items[-1]["latest"]) != (category, item["latest"]):
        items.append(item)
