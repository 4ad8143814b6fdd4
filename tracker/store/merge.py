"""Writes from intake: merge one validated data file into the observations, or note a rejected one.

Rules of a merge, all inside one SAVEPOINT so a file is stored completely or not at all, even when the caller
merges several files in one transaction:

- the latest accepted file of the indicator has the same SHA-256: nothing is written (re-runs are no-ops);
- a new (territory, series, period): a new current row (a peer territory's value is its own key);
- a different value, bound, flag, note, source or time for an existing (territory, series, period): the current row is
  superseded (``superseded_at``, ``superseded_by``) and a new current row is inserted, so history is kept;
- a (series, period) missing from the new version of the file: **kept as is**. Accepted data is never
  deleted silently; a steward who wants a value gone must publish a correction (e.g. a flagged value).

Driver-level bulk statements (multi-row INSERTs on SQLite, COPY and array parameters on PostgreSQL) keep a
300,000-row file to a few seconds. A run merges a thousand small files one transaction each, so the per-file
statements (the latest file, the source_files row, the current versions) are Core statements on the session's
connection: the ORM unit of work and ORM-enabled execution cost more than the database work for such files.
"""

from __future__ import annotations

import logging
import math
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from itertools import islice
from typing import Any, Protocol

from sqlalchemy import Connection, bindparam, insert, select
from sqlalchemy.orm import Session

from tracker.observations import Observation, one_zero
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
    rows = one_zero(list(observations))
    _check(indicator_id, rows)
    with session.begin_nested():
        conn = session.connection()
        latest = conn.execute(_LATEST_ACCEPTED, {"indicator_id": indicator_id}).first()
        if latest is not None and latest.sha256 == sha256:
            log.info("%s: %s unchanged since the last accepted version", indicator_id, path_label)
            return MergeResult(0, 0, len(rows), latest.id, same_file=True)

        now = now or utcnow()
        inserted = conn.execute(
            _INSERT_FILE,
            {
                "indicator_id": indicator_id,
                "path": path_label,
                "sha256": sha256,
                "rows": len(rows),
                "status": ACCEPTED,
                "problems": 0,
                "received_at": now,
            },
        ).inserted_primary_key
        if inserted is None:  # SQLAlchemy has it for every single-row insert: this is not one of many
            raise RuntimeError(f"{path_label}: the database gave no id for the new source file")
        file_id: int = inserted[0]

        current = _current_versions(conn, indicator_id)
        # The observations to write are kept by reference, and their rows made a chunk at a time when written:
        # a million 14-column tuples held at once cost about 300 MB (see ``_Writer.insert``).
        new_obs: list[Observation] = rows if not current else []  # no stored value: every row is new
        retired: list[int] = []  # ids of current rows replaced by the revisions, in new_obs order
        revisions: list[int] = []  # index in new_obs of each revision
        added = len(rows) if not current else 0
        unchanged = 0
        for obs in rows if current else ():
            old = current.get((obs.territory, obs.series, obs.period))
            if old is None:
                added += 1
            elif _same(old, obs):
                unchanged += 1
                continue
            else:
                retired.append(old[0])
                revisions.append(len(new_obs))
            new_obs.append(obs)
        del current

        if new_obs:
            writer = _WRITERS.get(conn.dialect.name)
            if writer is None:
                raise NotImplementedError(
                    f"merging is implemented for SQLite and PostgreSQL, not {conn.dialect.name}"
                )
            ids = writer.allocate_ids(conn, len(new_obs))
            # Retire the old versions first so the partial unique index admits their successors; they point
            # at ids inserted just after (the foreign key is checked at commit: DEFERRABLE INITIALLY DEFERRED).
            writer.retire(conn, [(old_id, ids[k]) for old_id, k in zip(retired, revisions, strict=True)], now)
            writer.insert(conn, (_row(ids[k], obs, file_id) for k, obs in enumerate(new_obs)), now)
    result = MergeResult(added, len(retired), unchanged, file_id)
    log.info(
        "%s: merged %s: %d added, %d revised, %d unchanged",
        indicator_id,
        path_label,
        added,
        len(retired),
        unchanged,
    )
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
        indicator_id=indicator_id,
        path=path_label,
        sha256=sha256,
        rows=rows,
        status=REJECTED,
        problems=problems,
        received_at=now or utcnow(),
    )
    session.add(file)
    session.flush()
    return file.id


