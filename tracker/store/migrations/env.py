"""Alembic environment: the app's metadata, batch mode on SQLite, foreign tables left alone.

The connection comes from :mod:`tracker.store.migrate` (``config.attributes["connection"]``); from the alembic
command line the URL comes from ``sqlalchemy.url`` or the ``TRACKER_DATABASE_URL`` environment variable.
"""

from __future__ import annotations

import os
from typing import Any, Literal

from alembic import context
from sqlalchemy.engine import Connection

from tracker.config import DATABASE_ENV
from tracker.store.db import make_engine
from tracker.store.models import Base, UTCDateTime

config = context.config
target_metadata = Base.metadata

#: Tables that live in the same database but belong to someone else (APScheduler's job store).
FOREIGN_TABLES = frozenset(config.attributes.get("foreign_tables", ())) | {"apscheduler_jobs"}


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    if type_ == "table":
        return name not in FOREIGN_TABLES
    table = getattr(obj, "table", None)
    return getattr(table, "name", None) not in FOREIGN_TABLES


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Write our UTC timestamp type as a plain ``sa.DateTime(timezone=True)``: migrations must not import app code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(connection: Connection | None = None, url: str | None = None) -> None:
    context.configure(
        connection=connection,
        url=url,
        target_metadata=target_metadata,
        render_as_batch=(connection.dialect.name if connection is not None else (url or "")).startswith(
            "sqlite"
        ),
        include_object=include_object,
        render_item=render_item,
        compare_type=True,
        literal_binds=connection is None,
    )


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url") or os.environ.get(DATABASE_ENV)
    if not url:
        raise RuntimeError(f"no database URL: set {DATABASE_ENV} or use tracker.store.migrate")
    return url


def run_offline() -> None:
    _configure(url=_url())
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection: Connection | None = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as conn:
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
