"""Period cells: every form a data steward writes, turned into a canonical label and a decimal year.

Pure Python (no pandas), so other stages may import it cheaply.

Forms accepted (spaces around the parts are ignored, ``Q`` may be lower case):

=====================  ==============================  ==============  =========================================
form                   examples                        label           time (decimal year)
=====================  ==============================  ==============  =========================================
year                   ``2015``                        ``2015``        ``2015.0``
quarter                ``2015-Q4`` ``2015 Q4``         ``2015-Q4``     start of the quarter: ``2015.75``
                       ``Q4 2015`` ``2015Q4``
month                  ``2015-03`` ``03/2015``         ``2015-03``     start of the month: ``2015 + 2/12``
                       ``3/2015``
date                   ``2015-03-31`` ``31/03/2015``   ``2015-03-31``  the day: ``2015 + (day of year - 1)/365``
                       (Italian day/month/year)                        (366 in leap years)
range of years         ``2014/2015`` ``2014-2015``     ``2014/2015``   its **end** year: ``2015.0``
                       ``2017-18`` ``2014/15``         ``2017/2018``
                       ``2005-2007``                   ``2005/2007``   ``2007.0``
=====================  ==============================  ==============  =========================================

Why the start of the period: an annual value then sits exactly on its year (Open SDG plots ``Year`` as is,
targets and base years are whole years, and ``math.floor(time)`` gives the calendar year of any sub-annual
period). A range (a school or fiscal year, a three-year average) is attributed to the year it ends in, as
Statistics Canada does, so ``2014/2015`` counts as 2015 while its label keeps both years.

``YYYY-NN`` is ambiguous when ``NN`` is both a month and the year after (``2011-12``): for a monthly
indicator it is a month (ISO 8601), otherwise the fiscal year ``2011/2012``. Any other ``NN`` from 01 to 12 is
a month, and ``2017-18`` (no month 18) is always a range. A two-digit end year means the next 1 to 9 years.

Limits: every year must be within 1900..(current year + 1), and a period that starts after today is in the
future, which is an error (nothing can have been measured yet).
"""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass
from datetime import date, timedelta

from tracker.formulas import looks_like_formula

FIRST_YEAR = 1900
FORMS_HINT = (
    "write a year (2015), a quarter (2015-Q4), a month (2015-03), a date (2015-03-31) or a range (2014/2015)"
)


class PeriodError(ValueError):
    """A period cell that cannot be used; ``message`` and ``hint`` feed a :class:`~tracker.problems.Problem`."""

    def __init__(self, message: str, hint: str = FORMS_HINT) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True, slots=True)
class Period:
    label: str  # canonical label, e.g. "2015-Q4"
    time: float  # decimal year (see the module docstring)
    start: date
    end: date


_YEAR = re.compile(r"(\d{4})")
_QUARTER = re.compile(r"(\d{4})\s*-?\s*[Qq]([1-4])|[Qq]([1-4])\s*-?\s*(\d{4})")
_YEAR_DASH_NN = re.compile(r"(\d{4})\s*-\s*(\d{1,2})")
_MONTH_SLASH = re.compile(r"(\d{1,2})\s*/\s*(\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_IT_DATE = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")
_RANGE = re.compile(r"(\d{4})\s*[/-]\s*(\d{4}|\d{2})")
_FORMULA = re.compile(r"[=+\-@]\s*[A-Za-z]")


def parse_period(text: str, *, frequency: str | None = None, today: date | None = None) -> Period:
    """Parse one period cell; raise :class:`PeriodError` with a message and a hint when it is not usable."""
    cell = text.strip()
    if not cell:
        raise PeriodError("period is empty")
    today = today or date.today()
    last = today.year + 1
    try:
        period = _parse(cell, frequency)
    except PeriodError:
        raise
    except ValueError:  # a year the calendar cannot hold (0000): only the year range can be wrong here
        raise PeriodError(
            f"{cell!r} is outside the years {FIRST_YEAR}..{last}", "check the year for a typo"
        ) from None
    if period is None:
        if looks_like_formula(cell) or _FORMULA.match(cell):
            raise PeriodError(f"{cell!r} is a formula, not a period", "type the period itself, not a formula")
        raise PeriodError(f"{cell!r} is not a period")
    for year in (period.start.year, period.end.year):
        if not FIRST_YEAR <= year <= last:
            raise PeriodError(
                f"{cell!r} is outside the years {FIRST_YEAR}..{last}", "check the year for a typo"
            )
    if period.start > today:
        raise PeriodError(
            f"period {cell!r} is in the future",
            f"only periods that have started can have a value; today is {today.isoformat()}",
        )
    return period


