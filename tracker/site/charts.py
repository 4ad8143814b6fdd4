"""Chart specs for Plotly, embedded in the page as inert JSON and drawn by the one loader script.

Specs are plain dicts (the same JSON ``go.Figure(spec).to_plotly_json()`` would give, minus the ~6.5 kB default
template that plotly.py would copy into every page); the tests pass each spec through ``go.Figure`` so a
misspelt attribute still fails. Texts from definitions and data files are HTML-escaped before they reach
Plotly (which renders a subset of HTML in labels), and the JSON itself is escaped for a ``<script>`` element.

Time convention: every value is drawn at the middle of its period (:func:`tracker.intake.periods.mid_time`):
a year's value at 2 July, a month's at its 15th or 16th, a quarter's in its second month. Data points, the
baseline marker (placed by its period label), the start of the projection (the latest value, already
mid-period) and the target star (the middle of the target year) therefore sit at the same instant for the
same period (a baseline given as a year sits on the value of that year it equals, see :func:`baseline_time`).
The x-axis is a Plotly date axis (ISO strings computed from the decimal years); its year labels
sit at mid-year, right under the annual values, and faint grid lines mark the turn of each year. Hover texts
show the period label as published. A gap of more than one expected period (from the indicator's
``frequency``; irregular indicators never) breaks the line with a ``null``.

Scale: the y-axis is set by the data, the baseline and the target (plus a margin; from 0 for non-negative
units), never by the projection. A projection or its 80 % band that leaves this range is clipped by the axis,
and :func:`chart_facts` tells the caption so, in words.
"""

from __future__ import annotations

import calendar
import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

import orjson
from markupsafe import Markup

from tracker.catalog import Event
from tracker.intake.periods import mid_time
from tracker.observations import Observation
from tracker.site.context import IndicatorView
from tracker.site.i18n import Formatter, separators, vocabulary, with_bound

#: Okabe & Ito (2008) colour-blind-safe palette, darkest first so the headline has the strongest contrast.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
#: Marker shapes differ too, so series are told apart without colour.
SYMBOLS = ["circle", "square", "diamond", "triangle-up", "triangle-down", "cross", "x"]
TARGET_COLOUR = "#000000"
#: The projection's prediction interval: the headline blue (Okabe & Ito), light enough for the lines on top.
BAND_FILL = "rgba(86, 180, 233, 0.28)"
BAND_EDGE = "rgba(0, 114, 178, 0.45)"
#: Length of one period in years by frequency; irregular series are never broken.
PERIOD_YEARS: dict[str, float] = {"monthly": 1 / 12, "quarterly": 0.25, "annual": 1.0, "biennial": 2.0}
#: Consecutive values further apart than this many periods leave a visible gap (a missing period gives ~2;
#: months of 28 to 31 days put consecutive month middles up to 1.03 periods apart).
GAP_PERIODS = 1.5
#: Margin around the data, baseline and target on the y-axis, as a share of their spread.
Y_MARGIN = 0.08
#: Replaced one after the other with ``str.replace`` (a C scan per character): ``str.translate`` with a dict
#: costs ~1 ms on a 30 kB chart spec, a tenth of the page.
_JSON_ESCAPES = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)


def script_json(value: object) -> Markup:
    """JSON that is safe inside ``<script type="application/json">``: no ``<``, ``>`` or ``&`` survive."""
    text = orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY).decode("utf-8")
    for char, escaped in _JSON_ESCAPES:
        if char in text:
            text = text.replace(char, escaped)
    return Markup(text)


def _text(value: str) -> str:
    """Plotly renders tags such as ``<b>`` and ``<a>`` in labels: escape so data shows as typed."""
    return html.escape(value, quote=True)


@lru_cache(maxsize=1 << 16)
def iso(time: float) -> str:
    """A decimal year as the date string Plotly reads (to the minute: 2015.5 is "2015-07-02 12:00").

    Cached, as :func:`placed_time`: the periods of one indicator repeat in every series and language."""
    year = math.floor(time)
    days = 366 if calendar.isleap(year) else 365
    minutes = round((time - year) * days * 1440)
    return (datetime(year, 1, 1) + timedelta(minutes=minutes)).strftime("%Y-%m-%d %H:%M")


