"""Eurostat method: methodology.md worked examples E1–E4 and N1, windows, boundaries and edge cases."""

from __future__ import annotations

import math

import pytest

from tests.conftest import pts
from tracker.assess import eurostat
from tracker.assess.base import Category, Point, Spec


def short(points: list[Point], spec: Spec):
    result = eurostat.assess(points, spec)
    assert [a.window for a in result] == ["short", "long"]
    return result[0]


TARGET = Spec(sign=1, target_value=70, target_year=2030)


@pytest.mark.parametrize(
    ("latest", "cagr_a", "rr", "category", "en"),
    [
        (56, 0.0229, 1.0106, Category.ON_TRACK, "Significant progress towards the target"),  # E1
        (53, 0.0117, 0.5167, Category.LIMITED, "Insufficient progress towards the target"),  # E2
        (51, 0.0040, 0.1749, Category.LIMITED, "Insufficient progress towards the target"),  # E3
        (48, -0.0081, -0.3584, Category.DETERIORATING, "Movement away from the target"),  # E4
    ],
)
def test_worked_examples_with_target(
    latest: float, cagr_a: float, rr: float, category: Category, en: str
) -> None:
    a = short(pts((2015, 50), (2020, latest)), TARGET)
    assert a.figures["actual_growth"] == pytest.approx(cagr_a, abs=5e-5)
    assert a.figures["required_growth"] == pytest.approx(0.0227, abs=5e-5)
    assert a.figures["ratio"] == pytest.approx(rr, abs=5e-5)
    assert a.category is category
    assert a.label["en"] == en and a.label["it"]
    assert a.base == Point(2015.0, 50.0, "2015") and a.latest.value == latest
    assert -5 <= a.score <= 5


def test_e1_score_is_open_sdg_quantitative_score() -> None:
    a = short(pts((2015, 50), (2020, 56)), TARGET)
    assert a.score == pytest.approx(7.1429 * a.figures["ratio"] - 4.2857)
    assert a.score == pytest.approx(2.9326, abs=1e-4)


def test_n1_without_target_both_directions() -> None:
    up = short(pts((2018, 100), (2023, 104)), Spec(sign=1))
    assert up.figures["adjusted_growth"] == pytest.approx(0.0079, abs=5e-5)
    assert up.category is Category.MODERATE
    assert up.label["en"] == "Moderate progress towards SD objectives"
    down = short(pts((2018, 100), (2023, 104)), Spec(sign=-1))
    assert down.figures["adjusted_growth"] == pytest.approx(-0.0079, abs=5e-5)
    assert down.category is Category.LIMITED
    assert down.label["en"] == "Moderate movement away from SD objectives"
    assert down.score == pytest.approx(-up.score)


def test_ratio_boundaries_are_lower_inclusive() -> None:
    assert eurostat.classify_ratio(0.95) is Category.ON_TRACK
    assert eurostat.classify_ratio(math.nextafter(0.95, 0)) is Category.MODERATE
    assert eurostat.classify_ratio(0.60) is Category.MODERATE
    assert eurostat.classify_ratio(math.nextafter(0.60, 0)) is Category.LIMITED
    assert eurostat.classify_ratio(0.0) is Category.LIMITED
    assert eurostat.classify_ratio(-1e-12) is Category.DETERIORATING


def test_growth_boundaries_are_upper_inclusive() -> None:
    assert eurostat.classify_growth(0.01) is Category.MODERATE
    assert eurostat.classify_growth(math.nextafter(0.01, 1)) is Category.ON_TRACK
    assert eurostat.classify_growth(0.0) is Category.LIMITED
    assert eurostat.classify_growth(1e-12) is Category.MODERATE
    assert eurostat.classify_growth(-0.01) is Category.LIMITED
    assert eurostat.classify_growth(math.nextafter(-0.01, -1)) is Category.DETERIORATING


def test_no_change_is_moderate_movement_away_and_scores_below_zero() -> None:
    a = short(pts((2015, 80), (2020, 80)), Spec(sign=1))
    assert a.figures["adjusted_growth"] == 0.0
    assert a.category is Category.LIMITED
    assert a.score < 0  # kept inside the limited band, so a roll-up agrees


def test_trend_score_shape() -> None:
    assert eurostat.trend_score(-0.03) == -5
    assert eurostat.trend_score(-0.01) == pytest.approx(-2.5)
    assert eurostat.trend_score(0.005) == pytest.approx(1.25)
    assert eurostat.trend_score(0.02) == 5


def test_short_and_long_windows_differ() -> None:
    # Rising fast 2005-2015, then falling 2015-2020: long-term progress, short-term movement away.
    series = pts((2005, 50), (2010, 60), (2015, 75), (2020, 70))
    short_a, long_a = eurostat.assess(series, Spec(sign=1))
    assert short_a.base.time == 2015 and long_a.base.time == 2005
    assert short_a.category is Category.DETERIORATING
    assert long_a.category is Category.ON_TRACK
    assert long_a.figures["span_years"] == 15


def test_required_rate_runs_from_the_first_year_of_the_window() -> None:
    series = pts((2005, 40), (2015, 50), (2020, 56))
    short_a, long_a = eurostat.assess(series, TARGET)
    assert short_a.figures["required_growth"] == pytest.approx((70 / 50) ** (1 / 15) - 1)
    assert long_a.figures["required_growth"] == pytest.approx((70 / 40) ** (1 / 25) - 1)


