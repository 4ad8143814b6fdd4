"""indexes for the questions asked at every run: what was recorded since the last run (observations), and the
newest row of each assessment key (runs save only the verdicts that changed)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 04:56:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_observations_recorded_at"), "observations", ["recorded_at"], unique=False)
    op.create_index("ix_assessments_key_run", "assessments", ["indicator_id", "series", "method", "window", "run_id"],
                    unique=False)


def downgrade() -> None:
    op.drop_index("ix_assessments_key_run", table_name="assessments")
    op.drop_index(op.f("ix_observations_recorded_at"), table_name="observations")
