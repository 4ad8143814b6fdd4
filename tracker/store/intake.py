"""Writes from intake: merge one validated data file into the observations, or note a rejected one.

Rules of a merge, all inside one SAVEPOINT so a file is stored completely or not at all, even when the caller
merges several files in one transaction:

- the latest accepted file of the indicator has the same SHA-256: nothing is written (re-runs are no-ops);
- a new (series, period): a new current row;
- a different value, flag, note, source or time for an existing (series, period): the current row is
  superseded (``superseded_at``, ``superseded_by``) and a new current row is inserted, so history is kept;
- a (series, period) missing from the new version of the file: **kept as is**. Accepted data is never
  deleted silently; a steward who wants a value gone must publish a correction (e.g. a flagged value).

Driver-level bulk statements (executemany on SQLite, COPY and array parameters on PostgreSQL) keep a
300,000-row file to a few seconds.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from tracker.observations import Observation
from tracker.store.models import ACCEPTED, REJECTED, ObservationRow, SourceFile, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class MergeResult:
    added: int
    revised: int
    unchanged: int
    file_id: int
    same_file: bool = False  # the latest accepted file had the same content hash: nothing was written

    @property
    def changed(self) -> bool:
        return bool(self.added or self.revised)


def merge_file(
    session: Session,
    indicator_id: str,
    path_label: str,
    sha256: str,
    observations: Iterable[Observation],
    *,
    now: datetime | None = None,
) -> MergeResult:
    """Merge the observations of one accepted file of ``indicator_id``; see the module docstring for the rules.

    Raises ValueError (before writing anything) when an observation belongs to another indicator, has a NaN
    value, or repeats a (series, period) of the same file.
    """
    rows = list(observations)
    _check(indicator_id, rows)
    with session.begin_nested():
        latest = session.execute(
            select(SourceFile.id, SourceFile.sha256)
            .where(SourceFile.indicator_id == indicator_id, SourceFile.status == ACCEPTED)
            .order_by(SourceFile.id.desc())
            .limit(1)
        ).first()
        if latest is not None and latest.sha256 == sha256:
            log.info("%s: %s unchanged since the last accepted version", indicator_id, path_label)
            return MergeResult(0, 0, len(rows), latest.id, same_file=True)

        now = now or utcnow()
        file = SourceFile(
            indicator_id=indicator_id, path=path_label, sha256=sha256, rows=len(rows), status=ACCEPTED,
            problems=0, received_at=now,
        )
        session.add(file)
        session.flush()

        current = _current_versions(session, indicator_id)
        new_rows: list[tuple[Any, ...]] = []
        retired: list[int] = []  # ids of current rows replaced by the revisions, in new_rows order
        revisions: list[int] = []  # index in new_rows of each revision
        added = unchanged = 0
        for obs in rows:
            old = current.get((obs.series, obs.period))
            if old is None:
                added += 1
            elif _same(old, obs):
                unchanged += 1
                continue
            else:
                retired.append(old[0])
                revisions.append(len(new_rows))
            new_rows.append(_row(obs))

        if new_rows:
            conn = session.connection()
            writer = _WRITERS.get(conn.dialect.name)
            if writer is None:
                raise NotImplementedError(f"merging is implemented for SQLite and PostgreSQL, not {conn.dialect.name}")
            ids = writer.allocate_ids(conn, len(new_rows))
            # Retire the old versions first so the partial unique index admits their successors; they point
            # at ids inserted just after (the foreign key is checked at commit: DEFERRABLE INITIALLY DEFERRED).
            writer.retire(conn, [(old_id, ids[k]) for old_id, k in zip(retired, revisions, strict=True)], now)
            writer.insert(conn, [(ids[k], *row, file.id) for k, row in enumerate(new_rows)], now)
    result = MergeResult(added, len(retired), unchanged, file.id)
    log.info("%s: merged %s: %d added, %d revised, %d unchanged", indicator_id, path_label, added, len(retired),
             unchanged)
    return result


def record_rejected(
    session: Session,
    indicator_id: str,
    path_label: str,
    sha256: str,
    problems: int,
    rows: int = 0,
    *,
    now: datetime | None = None,
) -> int:
    """Note that a file was refused (its problems are reported elsewhere); observations are not touched."""
    file = SourceFile(
        indicator_id=indicator_id, path=path_label, sha256=sha256, rows=rows, status=REJECTED,
        problems=problems, received_at=now or utcnow(),
    )
    session.add(file)
    session.flush()
    return file.id


def _check(indicator_id: str, rows: Sequence[Observation]) -> None:
    seen: set[tuple[str, str]] = set()
    for obs in rows:
        if obs.indicator_id != indicator_id:
            raise ValueError(f"observation of {obs.indicator_id!r} in a file of {indicator_id!r} (line {obs.line})")
        if math.isnan(obs.value):
            raise ValueError(f"{indicator_id}: NaN value for {obs.series or 'headline'} {obs.period} (line {obs.line})")
        key = (obs.series, obs.period)
        if key in seen:
            raise ValueError(f"{indicator_id}: {obs.series or 'headline'} {obs.period} repeated (line {obs.line})")
        seen.add(key)


_Version = tuple[int, float, float, str, str, str]  # id, time, value, note, flag, source


def _current_versions(session: Session, indicator_id: str) -> dict[tuple[str, str], _Version]:
    t = ObservationRow.__table__.c
    result = session.execute(
        select(t.series, t.period, t.id, t.time, t.value, t.note, t.flag, t.source).where(
            t.indicator_id == indicator_id, t.superseded_at.is_(None)
        )
    )
    return {(r[0], r[1]): (r[2], r[3], r[4], r[5], r[6], r[7]) for r in result}


def _same(old: _Version, obs: Observation) -> bool:
    return (old[1], old[2], old[3], old[4], old[5]) == (obs.time, obs.value, obs.note, obs.flag, obs.source)


def _row(obs: Observation) -> tuple[Any, ...]:
    return (obs.indicator_id, obs.series, obs.period, obs.time, obs.value, obs.note, obs.flag, obs.source, obs.line)


#: Column order of the tuples handed to ``_Writer.insert`` (recorded_at is appended by the writer).
_COLUMNS = ("id", "indicator_id", "series", "period", "time", "value", "note", "flag", "source", "line", "file_id",
            "recorded_at")


class _Writer(Protocol):
    """Driver-level bulk statements: SQLAlchemy's per-row parameter processing would cost more than the
    database work for large files. They run on the session's connection, inside its transaction and savepoint."""

    def allocate_ids(self, conn: Connection, count: int) -> list[int]: ...

    def retire(self, conn: Connection, links: list[tuple[int, int]], now: datetime) -> None:
        """Mark ``old`` ids superseded by ``new`` ids, for each (old, new) in ``links``."""

    def insert(self, conn: Connection, rows: list[tuple[Any, ...]], now: datetime) -> None: ...