@lru_cache(maxsize=1 << 16)
def placed_time(period: str, time: float) -> float:
    """Where a value of ``period`` is drawn: the middle of its period (``time`` serves odd labels)."""
    return mid_time(period, time) if period else time


def gap_after(times: Sequence[float], frequency: str) -> list[bool]:
    """For each value but the last: is the next one more than one expected period away?"""
    step = PERIOD_YEARS.get(frequency)
    if step is None:
        return [False] * max(len(times) - 1, 0)
    return [b - a > GAP_PERIODS * step for a, b in zip(times, times[1:], strict=False)]


@dataclass(frozen=True)
class ChartFacts:
    """What the chart shows beyond its values, for the caption (its text alternative) and the spec."""

    y_range: tuple[float, float]  # set by the data, the baseline and the target
    gaps: bool  # a line is broken where periods are missing
    band: bool  # the projection has a prediction interval, drawn as a band
    clipped: bool  # the projection or its band leaves the y-range
    end_year: int | None  # last year of the projection
    end_value: float | None  # central projection in that year
    end_low: float | None  # its interval
    end_high: float | None
    limit: int | None = None  # most points drawn per series when some series is thinned (see thin_points)
    x_span: tuple[float, float] = (
        2015.5,
        2016.5,
    )  # first and last time drawn (values, bounds, peers, markers)
    events_drawn: tuple[
        int, ...
    ] = ()  # numbers (1 = the first of view.events) of the events marked on the chart


#: Most points one chart draws, all series together. A chart of a million values embedded in a page would be
#: 100 MB of JSON that no browser draws, so a longer series is thinned (:func:`thin_points`) to an equal share,
#: at least CHART_MIN_POINTS each; the caption says so, and every value stays in the downloads.
CHART_POINTS = 20_000
CHART_MIN_POINTS = 100


