"""Open SDG (Statistics Canada) progress measure, checked against sdg-build's ProgressMeasure.py behaviour.

sdg-build's own ``tests/ProgressMeasure_test.py`` (as stored) is a script over two fixtures, without asserted
values: ``assets/progress-calculation/data/indicator_1-1-1.csv`` (no options, so the code's defaults: direction
negative, no target, base 2015) and ``indicator_3-3-3.csv`` (``direction: negative, target: 0``), plus the first,
Eurostat-style thresholds ``{'high': 0.01, 'med': 0, 'low': -0.01}``. Those fixtures are reproduced below with
the values the current ``SeriesProgress`` computes, written out by hand from its formulas; the other cases
come from open-sdg's docs/progress-methodology.md and methodology.md 1.2.
"""

from __future__ import annotations

import math

import pytest

from tests.conftest import only, pts
from tracker.assess import opensdg
from tracker.assess.base import Category, IndicatorResult, Point, Spec
from tracker.assess.rollup import summarize

one = only(opensdg.assess, "opensdg")


# --- sdg-build fixtures -------------------------------------------------------------------------------------


def test_fixture_1_1_1_headline_default_direction_negative() -> None:
    # Year,SEX,Value: 2020,,100 / 2021,,120; no options → direction negative, no target, base 2015 → 2020.
    a = one(pts((2020, 100), (2021, 120)), Spec(sign=-1))
    assert a.base.time == 2020
    assert a.figures["progress_value"] == pytest.approx(-0.2)  # 1 · -1 · (120/100 - 1)
    assert a.category is Category.DETERIORATING and a.label["en"] == "Deterioration"
    assert a.score == -5  # max(125 · -0.2 - 2.5, -5)


@pytest.mark.parametrize(("values", "expected"), [((50, 60), -0.2), ((70, 80), -(80 / 70 - 1))])
def test_fixture_1_1_1_disaggregations(values: tuple[float, float], expected: float) -> None:
    a = one(pts((2020, values[0]), (2021, values[1])), Spec(sign=-1))
    assert a.figures["progress_value"] == pytest.approx(expected)
    assert a.score == pytest.approx(max(125 * expected - 2.5, -5))


THREE = {  # indicator_3-3-3.csv, 2010-2019
    "": [1.51, 1.51, 1.38, 1.4, 1.27, 1.55, 1.69, 1.65, 1.62, 1.82],
    "Male": [2.09, 2.03, 1.91, 1.87, 1.67, 1.94, 2.07, 2.08, 2.07, 2.35],
    "Female": [0.93, 0.96, 0.86, 0.93, 0.86, 1.16, 1.32, 1.22, 1.15, 1.28],
}


@pytest.mark.parametrize("series", list(THREE))
def test_fixture_3_3_3_target_zero_direction_negative(series: str) -> None:
    values = THREE[series]
    a = one(
        pts(*zip(range(2010, 2020), values, strict=True)), Spec(sign=-1, target_value=0, target_year=2030)
    )
    base, current = values[5], values[9]  # 2015 is in the data; 2019 is the latest
    cagr_o = (current / base) ** (1 / 4) - 1
    cagr_r = (0.001 / base) ** (1 / 15) - 1  # target 0 → 0.001
    r = 1 * -1 * cagr_o / abs(cagr_r)
    assert a.base.time == 2015 and a.latest.time == 2019
    assert a.figures["required_growth"] == pytest.approx(cagr_r)
    assert a.figures["progress_value"] == pytest.approx(r)
    assert a.category is Category.DETERIORATING
    assert a.score == pytest.approx(max(4.1667 * r - 2.5, -5))


def test_first_eurostat_style_thresholds_as_user_thresholds() -> None:
    # The test script's method-1 thresholds {'high': 0.01, 'med': 0, 'low': -0.01} given as configuration.
    spec = Spec(sign=1, thresholds={"high": 0.01, "med": 0.0, "low": -0.01})
    a = one(pts((2015, 100), (2020, 100 * 1.012**5)), spec)
    assert a.figures["progress_value"] == pytest.approx(0.012)
    assert a.category is Category.ON_TRACK
    b = one(pts((2015, 100), (2020, 100 * 0.995**5)), spec)
    assert b.category is Category.LIMITED  # -0.01 <= -0.005 < 0


# --- methodology examples -----------------------------------------------------------------------------------


def test_e1_ratio_and_score() -> None:
    a = one(pts((2015, 50), (2020, 56)), Spec(sign=1, target_value=70, target_year=2030))
    assert a.figures["ratio"] == pytest.approx(1.0106, abs=5e-5)
    assert a.score == pytest.approx(2.9326, abs=1e-4)
    assert a.category is Category.ON_TRACK
    assert a.label == {"en": "On track", "it": "In linea con l'obiettivo", "fr": "En bonne voie"}