def _parse(cell: str, frequency: str | None) -> Period | None:
    if m := _YEAR.fullmatch(cell):
        return _year(int(m[1]))
    if m := _QUARTER.fullmatch(cell):
        year, quarter = (int(m[1]), int(m[2])) if m[1] else (int(m[4]), int(m[3]))
        start = date(year, 3 * quarter - 2, 1)
        return Period(f"{year}-Q{quarter}", year + (quarter - 1) / 4, start, _month_end(year, 3 * quarter))
    if m := _YEAR_DASH_NN.fullmatch(cell):
        year, nn = int(m[1]), int(m[2])
        is_next_year = len(m[2]) == 2 and nn == (year + 1) % 100
        if is_next_year and not (frequency == "monthly" and 1 <= nn <= 12):
            return _range(cell, year, m[2])
        if 1 <= nn <= 12:
            return _month(year, nn)
        raise PeriodError(
            f"{cell!r} has no month {nn}",
            "months run from 01 to 12 (2015-03); write a range of years as 2015/2016",
        )
    if m := _MONTH_SLASH.fullmatch(cell):
        month, year = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise PeriodError(f"{cell!r} has no month {month}", "months run from 01 to 12, e.g. 03/2015")
        return _month(year, month)
    if m := _ISO_DATE.fullmatch(cell):
        return _date(cell, int(m[1]), int(m[2]), int(m[3]))
    if m := _IT_DATE.fullmatch(cell):
        return _date(cell, int(m[3]), int(m[2]), int(m[1]))
    if m := _RANGE.fullmatch(cell):
        return _range(cell, int(m[1]), m[2])
    return None


def _year(year: int) -> Period:
    return Period(str(year), float(year), date(year, 1, 1), date(year, 12, 31))


def _month(year: int, month: int) -> Period:
    return Period(
        f"{year}-{month:02d}", year + (month - 1) / 12, date(year, month, 1), _month_end(year, month)
    )


def _date(cell: str, year: int, month: int, day: int) -> Period:
    if year < 1:
        raise ValueError(year)  # reported as outside the years, as for the other forms
    try:
        day_ = date(year, month, day)
    except ValueError:
        raise PeriodError(f"{cell!r} is not a valid date", "check the day and the month") from None
    days = 366 if calendar.isleap(year) else 365
    return Period(day_.isoformat(), year + (day_.timetuple().tm_yday - 1) / days, day_, day_)


def _range(cell: str, first: int, last_text: str) -> Period:
    if len(last_text) == 2:
        last = first - first % 100 + int(last_text)
        if last <= first:
            last += 100
        if last - first > 9:
            raise PeriodError(f"{cell!r} is not a period")
    else:
        last = int(last_text)
    if last <= first:
        raise PeriodError(
            f"range {cell!r} does not end after it starts",
            f"write the earlier year first, e.g. {last}/{first}",
        )
    return Period(f"{first}/{last}", float(last), date(first, 1, 1), date(last, 12, 31))


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


# --- canonical labels: where a period sits in time, and when the next one is due ---------------------------

