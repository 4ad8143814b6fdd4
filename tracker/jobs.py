"""The scheduler's job entry points: stable, importable, taking only the project folder as a string.

APScheduler stores each job as a textual reference (``tracker.jobs:recompute``) with its arguments pickled in
the database. If a stored reference stops resolving (a function renamed or moved, an argument type changed),
APScheduler 3 logs "Unable to restore job" and deletes the job. So: never rename these, keep their arguments
primitive, and keep them thin (they load the project and call the stages). Each returns a short summary
(seen by listeners and logs, not stored).
"""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)

#: How long a scheduled recompute waits for another run (``tracker run``, ``tracker add``) to finish.
LOCK_WAIT_SECONDS = 1800.0


def recompute(project: str) -> str:
    """The whole cycle (data files and inbox, assessment, site), then the feed and ``on_change`` updates."""
    from tracker import config, pipeline

    settings = config.load(Path(project))
    report = pipeline.run(settings, wait=LOCK_WAIT_SECONDS)
    outcomes = report.deliveries  # failures were reported to the operations channel by the sender
    counts = {s: sum(1 for f in report.files if f.status == s) for s in ("accepted", "unchanged", "rejected")}
    summary = (
        f"run {report.run_id}: {counts['accepted']} accepted, {counts['unchanged']} unchanged, "
        f"{counts['rejected']} rejected; site {'unchanged' if report.skipped_build else 'rebuilt'}; "
        f"updates {_count(outcomes)}"
    )
    log.info("recompute: %s", summary)
    return summary


def take_inbox(project: str) -> str:
    """Recompute if a file was dropped in the inbox; otherwise only retry ``on_change`` updates that failed."""
    from tracker import config, updates

    settings = config.load(Path(project))
    inbox = settings.path("inbox")
    waiting = (
        [p for p in inbox.iterdir() if p.is_file() and not p.name.startswith(".")] if inbox.is_dir() else []
    )
    if waiting:
        log.info("inbox: %d file(s) waiting: %s", len(waiting), ", ".join(p.name for p in waiting))
        return recompute(project)
    outcomes = updates.send_now(settings, when={"on_change"})
    return f"inbox empty; updates {_count(outcomes)}"


def send_digests(project: str) -> str:
    """The scheduled digest: every ``schedule`` subscription gets what changed since its last update."""
    from tracker import config, updates

    settings = config.load(Path(project))
    outcomes = updates.send_now(settings, when={"schedule"})
    summary = f"updates {_count(outcomes)}"
    log.info("digest: %s", summary)
    return summary


def _count(outcomes: list) -> str:  # noqa: ANN001 - list of deliver.Outcome
    sent = sum(1 for o in outcomes if o.status == "sent")
    failed = sum(1 for o in outcomes if o.status == "failed")
    return f"{sent} sent, {failed} failed"
