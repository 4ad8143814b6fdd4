"""Issue #16: values published only as bounds, peer territories' values and events on the charts.

Intake, catalogue and store on SYNTHETIC data; the assessment on random series (hypothesis); the pages on a
synthetic project and on the real Milan catalogue.
"""

from __future__ import annotations

import csv
import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from tests.conftest import build_milan, make_indicator
from tests.test_end_to_end import make_project
from tracker import catalog, config, pipeline
from tracker.assess import assess_indicator
from tracker.assess.brief import result_hash
from tracker.catalog import Indicator
from tracker.config import AssessmentSettings
from tracker.intake.validate import read_observations
from tracker.observations import Observation
from tracker.problems import ProblemsFound
from tracker.store import db, merge, queries

REPO = Path(__file__).resolve().parent.parent
TODAY = date(2026, 6, 30)
NOW = datetime(2026, 12, 2, 9, tzinfo=UTC)


def with_peers(ind: Indicator, *names: str) -> Indicator:
    return Indicator.model_validate({**ind.model_dump(), "peers": [{"name": n} for n in names]})


# --- catalogue: peers and events.yaml --------------------------------------------------------------------------

EVENTS = """\
events:
  - id: area-c
    date: 2012-01-16
    label: {it: Area C, en: Area C}
    source: {name: Il Giorno, url: "https://example.org/area-c"}
    indicators: [pm10-days]
  - id: lockdown
    date: 2020-03-09
    end: 2020-05-18
    label: {it: Lockdown, en: Lockdown}
    source: {name: Wikipedia, url: "https://example.org/lockdown"}
    objectives: [mobility]
"""


def test_events_apply_to_their_indicators_and_to_every_indicator_of_their_objectives(tmp_path: Path) -> None:
    make_project(tmp_path)
    (tmp_path / "indicators" / "events.yaml").write_text(EVENTS, encoding="utf-8")
    cat = catalog.load(tmp_path / "indicators")
    assert len(cat.entries) == 3  # events.yaml is not read as an indicator definition
    of = {e.indicator.id: [ev.id for ev in cat.events_of(e.indicator)] for e in cat.entries}
    assert of == {"bike-trips": ["lockdown"], "waste-sorted": [], "pm10-days": ["area-c"]}
    assert cat.events[1].end == date(2020, 5, 18)


BAD_EVENTS = """\
events:
  - id: area-c
    date: 2012-16-01
    label: {it: Area C, en: Area C}
    source: {name: Il Giorno, url: "https://example.org/area-c"}
    indicators: [pm10-day]
  - id: expo
    date: 2015-05-01
    end: 2015-04-30
    label: {it: Expo, en: Expo}
    indicators: [bike-trips]
  - id: lockdown
    date: "9 March 2020"
    label: {it: Lockdown, en: Lockdown}
    source: {name: Wikipedia, url: "https://example.org/lockdown"}
    objectives: [mobilty]
  - id: nothing
    date: 2020-01-01
    label: {it: Niente, en: Nothing}
    source: {name: Test, url: "https://example.org/"}
"""