class _SQLiteWriter:
    def allocate_ids(self, conn: Connection, count: int) -> list[int]:
        # Safe: this transaction has already written (the source_files row), so SQLite lets no other writer in.
        top = conn.exec_driver_sql("SELECT coalesce(max(id), 0) FROM observations").scalar_one()
        return list(range(top + 1, top + 1 + count))

    def retire(self, conn: Connection, links: list[tuple[int, int]], now: datetime) -> None:
        if links:
            stamp = _stamp(conn, now)
            conn.exec_driver_sql(
                "UPDATE observations SET superseded_at = ?, superseded_by = ? WHERE id = ?",
                [(stamp, new, old) for old, new in links],
            )

    def insert(self, conn: Connection, rows: list[tuple[Any, ...]], now: datetime) -> None:
        stamp = _stamp(conn, now)
        conn.exec_driver_sql(
            f"INSERT INTO observations ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})",
            [(*row, stamp) for row in rows],
        )


class _PostgresWriter:
    def allocate_ids(self, conn: Connection, count: int) -> list[int]:
        result = conn.exec_driver_sql(
            "SELECT nextval(pg_get_serial_sequence('observations', 'id')) FROM generate_series(1, %s)", (count,)
        )
        return [row[0] for row in result]

    def retire(self, conn: Connection, links: list[tuple[int, int]], now: datetime) -> None:
        if links:  # one statement, however many rows: arrays unnested and joined on the primary key
            conn.exec_driver_sql(
                "UPDATE observations SET superseded_at = %s, superseded_by = link.new_id "
                "FROM unnest(%s::integer[], %s::integer[]) AS link(old_id, new_id) WHERE observations.id = link.old_id",
                (now, [old for old, _ in links], [new for _, new in links]),
            )

    def insert(self, conn: Connection, rows: list[tuple[Any, ...]], now: datetime) -> None:
        raw: Any = conn.connection.dbapi_connection  # a psycopg 3 connection
        with raw.cursor() as cursor, cursor.copy(f"COPY observations ({', '.join(_COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*row, now))


_WRITERS: dict[str, _Writer] = {"sqlite": _SQLiteWriter(), "postgresql": _PostgresWriter()}


def _stamp(conn: Connection, now: datetime) -> Any:
    """``now`` as the driver expects it for an observations timestamp column (SQLite: a text in SQLAlchemy's format)."""
    process = ObservationRow.__table__.c.recorded_at.type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
    return process(now) if process else now

