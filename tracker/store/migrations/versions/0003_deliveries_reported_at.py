"""deliveries.reported_at: when the operators were told that a delivery failed or was interrupted

Every failed or interrupted (``unknown``) delivery is reported once to ``updates.operations_url``, whichever
command met it; this column records that it was, so a retry loop does not report it again. Older failures
whose changes a later digest to the same subscription delivered are marked reported here (they are settled:
telling the operators now would only be noise); the others start unreported, and the next sender reports them
in one message.

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


deliveries = sa.table(
    "deliveries",
    sa.column("subscription", sa.String),
    sa.column("status", sa.String),
    sa.column("run_id", sa.Integer),
    sa.column("updated_at", sa.DateTime(timezone=True)),
    sa.column("reported_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True))
    later = deliveries.alias("later")
    settled = sa.exists().where(
        later.c.subscription == deliveries.c.subscription,
        later.c.status == "sent",
        later.c.run_id >= deliveries.c.run_id,
    )
    op.execute(
        deliveries.update()
        .where(deliveries.c.status.in_(("failed", "unknown")), settled)
        .values(reported_at=deliveries.c.updated_at)
    )


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("reported_at")
