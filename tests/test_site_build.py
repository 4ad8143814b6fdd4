"""The static site built from a tiny SYNTHETIC catalogue (tracker.site.sample): pages, links, escaping, numbers."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import plotly.graph_objects as go
import pytest

from tracker.assess.outcome import Outcome
from tracker.site.build import PLOTLY_JS, SiteReport, build_site
from tracker.site.charts import script_json
from tracker.site.sample import HOSTILE_NOTE, Sample, build_sample

INDICATORS = ["separate-waste", "shared-bikes", "pm10-days", "wifi-hotspots", "turnout"]
OBJECTIVES = ["environment", "mobility", "empty"]
STATIC = ["index.html", "indicators.html", "status.html", "methodology.html", "guide.html"]


class _Links(HTMLParser):
    """Collects href/src attributes, element ids and script elements of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.ids: set[str] = set()
        self.scripts: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"] or "")
        for name in ("href", "src"):
            if values.get(name) is not None:
                self.links.append((tag, values[name] or ""))
        if tag == "script":
            self.scripts.append(values)
        if tag == "meta" and values.get("http-equiv") == "refresh":
            self.links.append(("meta", (values.get("content") or "").split("url=", 1)[-1]))


def parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Sample, SiteReport, Path]:
    root = tmp_path_factory.mktemp("synthetic-project")
    sample = build_sample(root)
    history = {
        "separate-waste": [{"at": "2025-09-15", "category": "moderate", "score": 1.5, "note": "<b>n</b>"}]
    }
    # When the values last changed in the database; late on 1 June in UTC is 2 June in the city (Europe/Rome).
    changed = {
        "separate-waste": datetime(2025, 6, 1, 22, 30, tzinfo=UTC),
        "pm10-days": datetime(2025, 10, 1, 8, 0, tzinfo=UTC),
    }
    outcome = Outcome(sample.results, sample.summaries, sample.observations, history=history, changed=changed)
    report = build_site(sample.settings, sample.catalog, outcome, generated_at=sample.generated_at)
    return sample, report, report.path


def test_every_page_exists_in_both_languages(built: tuple[Sample, SiteReport, Path]) -> None:
    _, report, site = built
    expected = [
        f"{lang}/{page}"
        for lang in ("it", "en")
        for page in STATIC
        + [f"objectives/{o}.html" for o in OBJECTIVES]
        + [f"indicators/{i}.html" for i in INDICATORS]
    ]
    missing = [p for p in expected if not (site / p).is_file()]
    assert missing == []
    embeds = [
        f"{lang}/embed/{kind}/{name}.html"
        for lang in ("it", "en")
        for kind, names in (("objectives", OBJECTIVES), ("indicators", INDICATORS))
        for name in names
    ]
    assert [p for p in embeds if not (site / p).is_file()] == []
    assert report.pages == len(expected) + len(embeds) + 1  # + the root index
    assert report.path == site and site.is_symlink()  # published atomically (see test_site_publish)
    for ind in INDICATORS:
        assert (site / "data" / f"{ind}.csv").is_file() and (site / "data" / f"{ind}.json").is_file()


def test_root_index_sends_to_default_language_without_script(built: tuple[Sample, SiteReport, Path]) -> None:
    _, _, site = built
    page = parse(site / "index.html")
    assert ("meta", "it/index.html") in page.links
    assert ("a", "it/index.html") in page.links and ("a", "en/index.html") in page.links


def _pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_every_relative_link_and_asset_resolves(built: tuple[Sample, SiteReport, Path]) -> None:
    _, _, site = built
    parsed = {p: parse(p) for p in _pages(site)}
    broken = []
    checked = 0
    for page, links in parsed.items():
        for tag, link in links.links:
            parts = urlsplit(link)
            if parts.scheme in ("http", "https", "mailto"):
                continue
            assert not parts.scheme, f"{page}: unexpected scheme in {link!r}"
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page.resolve()
            checked += 1
            if not target.is_file():
                broken.append(f"{page.relative_to(site)}: {tag} -> {link}")
            elif parts.fragment and target.suffix == ".html":
                ids = parsed[next(p for p in parsed if p.resolve() == target)].ids
                if parts.fragment not in ids:
                    broken.append(f"{page.relative_to(site)}: #{parts.fragment} missing in {link}")
    assert broken == []
    assert checked > 400  # the crawl really walked the site


