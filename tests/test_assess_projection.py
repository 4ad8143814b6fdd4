"""Projections: value in the target year, year reached / not before / never, bounds, dashed-line points."""

from __future__ import annotations

import pytest

from tracker.assess import projection
from tracker.assess.base import Point, Spec

LATEST = Point(2020.0, 56.0, "2020")
TARGET = Spec(sign=1, target_value=70, target_year=2030)


def test_geometric_e1() -> None:
    p = projection.geometric(LATEST, (56 / 50) ** 0.2 - 1, TARGET)
    assert p.method == "geometric" and p.target_year == 2030
    assert p.value_at_target_year == pytest.approx(70.2464, abs=1e-4)
    assert p.year_reached == 2030 and p.not_before is None
    assert p.points[0] == LATEST and p.points[-1].time == 2030
    assert [pt.time for pt in p.points] == [float(y) for y in range(2020, 2031)]


def test_linear_e1_reached_later() -> None:
    p = projection.linear(LATEST, 1.2, TARGET)
    assert p.value_at_target_year == pytest.approx(68.0)
    assert p.year_reached == 2032  # 56 + 1.2 * 12 = 70.4 >= 70; 11 years give 69.2


def test_too_slow_is_not_before_horizon() -> None:
    p = projection.linear(LATEST, 0.1, TARGET)  # 140 years to go
    assert p.year_reached is None and p.not_before == projection.HORIZON


def test_moving_away_is_never() -> None:
    p = projection.linear(LATEST, -0.5, TARGET)
    assert p.year_reached is None and p.not_before is None
    flat = projection.geometric(LATEST, 0.0, TARGET)
    assert flat.year_reached is None and flat.not_before is None


def test_target_beyond_natural_limit_is_never() -> None:
    spec = Spec(sign=1, target_value=100, target_year=2030, natural_limit=95, upper_bound=100, lower_bound=0)
    p = projection.linear(Point(2020, 90, "2020"), 2.0, spec)
    assert p.value_at_target_year == 95
    assert p.year_reached is None and p.not_before is None


def test_percent_capped_at_bounds() -> None:
    spec = Spec(sign=1, target_value=100, target_year=2030, natural_limit=100, upper_bound=100, lower_bound=0)
    p = projection.geometric(Point(2020, 80, "2020"), 0.1, spec)
    assert p.value_at_target_year == 100
    assert all(0 <= pt.value <= 100 for pt in p.points)
    assert p.year_reached == 2023  # 80 · 1.1³ = 106.5 → capped 100 meets 100
    down = Spec(sign=-1, target_value=0, target_year=2030, natural_limit=0, upper_bound=100, lower_bound=0)
    q = projection.linear(Point(2020, 10, "2020"), -3.0, down)
    assert q.value_at_target_year == 0 and q.year_reached == 2024
    assert min(pt.value for pt in q.points) == 0


def test_geometric_towards_zero_never_arrives_but_not_before() -> None:
    spec = Spec(sign=-1, target_value=0, target_year=2030, lower_bound=0)
    p = projection.geometric(Point(2020, 10, "2020"), -0.2, spec)
    assert p.year_reached is None and p.not_before == projection.HORIZON


def test_already_met_reports_latest_year() -> None:
    p = projection.linear(Point(2021.0, 75, "2021"), -1.0, TARGET)
    assert p.year_reached == 2021


def test_no_target_year_no_line() -> None:
    p = projection.linear(LATEST, 1.0, Spec(sign=1))
    assert p.points == [] and p.value_at_target_year is None and p.year_reached is None


def test_target_year_passed_no_line() -> None:
    p = projection.linear(LATEST, 1.0, Spec(sign=1, target_value=70, target_year=2020))
    assert p.points == [] and p.value_at_target_year is None


def test_fractional_latest_time() -> None:
    p = projection.linear(Point(2020.5, 56, "2020-06"), 1.0, TARGET)
    assert p.points[0].time == 2020.5 and p.points[1].time == 2021.0
    assert p.value_at_target_year == pytest.approx(65.5)


def test_negative_values_geometric() -> None:
    spec = Spec(sign=1, target_value=-2, target_year=2030)
    p = projection.geometric(Point(2020, -8, "2020"), -0.2, spec)  # magnitude shrinking: rising towards -2
    assert p.value_at_target_year == pytest.approx(-8 * 0.8**10)
    assert p.year_reached == 2027  # -8·0.8^7 = -1.68 >= -2