def point_limit(view: IndicatorView) -> int | None:
    """Most points drawn per series, or ``None`` when every series is drawn whole (the usual case)."""
    series = view.series
    if sum(len(s.observations) for s in series) <= CHART_POINTS:
        return None
    limit = max(CHART_MIN_POINTS, CHART_POINTS // len(series))
    return limit if any(len(s.observations) > limit for s in series) else None


def thin_points(xs: Sequence[float], ys: Sequence[float], keep: int) -> list[int]:
    """Indices of at most ``keep`` points that draw like the whole line: largest-triangle-three-buckets
    (Steinarsson 2013), which keeps the first and last points and, in each bucket, the one making the largest
    triangle with its neighbours' choice, so peaks and dips survive where a stride or a mean would lose them.
    Every index when there are no more than ``keep`` points (the plain path)."""
    n = len(xs)
    if keep >= n or keep < 3:
        return list(range(n)) if keep >= n else [0, n - 1][: max(keep, 1)]
    y = [v if math.isfinite(v) else 0.0 for v in ys]
    chosen = [0]
    every = (n - 2) / (keep - 2)
    a = 0
    for i in range(keep - 2):
        start, stop = int(i * every) + 1, int((i + 1) * every) + 1
        after, end = stop, min(int((i + 2) * every) + 1, n)
        if after >= end:  # the last bucket: the next point is the last one
            cx, cy = xs[n - 1], y[n - 1]
        else:
            cx, cy = sum(xs[after:end]) / (end - after), sum(y[after:end]) / (end - after)
        ax, ay = xs[a], y[a]
        best, area = start, -1.0
        for j in range(start, stop):
            found = abs((ax - cx) * (y[j] - ay) - (ax - xs[j]) * (cy - ay))
            if found > area:
                best, area = j, found
        chosen.append(best)
        a = best
    chosen.append(n - 1)
    return chosen


def _y_range(values: Sequence[float], non_negative: bool) -> tuple[float, float]:
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return (0.0, 1.0)
    low, high = min(finite), max(finite)
    floor = non_negative and low >= 0
    if floor:
        low = 0.0
    spread = high - low  # of the axis: from 0 where it starts at 0, so that markers near the top are not cut
    margin = spread * Y_MARGIN if spread > 0 else max(abs(high) * 0.1, 1.0)
    return (low if floor else low - margin, high + margin)


def x_span(view: IndicatorView) -> tuple[float, float]:
    """The first and last time the chart draws anything at: values and bounds of every series, the peers'
    comparison lines, the projection, the baseline and the target (a thinned series keeps its ends)."""
    times = [placed_time(o.period, o.time) for s in view.series for o in s.observations]
    times += [placed_time(o.period, o.time) for o in view.peers if o.series == ""]
    projection = view.assessment.projection if view.assessment else None
    if projection is not None:
        times += [p.time for p in projection.points]
    if view.baseline is not None:
        times.append(baseline_time(view))
    if view.ind.target is not None:
        times.append(view.ind.target.year + 0.5)  # the middle of the target year, as its star
    return (min(times), max(times)) if times else (2015.5, 2016.5)


def chart_facts(view: IndicatorView) -> ChartFacts:
    """The scale of the chart and what a reader must be told about it (see the module docstring)."""
    ind = view.ind
    values = [o.value for s in view.series for o in s.observations]
    values += [o.value for o in view.peers if o.series == ""]  # the comparison lines are drawn whole
    if view.baseline is not None:
        values.append(view.baseline.value)
    if ind.target is not None:
        values.append(ind.target.value)
    y_range = _y_range(values, ind.unit.kind != "index")
    gaps = any(
        any(gap_after([placed_time(o.period, o.time) for o in s.observations], ind.frequency))
        for s in view.series
    )
    limit = point_limit(view)
    assessment = view.assessment
    projection = assessment.projection if assessment else None
    span = x_span(view)
    drawn = tuple(n for n, _event in events_within(view.events, span))
    if projection is None or not projection.points:
        return ChartFacts(y_range, gaps, False, False, None, None, None, None, limit, span, drawn)
    band = len(projection.low) == len(projection.high) == len(projection.points)
    projected = [p.value for p in projection.points] + (projection.low + projection.high if band else [])
    low, high = y_range
    clipped = any(v < low or v > high for v in projected if math.isfinite(v))
    last = projection.points[-1]
    return ChartFacts(
        y_range,
        gaps,
        band,
        clipped,
        math.floor(last.time),
        last.value,
        projection.low[-1] if band else None,
        projection.high[-1] if band else None,
        limit,
        span,
        drawn,
    )


def _series_xy(
    observations: Sequence[Observation],
    frequency: str,
    custom: Callable[[Observation], list[str]],
    limit: int | None = None,
) -> tuple[list[float], list, list, list]:
    """Times, then x (ISO dates at mid-period), y and customdata of one series with a ``None`` at each gap.

    With ``limit``, a longer series is thinned to about that many points (:func:`thin_points`); the points on
    either side of each gap are kept too, so the line breaks exactly where the whole series does."""
    times = [placed_time(o.period, o.time) for o in observations]
    breaks = [i + 1 for i, gap in enumerate(gap_after(times, frequency)) if gap]
    if limit is not None and len(observations) > limit:
        kept = set(thin_points(times, [o.value for o in observations], limit))
        kept.update(k for b in breaks for k in (b - 1, b))
        chosen = sorted(kept)
        observations = [observations[k] for k in chosen]
        times = [times[k] for k in chosen]
        position = {k: n for n, k in enumerate(chosen)}
        breaks = [position[b] for b in breaks]
    xs: list[str | None] = [iso(t) for t in times]
    ys: list[float | None] = [o.value for o in observations]
    cd: list[list[str] | None] = [custom(o) for o in observations]
    for i in reversed(breaks):  # from the end, so that earlier indices stay valid
        xs.insert(i, None)
        ys.insert(i, None)
        cd.insert(i, None)
    return times, xs, ys, cd


def baseline_time(view: IndicatorView) -> float:
    """Where the baseline marker goes: the middle of the period its label names.

    A definition's baseline names a year ("2015") even where the series has monthly or quarterly values; when
    the headline series has a value of that year equal to the baseline, the marker sits on that value (the
    baseline *is* that figure), not half a year away from it.
    """
    base = view.baseline
    assert base is not None
    at = placed_time(base.period, base.time)
    head = view.series[0] if view.series and not view.series[0].key else None
    if head is not None and len(base.period) == 4 and base.period.isdigit():
        for o in head.observations:
            if o.period != base.period and o.period[:5] == base.period + "-" and o.value == base.value:
                return placed_time(o.period, o.time)
    return at


#: Markers of a published bound: a triangle pointing where the true value lies ("more than": up).
BOUND_MARKERS = {"lower": "triangle-up-open", "upper": "triangle-down-open"}
#: Peer territories: grey-blue and dotted, thinner than the city's own series, so they read as secondary.
PEER_COLOURS = ["#7f7f7f", "#8c6d31", "#5b7a8c", "#9e6b8c", "#6b8e23", "#a0522d", "#4f4f7f"]
PEER_SYMBOLS = ["circle-open", "square-open", "diamond-open", "x-thin-open", "star-open", "hexagon-open"]
EVENT_COLOUR = "#6b6b6b"
EVENT_FILL = "rgba(120, 120, 120, 0.12)"


def _peer_traces(
    view: IndicatorView,
    lang: str,
    _: Callable[[str], str],
    data: list[dict],
    custom: Callable[[Observation], list[str]],
) -> None:
    """One dotted line per peer territory's headline values (comparison only); a peer declared not comparable
    (another definition or period) says so in its name, as the ranking table lists it without a rank."""
    groups: dict[str, list[Observation]] = {}
    for o in view.peers:
        if o.series == "":
            groups.setdefault(o.territory, []).append(o)
    for j, (territory, values) in enumerate(sorted(groups.items())):
        values = sorted(values, key=lambda o: (o.time, o.period))
        peer = view.ind.peer(territory)
        label = peer.label_in(lang) if peer is not None else territory
        if peer is not None and not peer.comparable:
            label = _("%(territory)s (not comparable)") % {"territory": label}
        placed = [placed_time(o.period, o.time) for o in values]
        colour = PEER_COLOURS[j % len(PEER_COLOURS)]
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": _text(label),
                "x": [iso(t) for t in placed],
                "y": [o.value for o in values],
                "customdata": [custom(o) for o in values],
                "hovertemplate": "%{customdata[0]}: %{customdata[2]}%{customdata[1]}<extra>%{fullData.name}</extra>",
                "line": {"color": colour, "width": 1.2, "dash": "dot"},
                "marker": {
                    "color": colour,
                    "size": 7,
                    "symbol": [
                        BOUND_MARKERS[o.bound] if o.bound else PEER_SYMBOLS[j % len(PEER_SYMBOLS)]
                        for o in values
                    ],
                },
                "opacity": 0.85,
                "meta": {"peer": territory},
            }
        )


