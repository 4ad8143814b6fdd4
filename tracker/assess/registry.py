"""Method names → functions, the default method of an indicator, and the :class:`Spec` built from a definition.

Adding a method means adding a module with ``assess(points, spec) -> list[Assessment]`` and one line in
:data:`METHODS` (and :data:`HEADLINE_WINDOW` if its headline is not the "base" window).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from tracker.assess import escap, eurostat, linear, opensdg, unsd
from tracker.assess.base import Assessment, Point, Spec
from tracker.catalog import Indicator
from tracker.config import METHOD_NAMES, AssessmentSettings

MethodFn = Callable[[Sequence[Point], Spec], list[Assessment]]

METHODS: dict[str, MethodFn] = {
    "eurostat": eurostat.assess,
    "opensdg": opensdg.assess,
    "unsd": unsd.assess,
    "escap": escap.assess,
    "linear": linear.assess,
}
if set(METHODS) != set(METHOD_NAMES):  # the names configuration and catalogue accept
    raise ImportError(
        f"tracker.config.METHOD_NAMES {METHOD_NAMES} differs from the registry {sorted(METHODS)}"
    )

#: The window shown first and aggregated: Eurostat's recent reports lead with the 5-year trend.
HEADLINE_WINDOW: dict[str, str] = {"eurostat": "short"}


def headline_window(method: str) -> str:
    return HEADLINE_WINDOW.get(method, "base")


def default_method(indicator: Indicator) -> str:
    """The method used when neither the definition nor ``config.yaml`` names one.

    Following methodology.md 1.8 ("default geometric for counts/rates far from bounds, linear for percentages
    near 0/100"):

    * ``linear`` for percentages: bounded at 0 and 100, where a constant growth rate overshoots (a rising
      share projects past 100 %) or cannot start (a share of 0 has no growth rate);
    * ``linear`` when values may be negative (an ``index`` without ``unit.min ≥ 0``): a growth rate is
      undefined across zero;
    * ``linear`` when the target sits on a unit bound (typically "zero deaths"): a geometric path never reaches
      0, so Eurostat's required rate would be −100 % a year and any real progress would read as insufficient;
    * ``eurostat`` otherwise (counts, rates, amounts, positive indices): the EU reference method, scale-free,
      with both the 5- and 15-year windows.
    """
    low, high = indicator.unit.bounds
    if indicator.unit.kind == "percent":
        return "linear"
    if low < 0:
        return "linear"
    if indicator.target is not None and indicator.target.value in (low, high):
        return "linear"
    return "eurostat"


def method_for(indicator: Indicator, config: AssessmentSettings) -> str:
    """The definition's ``method``, else ``assessment.default_method``, else :func:`default_method`."""
    name = indicator.method or config.default_method or default_method(indicator)
    if name not in METHODS:
        raise ValueError(
            f"indicator {indicator.id}: unknown progress method {name!r} "
            f"(use one of: {', '.join(sorted(METHODS))})"
        )
    return name


def natural_limit(indicator: Indicator, method: str | None = None) -> float | None:
    """The definition's ``natural_limit``, else the unit's finite bound in the desired direction.

    An increasing percentage is limited by 100 (or ``unit.max``), a decreasing one by 0; a decreasing count
    by 0; an increasing count has no limit. The ``opensdg`` method is the exception: sdg-build applies a
    limit only when the metadata sets one, so its results match the platforms' published figures.
    """
    if indicator.natural_limit is not None or method == "opensdg":
        return indicator.natural_limit
    low, high = indicator.unit.bounds
    bound = high if indicator.sign > 0 else low
    return bound if math.isfinite(bound) else None


def spec_for(indicator: Indicator, config: AssessmentSettings, method: str | None = None) -> Spec:
    """Everything a method needs, from the definition and ``config.yaml`` (``assessment.thresholds[method]``)."""
    method = method or method_for(indicator, config)
    low, high = indicator.unit.bounds
    overrides = config.thresholds.get(method)
    thresholds = {k: v for k, v in overrides.model_dump().items() if v is not None} if overrides else {}
    return Spec(
        sign=indicator.sign,
        target_value=indicator.target.value if indicator.target else None,
        target_year=indicator.target.year if indicator.target else None,
        baseline_year=indicator.baseline.year if indicator.baseline else None,
        baseline_value=indicator.baseline.value if indicator.baseline else None,
        natural_limit=natural_limit(indicator, method),
        lower_bound=low if math.isfinite(low) else None,
        upper_bound=high if math.isfinite(high) else None,
        base_year=config.base_year,
        thresholds=thresholds,
    )
