"""Where the current pace leads: the value in the target year, the year the target is reached, a dashed line.

Geometric (constant growth rate, as Eurostat/Open SDG/UNSD/ESCAP extrapolate) or linear (constant annual
change, as SDSN/Destatis do), always capped at the natural bounds: a percentage is never projected past
0..100, and nothing is projected beyond the natural limit in the desired direction (methodology.md 1.8).

Semantics of the result: ``year_reached`` is the first whole year whose projected value meets the target (the
latest year itself when it already does); otherwise ``not_before`` is :data:`HORIZON` when the pace moves
towards the target but too slowly to arrive by then; both None means "never at this pace" (moving away,
standing still, or held back by a bound before the target).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable

from tracker.assess.base import Point, Projection, Spec
from tracker.assess.growth import meets

HORIZON = 2100


def cap(value: float, spec: Spec) -> float:
    """Clamp to the unit's bounds and to the natural limit in the desired direction."""
    if spec.lower_bound is not None:
        value = max(value, spec.lower_bound)
    if spec.upper_bound is not None:
        value = min(value, spec.upper_bound)
    if spec.natural_limit is not None:
        value = min(value, spec.natural_limit) if spec.sign > 0 else max(value, spec.natural_limit)
    return value


def geometric(latest: Point, rate: float, spec: Spec) -> Projection:
    """Constant compound growth ``rate`` a year from the latest point."""
    return _project("geometric", latest, lambda years: latest.value * (1.0 + rate) ** years, rate * latest.value, spec,
                    monotone=rate > -1.0)


def linear(latest: Point, slope: float, spec: Spec) -> Projection:
    """Constant change ``slope`` (units a year) from the latest point."""
    return _project("linear", latest, lambda years: latest.value + slope * years, slope, spec, monotone=True)


def _project(kind: str, latest: Point, at: Callable[[float], float], drift: float, spec: Spec, *,
             monotone: bool) -> Projection:
    def value(year: float) -> float:
        return cap(at(year - latest.time), spec)

    target_year = spec.target_year
    end = None if target_year is None or target_year <= latest.time else float(target_year)
    points: list[Point] = []
    if end is not None:
        points.append(latest)
        year = math.floor(latest.time) + 1.0
        while year < end:
            points.append(Point(year, value(year), f"{int(year)}"))
            year += 1.0
        points.append(Point(end, value(end), f"{end:g}"))

    year_reached: int | None = None
    not_before: int | None = None
    if spec.target_value is not None:
        if meets(latest.value, spec):
            year_reached = math.floor(latest.time)
        else:
            years = range(math.floor(latest.time) + 1, HORIZON + 1)
            if monotone:
                # Capped values of a monotone path stay monotone, so the first year that meets the target is
                # found by bisection (the year a scan would find); on a path moving away or flat, the first
                # projected year is the best one.
                if spec.sign * drift > 0:
                    found = bisect.bisect_left(years, True, key=lambda y: meets(value(float(y)), spec))
                else:
                    found = 0 if meets(value(float(years[0])), spec) else len(years)
                year_reached = years[found] if found < len(years) else None
            else:
                year_reached = next((y for y in years if meets(value(float(y)), spec)), None)
            if year_reached is None and spec.sign * drift > 0 and not _blocked(spec):
                not_before = HORIZON
    return Projection(method=kind, target_year=target_year,
                      value_at_target_year=points[-1].value if points else None,
                      year_reached=year_reached, not_before=not_before, points=points)


def _blocked(spec: Spec) -> bool:
    """The target lies beyond a bound in the desired direction, so no pace can reach it."""
    assert spec.target_value is not None
    return not meets(cap(spec.target_value, spec), spec)
