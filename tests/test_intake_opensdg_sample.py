"""Real data: Statistics Canada's Open SDG CSVs read with intake's reader, every ``Year`` cell parsed as a period.

The sample lives outside the repo (``/work/shared/data/opensdg-cif-sample``, see its SOURCE.md). Without it the
suite fails with a clear message, unless ``CI_NO_SHARED`` is set.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from tracker.intake.periods import parse_period
from tracker.intake.readers import open_table

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "opensdg-cif-sample"
FILES = sorted((SAMPLE / "data").glob("*.csv")) if SAMPLE.is_dir() else []
TODAY = date(2026, 6, 30)


def test_sample_is_present() -> None:
    if os.environ.get("CI_NO_SHARED"):
        assert not FILES or SAMPLE.is_dir()
        return
    assert FILES, (
        f"Open SDG sample not found in {SAMPLE}: provide it, or set CI_NO_SHARED=1 to run without it"
    )


def read_years(path: Path) -> tuple[list[str], list[int]]:
    table = open_table(path, path.name)
    column = [h.lower() for h in table.header].index("year")
    years: list[str] = []
    lines: list[int] = []
    for chunk in table.chunks:
        years.extend(chunk.frame[column])
        lines.extend(chunk.frame.index)
    return years, lines


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_year_cell_is_a_period_and_lines_match_the_file(path: Path) -> None:
    years, lines = read_years(path)
    labels = {parse_period(y, today=TODAY).label for y in set(years)}
    assert labels
    raw = path.read_bytes()
    physical = raw.count(b"\n") + (0 if raw.endswith(b"\n") else 1)
    assert lines[-1] == physical  # BOM, CRLF and a missing final newline do not shift line numbers


@pytest.mark.parametrize(
    ("name", "cell", "label", "time"),
    [
        ("indicator_1-3-1.csv", "2015 Q4", "2015-Q4", 2015.75),
        ("indicator_11-3-1.csv", "2005-2007", "2005/2007", 2007.0),
        ("indicator_16-4-1.csv", "2014/2015", "2014/2015", 2015.0),
        ("indicator_7-1-1.csv", "2017-18", "2017/2018", 2018.0),
    ],
)
def test_period_quirks_of_the_sample(name: str, cell: str, label: str, time: float) -> None:
    if os.environ.get("CI_NO_SHARED") and not FILES:
        return
    years, _ = read_years(SAMPLE / "data" / name)
    assert cell in years
    period = parse_period(cell, today=TODAY)
    assert (period.label, period.time) == (label, time)


def test_encodings_and_line_ends_of_the_sample() -> None:
    if os.environ.get("CI_NO_SHARED") and not FILES:
        return
    bom = open_table(SAMPLE / "data" / "indicator_15-5-1.csv", "15-5-1")
    crlf = open_table(SAMPLE / "data" / "indicator_2-2-1.csv", "2-2-1")
    assert (bom.encoding, bom.header, crlf.header) == (
        "utf-8-sig",
        ["Year", "Value"],
        ["Year", "Index", "Value"],
    )
