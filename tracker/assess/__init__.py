"""Progress assessment: one module per published method, a registry, projections and the objective roll-up.

Entry point: :func:`assess_indicator` turns one indicator's observations into an :class:`IndicatorResult`:

* ``headline`` — the chosen method's headline window (Eurostat: "short"; the others: "base") on the headline
  series (series key ``""``). When only disaggregated series exist, the headline says so instead of picking
  one of them or averaging them behind the reader's back;
* ``others`` — the method's other windows on the headline series (Eurostat: "long");
* ``subseries`` — the headline window for every disaggregated series, keyed by series key; each uses the
  indicator's target and direction, but not its baseline value (declared for the total only).

Only the city's own exact values are assessed (:func:`tracker.observations.assessable`): a published bound
(">63 %") and a peer territory's value never make a verdict, a baseline, a projection or a "reached" claim.

Sub-annual observations (fractional ``time``) are reduced to one value per calendar year by every method —
the latest one in the year (see :func:`tracker.assess.growth.annual` for why).

Every series also gets one projection (:mod:`tracker.assess.projection`), shared by its windows, and notes
where the verdict and the projection tell different stories. An indicator without a quantified target gets
Eurostat's assessment for indicators without a target (trend only, its own four categories and words), whatever
method it names, except ``opensdg``, which replicates a platform's published figures.

Two Open SDG rules apply to any indicator that declares them (the importer writes them from the metadata):
``automatic_progress: false`` publishes no automatic verdict, only the platform's ``manual_status`` shown as
such; ``progress_series`` (method ``opensdg``) scores each listed series with its own options, and the headline
is their mean score (``subseries`` then holds exactly those series' verdicts).
"""

from __future__ import annotations

import dataclasses
import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from tracker.assess import opensdg
from tracker.assess.base import Assessment, Category, IndicatorResult, Point, Projection, Spec
from tracker.assess.projection import project
from tracker.assess.registry import METHODS, headline_window, method_for, spec_for
from tracker.assess.text import reason, when
from tracker.catalog import Indicator
from tracker.config import AssessmentSettings
from tracker.intake.periods import is_stale
from tracker.observations import HEADLINE, Observation, assessable, series_key
from tracker.wording import msg, words

log = logging.getLogger(__name__)

__all__ = ["assess_indicator", "METHODS"]


def assess_indicator(
    indicator: Indicator,
    observations: Iterable[Observation],
    assessment_config: AssessmentSettings,
    today: date | None = None,
) -> IndicatorResult:
    """Assess one indicator with its method (definition → config → default by unit).

    ``today``: the run's date, which judges the age of the data (no projection from stale data, a note on a
    target met long ago); None leaves age unjudged.
    """
    method = method_for(indicator, assessment_config)
    trend_only = indicator.target is None
    if not indicator.automatic_progress:
        headline = dataclasses.replace(opensdg.manual(indicator.manual_status), trend_only=trend_only)
        return IndicatorResult(indicator_id=indicator.id, headline=headline)
    if trend_only and method != "opensdg":
        method = "eurostat"
    spec = spec_for(indicator, assessment_config, method)
    assess = METHODS[method]
    window = headline_window(method)

    series: dict[str, list[Point]] = defaultdict(list)
    # Only the city's own exact values: a bound (">63 %") is not a value, and a peer's value is not the city's.
    for obs in assessable(observations):
        series[obs.series].append(Point(obs.time, obs.value, obs.period))

    def finish(
        results: list[Assessment], points: list[Point], series_spec: Spec, *, projected: bool = True
    ) -> list[Assessment]:
        """The method's results with the series' projection (or why there is none) and the notes. Only the
        headline series is projected: it is the one drawn and quoted; a sub-series is judged by its verdict."""
        projection, note = (
            project(points, series_spec, frequency=indicator.frequency, today=today)
            if projected
            else (None, {})
        )
        return [
            dataclasses.replace(
                a,
                projection=projection,
                projection_note=note,
                trend_only=trend_only,
                notes=notes(a, projection, series_spec, indicator.frequency, today),
            )
            for a in results
        ]

    if indicator.progress_series and method == "opensdg":
        parts: dict[str, Assessment] = {}
        for entry in indicator.progress_series:
            key = series_key(entry.select)
            part_spec = dataclasses.replace(
                spec,
                sign=entry.sign,
                target_value=entry.target,
                target_year=entry.target_year,
                baseline_year=entry.base_year,
                baseline_value=None,
                natural_limit=entry.natural_limit,
            )
            points = series.get(key, [])
            found = finish(assess(points, part_spec), points, part_spec)
            parts[key] = dataclasses.replace(_pick(found, window), trend_only=entry.target is None)
        all_trend = all(e.target is None for e in indicator.progress_series)
        headline = opensdg.combined(list(parts.values()), all_trend)
        return IndicatorResult(indicator_id=indicator.id, headline=headline, subseries=parts)

    if HEADLINE in series:
        results = finish(assess(series[HEADLINE], spec), series[HEADLINE], spec)
        headline = _pick(results, window)
        others = [a for a in results if a is not headline]
    else:
        headline = dataclasses.replace(_pick(assess([], spec), window), trend_only=trend_only)
        disaggregated = [k for k in series if k != HEADLINE]
        if disaggregated:
            headline = dataclasses.replace(headline, reason=reason("no_headline", count=len(disaggregated)))
        others = []

    sub_spec = dataclasses.replace(spec, baseline_value=None)
    subseries = {
        key: _pick(finish(assess(points, sub_spec), points, sub_spec, projected=False), window)
        for key, points in sorted(series.items())
        if key != HEADLINE
    }
    log.debug("%s: %s %s → %s", indicator.id, method, window, headline.category)
    return IndicatorResult(indicator_id=indicator.id, headline=headline, others=others, subseries=subseries)


