"""Storage: observations with their revision history, runs and their assessment snapshots, digests.

Typical use::

    engine = make_engine(settings.database_url)
    upgrade(engine)
    with run_lock(engine, "run", wait=False), session_scope(engine) as session:
        result = merge_file(session, "waste-recycling", "indicators/.../waste-recycling.csv", sha, observations)
"""

from __future__ import annotations

from tracker.store.database import migrated_engine, open_database
from tracker.store.db import LockBusy, make_engine, run_lock, session_scope
from tracker.store.deliveries import find_delivery, recent_digests, record_delivery, save_digest
from tracker.store.merge import MergeResult, merge_file, record_rejected
from tracker.store.migrate import check, current_revision, downgrade, head_revision, upgrade
from tracker.store.queries import (
    AssessmentRecord,
    Revision,
    Snapshot,
    accepted_hashes,
    append_if_changed,
    current_observations,
    data_changed,
    data_version,
    file_accepted,
    finish_run,
    headline_history,
    history,
    last_fingerprint,
    last_snapshot_run,
    latest_assessments,
    save_assessments,
    save_changes,
    snapshot_at,
    snapshot_identity,
    start_run,
    values_tokens,
)

__all__ = [
    "AssessmentRecord",
    "LockBusy",
    "MergeResult",
    "Revision",
    "Snapshot",
    "check",
    "accepted_hashes",
    "append_if_changed",
    "current_observations",
    "data_changed",
    "data_version",
    "file_accepted",
    "headline_history",
    "last_fingerprint",
    "current_revision",
    "downgrade",
    "find_delivery",
    "finish_run",
    "head_revision",
    "history",
    "last_snapshot_run",
    "latest_assessments",
    "save_changes",
    "snapshot_at",
    "snapshot_identity",
    "make_engine",
    "migrated_engine",
    "open_database",
    "merge_file",
    "recent_digests",
    "record_delivery",
    "record_rejected",
    "run_lock",
    "save_assessments",
    "values_tokens",
    "save_digest",
    "session_scope",
    "start_run",
    "upgrade",
]