def test_gap_at_window_start_shortens_the_window() -> None:
    a = short(pts((2012, 45), (2017, 50), (2020, 53)), Spec(sign=1))
    assert a.base.time == 2017 and a.figures["span_years"] == 3
    assert a.figures["actual_growth"] == pytest.approx((53 / 50) ** (1 / 3) - 1)


def test_too_short_span_is_said_plainly() -> None:
    a = short(pts((2019, 50), (2020, 51)), TARGET)
    assert a.category is Category.INSUFFICIENT_DATA and a.score is None
    assert "at least 3 years apart" in a.reason["en"] and "2019–2020" in a.reason["en"]
    assert "almeno 3 anni" in a.reason["it"]


def test_only_the_latest_value_inside_the_window() -> None:
    a = short(pts((2014, 90), (2021, 95)), Spec(sign=1))
    assert a.category is Category.INSUFFICIENT_DATA
    assert a.reason["en"].endswith("(2016–2021); only 2021 has a value there.")


def test_long_window_needs_ten_years() -> None:
    _, long_a = eurostat.assess(pts((2011, 50), (2020, 60)), Spec(sign=1))
    assert long_a.category is Category.INSUFFICIENT_DATA
    _, long_b = eurostat.assess(pts((2010, 50), (2020, 60)), Spec(sign=1))
    assert long_b.category is Category.ON_TRACK


def test_single_value_and_no_value() -> None:
    one = short(pts((2020, 50)), TARGET)
    assert one.category is Category.INSUFFICIENT_DATA and one.score is None
    assert one.reason["en"].startswith("Needs at least two values at least one year apart")
    none = short([], TARGET)
    assert none.category is Category.INSUFFICIENT_DATA and none.reason["en"] == "No exact values yet."


def test_target_already_met_is_achieved_even_with_one_value() -> None:
    a = short(pts((2020, 72)), TARGET)
    assert a.category is Category.ACHIEVED and a.score == 5
    met = eurostat.assess(pts((2015, 50), (2020, 70)), TARGET)
    assert all(x.category is Category.ACHIEVED for x in met)


def test_lower_is_better_with_target() -> None:
    # 100 -> 85 in 5 years, target 50 in 2030: both CAGRs negative (-3.20 %, -4.52 %), RR = 0.7082.
    a = short(pts((2015, 100), (2020, 85)), Spec(sign=-1, target_value=50, target_year=2030))
    cagr_a = 0.85 ** (1 / 5) - 1
    cagr_r = 0.5 ** (1 / 15) - 1
    assert cagr_a < 0 and cagr_r < 0
    assert a.figures["ratio"] == pytest.approx(cagr_a / cagr_r)
    assert a.figures["ratio"] == pytest.approx(0.7082, abs=5e-5)
    assert a.category is Category.MODERATE


def test_window_starting_beyond_the_target_reads_the_direction() -> None:
    # Higher is better, the window starts at 80 (already above the target 70) and falls to 65.
    a = short(pts((2015, 80), (2020, 65)), TARGET)
    assert a.figures["ratio"] < 0
    assert a.category is Category.DETERIORATING


def test_zero_and_sign_change_are_not_assessed() -> None:
    zero = short(pts((2015, 0), (2020, 5)), Spec(sign=1))
    assert zero.category is Category.INSUFFICIENT_DATA and "same sign" in zero.reason["en"]
    cross = short(pts((2015, -2), (2020, 3)), Spec(sign=1))
    assert cross.category is Category.INSUFFICIENT_DATA


def test_negative_values_use_magnitudes_with_direction_flipped() -> None:
    a = short(pts((2015, -10), (2020, -5)), Spec(sign=1))  # rising towards zero: better
    assert a.figures["adjusted_growth"] == pytest.approx(-(0.5**0.2 - 1))
    assert a.category is Category.ON_TRACK


def test_target_zero_requires_minus_100_percent() -> None:
    a = short(pts((2015, 40), (2020, 30)), Spec(sign=-1, target_value=0, target_year=2030, lower_bound=0))
    assert a.figures["required_growth"] == -1.0
    assert a.figures["ratio"] == pytest.approx(-(0.75**0.2 - 1))
    assert a.category is Category.LIMITED


def test_target_year_not_after_window_start() -> None:
    a = short(pts((2015, 50), (2020, 56)), Spec(sign=1, target_value=70, target_year=2015))
    assert a.category is Category.INSUFFICIENT_DATA and "2015" in a.reason["en"]


def test_thresholds_override() -> None:
    a = short(
        pts((2015, 50), (2020, 53)),
        Spec(sign=1, target_value=70, target_year=2030, thresholds={"high": 0.5, "med": 0.3}),
    )
    assert a.category is Category.ON_TRACK  # RR 0.5167 >= 0.5


def test_gaps_and_sub_annual_points() -> None:
    series = [
        Point(2015.25, 40, "2015-Q1"),
        Point(2015.75, 50, "2015-Q3"),
        Point(2018.5, 52, "2018-Q2"),
        Point(2020.0, 54, "2020-Q1"),
        Point(2020.75, 56, "2020-Q4"),
    ]
    a = short(series, TARGET)
    assert a.base == Point(2015.0, 50, "2015-Q3") and a.latest == Point(2020.0, 56, "2020-Q4")
    assert a.figures["ratio"] == pytest.approx(1.0106, abs=5e-5)


def test_ratio_from_the_window_ends_and_no_projection_of_its_own() -> None:
    a = short(pts((2015, 50), (2020, 56)), TARGET)
    assert a.projection is None  # the method compares paces; the drawn projection is assess.projection's
