"""UNSD Progress Chart ratio: methodology.md 1.4 examples, cut-offs, Basque exceptions and edge cases."""

from __future__ import annotations

import pytest

from tests.conftest import only, pts
from tracker.assess import unsd
from tracker.assess.base import Category, Spec

TARGET = Spec(sign=1, target_value=70, target_year=2030)


one = only(unsd.assess, "unsd")


def test_e1_on_track() -> None:
    a = one(pts((2015, 50), (2020, 56)), TARGET)
    assert a.figures["projected_value"] == pytest.approx(70.2464, abs=1e-4)
    assert a.figures["ratio"] == pytest.approx(1.0123, abs=5e-5)
    assert a.category is Category.ON_TRACK and a.label["en"] == "On track or target met"


def test_e2_marginal() -> None:
    a = one(pts((2015, 50), (2020, 53)), TARGET)
    assert a.figures["ratio"] == pytest.approx(0.4775, abs=5e-5)
    assert a.category is Category.LIMITED and a.label["en"] == "Marginal progress"


@pytest.mark.parametrize(
    ("p", "category", "key"),
    [
        (0.95, Category.ON_TRACK, "on_track"),
        (0.9499, Category.MODERATE, "moderate"),
        (0.5, Category.MODERATE, "moderate"),
        (0.4999, Category.LIMITED, "marginal"),
        (0.1, Category.LIMITED, "marginal"),
        (0.0999, Category.LIMITED, "stagnation"),
        (-0.1, Category.LIMITED, "stagnation"),
        (-0.1001, Category.DETERIORATING, "regression"),
    ],
)
def test_cut_offs_lower_inclusive(p: float, category: Category, key: str) -> None:
    assert unsd.classify_ratio(p) == (category, key)


def test_stagnation_and_regression_from_data() -> None:
    flat = one(pts((2015, 50), (2020, 50.2)), TARGET)
    assert flat.label["en"] == "Stagnation" and flat.category is Category.LIMITED
    down = one(pts((2015, 50), (2020, 48)), TARGET)  # E4: P = -0.2882
    assert down.figures["ratio"] == pytest.approx(-0.2882, abs=5e-5)
    assert down.label["en"] == "Regression" and down.category is Category.DETERIORATING
    assert down.score < -2.5


def test_scores_follow_bands() -> None:
    assert one(pts((2015, 50), (2020, 56)), TARGET).score >= 2.5
    e2 = one(pts((2015, 50), (2020, 53)), TARGET).score
    assert -2.5 <= e2 < 0


def test_latest_meets_target_is_achieved() -> None:
    a = one(pts((2015, 50), (2020, 71)), TARGET)
    assert a.category is Category.ACHIEVED and a.score == 5 and a.label["en"] == "On track or target met"


def test_percentage_within_one_point_of_100_is_achieved() -> None:
    spec = Spec(sign=1, target_value=100, target_year=2030, lower_bound=0, upper_bound=100, natural_limit=100)
    assert one(pts((2015, 95), (2020, 99.2)), spec).category is Category.ACHIEVED
    assert one(pts((2015, 95), (2020, 98.8)), spec).category is not Category.ACHIEVED
    zero = Spec(sign=-1, target_value=0, target_year=2030, lower_bound=0, upper_bound=100, natural_limit=0)
    assert one(pts((2015, 5), (2020, 0.9)), zero).category is Category.ACHIEVED


def test_projection_capped_at_100() -> None:
    spec = Spec(sign=1, target_value=100, target_year=2030, lower_bound=0, upper_bound=100, natural_limit=100)
    a = one(pts((2015, 60), (2020, 80)), spec)
    assert a.figures["projected_value"] == 100
    assert a.figures["ratio"] == pytest.approx(1.0)


def test_lower_is_better() -> None:
    a = one(pts((2015, 100), (2020, 80)), Spec(sign=-1, target_value=50, target_year=2030))
    expected = 80 * (0.8**0.2) ** 10
    assert a.figures["projected_value"] == pytest.approx(expected)
    assert a.figures["ratio"] == pytest.approx((100 - expected) / 50)
    assert a.category is Category.ON_TRACK


def test_base_beyond_target_reads_direction() -> None:
    a = one(pts((2015, 80), (2020, 65)), TARGET)  # started above 70, fell below it
    assert a.figures["ratio"] < 0 and a.category is Category.DETERIORATING


def test_target_year_passed_uses_latest_value() -> None:
    a = one(pts((2015, 50), (2022, 60)), Spec(sign=1, target_value=70, target_year=2020))
    assert a.figures["projected_value"] == 60 and a.figures["ratio"] == pytest.approx(0.5)


def test_without_target_basque_growth_classes() -> None:
    def at(g: float, sign: int = 1):
        return one(pts((2015, 100), (2020, 100 * (1 + g) ** 5)), Spec(sign=sign))

    assert at(0.02).category is Category.ON_TRACK
    assert at(0.01).label["en"] == "Reasonable progress, acceleration needed"
    assert at(0.002).category is Category.LIMITED and at(0.002).label["en"] == "Stagnation or regression"
    assert at(-0.01).category is Category.DETERIORATING
    assert at(0.03, sign=-1).category is Category.DETERIORATING


def test_insufficient_cases() -> None:
    assert one(pts((2020, 50)), TARGET).category is Category.INSUFFICIENT_DATA
    no_base = one(pts((2012, 50), (2014, 52)), TARGET)
    assert no_base.category is Category.INSUFFICIENT_DATA and "2015" in no_base.reason["en"]
    only_latest = one(pts((2013, 50), (2020, 52)), TARGET)
    assert only_latest.category is Category.INSUFFICIENT_DATA and only_latest.reason["it"]
    zero = one(pts((2015, 0), (2020, 3)), TARGET)
    assert zero.category is Category.INSUFFICIENT_DATA and zero.score is None


def test_thresholds_override() -> None:
    a = one(
        pts((2015, 50), (2020, 53)), Spec(sign=1, target_value=70, target_year=2030, thresholds={"med": 0.4})
    )
    assert a.category is Category.MODERATE


def test_negative_values_work_on_magnitudes() -> None:
    # Higher is better, -10 → -5 in five years, target -2: the magnitude shrinks 12.9 % a year.
    a = one(pts((2015, -10), (2020, -5)), Spec(sign=1, target_value=-2, target_year=2030))
    expected = -5 * (0.5**0.2) ** 10
    assert a.figures["projected_value"] == pytest.approx(expected)
    assert a.figures["ratio"] == pytest.approx((expected + 10) / 8)
    assert a.category is Category.ON_TRACK
