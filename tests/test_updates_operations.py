"""Every failed or interrupted delivery reaches ``updates.operations_url`` once, whichever command met it.

Real channels: the aiosmtpd server and the webhook receiver of test_updates_delivery; the commands run as
separate processes on one SQLite database, as an operator would run them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import Hook, Mailbox, free_port
from tests.test_end_to_end import REPO, tracker
from tests.test_updates_changes import BIKES, record_run
from tests.test_updates_delivery import setup_project
from tracker.assess.base import Category
from tracker.store import db
from tracker.store.models import Delivery

OPS = '  operations_url: "json://127.0.0.1:${OPS_PORT}/ops"\n'


def with_operations(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    text = config.read_text(encoding="utf-8").replace(
        "  sender: tracker@example.org\n", "  sender: tracker@example.org\n" + OPS
    )
    config.write_text(text, encoding="utf-8")


def rows(tmp_path: Path) -> list[Delivery]:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'var' / 'test.sqlite'}")
    try:
        with db.session_scope(engine) as session:
            return list(session.execute(select(Delivery).order_by(Delivery.id)).scalars())
    finally:
        engine.dispose()


def test_failures_reach_the_operators_once_whichever_command_met_them(
    tmp_path: Path, smtp: tuple[Mailbox, int], hook: Hook
) -> None:
    box, port = smtp
    _, _, engine = setup_project(tmp_path, port, hook.port)
    engine.dispose()
    with_operations(tmp_path)
    down = str(free_port())
    env = {"PYTHONPATH": str(REPO), "FLAKY_PORT": down, "OPS_PORT": down}  # flaky and the operators both down

    run = tracker("run", cwd=tmp_path, env=env)
    assert run.returncode == 5, run.stderr  # the data was accepted: the code says only the delivery failed
    assert "update sent to alice (it, email) via mailto://127.0.0.1" in run.stdout
    assert "update sent to hook (en, chat) via json://127.0.0.1" in run.stdout
    assert "update NOT delivered to flaky (en, chat)" in run.stderr
    assert "the operations channel could not be told either" in run.stderr
    assert len(box.wait(2)) == 2 and not hook.at("/ops")
    (flaky,) = [r for r in rows(tmp_path) if r.subscription == "flaky"]
    assert flaky.status == "failed" and flaky.reported_at is None  # not told yet: the next sender tries

    env["OPS_PORT"] = str(hook.port)  # the operations channel is back, the flaky one is not
    retry = tracker("updates", cwd=tmp_path, env=env)
    assert retry.returncode == 5, retry.stderr
    assert (
        "update NOT delivered to flaky" in retry.stderr
        and "reported to the operations channel" in retry.stderr
    )
    (report,) = hook.wait("/ops")
    assert report["title"] == "Milano tracker: 1 update(s) not delivered"
    assert (
        "- flaky via json://127.0.0.1:" in report["message"] and "failed (2 attempt(s))" in report["message"]
    )

    again = tracker("updates", cwd=tmp_path, env=env)  # a retry loop: retried, not reported again
    assert again.returncode == 5 and "reported to the operations channel" in again.stderr
    assert len(hook.at("/ops")) == 1
    (flaky,) = [r for r in rows(tmp_path) if r.subscription == "flaky"]
    assert flaky.attempts == 3 and flaky.reported_at is not None

    # a sender killed while sending to alice: the next sender, whatever it sends, reports the interruption once
    engine = db.make_engine(f"sqlite:///{tmp_path / 'var' / 'test.sqlite'}")
    with db.session_scope(engine) as session:
        session.add(
            Delivery(
                subscription="alice",
                digest_key="runs:1-99",
                channel="x",
                status="sending",
                attempts=0,
                last_error="",
            )
        )
    engine.dispose()
    only_hook = tracker("updates", "-s", "hook", cwd=tmp_path, env=env)
    assert only_hook.returncode == 0, only_hook.stderr
    assert "hook: nothing to send" in only_hook.stdout
    _, interrupted = hook.wait("/ops", 2)
    assert interrupted["title"] == "Milano tracker: 1 update(s) not delivered"
    assert "- alice via mailto://127.0.0.1" in interrupted["message"]
    assert "digest runs:1-99: interrupted, not resent" in interrupted["message"]
    assert tracker("updates", "-s", "hook", cwd=tmp_path, env=env).returncode == 0
    assert len(hook.at("/ops")) == 2 and len(box.messages) == 2


def test_without_an_operations_channel_the_output_says_the_failure_was_not_reported(
    tmp_path: Path, smtp: tuple[Mailbox, int], hook: Hook
) -> None:
    _, port = smtp
    _, _, engine = setup_project(tmp_path, port, hook.port)
    record_run(engine, {"bike-trips": BIKES}, {"bike-trips": Category.MODERATE})
    engine.dispose()
    env = {"PYTHONPATH": str(REPO), "FLAKY_PORT": str(free_port())}
    run = tracker("updates", "-s", "flaky", cwd=tmp_path, env=env)
    assert run.returncode == 5
    assert "NOT reported: set updates.operations_url" in run.stderr
    assert "warning: site.base_url is not set" in run.stderr


def test_a_scheduled_job_reports_a_failure_once_across_retries(
    tmp_path: Path, smtp: tuple[Mailbox, int], hook: Hook, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker import jobs

    _, port = smtp
    _, _, engine = setup_project(tmp_path, port, hook.port)
    record_run(engine, {"bike-trips": BIKES}, {"bike-trips": Category.MODERATE})
    engine.dispose()
    with_operations(tmp_path)
    monkeypatch.setenv("OPS_PORT", str(hook.port))
    monkeypatch.setenv("FLAKY_PORT", str(free_port()))
    assert jobs.take_inbox(str(tmp_path)) == "inbox empty; updates 3 sent, 1 failed"
    assert jobs.take_inbox(str(tmp_path)) == "inbox empty; updates 0 sent, 1 failed"  # the retry every 15 min
    (report,) = hook.wait("/ops")
    assert (
        "- flaky via json://127.0.0.1:" in report["message"] and "failed (1 attempt(s))" in report["message"]
    )
