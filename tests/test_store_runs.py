"""Runs and their assessment snapshots, deliveries and digests, engine settings."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, select, text
from sqlalchemy.exc import IntegrityError, OperationalError, StatementError

from tracker.assess.base import Category
from tracker.store import (
    AssessmentRecord,
    find_delivery,
    finish_run,
    last_snapshot_run,
    latest_assessments,
    make_engine,
    recent_digests,
    record_delivery,
    save_assessments,
    save_changes,
    save_digest,
    session_scope,
    snapshot_at,
    start_run,
)
from tracker.store.models import AssessmentRow, Delivery, Run


def record(ind: str, category: str, score: float | None, series: str = "") -> AssessmentRecord:
    return AssessmentRecord(ind, series, "eurostat", "short", category, score, {"figures": {"cagr": 1.5}})


def test_latest_assessments_is_the_last_successful_run_before(engine: Engine) -> None:
    with session_scope(engine) as s:
        assert latest_assessments(s) is None
        first = start_run(s)
        save_assessments(s, first, [record("a", "on_track", 3.0), record("a", "limited", 1.0, "municipio=1")])
        finish_run(s, first, summary={"indicators": 1})
        failed = start_run(s)
        save_assessments(s, failed, [record("a", "deteriorating", -2.0)])
        finish_run(s, failed, status="failed")
        second = start_run(s)
        save_assessments(
            s,
            second,
            [
                {
                    "indicator_id": "a",
                    "series": "",
                    "method": "eurostat",
                    "window": "short",
                    "category": Category.DETERIORATING,
                    "score": -1.0,
                }
            ],
        )
        finish_run(s, second)

    with session_scope(engine) as s:
        latest = latest_assessments(s)
        previous = latest_assessments(s, before_run=second)
        assert latest_assessments(s, before_run=first) is None
        run = s.get_one(Run, first)
    assert latest is not None and previous is not None
    assert latest.run_id == second
    assert latest.get("a", "", "eurostat", "short") == AssessmentRecord(
        "a", "", "eurostat", "short", "deteriorating", -1.0, {}
    )
    assert previous.run_id == first  # the failed run in between is not a snapshot
    # Runs store changes: the second run did not mention the municipio, which therefore still stands.
    assert latest.rows[("a", "municipio=1", "eurostat", "short")].category == "limited"
    assert previous.rows[("a", "municipio=1", "eurostat", "short")].category == "limited"
    assert previous.get("a", "", "eurostat", "short") == record("a", "on_track", 3.0)
    assert run.status == "ok" and run.summary == {"indicators": 1}
    assert run.finished_at is not None and run.finished_at.tzinfo is UTC and run.finished_at >= run.started_at


def test_a_verdict_is_stored_once_per_run_and_key(engine: Engine) -> None:
    with pytest.raises(IntegrityError), session_scope(engine) as s:
        run = start_run(s)
        save_assessments(s, run, [record("a", "on_track", 3.0), record("a", "limited", 1.0)])


def test_deliveries_count_attempts_and_are_unique_per_digest(engine: Engine) -> None:
    with session_scope(engine) as s:
        assert find_delivery(s, "ops", "weekly-2026-W10") is None
        record_delivery(s, "ops", "weekly-2026-W10", channel="f" * 16, ok=False, error="connection refused")
        failed = find_delivery(s, "ops", "weekly-2026-W10")
        assert failed is not None and (failed.status, failed.attempts, failed.sent_at) == ("failed", 1, None)
        sent = record_delivery(s, "ops", "weekly-2026-W10", channel="f" * 16, ok=True, digest_hash="h")
        assert (sent.id, sent.status, sent.attempts, sent.last_error) == (failed.id, "sent", 2, "")
        assert sent.sent_at is not None and sent.sent_at.tzinfo is UTC
    row = {
        "subscription": "ops",
        "channel": "x",
        "digest_key": "weekly-2026-W10",
        "digest_hash": "",
        "status": "sent",
        "attempts": 1,
        "last_error": "",
        "updated_at": datetime.now(UTC),
    }
    with pytest.raises(IntegrityError), session_scope(engine) as s:
        s.execute(insert(Delivery), [row])


def test_digests_newest_first_per_language(engine: Engine) -> None:
    with session_scope(engine) as s:
        run = start_run(s)
        for n in range(3):
            save_digest(
                s,
                language="it",
                title=f"t{n}",
                body_text="b",
                body_html="<p>b</p>",
                run_id=run,
                payload={"n": n},
            )
        save_digest(s, language="en", title="e", body_text="b", body_html="<p>b</p>")
    with session_scope(engine) as s:
        italian = recent_digests(s, "it", limit=2)
        assert [(d.title, d.payload) for d in italian] == [("t2", {"n": 2}), ("t1", {"n": 1})]
        assert len(recent_digests(s)) == 4
        assert italian[0].created_at.tzinfo is UTC


def test_naive_timestamps_are_refused(engine: Engine) -> None:
    with pytest.raises(StatementError, match="naive datetime"), session_scope(engine) as s:
        s.add(Run(status="running", summary={}, started_at=datetime(2026, 1, 1)))
        s.flush()


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite'}")
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
            assert conn.execute(text("PRAGMA busy_timeout")).scalar_one() == 5000
    finally:
        engine.dispose()


def test_session_scope_rolls_back_on_error(engine: Engine) -> None:
    with pytest.raises(ZeroDivisionError), session_scope(engine) as s:
        start_run(s)
        _ = 1 / 0
    with session_scope(engine) as s:
        assert latest_assessments(s) is None
        assert s.execute(text("SELECT count(*) FROM runs")).scalar_one() == 0


def test_immediate_session_takes_the_sqlite_write_lock_at_begin(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.sqlite'}"
    engine, other = make_engine(url), make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
        with session_scope(engine, immediate=True) as s:
            s.execute(text("SELECT count(*) FROM t")).scalar_one()  # only a read so far, yet the lock is held
            with other.connect() as conn:
                conn.exec_driver_sql("PRAGMA busy_timeout=100")
                with pytest.raises(OperationalError, match="locked"):
                    conn.execute(text("INSERT INTO t VALUES (1)"))
            s.execute(text("INSERT INTO t VALUES (2)"))
        with session_scope(engine, immediate=False) as s:  # a deferred session takes no lock for reading
            s.execute(text("SELECT count(*) FROM t")).scalar_one()
            with other.begin() as conn:
                conn.execute(text("INSERT INTO t VALUES (3)"))
        with other.connect() as conn:
            assert conn.execute(text("SELECT x FROM t ORDER BY x")).scalars().all() == [2, 3]
    finally:
        engine.dispose()
        other.dispose()


def test_a_snapshot_is_rebuilt_from_the_changes_of_several_runs(engine: Engine) -> None:
    """Runs save only what changed; each run's snapshot is still complete, and a removed key ends."""
    with session_scope(engine) as s:
        first = start_run(s)
        assert (
            save_changes(
                s,
                first,
                [
                    record("a", "on_track", 3.0),
                    record("a", "limited", 1.0, "municipio=1"),
                    record("b", "moderate", 2.0),
                ],
                {},
            )
            == 3
        )
        finish_run(s, first)
        second = start_run(s)
        previous = snapshot_at(s, first)
        # "a" headline unchanged, "a" municipio=1 gone, "b" worse: two rows (one of them the end of a key)
        written = save_changes(
            s, second, [record("a", "on_track", 3.0), record("b", "limited", 1.0)], previous
        )
        finish_run(s, second)
        third = start_run(s)
        # Only "b" was assessed again: "a" is out of scope, so its rows are neither compared nor removed.
        assert (
            save_changes(s, third, [record("b", "limited", 1.0)], snapshot_at(s, second, ["b"]), ["b"]) == 0
        )
        finish_run(s, third)
        rows = s.execute(
            select(
                AssessmentRow.run_id, AssessmentRow.indicator_id, AssessmentRow.series, AssessmentRow.category
            )
        ).all()

    assert written == 2
    assert sorted(r for r in rows if r[0] == second) == [
        (second, "a", "municipio=1", "removed"),
        (second, "b", "", "limited"),
    ]
    with session_scope(engine) as s:
        assert {k: r.category for k, r in snapshot_at(s, first).items()} == {
            ("a", "", "eurostat", "short"): "on_track",
            ("a", "municipio=1", "eurostat", "short"): "limited",
            ("b", "", "eurostat", "short"): "moderate",
        }
        expected = {("a", "", "eurostat", "short"): "on_track", ("b", "", "eurostat", "short"): "limited"}
        assert {k: r.category for k, r in snapshot_at(s, second).items()} == expected
        assert {k: r.category for k, r in snapshot_at(s, third).items()} == expected
        assert latest_assessments(s).rows == snapshot_at(s, third)
        assert list(snapshot_at(s, third, ["a"])) == [("a", "", "eurostat", "short")]
        assert last_snapshot_run(s) == third


def test_a_failed_run_s_rows_are_not_part_of_any_snapshot(engine: Engine) -> None:
    with session_scope(engine) as s:
        first = start_run(s)
        save_assessments(s, first, [record("a", "on_track", 3.0)])
        finish_run(s, first)
        failed = start_run(s)
        save_assessments(s, failed, [record("a", "deteriorating", -2.0)])
        finish_run(s, failed, status="failed")
        assert snapshot_at(s, failed)[("a", "", "eurostat", "short")].category == "on_track"
        assert last_snapshot_run(s) == first
