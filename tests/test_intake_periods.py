"""Period cells: every accepted form with its label and decimal time, and each rejected form's exact message."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tracker.intake.periods import PeriodError, parse_period

TODAY = date(2026, 6, 30)


@pytest.mark.parametrize(
    ("cell", "label", "time"),
    [
        ("2015", "2015", 2015.0),
        (" 2015 ", "2015", 2015.0),
        ("2015-03", "2015-03", 2015 + 2 / 12),
        ("2015-3", "2015-03", 2015 + 2 / 12),
        ("03/2015", "2015-03", 2015 + 2 / 12),
        ("3/2015", "2015-03", 2015 + 2 / 12),
        ("2015-Q4", "2015-Q4", 2015.75),
        ("2015 Q4", "2015-Q4", 2015.75),
        ("Q4 2015", "2015-Q4", 2015.75),
        ("2015q1", "2015-Q1", 2015.0),
        ("2015-03-31", "2015-03-31", 2015 + 89 / 365),
        ("31/03/2015", "2015-03-31", 2015 + 89 / 365),
        ("31.03.2015", "2015-03-31", 2015 + 89 / 365),
        ("2016-12-31", "2016-12-31", 2016 + 365 / 366),  # leap year
        ("2014/2015", "2014/2015", 2015.0),
        ("2014-2015", "2014/2015", 2015.0),
        ("2014/15", "2014/2015", 2015.0),
        ("2017-18", "2017/2018", 2018.0),
        ("2005-2007", "2005/2007", 2007.0),
        ("1999-00", "1999/2000", 2000.0),
        ("2011-12", "2011/2012", 2012.0),  # not monthly: a fiscal year
        ("2026-06", "2026-06", 2026 + 5 / 12),  # the current month has started
        ("1900", "1900", 1900.0),
    ],
)
def test_accepted_forms(cell: str, label: str, time: float) -> None:
    period = parse_period(cell, today=TODAY)
    assert (period.label, period.time) == (label, pytest.approx(time))


def test_ambiguous_year_dash_month_is_a_month_for_monthly_indicators() -> None:
    period = parse_period("2011-12", frequency="monthly", today=TODAY)
    assert (period.label, period.time, period.start, period.end) == (
        "2011-12",
        pytest.approx(2011 + 11 / 12),
        date(2011, 12, 1),
        date(2011, 12, 31),
    )


def test_start_and_end_dates() -> None:
    q = parse_period("Q2 2015", today=TODAY)
    r = parse_period("2005-2007", today=TODAY)
    assert (q.start, q.end, r.start, r.end) == (
        date(2015, 4, 1),
        date(2015, 6, 30),
        date(2005, 1, 1),
        date(2007, 12, 31),
    )


def test_sub_annual_times_stay_in_their_calendar_year() -> None:
    times = [parse_period(c, today=TODAY).time for c in ("2015-01", "2015-Q4", "2015-12", "2015-12-31")]
    assert [int(t) for t in times] == [2015] * 4
    assert times == sorted(times)


@pytest.mark.parametrize(
    ("cell", "message", "hint"),
    [
        (
            "",
            "period is empty",
            "write a year (2015), a quarter (2015-Q4), a month (2015-03), a date (2015-03-31) "
            "or a range (2014/2015)",
        ),
        (
            "abc",
            "'abc' is not a period",
            "write a year (2015), a quarter (2015-Q4), a month (2015-03), a date "
            "(2015-03-31) or a range (2014/2015)",
        ),
        (
            "2015-13",
            "'2015-13' has no month 13",
            "months run from 01 to 12 (2015-03); write a range of years as 2015/2016",
        ),
        ("13/2015", "'13/2015' has no month 13", "months run from 01 to 12, e.g. 03/2015"),
        (
            "2015-Q5",
            "'2015-Q5' is not a period",
            "write a year (2015), a quarter (2015-Q4), a month (2015-03), "
            "a date (2015-03-31) or a range (2014/2015)",
        ),
        ("2016-02-30", "'2016-02-30' is not a valid date", "check the day and the month"),
        ("30/02/2016", "'30/02/2016' is not a valid date", "check the day and the month"),
        (
            "2015/2014",
            "range '2015/2014' does not end after it starts",
            "write the earlier year first, e.g. 2014/2015",
        ),
        ("1850", "'1850' is outside the years 1900..2027", "check the year for a typo"),
        ("2150", "'2150' is outside the years 1900..2027", "check the year for a typo"),
        (
            "2027",
            "period '2027' is in the future",
            "only periods that have started can have a value; today is 2026-06-30",
        ),
        (
            "2026-07",
            "period '2026-07' is in the future",
            "only periods that have started can have a value; today is 2026-06-30",
        ),
        (
            "2026-Q3",
            "period '2026-Q3' is in the future",
            "only periods that have started can have a value; today is 2026-06-30",
        ),
        ("=TODAY()", "'=TODAY()' is a formula, not a period", "type the period itself, not a formula"),
        (
            "2015.0",
            "'2015.0' is not a period",
            "write a year (2015), a quarter (2015-Q4), a month (2015-03), "
            "a date (2015-03-31) or a range (2014/2015)",
        ),
    ],
)
def test_rejected_forms(cell: str, message: str, hint: str) -> None:
    with pytest.raises(PeriodError) as caught:
        parse_period(cell, today=TODAY)
    assert (caught.value.message, caught.value.hint) == (message, hint)


def test_periods_module_does_not_load_pandas() -> None:
    import subprocess
    import sys

    code = "import sys, tracker.intake.periods, tracker.intake; print('pandas' in sys.modules)"
    repo = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=repo)
    assert out.stdout.strip() == "False"
