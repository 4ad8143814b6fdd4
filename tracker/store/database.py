"""The project's database, opened migrated: the one way every command reaches it.

``with open_database(settings) as engine:`` for a command's lifetime (disposed at the end), or
:func:`migrated_engine` for a process that keeps its engine (the scheduler).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

from tracker.config import Settings
from tracker.store.db import make_engine, run_lock
from tracker.store.migrate import current_revision, head_revision, is_current, upgrade


def migrated_engine(settings: Settings) -> Engine:
    """An engine on the configured database, migrated to the current schema (two processes starting at once
    migrate once, under the migration lock)."""
    engine = make_engine(settings.database_url)
    if is_current(engine):
        return engine
    head = head_revision()
    if current_revision(engine) != head:
        with run_lock(engine, "migrate", wait=True):
            if current_revision(engine) != head:
                upgrade(engine)
    return engine


@contextmanager
def open_database(settings: Settings) -> Iterator[Engine]:
    """The migrated database for the length of a ``with`` block; its connections are closed at the end."""
    engine = migrated_engine(settings)
    try:
        yield engine
    finally:
        engine.dispose()