def load_events(root: Path, text: str) -> list[str]:
    (root / "indicators" / "events.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ProblemsFound) as caught:
        catalog.load(root / "indicators")
    return [str(p) for p in caught.value.problems]


def test_events_yaml_errors_are_precise(tmp_path: Path) -> None:
    make_project(tmp_path)
    # YAML reads 2012-16-01 as a date it cannot build: one located problem, not a crash
    assert load_events(tmp_path, BAD_EVENTS) == [
        "indicators/events.yaml:3: '2012-16-01' is written like a date but is not one (month must be in 1..12) "
        "(fix: write a real date as YYYY-MM-DD (2012-01-16), or quote the text)"
    ]
    found = "\n".join(load_events(tmp_path, BAD_EVENTS.replace("2012-16-01", "2012-01-16")))
    assert (
        "events.yaml:7: events.1.source: required key is missing (fix: see 'Events on the charts' in the README)"
        in found
    ), found
    assert (
        "events.yaml:13: events.2.date: '9 March 2020' is not a date written YYYY-MM-DD "
        "(fix: write it like 2012-01-16)" in found
    ), found
    assert re.search(r"events\.yaml:\d+: events\.3: names no indicator and no objective", found), found
    # Unknown ids are checked once the file itself is valid, each with the nearest id.
    good = (
        BAD_EVENTS.split("  - id: nothing")[0]
        .replace("2012-16-01", "2012-01-16")
        .replace("2015-04-30", "2015-10-31")
        .replace(
            "    indicators: [bike-trips]",
            '    source: {name: W, url: "https://example.org/"}\n    indicators: [bike-trips]',
        )
        .replace('"9 March 2020"', "2020-03-09")
    )
    assert load_events(tmp_path, good) == [
        "indicators/events.yaml:6: events.0.indicators.0: event 'area-c': unknown indicator id 'pm10-day' "
        "(fix: did you mean 'pm10-days'? use an id of indicators/)",
        "indicators/events.yaml:17: events.2.objectives.0: event 'lockdown': unknown objective id 'mobilty' "
        "(fix: did you mean 'mobility'? use an id of objectives.yaml)",
    ]


def test_a_peer_declared_twice_is_an_error(tmp_path: Path) -> None:
    make_project(tmp_path)
    path = tmp_path / "indicators" / "environment" / "waste-sorted.yaml"
    path.write_text(
        path.read_text(encoding="utf-8") + "peers:\n  - name: Roma\n  - name: Torino\n  - name: Roma\n",
        encoding="utf-8",
    )
    with pytest.raises(ProblemsFound) as caught:
        catalog.load(tmp_path / "indicators")
    assert [str(p) for p in caught.value.problems] == [
        "indicators/environment/waste-sorted.yaml:15: peers.2.name: 'Roma' is declared twice "
        "(fix: declare each peer territory once)"
    ]


# --- intake ------------------------------------------------------------------------------------------------------


def test_bound_and_territory_are_read_and_a_peer_period_is_its_own_key(tmp_path: Path) -> None:
    ind = with_peers(make_indicator("percent", columns=()), "Roma", "Torino")
    path = tmp_path / "test-indicator.csv"
    path.write_text(
        "period,value,limite,territorio\n2021,63,Lower,\n2022,62,,\n2022,45.9,,Roma\n2022,5,upper,Torino\n",
        encoding="utf-8",
    )
    observations, problems = read_observations(path, ind, today=TODAY)
    assert problems == []
    assert [(o.period, o.value, o.bound, o.territory) for o in observations] == [
        ("2021", 63.0, "lower", ""),
        ("2022", 62.0, "", ""),
        ("2022", 45.9, "", "Roma"),
        ("2022", 5.0, "upper", "Torino"),
    ]
    path.write_text("period,value,territory\n2022,45.9,Roma\n2022,46,Roma\n", encoding="utf-8")
    observations, problems = read_observations(path, ind, today=TODAY)
    assert observations == []
    assert [str(p) for p in problems] == [
        "test-indicator.csv:3:period: period 2022 of Roma is repeated (first on line 2) "
        "(fix: keep one value per period and series)"
    ]


# --- store -------------------------------------------------------------------------------------------------------


def obs(period: str, value: float, bound: str = "", territory: str = "") -> Observation:
    return Observation("waste", period, float(period) + 0.5, value, bound=bound, territory=territory)


def test_store_keeps_bound_and_territory_in_values_and_history(engine: Engine) -> None:
    first = [obs("2021", 63, "lower"), obs("2022", 62), obs("2022", 45.9, territory="Roma")]
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    with db.session_scope(engine) as session:
        merge.merge_file(session, "waste", "waste.csv", "a" * 64, first, now=t0)
    with db.session_scope(engine) as session:
        stored = queries.current_observations(session)["waste"]
        assert [(o.period, o.value, o.bound, o.territory) for o in stored] == [
            ("2021", 63.0, "lower", ""),
            ("2022", 62.0, "", ""),
            ("2022", 45.9, "", "Roma"),
        ]
    # The exact 2021 figure replaces the bound (a revision); a new peer value does not move "last updated".
    second = [
        obs("2021", 63.4),
        obs("2022", 62),
        obs("2022", 45.9, territory="Roma"),
        obs("2023", 50, territory="Roma"),
    ]
    with db.session_scope(engine) as session:
        result = merge.merge_file(session, "waste", "waste.csv", "b" * 64, second, now=t0 + timedelta(days=1))
        assert (result.added, result.revised, result.unchanged) == (1, 1, 2)
    with db.session_scope(engine) as session:
        history = queries.history(session, "waste")
        changed = queries.data_changed(session)
    rows = [
        (r.territory, r.period, r.old_value, r.old_bound, r.new_value, r.bound, r.current) for r in history
    ]
    assert rows == [
        ("", "2021", None, "", 63.0, "lower", False),
        ("", "2021", 63.0, "lower", 63.4, "", True),  # the old value was "more than 63", not 63
        ("", "2022", None, "", 62.0, "", True),
        ("Roma", "2022", None, "", 45.9, "", True),
        ("Roma", "2023", None, "", 50.0, "", True),
    ]
    assert changed["waste"] == t0 + timedelta(days=1)  # the revision of 2021, Milan's own
    third = [*second, obs("2024", 51, territory="Roma")]
    with db.session_scope(engine) as session:
        merge.merge_file(session, "waste", "waste.csv", "c" * 64, third, now=t0 + timedelta(days=9))
        assert queries.data_changed(session)["waste"] == t0 + timedelta(
            days=1
        )  # a peer's value: not Milan's data


# --- assessment --------------------------------------------------------------------------------------------------

METHODS = ["eurostat", "linear", "unsd", "escap", "opensdg"]


def target_indicator(method: str, direction: str) -> Indicator:
    base = make_indicator("rate", columns=()).model_dump()
    return Indicator.model_validate(
        {
            **base,
            "method": method,
            "direction": direction,
            "baseline": {"year": 2012},
            "target": {
                "value": 80 if direction == "increase" else 10,
                "year": 2030,
                "basis": "proposal",
                "reference": {"it": "prova", "en": "test"},
            },
            "peers": [{"name": "Roma"}, {"name": "Torino"}],
        }
    )


values = st.floats(min_value=1, max_value=100, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(
    method=st.sampled_from(METHODS),
    direction=st.sampled_from(["increase", "decrease"]),
    exact=st.dictionaries(st.integers(2010, 2025), values, min_size=0, max_size=12),
    bounds=st.dictionaries(
        st.integers(2010, 2025), st.tuples(values, st.sampled_from(["lower", "upper"])), max_size=5
    ),
    peers=st.lists(
        st.tuples(st.sampled_from(["Roma", "Torino"]), st.integers(2005, 2026), values), max_size=10
    ),
)
def test_bounds_and_peers_never_change_the_verdict_or_the_projection(
    method: str, direction: str, exact: dict[int, float], bounds: dict, peers: list
) -> None:
    ind = target_indicator(method, direction)
    own = [Observation(ind.id, str(y), y + 0.5, v) for y, v in sorted(exact.items())]
    extra = [
        Observation(ind.id, f"{y}-06", y + 0.45, v, bound=b)  # a bound of June: never the same key as a year
        for y, (v, b) in bounds.items()
    ] + [Observation(ind.id, str(y), y + 0.5, v, territory=t) for t, y, v in peers]
    config = AssessmentSettings()
    alone = assess_indicator(ind, own, config, TODAY)
    mixed = assess_indicator(ind, [*extra, *own, *extra], config, TODAY)
    assert result_hash(mixed) == result_hash(alone)
    assert mixed.headline.category == alone.headline.category
    assert mixed.headline.projection == alone.headline.projection


def test_a_bound_alone_is_not_assessed() -> None:
    ind = target_indicator("linear", "increase")
    only_bounds = [
        Observation(ind.id, str(y), y + 0.5, 50.0 + y - 2015, bound="lower") for y in range(2015, 2025)
    ]
    result = assess_indicator(ind, only_bounds, AssessmentSettings(), TODAY)
    assert result.headline.category == "insufficient_data" and result.headline.latest is None


# --- pages, on a synthetic project ---------------------------------------------------------------------------------


def synthetic_site(root: Path) -> Path:
    """The synthetic project with a lower bound as waste-sorted's latest value and six peers of pm10-days: Como's
    latest value an upper bound, Pavia declared not comparable (both listed without a rank)."""
    make_project(root)
    ind = root / "indicators"
    (ind / "events.yaml").write_text(EVENTS, encoding="utf-8")
    waste = ind / "environment" / "waste-sorted.csv"
    waste.write_text(
        waste.read_text(encoding="utf-8")
        .replace("period,value,source,note,flag", "period,value,source,note,flag,bound")
        .replace(",,\n", ",,,\n")
        + "2022,65,https://example.org/s,synthetic bound,,lower\n",
        encoding="utf-8",
    )
    pm10 = ind / "environment" / "pm10-days.yaml"
    pm10.write_text(
        pm10.read_text(encoding="utf-8")
        + "peers:\n"
        + "".join(f"  - name: {n}\n" for n in ("Bergamo", "Brescia", "Monza"))
        + "  - name: Lodi\n    label: {it: Lodi (provincia), en: Lodi (province)}\n"
        + "    note: {it: Dato provinciale sintetico, en: Synthetic province figure}\n"
        + "  - name: Como\n  - name: Pavia\n    comparable: false\n",
        encoding="utf-8",
    )
    (ind / "environment" / "pm10-days.csv").write_text(
        "period,value,source,territory,flag,bound\n"
        "2015,102,https://example.org/s,,,\n2020,90,https://example.org/s,,,\n2024,68,https://example.org/s,,,\n"
        "2024,56,https://example.org/s,Brescia,,\n2024,40,https://example.org/s,Bergamo,,\n"
        "2024,54,https://example.org/s,Monza,,\n2023,47,https://example.org/s,Lodi,provisional,\n"
        "2022,55,https://example.org/s,Como,,\n2023,50,https://example.org/s,Como,,upper\n"
        "2024,45,https://example.org/s,Pavia,,\n",
        encoding="utf-8",
    )
    report = pipeline.run(config.load(root), now=NOW, updates=False)
    assert not report.problems, report.problems
    return root / "site"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthetic_site(tmp_path_factory.mktemp("bounds"))


def text_of(page: Path) -> str:
    html = page.read_text(encoding="utf-8")
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("\u00a0", " ")


def chart_of(page: Path) -> dict[str, Any]:
    html = page.read_text(encoding="utf-8")
    found = re.search(r'<script type="application/json" id="chart-spec">(.*?)</script>', html, re.S)
    assert found
    return json.loads(found.group(1))


def test_a_bound_reads_more_than_and_the_verdict_rests_on_the_latest_exact_value(site: Path) -> None:
    it = text_of(site / "it" / "indicators" / "waste-sorted.html")
    en = text_of(site / "en" / "indicators" / "waste-sorted.html")
    assert "oltre il 65,0 % (2022)" in it and "more than 65.0% (2022)" in en  # the headline figure
    assert "the verdict rests on the latest exact value, 62.6% (2020)" in en
    assert "il giudizio si basa sull’ultimo valore esatto, 62,6 % (2020)" in it
    assert re.search(r"2022 more than 65\.0% +synthetic bound", en)  # the data table
    spec = chart_of(site / "en" / "indicators" / "waste-sorted.html")
    marker = next(t for t in spec["data"] if t["marker"]["symbol"] == "triangle-up-open")
    assert marker["name"] == "Lower bound (“more than”)" and marker["y"] == [65.0]
    assert "more than 65.0%" in marker["customdata"][0][2]
    line = spec["data"][0]
    assert 65.0 not in line["y"]  # the line joins the exact values only
    record = json.loads((site / "scorecard.json").read_text(encoding="utf-8"))
    waste = next(i for o in record["objectives"] for i in o["indicators"] if i["id"] == "waste-sorted")
    assert waste["latest"]["bound"] == "lower" and waste["assessment"]["latest"]["period"] == "2020"


def test_peers_are_ranked_by_direction_drawn_secondary_and_downloaded(site: Path) -> None:
    page = site / "en" / "indicators" / "pm10-days.html"
    text = text_of(page)
    table = text.split("comparison with other territories")[1].split("Peer values may differ")[0]
    order = re.findall(
        r"(\d|not ranked) (Bergamo|Lodi \(province\)|Monza|Brescia|Milano \(this indicator's city\)|Como|Pavia) ",
        table,
    )
    # lower is better: Bergamo 40 first, Milan's 68 last; then, without a rank, Como's "less than 50" (it may lie
    # above or below Lodi's 47) and Pavia, declared not comparable (its 45 would have come second)
    assert order == [
        ("1", "Bergamo"),
        ("2", "Lodi (province)"),
        ("3", "Monza"),
        ("4", "Brescia"),
        ("5", "Milano (this indicator's city)"),
        ("not ranked", "Como"),
        ("not ranked", "Pavia"),
    ]
    assert "less than 50.0 days" in table
    assert "a bound does not say where the true value lies among the others" in text
    assert "Territories whose figures follow another definition or cover another kind of period" in text
    it = text_of(site / "it" / "indicators" / "pm10-days.html")
    assert "senza posizione Como meno di 50,0 days" in it and "senza posizione Pavia 45,0 days" in it
    assert "The values are from different periods: compare with care." in text
    assert re.search(r"Lodi \(province\) ?: Synthetic province figure", text)
    spec = chart_of(page)
    peers = [t for t in spec["data"] if t.get("meta", {}).get("peer")]
    assert sorted(t["name"] for t in peers) == [
        "Bergamo",
        "Brescia",
        "Como",
        "Lodi (province)",
        "Monza",
        "Pavia (not comparable)",  # as the ranking table lists it without a rank
    ]
    assert all(
        t["line"]["dash"] == "dot" and t["line"]["width"] < spec["data"][0]["line"]["width"] for t in peers
    )
    # the verdict and the "last updated" are Milan's alone; the downloads carry every territory
    with (site / "data" / "pm10-days.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0])[-2:] == ["bound", "territory"]
    assert {r["territory"] for r in rows} == {"", "Bergamo", "Brescia", "Monza", "Lodi", "Como", "Pavia"}
    record = json.loads((site / "data" / "pm10-days.json").read_text(encoding="utf-8"))
    assert {o["territory"] for o in record["observations"]} == {
        None,
        "Bergamo",
        "Brescia",
        "Monza",
        "Lodi",
        "Como",
        "Pavia",
    }
    assert record["latest"]["value"] == 68


def test_events_are_drawn_and_listed_in_both_languages(site: Path) -> None:
    for lang, heading in (("en", "Events"), ("it", "Eventi")):
        page = site / lang / "indicators" / "pm10-days.html"
        html = page.read_text(encoding="utf-8")
        assert f'<h2 id="h-events">{heading}</h2>' in html
        assert '<a href="https://example.org/area-c" rel="external noopener">Il Giorno</a>' in html
        # Area C (2012) lies before the chart's years (2015-2030): listed, not drawn
        assert "shapes" not in chart_of(page)["layout"]
        # nothing drawn, so the caption claims no mark
        assert "event within the chart's years" not in text_of(page) and "events within" not in text_of(page)
    bikes_page = site / "en" / "indicators" / "bike-trips.html"
    bikes = chart_of(bikes_page)
    assert [s["type"] for s in bikes["layout"]["shapes"]] == ["rect"]  # the lockdown, a span
    # its number on the chart, its label in the tooltip and in the numbered table
    (note,) = bikes["layout"]["annotations"]
    assert note["text"] == "1" and note["hovertext"] == "1. Lockdown (March 9, 2020 – May 18, 2020)"
    text = text_of(bikes_page)
    assert "No. Date Event Source 1 March 9, 2020 to May 18, 2020 Lockdown" in text
    assert (
        "A dashed vertical line or a shaded span marks 1 event within the chart's years that may show in the "
        "values, with its number in the table “Events”." in text
    )
    assert "h-events" not in (site / "en" / "indicators" / "waste-sorted.html").read_text(encoding="utf-8")


def test_close_events_get_their_numbers_on_separate_rows() -> None:
    from tracker.catalog import Event
    from tracker.site.charts import EVENT_ROW_PX, event_marks
    from tracker.site.i18n import Formatter

    def event(id_: str, day: date, end: date | None = None, label: str = "") -> Event:
        return Event.model_validate(
            {
                "id": id_,
                "date": day,
                "end": end,
                "label": {"it": label or id_, "en": label or id_},
                "source": {"name": "Test", "url": "https://example.org/"},
                "indicators": ["x"],
            }
        )

    events = [
        event("area-c", date(2012, 1, 16)),
        event("area-b", date(2019, 2, 25)),
        event("lockdown", date(2020, 3, 9), date(2020, 5, 18)),
        event("later", date(2024, 1, 1)),
        event("before", date(2001, 1, 1)),  # before the chart's years: in the table, not drawn
    ]
    shapes, notes = event_marks(events, "en", (2006.5, 2030.5), Formatter("en"))
    assert [s["type"] for s in shapes] == ["line", "line", "rect", "line"]
    rows = {n["text"]: n["yshift"] for n in notes}
    # Area B and the lockdown are a year apart (4 % of the axis): the lockdown's number goes a row down; the
    # others, years apart, stay on the top row; numbers follow the table, where "before" is the fifth row
    assert rows == {"1": 0, "2": 0, "3": -EVENT_ROW_PX, "4": 0}
    assert all(n["y"] == 1 and n["yanchor"] == "top" and "textangle" not in n for n in notes)  # inside, level
    assert {n["x"][:10] for n in notes} == {"2012-01-16", "2019-02-25", "2020-03-09", "2024-01-01"}
    # a label from a data file reaches Plotly escaped
    (note,) = event_marks(
        [event("x1", date(2020, 1, 1), label="<b>x</b>")], "en", (2015.5, 2025.5), Formatter("en")
    )[1]
    assert note["hovertext"] == "1. &lt;b&gt;x&lt;/b&gt; (January 1, 2020)"


def test_the_caption_counts_values_and_bounds_apart(site: Path) -> None:
    # waste-sorted: three exact values and a lower bound; the bound is not a value, nor the last one
    def caption(lang: str) -> str:  # a figure's <span> leaves a space before the closing quotation mark
        return re.sub(r" ([”»])", r"\1", text_of(site / lang / "indicators" / "waste-sorted.html"))

    en = caption("en")
    assert (
        "The chart shows 3 values of the series “Total”, from 36.7% in 2012 to 62.6% in 2020. The chart also "
        "shows 1 figure published only as a bound (“more than 65.0%” in 2022), drawn as an open triangle"
        in en
    )
    it = caption("it")
    assert (
        "Il grafico mostra 3 valori della serie «Totale», da 36,7 % nel 2012 a 62,6 % nel 2020. Il grafico mostra "
        "anche 1 dato pubblicato solo come limite («oltre il 65,0 %» nel 2022)" in it
    )
    spec = chart_of(site / "en" / "indicators" / "waste-sorted.html")
    drawn = [y for y in spec["data"][0]["y"] if y is not None]
    assert len(drawn) == 3  # what the caption counts is what the line draws


@pytest.mark.parametrize("lang", ["it", "fr"])
def test_the_caption_plurals_follow_each_language(lang: str) -> None:
    from tracker.site.i18n import translations

    t = translations(lang)
    one = "The chart also shows %(num)s figure published only as a bound (“%(example)s” in %(period)s), drawn as an open triangle pointing up for “more than” and down for “less than”; the line joins the exact values only."
    many = "The chart also shows %(num)s figures published only as bounds (such as “%(example)s” in %(period)s), each drawn as an open triangle pointing up for “more than” and down for “less than”; the line joins the exact values only."
    forms = {n: t.ngettext(one, many, n) for n in (1, 2, 7)}
    assert forms[1] != forms[2] == forms[7]
    assert all(one != f and many != f for f in forms.values())  # translated
    words = {"it": ("dato pubblicato", "dati pubblicati"), "fr": ("chiffre publié", "chiffres publiés")}[lang]
    assert words[0] in forms[1] and words[1] in forms[2]


def test_peer_values_are_in_a_table_beside_the_citys(site: Path) -> None:
    """WCAG 1.1.1: every point of every peer's dotted line is a row of the table "Values of other territories"."""
    for lang, caption in (
        ("en", "Values of other territories for “Indicator pm10-days” (comparison only)"),
        ("it", "Valori di altri territori per «Indicatore pm10-days» (solo per confronto)"),
    ):
        page = site / lang / "indicators" / "pm10-days.html"
        html = page.read_text(encoding="utf-8")
        found = re.search(r'<table class="data-table peer-values">(.*?)</table>', html, re.S)
        assert found, lang
        rows = {
            tuple(re.sub(r"<[^>]+>", "", cell).replace("\u00a0", " ").strip() for cell in cells[:3])
            for cells in (
                re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)
                for row in re.findall(r"<tr>(.*?)</tr>", found.group(1))
            )
            if cells
        }
        points = {
            (
                re.sub(r" \((not comparable|non confrontabile)\)$", "", trace["name"]),
                cd[0],
                re.sub(r"<[^>]+>", "", cd[2]).replace("\u00a0", " "),
            )
            for trace in chart_of(page)["data"]
            if trace.get("meta", {}).get("peer")
            for cd in trace["customdata"]
        }
        assert len(points) == 7 and points <= rows, (points - rows, lang)
        assert caption in text_of(page), lang
    en = text_of(site / "en" / "indicators" / "pm10-days.html")
    assert "Lodi (province) 2023 47.0 days provisional" in en and "Como 2023 less than 50.0 days" in en
    assert "Every value, the other territories' too, is listed in the data tables below." in en
    # no peers, no table
    assert "peer-values" not in (site / "en" / "indicators" / "waste-sorted.html").read_text(encoding="utf-8")


# --- the real Milan site -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def milan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("milan-peers")
    build_milan(project, NOW)
    return project / "site"


def test_milan_has_three_indicators_with_four_peers_or_more(milan: Path) -> None:
    peers = {}
    for path in sorted((milan / "data").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            peers[path.stem] = {r["territory"] for r in csv.DictReader(fh)} - {""}
    rich = sorted(k for k, v in peers.items() if len(v) >= 4)
    assert len(rich) >= 3, peers
    assert {
        "separate-collection-rate",
        "pm10-exceedance-days",
        "pm25-annual-mean",
        "car-sharing-per-100k",
    } <= set(rich)


def test_milan_bounds_read_as_published_and_rankings_follow_the_direction(milan: Path) -> None:
    it = text_of(milan / "it" / "indicators" / "separate-collection-rate.html")
    assert "2021 oltre il 63,0 %" in it and "2022 oltre il 63,0 %" in it
    wifi = text_of(milan / "en" / "indicators" / "public-wifi-hotspots.html")
    assert "2012-10 more than 500 hotspots" in wifi
    cars = text_of(milan / "en" / "indicators" / "car-sharing-per-100k.html")
    table = cars.split("comparison with other territories")[1]
    names = re.findall(r"\d (Milano|Firenze|Torino|Roma|Bologna)", table)[:5]
    assert names == ["Milano", "Firenze", "Torino", "Roma", "Bologna"]  # higher is better
    pm10 = text_of(milan / "en" / "indicators" / "pm10-exceedance-days.html")
    ranked = re.findall(
        r" (\d) (Varese|Bergamo|Brescia|Monza|Cremona|Lodi|Milano)\b[^:]*? \d+ days",
        pm10.split("comparison with other territories")[1],
    )
    # lower is better; each territory's latest: Varese 5 (2024), Brescia 26 (2025) ... Milan 66 (2025)
    assert [name for _, name in ranked][:7] == [
        "Varese",
        "Brescia",
        "Bergamo",
        "Monza",
        "Lodi",
        "Cremona",
        "Milano",
    ]
    events = text_of(milan / "en" / "indicators" / "pm10-exceedance-days.html")
    assert "January 16, 2012 Area C" in events and "February 25, 2019 Area B" in events


def test_milan_captions_rankings_and_event_numbers_say_what_is_shown(milan: Path) -> None:
    def text(lang: str, ind: str) -> str:
        return re.sub(r" ([”»])", r"\1", text_of(milan / lang / "indicators" / f"{ind}.html"))

    cars_low = text("en", "low-emission-cars")  # a single lower bound, no exact value
    assert re.search(
        r"The chart shows no exact value of the series “Total”, only 1 figure published as a bound \(“more than "
        r"13\.0% ?” in 2024\), drawn as an open triangle pointing up for “more than” and down for “less than”\. ",
        cars_low,
    )
    assert "values of the series" not in cars_low and "the line joins" not in cars_low  # there is no line
    # Area B (2019) and the lockdown (2020) are listed but lie outside the chart's years (2024): no mark claimed
    assert "1 February 25, 2019 Area B" in cars_low and "within the chart's years" not in cars_low
    assert "annotations" not in chart_of(milan / "en" / "indicators" / "low-emission-cars.html")["layout"]
    air = text("en", "air-destinations")  # two exact values and two lower bounds
    assert (
        "The chart shows 2 values of the series “Total”, from 156 destinations in 2022 to 171 destinations in 2023. "
        "The chart also shows 2 figures published only as bounds (such as “more than 185 destinations” in 2016), "
        "each drawn as an open triangle pointing up for “more than” and down for “less than”; the line joins the "
        "exact values only." in air
    )
    # the lockdown (2020) lies within the chart's years (2016-2024): one numbered mark
    assert "marks 1 event within the chart's years" in air
    cars = text("it", "car-sharing-per-100k")
    assert re.search(
        r"Il grafico mostra 3 valori della serie «Totale», da 245 veicoli/ ?100 000 ab\. nel 2018 a 265 "
        r"veicoli/ ?100 000 ab\. nel 2023\.",
        cars,
    )
    pm10 = chart_of(milan / "en" / "indicators" / "pm10-exceedance-days.html")["layout"]["annotations"]
    shift = {n["text"]: n["yshift"] for n in pm10}
    assert sorted(shift) == ["1", "2", "3"] and shift["2"] != shift["3"]  # Area B 2019, lockdown 2020
    assert "Area B" in next(n["hovertext"] for n in pm10 if n["text"] == "2")
    waste = text("en", "separate-collection-rate")
    table = waste.split("comparison with other territories")[1].split("Peer values may differ")[0]
    ranked = re.findall(
        r"(\d+|not ranked) (Cagliari|Milano|Messina|Roma|Barcelona|Catania|Madrid|Munich|Berlin|Paris|Bucharest)\b",
        table,
    )
    assert ranked == [
        ("1", "Cagliari"),
        ("2", "Milano"),
        ("3", "Messina"),
        ("4", "Roma"),
        ("5", "Barcelona"),
        ("6", "Catania"),
        ("not ranked", "Berlin"),
        ("not ranked", "Bucharest"),
        ("not ranked", "Madrid"),
        ("not ranked", "Munich"),
        ("not ranked", "Paris"),
    ]
    for lang, words in (
        ("en", "The ranking places only exact values"),
        ("it", "La graduatoria mette in ordine solo i valori esatti"),
        ("fr", "Le classement ne range que les valeurs exactes"),
    ):
        page = (REPO / "templates" / f"_methodology_{lang}.html").read_text(encoding="utf-8")
        assert words in re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page)), lang


def test_history_shows_a_replaced_bound_as_a_bound(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from tracker.cli import app

    root = make_project(tmp_path)
    waste = root / "indicators" / "environment" / "waste-sorted.csv"
    waste.write_text("period,value,source,bound\n2021,63,https://example.org/s,lower\n", encoding="utf-8")
    assert not pipeline.run(config.load(root), now=NOW, updates=False).problems
    waste.write_text("period,value,source,bound\n2021,63.4,https://example.org/s,\n", encoding="utf-8")
    assert not pipeline.run(config.load(root), now=NOW + timedelta(days=1), updates=False).problems
    result = CliRunner().invoke(
        app, ["history", "waste-sorted", "--project", str(root)], env={"TRACKER_DATABASE_URL": ""}
    )
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if "2021" in line]
    assert len(rows) == 2
    assert re.search(r"│ *more than 63 *│ *63\.4 *│", rows[1]), (
        rows
    )  # the revision: from the bound to a value
    assert re.search(r"│ *│ *more than 63 *│", rows[0]), rows  # the first version: the bound itself
    json_out = CliRunner().invoke(
        app,
        ["history", "waste-sorted", "--format", "json", "--project", str(root)],
        env={"TRACKER_DATABASE_URL": ""},
    )
    revised = json.loads(json_out.output)[1]
    assert (revised["old_value"], revised["old_bound"], revised["new_value"], revised["bound"]) == (
        63.0,
        "lower",
        63.4,
        "",
    )


# --- updates -----------------------------------------------------------------------------------------------------


def test_updates_say_which_new_values_are_bounds_and_ignore_peers(tmp_path: Path) -> None:
    from tests.test_updates_changes import changes_between, open_project, record_run
    from tracker.assess.base import Category
    from tracker.updates import changes as ch
    from tracker.updates import digest

    settings, cat, engine = open_project(tmp_path)
    waste = [
        Observation("waste-sorted", "2020", 2020.5, 62.6),
        Observation("waste-sorted", "2022", 2022.5, 65.0, bound="lower"),
        Observation("waste-sorted", "2023", 2023.5, 40.0, territory="Roma"),
    ]
    peers_only = [Observation("bike-trips", "2024", 2024.5, 9.0, territory="Torino")]
    with db.session_scope(engine) as session:
        merge.merge_file(session, "waste-sorted", "w.csv", "a" * 64, waste)
        merge.merge_file(session, "bike-trips", "b.csv", "b" * 64, peers_only)
    run = record_run(engine, {}, {"waste-sorted": Category.ON_TRACK})
    found = changes_between(settings, cat, engine, None, run)
    assert found.new_data == (
        ch.NewData("waste-sorted", 2, 0, "2022", bounds=1),
    )  # not Roma's 2023, not Torino's
    assert ch.Changes.from_payload(found.to_payload()) == found
    for lang, words in (
        (
            "en",
            "new values: 2, revised: 0; latest period 2022 (1 of them only a bound, published as 'more than'",
        ),
        (
            "it",
            "valori nuovi: 2, rivisti: 0; ultimo periodo 2022 (di cui 1 solo un limite, pubblicato come «oltre»",
        ),
    ):
        assert words in digest.render(settings, cat, found, lang).text
    engine.dispose()
