"""APScheduler 3 wiring: the jobs of ``config.yaml`` persisted in the app's database, run in the foreground.

* Jobs live in the ``apscheduler_jobs`` table (SQLAlchemyJobStore on the app's database), so a restart keeps
  the pending runs; runs missed while stopped are coalesced into one, if within ``misfire_grace_seconds``.
* At start the scheduler is paused while the stored jobs are reconciled with ``config.yaml``: a job is re-added
  only when its trigger (or target) changed; re-adding every job would reset its next run time and lose a run
  missed during the downtime. A job whose schedule changed keeps a run that fell due while the scheduler was
  stopped (it runs at start, within the grace time, then the new schedule applies). Jobs no longer configured
  are removed.
* One job runs at a time (a single worker thread; ``max_instances=1``), and a recompute also takes the
  database's run lock, so it never overlaps a ``tracker run`` in another process.
* A failed or missed job is logged and reported to ``updates.operations_url``.
* SIGTERM and SIGINT stop the scheduler between two rounds of job processing, after the running job finishes.

Only one scheduler process may use a database: APScheduler 3 does not coordinate schedulers sharing a store.
"""

from __future__ import annotations

import logging
import signal
import threading
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_MISSED,
    EVENT_SCHEDULER_STARTED,
    JobExecutionEvent,
    SchedulerEvent,
)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_STOPPED, BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.util import undefined

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from tracker.config import Settings

log = logging.getLogger(__name__)

TABLE = "apscheduler_jobs"
#: Config job name -> the function it runs (see tracker.jobs for why these references must stay stable).
FUNCTIONS = {
    "recompute": "tracker.jobs:recompute",
    "inbox": "tracker.jobs:take_inbox",
    "digest": "tracker.jobs:send_digests",
}


@dataclass(frozen=True)
class JobSpec:
    id: str
    func: str  # textual reference "module:function"
    trigger: BaseTrigger
    args: tuple[str, ...] = ()


def cron_trigger(expression: str, timezone: str) -> CronTrigger:
    """A 5-field cron expression in the city's time zone (day-of-week names only: see ``config.Job``)."""
    return CronTrigger.from_crontab(expression, timezone=ZoneInfo(timezone))


def job_specs(settings: Settings, triggers: Mapping[str, BaseTrigger] | None = None) -> list[JobSpec]:
    """The enabled jobs of ``config.yaml``; ``triggers`` replaces some triggers (tests use fast ones)."""
    schedule = settings.config.schedule
    specs = []
    for name, func in FUNCTIONS.items():
        job = getattr(schedule, name)
        if not job.enabled:
            continue
        trigger = (triggers or {}).get(name) or cron_trigger(job.cron, settings.config.timezone)
        specs.append(JobSpec(name, func, trigger, (str(settings.root),)))
    return specs


def trigger_key(trigger: BaseTrigger) -> str:
    """What makes two triggers the same schedule: the fields and the time zone (not the start date)."""
    return f"{trigger} tz={getattr(trigger, 'timezone', '')}"


def reconcile(scheduler: BaseScheduler, specs: list[JobSpec], misfire_grace_seconds: int) -> dict[str, str]:
    """Make the stored jobs match ``specs`` without touching the next run time of unchanged ones.

    Returns job id -> "added", "replaced", "kept" or "removed". Call on a started, paused scheduler.

    A replaced job keeps its stored next run time when that time has already come (a run that fell due while
    the scheduler was stopped): the new trigger alone would start after now and drop it. A pending time still
    ahead is dropped: the new schedule is what was asked for.
    """
    stored = {job.id: job for job in scheduler.get_jobs()}
    done: dict[str, str] = {}
    now = datetime.now(UTC)
    for spec in specs:
        job = stored.pop(spec.id, None)
        changed = job is None or (trigger_key(job.trigger), job.func_ref, tuple(job.args)) != (
            trigger_key(spec.trigger),
            spec.func,
            spec.args,
        )
        if changed:
            due = job.next_run_time if job is not None else None
            scheduler.add_job(
                spec.func,
                spec.trigger,
                args=list(spec.args),
                id=spec.id,
                name=spec.id,
                replace_existing=True,
                misfire_grace_time=misfire_grace_seconds,
                coalesce=True,
                max_instances=1,
                next_run_time=due if due is not None and due <= now else undefined,
            )
            done[spec.id] = "added" if job is None else "replaced"
            continue
        if (job.misfire_grace_time, job.coalesce, job.max_instances) != (misfire_grace_seconds, True, 1):
            job.modify(misfire_grace_time=misfire_grace_seconds, coalesce=True, max_instances=1)
        done[spec.id] = "kept"
    for job_id in stored:
        scheduler.remove_job(job_id)
        done[job_id] = "removed"
    for job_id, what in done.items():
        log.info("job %s: %s", job_id, what)
    return done


class ForegroundScheduler(BlockingScheduler):
    """A BlockingScheduler that, asked to stop (by a signal), stops between two rounds of job processing.

    Calling ``shutdown`` straight from a signal handler would interrupt the main loop anywhere, and the loop
    still makes one more round after a shutdown, which can consume a due run without running it.
    """

    _stop_requested = False

    def stop_soon(self) -> None:
        self._stop_requested = True
        # Wake the loop from another thread: Event.set inside a signal handler can deadlock on the Event's lock.
        threading.Thread(target=self.wakeup, daemon=True).start()

    def _process_jobs(self) -> float | None:
        if self._stop_requested:
            if self.state != STATE_STOPPED:
                self.shutdown(wait=True)  # lets a running job finish
            return None
        return super()._process_jobs()


