"""The same delivery and job-store guarantees on a real PostgreSQL server (advisory locks, timestamptz, JSON).

The server comes from ``TRACKER_TEST_PG_URL`` (tests/run.sh starts one), else ``tests/pg.sh`` starts one; each
test gets a fresh database.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import Hook
from tests.test_end_to_end import REPO
from tests.test_schedule_jobs import start
from tests.test_updates_changes import BIKES, open_project, record_run
from tracker import catalog, config, schedule
from tracker.assess.base import Category
from tracker.config import DATABASE_ENV
from tracker.store import db, migrated_engine
from tracker.updates import deliver as dl


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    url = os.environ.get("TRACKER_TEST_PG_URL")
    if url:
        yield url
        return
    script = str(REPO / "tests" / "pg.sh")
    running = subprocess.run(["bash", script, "url"], capture_output=True, text=True, timeout=60)
    if running.returncode == 0:  # someone else's server: use it, leave it running
        yield running.stdout.strip()
        return
    yield subprocess.run(
        ["bash", script, "start"], check=True, capture_output=True, text=True, timeout=300
    ).stdout.strip()
    subprocess.run(
        ["bash", script, "stop"], capture_output=True, timeout=120
    )  # the server this fixture started


@pytest.fixture
def pg_url(pg_server: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    name = f"tracker_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(pg_server).set(database=name).render_as_string(hide_password=False)
    monkeypatch.setenv(DATABASE_ENV, url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def test_delivery_once_and_retry_on_postgresql(
    tmp_path: Path,
    pg_url: str,
    hook: Hook,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings, _, engine = open_project(tmp_path)
    assert engine.dialect.name == "postgresql"
    (tmp_path / "config.yaml").write_text(
        f"""\
updates:
  subscriptions:
    - {{name: down, url: "json://127.0.0.1:${{DOWN_PORT}}/down", language: en}}
    - {{name: hook, url: "json://127.0.0.1:{hook.port}/hook", language: it}}
""",
        encoding="utf-8",
    )
    settings = config.load(tmp_path)
    cat = catalog.load(settings.path("indicators"))
    monkeypatch.setenv("DOWN_PORT", "9")  # discard port: nothing listens
    record_run(engine, {"bike-trips": BIKES}, {"bike-trips": Category.MODERATE})
    assert [o.status for o in dl.deliver(settings, engine, cat)] == ["failed", "sent"]
    engine.dispose()

    engine = db.make_engine(pg_url)  # a restart: a new engine
    monkeypatch.setenv("DOWN_PORT", str(hook.port))
    assert [o.status for o in dl.deliver(settings, engine, cat)] == ["sent", "nothing"]
    assert len(hook.at("/hook")) == 1 and len(hook.at("/down")) == 1
    assert "↗ Progressi, serve accelerare: 1.1 Indicatore bike-trips" in hook.at("/hook")[0]["message"]
    with db.run_lock(engine, dl.LOCK, wait=False), pytest.raises(db.LockBusy):  # one sender at a time
        dl.deliver(settings, db.make_engine(pg_url), cat, lock_wait=0.2)
    engine.dispose()


def test_jobs_persist_in_postgresql(tmp_path: Path, pg_url: str) -> None:
    open_project(tmp_path)[2].dispose()
    settings = config.load(tmp_path)
    scheduler, reconciler, _ = start(settings, migrated_engine(settings), schedule.job_specs(settings))
    assert reconciler.result == {"recompute": "added", "inbox": "added", "digest": "added"}
    before = {j.id: j.next_run_time for j in scheduler.get_jobs()}
    scheduler.shutdown()
    scheduler, reconciler, _ = start(settings, migrated_engine(settings), schedule.job_specs(settings))
    assert reconciler.result == {"recompute": "kept", "inbox": "kept", "digest": "kept"}
    assert {j.id: j.next_run_time for j in scheduler.get_jobs()} == before
    scheduler.shutdown()
    engine = db.make_engine(pg_url)
    with engine.connect() as conn:
        assert conn.execute(text("select count(*) from apscheduler_jobs")).scalar() == 3
    engine.dispose()
