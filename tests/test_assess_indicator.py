"""Registry defaults, Spec from a definition and config, and assess_indicator (series, sub-annual, windows)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.assess import assess_indicator, assessed, registry
from tracker.assess.base import Category, Point
from tracker.assess.growth import annual
from tracker.catalog import Indicator
from tracker.config import AssessmentSettings, MethodThresholds
from tracker.observations import Observation


def indicator(**over: Any) -> Indicator:
    data: dict[str, Any] = {
        "id": "bike-trips",
        "objective": "mobility",
        "name": {"it": "Viaggi", "en": "Trips"},
        "definition": {"it": "d", "en": "d"},
        "unit": {"kind": "count", "label": {"it": "n", "en": "n"}},
        "direction": "increase",
        "source": {"name": "S", "url": "https://example.org/s"},
    }
    data.update(over)
    return Indicator.model_validate(data)


def target(value: float, year: int = 2030) -> dict[str, Any]:
    return {"value": value, "year": year, "basis": "proposal", "reference": {"it": "r", "en": "r"}}


PERCENT = {"kind": "percent", "label": {"it": "%", "en": "%"}}


def obs(period: str, time: float, value: float, series: str = "") -> Observation:
    return Observation("bike-trips", period, time, value, series=series)


# --- registry ------------------------------------------------------------------------------------------------


def test_default_method_by_unit() -> None:
    assert registry.default_method(indicator()) == "eurostat"
    assert registry.default_method(indicator(unit=PERCENT)) == "linear"
    assert registry.default_method(indicator(direction="decrease", target=target(0))) == "linear"
    assert registry.default_method(indicator(direction="decrease", target=target(10))) == "eurostat"
    index = {"kind": "index", "label": {"it": "i", "en": "i"}}
    assert registry.default_method(indicator(unit=index)) == "linear"
    assert registry.default_method(indicator(unit={**index, "min": 0})) == "eurostat"


def test_method_choice_order_and_unknown_name() -> None:
    config = AssessmentSettings(default_method="unsd")
    assert registry.method_for(indicator(), AssessmentSettings()) == "eurostat"
    assert registry.method_for(indicator(), config) == "unsd"
    assert registry.method_for(indicator(method="escap"), config) == "escap"
    with pytest.raises(ValueError, match="unknown progress method 'cagr'.*eurostat"):
        registry.method_for(indicator(method="cagr"), config)
    assert set(registry.METHODS) == {"eurostat", "opensdg", "unsd", "escap", "linear"}


def test_spec_for_percent_increasing() -> None:
    config = AssessmentSettings(base_year=2016, thresholds={"linear": MethodThresholds(high=0.9)})
    spec = registry.spec_for(
        indicator(unit=PERCENT, target=target(70), baseline={"year": 2014, "value": 40}), config
    )
    assert spec.sign == 1 and spec.target_value == 70 and spec.target_year == 2030
    assert spec.natural_limit == 100 and (spec.lower_bound, spec.upper_bound) == (0, 100)
    assert spec.baseline_year == 2014 and spec.baseline_value == 40 and spec.base_year == 2016
    assert spec.thresholds == {"high": 0.9}


def test_spec_for_limits_by_direction_and_unit() -> None:
    config = AssessmentSettings()
    assert registry.spec_for(indicator(unit=PERCENT, direction="decrease"), config).natural_limit == 0
    assert registry.spec_for(indicator(unit={**PERCENT, "max": 50}), config).natural_limit == 50
    count = registry.spec_for(indicator(), config)
    assert count.natural_limit is None and count.upper_bound is None and count.lower_bound == 0
    assert registry.spec_for(indicator(direction="decrease"), config).natural_limit == 0
    assert registry.spec_for(indicator(natural_limit=90, unit=PERCENT), config).natural_limit == 90
    assert registry.spec_for(indicator(), config, "unsd").thresholds == {}


# --- assess_indicator ----------------------------------------------------------------------------------------


def test_eurostat_headline_is_short_window_and_long_is_other() -> None:
    observations = [obs(str(y), y, 50 + (y - 2005) * 2) for y in range(2005, 2021)]
    result = assess_indicator(indicator(target=target(100)), observations, AssessmentSettings())
    assert result.indicator_id == "bike-trips"
    assert result.headline.method == "eurostat" and result.headline.window == "short"
    assert [a.window for a in result.others] == ["long"]
    assert result.subseries == {}
    assert assessed(result)


def test_single_method_window_has_no_others() -> None:
    observations = [obs("2015", 2015, 50), obs("2020", 2020, 56)]
    result = assess_indicator(indicator(unit=PERCENT, target=target(70)), observations, AssessmentSettings())
    assert result.headline.method == "linear" and result.headline.window == "base" and result.others == []
    assert result.headline.figures["ratio"] == pytest.approx(0.9)


def test_disaggregated_series_are_assessed_each() -> None:
    observations = [
        obs("2015", 2015, 50),
        obs("2020", 2020, 56),
        obs("2015", 2015, 40, "municipio=1"),
        obs("2020", 2020, 38, "municipio=1"),
        obs("2015", 2015, 60, "municipio=2"),
        obs("2020", 2020, 75, "municipio=2"),
    ]
    result = assess_indicator(
        indicator(target=target(70), method="opensdg"), observations, AssessmentSettings()
    )
    assert list(result.subseries) == ["municipio=1", "municipio=2"]
    assert result.subseries["municipio=1"].category is Category.DETERIORATING
    assert result.subseries["municipio=2"].category is Category.ACHIEVED
    assert result.headline.category is Category.ON_TRACK


def test_no_headline_series_says_so() -> None:
    observations = [
        obs("2015", 2015, 40, "sex=f"),
        obs("2020", 2020, 48, "sex=f"),
        obs("2015", 2015, 45, "sex=m"),
        obs("2020", 2020, 47, "sex=m"),
    ]
    result = assess_indicator(
        indicator(target=target(70), method="opensdg"), observations, AssessmentSettings()
    )
    assert result.headline.category is Category.INSUFFICIENT_DATA and result.headline.score is None
    assert (
        "2 disaggregated series" in result.headline.reason["en"] and "2 serie" in result.headline.reason["it"]
    )
    assert set(result.subseries) == {"sex=f", "sex=m"}
    assert all(a.score is not None for a in result.subseries.values())
    assert not assessed(result)


def test_no_observations() -> None:
    result = assess_indicator(indicator(), [], AssessmentSettings())
    assert result.headline.category is Category.INSUFFICIENT_DATA
    assert result.headline.reason["en"] == "No exact values yet." and result.headline.window == "short"
    assert result.headline.label["en"] == "Trend not assessed"  # the method's own wording


def test_baseline_value_applies_to_headline_only() -> None:
    observations = [
        obs("2016", 2016, 52),
        obs("2020", 2020, 56),
        obs("2016", 2016, 30, "zone=a"),
        obs("2020", 2020, 33, "zone=a"),
    ]
    result = assess_indicator(
        indicator(target=target(70), method="opensdg", baseline={"year": 2015, "value": 50}),
        observations,
        AssessmentSettings(),
    )
    assert result.headline.base == Point(2015.0, 50, "2015")
    assert result.subseries["zone=a"].base.time == 2016


def test_sub_annual_data_use_latest_value_per_year() -> None:
    observations = [
        obs(f"{y}-{m:02d}", y + (m - 0.5) / 12, 100 + (y - 2015) * 12 + m)
        for y in range(2015, 2021)
        for m in range(1, 13)
    ]
    observations += [obs("2021-01", 2021 + 0.5 / 12, 200), obs("2021-02", 2021 + 1.5 / 12, 210)]
    result = assess_indicator(indicator(method="opensdg"), observations, AssessmentSettings())
    a = result.headline
    assert a.base == Point(2015.0, 112, "2015-12")
    assert a.latest == Point(2021.0, 210, "2021-02")
    assert a.figures["actual_growth"] == pytest.approx((210 / 112) ** (1 / 6) - 1)


def test_config_thresholds_reach_the_method() -> None:
    observations = [obs("2015", 2015, 50), obs("2020", 2020, 53)]
    plain = assess_indicator(
        indicator(target=target(70), method="opensdg"), observations, AssessmentSettings()
    )
    assert plain.headline.category is Category.LIMITED
    config = AssessmentSettings(thresholds={"opensdg": MethodThresholds(med=0.5)})
    tuned = assess_indicator(indicator(target=target(70), method="opensdg"), observations, config)
    assert tuned.headline.category is Category.MODERATE


def test_configured_base_year() -> None:
    observations = [obs(str(y), y, 40 + y - 2010) for y in range(2010, 2021)]
    result = assess_indicator(
        indicator(method="linear", target=target(70)), observations, AssessmentSettings(base_year=2012)
    )
    assert result.headline.base.time == 2012


def test_annual_drops_non_finite_and_keeps_latest_in_year() -> None:
    series = annual(
        [Point(2020.9, 3, "2020-12"), Point(2020.1, 1, "2020-02"), Point(2019.5, float("nan"), "x")]
    )
    assert series == [Point(2020.0, 3, "2020-12")]


# --- consistency of verdict, projection and words (issue #12) -----------------------------------------------


def test_no_target_gets_eurostat_trend_words_whatever_the_method() -> None:
    observations = [obs(str(y), float(y), v) for y, v in ((2015, 100), (2017, 104), (2019, 110), (2020, 115))]
    for method in ("linear", "unsd", "escap", None):
        result = assess_indicator(
            indicator(method=method) if method else indicator(), observations, AssessmentSettings()
        )
        a = result.headline
        assert a.trend_only and a.method == "eurostat" and a.window == "short"
        assert "target" not in a.label["en"] and "obiettivo " not in a.label["it"]
        assert a.projection is None and a.projection_note["en"].startswith(
            "No projection: the indicator has no"
        )


def test_on_track_verdict_with_a_late_trend_carries_a_note() -> None:
    # compound growth meets 95 % of the needed rate; the recent linear trend is slower and arrives late
    values = {2015: 50.0, 2016: 52.4, 2017: 54.9, 2018: 57.5, 2019: 60.2, 2020: 63.1}
    observations = [obs(str(y), float(y), v) for y, v in values.items()]
    result = assess_indicator(indicator(target=target(100)), observations, AssessmentSettings())
    a = result.headline
    assert a.category is Category.ON_TRACK
    assert a.projection is not None and (a.projection.year_reached or 9999) > 2030
    assert any("slower" in n["en"] for n in a.notes) and any("95 %" in n["en"] for n in a.notes)
    assert all(n["it"] for n in a.notes)


def test_stale_achieved_verdict_says_no_newer_value_confirms_it() -> None:
    from datetime import date

    observations = [obs("2015", 2015.0, 50), obs("2017", 2017.0, 120)]
    ind = indicator(target=target(100), frequency="annual")
    fresh = assess_indicator(ind, observations, AssessmentSettings(), today=date(2018, 6, 1))
    old = assess_indicator(ind, observations, AssessmentSettings(), today=date(2026, 12, 2))
    assert fresh.headline.category is old.headline.category is Category.ACHIEVED
    assert fresh.headline.notes == [] and "no newer value" in old.headline.notes[0]["en"]


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.floats(1, 1000), min_size=2, max_size=10),
    sign=st.sampled_from(["increase", "decrease"]),
    goal=st.floats(1, 1000),
    percent=st.booleans(),
)
def test_verdict_and_projection_never_contradict_silently(
    values: list[float], sign: str, goal: float, percent: bool
) -> None:
    if percent:
        values, goal = [v / 10 for v in values], goal / 10
    observations = [obs(str(2015 + i), 2015.0 + i, v) for i, v in enumerate(values)]
    ind = indicator(
        direction=sign, target=target(goal), unit=PERCENT if percent else indicator().unit.model_dump()
    )
    a = assess_indicator(ind, observations, AssessmentSettings()).headline
    p = a.projection
    if p is not None:
        assert p.points[0].value == values[-1]
        assert p.year_reached is None or p.year_reached > 2015 + len(values) - 1
        late = (p.year_reached or 10_000) > 2030
        if a.category is Category.ON_TRACK and late:
            assert a.notes  # the page explains why "on track" arrives late
        if a.category in (Category.MODERATE, Category.LIMITED, Category.DETERIORATING) and not late:
            assert a.notes
    else:
        assert a.projection_note or a.category is Category.ACHIEVED
    if a.category is Category.ACHIEVED:
        assert (values[-1] - goal) * (1 if sign == "increase" else -1) >= 0
