"""Arithmetic shared by the methods: the annual series, growth rates, target checks, scores.

KeptResult apart from the methods so each method module reads as its source describes it, and so the rules every
method shares (one value per year, what "target met" means, how a score stays inside its category's band)
are written once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from tracker.assess.base import Assessment, Category, Point, Spec
from tracker.assess.text import reason

#: Open SDG score bands (open-sdg docs/progress-methodology.md, "Aggregated progress status"): the score
#: interval of each common category. ACHIEVED scores 5, so it sits in the on-track band.
BANDS: dict[Category, tuple[float, float]] = {
    Category.ACHIEVED: (5.0, 5.0),
    Category.ON_TRACK: (2.5, 5.0),
    Category.MODERATE: (0.0, 2.5),
    Category.LIMITED: (-2.5, 0.0),
    Category.DETERIORATING: (-5.0, -2.5),
}


def annual(points: Sequence[Point]) -> list[Point]:
    """One point per calendar year: the latest value within the year, timed at the year itself.

    Why: every method here counts whole years (CAGR exponents, 5/15-year windows, "base year 2015"). For
    sub-annual data the latest value of each year compares like with like across years (December with
    December, Q4 with Q4) and is the freshest figure for the current, partial year. The point keeps its
    published period label (e.g. "2024-03"), so a page can say which value stood for the year.
    Non-finite values are dropped: they are not data.
    """
    if _already_annual(points):
        return list(points)  # the same points (they are immutable): 300,000 fewer objects in a cold run
    by_year: dict[int, Point] = {}
    for p in sorted(
        (p for p in points if math.isfinite(p.value) and math.isfinite(p.time)), key=lambda p: p.time
    ):
        by_year[math.floor(p.time)] = p
    return [Point(float(year), p.value, p.period or str(year)) for year, p in sorted(by_year.items())]


def _already_annual(points: Sequence[Point]) -> bool:
    """Whether :func:`annual` would give back equal points: finite values at whole years, in increasing order,
    each with its period label (annual data, as most indicators have)."""
    last = -math.inf
    for p in points:
        time = p.time
        if not (
            type(time) is float and math.isfinite(time) and time > last and time == math.floor(time)
        ) or not (math.isfinite(p.value) and p.period):
            return False
        last = time
    return True


def with_baseline(series: list[Point], spec: Spec) -> list[Point]:
    """Add the declared baseline (``baseline.value`` in the definition) as the value of its year.

    A declared value wins over a series value for the same year: the catalogue says a baseline value is given
    only when it differs from (or is missing in) the series.
    """
    if spec.baseline_year is None or spec.baseline_value is None:
        return series
    year = float(math.floor(spec.baseline_year))
    kept = [p for p in series if p.time != year]
    return sorted([*kept, Point(year, spec.baseline_value, f"{int(year)}")], key=lambda p: p.time)


def prepare(points: Sequence[Point], spec: Spec) -> list[Point]:
    return with_baseline(annual(points), spec)


def start_year(spec: Spec) -> float:
    """The configured base year: the definition's baseline year, else config ``assessment.base_year``."""
    return float(spec.baseline_year) if spec.baseline_year is not None else float(spec.base_year)


def first_from(series: Sequence[Point], year: float) -> Point | None:
    """The first point in or after ``year`` (Open SDG: "the first available year following 2015")."""
    return next((p for p in series if p.time >= year), None)


def meets(value: float, spec: Spec, target: float | None = None) -> bool:
    """Whether ``value`` is at or beyond the target in the desired direction."""
    goal = spec.target_value if target is None else target
    return goal is not None and spec.sign * (value - goal) >= 0


def cap(value: float, spec: Spec) -> float:
    """Clamp to the unit's bounds and to the natural limit in the desired direction."""
    if spec.lower_bound is not None:
        value = max(value, spec.lower_bound)
    if spec.upper_bound is not None:
        value = min(value, spec.upper_bound)
    if spec.natural_limit is not None:
        value = min(value, spec.natural_limit) if spec.sign > 0 else max(value, spec.natural_limit)
    return value


def extrapolated(
    latest: Point, spec: Spec, *, rate: float | None = None, slope: float | None = None
) -> float | None:
    """The value a method's own pace gives in the target year (``rate``: compound growth a year; ``slope``:
    change a year), capped at the bounds; None when there is no target year after the latest value.

    This is a figure of the method (UNSD's and ESCAP's ratios, Destatis' shortfall), not the projection the
    pages draw (:mod:`tracker.assess.projection`), and the pages name it so.
    """
    if spec.target_year is None or spec.target_year <= latest.time:
        return None
    years = float(spec.target_year) - latest.time
    if rate is not None:
        return cap(latest.value * (1.0 + rate) ** years, spec)
    assert slope is not None
    return cap(latest.value + slope * years, spec)


