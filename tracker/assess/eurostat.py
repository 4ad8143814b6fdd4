"""Eurostat's trend assessment of the EU SDG monitoring report (geometric / CAGR method).

Source: Eurostat, *Sustainable development in the European Union — monitoring report* (2017–2024 editions)
and Statistics Explained "SDG - Introduction"; cut-offs as replicated by Open SDG (methodology.md 1.1).

Two windows, each its own assessment: "short" (the past 5 years, the headline in recent editions) and "long"
(the past 15 years). A window starts at the first value in or after ``latest year − length`` (so a gap at the
start shortens it) and the required rate runs from that first year to the target year:

* with a target: ``RR = d·CAGR_a / |CAGR_r|`` — Eurostat's ``CAGR_a / CAGR_r`` whenever the target lies in the
  desired direction, and still right when the window starts beyond the target (Open SDG's formulation).
  RR ≥ 95 % significant, 60 % ≤ RR < 95 % moderate, 0 ≤ RR < 60 % insufficient, RR < 0 movement away;
  **lower bound inclusive**, as Eurostat's table reads.
* without a target: ``g = d·CAGR_a``; g > 1 % significant progress, 0 < g ≤ 1 % moderate progress,
  −1 % ≤ g ≤ 0 moderate movement away, g < −1 % significant movement away; **upper bound inclusive**, as in
  Eurostat's table (no change at all counts as moderate movement away).

Unverified in the report's annex (methodology.md marks them R), chosen and tested here: a window is assessed
only if its values span at least 3 years (short) / 10 years (long); a latest value at or beyond the target is
"target achieved" (Open SDG's rule). Negative series work on magnitudes with the direction flipped (Open
SDG's ``sign``); zero or sign-changing values cannot have a growth rate and are not assessed.

Scores use the Open SDG lines: with a target its quantitative score of RR (same cut-offs); without, the same
piecewise shape with Eurostat's cut-offs as band edges (−2 % → −5, −1 % → −2.5, 0 → 0, 1 % → 2.5, 2 % → 5).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from tracker.assess.base import Assessment, Category, Point, Spec
from tracker.assess.growth import (
    band_score,
    base_figures,
    cagr,
    figure,
    fit_to_band,
    insufficient,
    meets,
    prepare,
    ratio,
    same_sign,
    span_check,
)
from tracker.assess.opensdg import quantitative_score
from tracker.assess.text import reason
from tracker.wording import Message, msg, words

METHOD = "eurostat"
WINDOWS: dict[str, int] = {"short": 5, "long": 15}
MIN_SPAN: dict[str, int] = {"short": 3, "long": 10}
WINDOW_NAMES: dict[str, Message] = {
    "short": msg("eurostat", "short-term (5-year)"),
    "long": msg("eurostat", "long-term (15-year)"),
}
TARGET_THRESHOLDS = {"high": 0.95, "med": 0.60, "low": 0.0}
TREND_THRESHOLDS = {"high": 0.01, "med": 0.0, "low": -0.01}

TARGET_LABELS: dict[Category, Message] = {
    Category.ACHIEVED: msg("eurostat", "Target achieved"),
    Category.ON_TRACK: msg("eurostat", "Significant progress towards the target"),
    Category.MODERATE: msg("eurostat", "Moderate progress towards the target"),
    Category.LIMITED: msg("eurostat", "Insufficient progress towards the target"),
    Category.DETERIORATING: msg("eurostat", "Movement away from the target"),
}
TREND_LABELS: dict[Category, Message] = {
    Category.ON_TRACK: msg("eurostat", "Significant progress towards SD objectives"),
    Category.MODERATE: msg("eurostat", "Moderate progress towards SD objectives"),
    Category.LIMITED: msg("eurostat", "Moderate movement away from SD objectives"),
    Category.DETERIORATING: msg("eurostat", "Significant movement away from SD objectives"),
}
NOT_ASSESSED = msg("eurostat", "Trend not assessed")


def classify_ratio(rr: float, limits: dict[str, float] = TARGET_THRESHOLDS) -> Category:
    """RR against the target cut-offs, lower bound inclusive."""
    if rr >= limits["high"]:
        return Category.ON_TRACK
    if rr >= limits["med"]:
        return Category.MODERATE
    if rr >= limits["low"]:
        return Category.LIMITED
    return Category.DETERIORATING


def classify_growth(g: float, limits: dict[str, float] = TREND_THRESHOLDS) -> Category:
    """Direction-adjusted growth against the no-target cut-offs, upper bound inclusive."""
    if g > limits["high"]:
        return Category.ON_TRACK
    if g > limits["med"]:
        return Category.MODERATE
    if g >= limits["low"]:
        return Category.LIMITED
    return Category.DETERIORATING


def trend_score(g: float, limits: dict[str, float] = TREND_THRESHOLDS) -> float:
    half = (limits["high"] - limits["low"]) / 2
    return band_score(
        g, (limits["low"] - half, limits["low"], limits["med"], limits["high"], limits["high"] + half)
    )


def assess(points: Sequence[Point], spec: Spec) -> list[Assessment]:
    """The short-term (headline) and long-term assessments, in that order."""
    series = prepare(points, spec)
    return [_window(series, spec, name) for name in WINDOWS]


def _window(series: list[Point], spec: Spec, name: str) -> Assessment:
    label = words(NOT_ASSESSED)
    problem = span_check(series)
    if problem is not None and not (series and meets(series[-1].value, spec)):
        return insufficient(METHOD, name, label, problem[0], **problem[1])
    latest = series[-1]
    if meets(latest.value, spec):
        base = series[0] if len(series) == 1 else _start(series, name)
        return Assessment(
            METHOD,
            name,
            Category.ACHIEVED,
            5.0,
            words(TARGET_LABELS[Category.ACHIEVED]),
            base=base,
            latest=latest,
            figures=base_figures(base, latest, spec),
        )
    base = _start(series, name)
    span = latest.time - base.time
    if span < MIN_SPAN[name]:
        return insufficient(
            METHOD,
            name,
            label,
            "short_span" if span else "window_one",
            window_name=words(WINDOW_NAMES[name]),
            need=MIN_SPAN[name],
            length=WINDOWS[name],
            span=span,
            first=base.time if span else latest.time - WINDOWS[name],
            last=latest.time,
        )
    if not same_sign(base.value, latest.value):
        return insufficient(
            METHOD,
            name,
            label,
            "sign",
            base=base.value,
            base_year=base.time,
            latest=latest.value,
            latest_year=latest.time,
        )
    sign = -1 if base.value < 0 else 1
    actual = cagr(base.value, latest.value, base.time, latest.time)
    assert actual is not None
    figures = base_figures(base, latest, spec) | {
        "window_years": float(WINDOWS[name]),
        "span_years": span,
        "actual_growth": actual,
        "sign": float(sign),
    }
    limits_override = dict(spec.thresholds)

    if spec.target_value is None:
        limits = TREND_THRESHOLDS | limits_override
        g = sign * spec.sign * actual
        category = classify_growth(g, limits)
        score = fit_to_band(trend_score(g, limits), category)
        figures |= {"adjusted_growth": g, "required_growth": None, "ratio": None}
        return Assessment(
            METHOD,
            name,
            category,
            score,
            words(TREND_LABELS[category]),
            base=base,
            latest=latest,
            figures=figures,
        )

    if spec.target_year is None or spec.target_year <= base.time:
        return insufficient(
            METHOD, name, label, "target_year", target_year=spec.target_year, base_year=base.time
        )
    required = cagr(base.value, spec.target_value, base.time, float(spec.target_year))
    if required is None:
        return insufficient(METHOD, name, label, "target_sign", target=spec.target_value, base=base.value)
    rr = ratio(sign * spec.sign * actual, required)
    if math.isnan(rr):
        return Assessment(
            METHOD,
            name,
            Category.INSUFFICIENT_DATA,
            None,
            label,
            base=base,
            latest=latest,
            figures=figures,
            reason=reason("undefined", base=base.value, latest=latest.value, target=spec.target_value),
        )
    limits = TARGET_THRESHOLDS | limits_override
    category = classify_ratio(rr, limits)
    score = fit_to_band(quantitative_score(rr), category)
    figures |= {"required_growth": required, "ratio": figure(rr)}
    return Assessment(
        METHOD,
        name,
        category,
        score,
        words(TARGET_LABELS[category]),
        base=base,
        latest=latest,
        figures=figures,
    )


def _start(series: list[Point], name: str) -> Point:
    """First point in or after ``latest − window length``."""
    latest = series[-1]
    return next(p for p in series if p.time >= latest.time - WINDOWS[name])
