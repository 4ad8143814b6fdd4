"""What changed between two runs' snapshots: the facts a digest reports, in catalogue order.

A digest compares the snapshot of the run a subscription last heard about (its baseline) with the latest run,
so a subscription that missed updates (a failed channel, a weekly schedule) gets everything at once and a
change that was undone in between is not reported at all. Everything here is computed from the database as of
the two runs, so the same pair of runs always gives the same changes (a retried delivery sends the same text).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from pathlib import PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from tracker.assess.base import RANK, Category
from tracker.catalog import Catalog
from tracker.observations import HEADLINE
from tracker.store.models import FAILED, RUNNING, UNCHANGED, ObservationRow, Run
from tracker.store.queries import snapshot_at

log = logging.getLogger(__name__)


# --- runs ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunRef:
    id: int
    started_at: datetime
    finished_at: datetime


def _finished() -> Any:
    return and_(Run.finished_at.is_not(None), Run.status.not_in([RUNNING, FAILED, UNCHANGED]))


def _run_ref(run_id: int, started_at: datetime, finished_at: datetime | None) -> RunRef | None:
    if finished_at is None:  # never: _finished() keeps out the runs without an end
        return None
    return RunRef(run_id, started_at, finished_at)


def latest_run(session: Session) -> RunRef | None:
    """The last run that finished (with or without rejected files): the newest snapshot."""
    row = session.execute(
        select(Run.id, Run.started_at, Run.finished_at).where(_finished()).order_by(Run.id.desc()).limit(1)
    ).first()
    return _run_ref(*row) if row else None


def get_run(session: Session, run_id: int) -> RunRef | None:
    row = session.execute(
        select(Run.id, Run.started_at, Run.finished_at).where(Run.id == run_id, _finished())
    ).first()
    return _run_ref(*row) if row else None


# --- what a digest reports ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewData:
    indicator_id: str
    added: int  # values for periods not stored before
    revised: int  # new versions of stored values
    latest_period: str
    bounds: int = 0  # of the new values, how many are only bounds ("more than 63 %"): not assessed


@dataclass(frozen=True)
class CategoryChange:
    indicator_id: str
    before: str | None  # None: not assessed in the baseline snapshot
    after: str

    @property
    def improved(self) -> bool | None:
        """True better, False worse, None when either side has no rank (new, or too little data)."""
        old = RANK.get(Category(self.before)) if self.before else None
        new = RANK.get(Category(self.after))
        if old is None or new is None:
            return None
        return new > old


@dataclass(frozen=True)
class Overdue:
    indicator_id: str
    latest_period: str
    due: str  # ISO date by which the next value should have been in


@dataclass(frozen=True)
class RejectedFile:
    label: str
    indicator_id: str  # "" when no indicator matches the file name


@dataclass(frozen=True)
class Changes:
    """Changes from snapshot ``from_run`` (None: from nothing, a first update) to snapshot ``to_run``."""

    from_run: int | None
    to_run: int
    since: datetime | None
    until: datetime
    new_data: tuple[NewData, ...] = ()
    categories: tuple[CategoryChange, ...] = ()
    targets_reached: tuple[CategoryChange, ...] = ()
    overdue: tuple[Overdue, ...] = ()
    rejected: tuple[RejectedFile, ...] = ()

    @property
    def count(self) -> int:
        return (
            len(self.new_data)
            + len(self.categories)
            + len(self.targets_reached)
            + len(self.overdue)
            + len(self.rejected)
        )

    def __bool__(self) -> bool:
        return self.count > 0

    def only(self, indicator_ids: Collection[str] | None, *, unmatched_files: bool = True) -> Changes:
        """The changes about ``indicator_ids`` (None: all); files matching no indicator kept if asked."""
        if indicator_ids is None:
            return self
        keep = set(indicator_ids)
        return replace(
            self,
            new_data=tuple(c for c in self.new_data if c.indicator_id in keep),
            categories=tuple(c for c in self.categories if c.indicator_id in keep),
            targets_reached=tuple(c for c in self.targets_reached if c.indicator_id in keep),
            overdue=tuple(c for c in self.overdue if c.indicator_id in keep),
            rejected=tuple(
                c for c in self.rejected if c.indicator_id in keep or (unmatched_files and not c.indicator_id)
            ),
        )

    def without_files(self) -> Changes:
        """For the public feed: which files a steward got wrong is operations detail, not news."""
        return replace(self, rejected=())

    def to_payload(self) -> dict[str, Any]:
        """Plain JSON, stored with a digest."""
        data = asdict(self)
        data["since"] = self.since.isoformat() if self.since else None
        data["until"] = self.until.isoformat()
        return data

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> Changes:
        return cls(
            from_run=data["from_run"],
            to_run=data["to_run"],
            since=datetime.fromisoformat(data["since"]) if data.get("since") else None,
            until=datetime.fromisoformat(data["until"]),
            new_data=tuple(NewData(**c) for c in data.get("new_data", ())),
            categories=tuple(CategoryChange(**c) for c in data.get("categories", ())),
            targets_reached=tuple(CategoryChange(**c) for c in data.get("targets_reached", ())),
            overdue=tuple(Overdue(**c) for c in data.get("overdue", ())),
            rejected=tuple(RejectedFile(**c) for c in data.get("rejected", ())),
        )


@dataclass
class _Collector:
    new_data: list[NewData] = field(default_factory=list)
    categories: list[CategoryChange] = field(default_factory=list)
    targets: list[CategoryChange] = field(default_factory=list)
    overdue: list[Overdue] = field(default_factory=list)


def compute(
    session: Session, cat: Catalog, from_run: RunRef | None, to_run: RunRef, timezone: str
) -> Changes:
    """What changed from snapshot ``from_run`` to snapshot ``to_run``, for the indicators in the catalogue."""
    tz = ZoneInfo(timezone)
    before = headline_categories(session, from_run.id) if from_run else {}
    after = headline_categories(session, to_run.id)
    fresh = _new_data(session, from_run.finished_at if from_run else None, to_run.finished_at)
    latest = _latest_headline_periods(session, to_run.finished_at)
    latest_then: dict[str, str] = {}
    if from_run is not None:
        # Values change only by new rows recorded in between: other indicators' latest periods stood as now.
        latest_then = {k: v for k, v in latest.items() if k not in fresh}
        if fresh:
            latest_then |= _latest_headline_periods(session, from_run.finished_at, list(fresh))
    since_day = from_run.started_at.astimezone(tz).date() if from_run else None
    until_day = to_run.started_at.astimezone(tz).date()
    out = _Collector()
    for entry in cat.entries:
        ind = entry.indicator
        if ind.id in fresh:
            added, revised, period, bounds = fresh[ind.id]
            out.new_data.append(NewData(ind.id, added, revised, period, bounds))
        new, old = after.get(ind.id), before.get(ind.id)
        if new is not None and new != old and not (old is None and new == Category.INSUFFICIENT_DATA):
            change = CategoryChange(ind.id, old, new)
            (out.targets if new == Category.ACHIEVED else out.categories).append(change)
        due = _due(latest[ind.id], ind.frequency) if ind.id in latest else None
        if due is not None and due < until_day:  # overdue now; news if it was not at the baseline
            due_then = _due(latest_then[ind.id], ind.frequency) if ind.id in latest_then else None
            if since_day is None or due_then is None or due_then >= since_day:
                out.overdue.append(Overdue(ind.id, latest[ind.id], due.isoformat()))
    rejected = _rejected_files(session, cat, from_run.id if from_run else None, to_run.id)
    return Changes(
        from_run=from_run.id if from_run else None,
        to_run=to_run.id,
        since=from_run.started_at if from_run else None,
        until=to_run.started_at,
        new_data=tuple(out.new_data),
        categories=tuple(out.categories),
        targets_reached=tuple(out.targets),
        overdue=tuple(out.overdue),
        rejected=tuple(rejected),
    )


def headline_categories(session: Session, run_id: int) -> dict[str, str]:
    """Indicator id -> category of its headline verdict in the snapshot of ``run_id``.

    The headline is the row marked ``payload["headline"]`` (see :func:`tracker.assess.snapshot.snapshot_records`); a snapshot written
    without that mark falls back to the first verdict of the headline series.
    """
    snapshot = snapshot_at(session, run_id, series=HEADLINE)
    rows = [(r.indicator_id, r.category, r.payload) for _, r in sorted(snapshot.items())]
    out: dict[str, str] = {}
    marked: set[str] = set()
    for indicator_id, category, payload in rows:
        is_headline = bool((payload or {}).get("headline"))
        if indicator_id in marked or (indicator_id in out and not is_headline):
            continue
        out[indicator_id] = category
        if is_headline:
            marked.add(indicator_id)
    return out


def _new_data(
    session: Session, since: datetime | None, until: datetime
) -> dict[str, tuple[int, int, str, int]]:
    """Indicator id -> (added, revised, latest period, bounds among them) for the city's own values recorded in
    (since, until]."""
    o = ObservationRow.__table__
    older = aliased(o)
    revised = case((exists().where(older.c.superseded_by == o.c.id), 1), else_=0)
    # A peer territory's values are not the city's new data (they are never assessed either).
    window = and_(o.c.recorded_at <= until, o.c.territory == "")
    if since is not None:
        window = and_(window, o.c.recorded_at > since)
    # Counted in the database: a first run records 300,000 values at 1,000 indicators.
    bound = case((o.c.bound != "", 1), else_=0)
    counts = session.execute(
        select(o.c.indicator_id, func.count(), func.sum(revised), func.sum(bound))
        .where(window)
        .group_by(o.c.indicator_id)
    ).all()
    newest = (
        select(o.c.indicator_id, func.max(o.c.time).label("time"))
        .where(window)
        .group_by(o.c.indicator_id)
        .subquery()
    )
    periods = dict(
        session.execute(
            select(o.c.indicator_id, func.max(o.c.period))
            .join(newest, and_(o.c.indicator_id == newest.c.indicator_id, o.c.time == newest.c.time))
            .where(window)
            .group_by(o.c.indicator_id)
        ).all()
    )
    return {
        indicator_id: (total - (changed or 0), changed or 0, periods[indicator_id], int(bounds or 0))
        for indicator_id, total, changed, bounds in counts
    }


def _latest_headline_periods(
    session: Session, at: datetime, indicator_ids: Collection[str] | None = None
) -> dict[str, str]:
    """Indicator id -> the latest period of its headline series, as the database stood at ``at``."""
    o = ObservationRow.__table__.c
    current_then = and_(
        o.recorded_at <= at,
        or_(o.superseded_at.is_(None), o.superseded_at > at),
        o.series == HEADLINE,
        o.territory == "",
    )
    if indicator_ids is not None:
        current_then = and_(current_then, o.indicator_id.in_(list(indicator_ids)))
    newest = (
        select(o.indicator_id, func.max(o.time).label("time"))
        .where(current_then)
        .group_by(o.indicator_id)
        .subquery()
    )
    rows = session.execute(
        select(o.indicator_id, o.period)
        .join(newest, and_(o.indicator_id == newest.c.indicator_id, o.time == newest.c.time))
        .where(current_then)
    )
    return {indicator_id: period for indicator_id, period in rows}


def _due(period: str, frequency: str) -> date | None:
    from tracker.intake.periods import next_due  # one rule for the site's "overdue" and the digests'

    return next_due(period, frequency)


def _rejected_files(session: Session, cat: Catalog, from_run: int | None, to_run: int) -> list[RejectedFile]:
    """Files rejected by runs after ``from_run`` up to ``to_run``, except those already rejected in ``from_run``.

    A catalogue file stays rejected (and is re-checked) at every run until fixed: it is news once.
    """
    query = select(Run.id, Run.summary).where(Run.id <= to_run, _finished())
    query = query.where(Run.id >= from_run) if from_run is not None else query
    known: set[str] = set()
    found: dict[str, None] = {}
    for run_id, summary in session.execute(query.order_by(Run.id)):
        labels = _rejected_labels(summary)
        if run_id == from_run:
            known = set(labels)
        else:
            found.update(dict.fromkeys(label for label in labels if label not in known))
    out = []
    for label in found:
        entry = cat.inbox_indicator(PurePosixPath(label).name)
        out.append(RejectedFile(label, entry.indicator.id if entry else ""))
    return out


def _rejected_labels(summary: Mapping[str, Any] | None) -> Iterable[str]:
    files = (summary or {}).get("files") or {}
    return [label for label, status in files.items() if status == "rejected"]