def test_plotly_is_shipped_once_and_loaded_relatively(built: tuple[Sample, SiteReport, Path]) -> None:
    _, report, site = built
    copies = [p for p in site.rglob("*.js") if p.name == "plotly.min.js"]
    assert copies == [site / "assets" / "plotly.min.js"]
    assert copies[0].read_bytes() == PLOTLY_JS.read_bytes()
    for page in _pages(site):
        scripts = [s.get("src") for s in parse(page).scripts if s.get("src")]
        text = page.read_text(encoding="utf-8")
        assert "cdn.plot.ly" not in text and "//cdn" not in text
        if "/indicators/" in page.as_posix() and "/embed/" not in page.as_posix():
            assert scripts == ["../../assets/plotly.min.js", "../../assets/tracker.js"]
        else:
            assert all("plotly" not in (s or "") for s in scripts), page
    assert report.largest_indicator_page < 40_000  # the page itself stays small: no inline library or styles
    assert sorted(p.name for p in (site / "assets").iterdir()) == [
        "favicon.svg",
        "plotly.min.js",
        "site.css",
        "tracker.js",
        "vendor",
    ]
    # The search library (all-indicators page only), shipped with its licences (issue #15).
    assert sorted(p.name for p in (site / "assets" / "vendor").iterdir()) == [
        "LICENSE-lunr-languages.txt",
        "LICENSE-lunr.txt",
        "README.md",
        "lunr.it.min.js",
        "lunr.min.js",
        "lunr.stemmer.support.min.js",
    ]
    listing = [s.get("src") for s in parse(site / "en" / "indicators.html").scripts if s.get("src")]
    assert listing == [
        "../assets/vendor/lunr.min.js",
        "../assets/vendor/lunr.stemmer.support.min.js",
        "../assets/vendor/lunr.it.min.js",
        "../assets/tracker.js",
    ]


def test_hostile_text_from_data_and_definitions_is_inert(built: tuple[Sample, SiteReport, Path]) -> None:
    _, _, site = built
    for lang in ("it", "en"):
        page = site / lang / "indicators" / "separate-waste.html"
        text = page.read_text(encoding="utf-8")
        assert HOSTILE_NOTE not in text and "<script>alert" not in text
        assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in text  # shown as typed in the table
        assert len(parse(page).scripts) == 3  # plotly, loader, chart JSON: nothing injected
        spec = re.search(r'<script type="application/json" id="chart-spec">(.*?)</script>', text, re.S)
        assert spec and "<" not in spec.group(1) and "\\u003c" in spec.group(1)
    en = (site / "en" / "indicators" / "separate-waste.html").read_text(encoding="utf-8")
    assert "Separate &lt;b&gt;waste&lt;/b&gt; &amp; collection" in en and "<b>waste</b>" not in en
    pm10 = (site / "en" / "indicators" / "pm10-days.html").read_text(encoding="utf-8")
    assert 'href="javascript:' not in pm10 and "javascript:alert(2)" in pm10  # cited, never linked
    home = (site / "en" / "index.html").read_text(encoding="utf-8")
    assert "Synthetic &lt;environment&gt; &amp; energy" in home


def test_script_json_escapes_every_markup_character() -> None:
    value = {"note": HOSTILE_NOTE + " & <!-- -->", "n": 1.5}
    text = str(script_json(value))
    assert not set("<>&") & set(text)
    assert json.loads(text) == value


def _chart(site: Path, lang: str, ind: str) -> dict:
    text = (site / lang / "indicators" / f"{ind}.html").read_text(encoding="utf-8")
    match = re.search(r'<script type="application/json" id="chart-spec">(.*?)</script>', text, re.S)
    assert match, ind
    return json.loads(match.group(1))


