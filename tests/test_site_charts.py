"""Chart specs (tracker.site.charts): time at the middle of each period, gaps, the projection band and the scale.

Views are built from observations and real projections (tracker.assess.projection), without a site build.
"""

from __future__ import annotations

import html
import math
import re
from datetime import date
from pathlib import Path

import plotly.graph_objects as go
import pytest

from tracker.assess.base import Assessment, Category, IndicatorResult, Point, Projection, Spec
from tracker.assess.projection import project
from tracker.catalog import Entry, Indicator, Objective, Source, Target, Unit
from tracker.config import Localized
from tracker.intake.periods import parse_period
from tracker.observations import Observation
from tracker.site.build import REPO_TEMPLATES
from tracker.site.charts import chart_facts, figure, gap_after, iso, script_json
from tracker.site.context import IndicatorView, brief_of, series_views
from tracker.site.i18n import Formatter, make_environment, translations

TODAY = date(2025, 11, 26)
OBJECTIVE = Objective(
    id="env",
    number=1,
    name=Localized(it="Ambiente", en="Environment"),
    description=Localized(it="Obiettivo.", en="Objective."),
)


def _indicator(
    frequency: str = "annual",
    kind: str = "count",
    target: tuple[float, int] | None = None,
    direction: str = "increase",
) -> Indicator:
    return Indicator(
        id="trees",
        objective="env",
        code="1.1",
        name=Localized(it="Alberi", en="Trees"),
        definition=Localized(it="Definizione.", en="Definition."),
        unit=Unit(kind=kind, label=Localized(it="alberi", en="trees"), decimals=0),
        direction=direction,
        source=Source(name="Source", url="https://example.org"),
        frequency=frequency,
        target=None
        if target is None
        else Target(
            value=target[0], year=target[1], basis="policy", reference=Localized(it="Piano", en="Plan")
        ),
    )


def _observations(values: dict[str, float], frequency: str) -> list[Observation]:
    out = []
    for label, value in values.items():
        period = parse_period(label, frequency=frequency, today=TODAY)
        out.append(Observation("trees", period.label, period.time, value))
    return out


def _view(
    ind: Indicator, values: dict[str, float], projection: Projection | None = None, base: Point | None = None
) -> IndicatorView:
    obs = _observations(values, ind.frequency)
    result = None
    if projection is not None or base is not None:
        latest = obs[-1]
        result = IndicatorResult(
            ind.id,
            Assessment(
                "linear",
                "base",
                Category.MODERATE,
                1.0,
                {"it": "", "en": ""},
                base,
                Point(float(math.floor(latest.time)), latest.value, latest.period),
                {},
                projection,
            ),
        )
    series = series_views(ind, obs)
    brief = brief_of(ind, obs, result, series)
    return IndicatorView(
        Entry(ind, Path("trees.yaml"), None), OBJECTIVE, brief, result, "current", None, None, loaded=series
    )


def _projection(ind: Indicator, values: dict[str, float]) -> Projection:
    assert ind.target is not None
    obs = _observations(values, ind.frequency)
    spec = Spec(
        sign=1 if ind.direction == "increase" else -1,
        target_value=ind.target.value,
        target_year=float(ind.target.year),
        lower_bound=0.0,
    )
    projection, why = project(
        [Point(o.time, o.value, o.period) for o in obs], spec, frequency=ind.frequency, today=TODAY
    )
    assert projection is not None, why
    return projection


def _spec(view: IndicatorView, lang: str = "en") -> dict:
    spec = figure(view, lang, translations(lang).gettext, Formatter(lang))
    go.Figure(data=spec["data"], layout=spec["layout"])  # raises on any attribute plotly does not know
    return spec


def _traces(spec: dict) -> dict[str, dict]:
    return {t["name"]: t for t in spec["data"]}


def _caption(view: IndicatorView, lang: str = "en") -> str:
    env = make_environment(REPO_TEMPLATES, lang)
    facts = chart_facts(view)
    page = env.get_template("_chart.html").render(
        view=view,
        ind=view.ind,
        a=view.assessment,
        facts=facts,
        chart=script_json(figure(view, lang, translations(lang).gettext, Formatter(lang), facts)),
    )
    match = re.search(r"<figcaption[^>]*>(.*?)</figcaption>", page, re.S)
    assert match
    return re.sub(r"[ \t\n]+", " ", match.group(1)).strip()  # keeps no-break spaces


def _monthly() -> dict[str, float]:
    values, level = {}, 1000.0
    for year in (2021, 2022, 2023, 2024, 2025):
        for month in range(1, 13):
            if (year, month) <= (2025, 10):
                level += 40 + (month % 3) * 5
                values[f"{year}-{month:02d}"] = level
    return values


def test_iso_dates_are_to_the_minute() -> None:
    assert iso(2015.5) == "2015-07-02 12:00" and iso(2016.5) == "2016-07-02 00:00"  # 2016 is a leap year
    assert iso(2015.0) == "2015-01-01 00:00"


