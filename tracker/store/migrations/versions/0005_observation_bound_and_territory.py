"""observations.bound, territory: published bounds (">63 %") and peer territories' values

A value may be only a bound of the published figure (``lower``: "more than", ``upper``: "less than"), and a data
file may carry other territories' values for comparison. The territory is part of a value's identity: the
current-value unique index and the lookup index now include it. Existing rows are exact values of the city.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 15:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CURRENT = sa.text("superseded_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("observations") as batch:
        batch.add_column(sa.Column("bound", sa.String(length=8), nullable=False, server_default=""))
        batch.add_column(sa.Column("territory", sa.String(length=128), nullable=False, server_default=""))
    _indexes(["indicator_id", "territory", "series", "period"])


def downgrade() -> None:
    _indexes(["indicator_id", "series", "period"])
    with op.batch_alter_table("observations") as batch:
        batch.drop_column("territory")
        batch.drop_column("bound")


def _indexes(columns: list[str]) -> None:
    """The current-value unique index and the lookup index, made again on ``columns``."""
    op.drop_index("ix_observations_key", table_name="observations")
    op.drop_index("uq_observations_current", table_name="observations")
    op.create_index(
        "uq_observations_current",
        "observations",
        columns,
        unique=True,
        sqlite_where=_CURRENT,
        postgresql_where=_CURRENT,
    )
    op.create_index("ix_observations_key", "observations", columns, unique=False)
