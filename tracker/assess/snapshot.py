"""The rows of a run's assessment snapshot, made from the results by the stage that owns them.

The store saves them (``store.save_changes``), the updates read them back to tell what changed
(:mod:`tracker.updates.changes`).
"""

from __future__ import annotations

from collections.abc import Mapping

from tracker.assess.base import IndicatorResult
from tracker.observations import HEADLINE
from tracker.store.queries import AssessmentRecord


def snapshot_records(results: Mapping[str, IndicatorResult]) -> list[AssessmentRecord]:
    """The rows a run should save with ``store.save_assessments``: every verdict, the headline marked.

    ``payload["headline"]`` tells which row is the one shown first and aggregated; the rest are kept so the
    snapshot is complete, but changes are reported on the headline only (what the scorecard shows).
    """
    records: list[AssessmentRecord] = []
    for indicator_id, result in results.items():
        seen: set[tuple[str, str, str]] = set()
        rows = [
            (HEADLINE, result.headline, True),
            *((HEADLINE, a, False) for a in result.others),
            *((key, a, False) for key, a in result.subseries.items()),
        ]
        for series, assessment, headline in rows:
            key = (series, assessment.method, assessment.window)
            if key in seen:  # a method listed twice for the same window: the first (headline) wins
                continue
            seen.add(key)
            latest = assessment.latest
            records.append(
                AssessmentRecord(
                    indicator_id,
                    series,
                    assessment.method,
                    assessment.window,
                    str(assessment.category),
                    assessment.score,
                    {
                        "headline": headline,
                        "label": dict(assessment.label),
                        "latest": {"period": latest.period, "value": latest.value} if latest else None,
                    },
                )
            )
    return records