def _check(indicator_id: str, rows: Sequence[Observation]) -> None:
    # The periods met, per series: a million (series, period) tuples in one set would cost about 100 MB, the
    # periods of each series a third of that (the period and series texts are shared, not copied).
    seen: dict[tuple[str, str], set[str]] = {}
    for obs in rows:
        if obs.indicator_id != indicator_id:
            raise ValueError(
                f"observation of {obs.indicator_id!r} in a file of {indicator_id!r} (line {obs.line})"
            )
        if math.isnan(obs.value):
            raise ValueError(
                f"{indicator_id}: NaN value for {obs.series or 'headline'} {obs.period} (line {obs.line})"
            )
        periods = seen.get((obs.territory, obs.series))
        if periods is None:
            periods = seen[(obs.territory, obs.series)] = set()
        elif obs.period in periods:
            raise ValueError(
                f"{indicator_id}: {obs.territory or ''} {obs.series or 'headline'} {obs.period} repeated"
                f" (line {obs.line})"
            )
        periods.add(obs.period)


_Version = tuple[
    int, float, float, str, str, str, str, str, str, str
]  # id, time, value, note, flag, source, note_it, note_en, bound, notes

_files, _obs = SourceFile.__table__.c, ObservationRow.__table__.c
_LATEST_ACCEPTED = (
    select(_files.id, _files.sha256)
    .where(_files.indicator_id == bindparam("indicator_id"), _files.status == ACCEPTED)
    .order_by(_files.id.desc())
    .limit(1)
)
_INSERT_FILE = insert(SourceFile.__table__)
_CURRENT = select(
    _obs.territory,
    _obs.series,
    _obs.period,
    _obs.id,
    _obs.time,
    _obs.value,
    _obs.note,
    _obs.flag,
    _obs.source,
    _obs.note_it,
    _obs.note_en,
    _obs.bound,
    _obs.notes,
).where(_obs.indicator_id == bindparam("indicator_id"), _obs.superseded_at.is_(None))


def _current_versions(conn: Connection, indicator_id: str) -> dict[tuple[str, str, str], _Version]:
    result = conn.execute(_CURRENT, {"indicator_id": indicator_id})
    return {(r[0], r[1], r[2]): tuple(r[3:]) for r in result}


def _same(old: _Version, obs: Observation) -> bool:
    return old[1:] == (
        obs.time,
        obs.value,
        obs.note,
        obs.flag,
        obs.source,
        obs.note_it,
        obs.note_en,
        obs.bound,
        obs.notes,
    )


def _row(row_id: int, obs: Observation, file_id: int) -> tuple[Any, ...]:
    """The values of ``_COLUMNS`` but ``recorded_at`` (which the writer adds), in one tuple display."""
    return (
        row_id,
        obs.indicator_id,
        obs.series,
        obs.period,
        obs.time,
        obs.value,
        obs.note,
        obs.flag,
        obs.source,
        obs.line,
        obs.note_it,
        obs.note_en,
        obs.bound,
        obs.territory,
        obs.notes,
        file_id,
    )


#: Column order of the tuples handed to ``_Writer.insert`` (recorded_at is appended by the writer).
_COLUMNS = (
    "id",
    "indicator_id",
    "series",
    "period",
    "time",
    "value",
    "note",
    "flag",
    "source",
    "line",
    "note_it",
    "note_en",
    "bound",
    "territory",
    "notes",
    "file_id",
    "recorded_at",
)


class _Writer(Protocol):
    """Driver-level bulk statements: SQLAlchemy's per-row parameter processing would cost more than the
    database work for large files. They run on the session's connection, inside its transaction and savepoint."""

    def allocate_ids(self, conn: Connection, count: int) -> Sequence[int]: ...

    def retire(self, conn: Connection, links: list[tuple[int, int]], now: datetime) -> None:
        """Mark ``old`` ids superseded by ``new`` ids, for each (old, new) in ``links``."""

    def insert(self, conn: Connection, rows: Iterable[tuple[Any, ...]], now: datetime) -> None:
        """Insert ``rows`` (an iterator, consumed once: the writer holds one statement's rows at a time)."""


