"""UN ESCAP current status and anticipated progress: methodology.md 1.3 examples and edge cases."""

from __future__ import annotations

import pytest

from tests.conftest import only, pts
from tracker.assess import escap
from tracker.assess.base import Category, Spec

TARGET = Spec(sign=1, target_value=70, target_year=2030)


one = only(escap.assess, "escap")


def test_e1_maintain() -> None:
    a = one(pts((2015, 50), (2020, 56)), TARGET)
    assert a.figures["current_status"] == pytest.approx(0.30)
    assert a.figures["expected_share"] == pytest.approx(1 / 3)
    assert a.figures["status_ratio"] == pytest.approx(0.9)
    assert a.figures["projected_value"] == pytest.approx(70.25, abs=0.005)
    assert a.figures["gap_ratio"] == pytest.approx(-0.012, abs=5e-4)
    assert a.category is Category.ON_TRACK
    assert a.label == {
        "en": "Maintain progress to achieve target",
        "it": "Mantenere il ritmo per raggiungere l'obiettivo",
        "fr": "Maintenir les progrès pour atteindre l’objectif",
    }


def test_e2_accelerate() -> None:
    a = one(pts((2015, 50), (2020, 53)), TARGET)
    assert a.figures["projected_value"] == pytest.approx(59.55, abs=0.005)
    assert a.figures["gap_ratio"] == pytest.approx(0.522, abs=5e-4)
    assert a.label["en"] == "Accelerate progress to achieve target"
    assert a.category is Category.LIMITED  # G > 0.5: less than half the required progress anticipated


def test_accelerate_with_more_than_half_is_moderate() -> None:
    a = one(pts((2015, 50), (2020, 55)), TARGET)
    assert 0 < a.figures["gap_ratio"] <= 0.5
    assert a.category is Category.MODERATE and a.label["en"].startswith("Accelerate")


def test_e4_reverse() -> None:
    a = one(pts((2015, 50), (2020, 48)), TARGET)
    assert a.figures["current_status"] == pytest.approx(-0.1)
    assert a.figures["projected_value"] == pytest.approx(44.24, abs=0.005)
    assert a.figures["gap_ratio"] == pytest.approx(1.288, abs=5e-4)
    assert a.category is Category.DETERIORATING and a.label["en"] == "Reverse trend to achieve target"


@pytest.mark.parametrize(
    ("share", "category", "key"),
    [
        (1.0, Category.ON_TRACK, "maintain"),
        (0.999, Category.MODERATE, "accelerate"),
        (0.5, Category.MODERATE, "accelerate"),
        (0.499, Category.LIMITED, "accelerate"),
        (0.0, Category.LIMITED, "accelerate"),
        (-0.001, Category.DETERIORATING, "reverse"),
    ],
)
def test_class_boundaries(share: float, category: Category, key: str) -> None:
    # share = 1 - G: G <= 0 maintain, 0 < G <= 1 accelerate, G > 1 reverse.
    assert escap.classify(share) == (category, key)


def test_lower_is_better() -> None:
    a = one(pts((2015, 100), (2020, 90)), Spec(sign=-1, target_value=50, target_year=2030))
    assert a.figures["current_status"] == pytest.approx(0.2)
    expected = 90 * 0.9**2
    assert a.figures["projected_value"] == pytest.approx(expected)
    assert a.figures["gap_ratio"] == pytest.approx((50 - expected) / (50 - 100))


def test_needs_a_target() -> None:
    a = one(pts((2015, 50), (2020, 56)), Spec(sign=1))
    assert a.category is Category.INSUFFICIENT_DATA and a.score is None
    assert "numeric target" in a.reason["en"] and a.reason["it"]


def test_achieved_and_single_value() -> None:
    assert one(pts((2020, 75)), TARGET).category is Category.ACHIEVED
    single = one(pts((2020, 55)), TARGET)
    assert single.category is Category.INSUFFICIENT_DATA and "only one" in single.reason["en"]


def test_series_crossing_zero_projects_linearly() -> None:
    a = one(pts((2015, -4), (2020, 1)), Spec(sign=1, target_value=10, target_year=2030))
    assert "actual_change" in a.figures and "actual_growth" not in a.figures  # linear: signs differ
    assert a.figures["projected_value"] == pytest.approx(11)
    assert a.category is Category.ON_TRACK


def test_percentage_projection_capped() -> None:
    spec = Spec(sign=1, target_value=100, target_year=2030, lower_bound=0, upper_bound=100, natural_limit=100)
    a = one(pts((2015, 60), (2020, 80)), spec)
    assert a.figures["projected_value"] == 100 and a.figures["gap_ratio"] == pytest.approx(0)


def test_base_year_without_data() -> None:
    a = one(pts((2013, 40), (2016, 50), (2020, 56)), TARGET)
    assert a.base.time == 2016
    assert a.figures["expected_share"] == pytest.approx(4 / 14)


def test_negative_values_work_on_magnitudes() -> None:
    a = one(pts((2015, -10), (2020, -5)), Spec(sign=1, target_value=-2, target_year=2030))
    assert "actual_growth" in a.figures  # geometric on the magnitudes
    assert a.figures["current_status"] == pytest.approx(5 / 8)
    assert a.figures["gap_ratio"] == pytest.approx(1 - (-5 * 0.5**2 + 10) / 8)
    assert a.category is Category.ON_TRACK
