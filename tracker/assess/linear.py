"""Linear trend method in the style of SDSN's SDG trend dashboards and Destatis' weather symbols.

Sources: SDSN Sustainable Development Report, trend dashboards (sdgindex.org; arrow set V in
sdsna/sdgindex-data ``src/observations/config.js``, cut-offs R) and the German Sustainable Development Strategy
(Destatis, linear extrapolation, V as reproduced in methodology.md 1.7).

Why linear: a geometric rate fails at 0 and overshoots bounded percentages; a constant annual change works
for percentages near 0 or 100 and for series that cross zero (methodology.md 1.8).

* Average annual change from the base year b (configured, default 2015; first year with data from it) to the
  latest year t, from the two end values: ``(v_t − v_b)/(t − b)`` (methodology.md's E1: 1.2 a year; Destatis'
  example 50 → 56 over 2015–2020 likewise uses the end points).
* With a target: the annual change needed from the base year, ``(TV − v_b)/(T − b)``, and the ratio
  ``r = d·actual/|needed|``. SDSN arrows: r ≥ 1 "on track or maintaining SDG achievement" (↑), 0.5 < r < 1
  "moderately improving" (➚), 0 ≤ r ≤ 0.5 "stagnating" (→), r < 0 "decreasing" (↓) — SDSN writes "> 50 %",
  so exactly half is stagnating. Destatis' shortfall ``d·(TV − v̂_T)/|TV − v_t|`` is kept in the figures.
* Without a target: the annual change relative to the base level, ``g = d·actual/|v_b|``, against Eurostat's
  no-target cut-offs (1 %, 0, −1 %, upper bound inclusive), each positive cut-off scaled by Open SDG's
  natural-limit factor C when a limit is known (near 100 % a small change is a real change).
* Score: the Open SDG band shape with these cut-offs as band edges (r: −0.6, 0, 0.5, 1, 1.3; g: −2 %, −1 %,
  0, 1 %, 2 %, the positive ones scaled by C).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from tracker.assess.base import Assessment, Category, Point, Spec
from tracker.assess.growth import (
    achieved,
    band_score,
    base_figures,
    base_window,
    extrapolated,
    figure,
    fit_to_band,
    insufficient,
    meets,
    prepare,
)
from tracker.assess.opensdg import coefficient
from tracker.wording import Message, msg, words

METHOD = "linear"
RATIO_THRESHOLDS = {"high": 1.0, "med": 0.5, "low": 0.0}
CHANGE_THRESHOLDS = {"high": 0.01, "med": 0.0, "low": -0.01}

TARGET_LABELS: dict[Category, Message] = {
    Category.ACHIEVED: msg("linear", "On track or maintaining SDG achievement"),
    Category.ON_TRACK: msg("linear", "On track or maintaining SDG achievement"),
    Category.MODERATE: msg("linear", "Moderately improving"),
    Category.LIMITED: msg("linear", "Stagnating"),
    Category.DETERIORATING: msg("linear", "Decreasing"),
}
TREND_LABELS: dict[Category, Message] = {
    Category.ON_TRACK: msg("linear", "Improving"),
    Category.MODERATE: msg("linear", "Moderately improving"),
    Category.LIMITED: msg("linear", "Stagnating"),
    Category.DETERIORATING: msg("linear", "Decreasing"),
}
NOT_ASSESSED = msg("linear", "Trend information unavailable")


def classify_ratio(r: float, limits: dict[str, float] = RATIO_THRESHOLDS) -> Category:
    """SDSN arrows: r ≥ high on track; med < r < high moderate; low ≤ r ≤ med stagnating; r < low decreasing."""
    if r >= limits["high"]:
        return Category.ON_TRACK
    if r > limits["med"]:
        return Category.MODERATE
    if r >= limits["low"]:
        return Category.LIMITED
    return Category.DETERIORATING


def classify_change(g: float, limits: dict[str, float] = CHANGE_THRESHOLDS) -> Category:
    """Eurostat's no-target cut-offs, upper bound inclusive."""
    if g > limits["high"]:
        return Category.ON_TRACK
    if g > limits["med"]:
        return Category.MODERATE
    if g >= limits["low"]:
        return Category.LIMITED
    return Category.DETERIORATING


def assess(points: Sequence[Point], spec: Spec) -> list[Assessment]:
    """One assessment, window "base": from the base year to the latest year."""
    return [_assess(prepare(points, spec), spec)]


def _assess(series: list[Point], spec: Spec) -> Assessment:
    label = words(NOT_ASSESSED)
    if series and meets(series[-1].value, spec):
        return achieved(METHOD, series, spec, words(TARGET_LABELS[Category.ACHIEVED]))
    window = base_window(METHOD, series, spec, label)
    if isinstance(window, Assessment):
        return window
    base, latest = window

    slope = (latest.value - base.value) / (latest.time - base.time)
    figures = base_figures(base, latest, spec) | {"actual_change": slope}
    d = spec.sign

    if spec.target_value is None:
        if base.value == 0:
            return insufficient(METHOD, "base", label, "zero_base", base_year=base.time)
        c = coefficient(base.value, spec.natural_limit) if spec.natural_limit is not None else 1.0
        limits = CHANGE_THRESHOLDS | dict(spec.thresholds)
        limits = {k: v * c if v > 0 else v for k, v in limits.items()}
        g = d * slope / abs(base.value)
        category = classify_change(g, limits)
        if c == 0 and g >= 0:
            category, score = Category.ON_TRACK, 5.0  # held at the limit (Open SDG's rule for C = 0)
        else:
            half = (CHANGE_THRESHOLDS["high"] - CHANGE_THRESHOLDS["low"]) / 2
            knots = (
                limits["low"] - half,
                limits["low"],
                limits["med"],
                limits["high"],
                limits["high"] + half * c,
            )
            score = fit_to_band(band_score(g, knots), category)
        figures |= {"relative_change": g, "c_factor": c if spec.natural_limit is not None else None}
        return Assessment(
            METHOD,
            "base",
            category,
            score,
            words(TREND_LABELS[category]),
            base=base,
            latest=latest,
            figures=figures,
        )

    if spec.target_year is None or spec.target_year <= base.time:
        return insufficient(
            METHOD, "base", label, "target_year", target_year=spec.target_year, base_year=base.time
        )
    needed = (spec.target_value - base.value) / (float(spec.target_year) - base.time)
    made = d * slope
    r = made / abs(needed) if needed != 0 else math.copysign(math.inf, made) if made != 0 else -math.inf
    limits = RATIO_THRESHOLDS | dict(spec.thresholds)
    category = classify_ratio(r, limits)
    score = fit_to_band(band_score(r, (-0.6, limits["low"], limits["med"], limits["high"], 1.3)), category)
    expected = extrapolated(latest, spec, slope=slope)
    expected = latest.value if expected is None else expected
    distance = spec.target_value - latest.value
    shortfall = d * (spec.target_value - expected) / abs(distance) if distance != 0 else None
    figures |= {
        "required_change": needed,
        "ratio": figure(r),
        "projected_value": expected,
        "shortfall": figure(shortfall),
    }
    return Assessment(
        METHOD,
        "base",
        category,
        score,
        words(TARGET_LABELS[category]),
        base=base,
        latest=latest,
        figures=figures,
    )
