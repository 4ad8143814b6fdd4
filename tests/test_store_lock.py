"""The run lock keeps two tracker processes from writing at once, on SQLite and PostgreSQL, with real processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import Engine

from tracker.store import LockBusy, make_engine, run_lock

CHILD = """
import sys, time
from tracker.store import LockBusy, make_engine, run_lock
url, wait, hold = sys.argv[1], sys.argv[2], float(sys.argv[3])
engine = make_engine(url)
wait = {"no": False, "yes": True}[wait] if wait in ("no", "yes") else float(wait)
try:
    with run_lock(engine, "run", wait=wait):
        print("acquired", time.time(), flush=True)
        time.sleep(hold)
except LockBusy as exc:
    print("busy:", exc, flush=True)
    sys.exit(3)
print("released", flush=True)
"""


def child(url: str, wait: str, hold: float, env: dict[str, str]) -> subprocess.Popen[str]:
    """A real second process; use it in ``with`` so its pipes are closed."""
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, url, wait, str(hold)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_second_process_fails_fast_while_the_lock_is_held(
    engine: Engine, db_url: str, subprocess_env: dict[str, str]
) -> None:
    with run_lock(engine, "run"), child(db_url, "no", 0, subprocess_env) as proc:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 3, err
        assert out.startswith("busy: another tracker process is already running")
    with child(db_url, "no", 0, subprocess_env) as proc:  # released: now it gets it
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert out.split()[::2] == ["acquired", "released"]


def test_second_process_gives_up_after_its_timeout(
    engine: Engine, db_url: str, subprocess_env: dict[str, str]
) -> None:
    with run_lock(engine, "run"):
        started = time.monotonic()
        with child(db_url, "0.8", 0, subprocess_env) as proc:
            proc.communicate(timeout=60)
        assert proc.returncode == 3
        assert time.monotonic() - started >= 0.8


def test_waiting_process_gets_the_lock_when_it_is_released(
    engine: Engine, db_url: str, subprocess_env: dict[str, str]
) -> None:
    with run_lock(engine, "run"):
        proc = child(db_url, "yes", 0, subprocess_env)
        time.sleep(1.5)  # the child starts, then blocks
        assert proc.poll() is None
        released = time.time()
    with proc:
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    words = out.split()
    assert words[0] == "acquired" and words[2] == "released"
    assert float(words[1]) >= released  # it got the lock only after the parent let go


def test_lock_of_a_killed_process_is_released(db_url: str, subprocess_env: dict[str, str]) -> None:
    from tracker.store import upgrade

    upgrade(db_url)
    engine = make_engine(db_url)
    try:
        with child(db_url, "no", 600, subprocess_env) as proc:
            assert proc.stdout is not None and proc.stdout.readline().startswith("acquired")
            with pytest.raises(LockBusy), run_lock(engine, "run", wait=0.2):
                pass
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        with run_lock(engine, "run", wait=30):  # PostgreSQL notices the closed connection, the OS drops flock
            pass
    finally:
        engine.dispose()


def test_lock_excludes_other_holders_in_the_same_process(engine: Engine) -> None:
    """A scheduler thread and a command in one process must not both write either."""
    with run_lock(engine, "run"):
        with pytest.raises(LockBusy) as info, run_lock(engine, "run"):
            pass
        assert info.value.name == "run"
        with run_lock(engine, "digest"):  # another name is another lock
            pass
        outcome: list[str] = []

        def other_thread() -> None:
            try:
                with run_lock(engine, "run", wait=0.3):
                    outcome.append("acquired")
            except LockBusy:
                outcome.append("busy")

        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join(timeout=30)
        assert outcome == ["busy"]
    with run_lock(engine, "run", wait=False):  # released when the block ended
        pass


def test_lock_is_released_when_the_block_raises(engine: Engine) -> None:
    with pytest.raises(KeyError), run_lock(engine, "run"):
        raise KeyError("boom")
    with run_lock(engine, "run"):
        pass


def test_in_memory_sqlite_lock_works_within_the_process() -> None:
    engine = make_engine("sqlite://")
    with run_lock(engine, "run"), pytest.raises(LockBusy), run_lock(engine, "run"):
        pass
    with run_lock(engine, "run"):
        pass
