"""What the pages show, gathered once from the pipeline's plain values (language-independent).

The templates only format and translate; every decision (which series is the headline, whether a value is
overdue, which baseline to mark) is taken here so that pages, ``scorecard.json`` and the open data agree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from tracker.assess.base import RANK, Assessment, Category, IndicatorResult, ObjectiveSummary, Point
from tracker.assess.brief import (  # noqa: F401 (re-exported for the site and its tests)
    DataBrief,
    SeriesView,
    baseline_point,
    brief_of,
    peer_values_of,
    result_hash,
    series_views,
    values_hash,
)
from tracker.assess.outcome import Loader, Outcome
from tracker.catalog import Catalog, Entry, Event, Indicator, Objective
from tracker.config import Settings
from tracker.intake.periods import (  # noqa: F401 (add_months, next_due, period_end: re-exported)
    add_months,
    is_stale,
    next_due,
    period_end,
    reporting_status,
)
from tracker.observations import Observation

#: Order in which categories are listed (best first, then "not assessed").
CATEGORY_ORDER: list[Category] = [
    *sorted(RANK, key=RANK.__getitem__, reverse=True),
    Category.INSUFFICIENT_DATA,
]
#: The keys of ``Assessment.figures`` shown in the "figures behind the verdict" table, in this order, and how
#: each is written: ``rate`` a signed percentage per year, ``percent`` a share, ``change`` a signed amount in the
#: indicator's unit (points for percentages), ``unit`` in the indicator's unit, ``years``, or a plain ``number``. Other keys (base/latest/target values, thresholds, sign) are shown elsewhere on the
#: page or only in the JSON download.
FIGURES: dict[str, str] = {
    "actual_growth": "rate",
    "required_growth": "rate",
    "adjusted_growth": "rate",
    "relative_change": "rate",
    "actual_change": "change",
    "required_change": "change",
    "ratio": "percent",
    "current_status": "percent",
    "expected_share": "percent",
    "status_ratio": "percent",
    "gap_ratio": "percent",
    "projected_value": "unit",
    "c_factor": "number",
    "span_years": "years",
}


@dataclass(frozen=True)
class HistoryItem:
    at: date | None
    category: Category | None
    score: float | None
    note: str = ""


@dataclass(frozen=True)
class RankRow:
    """One territory's latest value in an indicator's comparison table."""

    territory: str  # "" for the city itself
    observation: Observation
    own: bool
    rank: int  # 1 = best by the indicator's direction (equal values share a rank)


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
    events: list[Event] = field(
        default_factory=list
    )  # from events.yaml: drawn on the chart, listed on the page

    @property
    def peers(self) -> tuple[Observation, ...]:
        """Peer territories' values (comparison only, never assessed)."""
        return self.brief.peers

    @property
    def latest_exact(self) -> Observation | None:
        """The headline's latest exact value: the one a verdict may rest on when the latest is a bound."""
        return self.brief.latest_exact

    @property
    def downloadable(self) -> list[Observation]:
        """Every value the downloads carry: the city's (bounds included), then each peer's."""
        own = sorted(self.observations, key=lambda o: (o.time, o.period, o.series))
        return own + list(self.peers)

    @property
    def ranking(self) -> list[RankRow]:
        """The latest headline value of the city and of each peer, best first by the indicator's direction
        (a bound is placed at its figure); empty without peer values."""
        latest: dict[str, Observation] = {}
        for o in self.peers:
            if o.series == "" and (o.territory not in latest or o.time >= latest[o.territory].time):
                latest[o.territory] = o
        if not latest:
            return []
        own = self.brief.latest
        rows = ([("", own)] if own is not None else []) + sorted(latest.items())
        ordered = sorted(rows, key=lambda r: (-self.ind.sign * r[1].value, r[0] != "", r[0]))
        ranked: list[RankRow] = []
        for i, (territory, obs) in enumerate(ordered):
            same = ranked and ranked[-1].observation.value == obs.value
            rank = ranked[-1].rank if same else i + 1
            ranked.append(RankRow(territory, obs, territory == "", rank))
        return ranked

    @property
    def peer_territories(self) -> list[str]:
        """The peer territories with values, in name order."""
        return sorted({o.territory for o in self.peers})

    @property
    def ranking_periods_differ(self) -> bool:
        return len({r.observation.period for r in self.ranking}) > 1

    @property
    def peer_notes(self) -> list[tuple[str, object]]:
        """(peer name, its note) of each declared peer that has a note: how its values differ."""
        return [(p.name, p.note) for p in self.ind.peers if p.note is not None]

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
    def breaks_compared(self) -> list[str]:
        """Periods of the exact values flagged as a series break (another source or definition) between the
        headline verdict's two compared values, both included: the change measured may partly come from it."""
        a = self.assessment
        if a is None or a.base is None or a.latest is None or self.loaded is None:
            return []
        low, high = a.base.time, a.latest.time
        found = {
            o.period for o in self.observations if o.flag == "break" and not o.bound and low <= o.time <= high
        }
        return sorted(found)

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
            values = found.get(view.id, [])
            view.loaded = series_views(view.ind, values)
            if (
                values_hash(view.loaded, peer_values_of(values)) != view.brief.values_hash
            ):  # the brief was kept from an earlier run
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
        items.append(
            HistoryItem(
                at if isinstance(at, date) else None,
                category,
                float(score) if isinstance(score, int | float) else None,
                str(get("note") or ""),
            )
        )
    return sorted(items, key=lambda h: h.at or date.min, reverse=True)


def fallback_summary(objective_id: str, views: list[IndicatorView]) -> ObjectiveSummary:
    """Counts only, for an objective the pipeline sent no summary for (no score is invented)."""
    counts = Counter(v.category for v in views)
    return ObjectiveSummary(
        objective_id,
        None,
        Category.INSUFFICIENT_DATA,
        {c: counts.get(c, 0) for c in CATEGORY_ORDER},
        0,
        len(views),
    )


def build_context(
    settings: Settings, catalog: Catalog, outcome: Outcome, *, generated_at: datetime
) -> SiteContext:
    """Views of every indicator: from its observations in memory, or from its brief (values loaded when needed)."""
    tz = ZoneInfo(settings.config.timezone)
    today = (generated_at.astimezone(tz) if generated_at.tzinfo else generated_at).date()
    observations, results, summaries = outcome.observations, outcome.results, outcome.summaries
    briefs, history, changed = outcome.briefs, outcome.history, outcome.changed
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
                brief = brief_of(ind, observations.get(ind.id, ()), result, loaded, changed.get(ind.id))
            status, due = reporting_status(
                brief.latest.period if brief.latest else None, ind.frequency, today
            )
            past = history_items(history.get(ind.id, []), tz)
            updated = brief.changed.astimezone(tz).date() if brief.changed else None
            stale = brief.latest is not None and is_stale(brief.latest.period, ind.frequency, today)
            views.append(
                IndicatorView(
                    entry,
                    objective,
                    brief,
                    result,
                    status,
                    due,
                    updated,
                    past,
                    loaded,
                    stale,
                    catalog.events_of(ind),
                )
            )
        summary = summaries.get(objective.id) or fallback_summary(objective.id, views)
        objectives.append(ObjectiveView(objective, summary, views))
    return SiteContext(settings, catalog, objectives, generated_at, outcome.loader)
