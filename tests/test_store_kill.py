"""SIGKILL in the middle of a large merge leaves the database exactly as before or exactly as after."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import Engine, text

from tracker.observations import Observation
from tracker.store import merge_file, run_lock, session_scope

IND = "big"
BASE_ROWS = 20_000
BIG_ROWS = 200_000  # the first BASE_ROWS revise the base file, the rest are new

CHILD = """
import sys
from sqlalchemy import event
from tracker.observations import Observation
from tracker.store import make_engine, merge_file, run_lock, session_scope
url, n = sys.argv[1], int(sys.argv[2])
rows = [Observation("big", str(i), 2000.0, float(i) + 0.5, series=f"s={i % 7}") for i in range(n)]
engine = make_engine(url)

@event.listens_for(engine, "after_cursor_execute")
def tell(conn, cursor, statement, parameters, context, executemany):
    if statement.startswith("UPDATE observations SET superseded_at"):
        print("retired", flush=True)  # old rows retired inside the transaction; the big insert comes next
with run_lock(engine, "run"), session_scope(engine) as session:
    print("merging", flush=True)
    result = merge_file(session, "big", "big-v2.csv", "b" * 64, rows)
print("committed", result.added, result.revised, flush=True)
"""


def state(engine: Engine) -> tuple[int, int, int, int]:
    """(all rows, current rows, files, rows pointing at a missing successor)."""
    with engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(text(sql)).scalar_one()
            for sql in (
                "SELECT count(*) FROM observations",
                "SELECT count(*) FROM observations WHERE superseded_at IS NULL",
                "SELECT count(*) FROM source_files",
                "SELECT count(*) FROM observations o WHERE o.superseded_at IS NOT NULL AND NOT EXISTS "
                "(SELECT 1 FROM observations n WHERE n.id = o.superseded_by)",
            )
        )


@pytest.mark.slow
@pytest.mark.parametrize("delay", ["retired", 0.3, 1.5])
def test_sigkill_during_a_large_merge(
    engine: Engine, db_url: str, subprocess_env: dict[str, str], delay: str | float
) -> None:
    """``retired``: killed the moment the old rows are retired (surely mid-transaction); numbers: seconds after
    the merge started, landing wherever they land, possibly after the commit."""
    base = [Observation(IND, str(i), 2000.0, float(i), series=f"s={i % 7}") for i in range(BASE_ROWS)]
    with session_scope(engine) as s:
        merge_file(s, IND, "big-v1.csv", "a" * 64, base)
    before = state(engine)
    assert before == (BASE_ROWS, BASE_ROWS, 1, 0)
    after = (BASE_ROWS + BIG_ROWS, BIG_ROWS, 2, 0)

    with subprocess.Popen(
        [sys.executable, "-c", CHILD, db_url, str(BIG_ROWS)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=subprocess_env,
    ) as proc:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "merging"
        if delay == "retired":
            assert proc.stdout.readline().strip() == "retired"
        else:
            time.sleep(float(delay))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        rest = proc.stdout.read()

    with run_lock(engine, "run", wait=60):  # the killed holder's lock is gone (PostgreSQL: once it notices)
        now = state(engine)
    assert now in (before, after), f"half-merged database after SIGKILL at {delay}: {now}"
    if rest.startswith("committed"):
        assert now == after
    if delay == "retired":
        assert now == before, "the kill came after the commit: make BIG_ROWS larger"
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
            assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
