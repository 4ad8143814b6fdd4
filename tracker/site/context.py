"""What the pages show, gathered once from the pipeline's plain values (language-independent).

The templates only format and translate; every decision (which series is the headline, whether a value is
overdue, which baseline to mark) is taken here so that pages, ``scorecard.json`` and the open data agree.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

import orjson

from tracker.assess.base import RANK, Assessment, Category, IndicatorResult, ObjectiveSummary, Point
from tracker.catalog import Catalog, Entry, Indicator, Objective
from tracker.config import Settings
from tracker.intake.periods import (  # noqa: F401 (add_months, next_due, period_end: re-exported)
    add_months,
    is_stale,
    next_due,
    period_end,
    reporting_status,
)
from tracker.observations import HEADLINE, Observation, parse_series_key

#: Order in which categories are listed (best first, then "not assessed").
CATEGORY_ORDER: list[Category] = [*sorted(RANK, key=RANK.__getitem__, reverse=True), Category.INSUFFICIENT_DATA]
#: The keys of ``Assessment.figures`` shown in the "figures behind the verdict" table, in this order, and how
#: each is written: ``rate`` a signed percentage per year, ``percent`` a share, ``change`` a signed amount in the
#: indicator's unit (points for percentages), ``unit`` in the indicator's unit, ``years``, or a plain ``number``. Other keys (base/latest/target values, thresholds, sign) are shown elsewhere on the
#: page or only in the JSON download.
FIGURES: dict[str, str] = {
    "actual_growth": "rate", "required_growth": "rate", "adjusted_growth": "rate", "relative_change": "rate",
    "actual_change": "change", "required_change": "change", "ratio": "percent", "current_status": "percent",
    "expected_share": "percent", "status_ratio": "percent", "gap_ratio": "percent", "projected_value": "unit",
    "c_factor": "number", "span_years": "years",
}


@dataclass(frozen=True)
class SeriesView:
    key: str  # "" for the headline
    labels: dict[str, str]  # language -> "Municipio: 1"; empty for the headline (the template says "Total")
    observations: list[Observation]


@dataclass(frozen=True)
class HistoryItem:
    at: date | None
    category: Category | None
    score: float | None
    note: str = ""


@dataclass(frozen=True)
class DataBrief:
    """What the shared pages, the downloads' schema and a page's reuse key need of an indicator's values,
    without the values themselves: an incremental build leaves unchanged indicators' observations in the
    database (``tracker.pipeline`` keeps the briefs between runs with the results)."""

    count: int  # observations
    series: tuple[SeriesView, ...]  # every series with its labels, headline first; ``observations`` left empty
    latest: Observation | None  # of the headline series
    baseline: Point | None  # the marker on the chart: the definition's baseline, else the method's base point
    digest: str  # of every observation as the pages and downloads show it (see :func:`values_digest`)
    result: str = ""  # of the indicator's assessment (see :func:`result_digest`): kept, not recomputed
    # When the stored values last changed (``tracker.store.data_changed``): the page's "last updated". Kept
    # with the brief, which is made again whenever a file of the indicator is accepted.
    changed: datetime | None = None


@dataclass
class IndicatorView:
    entry: Entry
    objective: Objective
    brief: DataBrief
    result: IndicatorResult | None
    status: str  # "current", "overdue", "no_data" or "irregular"
    due: date | None  # when the next value is expected at the latest
    updated: date | None  # when its values last changed, in the city's time zone (never the build date)
    history: list[HistoryItem] = field(default_factory=list)
    loaded: list[SeriesView] | None = None  # the values; None until :meth:`SiteContext.load` brings them
    stale: bool = False  # the latest value is too old to stand for the build date (see periods.is_stale)

    @property
    def ind(self) -> Indicator:
        return self.entry.indicator

    @property
    def id(self) -> str:
        return self.ind.id

    @property
    def path(self) -> str:
        return f"indicators/{self.id}.html"

    @property
    def series(self) -> list[SeriesView]:
        """The series with their observations (only the indicators whose own files are rendered need them)."""
        if self.loaded is None:
            raise LookupError(f"{self.id}: values not loaded; call SiteContext.load() first")
        return self.loaded

    @property
    def baseline(self) -> Point | None:
        return self.brief.baseline

    @property
    def latest(self) -> Observation | None:
        return self.brief.latest

    @property
    def observations(self) -> list[Observation]:
        return [o for s in self.series for o in s.observations]

    @property
    def has_data(self) -> bool:
        return self.brief.count > 0

    @property
    def series_keys(self) -> list[str]:
        return [s.key for s in self.brief.series]

    @property
    def assessment(self) -> Assessment | None:
        return self.result.headline if self.result else None

    @property
    def assessments(self) -> list[Assessment]:
        return [self.result.headline, *self.result.others] if self.result else []

    def series_label(self, key: str, lang: str) -> str:
        """The label of a series key in ``lang`` ("" for the headline, the raw key if the series has no values)."""
        found = next((s for s in self.brief.series if s.key == key), None)
        return found.labels.get(lang, key) if found else key

    @property
    def figure_keys(self) -> list[str]:
        """The rows of the figures table: the known keys that some window of this indicator has a value for."""
        return [k for k in FIGURES if any(a.figures.get(k) is not None for a in self.assessments)]

    @property
    def category(self) -> Category:
        return self.assessment.category if self.assessment else Category.INSUFFICIENT_DATA

    @property
    def assessed(self) -> bool:
        return self.category is not Category.INSUFFICIENT_DATA

    @property
    def trend_only(self) -> bool:
        """No quantified target: Eurostat's trend categories and words (never "on track")."""
        return self.ind.target is None

    @property
    def data_period(self) -> str:
        """The period of the value the verdict rests on (the headline's latest), for "data from 2017"."""
        a = self.assessment
        if a is not None and a.latest is not None:
            return a.latest.period or str(int(a.latest.time))
        return self.latest.period if self.latest else ""


