"""snapshots saved as changes: indexes for the questions asked at every run, and 'removed' rows for older runs

Every run now saves only the verdicts that changed, and a run's snapshot is the newest row of each key
(``tracker.store.queries.snapshot_at``); a key that disappears gets a row whose category is ``removed``. Runs
saved before this revision hold their whole snapshot and no such rows, so a key dropped by one of them would
come back: this revision adds the rows that end those keys. It also indexes what each run asks: what was
recorded since the last run (observations), and the newest row of each assessment key.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 04:56:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REMOVED = "removed"
NOT_SNAPSHOTS = ("running", "failed", "unchanged")

runs = sa.table("runs", sa.column("id", sa.Integer), sa.column("status", sa.String))
assessments = sa.table(
    "assessments",
    sa.column("run_id", sa.Integer),
    sa.column("indicator_id", sa.String),
    sa.column("series", sa.String),
    sa.column("method", sa.String),
    sa.column("window", sa.String),
    sa.column("category", sa.String),
    sa.column("score", sa.Float),
    sa.column("payload", sa.JSON),
)


def upgrade() -> None:
    op.create_index(op.f("ix_observations_recorded_at"), "observations", ["recorded_at"], unique=False)
    op.create_index(
        "ix_assessments_key_run",
        "assessments",
        ["indicator_id", "series", "method", "window", "run_id"],
        unique=False,
    )
    _end_dropped_keys()


def _end_dropped_keys() -> None:
    """For each pair of consecutive finished runs (all full snapshots here), end the keys the later one lacks."""
    conn = op.get_bind()
    finished = [
        row[0]
        for row in conn.execute(
            sa.select(runs.c.id).where(runs.c.status.not_in(NOT_SNAPSHOTS)).order_by(runs.c.id)
        )
    ]
    a, later = assessments.c, assessments.alias("later")
    for previous, current in zip(finished, finished[1:], strict=False):
        still_there = sa.exists().where(
            later.c.run_id == current,
            later.c.indicator_id == a.indicator_id,
            later.c.series == a.series,
            later.c.method == a.method,
            later.c.window == a.window,
        )
        dropped = sa.select(
            sa.literal(current, sa.Integer),
            a.indicator_id,
            a.series,
            a.method,
            a.window,
            sa.literal(REMOVED, sa.String),
            sa.null(),
            sa.literal({}, sa.JSON),
        ).where(a.run_id == previous, a.category != REMOVED, ~still_there)
        conn.execute(
            assessments.insert().from_select(
                ["run_id", "indicator_id", "series", "method", "window", "category", "score", "payload"],
                dropped,
            )
        )


def downgrade() -> None:
    # Runs saved after this revision hold changes only: version 0001 cannot read them as whole snapshots.
    op.execute(assessments.delete().where(assessments.c.category == REMOVED))
    op.drop_index("ix_assessments_key_run", table_name="assessments")
    op.drop_index(op.f("ix_observations_recorded_at"), table_name="observations")
