"""Objective roll-up: mean score, Open SDG bands, achieved only when all are, counts, coverage."""

from __future__ import annotations

import pytest

from tracker.assess.base import Assessment, Category, IndicatorResult
from tracker.assess.rollup import band, summarize


def result(name: str, category: Category, score: float | None) -> IndicatorResult:
    return IndicatorResult(name, Assessment("opensdg", "base", category, score, {"en": "x", "it": "x"}))


def test_mean_and_band() -> None:
    s = summarize(
        "mobility",
        [
            result("a", Category.ON_TRACK, 3.0),
            result("b", Category.DETERIORATING, -4.0),
            result("c", Category.MODERATE, 2.0),
        ],
        3,
    )
    assert s.mean_score == pytest.approx(1 / 3)
    assert s.category is Category.MODERATE
    assert s.assessed == 3 and s.total == 3 and s.coverage == 1


@pytest.mark.parametrize(
    ("score", "category"),
    [
        (5, Category.ON_TRACK),
        (2.5, Category.ON_TRACK),
        (2.4999, Category.MODERATE),
        (0, Category.MODERATE),
        (-0.0001, Category.LIMITED),
        (-2.5, Category.LIMITED),
        (-2.5001, Category.DETERIORATING),
        (-5, Category.DETERIORATING),
    ],
)
def test_band_edges(score: float, category: Category) -> None:
    assert band(score) is category


def test_achieved_only_when_every_indicator_is() -> None:
    all_met = summarize("o", [result("a", Category.ACHIEVED, 5), result("b", Category.ACHIEVED, 5)], 2)
    assert all_met.category is Category.ACHIEVED
    one_missing = summarize("o", [result("a", Category.ACHIEVED, 5), result("b", Category.ACHIEVED, 5)], 3)
    assert one_missing.category is Category.ON_TRACK and one_missing.coverage == pytest.approx(2 / 3)
    one_unassessed = summarize(
        "o", [result("a", Category.ACHIEVED, 5), result("b", Category.INSUFFICIENT_DATA, None)], 2
    )
    assert one_unassessed.category is Category.ON_TRACK and one_unassessed.mean_score == 5
    mixed = summarize("o", [result("a", Category.ACHIEVED, 5), result("b", Category.ON_TRACK, 5)], 2)
    assert mixed.category is Category.ON_TRACK


def test_counts_include_every_category_and_missing_indicators() -> None:
    s = summarize("o", [result("a", Category.LIMITED, -1), result("b", Category.INSUFFICIENT_DATA, None)], 4)
    assert set(s.counts) == set(Category)
    assert s.counts[Category.LIMITED] == 1 and s.counts[Category.INSUFFICIENT_DATA] == 3
    assert sum(s.counts.values()) == 4
    # one of four assessed: below the default half, so no verdict on the objective, and it says so
    assert s.assessed == 1 and s.coverage == 0.25 and s.category is Category.INSUFFICIENT_DATA and s.withheld
    assert s.mean_score is None
    lenient = summarize(
        "o",
        [result("a", Category.LIMITED, -1), result("b", Category.INSUFFICIENT_DATA, None)],
        4,
        min_coverage=0.25,
    )
    assert lenient.category is Category.LIMITED and lenient.mean_score == -1 and not lenient.withheld


def test_stale_verdicts_are_counted_but_not_rolled_up() -> None:
    results = [
        result("a", Category.ON_TRACK, 4.0),
        result("b", Category.DETERIORATING, -4.0),
        result("c", Category.ON_TRACK, 3.0),
    ]
    s = summarize("o", results, 3, stale=lambda r: r.indicator_id == "b")
    assert s.assessed == 3 and s.current == 2
    assert s.mean_score == 3.5 and s.category is Category.ON_TRACK  # "b" is old: not in the mean
    thin = summarize("o", results, 3, stale=lambda r: r.indicator_id != "a")
    assert thin.current == 1 and thin.category is Category.INSUFFICIENT_DATA and thin.withheld


def test_nothing_assessed() -> None:
    s = summarize("o", [result("a", Category.INSUFFICIENT_DATA, None)], 1)
    assert s.mean_score is None and s.category is Category.INSUFFICIENT_DATA and s.assessed == 0
    empty = summarize("o", [], 0)
    assert empty.category is Category.INSUFFICIENT_DATA and empty.coverage == 0.0
