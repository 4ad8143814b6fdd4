"""UN Statistics Division — SDG Progress Chart ratio of anticipated to required progress.

Sources: UNSD *Progress Chart Technical Note* 2020–2023 and *Technical Note for Progress Assessment 2024*;
the Basque statistical office's adaptation (EUSTAT-DES, "based on the 2023 Progress Chart Technical Note",
verified text in methodology.md 1.4).

With a target: CAGR between the base year b (configured, default 2015; first year with data from it) and the
latest year t, extrapolated ``v_Te = v_t·(1+CAGR)^(T−t)`` (capped at the natural bounds; when the target year
has passed, the latest value stands for it), and ``P = d·(v_Te − v_b)/|v_T − v_b|`` — UNSD's
``(v_Te − v_b)/(v_T − v_b)`` whenever the target lies in the desired direction from the base.

Cut-offs (category names verified in the UN SG progress reports 2023–24; the numbers are recalled, R, and
not yet checked against the 2024 technical note), lower bound inclusive, mapped to the common categories:

=====================  ====================  ==================
P                      UNSD category         common category
=====================  ====================  ==================
latest meets target    on track/target met   achieved
P ≥ 0.95               on track/target met   on_track
0.50 ≤ P < 0.95        moderate progress     moderate
0.10 ≤ P < 0.50        marginal progress     limited
−0.10 ≤ P < 0.10       stagnation            limited
P < −0.10              regression            deteriorating
=====================  ====================  ==================

Overrides: ``high`` (0.95), ``med`` (0.50), ``low`` (0.10; stagnation is ``[−low, low)``). Basque exception
(V): a percentage within 1 point of a 0 % or 100 % target counts as achieved (a percentage is recognised by
the 0–100 unit bounds). Without a target, the Basque rule: ``g = d·CAGR`` ≥ 2 % → on track, 0.5–2 % →
"reasonable progress, acceleration needed", < 0.5 % → "stagnation or regression" (split by the sign of g into
limited / deteriorating for the common category). Scores: the Open SDG band shape with these cut-offs as
band edges (P: −0.7 → −5, −0.1 → −2.5, 0.5 → 0, 0.95 → 2.5, 1.3 → 5; g: −2 %, 0, 0.5 %, 2 %, 3 %).
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
    cagr,
    extrapolated,
    figure,
    fit_to_band,
    insufficient,
    meets,
    prepare,
    same_sign,
)
from tracker.wording import Message, msg, words

METHOD = "unsd"
RATIO_THRESHOLDS = {"high": 0.95, "med": 0.50, "low": 0.10}
GROWTH_THRESHOLDS = {"high": 0.02, "med": 0.005, "low": 0.0}
PERCENT_TOLERANCE = 1.0

LABELS: dict[str, Message] = {
    "on_track": msg("unsd", "On track or target met"),
    "moderate": msg("unsd", "Moderate progress"),
    "marginal": msg("unsd", "Marginal progress"),
    "stagnation": msg("unsd", "Stagnation"),
    "regression": msg("unsd", "Regression"),
    "reasonable": msg("unsd", "Reasonable progress, acceleration needed"),
    "stagnation_or_regression": msg("unsd", "Stagnation or regression"),
    "not_assessed": msg("unsd", "Insufficient data"),
}


def classify_ratio(p: float, limits: dict[str, float] = RATIO_THRESHOLDS) -> tuple[Category, str]:
    if p >= limits["high"]:
        return Category.ON_TRACK, "on_track"
    if p >= limits["med"]:
        return Category.MODERATE, "moderate"
    if p >= limits["low"]:
        return Category.LIMITED, "marginal"
    if p >= -limits["low"]:
        return Category.LIMITED, "stagnation"
    return Category.DETERIORATING, "regression"


def classify_growth(g: float, limits: dict[str, float] = GROWTH_THRESHOLDS) -> tuple[Category, str]:
    if g >= limits["high"]:
        return Category.ON_TRACK, "on_track"
    if g >= limits["med"]:
        return Category.MODERATE, "reasonable"
    if g >= limits["low"]:
        return Category.LIMITED, "stagnation_or_regression"
    return Category.DETERIORATING, "stagnation_or_regression"


def assess(points: Sequence[Point], spec: Spec) -> list[Assessment]:
    """One assessment, window "base": from the base year to the latest year, extrapolated to the target year."""
    return [_assess(prepare(points, spec), spec)]


def _achieved(value: float, spec: Spec) -> bool:
    if meets(value, spec):
        return True
    percent = spec.lower_bound == 0 and spec.upper_bound == 100
    return percent and spec.target_value in (0, 100) and abs(value - spec.target_value) <= PERCENT_TOLERANCE


def _assess(series: list[Point], spec: Spec) -> Assessment:
    label = words(LABELS["not_assessed"])
    if series and spec.target_value is not None and _achieved(series[-1].value, spec):
        return achieved(METHOD, series, spec, words(LABELS["on_track"]))
    window = base_window(METHOD, series, spec, label)
    if isinstance(window, Assessment):
        return window
    base, latest = window
    if not same_sign(base.value, latest.value):
        return insufficient(
            METHOD,
            "base",
            label,
            "sign",
            base=base.value,
            base_year=base.time,
            latest=latest.value,
            latest_year=latest.time,
        )
    growth = cagr(base.value, latest.value, base.time, latest.time)
    assert growth is not None
    sign = -1 if base.value < 0 else 1
    figures = base_figures(base, latest, spec) | {"actual_growth": growth, "sign": float(sign)}

    if spec.target_value is None:
        limits = GROWTH_THRESHOLDS | dict(spec.thresholds)
        g = sign * spec.sign * growth
        category, key = classify_growth(g, limits)
        score = band_score(g, (-0.02, limits["low"], limits["med"], limits["high"], limits["high"] + 0.01))
        return Assessment(
            METHOD,
            "base",
            category,
            fit_to_band(score, category),
            words(LABELS[key]),
            base=base,
            latest=latest,
            figures=figures | {"adjusted_growth": g},
        )

    if spec.target_year is None or spec.target_year <= base.time:
        return insufficient(
            METHOD, "base", label, "target_year", target_year=spec.target_year, base_year=base.time
        )
    expected = extrapolated(latest, spec, rate=growth)
    expected = latest.value if expected is None else expected
    needed = spec.target_value - base.value
    made = spec.sign * (expected - base.value)
    # Nothing needed (target = base value) and not met: any projected miss is a regression.
    p = made / abs(needed) if needed else (math.inf if meets(expected, spec) else -math.inf)
    limits = RATIO_THRESHOLDS | dict(spec.thresholds)
    category, key = classify_ratio(p, limits)
    score = band_score(p, (-0.7, -limits["low"], limits["med"], limits["high"], 1.3))
    figures |= {"projected_value": expected, "ratio": figure(p)}
    return Assessment(
        METHOD,
        "base",
        category,
        fit_to_band(score, category),
        words(LABELS[key]),
        base=base,
        latest=latest,
        figures=figures,
    )