_LABEL_FORMS = (
    (re.compile(r"(\d{4})"), lambda m: (date(int(m[1]), 1, 1), date(int(m[1]), 12, 31))),
    (
        re.compile(r"(\d{4})-Q([1-4])"),
        lambda m: (date(int(m[1]), 3 * int(m[2]) - 2, 1), _month_end(int(m[1]), 3 * int(m[2]))),
    ),
    (
        re.compile(r"(\d{4})-(\d{2})"),
        lambda m: (date(int(m[1]), int(m[2]), 1), _month_end(int(m[1]), int(m[2]))),
    ),
    (re.compile(r"(\d{4})-(\d{2})-(\d{2})"), lambda m: (date(int(m[1]), int(m[2]), int(m[3])),) * 2),
    # a range counts as the year it ends in (see the module docstring)
    (re.compile(r"(\d{4})/(\d{4})"), lambda m: (date(int(m[2]), 1, 1), date(int(m[2]), 12, 31))),
)


def label_bounds(label: str) -> tuple[date, date] | None:
    """First and last day of the time a canonical label stands for ("2015", "2015-Q4", "2015-03",
    "2015-03-31"; a range "2014/2015" stands for its end year). None for anything else."""
    for pattern, bounds in _LABEL_FORMS:
        if m := pattern.fullmatch(label):
            try:
                return bounds(m)
            except ValueError:
                return None
    return None


def decimal_year(day: date) -> float:
    """``day`` as a decimal year: 1 January is ``YYYY.0``."""
    days = 366 if calendar.isleap(day.year) else 365
    return day.year + (day.timetuple().tm_yday - 1) / days


@functools.lru_cache(maxsize=65536)
def mid_time(label: str, fallback: float) -> float:
    """Where a value is drawn and projected from: the middle of its period, as a decimal year.

    Why the middle: points, the baseline marker and the start of a projection must sit at the same instant,
    whatever the frequency; a year's value at mid-year sits under its tick label, a month's in its month, and
    monthly and annual series of one indicator line up. ``fallback`` (the observation's time) serves labels
    that are not canonical.
    """
    bounds = label_bounds(label)
    if bounds is None:
        return fallback
    start, end = bounds
    return (
        (decimal_year(start) + decimal_year(end + timedelta(days=1))) / 2
        if end.year == start.year
        else decimal_year(start) + 0.5
    )


def period_end(label: str) -> date | None:
    """Last day of a canonical period label ("2014/2015" ends on 31 December 2015)."""
    bounds = label_bounds(label)
    return bounds[1] if bounds else None


def add_months(day: date, months: int) -> date:
    """Month arithmetic that keeps month ends at month ends (31 Jan + 1 = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return _month_end(year, month + 1)


#: Data of an irregular indicator older than this many years is "stale": too old to stand for today
#: (a verdict says its age, a roll-up does not count it, no projection is drawn from it).
IRREGULAR_STALE_YEARS = 3


def next_due(latest_period: str, frequency: str) -> date | None:
    """The date by which the value after ``latest_period`` should be in.

    ``FREQUENCY_MONTHS`` says how long after a period ends its value may take; the period after the latest one
    ends one frequency step later, so the next value is due two steps after the latest period's end.
    """
    from tracker.catalog import FREQUENCY_MONTHS  # the catalogue's vocabulary; pydantic stays unimported here

    months = FREQUENCY_MONTHS.get(frequency)
    end = period_end(latest_period)
    if months is None or end is None:
        return None
    return add_months(add_months(end, months), months)


def reporting_status(latest_period: str | None, frequency: str, today: date) -> tuple[str, date | None]:
    """("no_data" | "current" | "overdue" | "irregular", the date the next value is due)."""
    if latest_period is None:
        return "no_data", None
    due = next_due(latest_period, frequency)
    if due is None:
        return "irregular", None
    return ("overdue" if today > due else "current"), due


def is_stale(latest_period: str | None, frequency: str, today: date) -> bool:
    """Whether the latest value is too old to stand for today: overdue for its frequency, or, for irregular
    indicators, ended more than :data:`IRREGULAR_STALE_YEARS` years ago."""
    status, _ = reporting_status(latest_period, frequency, today)
    if status == "overdue":
        return True
    if status == "irregular" and latest_period is not None:
        end = period_end(latest_period)
        return end is not None and add_months(end, 12 * IRREGULAR_STALE_YEARS) < today
    return False
