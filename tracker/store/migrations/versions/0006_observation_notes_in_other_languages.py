"""observations.notes: the public note of a value in languages beyond Italian and English

A data file may give its notes in any language of the site (``note_fr``, ``note_es``...) beside ``note_it`` and
``note_en``; they are kept together as one JSON text, ``{"fr": ...}`` (``tracker.observations.notes_json``), so
a city's new language needs no new column. Existing rows have none.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 18:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("observations") as batch:
        batch.add_column(sa.Column("notes", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("observations") as batch:
        batch.drop_column("notes")