def test_monthly_points_baseline_and_projection_start_share_the_instant() -> None:
    ind = _indicator("monthly", target=(9000.0, 2030))
    values = _monthly()
    projection = _projection(ind, values)
    # the method's base point is reduced to a whole year but keeps its label, as tracker.assess gives it
    view = _view(ind, values, projection, base=Point(2022.0, values["2022-10"], "2022-10"))
    data = _traces(_spec(view))
    total = data["Total"]
    x_of = {cd[0]: x for cd, x in zip(total["customdata"], total["x"], strict=True) if cd}
    assert x_of["2022-10"] == "2022-10-16 12:00"  # the middle of October, not 1 January
    assert data["Baseline (2022-10)"]["x"] == [x_of["2022-10"]]
    proj = data["Projection of the recent trend"]
    assert proj["x"][0] == total["x"][-1] == x_of["2025-10"]  # the projection starts at the last point
    assert proj["y"][0] == total["y"][-1]
    assert proj["x"][-1] == data["Target 2030"]["x"][0] == iso(2030.5)  # target star at mid-2030
    assert None not in total["x"]  # a complete monthly series has no gap


def test_quarterly_baseline_marker_sits_on_its_quarter() -> None:
    ind = _indicator("quarterly")
    values = {
        f"{y}-Q{q}": 10.0 * i for i, (y, q) in enumerate((y, q) for y in (2023, 2024) for q in (1, 2, 3, 4))
    }
    view = _view(ind, values, base=Point(2023.0, 20.0, "2023-Q3"))
    data = _traces(_spec(view))
    assert data["Baseline (2023-Q3)"]["x"] == [data["Total"]["x"][2]] == ["2023-08-16 00:00"]


def test_a_baseline_given_as_a_year_sits_on_the_value_it_is() -> None:
    """A definition's ``baseline: {year: 2015, value: 680}`` over quarterly data labelled by month (Milan's
    startups): the diamond sits on the 2015-09 point of that value, not at mid-2015."""
    ind = _indicator("quarterly")
    values = {"2014-12": 425.0, "2015-09": 680.0, "2016-10": 936.0}
    data = _traces(_spec(_view(ind, values, base=Point(2015.0, 680.0, "2015"))))
    assert data["Baseline (2015)"]["x"] == [data["Total"]["x"][2]] == ["2015-09-16 00:00"]  # [1]: the gap
    other = _traces(_spec(_view(ind, values, base=Point(2015.0, 700.0, "2015"))))  # no such value: mid-2015
    assert other["Baseline (2015)"]["x"] == [iso(2015.5)]


def test_a_gap_in_annual_data_breaks_the_line() -> None:
    ind = _indicator("annual")
    view = _view(ind, {"2005": 90, "2006": 80, "2007": 70, "2015": 40, "2016": 38})
    total = _traces(_spec(view))["Total"]
    assert total["x"] == [iso(2005.5), iso(2006.5), iso(2007.5), None, iso(2015.5), iso(2016.5)]
    assert total["y"] == [90, 80, 70, None, 40, 38] and total["connectgaps"] is False
    assert total["customdata"][3] is None and total["customdata"][4][0] == "2015"
    assert chart_facts(view).gaps
    assert "The line is broken where values are missing for more than one period." in _caption(view)
    assert "La linea si interrompe" in _caption(view, "it")


@pytest.mark.parametrize(
    ("frequency", "values", "breaks"),
    [
        ("irregular", {"2005": 1, "2012": 2, "2021": 3}, False),  # irregular: never broken
        ("biennial", {"2015": 1, "2017": 2, "2019": 3}, False),  # every second year is the expected pace
        ("biennial", {"2015": 1, "2019": 2}, True),
        ("quarterly", {"2024-Q1": 1, "2024-Q2": 2, "2024-Q4": 3}, True),
        ("monthly", {"2024-07": 1, "2024-08": 2, "2024-09": 3, "2025-01": 4}, True),
        ("monthly", {"2024-01": 1, "2024-02": 2, "2024-03": 3}, False),
    ],
)
def test_gaps_follow_the_frequency(frequency: str, values: dict[str, float], breaks: bool) -> None:
    view = _view(_indicator(frequency), values)
    total = _traces(_spec(view))["Total"]
    assert (None in total["x"]) is breaks
    assert chart_facts(view).gaps is breaks
    if not breaks:
        assert "The line is broken" not in _caption(view)


def test_gap_after_tolerates_months_of_different_lengths() -> None:
    times = [parse_period(f"2024-{m:02d}").time for m in range(1, 13)]
    assert gap_after(times, "monthly") == [False] * 11


