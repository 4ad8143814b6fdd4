"""A 300,000-observation file stores in seconds, and its revision too (bulk statements, not row by row)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import Engine

from tracker.observations import Observation
from tracker.store import current_observations, merge_file, session_scope

ROWS = 300_000
#: Generous ceilings (seconds) for a loaded 2-core CI box; a row-by-row ORM merge takes minutes.
LIMIT = {"sqlite": 20.0, "postgresql": 40.0}


def big(offset: float = 0.0, every: int = 1) -> list[Observation]:
    """Monthly values of 1,000 sensors; ``offset`` is added to every ``every``-th value (a revision)."""
    return [
        Observation("traffic", f"{2000 + i % 25}-{1 + i // 25 % 12:02d}", 2000.0 + i % 25,
                    float(i) + (offset if i % every == 0 else 0.0), series=f"sensor={i // 300}")
        for i in range(ROWS)
    ]


@pytest.mark.slow
def test_300k_observations_merge_in_seconds(engine: Engine) -> None:
    first, second = big(), big(offset=0.25, every=3)
    started = time.perf_counter()
    with session_scope(engine) as s:
        added = merge_file(s, "traffic", "traffic.csv", "a" * 64, first)
    load = time.perf_counter() - started
    started = time.perf_counter()
    with session_scope(engine) as s:
        revised = merge_file(s, "traffic", "traffic.csv", "b" * 64, second)
    revise = time.perf_counter() - started
    print(f"\n{engine.dialect.name}: 300k new rows in {load:.2f}s, 100k revisions of 300k in {revise:.2f}s")

    assert (added.added, revised.revised, revised.unchanged) == (ROWS, ROWS // 3, ROWS - ROWS // 3)
    assert load < LIMIT[engine.dialect.name] and revise < LIMIT[engine.dialect.name]
    with session_scope(engine) as s:
        current = current_observations(s, ["traffic"])["traffic"]
    assert len(current) == ROWS and sum(o.value for o in current) == sum(o.value for o in second)
