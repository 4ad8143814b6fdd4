"""The store's bulk merge at scale: 300,000 new SYNTHETIC observations in one file, then a second version of
the file revising every third value (100,000 revisions), into a fresh SQLite database.

It used to be a timed assertion in the test suite, which failed on a loaded machine; the tests now check that
the merge is right (``tests/test_store_perf.py``) and the benchmark says how long it takes, in wall and CPU
time (CPU time is less sensitive to other work on the machine). Run in a child process by
:func:`tracker.bench.measure.measure_merge` (``python -m tracker.bench merge OUT ROWS``).
"""

from __future__ import annotations

import json
import resource
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tracker.observations import Observation

INDICATOR = "traffic"
#: Rows of the benchmark's merge; its target (``tracker.bench.measure.TARGETS``) is for this size.
ROWS = 300_000


def observations(rows: int = ROWS, offset: float = 0.0, every: int = 1) -> list[Observation]:
    """Monthly values of synthetic sensors (300 values each); ``offset`` is added to every ``every``-th value,
    which makes a revision of those values."""
    return [
        Observation(
            INDICATOR,
            f"{2000 + i % 25}-{1 + i // 25 % 12:02d}",
            2000.0 + i % 25,
            float(i) + (offset if i % every == 0 else 0.0),
            series=f"sensor={i // 300}",
        )
        for i in range(rows)
    ]


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@contextmanager
def _timed(into: dict[str, float], name: str) -> Iterator[None]:
    wall, cpu = time.perf_counter(), _cpu()
    yield
    into[f"{name}_wall_s"] = time.perf_counter() - wall
    into[f"{name}_cpu_s"] = _cpu() - cpu


def run_merge(rows: int = ROWS, database_url: str | None = None) -> dict[str, Any]:
    """Merge ``rows`` new values, then revise every third one; the times of both and what was stored.

    Raises RuntimeError when the counts are not what a correct merge gives (a fast wrong merge is no result).
    """
    from tracker.store import current_observations, make_engine, merge_file, session_scope, upgrade

    with tempfile.TemporaryDirectory(prefix="tracker-bench-merge-") as tmp:
        engine = make_engine(database_url or f"sqlite:///{Path(tmp) / 'merge.sqlite'}")
        try:
            upgrade(engine)
            first, second = observations(rows), observations(rows, offset=0.25, every=3)
            times: dict[str, float] = {}
            with _timed(times, "load"), session_scope(engine) as s:
                added = merge_file(s, INDICATOR, "traffic.csv", "a" * 64, first)
            with _timed(times, "revise"), session_scope(engine) as s:
                revised = merge_file(s, INDICATOR, "traffic.csv", "b" * 64, second)
            with session_scope(engine) as s:
                current = current_observations(s, [INDICATOR]).get(INDICATOR, [])
            dialect = engine.dialect.name
        finally:
            engine.dispose()
    expected = (rows, (rows + 2) // 3, rows - (rows + 2) // 3, rows)
    found = (added.added, revised.revised, revised.unchanged, len(current))
    if found != expected:
        raise RuntimeError(f"merge stored {found} (added, revised, unchanged, current), expected {expected}")
    return {"rows": rows, "revisions": revised.revised, "database": dialect, **times}


def child(out: Path, rows: int) -> int:
    """Entry point of the child process: the figures as JSON in ``out``."""
    out.write_text(json.dumps(run_merge(rows)), encoding="utf-8")
    return 0


def summary(runs: list[dict[str, Any]], median: Callable[[list[float]], float]) -> dict[str, Any]:
    """Medians of each timing over the runs, with the runs themselves."""
    keys = [k for k in runs[0] if k.endswith(("_s", "_mb"))]
    return {
        "rows": runs[0]["rows"],
        "revisions": runs[0]["revisions"],
        "database": runs[0]["database"],
        **{k: median([r[k] for r in runs]) for k in keys},
        "runs": runs,
    }