def test_chart_specs_are_valid_plotly_with_markers_and_projection(
    built: tuple[Sample, SiteReport, Path],
) -> None:
    _, _, site = built
    for ind in ("separate-waste", "shared-bikes", "pm10-days", "turnout"):
        spec = _chart(site, "en", ind)
        go.Figure(data=spec["data"], layout=spec["layout"])  # raises on any attribute plotly does not know
    waste = {t["name"]: t for t in _chart(site, "en", "separate-waste")["data"]}
    assert waste["Projection of the recent trend"]["line"]["dash"] == "dash"
    # every value at the middle of its period (tracker.site.charts): the target star at mid-2030, where the
    # projection's last point sits too (it used to be 2030.0, the start of the year, on a numeric axis)
    assert (
        waste["Projection of the recent trend"]["x"][-1] == waste["Target 2030"]["x"][0] == "2030-07-02 12:00"
    )
    assert waste["Target 2030"]["y"] == [70.0] and waste["Target 2030"]["marker"]["symbol"] == "star"
    assert waste["Baseline (2015)"]["y"] == [52.3]  # the series value of the baseline year
    total = waste["Total"]
    assert waste["Baseline (2015)"]["x"] == [total["x"][total["y"].index(52.3)]] == ["2015-07-02 12:00"]
    assert waste["Projection of the recent trend"]["x"][0] == total["x"][-1]  # starts at the latest value
    bikes = _chart(site, "it", "shared-bikes")
    series = [t for t in bikes["data"] if "meta" in t]
    assert [t["meta"]["series"] for t in series] == ["", "district=1", "district=2"]
    assert [t["visible"] for t in series] == [True, "legendonly", "legendonly"]
    assert [t["name"] for t in series] == ["Totale", "Municipio: 1", "Municipio: 2"]
    assert (
        bikes["layout"]["separators"] == ",."
        and _chart(site, "en", "shared-bikes")["layout"]["separators"] == ".,"
    )
    assert not any("Projection" in t["name"] for t in _chart(site, "en", "shared-bikes")["data"])


def test_numbers_and_dates_follow_the_language(built: tuple[Sample, SiteReport, Path]) -> None:
    _, _, site = built
    it = (site / "it" / "indicators" / "separate-waste.html").read_text(encoding="utf-8")
    en = (site / "en" / "indicators" / "separate-waste.html").read_text(encoding="utf-8")
    assert "63,1\u00a0%" in it and "63.1%" in en
    assert "+2,08\u00a0%" in it and "+2.08%" in en  # actual growth per year
    assert "Dati aggiornati il 2 giugno 2025." in it and "Data last updated on June 2, 2025." in en
    assert (
        "26 novembre 2025" not in it and "November 26, 2025" not in en
    )  # no build date: see test_site_incremental
    home_it = (site / "it" / "index.html").read_text(encoding="utf-8")
    home_en = (site / "en" / "index.html").read_text(encoding="utf-8")
    assert "Pagina generata il 26 novembre 2025." in home_it and "Page built on November 26, 2025." in home_en
    assert (
        "Dati aggiornati il" not in home_it and "updated on" not in home_en
    )  # the build date is no data date
    nw = '<span class="nw">{}</span>'.format  # a number never breaks across lines (issue #15)
    pct = "\u00a0%"
    assert (
        f"Se l'andamento dei valori dal 2018 al 2023 prosegue, il valore nel 2030 sarà tra {nw('60,4' + pct)} e "
        f"{nw('83,4' + pct)} (intervallo all'80 %; stima centrale {nw('71,9' + pct)})."
    ) in it
    assert (
        f"If the trend of the values from 2018 to 2023 continues, the value in 2030 will be between {nw('60.4%')} "
        f"and {nw('83.4%')} (80 % range; central estimate {nw('71.9%')})."
    ) in en
    assert "On this trend the target is reached in 2029 (80 % range: 2027 to 2035)." in en
    pm10 = (site / "en" / "indicators" / "pm10-days.html").read_text(encoding="utf-8")
    assert "On this trend the target is not reached before 2050." in pm10  # the sample's not_before
    table = re.search(r'<table class="figures-table">.*?</table>', pm10, re.S)
    assert table
    rows = re.findall(r'<tr><th scope="row">([^<]*)</th><td class="num">', table.group(0))
    assert rows == [
        "Actual growth per year",
        "Actual progress compared with the progress needed",
        "Value the method extrapolates to the target year",
        "Score",
    ]  # base_value and sign stay in the JSON only
    assert "−0.32%" in pm10 and "−8.0%" in pm10 and "85\u00a0days" in pm10


