"""Objective-level summary: the simple mean of indicator scores, banded as Open SDG bands a goal.

Source: Open SDG ``get_progress_status_from_score`` and docs/progress-methodology.md ("Aggregated progress
status"); ESCAP and Statistics Canada both aggregate by unweighted means (methodology.md 1.8).

* mean score over the indicators whose headline was assessed (score not None);
* category from the mean: [2.5, 5] on track, [0, 2.5) moderate, [−2.5, 0) limited, [−5, −2.5) deteriorating;
* ACHIEVED only when every one of the ``total`` indicators is achieved — an indicator without data might not
  be, so it blocks "achieved" (Open SDG requires all assessed series; an objective's page promises more);
* counts per headline category, every category present (0 when none); indicators of the objective missing from
  ``results`` count as insufficient data; verdicts of indicators without a target (trend only) are counted
  apart, in ``trend_counts``, because their categories mean a trend, not a distance to a target;
* coverage = assessed / total (a property of :class:`ObjectiveSummary`);
* **age and coverage gate the verdict**: only indicators assessed on current data (not stale: see
  :func:`tracker.intake.periods.is_stale`) enter the mean, and the objective publishes a category only when
  they are at least ``min_coverage`` of its indicators (``assessment.rollup_min_coverage``, default one half).
  Otherwise the category is "insufficient data" and the page says how many are assessed and how many on
  current data. Why: a mean of one indicator in seven, or of values from years ago, is not a verdict on the
  objective today (issue #12; the Open SDG goal status has no such gate, its platforms publish national data
  that are kept current).
"""

from __future__ import annotations

from collections.abc import Callable
from statistics import fmean

from tracker.assess.base import Category, IndicatorResult, ObjectiveSummary


def band(score: float) -> Category:
    """The category of a mean score (Open SDG bands)."""
    if score >= 2.5:
        return Category.ON_TRACK
    if score >= 0:
        return Category.MODERATE
    if score >= -2.5:
        return Category.LIMITED
    return Category.DETERIORATING


def summarize(
    objective_id: str,
    results: list[IndicatorResult],
    total: int,
    *,
    stale: Callable[[IndicatorResult], bool] = lambda result: False,
    min_coverage: float = 0.5,
) -> ObjectiveSummary:
    counts = {category: 0 for category in Category}
    trend_counts = {category: 0 for category in Category}
    for result in results:
        assessed_on_trend = result.headline.trend_only and result.headline.score is not None
        (trend_counts if assessed_on_trend else counts)[result.headline.category] += 1
    counts[Category.INSUFFICIENT_DATA] += max(total - len(results), 0)
    assessed = [r for r in results if r.headline.score is not None]
    current = [r for r in assessed if not stale(r)]
    enough = total > 0 and len(current) >= min_coverage * total
    scores = [s for r in current if (s := r.headline.score) is not None]  # all of them: current is assessed
    mean = fmean(scores) if scores and enough else None
    if mean is None:
        category = Category.INSUFFICIENT_DATA
    elif counts[Category.ACHIEVED] == total:
        category = Category.ACHIEVED
    else:
        category = band(mean)
    return ObjectiveSummary(
        objective_id=objective_id,
        mean_score=mean,
        category=category,
        counts=counts,
        assessed=len(assessed),
        total=total,
        current=len(current),
        min_coverage=min_coverage,
        trend_counts=trend_counts,
    )
