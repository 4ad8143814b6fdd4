"""The tables, as SQLAlchemy 2 typed declarative models.

Accepted data is never deleted or updated in place: a new value of an (indicator, territory, series, period) supersedes
the old row, which keeps its value and points at its successor. The current value is the row whose
``superseded_at`` is NULL, and a partial unique index guarantees there is at most one (SQLite and PostgreSQL).
Every run stores the verdicts it produced (``assessments``), so updates can say what changed since the last run.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

#: Constraint names fixed by convention, so migrations and ``alembic check`` agree on every backend.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
ACCEPTED, REJECTED = "accepted", "rejected"
RUNNING, OK, FAILED = "running", "ok", "failed"
UNCHANGED = "unchanged"  # a run that found no input changed: recorded, but not a new snapshot
SENT = "sent"


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend.

    PostgreSQL stores ``timestamptz``; SQLite has no time zone type, so values are stored as naive UTC and
    come back with ``tzinfo=UTC`` attached. Naive datetimes are refused: their zone would be a guess.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass a timezone-aware value")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}

    if TYPE_CHECKING:
        # Every model here declares __tablename__, so it is mapped to a Table (that Core's insert() takes),
        # not to any FromClause as DeclarativeBase has it.
        __table__: ClassVar[Table]


class SourceFile(Base):
    """One delivery of a data file, accepted (merged) or rejected (problems found, nothing merged)."""

    __tablename__ = "source_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[str] = mapped_column(String(64), index=True)
    path: Mapped[str] = mapped_column(Text)  # as given by the caller (relative to the project)
    sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(16))  # ACCEPTED or REJECTED
    problems: Mapped[int] = mapped_column(Integer, default=0)


class ObservationRow(Base):
    """One version of one value; the current version has ``superseded_at`` NULL."""

    __tablename__ = "observations"
    __table_args__ = (
        Index(
            "uq_observations_current",
            "indicator_id",
            "territory",
            "series",
            "period",
            unique=True,
            sqlite_where=text("superseded_at IS NULL"),
            postgresql_where=text("superseded_at IS NULL"),
        ),
        Index("ix_observations_key", "indicator_id", "territory", "series", "period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[str] = mapped_column(String(64))
    series: Mapped[str] = mapped_column(String(255), default="")  # "" = headline
    period: Mapped[str] = mapped_column(String(32))
    time: Mapped[float] = mapped_column(Float)
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    flag: Mapped[str] = mapped_column(String(16), default="")
    source: Mapped[str] = mapped_column(Text, default="")
    file_id: Mapped[int] = mapped_column(ForeignKey("source_files.id"))
    line: Mapped[int] = mapped_column(Integer, default=0)
    note_it: Mapped[str] = mapped_column(Text, default="", server_default="")  # the note in each language
    note_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    # "" (an exact value), "lower" (published as "more than") or "upper" ("less than"): never assessed.
    bound: Mapped[str] = mapped_column(String(8), default="", server_default="")
    # "" for the indicator's own city, else a peer territory (part of the value's identity, never assessed).
    territory: Mapped[str] = mapped_column(String(128), default="", server_default="")
    # The notes in the other languages, {"fr": ...} as JSON text (tracker.observations.notes_json).
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)  # "what changed since"
    superseded_at: Mapped[datetime | None] = mapped_column(default=None)
    # Deferred: a merge retires the old row (pointing at its successor's id) before inserting the successor.
    # Indexed: SQLite looks up referencing rows for every inserted row while a deferred violation is open.
    superseded_by: Mapped[int | None] = mapped_column(
        ForeignKey("observations.id", deferrable=True, initially="DEFERRED"), index=True, default=None
    )


class Run(Base):
    """One pipeline run (recompute); ``summary`` holds counts and problems for the operator."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    status: Mapped[str] = mapped_column(String(16), default=RUNNING)  # RUNNING, OK or FAILED
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)


class AssessmentRow(Base):
    """One verdict of one run, saved when it changed: a run's snapshot is, for each key, its latest row."""

    __tablename__ = "assessments"
    # Rebuilding a snapshot takes the newest row per key: walk this index instead of sorting the table.
    __table_args__ = (
        Index("ix_assessments_key_run", "indicator_id", "series", "method", "window", "run_id"),
    )

    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    indicator_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    series: Mapped[str] = mapped_column(String(255), primary_key=True)  # "" = headline
    method: Mapped[str] = mapped_column(String(32), primary_key=True)
    window: Mapped[str] = mapped_column(String(16), primary_key=True)
    category: Mapped[str] = mapped_column(String(32))
    score: Mapped[float | None] = mapped_column(Float)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Delivery(Base):
    """One digest sent (or tried) to one subscription; the unique key makes a resend a no-op."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("subscription", "digest_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(64))  # fingerprint of the resolved URL, never the URL itself
    digest_key: Mapped[str] = mapped_column(String(128))
    digest_hash: Mapped[str] = mapped_column(String(64), default="")
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"), default=None)
    status: Mapped[str] = mapped_column(String(16))  # SENT, FAILED, "sending" or "unknown"
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When updates.operations_url was told that this delivery failed or was interrupted (once per row).
    reported_at: Mapped[datetime | None] = mapped_column(default=None)


class Digest(Base):
    """A rendered digest, kept for the feed."""

    __tablename__ = "digests"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int | None] = mapped_column(
        ForeignKey("runs.id", ondelete="SET NULL"), index=True, default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(Text)
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
