"""Projections: the drift model, its 80 % interval, where it starts, the years it claims, and when it declines."""

from __future__ import annotations

import math
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.assess.base import Point, Spec
from tracker.assess.projection import MIN_VALUES, project, t90
from tracker.intake.periods import mid_time

TARGET = Spec(sign=1, target_value=70, target_year=2030)


def pts(*pairs: tuple[str, float]) -> list[Point]:
    return [Point(float(p[:4]), v, p) for p, v in pairs]


def test_drift_hand_computed() -> None:
    # changes 2, 1, 3 a year; drift 2; residuals 0, −1, 1 → σ² = 2 / (4 − 2) = 1
    p, why = project(pts(("2018", 50), ("2019", 52), ("2020", 53), ("2021", 56)), TARGET)
    assert why == {} and p is not None
    assert p.method == "drift" and p.drift == pytest.approx(2.0) and p.sigma == pytest.approx(1.0)
    assert (p.fitted_from, p.fitted_to, p.fitted_count) == ("2018", "2021", 4)
    assert p.points[0] == Point(2021.5, 56, "2021")  # starts at the latest value, at the middle of its year
    assert [q.time for q in p.points[1:]] == [y + 0.5 for y in range(2022, 2031)]
    assert p.value_at_target_year == pytest.approx(74.0)  # 56 + 2 × 9
    half = t90(2) * 1.0 * math.sqrt(9 * (1 + 9 / 3))  # h = 9 years, T = 3 years fitted
    assert p.range_at_target_year == pytest.approx((74 - half, 74 + half))
    assert p.year_reached == 2028  # 56 + 2 × 7 = 70
    assert p.reached_range == (2026, 2039)  # the interval's optimistic and pessimistic edges
    assert p.level == 0.8


def test_fits_only_the_last_five_years() -> None:
    # an old steep rise (2005–2010) then a plateau: the projection follows the plateau
    series = pts(("2005", 10), ("2010", 60), ("2016", 61), ("2018", 60), ("2020", 61), ("2021", 61))
    p, _ = project(series, TARGET)
    assert p is not None and p.fitted_from == "2016" and p.fitted_count == 4
    assert p.drift == pytest.approx(0.0)
    assert p.value_at_target_year == pytest.approx(61)
    assert p.year_reached is None


def test_too_few_recent_values_say_so() -> None:
    # separate collection: 2021 and 2022 are the only values within five years of the latest one
    series = pts(("2011", 35), ("2012", 36.7), ("2014", 50.4), ("2021", 63), ("2022", 63))
    p, why = project(series, TARGET)
    assert p is None
    assert "2021, 2022" in why["en"] and "2021, 2022" in why["it"] and str(MIN_VALUES) in why["en"]


def test_stale_data_get_no_projection() -> None:
    series = pts(("2013", 1.9), ("2014", 2.4), ("2015", 3.1), ("2016", 4.1), ("2017", 4.3))
    spec = Spec(sign=1, target_value=6, target_year=2030)
    fresh, _ = project(series, spec, frequency="annual", today=date(2018, 6, 1))
    assert fresh is not None
    old, why = project(series, spec, frequency="annual", today=date(2026, 12, 2))
    assert old is None and "2017" in why["en"] and "2017" in why["it"]
    # irregular data: stale three years after its period
    assert project(series, spec, frequency="irregular", today=date(2020, 12, 31))[0] is not None
    assert project(series, spec, frequency="irregular", today=date(2021, 1, 1))[0] is None


def test_no_target_target_met_and_past_target_year() -> None:
    series = pts(("2018", 50), ("2019", 52), ("2020", 53), ("2021", 56))
    assert project(series, Spec(sign=1))[1]["en"].startswith("No projection: the indicator has no quantified")
    assert project(series, Spec(sign=1, target_value=55, target_year=2030)) == (
        None,
        {},
    )  # the data show it met
    p, why = project(series, Spec(sign=1, target_value=70, target_year=2021))
    assert p is None and "2021" in why["en"]


def test_bounded_quantities_stay_in_their_bounds() -> None:
    spec = Spec(sign=1, target_value=100, target_year=2030, lower_bound=0, upper_bound=100, natural_limit=100)
    p, _ = project(pts(("2017", 80), ("2018", 86), ("2019", 93), ("2020", 97)), spec)
    assert p is not None
    assert max(p.high) == 100 and max(q.value for q in p.points) == 100 and min(p.low) >= 0


def test_sub_annual_values_start_the_projection_at_their_month() -> None:
    series = pts(("2020-12", 280582), ("2021-03", 281160), ("2022-11", 427475), ("2023-11", 560001))
    p, _ = project(series, Spec(sign=1, target_value=3_000_000, target_year=2030))
    assert p is not None
    assert p.points[0].time == pytest.approx(mid_time("2023-11", 0)) and 2023.83 < p.points[0].time < 2023.92
    assert p.points[1].time == 2024.5


def test_lower_is_better() -> None:
    series = pts(("2020", 90), ("2021", 61), ("2023", 49), ("2024", 57))
    p, _ = project(series, Spec(sign=-1, target_value=35, target_year=2030, lower_bound=0))
    assert p is not None and p.drift < 0
    low, high = p.range_at_target_year or (0, 0)
    assert 0 <= low <= p.value_at_target_year <= high


def test_t_quantiles_widen_with_few_values() -> None:
    assert t90(1) > t90(2) > t90(5) > t90(30) > t90(1000) == 1.2816
    assert t90(11) == t90(10)  # between tabulated rows: the smaller df, the wider interval


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(st.floats(0, 100), min_size=1, max_size=12),
    gaps=st.lists(st.integers(1, 3), min_size=12, max_size=12),
    sign=st.sampled_from([1, -1]),
    target=st.floats(0, 100),
    target_year=st.integers(2020, 2060),
)
def test_projection_rules_hold_for_any_series(
    values: list[float], gaps: list[int], sign: int, target: float, target_year: int
) -> None:
    years = [2000 + sum(gaps[:i]) for i in range(len(values))]
    series = [Point(float(y), v, str(y)) for y, v in zip(years, values, strict=True)]
    spec = Spec(
        sign=sign,
        target_value=target,
        target_year=target_year,
        lower_bound=0,
        upper_bound=100,
        natural_limit=100 if sign > 0 else 0,
    )
    p, why = project(series, spec)
    if p is None:
        return
    assert not why
    latest = series[-1]
    assert (
        p.points[0].time == latest.time + 0.5 and p.points[0].value == latest.value
    )  # starts at the last point
    assert p.fitted_count >= MIN_VALUES
    for q, lo, hi in zip(p.points, p.low, p.high, strict=True):
        assert 0 <= lo <= q.value <= hi <= 100  # in bounds, the centre inside its interval
    if p.year_reached is not None:
        assert p.year_reached > latest.time  # "reached in" only after the latest value
        assert sign * (latest.value - target) < 0  # ... and only when the data do not already show it
    lo_year, hi_year = p.reached_range
    if p.year_reached is not None and lo_year is not None:
        assert lo_year <= p.year_reached
    if p.year_reached is not None and hi_year is not None:
        assert p.year_reached <= hi_year