class _SQLiteWriter:
    def allocate_ids(self, conn: Connection, count: int) -> Sequence[int]:
        # Safe: this transaction has already written (the source_files row), so SQLite lets no other writer in.
        top = conn.exec_driver_sql("SELECT coalesce(max(id), 0) FROM observations").scalar_one()
        return range(top + 1, top + 1 + count)  # a range, not a list of a million ints

    def retire(self, conn: Connection, links: list[tuple[int, int]], now: datetime) -> None:
        if links:
            stamp = _stamp(conn, now)
            conn.exec_driver_sql(
                "UPDATE observations SET superseded_at = ?, superseded_by = ? WHERE id = ?",
                [(stamp, new, old) for old, new in links],
            )

    def insert(self, conn: Connection, rows: Iterable[tuple[Any, ...]], now: datetime) -> None:
        """Multi-row INSERTs: a third cheaper than executemany, which steps one statement per row."""
        stamp = _stamp(conn, now)
        per = _sqlite_rows_per_insert(conn)
        it = iter(rows)
        while part := list(islice(it, per)):
            values: list[Any] = []  # the rows' values one after the other, each row followed by the stamp
            extend, append = values.extend, values.append
            for row in part:
                extend(row)
                append(stamp)
            conn.exec_driver_sql(_sqlite_insert(len(part)), tuple(values))


#: Rows per SQLite INSERT: larger statements gain nothing measurable, and SQLite caps bound parameters.
_SQLITE_ROWS_PER_INSERT = 500


def _sqlite_rows_per_insert(conn: Connection) -> int:
    """Rows per INSERT within the connection's limit of bound parameters (999 before SQLite 3.32)."""
    raw: Any = conn.connection.dbapi_connection
    limit = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) if hasattr(raw, "getlimit") else 999
    return max(1, min(_SQLITE_ROWS_PER_INSERT, limit // len(_COLUMNS)))


@cache
def _sqlite_insert(rows: int) -> str:
    one = f"({', '.join('?' * len(_COLUMNS))})"
    return f"INSERT INTO observations ({', '.join(_COLUMNS)}) VALUES {', '.join([one] * rows)}"


class _PostgresWriter:
    def allocate_ids(self, conn: Connection, count: int) -> Sequence[int]:
        # The sequence is looked up once, in FROM: in the select list it would be looked up for every id.
        ids = conn.exec_driver_sql(
            "SELECT array_agg(nextval(seq)) FROM CAST(pg_get_serial_sequence('observations', 'id') AS regclass) AS seq,"
            " generate_series(1, %s)",
            (count,),
        ).scalar_one()
        return sorted(ids)

    def retire(self, conn: Connection, links: list[tuple[int, int]], now: datetime) -> None:
        if links:  # one statement, however many rows: arrays unnested and joined on the primary key
            conn.exec_driver_sql(
                "UPDATE observations SET superseded_at = %s, superseded_by = link.new_id "
                "FROM unnest(%s::integer[], %s::integer[]) AS link(old_id, new_id) WHERE observations.id = link.old_id",
                (now, [old for old, _ in links], [new for _, new in links]),
            )

    def insert(self, conn: Connection, rows: Iterable[tuple[Any, ...]], now: datetime) -> None:
        """Binary COPY: a quarter cheaper than text for client and server (no number and date formatting)."""
        types = self._column_types(conn)
        raw: Any = conn.connection.dbapi_connection  # a psycopg 3 connection
        statement = f"COPY observations ({', '.join(_COLUMNS)}) FROM STDIN (FORMAT BINARY)"
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            copy.set_types(types)
            for row in rows:
                copy.write_row((*row, now))

    @staticmethod
    def _column_types(conn: Connection) -> list[int]:
        """The type OIDs of ``_COLUMNS`` as the table has them (binary COPY needs them exactly), asked once per
        connection rather than hard-coded."""
        info = conn.connection.info
        if _PG_TYPES not in info:
            result = conn.exec_driver_sql(
                "SELECT attname, atttypid::integer FROM pg_attribute WHERE attrelid = 'observations'::regclass"
                " AND attnum > 0 AND NOT attisdropped"
            )
            oids = {name: oid for name, oid in result}
            info[_PG_TYPES] = [oids[name] for name in _COLUMNS]
        return info[_PG_TYPES]


_PG_TYPES = "tracker_observations_types"  # key of the cached type OIDs in the pooled connection's info


_WRITERS: dict[str, _Writer] = {"sqlite": _SQLiteWriter(), "postgresql": _PostgresWriter()}


def _stamp(conn: Connection, now: datetime) -> Any:
    """``now`` as the driver expects it for an observations timestamp column (SQLite: a text in SQLAlchemy's format)."""
    process = ObservationRow.__table__.c.recorded_at.type.dialect_impl(conn.dialect).bind_processor(
        conn.dialect
    )
    return process(now) if process else now