def cagr(v0: float, v1: float, t0: float, t1: float) -> float | None:
    """Compound annual growth rate; None when undefined (no time between, or values of opposite sign/zero base).

    Works on the ratio, so two negative values give the growth of their magnitudes (the Open SDG convention,
    with the direction flipped by the caller through ``sign``). A zero end value gives -100 %.
    """
    if t1 <= t0 or v0 == 0:
        return None
    ratio = v1 / v0
    if ratio < 0:
        return None
    return ratio ** (1.0 / (t1 - t0)) - 1.0


def same_sign(*values: float) -> bool:
    """All values non-zero and of one sign: what a growth rate between them needs."""
    return all(v > 0 for v in values) or all(v < 0 for v in values)


def ratio(progress: float, needed: float) -> float:
    """``progress / |needed|``, with the limits the methods need when nothing was needed (±inf, or NaN)."""
    if needed != 0:
        return progress / abs(needed)
    if progress == 0:
        return math.nan
    return math.copysign(math.inf, progress)


def band_score(x: float, knots: tuple[float, float, float, float, float]) -> float:
    """Piecewise-linear score: knots (floor, low, med, high, ceil) map to -5, -2.5, 0, 2.5, 5, clamped.

    This is the shape of Open SDG's score functions (ProgressMeasure.get_score): each category's cut-offs
    become the edges of its score band, so scores from different methods can be averaged.
    """
    if math.isnan(x):
        raise ValueError("no score for NaN")
    scores = (-5.0, -2.5, 0.0, 2.5, 5.0)
    if x <= knots[0]:
        return -5.0
    for i in range(4):
        x0, x1 = knots[i], knots[i + 1]
        if x < x1:
            return scores[i] + (scores[i + 1] - scores[i]) * (x - x0) / (x1 - x0)
    return 5.0


def fit_to_band(score: float, category: Category) -> float:
    """Keep a score inside its category's band (Open SDG bands: [2.5, 5], [0, 2.5), [-2.5, 0), [-5, -2.5)).

    Methods whose published cut-offs are upper-inclusive (Eurostat without target: "0 % < g ≤ 1 %") put the
    cut-off value itself in the lower category, while a continuous score puts it on the upper band's edge; one
    ulp below the edge keeps the roll-up from contradicting the indicator's own category.
    """
    low, high = BANDS[category]
    if category in (Category.ACHIEVED, Category.ON_TRACK):
        return min(max(score, low), high)
    return min(max(score, low), math.nextafter(high, -math.inf))


def insufficient(method: str, window: str, label: dict[str, str], key: str, **values: object) -> Assessment:
    """An assessment that says plainly why there is none (never a guessed category)."""
    return Assessment(
        method=method,
        window=window,
        category=Category.INSUFFICIENT_DATA,
        score=None,
        label=label,
        reason=reason(key, **values),
    )


def span_check(series: Sequence[Point]) -> tuple[str, dict[str, object]] | None:
    """The common minimum: two values at least one year apart. Returns a reason key and values, or None."""
    if not series:
        return "no_data", {}
    if len(series) == 1:
        return "one_value", {"period": series[0].period or f"{series[0].time:g}"}
    return None


def achieved(method: str, series: Sequence[Point], spec: Spec, label: dict[str, str]) -> Assessment:
    """The verdict of a "base" window whose latest value already meets the target (score +5), shown from the
    base year (or the latest point when nothing is as recent)."""
    latest = series[-1]
    start = first_from(series, start_year(spec)) or latest
    return Assessment(
        method,
        "base",
        Category.ACHIEVED,
        5.0,
        label,
        base=start,
        latest=latest,
        figures=base_figures(start, latest, spec),
    )


def base_window(
    method: str, series: Sequence[Point], spec: Spec, label: dict[str, str]
) -> tuple[Point, Point] | Assessment:
    """The base and latest points of a "base" window, or the assessment saying why there are none: too few
    values, none from the base year on, or the base year's value is the latest one."""
    problem = span_check(series)
    if problem is not None:
        return insufficient(method, "base", label, problem[0], **problem[1])
    latest, year = series[-1], start_year(spec)
    base = first_from(series, year)
    if base is None:
        return insufficient(method, "base", label, "no_base", year=year, latest=latest.time)
    if latest.time - base.time < 1:
        return insufficient(method, "base", label, "base_is_latest", year=year, latest=latest.time)
    return base, latest


def figure(value: float | None) -> float | None:
    """A figure as stored: finite floats only (JSON has no infinity), None otherwise."""
    return value if value is not None and math.isfinite(value) else None


def base_figures(base: Point, latest: Point, spec: Spec) -> dict[str, float | None]:
    return {
        "base_value": base.value,
        "base_year": base.time,
        "latest_value": latest.value,
        "latest_year": latest.time,
        "target_value": spec.target_value,
        "target_year": spec.target_year,
    }
