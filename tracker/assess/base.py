"""Shared vocabulary of the progress methods: points, the spec of a series, and what a method returns.

Each method (one module per source: Eurostat, Statistics Canada / Open SDG, UNSD, UN ESCAP, linear) turns a
series plus a :class:`Spec` into :class:`Assessment` objects. Categories are common to all methods so that
pages, roll-ups and updates can compare them; each method keeps its own published wording in ``label``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Category(StrEnum):
    """Common categories, ordered from best to worst (see ``RANK``)."""

    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    MODERATE = "moderate"
    LIMITED = "limited"
    DETERIORATING = "deteriorating"
    INSUFFICIENT_DATA = "insufficient_data"


#: Higher is better; insufficient data has no rank.
RANK: dict[Category, int] = {
    Category.ACHIEVED: 4,
    Category.ON_TRACK: 3,
    Category.MODERATE: 2,
    Category.LIMITED: 1,
    Category.DETERIORATING: 0,
}
#: Symbols shown beside the words, so a category is never told by colour alone.
SYMBOL: dict[Category, str] = {
    Category.ACHIEVED: "✔",
    Category.ON_TRACK: "↑",
    Category.MODERATE: "↗",
    Category.LIMITED: "→",
    Category.DETERIORATING: "↓",
    Category.INSUFFICIENT_DATA: "…",
}


@dataclass(frozen=True)  # no slots: 100,000 kept points unpickle 2x faster through __dict__
class Point:
    time: float  # decimal year
    value: float
    period: str = ""  # label as published, e.g. "2015-Q4"


@dataclass(frozen=True)
class Spec:
    """What a method needs to know about an indicator, independent of the catalogue's YAML."""

    sign: int  # +1 higher is better, -1 lower is better
    target_value: float | None = None
    target_year: float | None = None
    baseline_year: float | None = None  # None: configured base year, else first year with data from it
    baseline_value: float | None = None
    natural_limit: float | None = None  # bound in the desired direction (100 for an increasing percentage)
    lower_bound: float | None = None
    upper_bound: float | None = None
    base_year: int = 2015  # configured default base year (Open SDG: first year with data from this one)
    thresholds: dict[str, float] = field(default_factory=dict)  # overrides of the method's cut-offs


@dataclass(frozen=True)
class Projection:
    """Where the recent values lead (see :mod:`tracker.assess.projection` for the model and its rules)."""

    method: str  # "drift": random walk with drift over the last years' values
    target_year: float | None
    value_at_target_year: float | None  # central estimate in the target year
    year_reached: int | None  # the central path meets the target in this year (always after the latest value)
    not_before: int | None  # ... or not before this year (moving towards the target, too slowly)
    points: list[Point] = field(default_factory=list)  # the central path, from the latest value (mid-period)
    low: list[float] = field(default_factory=list)  # the prediction interval, one bound per point
    high: list[float] = field(default_factory=list)
    level: float = 0.8  # of the prediction interval
    drift: float = 0.0  # change a year over the fitted values
    sigma: float = 0.0  # spread of the yearly changes
    fitted_from: str = ""  # period labels of the first and last fitted values
    fitted_to: str = ""
    fitted_count: int = 0
    reached_range: tuple[int | None, int | None] = (None, None)  # years the interval's edges meet the target

    @property
    def range_at_target_year(self) -> tuple[float, float] | None:
        return (self.low[-1], self.high[-1]) if self.low and self.high else None


@dataclass(frozen=True)
class Assessment:
    method: str  # registry name: "eurostat", "opensdg", "unsd", "escap", "linear"
    window: str  # "short" (5 years), "long" (15 years), or "base" (from the base year)
    category: Category
    score: float | None  # -5..+5 for aggregation; None when not assessed
    label: dict[str, str]  # the method's own wording, {"it": ..., "en": ...}
    base: Point | None = None
    latest: Point | None = None
    figures: dict[str, float | None] = field(default_factory=dict)  # actual_growth, required_growth, ratio...
    projection: Projection | None = None  # of the series (shared by its windows); None: see projection_note
    reason: dict[str, str] = field(default_factory=dict)  # why not assessed, plain words {"it","en"}
    projection_note: dict[str, str] = field(default_factory=dict)  # why there is no projection {"it","en"}
    notes: list[dict[str, str]] = field(default_factory=list)  # where verdict and projection differ, and why
    trend_only: bool = False  # no quantified target: Eurostat's trend categories and words, never "on track"


@dataclass(frozen=True)
class IndicatorResult:
    indicator_id: str
    headline: Assessment  # the one shown first and aggregated (the method's headline window)
    others: list[Assessment] = field(default_factory=list)  # other windows / methods, shown beside it
    subseries: dict[str, Assessment] = field(default_factory=dict)  # series key -> assessment


@dataclass(frozen=True)
class ObjectiveSummary:
    objective_id: str
    mean_score: float | None
    category: Category  # from the mean score (Open SDG bands); ACHIEVED only if every indicator achieved
    counts: dict[Category, int]
    assessed: int
    total: int
    current: int = 0  # assessed on data that is not stale: the only ones in the mean score
    min_coverage: float = 0.5  # share of ``total`` that ``current`` must reach for a category
    trend_counts: dict[Category, int] = field(default_factory=dict)  # verdicts of indicators without a target

    @property
    def withheld(self) -> bool:
        """Some indicators are assessed, but too few on current data for a verdict on the objective."""
        return self.category is Category.INSUFFICIENT_DATA and self.assessed > 0

    @property
    def coverage(self) -> float:
        return self.assessed / self.total if self.total else 0.0