@dataclass
class ObjectiveView:
    objective: Objective
    summary: ObjectiveSummary
    indicators: list[IndicatorView]

    @property
    def id(self) -> str:
        return self.objective.id

    @property
    def path(self) -> str:
        return f"objectives/{self.id}.html"

    @property
    def with_data(self) -> int:
        return sum(1 for i in self.indicators if i.has_data)

    @property
    def overdue(self) -> list[IndicatorView]:
        return [i for i in self.indicators if i.status == "overdue"]

    @property
    def updated(self) -> date | None:
        """When the values of any of its indicators last changed."""
        return max((i.updated for i in self.indicators if i.updated), default=None)


class StaleBrief(RuntimeError):
    """A kept brief does not describe the stored values: the page would mix new values with an old verdict.
    Raised before anything is published; ``tracker.pipeline`` then recomputes everything."""


#: Observations of the given indicators, as ``tracker.store.current_observations`` returns them.
Loader = Callable[[list[str]], Mapping[str, list[Observation]]]


@dataclass
class SiteContext:
    settings: Settings
    catalog: Catalog
    objectives: list[ObjectiveView]
    generated_at: datetime
    loader: Loader | None = None  # where the values of indicators built from a brief come from

    @property
    def built_on(self) -> date:
        """The build's date in the city's time zone: "page built on" (the run's clock, not the data's)."""
        at = self.generated_at
        return (at.astimezone(ZoneInfo(self.settings.config.timezone)) if at.tzinfo else at).date()

    def load(self, views: Iterable[IndicatorView]) -> None:
        """Bring the values of ``views`` that only have a brief, in one call to the loader."""
        missing = [v for v in views if v.loaded is None]
        if not missing:
            return
        if self.loader is None:
            raise LookupError(f"no loader for the values of {len(missing)} indicator(s)")
        found = self.loader([v.id for v in missing])
        for view in missing:
            view.loaded = series_views(view.ind, found.get(view.id, []))
            if values_digest(view.loaded) != view.brief.digest:  # the brief was kept from an earlier run
                raise StaleBrief(f"{view.id}: the stored values differ from the summary kept with its result")

    @property
    def indicators(self) -> list[IndicatorView]:
        return [i for o in self.objectives for i in o.indicators]

    @property
    def counts(self) -> dict[Category, int]:
        """Verdicts by category; those of indicators without a target are in :attr:`trend_counts`."""
        found = Counter(i.category for i in self.indicators if not (i.trend_only and i.assessed))
        return {c: found.get(c, 0) for c in CATEGORY_ORDER}

    @property
    def trend_counts(self) -> dict[Category, int]:
        """Trend-only verdicts (no target) by category: their words differ, so they are counted apart."""
        found = Counter(i.category for i in self.indicators if i.trend_only and i.assessed)
        return {c: found.get(c, 0) for c in CATEGORY_ORDER if c in found}

    @property
    def assessed(self) -> int:
        return sum(1 for i in self.indicators if i.assessed)

    @property
    def with_data(self) -> int:
        return sum(1 for i in self.indicators if i.has_data)

    @property
    def overdue(self) -> int:
        return sum(1 for i in self.indicators if i.status == "overdue")

    @property
    def assessed_current(self) -> int:
        """Verdicts that rest on current data: the ones a reader can take as today's."""
        return sum(1 for i in self.indicators if i.assessed and not i.stale)

    @property
    def stale_counts(self) -> dict[Category, int]:
        """Per category, how many of its verdicts rest on stale data (shown beside the counts)."""
        found = Counter(i.category for i in self.indicators if i.assessed and i.stale and not i.trend_only)
        return {c: found.get(c, 0) for c in CATEGORY_ORDER}