def test_language_switch_points_to_the_same_page(built: tuple[Sample, SiteReport, Path]) -> None:
    _, _, site = built
    for page in (site / "it").rglob("*.html"):
        sub = page.relative_to(site / "it").as_posix()
        if sub.startswith("embed/"):
            continue  # a card for an iframe has no menu (test_embeddable_cards_are_small_self_contained_pages)
        text = page.read_text(encoding="utf-8")
        depth = sub.count("/") + 1
        expected = "../" * depth + f"en/{sub}"
        assert f'<a href="{expected}" hreflang="en" lang="en" rel="alternate">English</a>' in text, sub
        assert '<html lang="it">' in text


def test_missing_and_insufficient_data_are_said_plainly(built: tuple[Sample, SiteReport, Path]) -> None:
    _, _, site = built
    wifi = (site / "en" / "indicators" / "wifi-hotspots.html").read_text(encoding="utf-8")
    assert "No data yet: the indicator cannot be assessed until values are published." in wifi
    assert "No figure has been published so far." in wifi and "chart-spec" not in wifi
    turnout = (site / "it" / "indicators" / "turnout.html").read_text(encoding="utf-8")
    assert "Troppo pochi dati per valutare." in turnout and "Serve almeno un secondo valore." in turnout
    assert "…</span> Troppo pochi dati per valutare" in turnout  # symbol and words


def test_verdicts_always_carry_symbol_and_words(built: tuple[Sample, SiteReport, Path]) -> None:
    _, _, site = built
    for page in _pages(site):
        text = page.read_text(encoding="utf-8")
        for match in re.finditer(r'<span class="verdict verdict-(\w+)">(.*?)</span>\s*(.*?)</span>', text):
            assert match.group(3).strip(), (page, match.group(0))
            assert 'aria-hidden="true"' in match.group(2)


def test_objective_and_home_pages_show_summaries(built: tuple[Sample, SiteReport, Path]) -> None:
    _, _, site = built
    home = (site / "en" / "index.html").read_text(encoding="utf-8")
    assert "1 of 3 assessed" in home and "2 of 2 assessed" in home
    assert "−0.5" in home and "+5.0" in home  # mean scores, signed; −0.45 rounds half away from zero (#15)
    objective = (site / "en" / "objectives" / "environment.html").read_text(encoding="utf-8")
    for ind in ("separate-waste", "pm10-days"):
        assert f'href="../indicators/{ind}.html"' in objective
    assert '<span class="nw">63.1%</span> <span class="period">(2023)</span>' in objective
    empty = (site / "it" / "objectives" / "empty.html").read_text(encoding="utf-8")
    assert "Per questo obiettivo non sono ancora definiti indicatori." in empty


def test_status_page_flags_overdue_data(built: tuple[Sample, SiteReport, Path]) -> None:
    sample, _, site = built
    status = (site / "en" / "status.html").read_text(encoding="utf-8")
    row = re.search(r'pm10-days\.html">.*?</tr>', status, re.S)
    assert row and "Overdue" in row.group(0) and "December 31, 2021" in row.group(0)
    row = re.search(r'separate-waste\.html">.*?</tr>', status, re.S)
    assert row and "Up to date" in row.group(0)
    row = re.search(r'turnout\.html">.*?</tr>', status, re.S)
    assert row and "No fixed schedule" in row.group(0)
    scorecard = json.loads((site / "scorecard.json").read_text(encoding="utf-8"))
    assert scorecard["totals"]["overdue"] == 1


def test_search_index_is_embedded_on_the_indicators_page(built: tuple[Sample, SiteReport, Path]) -> None:
    _, _, site = built
    text = (site / "it" / "indicators.html").read_text(encoding="utf-8")
    match = re.search(r'<script type="application/json" id="search-index">(.*?)</script>', text, re.S)
    assert match
    index = json.loads(match.group(1))
    assert [i["id"] for i in index] == [
        "separate-waste",
        "pm10-days",
        "shared-bikes",
        "wifi-hotspots",
        "turnout",
    ]
    assert "citta" not in index[0]["text"] and "raccolta differenziata" in index[0]["text"]
    assert all(i["text"] == i["text"].lower() for i in index)


