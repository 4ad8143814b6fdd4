"""Progress updates: what changed between runs, told to each subscription in its language, and published as a feed.

``changes`` compares two runs' snapshots; ``digest`` renders them (email, chat message, feed entry);
``deliver`` sends them through Apprise with a delivery record; ``feed`` keeps the public Atom feed and the
updates page. :func:`after_run` is what follows a recompute.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy import Engine

    from tracker.catalog import Catalog
    from tracker.config import Settings
    from tracker.updates.deliver import Outcome

log = logging.getLogger(__name__)


def after_run(
    settings: Settings,
    engine: Engine | None = None,
    cat: Catalog | None = None,
    *,
    lock_wait: bool | float | None = None,
    now: datetime | None = None,
) -> list[Outcome]:
    """After a recompute: record the public digest, write the feed into the site, send ``on_change`` subscriptions.

    Idempotent: calling it twice after the same run records and sends nothing the second time. ``now`` is the
    run's clock, the feed's date (default: the last run's).
    """
    from tracker import catalog as catalog_mod
    from tracker.store.db import run_lock
    from tracker.updates import deliver, feed

    cat = cat or catalog_mod.load_project(settings)
    own = engine is None
    from tracker.store import migrated_engine

    engine = engine or migrated_engine(settings)
    wait = deliver.LOCK_WAIT_SECONDS if lock_wait is None else lock_wait
    try:
        with run_lock(engine, deliver.LOCK, wait=wait):
            feed.record_digests(settings, engine, cat)
            feed.write_feed(settings, engine, now=now)
        return deliver.deliver(settings, engine, cat, when={"on_change"}, lock_wait=wait)
    finally:
        if own:
            engine.dispose()


def send_now(
    settings: Settings,
    *,
    when: set[str] | None = None,
    names: list[str] | None = None,
    dry_run: bool = False,
    lock_wait: bool | float | None = None,
) -> list[Outcome]:
    """Send (or show) each selected subscription's pending digest now; used by ``tracker updates`` and the digest job."""
    from tracker import catalog as catalog_mod
    from tracker.updates import deliver

    cat = catalog_mod.load_project(settings)
    from tracker.store import migrated_engine

    engine = migrated_engine(settings)
    try:
        return deliver.deliver(
            settings,
            engine,
            cat,
            when=when,
            names=names,
            dry_run=dry_run,
            lock_wait=deliver.LOCK_WAIT_SECONDS if lock_wait is None else lock_wait,
        )
    finally:
        engine.dispose()
