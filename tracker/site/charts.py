"""Chart specs for Plotly, embedded in the page as inert JSON and drawn by the one loader script.

Specs are plain dicts (the same JSON ``go.Figure(spec).to_plotly_json()`` would give, minus the ~6.5 kB default
template that plotly.py would copy into every page); the tests pass each spec through ``go.Figure`` so a
misspelt attribute still fails. Texts from definitions and data files are HTML-escaped before they reach
Plotly (which renders a subset of HTML in labels), and the JSON itself is escaped for a ``<script>`` element.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import orjson
from markupsafe import Markup

from tracker.site.context import IndicatorView
from tracker.site.i18n import SEPARATORS, Formatter

#: Okabe & Ito (2008) colour-blind-safe palette, darkest first so the headline has the strongest contrast.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
#: Marker shapes differ too, so series are told apart without colour.
SYMBOLS = ["circle", "square", "diamond", "triangle-up", "triangle-down", "cross", "x"]
TARGET_COLOUR = "#000000"
#: Replaced one after the other with ``str.replace`` (a C scan per character): ``str.translate`` with a dict
#: costs ~1 ms on a 30 kB chart spec, a tenth of the page.
_JSON_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


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


def _tick_step(span: float) -> int:
    for limit, step in ((12, 1), (24, 2), (60, 5)):
        if span <= limit:
            return step
    return 10


def figure(view: IndicatorView, lang: str, _: Callable[[str], str], fmt: Formatter) -> dict:
    """The spec of an indicator's chart: its series, baseline and target markers, and the projection."""
    ind = view.ind
    unit = ind.unit.label.get(lang)
    decimals = ind.unit.decimals
    y_format = f",.{decimals}f"
    suffix = "%" if ind.unit.kind == "percent" else f" {_text(unit)}"
    data: list[dict] = []
    times: list[float] = []
    several = len(view.series) > 1
    # Periods repeat in every series and notes are often the same: escape each distinct text once.
    escaped: dict[str, str] = {}

    def text(value: str) -> str:
        found = escaped.get(value)
        if found is None:
            found = escaped[value] = _text(value)
        return found

    for i, series in enumerate(view.series):
        name = _("Total") if not series.key else series.labels.get(lang, series.key)
        points = series.observations
        times += [o.time for o in points]
        data.append({
            "type": "scatter", "mode": "lines+markers", "name": _text(name),
            "x": [o.time for o in points], "y": [o.value for o in points],
            "customdata": [[text(o.period), "<br>" + text(o.note) if o.note else ""] for o in points],
            "hovertemplate": f"%{{customdata[0]}}: %{{y:{y_format}}}{suffix}%{{customdata[1]}}<extra>%{{fullData.name}}</extra>",
            "line": {"color": PALETTE[i % len(PALETTE)], "width": 2.5 if i == 0 else 2},
            "marker": {"color": PALETTE[i % len(PALETTE)], "size": 7, "symbol": SYMBOLS[i % len(SYMBOLS)]},
            "visible": True if (i == 0 or not several) else "legendonly",
            "meta": {"series": series.key},
        })
    words = {"projection": _("Projection"), "baseline": _("Baseline"), "target": _("Target")}
    assessment = view.assessment
    projection = assessment.projection if assessment else None
    if projection and projection.points:
        pts = projection.points
        times += [p.time for p in pts]
        data.append({
            "type": "scatter", "mode": "lines", "name": _text(_("Projection at the current pace")),
            "x": [p.time for p in pts], "y": [p.value for p in pts],
            "line": {"color": PALETTE[0], "width": 2, "dash": "dash"},
            "hovertemplate": f"%{{x:.0f}}: %{{y:{y_format}}}{suffix}<extra>{_text(words['projection'])}</extra>",
        })
    if view.baseline is not None:
        base = view.baseline
        times.append(base.time)
        data.append({
            "type": "scatter", "mode": "markers", "name": _text(f"{words['baseline']} ({base.period or fmt.year(base.time)})"),
            "x": [base.time], "y": [base.value],
            "marker": {"symbol": "diamond-open", "size": 14, "color": TARGET_COLOUR, "line": {"width": 2}},
            "hovertemplate": f"%{{y:{y_format}}}{suffix}<extra>{_text(words['baseline'])}</extra>",
        })
    if ind.target is not None:
        times.append(float(ind.target.year))
        data.append({
            "type": "scatter", "mode": "markers", "name": _text(f"{words['target']} {ind.target.year}"),
            "x": [float(ind.target.year)], "y": [ind.target.value],
            "marker": {"symbol": "star", "size": 16, "color": TARGET_COLOUR},
            "hovertemplate": f"%{{y:{y_format}}}{suffix}<extra>{_text(words['target'])}</extra>",
        })
    low, high = (min(times), max(times)) if times else (2015.0, 2016.0)
    span = high - low
    layout = {
        "height": 380, "autosize": True, "separators": SEPARATORS.get(lang, ".,"),
        "margin": {"l": 56, "r": 16, "t": 16, "b": 24, "pad": 4},
        "font": {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 13, "color": "#1a1a1a"},
        "paper_bgcolor": "#ffffff", "plot_bgcolor": "#ffffff", "hovermode": "closest",
        # the loader widens dtick on narrow screens so that year labels never need rotating
        "xaxis": {"tickformat": "d", "dtick": _tick_step(span), "range": [low - 0.6, high + 0.6], "tickangle": 0,
                  "automargin": True, "gridcolor": "#e3e3e3", "fixedrange": True},
        "yaxis": {"automargin": True, "gridcolor": "#e3e3e3", "zerolinecolor": "#888",
                  "fixedrange": True, "rangemode": "tozero" if ind.unit.kind != "index" else "normal",
                  "title": {"text": _text(unit)}},
        "legend": {"orientation": "h", "x": 0, "y": -0.18, "yanchor": "top"},
        "showlegend": True,
    }
    config = {"responsive": True, "displayModeBar": False, "scrollZoom": False}
    return {"data": data, "layout": layout, "config": config}
