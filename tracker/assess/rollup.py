"""Objective-level summary: the simple mean of indicator scores, banded as Open SDG bands a goal.

Source: Open SDG ``get_progress_status_from_score`` and docs/progress-methodology.md ("Aggregated progress
status"); ESCAP and Statistics Canada both aggregate by unweighted means (methodology.md 1.8).

* mean score over the indicators whose headline was assessed (score not None);
* category from the mean: [2.5, 5] on track, [0, 2.5) moderate, [−2.5, 0) limited, [−5, −2.5) deteriorating;
* ACHIEVED only when every one of the ``total`` indicators is achieved — an indicator without data might not
  be, so it blocks "achieved" (Open SDG requires all assessed series; an objective's page promises more);
* counts per headline category, every category present (0 when none); indicators of the objective missing from
  ``results`` count as insufficient data;
* coverage = assessed / total (a property of :class:`ObjectiveSummary`).
"""

from __future__ import annotations

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


def summarize(objective_id: str, results: list[IndicatorResult], total: int) -> ObjectiveSummary:
    counts = {category: 0 for category in Category}
    for result in results:
        counts[result.headline.category] += 1
    counts[Category.INSUFFICIENT_DATA] += max(total - len(results), 0)
    scores = [r.headline.score for r in results if r.headline.score is not None]
    mean = fmean(scores) if scores else None
    if mean is None:
        category = Category.INSUFFICIENT_DATA
    elif total > 0 and counts[Category.ACHIEVED] == total:
        category = Category.ACHIEVED
    else:
        category = band(mean)
    return ObjectiveSummary(objective_id=objective_id, mean_score=mean, category=category, counts=counts,
                            assessed=len(scores), total=total)
