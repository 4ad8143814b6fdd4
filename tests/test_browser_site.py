"""The SYNTHETIC site in real headless Chromium: charts draw, nothing overflows, keyboard and filter work, axe passes.

Needs Debian's ``chromium`` at /usr/bin/chromium (playwright's own browser download is never used) and the
``axe-playwright-python`` package, which ships ``axe.min.js``.
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tracker.site.build import build_site
from tracker.site.sample import build_sample

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
PAGES = {
    "home": "it/index.html",
    "objective": "en/objectives/environment.html",
    "indicator": "it/indicators/separate-waste.html",
    "disaggregated": "en/indicators/shared-bikes.html",
    "no-data": "en/indicators/wifi-hotspots.html",
    "methodology": "it/methodology.html",
    "status": "en/status.html",
    "all-indicators": "it/indicators.html",
    "guide": "en/guide.html",
}
CHARTS_DRAWN = """() => [...document.querySelectorAll('[data-chart]')]
    .every(el => el.querySelector('.main-svg') && el.getAttribute('data-drawn') === 'true')"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("synthetic-browser")
    s = build_sample(root)
    return build_site(s.settings, s.catalog, s.outcome, generated_at=s.generated_at).path


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


class Tab:
    """A page plus everything that went wrong on it: console errors, exceptions, dialogs, network escapes."""

    def __init__(self, browser: Browser, width: int) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.page: Page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"pageerror: {e}"))
        self.page.on("dialog", self._dialog)
        self.page.on("requestfailed", self._failed)
        self.page.on("response", lambda r: r.status >= 400 and self.problems.append(f"{r.status}: {r.url}"))
        self.page.on("request", self._request)

    def _dialog(self, dialog) -> None:  # type: ignore[no-untyped-def]
        self.problems.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    def _failed(self, request) -> None:  # type: ignore[no-untyped-def]
        if "ERR_ABORTED" not in (request.failure or ""):  # a load cut short by navigating on is no fault
            self.problems.append(f"failed: {request.url} {request.failure}")

    def _request(self, request) -> None:  # type: ignore[no-untyped-def]
        if not request.url.startswith(("file://", "data:", "blob:", "http://127.0.0.1")):
            self.problems.append(f"network: {request.url}")

    def open(self, url: str) -> Page:
        self.page.goto(url, wait_until="load")
        self.page.wait_for_function(CHARTS_DRAWN, timeout=15_000)
        return self.page

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def tab(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Tab]:
    t = Tab(browser, getattr(request, "param", 1280))
    yield t
    t.close()


def _url(site: Path, page: str) -> str:
    return (site / page).as_uri()


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("name", list(PAGES))
def test_page_renders_without_errors_or_overflow(site: Path, browser: Browser, name: str, width: int) -> None:
    tab = Tab(browser, width)
    try:
        page = tab.open(_url(site, PAGES[name]))
        charts = page.locator("[data-chart]")
        if name in ("indicator", "disaggregated"):
            assert charts.count() == 1 and page.locator("#chart .main-svg").count() >= 1
            assert (
                page.locator("#chart .scatterlayer .trace").count() >= 3
            )  # series, baseline, target (+ projection)
        else:
            assert charts.count() == 0
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= inner, f"horizontal overflow at {width}px: {scroll} > {inner}"
        assert tab.problems == []
    finally:
        tab.close()


def test_hostile_note_never_runs(site: Path, tab: Tab) -> None:
    page = tab.open(_url(site, PAGES["indicator"]))
    page.locator("#chart").hover()
    cell = page.locator("table.data-table td", has_text="alert(1)")
    assert cell.inner_text() == "</script><script>alert(1)</script>"
    assert page.evaluate("document.scripts.length") == 3
    assert tab.problems == []


def test_search_filter_works_by_typing(site: Path, tab: Tab) -> None:
    page = tab.open(_url(site, "it/indicators.html"))
    visible = page.locator("li[data-id]:visible")
    assert visible.count() == 5
    page.locator("#q").press_sequentially("bici")
    assert visible.count() == 1 and visible.first.get_attribute("data-id") == "shared-bikes"
    assert page.locator("#filter-count").inner_text() == "1 indicatori mostrati su 5"
    assert page.locator("#g-environment").is_hidden()  # a group with no match is hidden
    page.locator("#q").fill("")
    page.locator("#q").press_sequentially(
        "citta"
    )  # accents are folded: finds "città"? none here, so no match
    assert visible.count() == 0 and page.locator("[data-no-match]").is_visible()
    page.locator("#q").fill("")
    page.select_option("#f-category", "insufficient_data")
    assert sorted(v.get_attribute("data-id") or "" for v in visible.all()) == ["turnout", "wifi-hotspots"]
    page.select_option("#f-objective", "environment")
    assert visible.count() == 0
    assert tab.problems == []


def test_home_search_form_opens_the_filtered_list(site: Path, tab: Tab) -> None:
    page = tab.open(_url(site, "en/index.html"))
    page.locator("#home-q").press_sequentially("pm10")
    page.locator("#home-q").press("Enter")
    page.wait_for_url("**/en/indicators.html?q=pm10")
    visible = page.locator("li[data-id]:visible")
    assert visible.count() == 1 and visible.first.get_attribute("data-id") == "pm10-days"
    assert tab.problems == []


