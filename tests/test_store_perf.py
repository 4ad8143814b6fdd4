"""A 300,000-observation file is stored, and its revision too, correctly at that scale (bulk statements in
chunks, not row by row). How long it takes is the benchmark's business (``tracker bench``, ``tracker.bench.merge``):
no timed assertion here, so the suite passes on a loaded machine."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from tracker.bench.merge import INDICATOR, ROWS, observations, run_merge
from tracker.store import current_observations, merge_file, session_scope


@pytest.mark.slow
def test_300k_observations_merge_and_revise(engine: Engine) -> None:
    first, second = observations(), observations(offset=0.25, every=3)
    with session_scope(engine) as s:
        added = merge_file(s, INDICATOR, "traffic.csv", "a" * 64, first)
    with session_scope(engine) as s:
        revised = merge_file(s, INDICATOR, "traffic.csv", "b" * 64, second)

    assert (added.added, revised.revised, revised.unchanged) == (ROWS, ROWS // 3, ROWS - ROWS // 3)
    with session_scope(engine) as s:
        current = current_observations(s, [INDICATOR])[INDICATOR]
    assert len(current) == ROWS and sum(o.value for o in current) == sum(o.value for o in second)


def test_the_benchmark_merge_checks_what_it_stored() -> None:
    result = run_merge(rows=1_000)
    assert (result["rows"], result["revisions"], result["database"]) == (1_000, 334, "sqlite")
    assert {"load_wall_s", "load_cpu_s", "revise_wall_s", "revise_cpu_s"} <= result.keys()
    assert all(result[k] >= 0 for k in result if k.endswith("_s"))