def build_scheduler(settings: Settings, engine: Engine, *, blocking: bool = True) -> BaseScheduler:
    """A scheduler whose jobs persist in the app's database, in the city's time zone, one job at a time."""
    grace = settings.config.schedule.misfire_grace_seconds
    cls = ForegroundScheduler if blocking else BackgroundScheduler
    scheduler = cls(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=TABLE)},
        executors={"default": ThreadPoolExecutor(max_workers=1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": grace},
        timezone=ZoneInfo(settings.config.timezone),
    )
    scheduler.add_listener(lambda event: report_problem(settings, event), EVENT_JOB_ERROR | EVENT_JOB_MISSED)
    return scheduler


class ReconcileOnStart:
    """Listener for a scheduler started with ``paused=True``: reconcile the stored jobs, then resume.

    A listener because ``BlockingScheduler.start`` does not return; the jobs can only be read once the job
    store is started, and nothing runs while paused. APScheduler swallows listener errors, so a failure is kept
    in ``error`` and a blocking scheduler is stopped instead of idling paused forever.
    """

    def __init__(self, scheduler: BaseScheduler, specs: list[JobSpec], misfire_grace_seconds: int) -> None:
        self.scheduler, self.specs, self.grace = scheduler, specs, misfire_grace_seconds
        self.result: dict[str, str] = {}
        self.error: BaseException | None = None
        scheduler.add_listener(self, EVENT_SCHEDULER_STARTED)

    def __call__(self, _event: SchedulerEvent) -> None:
        try:
            self.result = reconcile(self.scheduler, self.specs, self.grace)
            self.scheduler.resume()
        except Exception as exc:
            log.exception("could not reconcile the stored jobs with config.yaml")
            self.error = exc
            if isinstance(self.scheduler, BlockingScheduler):
                self.scheduler.shutdown(wait=False)


def report_problem(settings: Settings, event: SchedulerEvent) -> None:
    """Log a failed or missed job and report it to the operations channel.

    (An overlapping run skipped because the job is still running is only logged, by APScheduler itself.)
    """
    from tracker.updates.deliver import notify_operations

    city = settings.config.city.name
    if not isinstance(event, JobExecutionEvent):
        return
    when = _local(event.scheduled_run_time, settings.config.timezone)
    if event.code == EVENT_JOB_ERROR:
        detail = (
            "".join(traceback.format_exception(event.exception)) if event.exception else str(event.traceback)
        )
        log.error("job %s (due %s) failed: %s", event.job_id, when, event.exception)
        title = f"{city} tracker: job {event.job_id} failed"
        body = f"The {event.job_id} job due {when} failed: {event.exception}\n\n{detail}"
    else:
        log.warning(
            "job %s due %s was missed (the scheduler was stopped longer than the grace time)",
            event.job_id,
            when,
        )
        title = f"{city} tracker: job {event.job_id} missed"
        body = (
            f"The {event.job_id} job due {when} did not run: the scheduler was not running within "
            f"{settings.config.schedule.misfire_grace_seconds} s of that time. It runs again at its next time."
        )
    notify_operations(settings, title, body)


def _local(value: datetime | None, timezone: str) -> str:
    return value.astimezone(ZoneInfo(timezone)).isoformat(timespec="seconds") if value else "?"


def next_fire_times(trigger: BaseTrigger, start: datetime, count: int) -> list[datetime]:
    """The next ``count`` fire times after ``start`` (for ``tracker schedule --list`` and tests)."""
    times: list[datetime] = []
    previous = None
    now = start
    while len(times) < count:
        fire = trigger.get_next_fire_time(previous, now)
        if fire is None:
            break
        times.append(fire)
        previous, now = fire, fire
    return times


def run_forever(
    settings: Settings,
    *,
    triggers: Mapping[str, BaseTrigger] | None = None,
    on_started: Callable[[BaseScheduler], None] | None = None,
) -> None:
    """Run the jobs in the foreground (BlockingScheduler) until SIGTERM/SIGINT; the running job is let finish."""
    from tracker.store import migrated_engine
    from tracker.store.db import run_lock

    engine = migrated_engine(settings)  # migrated: the jobs and the updates need the app's tables
    specs = job_specs(settings, triggers)
    scheduler = build_scheduler(settings, engine, blocking=True)
    assert isinstance(scheduler, ForegroundScheduler)
    reconciler = ReconcileOnStart(scheduler, specs, settings.config.schedule.misfire_grace_seconds)
    if on_started is not None:
        scheduler.add_listener(
            lambda _e: scheduler.running and on_started(scheduler), EVENT_SCHEDULER_STARTED
        )
    main = threading.current_thread() is threading.main_thread()
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)} if main else {}

    def stop(signum: int, _frame: Any) -> None:
        log.info("%s received: stopping once the running job (if any) finishes", signal.Signals(signum).name)
        scheduler.stop_soon()

    for sig in previous:
        signal.signal(sig, stop)
    try:
        # APScheduler 3 does not coordinate schedulers sharing a job store: one scheduler per database.
        with run_lock(engine, "scheduler", wait=False):
            log.info("scheduler starting with %d job(s): %s", len(specs), ", ".join(s.id for s in specs))
            scheduler.start(paused=True)  # blocks until shutdown; the start listener reconciles and resumes
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        engine.dispose()
    if reconciler.error is not None:
        raise reconciler.error
    log.info("scheduler stopped")