#: Years of empty axis before the first and after the last time drawn.
X_PAD = 0.6
#: Event numbers closer than this share of the x-axis go on different rows: a number in its box is about 14 px
#: wide, and the plot on a 375 px wide phone about 270 px.
EVENT_MIN_GAP = 0.06
#: Distance between rows of event numbers, in pixels (a number's box is 18 px high): pixels, not a share of the
#: plot, whose height shrinks on a phone when the legend takes several lines.
EVENT_ROW_PX = 22


def events_within(events: Sequence[Event], span: tuple[float, float]) -> list[tuple[int, Event]]:
    """(number, event) of the events that fall within the chart's years; numbers count from 1 in the order of
    the page's events table, whether drawn or not, so a number on the chart names one row of that table."""
    low, high = span[0] - X_PAD, span[1] + X_PAD
    found = []
    for n, event in enumerate(events, 1):
        start = _decimal_year(event.date)
        end = _decimal_year(event.end) if event.end is not None else start
        if end >= low and start <= high:
            found.append((n, event))
    return found


def event_marks(
    events: Sequence[Event], lang: str, span: tuple[float, float], fmt: Formatter
) -> tuple[list[dict], list[dict]]:
    """Plotly shapes (a dashed line on the date, or a shaded span to its end) and, at the top of the plot, the
    number of each event within the chart's years; the label is in the events table under that number (and in
    the number's tooltip). Numbers rather than labels: labels of events a year apart overlap on a phone, and
    vertical ones were cut at the top. Numbers too close for one row are put on rows below."""
    shapes: list[dict] = []
    notes: list[dict] = []
    low, high = span[0] - X_PAD, span[1] + X_PAD
    gap = EVENT_MIN_GAP * (high - low)
    rows: list[float] = []  # the x of the last number put on each row
    for n, event in sorted(events_within(events, span), key=lambda found: found[1].date):
        start = _decimal_year(event.date)
        end = _decimal_year(event.end) if event.end is not None else None
        if end is None:
            shapes.append(
                {
                    "type": "line",
                    "xref": "x",
                    "yref": "paper",
                    "x0": iso(start),
                    "x1": iso(start),
                    "y0": 0,
                    "y1": 1,
                    "line": {"color": EVENT_COLOUR, "width": 1, "dash": "dash"},
                    "layer": "below",
                }
            )
        else:
            shapes.append(
                {
                    "type": "rect",
                    "xref": "x",
                    "yref": "paper",
                    "x0": iso(start),
                    "x1": iso(max(end, start + 1 / 365)),
                    "y0": 0,
                    "y1": 1,
                    "fillcolor": EVENT_FILL,
                    "line": {"width": 0},
                    "layer": "below",
                }
            )
        at = max(start, low)
        row = next((r for r, x in enumerate(rows) if at - x >= gap), len(rows))
        if row == len(rows):
            rows.append(at)
        rows[row] = at
        when = fmt.date(event.date)
        if event.end is not None:
            when = f"{when} – {fmt.date(event.end)}"
        notes.append(
            {
                "x": iso(at),
                "xref": "x",
                "y": 1,
                "yref": "paper",
                "yanchor": "top",
                "yshift": -row * EVENT_ROW_PX,
                "xanchor": "center",
                "text": str(n),
                "hovertext": _text(f"{n}. {event.label.get(lang)} ({when})"),
                "showarrow": False,
                "font": {"size": 11, "color": "#1a1a1a"},
                "bgcolor": "#ffffff",
                "bordercolor": EVENT_COLOUR,
                "borderwidth": 1,
                "borderpad": 2,
            }
        )
    return shapes, notes


