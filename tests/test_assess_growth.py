"""Shared arithmetic: annual series, baseline, CAGR, ratios, band scores, reasons."""

from __future__ import annotations

import math

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.assess import growth
from tracker.assess.base import Category, Point, Spec
from tracker.assess.growth import (
    annual,
    band_score,
    cagr,
    first_from,
    fit_to_band,
    meets,
    prepare,
    ratio,
    same_sign,
    with_baseline,
)
from tracker.assess.text import REASONS, reason


def test_annual_keeps_latest_value_and_its_label() -> None:
    series = annual([Point(2016.875, 4, "2016-Q4"), Point(2016.125, 1, "2016-Q1"), Point(2015.0, 7, "")])
    assert series == [Point(2015.0, 7, "2015"), Point(2016.0, 4, "2016-Q4")]


_TIMES = st.one_of(
    st.integers(1990, 2030).map(float),  # whole years: what annual data gives, the shortcut's case
    st.integers(1990, 2030),  # an int time: annual() makes it a float
    st.floats(1990, 2030),
    st.sampled_from([math.inf, -math.inf, math.nan]),
)
_VALUES = st.one_of(st.floats(-1e6, 1e6), st.sampled_from([math.inf, math.nan]))
_POINTS = st.lists(st.builds(Point, _TIMES, _VALUES, st.sampled_from(["", "2015", "2015-Q4"])), max_size=12)


#: Series that are annual already but for one thing at random: the shortcut's edge.
_ALMOST_ANNUAL = st.lists(st.integers(1990, 2030), unique=True, max_size=8).flatmap(
    lambda years: st.lists(
        st.builds(
            Point,
            st.sampled_from([float, int]).map(lambda kind: kind(years[0])) if years else st.just(2015.0),
            _VALUES,
            st.sampled_from(["", "2015"]),
        ),
        max_size=1,
    ).map(
        lambda odd: sorted([*(Point(float(y), 1.5, str(y)) for y in years[1:]), *odd], key=lambda p: p.time)
    )
)


@given(st.one_of(_POINTS, _POINTS.map(lambda ps: sorted(ps, key=lambda p: float(p.time))), _ALMOST_ANNUAL))
def test_annual_shortcut_gives_what_the_plain_path_gives(points: list[Point]) -> None:
    """Points already one per whole year are given back as they are: byte for byte what building them gives."""
    real = growth._already_annual
    try:
        growth._already_annual = lambda _points: False  # the plain path
        plain = annual(points)
    finally:
        growth._already_annual = real
    assert orjson.dumps(annual(points)) == orjson.dumps(plain)


def test_annual_shortcut_is_taken_for_annual_data() -> None:
    points = [Point(2015.0, 1.0, "2015"), Point(2016.0, 2.0, "2016")]
    assert growth._already_annual(points) and all(a is b for a, b in zip(annual(points), points, strict=True))
    assert not growth._already_annual([Point(2015.0, 1.0, "2015"), Point(2015.0, 2.0, "2015")])


def test_declared_baseline_wins_and_fills_gaps() -> None:
    series = [Point(2015.0, 50, "2015"), Point(2020.0, 56, "2020")]
    assert with_baseline(series, Spec(sign=1, baseline_year=2015, baseline_value=49))[0] == Point(
        2015.0, 49, "2015"
    )
    filled = with_baseline(series, Spec(sign=1, baseline_year=2013, baseline_value=45))
    assert [p.time for p in filled] == [2013, 2015, 2020]
    assert with_baseline(series, Spec(sign=1, baseline_year=2013)) == series
    assert prepare([], Spec(sign=1, baseline_year=2013, baseline_value=45)) == [Point(2013.0, 45, "2013")]


def test_first_from_and_meets() -> None:
    series = [Point(2014.0, 1), Point(2016.0, 2)]
    assert first_from(series, 2015) == Point(2016.0, 2) and first_from(series, 2017) is None
    assert meets(70, Spec(sign=1, target_value=70)) and not meets(69.9, Spec(sign=1, target_value=70))
    assert meets(5, Spec(sign=-1, target_value=5)) and not meets(5, Spec(sign=1))


def test_cagr_cases() -> None:
    assert cagr(50, 56, 2015, 2020) == pytest.approx(0.0229, abs=5e-5)
    assert cagr(-10, -5, 2015, 2020) == pytest.approx(0.5**0.2 - 1)
    assert cagr(40, 0, 2015, 2030) == -1.0
    assert cagr(0, 5, 2015, 2020) is None
    assert cagr(10, -5, 2015, 2020) is None
    assert cagr(10, 12, 2020, 2020) is None
    assert same_sign(-1, -2) and same_sign(1, 2) and not same_sign(0, 1) and not same_sign(-1, 1)


def test_ratio_limits() -> None:
    assert ratio(1, -2) == 0.5
    assert ratio(-1, 0) == -math.inf and ratio(1, 0) == math.inf and math.isnan(ratio(0, 0))


def test_band_score_knots_and_clamp() -> None:
    knots = (-0.02, 0.0, 0.005, 0.015, 0.02)  # Open SDG's no-target lines
    for g in (-0.03, -0.01, 0.0, 0.003, 0.01, 0.0175, 0.05):
        expected = (
            max(125 * g - 2.5, -5)
            if g < 0
            else 500 * g - 2.5
            if g < 0.005
            else 250 * g - 1.25
            if g < 0.015
            else min(500 * g - 5, 5)
        )
        assert band_score(g, knots) == pytest.approx(expected)
    assert band_score(math.inf, knots) == 5 and band_score(-math.inf, knots) == -5
    with pytest.raises(ValueError):
        band_score(math.nan, knots)


def test_fit_to_band() -> None:
    assert fit_to_band(2.5, Category.MODERATE) < 2.5
    assert fit_to_band(0.0, Category.LIMITED) < 0
    assert fit_to_band(2.5, Category.ON_TRACK) == 2.5
    assert fit_to_band(1.0, Category.MODERATE) == 1.0
    assert fit_to_band(-6, Category.DETERIORATING) == -5


def test_every_reason_in_each_language() -> None:
    for key in REASONS:
        values = dict.fromkeys(
            ("period", "year", "latest", "window_name", "need", "length", "span", "first"), 1
        )
        values |= dict.fromkeys(
            ("last", "base", "base_year", "latest_year", "target", "target_year", "count"), 1
        )
        values |= dict.fromkeys(("status", "assessed", "years", "periods", "when", "share"), 1)
        texts = reason(key, **values)
        assert list(texts) == ["en", "it", "fr"], key
        assert "%(" not in "".join(texts.values()), key  # every placeholder filled, in each language
    text = reason("one_value", period="2020")
    assert text == {
        "en": "Needs at least two values at least one year apart; there is only one (2020).",
        "it": "Servono almeno due valori a distanza di almeno un anno; ce n'è uno solo (2020).",
        "fr": "Il faut au moins deux valeurs espacées d’au moins un an, or il n’y en a qu’une (2020).",
    }
    assert reason("no_base", year=2015.0, latest=2014.0)["en"].startswith(
        "No value in or after the base year 2015;"
    )
