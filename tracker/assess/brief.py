"""What the pages, the downloads' schema and a page's reuse key need of an indicator's values, kept with its
assessment: a brief.

It belongs to the assessment stage, which makes it with each result and keeps it between runs
(:mod:`tracker.assess.cache`), so an incremental build leaves unchanged indicators' observations in the database;
the site reads it (:mod:`tracker.site.context`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import orjson

from tracker.assess.base import IndicatorResult, Point
from tracker.catalog import Indicator
from tracker.observations import HEADLINE, Observation, own_values, parse_series_key, peer_values


@dataclass(frozen=True)
class SeriesView:
    key: str  # "" for the headline
    labels: dict[str, str]  # language -> "Municipio: 1"; empty for the headline (the template says "Total")
    observations: list[Observation]


@dataclass(frozen=True)
class DataBrief:
    """What the shared pages, the downloads' schema and a page's reuse key need of an indicator's values,
    without the values themselves: an incremental build leaves unchanged indicators' observations in the
    database (``tracker.pipeline`` keeps the briefs between runs with the results)."""

    count: int  # observations
    series: tuple[
        SeriesView, ...
    ]  # every series with its labels, headline first; ``observations`` left empty
    latest: Observation | None  # of the headline series
    baseline: Point | None  # the marker on the chart: the definition's baseline, else the method's base point
    values_hash: str  # of every observation as the pages and downloads show it (see :func:`values_hash`)
    result_hash: str = ""  # of the indicator's assessment (see :func:`result_hash`): kept, not recomputed
    # When the stored values last changed (``tracker.store.data_changed``): the page's "last updated". KeptResult
    # with the brief, which is made again whenever a file of the indicator is accepted.
    changed: datetime | None = None
    #: Peer territories' values, kept whole (a few per indicator): the comparison lines and the ranking table.
    peers: tuple[Observation, ...] = ()
    #: The headline's latest exact value: what the verdict rests on when ``latest`` is only a bound.
    latest_exact: Observation | None = None


def series_views(indicator: Indicator, observations: Iterable[Observation]) -> list[SeriesView]:
    """The city's own observations (bounds included, peers left out) grouped by series, headline first, each in
    time order."""
    groups: dict[str, list[Observation]] = {}
    for obs in own_values(observations):
        groups.setdefault(obs.series, []).append(obs)
    labels = {d.column: d.label for d in indicator.disaggregations}
    views = []
    for key in sorted(groups, key=lambda k: (k != HEADLINE, k)):
        parts = parse_series_key(key)
        names = {
            lang: ", ".join(f"{labels[c].get(lang) if c in labels else c}: {v}" for c, v in parts.items())
            for lang in ("it", "en")
        }
        views.append(
            SeriesView(key, names if key else {}, sorted(groups[key], key=lambda o: (o.time, o.period)))
        )
    return views


def baseline_point(
    indicator: Indicator, series: list[SeriesView], result: IndicatorResult | None
) -> Point | None:
    base = indicator.baseline
    if base is not None:
        if base.value is not None:
            return Point(float(base.year), base.value, str(base.year))
        head = series[0].observations if series and series[0].key == HEADLINE else []
        same_year = [o for o in head if o.period.startswith(str(base.year)) and not o.bound]
        if same_year:
            return Point(same_year[0].time, same_year[0].value, same_year[0].period)
    if result is not None and result.headline.base is not None:
        return result.headline.base
    return None


def peer_values_of(observations: Iterable[Observation]) -> tuple[Observation, ...]:
    """Peer territories' values in (territory, time) order."""
    return tuple(sorted(peer_values(observations), key=lambda o: (o.territory, o.time, o.period, o.series)))


def values_hash(series: Iterable[SeriesView], peers: Iterable[Observation] = ()) -> str:
    """A hash of the values as pages and downloads show them: part of each indicator page's reuse key."""

    def row(o: Observation) -> tuple:
        return (
            o.period,
            o.time,
            o.value,
            o.note,
            o.flag,
            o.source,
            o.note_it,
            o.note_en,
            o.bound,
            o.territory,
            o.notes,
        )

    rows = [(s.key, s.labels, [row(o) for o in s.observations]) for s in series]
    rows.append(("peers", {}, [(o.series, *row(o)) for o in peers]))
    return hashlib.blake2b(orjson.dumps(rows), digest_size=16).hexdigest()


def result_hash(result: IndicatorResult | None) -> str:
    """A hash of everything in an assessment (orjson writes the dataclasses whole, NaN as null)."""
    return hashlib.blake2b(orjson.dumps(result, option=orjson.OPT_NON_STR_KEYS), digest_size=16).hexdigest()


def brief_of(
    indicator: Indicator,
    observations: Iterable[Observation],
    result: IndicatorResult | None,
    series: list[SeriesView] | None = None,
    changed: datetime | None = None,
) -> DataBrief:
    """``changed``: when the values last changed in the database (see :attr:`DataBrief.changed`)."""
    observations = list(observations)
    series = series if series is not None else series_views(indicator, observations)
    peers = peer_values_of(observations)
    head = (
        series[0].observations[-1]
        if series and series[0].key == HEADLINE and series[0].observations
        else None
    )
    exact = (
        next((o for o in reversed(series[0].observations) if not o.bound), None)
        if series and series[0].key == HEADLINE
        else None
    )
    count = sum(len(s.observations) for s in series)
    return DataBrief(
        count,
        tuple(SeriesView(s.key, s.labels, []) for s in series),
        head,
        baseline_point(indicator, series, result),
        values_hash(series, peers),
        result_hash(result),
        changed if count else None,
        peers,
        exact,
    )