def test_history_and_last_update(built: tuple[Sample, SiteReport, Path]) -> None:
    _, _, site = built
    waste = (site / "en" / "indicators" / "separate-waste.html").read_text(encoding="utf-8")
    assert "Earlier assessments" in waste and "&lt;b&gt;n&lt;/b&gt;" in waste
    # When the values changed, in the city's time zone; not the verdict's date (September 15), nor the build's.
    assert "<dt>Data last updated</dt><dd>June 2, 2025</dd>" in waste and "September 15, 2025" in waste
    pm10 = (site / "en" / "indicators" / "pm10-days.html").read_text(encoding="utf-8")
    assert "Earlier assessments" not in pm10
    assert "<dt>Data last updated</dt><dd>October 1, 2025</dd>" in pm10
    assert "Data last updated on October 1, 2025." in pm10


def test_an_indicator_without_data_says_so_instead_of_a_date(built: tuple[Sample, SiteReport, Path]) -> None:
    _, _, site = built
    for lang, label, none, footer in (
        ("en", "Data last updated", "No data yet", "No data yet."),
        ("it", "Ultimo aggiornamento dei dati", "Ancora nessun dato", "Ancora nessun dato."),
    ):
        page = (site / lang / "indicators" / "wifi-hotspots.html").read_text(encoding="utf-8")
        assert f"<dt>{label}</dt><dd>{none}</dd>" in page
        footer_text = re.search(r'<footer class="site-footer">\s*<div class="wrap">\s*<p>(.*?)\n', page, re.S)
        assert footer_text and footer_text[1].strip() == footer
        assert "2025" not in footer_text[1]  # neither the build date nor any other
    empty = (site / "en" / "objectives" / "empty.html").read_text(encoding="utf-8")
    assert "No data yet." in empty and "Data last updated on" not in empty
    environment = (site / "en" / "objectives" / "environment.html").read_text(encoding="utf-8")
    assert "Data last updated on October 1, 2025." in environment  # its indicators' newest change


def test_subseries_verdicts_are_listed(built: tuple[Sample, SiteReport, Path]) -> None:
    _, _, site = built
    bikes = (site / "en" / "indicators" / "shared-bikes.html").read_text(encoding="utf-8")
    table = re.search(r'<caption id="subseries-caption">Verdict by series</caption>.*?</table>', bikes, re.S)
    assert table
    rows = re.findall(r'<th scope="row">(.*?)</th><td>.*?</span> (.*?)</span>', table.group(0))
    assert rows == [("District: 1", "Target achieved"), ("District: 2", "Progress, acceleration needed")]


def test_an_empty_catalogue_still_builds_every_page(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from tracker.catalog import Catalog
    from tracker.config import Config, Settings

    report = build_site(
        Settings(Config(), tmp_path),
        Catalog(tmp_path, [], []),
        Outcome({}, {}),
        generated_at=datetime(2025, 1, 1, tzinfo=UTC),
    )
    assert report.pages == 11 and report.largest_indicator_page == 0
    assert "Milan Smart City scorecard" in (report.path / "en" / "index.html").read_text(encoding="utf-8")
    assert json.loads((report.path / "scorecard.json").read_text(encoding="utf-8"))["objectives"] == []


def test_embeddable_cards_are_small_self_contained_pages(built: tuple[Sample, SiteReport, Path]) -> None:
    """Issue #15: a card per indicator and objective for an iframe elsewhere; the snippet is on the page."""
    _, _, site = built
    card = (site / "it" / "embed" / "indicators" / "separate-waste.html").read_text(encoding="utf-8")
    page = parse(site / "it" / "embed" / "indicators" / "separate-waste.html")
    assert page.scripts == [] and "<link" not in card and "<style>" in card  # nothing else to load
    assert ("a", "../../indicators/separate-waste.html") in page.links and 'target="_top"' in card
    assert 'class="verdict' in card and "63,1" in card and "Ultimo valore" in card
    objective = (site / "en" / "embed" / "objectives" / "environment.html").read_text(encoding="utf-8")
    assert (
        "Objective 1" in objective and 'href="../../objectives/environment.html" target="_top"' in objective
    )
    indicator = (site / "it" / "indicators" / "separate-waste.html").read_text(encoding="utf-8")
    assert (
        "&lt;iframe src=&#34;it/embed/indicators/separate-waste.html&#34;" in indicator
        or '&lt;iframe src="it/embed/indicators/separate-waste.html"' in indicator
    )
    assert 'href="../embed/indicators/separate-waste.html"' in indicator  # the preview
