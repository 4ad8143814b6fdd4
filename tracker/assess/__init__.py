"""Progress assessment: one module per published method, a registry, projections and the objective roll-up.

Entry point: :func:`assess_indicator` turns one indicator's observations into an :class:`IndicatorResult`:

* ``headline`` — the chosen method's headline window (Eurostat: "short"; the others: "base") on the headline
  series (series key ``""``). When only disaggregated series exist, the headline says so instead of picking
  one of them or averaging them behind the reader's back;
* ``others`` — the method's other windows on the headline series (Eurostat: "long");
* ``subseries`` — the headline window for every disaggregated series, keyed by series key; each uses the
  indicator's target and direction, but not its baseline value (declared for the total only).

Sub-annual observations (fractional ``time``) are reduced to one value per calendar year by every method —
the latest one in the year (see :func:`tracker.assess.growth.annual` for why).
"""

from __future__ import annotations

import dataclasses
import logging
from collections import defaultdict
from collections.abc import Iterable

from tracker.assess.base import Assessment, Category, IndicatorResult, Point
from tracker.assess.registry import METHODS, headline_window, method_for, spec_for
from tracker.assess.text import reason
from tracker.catalog import Indicator
from tracker.config import Assessment as AssessmentConfig
from tracker.observations import HEADLINE, Observation

log = logging.getLogger(__name__)

__all__ = ["assess_indicator", "METHODS"]


def assess_indicator(indicator: Indicator, observations: Iterable[Observation],
                     assessment_config: AssessmentConfig) -> IndicatorResult:
    """Assess one indicator with its method (definition → config → default by unit)."""
    method = method_for(indicator, assessment_config)
    spec = spec_for(indicator, assessment_config, method)
    assess = METHODS[method]
    window = headline_window(method)

    series: dict[str, list[Point]] = defaultdict(list)
    for obs in observations:
        series[obs.series].append(Point(obs.time, obs.value, obs.period))

    if HEADLINE in series:
        results = assess(series[HEADLINE], spec)
        headline = _pick(results, window)
        others = [a for a in results if a is not headline]
    else:
        headline = _pick(assess([], spec), window)  # the method's own "not assessed" wording
        disaggregated = [k for k in series if k != HEADLINE]
        if disaggregated:
            headline = dataclasses.replace(headline, reason=reason("no_headline", count=len(disaggregated)))
        others = []

    sub_spec = dataclasses.replace(spec, baseline_value=None)
    subseries = {key: _pick(assess(points, sub_spec), window)
                 for key, points in sorted(series.items()) if key != HEADLINE}
    log.debug("%s: %s %s → %s", indicator.id, method, window, headline.category)
    return IndicatorResult(indicator_id=indicator.id, headline=headline, others=others, subseries=subseries)


def _pick(results: list[Assessment], window: str) -> Assessment:
    return next((a for a in results if a.window == window), results[0])


def assessed(result: IndicatorResult) -> bool:
    """Whether the headline carries a verdict (and so counts in a roll-up)."""
    return result.headline.category is not Category.INSUFFICIENT_DATA