#: The share of the needed pace each method counts as "on track" when it is under 100 % (a tolerance the page
#: must explain when the projection arrives late), as each language writes a percentage.
_SHARE_95 = msg("tolerance", "95 %")
TOLERANCE = {"eurostat": _SHARE_95, "opensdg": _SHARE_95, "unsd": _SHARE_95}


def notes(
    a: Assessment, projection: Projection | None, spec: Spec, frequency: str, today: date | None
) -> list[dict[str, str]]:
    """Plain words wherever the verdict and the projection seem to disagree, so a page never contradicts itself.

    * on track, while the recent trend reaches the target after the target year (or never): say both, and the
      method's tolerance when it has one;
    * not on track, while the recent trend reaches the target in time: say the recent values move faster;
    * achieved on a value that is now stale: say no newer value confirms it.
    """
    found: list[dict[str, str]] = []
    if (
        a.category is Category.ACHIEVED
        and a.latest is not None
        and today is not None
        and is_stale(a.latest.period, frequency, today)
    ):
        found.append(reason("note_achieved_stale", period=a.latest.period))
    if projection is None or a.base is None or a.latest is None or spec.target_year is None:
        return found
    span = {
        "base": a.base.period or f"{a.base.time:g}",
        "latest": a.latest.period or f"{a.latest.time:g}",
        "first": projection.fitted_from,
        "last": projection.fitted_to,
    }
    target_year = int(spec.target_year)
    on_time = projection.year_reached is not None and projection.year_reached <= target_year
    if a.category is Category.ON_TRACK and not on_time:
        kind = "in" if projection.year_reached else "not_before" if projection.not_before else "never"
        year = projection.year_reached or projection.not_before
        found.append(reason("note_slower", **span, target_year=target_year, when=when(kind, year)))
        if a.method in TOLERANCE:
            found.append(reason("note_tolerance", share=words(TOLERANCE[a.method])))
    elif a.category in (Category.MODERATE, Category.LIMITED, Category.DETERIORATING) and on_time:
        found.append(reason("note_faster", **span, year=projection.year_reached))
    return found


def _pick(results: list[Assessment], window: str) -> Assessment:
    return next((a for a in results if a.window == window), results[0])


def assessed(result: IndicatorResult) -> bool:
    """Whether the headline carries a verdict (and so counts in a roll-up)."""
    return result.headline.category is not Category.INSUFFICIENT_DATA