@pytest.mark.parametrize(
    ("g", "score", "category"),
    [
        (0.02, 5.0, Category.ON_TRACK),
        (0.01, 1.25, Category.MODERATE),
        (0.003, -1.0, Category.LIMITED),
        (-0.01, -3.75, Category.DETERIORATING),
    ],
)
def test_no_target_scores(g: float, score: float, category: Category) -> None:
    a = one(pts((2015, 100), (2020, 100 * (1 + g) ** 5)), Spec(sign=1))
    assert a.figures["progress_value"] == pytest.approx(g)
    assert a.score == pytest.approx(score)
    assert a.category is category


def test_natural_limit_factor_base_95_limit_100() -> None:
    assert opensdg.coefficient(95, 100) == pytest.approx(0.2037, abs=5e-5)
    a = one(pts((2015, 95), (2020, 96)), Spec(sign=1, natural_limit=100))
    assert a.figures["c_factor"] == pytest.approx(0.2037, abs=5e-5)
    assert a.figures["threshold_high"] == pytest.approx(0.00306, abs=5e-6)
    assert a.figures["threshold_med"] == pytest.approx(0.00102, abs=5e-6)
    g = (96 / 95) ** (1 / 5) - 1  # 0.21 %: limited without the limit, moderate with it
    assert a.category is Category.MODERATE
    assert a.score == pytest.approx(250 * g / a.figures["c_factor"] - 1.25)
    assert one(pts((2015, 95), (2020, 96)), Spec(sign=1)).category is Category.LIMITED


def test_coefficient_cases() -> None:
    assert opensdg.coefficient(0, 0) == 1  # both zero: the 2·limit test comes first
    assert opensdg.coefficient(5, 0) == 1
    assert opensdg.coefficient(250, 100) == 1
    assert opensdg.coefficient(101, 100) == pytest.approx(1 - 0.99**4.44)  # beyond a maximum limit
    assert opensdg.coefficient(-95, -100) == pytest.approx(opensdg.coefficient(95, 100))


def test_base_at_the_limit_holding_scores_five() -> None:
    a = one(pts((2015, 100), (2020, 100)), Spec(sign=1, natural_limit=100))
    assert a.figures["c_factor"] == 0
    assert a.category is Category.ON_TRACK and a.score == 5
    b = one(pts((2015, 100), (2020, 99)), Spec(sign=1, natural_limit=100))
    g = 0.99**0.2 - 1
    assert b.category is Category.DETERIORATING and b.score == pytest.approx(125 * g - 2.5)


def test_limit_is_ignored_with_a_target() -> None:
    a = one(pts((2015, 95), (2020, 96)), Spec(sign=1, target_value=99, target_year=2030, natural_limit=100))
    assert a.figures["c_factor"] is None and a.figures["threshold_high"] == 0.95


# --- edge rules of the code ---------------------------------------------------------------------------------


def test_base_year_without_data_takes_next_available_and_ignores_earlier_years() -> None:
    a = one(pts((2012, 10), (2014, 11), (2016, 20), (2019, 25)), Spec(sign=1))
    assert a.base.time == 2016
    assert a.figures["actual_growth"] == pytest.approx((25 / 20) ** (1 / 3) - 1)


def test_configured_base_year_and_declared_baseline() -> None:
    a = one(pts((2012, 10), (2016, 20), (2019, 25)), Spec(sign=1, base_year=2010))
    assert a.base.time == 2012
    b = one(pts((2016, 20), (2019, 25)), Spec(sign=1, baseline_year=2013, baseline_value=15))
    assert b.base == Point(2013.0, 15, "2013")


def test_no_data_from_the_base_year() -> None:
    a = one(pts((2012, 10), (2014, 11)), Spec(sign=1))
    assert a.category is Category.INSUFFICIENT_DATA and a.score is None
    assert a.label["en"] == "Unable to assess" and "2015" in a.reason["en"]


def test_single_value_not_assessed_unless_target_achieved() -> None:
    a = one(pts((2020, 50)), Spec(sign=1, target_value=70, target_year=2030))
    assert a.category is Category.INSUFFICIENT_DATA and a.score is None and a.reason
    b = one(pts((2020, 75)), Spec(sign=1, target_value=70, target_year=2030))
    assert b.category is Category.ACHIEVED and b.score == 5 and b.label["en"] == "Target achieved"