def figure_kind(key: str) -> str:
    return FIGURES.get(key, "number")


# --- building the context --------------------------------------------------------------------------------

def series_views(indicator: Indicator, observations: Iterable[Observation]) -> list[SeriesView]:
    """Observations grouped by series, headline first, each in time order."""
    groups: dict[str, list[Observation]] = {}
    for obs in observations:
        groups.setdefault(obs.series, []).append(obs)
    labels = {d.column: d.label for d in indicator.disaggregations}
    views = []
    for key in sorted(groups, key=lambda k: (k != HEADLINE, k)):
        parts = parse_series_key(key)
        names = {lang: ", ".join(f"{labels[c].get(lang) if c in labels else c}: {v}" for c, v in parts.items())
                 for lang in ("it", "en")}
        views.append(SeriesView(key, names if key else {}, sorted(groups[key], key=lambda o: (o.time, o.period))))
    return views


def baseline_point(indicator: Indicator, series: list[SeriesView], result: IndicatorResult | None) -> Point | None:
    base = indicator.baseline
    if base is not None:
        if base.value is not None:
            return Point(float(base.year), base.value, str(base.year))
        head = series[0].observations if series and series[0].key == HEADLINE else []
        same_year = [o for o in head if o.period.startswith(str(base.year))]
        if same_year:
            return Point(same_year[0].time, same_year[0].value, same_year[0].period)
    if result is not None and result.headline.base is not None:
        return result.headline.base
    return None


def history_items(records: Iterable[object], tz: ZoneInfo | None = None) -> list[HistoryItem]:
    """Normalise the pipeline's history records (mappings or objects with ``at``, ``category``, ``score``);
    aware times become dates in ``tz`` (the city's), not in UTC."""
    items = []
    for record in records:
        get = record.get if isinstance(record, Mapping) else (lambda k, r=record: getattr(r, k, None))
        at = get("at") or get("date") or get("generated_at")
        if isinstance(at, str):
            try:
                at = datetime.fromisoformat(at)
            except ValueError:
                at = None
        if isinstance(at, datetime):
            at = (at.astimezone(tz) if tz is not None and at.tzinfo else at).date()
        raw = get("category")
        category = Category(raw) if raw in {c.value for c in Category} else None
        score = get("score")
        items.append(HistoryItem(at if isinstance(at, date) else None, category,
                                 float(score) if isinstance(score, int | float) else None, str(get("note") or "")))
    return sorted(items, key=lambda h: h.at or date.min, reverse=True)


