"""The reporting calendar and the grouping of series behind the pages."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.observations import Observation
from tracker.site.context import (
    add_months,
    figure_kind,
    history_items,
    next_due,
    period_end,
    reporting_status,
)


@pytest.mark.parametrize(
    ("period", "end"),
    [
        ("2015", date(2015, 12, 31)),
        ("2015-Q1", date(2015, 3, 31)),
        ("2016-Q4", date(2016, 12, 31)),
        ("2024-02", date(2024, 2, 29)),
        ("2015-03-31", date(2015, 3, 31)),
        ("2014/2015", date(2015, 12, 31)),
        ("soon", None),
    ],
)
def test_period_end(period: str, end: date | None) -> None:
    assert period_end(period) == end


def test_add_months_keeps_month_ends() -> None:
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 12, 31), 12) == date(2024, 12, 31)
    assert add_months(date(2023, 11, 30), 3) == date(2024, 2, 29)


@pytest.mark.parametrize(
    ("period", "frequency", "due"),
    [
        ("2023", "annual", date(2025, 12, 31)),  # 2024's value may take until the end of 2025
        ("2025-Q2", "quarterly", date(2025, 12, 31)),
        ("2025-09", "monthly", date(2025, 11, 30)),
        ("2022", "biennial", date(2026, 12, 31)),
        ("2022", "irregular", None),
    ],
)
def test_next_due(period: str, frequency: str, due: date | None) -> None:
    assert next_due(period, frequency) == due


def test_reporting_status() -> None:
    obs = Observation("x", "2022", 2022.5, 1.0)
    assert reporting_status(None, "annual", date(2025, 1, 1)) == ("no_data", None)
    assert reporting_status(obs.period, "annual", date(2024, 12, 31)) == ("current", date(2024, 12, 31))
    assert reporting_status(obs.period, "annual", date(2025, 1, 1)) == ("overdue", date(2024, 12, 31))
    assert reporting_status(obs.period, "irregular", date(2030, 1, 1)) == ("irregular", None)


def test_figure_kinds() -> None:
    assert [
        figure_kind(k) for k in ("actual_growth", "ratio", "gap_ratio", "actual_change", "c_factor", "new")
    ] == ["rate", "percent", "percent", "change", "number", "number"]


def test_history_accepts_mappings_and_objects_newest_first() -> None:
    class Snapshot:
        at = "2025-06-01T06:00:00+02:00"
        category = "moderate"
        score = 1.5

    items = history_items(
        [{"at": "2024-06-01", "category": "limited", "score": -1}, Snapshot(), {"note": "x"}]
    )
    assert [i.at for i in items] == [date(2025, 6, 1), date(2024, 6, 1), None]
    assert items[0].category == "moderate" and items[1].score == -1.0 and items[2].note == "x"
