"""Checking a file keeps memory bounded by the chunk size, not by the file size.

The 1,000,000-row measurement (time and peak RSS) is in the intake report; this test checks the property on a
smaller file with Python's own allocation tracer, so it does not depend on the machine.
"""

from __future__ import annotations

import tracemalloc
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.conftest import make_indicator
from tracker.catalog import Indicator
from tracker.intake.validate import check_file

TODAY = date(2026, 6, 30)


def indicator() -> Indicator:
    return make_indicator("percent")


def peak_bytes(path: Path, chunk_rows: int) -> int:
    tracemalloc.start()
    try:
        assert check_file(path, indicator(), chunk_rows=chunk_rows, today=TODAY) == []
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.slow
def test_memory_follows_the_chunk_not_the_file(tmp_path: Path) -> None:
    start = date(1950, 1, 1)
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as fh:
        fh.write("period,municipio,value,note\n")
        for i in range(40_000):
            fh.write(f"{start + timedelta(days=i // 9)},{i % 9 + 1},{i % 1000 / 10},nota {i}\n")
    small, whole = peak_bytes(path, 2_000), peak_bytes(path, 40_000)
    assert small * 2 < whole, (small, whole)


def measure(rows: int, mode: str) -> None:
    """Time and peak RSS of ``check_file`` or ``read_observations`` on a generated file of ``rows`` rows.

    Run from the repo: ``python tests/test_intake_scale.py 1000000 check`` (or ``read``); one mode per process,
    since peak RSS is per process.
    """
    import resource
    import tempfile
    import time

    from tracker.intake.validate import read_observations

    zones = [f"z{i}" for i in range(100)]
    ind = Indicator.model_validate(
        {
            **indicator().model_dump(),
            "frequency": "monthly",
            "disaggregations": [
                *indicator().model_dump()["disaggregations"],
                {"column": "zona", "label": {"it": "Zona", "en": "Zone"}, "values": zones},
            ],
        }
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.csv"
        with path.open("w", encoding="utf-8") as fh:
            fh.write("period,municipio,zona,value,note,flag,source\n")
            for i in range(rows):  # 900 series (9 x 100) a month from 1900-01: keys stay unique
                month = i // 900
                fh.write(
                    f"{1900 + month // 12}-{month % 12 + 1:02d},{i % 9 + 1},z{i // 9 % 100},"
                    f"{i % 1000 / 10},,,\n"
                )
        before = resource.getrusage(resource.RUSAGE_SELF)
        start = time.perf_counter()
        if mode == "read":
            observations, problems = read_observations(path, ind, today=TODAY)
            kept = len(observations)
        else:
            problems, kept = check_file(path, ind, today=TODAY), 0
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_SELF)
        size = path.stat().st_size
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    print(
        f"{mode}: {rows:,} rows, {size / 1e6:.1f} MB file: {wall:.1f} s wall, {cpu:.1f} s CPU, "
        f"{len(problems)} problems, {kept:,} observations kept; peak RSS {after.ru_maxrss / 1024:.0f} MB "
        f"(before reading {before.ru_maxrss / 1024:.0f} MB)"
    )


if __name__ == "__main__":
    import sys

    measure(
        int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000, sys.argv[2] if len(sys.argv) > 2 else "check"
    )