def test_language_switch_goes_to_the_same_page(site: Path, tab: Tab) -> None:
    page = tab.open(_url(site, PAGES["indicator"]))
    page.locator("nav.lang-switch a[hreflang='en']").click()
    page.wait_for_url("**/en/indicators/separate-waste.html")
    page.wait_for_function(CHARTS_DRAWN)
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("h1").inner_text() == "1.1 Separate <b>waste</b> & collection"
    page.locator("nav.lang-switch a[hreflang='it']").click()
    page.wait_for_url("**/it/indicators/separate-waste.html")
    assert tab.problems == []


def test_keyboard_reaches_skip_link_navigation_and_objectives(site: Path, tab: Tab) -> None:
    page = tab.open(_url(site, "en/index.html"))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.locator(".skip-link").is_visible()
    reached = []
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement === document.body"):
            break  # went round the whole page
        reached.append(page.evaluate("document.activeElement.getAttribute('href')"))
        style = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert style == "solid"  # visible focus on every stop
    for href in (
        "../it/index.html",
        "index.html",
        "indicators.html",
        "status.html",
        "methodology.html",
        "objectives/environment.html",
        "objectives/mobility.html",
        "../scorecard.json",
    ):
        assert href in reached, href
    assert reached.index("indicators.html") < reached.index("objectives/environment.html")  # nav comes first
    page.goto(_url(site, "en/index.html"))
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_series_switch_shows_the_disaggregations(site: Path, tab: Tab) -> None:
    page = tab.open(_url(site, PAGES["disaggregated"]))
    switch = page.locator("#series-select")
    assert switch.is_visible()
    read = "() => document.getElementById('chart').data.filter(t => t.meta).map(t => t.visible)"
    assert page.evaluate(read) == [True, "legendonly", "legendonly"]
    switch.select_option("*")
    assert page.evaluate(read) == [True, True, True]
    switch.select_option("district=2")
    assert page.evaluate(read) == ["legendonly", "legendonly", True]
    assert tab.problems == []


CHART_GEOMETRY = """() => {
    const gd = document.getElementById('chart');
    const byName = Object.fromEntries(gd.calcdata.map(cd => [cd[0].trace.name, cd]));
    const total = byName['Totale'].filter(p => p.y !== undefined && p.x !== undefined && !isNaN(p.y));
    const proj = byName['Proiezione dell’andamento recente'];
    const star = byName['Obiettivo 2030'];
    const ax = gd._fullLayout.xaxis, ay = gd._fullLayout.yaxis;
    return {lastPoint: total[total.length - 1].x, projStart: proj[0].x, projEnd: proj[proj.length - 1].x,
            star: star[0].x, year: new Date(star[0].x).getUTCFullYear(), type: ax.type,
            yRange: ay.range, fills: gd.querySelectorAll('.scatterlayer .js-fill').length,
            dtick: ax.dtick};
}"""


@pytest.mark.parametrize("tab", [1280, 375], indirect=True)
def test_chart_places_projection_start_on_the_last_point_and_draws_the_band(site: Path, tab: Tab) -> None:
    """Plotly itself reads the date strings: the projection starts on the latest point and ends on the star."""
    page = tab.open(_url(site, PAGES["indicator"]))
    geometry = page.evaluate(CHART_GEOMETRY)
    assert geometry["type"] == "date" and geometry["projStart"] == geometry["lastPoint"]
    assert geometry["projEnd"] == geometry["star"] and geometry["year"] == 2030
    assert geometry["fills"] >= 1  # the 80 % band
    assert geometry["yRange"][0] == 0 and geometry["yRange"][1] >= 70  # from 0 to above the target
    assert geometry["dtick"] in ("M12", "M24", "M60")  # widened by the loader on a phone, never rotated
    assert tab.problems == []


AXE_PAGES = [
    "home",
    "objective",
    "indicator",
    "disaggregated",
    "no-data",
    "methodology",
    "status",
    "all-indicators",
    "guide",
]


@pytest.mark.parametrize("name", AXE_PAGES)
def test_axe_finds_no_serious_violations(site: Path, tab: Tab, name: str) -> None:
    page = tab.open(_url(site, PAGES[name]))
    page.add_script_tag(content=(files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8"))
    result = page.evaluate("""async () => await axe.run(document, {resultTypes: ['violations'],
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})""")
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("moderate", "serious", "critical")
    ]
    assert serious == []
    assert result["testEngine"]["name"] == "axe-core"


def test_site_served_under_a_sub_path(site: Path, tab: Tab) -> None:
    handler = functools.partial(_QuietHandler, directory=str(site.parent))
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/{site.name}/"
        page = tab.page
        page.goto(base)
        page.wait_for_url(f"{base}it/index.html")  # the meta refresh of the root page
        page.locator("ol.cards a").first.click()
        page.wait_for_url(f"{base}it/objectives/environment.html")
        page.locator("table a").first.click()
        page.wait_for_url(f"{base}it/indicators/separate-waste.html")
        page.wait_for_function(CHARTS_DRAWN, timeout=15_000)
        page.locator("a[href$='data/separate-waste.csv']").first.wait_for()
        assert page.request.get(f"{base}data/separate-waste.csv").ok
        assert page.request.get(f"{base}scorecard.json").ok
        assert tab.problems == []
    finally:
        server.shutdown()
        server.server_close()


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:  # type: ignore[no-untyped-def]
        if not isinstance(sys.exc_info()[1], ConnectionError):  # the browser hanging up when it navigates on
            super().handle_error(request, client_address)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's signature
        pass
