"""deliveries.reported_at: when the operators were told that a delivery failed or was interrupted

Every failed or interrupted (``unknown``) delivery is reported once to ``updates.operations_url``, whichever
command met it; this column records that it was, so a retry loop does not report it again. Rows older than
this revision start unreported: the next sender reports the ones still failed or unknown, in one message.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 12:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("reported_at")
