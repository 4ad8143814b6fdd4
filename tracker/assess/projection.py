"""Where the recent values lead: a drift projection with an 80 % prediction interval, or why there is none.

Model: a random walk with drift (Hyndman & Athanasopoulos, *Forecasting: Principles and Practice*, 3rd ed.,
§5.2 "drift method" and §5.5 prediction intervals), fitted on the values of the last :data:`FIT_YEARS` years
up to the latest one — Eurostat's short-term window; Destatis extrapolates the average annual change of the
last five years linearly (methodology.md 1.1, 1.7). With ``n`` values at times ``t_1 < … < t_n`` (each at the
middle of its period, :func:`tracker.intake.periods.mid_time`):

* drift ``μ = (y_n − y_1)/(t_n − t_1)``, the average annual change over the window;
* spread of the changes per year ``σ² = Σ (Δy_i − μ·Δt_i)² / Δt_i / (n − 2)`` (irregular gaps allowed);
* at ``h`` years after the latest value: ``y_n + μ·h``, with the interval ``± t(0.90, n − 2)·σ·√(h·(1 + h/T))``,
  ``T = t_n − t_1`` (the drift's own uncertainty included), Student's t for the few values a city has.

Why this model: it starts at the latest value (never before it, never crossing the data), follows the recent
values rather than a line from an old baseline, and grows linearly. A constant growth rate (the methods'
CAGR) is *not* extrapolated: over horizons longer than the data it explodes (BikeMi 4.3 M → 59 M). Bounded
quantities (percentages, natural limits) are held at their bounds. There is no projection — and the reason
says why — when the window holds fewer than :data:`MIN_VALUES` values or spans under :data:`MIN_SPAN` years
(no spread can be estimated), when the latest value is stale (overdue for its frequency: a projection would
"forecast" years that have already happened), when there is no target, or when the target year has passed.

"Target reached in YEAR" is the first whole year after the latest value whose central projection meets the
target; the years in which the interval's edges meet it give its range.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date

from tracker.assess.base import Point, Projection, Spec
from tracker.assess.growth import cap, meets
from tracker.assess.text import reason
from tracker.intake.periods import is_stale, mid_time

FIT_YEARS = 5
MIN_VALUES = 3
MIN_SPAN = 2.0
LEVEL = 0.80
#: Years after the target year searched for the year the target is reached.
BEYOND_TARGET = 20
#: Student's t quantile 0.90 (two-sided 80 %) by degrees of freedom; 1.2816 (normal) beyond the table.
T90 = {
    1: 3.0777,
    2: 1.8856,
    3: 1.6377,
    4: 1.5332,
    5: 1.4759,
    6: 1.4398,
    7: 1.4149,
    8: 1.3968,
    9: 1.3830,
    10: 1.3722,
    12: 1.3562,
    15: 1.3406,
    20: 1.3253,
    30: 1.3104,
    60: 1.2958,
}


def t90(df: int) -> float:
    """Student's t 0.90 quantile; between tabulated degrees of freedom the smaller one (wider, safer)."""
    if df >= 120:
        return 1.2816
    return T90[max(k for k in T90 if k <= df)]


def placed(points: Sequence[Point]) -> list[Point]:
    """Finite points at the middle of their periods, in time order (one value per instant: the last given)."""
    by_time: dict[float, Point] = {}
    for p in points:
        if math.isfinite(p.value) and math.isfinite(p.time):
            t = mid_time(p.period, p.time) if p.period else p.time
            by_time[t] = Point(t, p.value, p.period)
    return [by_time[t] for t in sorted(by_time)]


def project(
    points: Sequence[Point], spec: Spec, *, frequency: str | None = None, today: date | None = None
) -> tuple[Projection | None, dict[str, str]]:
    """The projection of a series towards its target, or None and the reason (both languages) why not.

    ``today`` (the run's date) judges the data's age with ``frequency``; None leaves age unjudged.
    """
    series = placed(points)
    if spec.target_value is None or spec.target_year is None:
        return None, reason("projection_no_target")
    if not series:
        return None, reason("no_data")
    latest = series[-1]
    if meets(latest.value, spec):
        return None, {}  # the data show the target reached: nothing to project
    if today is not None and frequency is not None and is_stale(latest.period, frequency, today):
        return None, reason("projection_stale", period=latest.period)
    target_year = float(spec.target_year)
    if math.floor(latest.time) >= target_year:
        return None, reason("projection_past", target_year=int(target_year), period=latest.period)
    window = [p for p in series if p.time >= latest.time - FIT_YEARS]
    span = latest.time - window[0].time
    if len(window) < MIN_VALUES or span < MIN_SPAN:
        periods = ", ".join(p.period for p in window)
        return None, reason(
            "projection_short",
            need=MIN_VALUES,
            span=int(MIN_SPAN),
            years=FIT_YEARS,
            count=len(window),
            periods=periods,
        )
    return _drift(window, spec, target_year), {}


def _drift(window: list[Point], spec: Spec, target_year: float) -> Projection:
    first, latest = window[0], window[-1]
    total = latest.time - first.time
    drift = (latest.value - first.value) / total
    residuals = [
        ((b.value - a.value) - drift * (b.time - a.time)) ** 2 / (b.time - a.time)
        for a, b in zip(window, window[1:], strict=False)
    ]
    df = len(window) - 2
    sigma = math.sqrt(sum(residuals) / df)
    quantile = t90(df)

    def at(year_mid: float) -> tuple[float, float, float]:
        h = year_mid - latest.time
        centre = latest.value + drift * h
        half = quantile * sigma * math.sqrt(h * (1 + h / total))
        return cap(centre, spec), cap(centre - half, spec), cap(centre + half, spec)

    last_year = math.floor(latest.time)
    horizon = range(last_year + 1, int(target_year) + BEYOND_TARGET + 1)
    path = {year: at(year + 0.5) for year in horizon}  # (centre, low, high) in each year, computed once
    points, low, high = [latest], [latest.value], [latest.value]
    for year in range(last_year + 1, int(target_year) + 1):
        centre, lo, hi = path[year]
        points.append(Point(year + 0.5, centre, str(year)))
        low.append(lo)
        high.append(hi)
    better, worse = (2, 1) if spec.sign > 0 else (1, 2)  # the interval's optimistic and pessimistic edges
    reached = _first_year(horizon, lambda y: path[y][0], spec)
    optimistic = _first_year(horizon, lambda y: path[y][better], spec)
    pessimistic = _first_year(horizon, lambda y: path[y][worse], spec)
    moving_towards = spec.sign * drift > 0 and meets(cap(spec.target_value or 0.0, spec), spec)
    return Projection(
        method="drift",
        target_year=target_year,
        value_at_target_year=points[-1].value,
        year_reached=reached,
        not_before=(horizon[-1] if reached is None and moving_towards else None),
        points=points,
        low=low,
        high=high,
        level=LEVEL,
        drift=drift,
        sigma=sigma,
        fitted_from=first.period,
        fitted_to=latest.period,
        fitted_count=len(window),
        reached_range=(optimistic, pessimistic),
    )


def _first_year(years: range, value_in: Callable[[int], float], spec: Spec) -> int | None:
    """The first year whose value meets the target (linear paths: a scan of at most a few dozen years)."""
    return next((y for y in years if meets(value_in(y), spec)), None)