def _decimal_year(day: date) -> float:
    days = 366 if calendar.isleap(day.year) else 365
    return day.year + (day.toordinal() - date(day.year, 1, 1).toordinal()) / days


def _tick_step(span: float) -> int:
    for limit, step in ((12, 1), (24, 2), (60, 5)):
        if span <= limit:
            return step
    return 10


def figure(
    view: IndicatorView, lang: str, _: Callable[[str], str], fmt: Formatter, facts: ChartFacts | None = None
) -> dict:
    """The spec of an indicator's chart: its series, baseline and target markers, the projection and its band.

    ``facts`` (:func:`chart_facts` of the view) may be given when the caller needs them too."""
    ind = view.ind
    facts = facts or chart_facts(view)
    unit = ind.unit.label.get(lang)
    decimals = ind.unit.decimals
    kind = ind.unit.kind
    # Values in the tooltips are written by the Formatter, as on the page (the language's marks, rounded half
    # away from zero on the decimal value as written: 54.65 -> "54,7 %"), not by Plotly's d3-format.
    formatted: dict[float, str] = {}

    def shown(number: float) -> str:
        found = formatted.get(number)
        if found is None:
            found = formatted[number] = _text(fmt.value(number, kind, unit, decimals))
        return found

    data: list[dict] = []
    several = len(view.series) > 1
    bounds = vocabulary(_)["bound"]
    bound_traces: list[tuple[int, str, str, str, list[Observation]]] = []
    # Periods repeat in every series and notes are often the same: escape each distinct text once.
    escaped: dict[str, str] = {}

    def text(value: str) -> str:
        found = escaped.get(value)
        if found is None:
            found = escaped[value] = _text(value)
        return found

    borrowed = lang not in ("it", "en")  # no note column of its own: a tooltip shows no English note

    def custom(o: Observation) -> list[str]:
        note = "" if borrowed and o.note_language(lang) else o.note_in(lang)
        number = with_bound(shown(o.value), o.bound, kind, bounds) if o.bound else shown(o.value)
        return [text(o.period), "<br>" + text(note) if note else "", number]

    for i, series in enumerate(view.series):
        name = _("Total") if not series.key else series.labels.get(lang, series.key)
        # A bound is not a value: it gets its own marker (below), and the line joins the exact values only.
        points = [o for o in series.observations if not o.bound]
        for bound in BOUND_MARKERS:
            marked = [o for o in series.observations if o.bound == bound]
            if marked:
                bound_traces.append((i, series.key, name, bound, marked))
        xs, ys, cd = _series_xy(points, ind.frequency, custom, facts.limit)[1:]
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": _text(name),
                "x": xs,
                "y": ys,
                "customdata": cd,
                "connectgaps": False,
                "hovertemplate": "%{customdata[0]}: %{customdata[2]}%{customdata[1]}<extra>%{fullData.name}</extra>",
                "line": {"color": PALETTE[i % len(PALETTE)], "width": 2.5 if i == 0 else 2},
                "marker": {
                    "color": PALETTE[i % len(PALETTE)],
                    "size": 7,
                    "symbol": SYMBOLS[i % len(SYMBOLS)],
                },
                "visible": True if (i == 0 or not several) else "legendonly",
                "meta": {"series": series.key},
            }
        )
    for i, key, name, bound, marked in bound_traces:
        word = bounds[f"{bound}_name"]
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": _text(f"{name}: {word}" if several else word.capitalize()),
                "x": [iso(placed_time(o.period, o.time)) for o in marked],
                "y": [o.value for o in marked],
                "customdata": [custom(o) for o in marked],
                "hovertemplate": "%{customdata[0]}: %{customdata[2]}%{customdata[1]}<extra>%{fullData.name}</extra>",
                "marker": {
                    "color": PALETTE[i % len(PALETTE)],
                    "size": 12,
                    "symbol": BOUND_MARKERS[bound],
                    "line": {"width": 2, "color": PALETTE[i % len(PALETTE)]},
                },
                "visible": True if (i == 0 or not several) else "legendonly",
                "meta": {"series": key},
            }
        )
    _peer_traces(view, lang, _, data, custom)
    words = {"projection": _("Projection"), "baseline": _("Baseline"), "target": _("Target")}
    assessment = view.assessment
    projection = assessment.projection if assessment else None
    if projection and projection.points:
        pts = projection.points
        xs = [iso(p.time) for p in pts]
        labels = [text(p.period or str(math.floor(p.time))) for p in pts]
        if facts.band:
            band_name = _text(
                _("%(level)s range of the projection") % {"level": fmt.percent(projection.level, 0)}
            )
            edge = {"color": BAND_EDGE, "width": 0.5}
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": band_name,
                    "x": xs,
                    "y": list(projection.low),
                    "line": edge,
                    "hoverinfo": "skip",
                    "showlegend": False,
                    "legendgroup": "band",
                }
            )
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": band_name,
                    "x": xs,
                    "y": list(projection.high),
                    "line": edge,
                    "fill": "tonexty",
                    "fillcolor": BAND_FILL,
                    "hoverinfo": "skip",
                    "legendgroup": "band",
                }
            )
            custom_p = [
                [label, shown(p.value), shown(lo), shown(hi)]
                for label, p, lo, hi in zip(labels, pts, projection.low, projection.high, strict=True)
            ]
            between = _text(_("%(level)s range") % {"level": fmt.percent(projection.level, 0)})
            extra = f"<br>{between}: %{{customdata[2]}} – %{{customdata[3]}}"
        else:
            custom_p, extra = [[label, shown(p.value)] for label, p in zip(labels, pts, strict=True)], ""
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": _text(_("Projection of the recent trend")),
                "x": xs,
                "y": [p.value for p in pts],
                "customdata": custom_p,
                "line": {"color": PALETTE[0], "width": 2, "dash": "dash"},
                "hovertemplate": f"%{{customdata[0]}}: %{{customdata[1]}}{extra}"
                f"<extra>{_text(words['projection'])}</extra>",
            }
        )
    if view.baseline is not None:
        base = view.baseline
        at = baseline_time(view)
        label = base.period or fmt.year(base.time)
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": _text(f"{words['baseline']} ({label})"),
                "x": [iso(at)],
                "y": [base.value],
                "customdata": [[text(label), shown(base.value)]],
                "marker": {
                    "symbol": "diamond-open",
                    "size": 14,
                    "color": TARGET_COLOUR,
                    "line": {"width": 2},
                },
                "hovertemplate": f"%{{customdata[0]}}: %{{customdata[1]}}<extra>{_text(words['baseline'])}</extra>",
            }
        )
    if ind.target is not None:
        at = ind.target.year + 0.5  # the middle of the target year, where an annual value of that year sits
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": _text(f"{words['target']} {ind.target.year}"),
                "x": [iso(at)],
                "y": [ind.target.value],
                "customdata": [[str(ind.target.year), shown(ind.target.value)]],
                "marker": {"symbol": "star", "size": 16, "color": TARGET_COLOUR},
                "hovertemplate": f"%{{customdata[0]}}: %{{customdata[1]}}<extra>{_text(words['target'])}</extra>",
            }
        )
    low, high = facts.x_span
    span = high - low
    layout = {
        "height": 380,
        "autosize": True,
        "separators": separators(lang),
        "margin": {"l": 56, "r": 16, "t": 16, "b": 24, "pad": 4},
        "font": {
            "family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
            "size": 13,
            "color": "#1a1a1a",
        },
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "hovermode": "closest",
        # Year labels at mid-year (tick0 is the middle of 2000), under the annual values; faint lines at each
        # 1 January. The loader widens dtick on narrow screens so that year labels never need rotating.
        "xaxis": {
            "type": "date",
            "range": [iso(low - X_PAD), iso(high + X_PAD)],
            "tickmode": "linear",
            "tick0": iso(2000.5),
            "dtick": f"M{12 * _tick_step(span)}",
            "tickformat": "%Y",
            "tickangle": 0,
            "showgrid": False,
            "ticks": "",
            "automargin": True,
            "fixedrange": True,
            "minor": {
                "tickmode": "linear",
                "tick0": "2000-01-01",
                "dtick": "M12",
                "showgrid": True,
                "gridcolor": "#ececec",
                "ticks": "",
            },
        },
        # Full digits with the language's marks ("4.000.000" on an Italian page), never "4M" or "600k".
        "yaxis": {
            "automargin": True,
            "gridcolor": "#e3e3e3",
            "zerolinecolor": "#888",
            "fixedrange": True,
            "range": list(facts.y_range),
            "autorange": False,
            "title": {"text": _text(unit)},
            "exponentformat": "none",
            "separatethousands": True,
        },
        "legend": {"orientation": "h", "x": 0, "y": -0.18, "yanchor": "top"},
        "showlegend": True,
    }
    shapes, notes = event_marks(view.events, lang, facts.x_span, fmt)
    if shapes:
        layout["shapes"] = shapes
        layout["annotations"] = notes
    config = {"responsive": True, "displayModeBar": False, "scrollZoom": False}
    return {"data": data, "layout": layout, "config": config}