def test_target_achieved_regardless_of_trend() -> None:
    a = one(pts((2015, 10), (2020, 4)), Spec(sign=-1, target_value=5, target_year=2030))
    assert a.category is Category.ACHIEVED and a.score == 5
    b = one(pts((2015, 90), (2020, 80)), Spec(sign=1, target_value=75, target_year=2030))  # worsening but met
    assert b.category is Category.ACHIEVED


def test_zero_target_counts_as_0_001_when_checking_achievement() -> None:
    a = one(pts((2015, 3), (2020, 0)), Spec(sign=-1, target_value=0, target_year=2030))
    assert a.category is Category.ACHIEVED


def test_zero_base_replaced_by_0_001() -> None:
    a = one(pts((2015, 0), (2020, 5)), Spec(sign=1))
    assert a.figures["actual_growth"] == pytest.approx((5 / 0.001) ** 0.2 - 1)
    assert a.category is Category.ON_TRACK and a.score == 5


def test_negative_values_flip_sign() -> None:
    a = one(pts((2015, -10), (2020, -5)), Spec(sign=1))
    assert a.figures["sign"] == -1
    assert a.figures["progress_value"] == pytest.approx(-(0.5**0.2 - 1))
    assert a.category is Category.ON_TRACK


def test_opposite_signs_not_assessed() -> None:
    a = one(pts((2015, -10), (2020, 5)), Spec(sign=1))
    assert a.category is Category.INSUFFICIENT_DATA and a.score is None and "same sign" in a.reason["en"]


def test_target_equal_to_base_gives_infinite_ratio() -> None:
    a = one(pts((2015, 50), (2020, 48)), Spec(sign=1, target_value=50, target_year=2030))
    assert a.figures["ratio"] is None  # -inf is not stored
    assert a.category is Category.DETERIORATING and a.score == -5


def test_target_of_opposite_sign_gives_nan_and_no_score() -> None:
    a = one(pts((2015, 10), (2020, 8)), Spec(sign=-1, target_value=-5, target_year=2030))
    assert a.category is Category.INSUFFICIENT_DATA and a.score is None and a.reason


def test_default_target_year_2030() -> None:
    a = one(pts((2015, 50), (2020, 56)), Spec(sign=1, target_value=70))
    assert a.figures["target_year"] == 2030 and a.figures["ratio"] == pytest.approx(1.0106, abs=5e-5)


def test_quantitative_score_line_switches_at_user_med() -> None:
    limits = opensdg.thresholds(70, {"med": 0.5}, 50, None)
    assert opensdg.status(0.55, limits) == "moderate_progress"
    assert opensdg.score(0.55, limits, True, False) == pytest.approx(7.1429 * 0.55 - 4.2857)
    assert opensdg.quantitative_score(1.3) == pytest.approx(5, abs=1e-3)
    assert opensdg.quantitative_score(-0.6) == pytest.approx(-5, abs=1e-3)
    assert opensdg.quantitative_score(-2) == -5


def test_status_boundaries() -> None:
    limits = {"high": 0.95, "med": 0.6, "low": 0.0}
    assert opensdg.status(0.95, limits) == "substantial_progress"
    assert opensdg.status(0.6, limits) == "moderate_progress"
    assert opensdg.status(0.0, limits) == "limited_progress"
    assert opensdg.status(-1e-9, limits) == "deterioration"
    assert opensdg.status(math.nan, limits) == "not_available"
    assert opensdg.status(None, limits, target_achieved=True) == "target_achieved"


def test_growth_negative_ratio_is_nan_for_fractional_power() -> None:
    assert math.isnan(opensdg.growth(-1, 2, 2030, 2015))
    assert opensdg.growth(-1, 2, 2016, 2015) == pytest.approx(-1.5)  # integer power, as numpy


def test_status_from_score_and_indicator_aggregation() -> None:
    assert opensdg.status_from_score(2.5) == "substantial_progress"
    assert opensdg.status_from_score(0) == "moderate_progress"
    assert opensdg.status_from_score(-2.5) == "limited_progress"
    assert opensdg.status_from_score(-2.6) == "deterioration"
    assert opensdg.status_from_score(None) == "not_available"
    # The 1-1-1 fixture's three series, averaged as get_indicator_progress does:
    scores = [
        one(pts((2020, a), (2021, b)), Spec(sign=-1)).score for a, b in ((100, 120), (50, 60), (70, 80))
    ]
    mean = sum(scores) / 3
    assert opensdg.status_from_score(mean) == "deterioration"
    results = [
        IndicatorResult(str(i), one(pts((2020, a), (2021, b)), Spec(sign=-1)))
        for i, (a, b) in enumerate(((100, 120), (50, 60), (70, 80)))
    ]
    assert summarize("x", results, 3).mean_score == pytest.approx(mean)