def fallback_summary(objective_id: str, views: list[IndicatorView]) -> ObjectiveSummary:
    """Counts only, for an objective the pipeline sent no summary for (no score is invented)."""
    counts = Counter(v.category for v in views)
    return ObjectiveSummary(objective_id, None, Category.INSUFFICIENT_DATA,
                            {c: counts.get(c, 0) for c in CATEGORY_ORDER}, 0, len(views))


def values_digest(series: Iterable[SeriesView]) -> str:
    """A hash of the values as pages and downloads show them: part of each indicator page's reuse key."""
    rows = [(s.key, s.labels, [(o.period, o.time, o.value, o.note, o.flag, o.source, o.note_it, o.note_en)
                               for o in s.observations])
            for s in series]
    return hashlib.blake2b(orjson.dumps(rows), digest_size=16).hexdigest()


def result_digest(result: IndicatorResult | None) -> str:
    """A hash of everything in an assessment (orjson writes the dataclasses whole, NaN as null)."""
    return hashlib.blake2b(orjson.dumps(result, option=orjson.OPT_NON_STR_KEYS), digest_size=16).hexdigest()


def brief_of(indicator: Indicator, observations: Iterable[Observation], result: IndicatorResult | None,
             series: list[SeriesView] | None = None, changed: datetime | None = None) -> DataBrief:
    """``changed``: when the values last changed in the database (see :attr:`DataBrief.changed`)."""
    series = series if series is not None else series_views(indicator, observations)
    head = series[0].observations[-1] if series and series[0].key == HEADLINE and series[0].observations else None
    count = sum(len(s.observations) for s in series)
    return DataBrief(count, tuple(SeriesView(s.key, s.labels, []) for s in series), head,
                     baseline_point(indicator, series, result), values_digest(series), result_digest(result),
                     changed if count else None)


def build_context(settings: Settings, catalog: Catalog, observations: Mapping[str, list[Observation]],
                  results: Mapping[str, IndicatorResult], summaries: Mapping[str, ObjectiveSummary], *,
                  generated_at: datetime, history: Mapping[str, list] | None = None,
                  briefs: Mapping[str, DataBrief] | None = None, loader: Loader | None = None,
                  changed: Mapping[str, datetime] | None = None) -> SiteContext:
    """Views of every indicator: from its ``observations``, or from its brief (values loaded when needed).

    An indicator in neither ``observations`` nor ``briefs`` has no values. ``changed``: when the values of
    the indicators given by ``observations`` last changed (a brief carries its own).
    """
    tz = ZoneInfo(settings.config.timezone)
    today = (generated_at.astimezone(tz) if generated_at.tzinfo else generated_at).date()
    briefs = briefs or {}
    objectives = []
    for objective in catalog.objectives:
        views = []
        for entry in catalog.of_objective(objective.id):
            ind = entry.indicator
            result = results.get(ind.id)
            loaded = series_views(ind, observations[ind.id]) if ind.id in observations else None
            if ind.id in briefs:
                brief = briefs[ind.id]
            else:
                loaded = loaded if loaded is not None else series_views(ind, [])
                brief = brief_of(ind, (), result, loaded, (changed or {}).get(ind.id))
            status, due = reporting_status(brief.latest.period if brief.latest else None, ind.frequency, today)
            past = history_items((history or {}).get(ind.id, []), tz)
            updated = brief.changed.astimezone(tz).date() if brief.changed else None
            stale = brief.latest is not None and is_stale(brief.latest.period, ind.frequency, today)
            views.append(IndicatorView(entry, objective, brief, result, status, due, updated, past, loaded, stale))
        summary = summaries.get(objective.id) or fallback_summary(objective.id, views)
        objectives.append(ObjectiveView(objective, summary, views))
    return SiteContext(settings, catalog, objectives, generated_at, loader)
