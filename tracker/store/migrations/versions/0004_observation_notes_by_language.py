"""observations.note_it, note_en: the public note of a value in each language

A data file may give its notes in Italian and English (``note_it``, ``note_en``) beside the language-neutral
``note``; the pages show each reader the note in their language. Existing rows keep their note as the
language-neutral one.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 13:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("observations") as batch:
        batch.add_column(sa.Column("note_it", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("note_en", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("observations") as batch:
        batch.drop_column("note_en")
        batch.drop_column("note_it")
