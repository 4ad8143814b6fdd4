"""APScheduler wiring: cron in the city's time zone, the weekday trap, jobs persisted across restarts,
reconciliation with config.yaml, coalescing, misfires and failures reported to the operations channel.

Schedulers here are BackgroundSchedulers on a real SQLite job store; the foreground (BlockingScheduler) run
with signals is in test_schedule_end_to_end.py.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.events import EVENT_JOB_EXECUTED, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine

from tests.conftest import Hook
from tests.test_end_to_end import REPO, make_project, tracker
from tracker import config, schedule
from tracker.config import Settings
from tracker.problems import ProblemsFound
from tracker.store import db, migrated_engine

ROME = ZoneInfo("Europe/Rome")


def tick(path: str) -> None:
    """A job for these tests (referenced as ``tests.test_schedule_jobs:tick``): one line per run."""
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(f"{time.time()}\n")


def project(tmp_path: Path, extra: str = "") -> Settings:
    make_project(tmp_path)
    (tmp_path / "config.yaml").write_text(
        "database: {url: sqlite:///var/test.sqlite}\n" + extra, encoding="utf-8"
    )
    return config.load(tmp_path)


def start(
    settings: Settings, engine: Engine, specs: list[schedule.JobSpec]
) -> tuple[BaseScheduler, schedule.ReconcileOnStart, list[JobExecutionEvent]]:
    """Start a background scheduler the way `tracker schedule` starts its blocking one: paused, reconcile, resume."""
    scheduler = schedule.build_scheduler(settings, engine, blocking=False)
    events: list[JobExecutionEvent] = []
    scheduler.add_listener(events.append, EVENT_JOB_EXECUTED | EVENT_JOB_MISSED)
    reconciler = schedule.ReconcileOnStart(scheduler, specs, settings.config.schedule.misfire_grace_seconds)
    scheduler.start(paused=True)
    assert reconciler.error is None
    return scheduler, reconciler, events


def wait_for(condition, timeout: float = 20.0) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


# --- the weekday trap and the time zone ---------------------------------------------------------------


def test_config_rejects_weekday_numbers(tmp_path: Path) -> None:
    make_project(tmp_path)
    (tmp_path / "config.yaml").write_text("schedule:\n  digest: {cron: '0 8 * * 1'}\n", encoding="utf-8")
    with pytest.raises(ProblemsFound) as found:
        config.load(tmp_path)
    assert "config.yaml:2: schedule.digest.cron" in str(found.value)
    assert "write the day of the week as a name" in str(found.value)


def test_mon_fri_fires_monday_to_friday_and_numbers_would_be_off_by_one() -> None:
    saturday = datetime(2025, 3, 1, 12, 0, tzinfo=ROME)
    fires = schedule.next_fire_times(schedule.cron_trigger("0 7 * * mon-fri", "Europe/Rome"), saturday, 6)
    assert [f.strftime("%a %d %H:%M") for f in fires] == [
        "Mon 03 07:00",
        "Tue 04 07:00",
        "Wed 05 07:00",
        "Thu 06 07:00",
        "Fri 07 07:00",
        "Mon 10 07:00",
    ]
    # why numbers are refused: for APScheduler 3, crontab's "1" (Monday) is Tuesday
    numeric = CronTrigger.from_crontab("0 7 * * 1", timezone=ROME)
    assert numeric.get_next_fire_time(None, saturday).strftime("%a") == "Tue"


def test_cron_runs_in_the_city_time_zone_across_daylight_saving() -> None:
    fires = schedule.next_fire_times(
        schedule.cron_trigger("0 6 * * *", "Europe/Rome"), datetime(2025, 3, 29, 0, 0, tzinfo=UTC), 2
    )
    assert [f.isoformat() for f in fires] == ["2025-03-29T06:00:00+01:00", "2025-03-30T06:00:00+02:00"]
    assert [f.astimezone(UTC).hour for f in fires] == [5, 4]


# --- persistence and reconciliation -----------------------------------------------------------------------


def test_restart_keeps_jobs_and_a_changed_schedule_replaces_only_that_job(tmp_path: Path) -> None:
    settings = project(tmp_path)
    engine = migrated_engine(settings)
    scheduler, reconciler, _ = start(settings, engine, schedule.job_specs(settings))
    assert reconciler.result == {"recompute": "added", "inbox": "added", "digest": "added"}
    job = scheduler.get_job("recompute")
    assert job.func_ref == "tracker.jobs:recompute" and job.args == (str(tmp_path.resolve()),)
    before = {j.id: j.next_run_time for j in scheduler.get_jobs()}
    assert before["recompute"].tzinfo == ROME and before["recompute"].hour == 6
    scheduler.shutdown()

    engine = migrated_engine(settings)  # a restart: a new engine on the same database
    scheduler, reconciler, _ = start(settings, engine, schedule.job_specs(settings))
    assert reconciler.result == {"recompute": "kept", "inbox": "kept", "digest": "kept"}
    assert {j.id: j.next_run_time for j in scheduler.get_jobs()} == before
    scheduler.shutdown()

    (tmp_path / "config.yaml").write_text(
        "database: {url: sqlite:///var/test.sqlite}\nschedule:\n  recompute: {cron: '30 7 * * mon-fri'}\n"
        "  inbox: {cron: '*/15 * * * *', enabled: false}\n  misfire_grace_seconds: 600\n",
        encoding="utf-8",
    )
    settings = config.load(tmp_path)
    engine = migrated_engine(settings)
    scheduler, reconciler, _ = start(settings, engine, schedule.job_specs(settings))
    assert reconciler.result == {"recompute": "replaced", "digest": "kept", "inbox": "removed"}
    after = {j.id: j for j in scheduler.get_jobs()}
    assert set(after) == {"recompute", "digest"}
    assert (after["recompute"].next_run_time.hour, after["recompute"].next_run_time.minute) == (7, 30)
    assert after["recompute"].next_run_time.weekday() < 5
    assert after["digest"].next_run_time == before["digest"]  # untouched, only its grace time updated
    assert after["digest"].misfire_grace_time == 600
    scheduler.shutdown()


def _persist_then_stop(settings: Settings, specs: list[schedule.JobSpec]) -> None:
    engine = migrated_engine(settings)
    scheduler, reconciler, events = start(settings, engine, specs)
    assert reconciler.result == {specs[0].id: "added"}
    scheduler.shutdown()
    assert events == []  # stopped before the first run was due


def test_run_due_while_stopped_runs_at_restart(tmp_path: Path) -> None:
    settings = project(tmp_path)
    log = tmp_path / "ticks.log"
    due = datetime.now(UTC) + timedelta(seconds=1.5)
    specs = [
        schedule.JobSpec(
            "tick", "tests.test_schedule_jobs:tick", IntervalTrigger(hours=1, start_date=due), (str(log),)
        )
    ]
    _persist_then_stop(settings, specs)
    time.sleep(3)  # the run falls due while no scheduler is running

    later = [
        schedule.JobSpec(
            "tick",
            "tests.test_schedule_jobs:tick",
            IntervalTrigger(hours=1, start_date=datetime.now(UTC) + timedelta(hours=1)),
            (str(log),),
        )
    ]  # same schedule, new start date: must not reset the pending run
    scheduler, reconciler, events = start(settings, migrated_engine(settings), later)
    assert reconciler.result == {"tick": "kept"}
    assert wait_for(lambda: events)
    scheduler.shutdown()
    assert events[0].code == EVENT_JOB_EXECUTED
    assert abs(events[0].scheduled_run_time - due) < timedelta(seconds=0.01)
    assert len(log.read_text().splitlines()) == 1


def test_missed_ticks_are_coalesced_into_one_run(tmp_path: Path) -> None:
    settings = project(tmp_path)
    log = tmp_path / "ticks.log"
    first = datetime.now(UTC) + timedelta(seconds=1)
    every_second = IntervalTrigger(
        seconds=1, start_date=first, end_date=first + timedelta(seconds=3)
    )  # 4 runs
    specs = [schedule.JobSpec("tick", "tests.test_schedule_jobs:tick", every_second, (str(log),))]
    _persist_then_stop(settings, specs)
    time.sleep(5)  # all four runs fall due while stopped
    scheduler, _, events = start(settings, migrated_engine(settings), specs)
    assert wait_for(lambda: events)
    time.sleep(1.5)  # room for any further (wrong) catch-up run
    scheduler.shutdown()
    assert [e.code for e in events] == [EVENT_JOB_EXECUTED]  # one run for the four missed
    assert abs(events[0].scheduled_run_time - (first + timedelta(seconds=3))) < timedelta(
        seconds=0.01
    )  # the latest
    assert len(log.read_text().splitlines()) == 1


def test_run_missed_beyond_the_grace_time_is_reported_not_run(tmp_path: Path, hook: Hook) -> None:
    settings = project(
        tmp_path,
        f"schedule: {{misfire_grace_seconds: 1}}\n"
        f"updates: {{operations_url: 'json://127.0.0.1:{hook.port}/ops'}}\n",
    )
    log = tmp_path / "ticks.log"
    due = datetime.now(UTC) + timedelta(seconds=1)
    specs = [
        schedule.JobSpec(
            "tick", "tests.test_schedule_jobs:tick", IntervalTrigger(hours=1, start_date=due), (str(log),)
        )
    ]
    _persist_then_stop(settings, specs)
    time.sleep(3.5)
    scheduler, _, events = start(settings, migrated_engine(settings), specs)
    assert wait_for(lambda: hook.at("/ops"))
    scheduler.shutdown()
    assert [e.code for e in events] == [EVENT_JOB_MISSED] and not log.exists()
    (report,) = hook.at("/ops")
    assert report["title"] == "Milano tracker: job tick missed"
    assert "did not run" in report["message"]


def test_failing_job_is_reported_to_the_operations_channel(tmp_path: Path, hook: Hook) -> None:
    settings = project(tmp_path, f"updates: {{operations_url: 'json://127.0.0.1:{hook.port}/ops'}}\n")
    broken = tmp_path / "indicators" / "environment" / "pm10-days.yaml"
    broken.write_text(
        broken.read_text(encoding="utf-8").replace("direction: decrease", "direction: down"), encoding="utf-8"
    )
    fast = IntervalTrigger(hours=1, start_date=datetime.now(UTC) + timedelta(seconds=0.5))
    specs = schedule.job_specs(settings, triggers={"recompute": fast})
    assert [s.func for s in specs] == [
        "tracker.jobs:recompute",
        "tracker.jobs:take_inbox",
        "tracker.jobs:send_digests",
    ]
    scheduler, _, _ = start(settings, migrated_engine(settings), specs)
    assert wait_for(lambda: hook.at("/ops"), timeout=60)
    scheduler.shutdown()
    (report,) = hook.at("/ops")
    assert report["title"] == "Milano tracker: job recompute failed"
    assert (
        "indicators/environment/pm10-days.yaml:7: direction: Input should be 'increase' or 'decrease'"
        in report["message"]
    )
    assert "Traceback" in report["message"]


def test_only_one_scheduler_per_database(tmp_path: Path) -> None:
    settings = project(tmp_path)
    engine = migrated_engine(settings)
    with db.run_lock(engine, "scheduler", wait=False):  # as a running `tracker schedule` holds it
        second = tracker("schedule", cwd=tmp_path, env={"PYTHONPATH": str(REPO)})
    engine.dispose()
    assert second.returncode == 4
    assert "another `tracker schedule` is already running on this database" in second.stderr


def test_schedule_list_shows_next_runs(tmp_path: Path) -> None:
    project(
        tmp_path,
        "schedule:\n  digest: {cron: '0 8 * * mon-fri'}\n  inbox: {cron: '*/5 * * * *', enabled: false}\n",
    )
    shown = tracker("schedule", "--list", cwd=tmp_path, env={"PYTHONPATH": str(REPO)})
    assert shown.returncode == 0, shown.stderr
    lines = {line.split()[0]: line for line in shown.stdout.splitlines()}
    assert "disabled" in lines["inbox"]
    days = [part.split()[0] for part in lines["digest"].split("next: ")[1].split(", ")]
    assert len(days) == 3 and not {"Sat", "Sun"} & set(days)
    assert "08:00 CE" in lines["digest"]


def test_changed_schedule_keeps_the_run_that_fell_due_while_stopped(tmp_path: Path) -> None:
    """Two starts on the app's database (SQLAlchemyJobStore): the first stores a daily 06:00 job whose run then
    falls due while stopped; the second brings a new schedule, and the pending run still happens, once."""
    settings = project(tmp_path)
    log = tmp_path / "ticks.log"
    old = [
        schedule.JobSpec(
            "tick",
            "tests.test_schedule_jobs:tick",
            schedule.cron_trigger("0 6 * * *", "Europe/Rome"),
            (str(log),),
        )
    ]
    engine = migrated_engine(settings)
    scheduler, reconciler, _ = start(settings, engine, old)
    assert reconciler.result == {"tick": "added"}
    scheduler.shutdown()
    # As if 06:00 had passed while the scheduler was stopped (written to the store without a running
    # scheduler, which would take the due run itself).
    due = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)  # within the grace time (1 h)
    store = SQLAlchemyJobStore(engine=engine, tablename=schedule.TABLE)
    store.start(scheduler, "default")  # the stopped scheduler only serves to rebuild the stored job
    stored = store.lookup_job("tick")
    stored.next_run_time = due
    store.update_job(stored)
    engine.dispose()

    new_trigger = IntervalTrigger(hours=2, start_date=datetime.now(UTC) + timedelta(hours=2))
    new = [schedule.JobSpec("tick", "tests.test_schedule_jobs:tick", new_trigger, (str(log),))]
    scheduler, reconciler, events = start(settings, migrated_engine(settings), new)
    assert reconciler.result == {"tick": "replaced"}
    assert wait_for(lambda: events)
    job = scheduler.get_job("tick")
    scheduler.shutdown()
    assert [e.code for e in events] == [EVENT_JOB_EXECUTED]
    assert events[0].scheduled_run_time == due  # the pending run of the old schedule, not dropped
    assert len(log.read_text().splitlines()) == 1
    assert job.next_run_time == due + timedelta(hours=2)  # then the new schedule
    assert isinstance(job.trigger, IntervalTrigger)


def test_changed_schedule_drops_a_pending_time_still_ahead(tmp_path: Path) -> None:
    settings = project(tmp_path)
    log = tmp_path / "ticks.log"
    ahead = datetime.now(UTC) + timedelta(hours=1)
    old = [
        schedule.JobSpec(
            "tick", "tests.test_schedule_jobs:tick", IntervalTrigger(hours=3, start_date=ahead), (str(log),)
        )
    ]
    _persist_then_stop(settings, old)
    later = datetime.now(UTC) + timedelta(hours=5)
    new = [
        schedule.JobSpec(
            "tick", "tests.test_schedule_jobs:tick", IntervalTrigger(hours=4, start_date=later), (str(log),)
        )
    ]
    scheduler, reconciler, _ = start(settings, migrated_engine(settings), new)
    assert reconciler.result == {"tick": "replaced"}
    assert scheduler.get_job("tick").next_run_time == later  # what the new schedule asks, not the old time
    scheduler.shutdown()
    assert not log.exists()