def test_band_traces_fill_between_the_interval_bounds() -> None:
    ind = _indicator("annual", target=(200.0, 2030))
    values = {str(y): 100.0 + 3 * (y - 2018) + (2 if y % 2 else -2) for y in range(2018, 2025)}
    projection = _projection(ind, values)
    view = _view(ind, values, projection)
    spec = _spec(view)
    band = [t for t in spec["data"] if t.get("legendgroup") == "band"]
    assert len(band) == 2
    lower, upper = band
    assert lower["y"] == projection.low and upper["y"] == projection.high
    assert upper["fill"] == "tonexty" and "fill" not in lower and lower["showlegend"] is False
    assert upper["name"] == "80% range of the projection"
    names = [t["name"] for t in spec["data"]]
    assert names.index("80% range of the projection") < names.index(
        "Projection of the recent trend"
    )  # line on top
    assert "A shaded band shows the 80% range of the projection." in _caption(view)
    it = _spec(view, "it")
    assert any(html.unescape(t["name"]) == "Intervallo all'80\u00a0% della proiezione" for t in it["data"])
    assert "Una fascia ombreggiata mostra l'intervallo all'80\u00a0% della proiezione." in _caption(
        view, "it"
    )
    assert "leaves the chart's scale" not in _caption(view)  # the band stays within data and target


def test_no_band_without_an_interval() -> None:
    ind = _indicator("annual", target=(200.0, 2030))
    values = {str(y): 100.0 + 3 * (y - 2018) for y in range(2018, 2025)}
    projection = Projection(
        "drift", 2030.0, 118.0, None, None, [Point(2024.5, 118.0, "2024"), Point(2030.5, 136.0, "2030")]
    )
    view = _view(ind, values, projection)
    assert not any(t.get("legendgroup") == "band" for t in _spec(view)["data"])
    assert "shaded band" not in _caption(view)


def test_the_scale_is_set_by_data_and_target_not_by_an_exploding_projection() -> None:
    ind = _indicator("annual", target=(6000.0, 2030))
    values = {"2019": 1000.0, "2020": 1400.0, "2021": 1100.0, "2022": 2600.0, "2023": 2000.0, "2024": 4300.0}
    projection = _projection(ind, values)
    assert projection.high[-1] > 6000.0  # the interval runs far above the target: the case at hand
    view = _view(ind, values, projection)
    spec = _spec(view)
    low, high = spec["layout"]["yaxis"]["range"]
    assert spec["layout"]["yaxis"]["autorange"] is False
    assert low == 0.0  # a count starts at 0
    assert high >= 6000.0 and high >= 4300.0  # the data and the target are inside
    assert high < projection.high[-1]  # the band is not: the axis clips it
    facts = chart_facts(view)
    assert facts.clipped and facts.band and facts.end_year == 2030
    caption = _caption(view)
    assert (
        "range of the projection. The projection leaves the chart's scale: its 80% range in 2030 is from"
        in caption
    )
    assert f'to <span class="nw">{Formatter("en").number(projection.high[-1], 0)}</span> trees.' in caption
    assert (
        "La proiezione esce dalla scala del grafico: nel 2030 il suo intervallo all'80\u00a0% va da"
        in _caption(view, "it")
    )


def test_a_clipped_projection_without_an_interval_gives_its_value() -> None:
    ind = _indicator("annual", target=(150.0, 2030))
    values = {str(y): 100.0 + 3 * (y - 2018) for y in range(2018, 2025)}
    projection = Projection(
        "drift", 2030.0, 900.0, 2026, None, [Point(2024.5, 118.0, "2024"), Point(2030.5, 900.0, "2030")]
    )
    view = _view(ind, values, projection)
    assert _spec(view)["layout"]["yaxis"]["range"][1] < 900.0
    assert (
        'The projection leaves the chart\'s scale: in 2030 it reaches <span class="nw">900</span> trees.'
        in _caption(view)
    )


def test_the_margin_leaves_room_for_the_target_star() -> None:
    """Milan's tourist arrivals: values from 6.8 M, target 9 M; the axis starts at 0, the margin is of 0-9 M."""
    ind = _indicator("annual", target=(9_000_000.0, 2030))
    view = _view(ind, {"2018": 6_800_000.0, "2019": 7_500_000.0, "2023": 8_487_200.0})
    assert _spec(view)["layout"]["yaxis"]["range"] == [0.0, pytest.approx(9_000_000.0 * 1.08)]


def test_index_units_do_not_start_at_zero() -> None:
    ind = _indicator("annual", kind="index")
    low, high = _spec(_view(ind, {"2020": 95.0, "2021": 98.0, "2022": 101.0}))["layout"]["yaxis"]["range"]
    assert 90 < low < 95 and 101 < high < 110


def test_hover_shows_the_period_as_published() -> None:
    ind = _indicator("monthly", target=(9000.0, 2030))
    values = _monthly()
    view = _view(ind, values, _projection(ind, values))
    data = _traces(_spec(view))
    assert (
        data["Total"]["customdata"][0][0] == "2021-01"
        and "%{customdata[0]}" in data["Total"]["hovertemplate"]
    )
    proj = data["Projection of the recent trend"]
    assert proj["customdata"][0][0] == "2025-10" and proj["customdata"][-1][0] == "2030"
    assert "80% range: %{customdata[2]} – %{customdata[3]}" in proj["hovertemplate"]
    # Values come written by the Formatter (the page's rounding and marks), never by Plotly's d3-format.
    assert all("%{y" not in t.get("hovertemplate", "%{y") for t in data.values() if t.get("hovertemplate"))
    assert all(row[2] and row[2][0].isdigit() for row in data["Total"]["customdata"] if row)
