"""Linear (SDSN / Destatis) method: methodology.md 1.5 and 1.7 examples, percentages, zero crossing."""

from __future__ import annotations

import pytest

from tests.conftest import only, pts
from tracker.assess import linear
from tracker.assess.base import Category, Spec

TARGET = Spec(sign=1, target_value=70, target_year=2030)


one = only(linear.assess, "linear")


def test_e1_moderately_improving() -> None:
    a = one(pts((2015, 50), (2020, 56)), TARGET)
    assert a.figures["actual_change"] == pytest.approx(1.2)
    assert a.figures["required_change"] == pytest.approx(4 / 3)
    assert a.figures["ratio"] == pytest.approx(0.9)
    assert a.figures["projected_value"] == pytest.approx(68.0)
    assert a.category is Category.MODERATE and a.label["en"] == "Moderately improving"


def test_e2_stagnating_e4_decreasing() -> None:
    e2 = one(pts((2015, 50), (2020, 53)), TARGET)
    assert e2.figures["ratio"] == pytest.approx(0.45) and e2.label["en"] == "Stagnating"
    e4 = one(pts((2015, 50), (2020, 48)), TARGET)
    assert e4.category is Category.DETERIORATING and e4.label["en"] == "Decreasing"


def test_destatis_example() -> None:
    a = one(pts((2015, 50), (2016, 51), (2017, 52.5), (2018, 53), (2019, 54.5), (2020, 56)), TARGET)
    assert a.figures["actual_change"] == pytest.approx(1.2)
    assert a.figures["projected_value"] == pytest.approx(68.0)
    assert a.figures["shortfall"] == pytest.approx(2 / 14)  # 14.3 %: "sun/cloud" in Destatis' terms


def test_boundaries() -> None:
    assert linear.classify_ratio(1.0) is Category.ON_TRACK
    assert linear.classify_ratio(0.5) is Category.LIMITED  # SDSN: "> 50 %"
    assert linear.classify_ratio(0.5001) is Category.MODERATE
    assert linear.classify_ratio(0.0) is Category.LIMITED
    assert linear.classify_ratio(-0.0001) is Category.DETERIORATING
    half = one(pts((2015, 50), (2020, 52.5)), Spec(sign=1, target_value=65, target_year=2030))
    assert half.figures["ratio"] == 0.5  # 0.5 a year done, 1.0 a year needed
    assert half.category is Category.LIMITED and half.score < 0


def test_series_crossing_zero() -> None:
    a = one(pts((2015, -2), (2020, 3)), Spec(sign=1, target_value=10, target_year=2030))
    assert a.figures["actual_change"] == pytest.approx(1.0)
    assert a.figures["ratio"] == pytest.approx(1.0 / 0.8)
    assert a.category is Category.ON_TRACK


def test_lower_is_better_to_zero_target() -> None:
    a = one(pts((2015, 40), (2020, 30)), Spec(sign=-1, target_value=0, target_year=2030, lower_bound=0))
    assert a.figures["ratio"] == pytest.approx(2 / (40 / 15))
    assert a.category is Category.MODERATE
    assert a.figures["projected_value"] == pytest.approx(10)  # 30 − 2 a year for 10 years, Destatis-style


def test_percentage_near_100_projection_capped() -> None:
    spec = Spec(sign=1, target_value=100, target_year=2030, lower_bound=0, upper_bound=100, natural_limit=100)
    a = one(pts((2015, 90), (2020, 96)), spec)
    assert a.figures["projected_value"] == 100


def test_no_target_relative_change_and_natural_limit() -> None:
    plain = one(pts((2015, 95), (2020, 96.5)), Spec(sign=1))
    assert plain.figures["relative_change"] == pytest.approx(0.3 / 95)
    assert plain.category is Category.MODERATE
    near = one(pts((2015, 95), (2020, 96.5)), Spec(sign=1, natural_limit=100))
    assert near.figures["c_factor"] == pytest.approx(0.2037, abs=5e-5)
    assert near.category is Category.ON_TRACK and near.label["en"] == "Improving"


def test_no_target_at_limit_holding() -> None:
    a = one(pts((2015, 100), (2020, 100)), Spec(sign=1, natural_limit=100))
    assert a.category is Category.ON_TRACK and a.score == 5


def test_no_target_zero_base_not_assessed() -> None:
    a = one(pts((2015, 0), (2020, 3)), Spec(sign=1))
    assert a.category is Category.INSUFFICIENT_DATA and "0" in a.reason["en"]


def test_no_change_without_target_is_stagnating() -> None:
    a = one(pts((2015, 50), (2020, 50)), Spec(sign=1))
    assert a.category is Category.LIMITED and a.score < 0


def test_achieved_single_and_gaps() -> None:
    assert one(pts((2021, 72)), TARGET).category is Category.ACHIEVED
    single = one(pts((2021, 60)), TARGET)
    assert single.category is Category.INSUFFICIENT_DATA and single.score is None
    gap = one(pts((2013, 40), (2017, 50), (2021, 58)), TARGET)
    assert gap.base.time == 2017 and gap.figures["actual_change"] == pytest.approx(2.0)


def test_target_behind_base_reads_direction() -> None:
    a = one(pts((2015, 80), (2020, 65)), TARGET)
    assert a.figures["ratio"] < 0 and a.category is Category.DETERIORATING
