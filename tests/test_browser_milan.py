"""The Milan site (the repository's catalogue) in real headless Chromium, as a reader on a phone sees it.

Issue #15: at 375 px every page shows each indicator's verdict without sideways scrolling of the page, no word
or number is broken across lines (tests/broken_words.js), numbers keep their groups on one line, and a table
wider than the screen says that it scrolls. Screenshots go to /tmp/shots-pages/ for a person to look at.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests import test_browser_site as base
from tests.conftest import build_milan

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parent.parent
SHOTS = Path("/tmp/shots-pages")
BROKEN_WORDS = (Path(__file__).parent / "broken_words.js").read_text(encoding="utf-8")
#: Indicator pages with long units and numbers ("245 veicoli/100 000 ab.", "4.285.009 prelievi").
INDICATORS = [
    "car-sharing-per-100k",
    "bikemi-trips",
    "car-ownership",
    "municipal-turnout",
    "tourist-arrivals",
    "innovative-startups-province",
    "green-area-per-inhabitant",
]
OBJECTIVES = [
    "enterprise",
    "environment-energy",
    "global-city",
    "mobility",
    "public-administration",
    "social-inclusion",
    "well-being",
]
PAGES = [
    "index.html",
    "indicators.html",
    "status.html",
    "guide.html",
    "methodology.html",
    "updates.html",
    *(f"objectives/{o}.html" for o in OBJECTIVES),
    *(f"indicators/{i}.html" for i in INDICATORS),
]

#: A number with group or decimal marks ("4.285.009", "54,7") in a card or a figure must sit in an element that
#: never wraps (white-space: nowrap); groups written with spaces must use no-break spaces ("100 000").
LOOSE_NUMBERS = r"""() => {
  const out = [];
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el.closest('.figures dd, table.stack td')) continue;
    for (const m of node.textContent.matchAll(/\d+(?: \d{3})+(?!\d)/g)) out.push(m[0]);
    for (const m of node.textContent.matchAll(/\d+(?:[.,]\d+)+/g)) {
      let nowrap = false;
      for (let e = el; e && !nowrap; e = e.parentElement) nowrap = getComputedStyle(e).whiteSpace === 'nowrap';
      if (!nowrap) out.push(m[0]);
    }
  }
  return out;
}"""


@pytest.fixture(scope="module")
def milan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("milano-browser")
    build_milan(project, datetime(2026, 12, 2, 9, tzinfo=UTC))
    return project / "site"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=base.CHROMIUM, args=base.ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[base.Tab]:
    tab = base.Tab(browser, 375)
    yield tab
    tab.close()


def _open(tab: base.Tab, site: Path, page: str):  # noqa: ANN202
    if page.endswith("updates.html") or "/indicators/" not in page:
        tab.page.goto((site / page).as_uri(), wait_until="load")  # no chart to wait for
        return tab.page
    return tab.open((site / page).as_uri())


@pytest.mark.parametrize("lang", ["it", "en"])
def test_phone_pages_keep_the_verdicts_on_screen_and_words_whole(
    milan: Path, phone: base.Tab, lang: str
) -> None:
    SHOTS.mkdir(exist_ok=True)
    faults: dict[str, object] = {}
    for name in PAGES:
        page = _open(phone, milan, f"{lang}/{name}")
        scroll, width = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if scroll > width:
            faults[f"{name}: page scrolls sideways"] = (scroll, width)
        if broken := page.evaluate(BROKEN_WORDS):
            faults[f"{name}: broken"] = broken
        if loose := page.evaluate(LOOSE_NUMBERS):
            faults[f"{name}: numbers that may wrap"] = loose
        off = page.evaluate("""() => [...document.querySelectorAll('main .verdict')]
            .filter(v => !v.closest('.table-wrap'))  // inside a table that says it scrolls (checked below)
            .filter(v => v.getBoundingClientRect().right > window.innerWidth + 0.5).map(v => v.textContent)""")
        if off:
            faults[f"{name}: verdicts off-screen"] = off
        silent = page.evaluate("""() => [...document.querySelectorAll('.table-wrap')]
            .filter(w => w.scrollWidth > w.clientWidth + 1)
            .filter(w => !(w.previousElementSibling && w.previousElementSibling.matches('.scroll-hint.shown')
                           && w.previousElementSibling.offsetHeight > 0)).length""")
        if silent:
            faults[f"{name}: tables that scroll without saying so"] = silent
        if name.startswith(("objectives/mobility", "indicators/car-sharing", "indicators/bikemi", "status")):
            page.screenshot(path=str(SHOTS / f"{lang}-{name.replace('/', '-')[:-5]}-375.png"), full_page=True)
    assert faults == {}
    assert phone.problems == []


def test_objective_table_becomes_cards_with_the_column_names(milan: Path, phone: base.Tab) -> None:
    page = _open(phone, milan, "it/objectives/mobility.html")
    rows = page.locator("table.stack tbody tr")
    assert rows.count() == 9
    assert (
        page.evaluate("getComputedStyle(document.querySelector('table.stack tbody tr')).display") == "block"
    )
    label = page.evaluate("""getComputedStyle(document.querySelector('table.stack td[data-label]'), '::before')
        .content""")
    assert label == '"Ultimo valore: "'
    assert page.locator("table.stack .verdict").count() == 9
    assert phone.problems == []


def test_wide_desktop_keeps_the_table(milan: Path, browser: Browser) -> None:
    tab = base.Tab(browser, 1280)
    try:
        page = _open(tab, milan, "en/objectives/mobility.html")
        assert (
            page.evaluate("getComputedStyle(document.querySelector('table.stack tbody tr')).display")
            == "table-row"
        )
        assert page.locator(".scroll-hint.shown").count() == 0
        assert tab.problems == []
    finally:
        tab.close()


def test_the_word_check_sees_a_word_broken_in_two(browser: Browser, tmp_path: Path) -> None:
    tab = base.Tab(browser, 375)
    try:
        page = tmp_path / "p.html"
        page.write_text(
            '<!doctype html><html><body><p style="width:60px;overflow-wrap:anywhere">'
            "4.285.009&nbsp;prelievi</p><p style='width:40px'>100 000</p></body></html>"
        )
        tab.page.goto(page.as_uri())
        found = tab.page.evaluate(BROKEN_WORDS)
        assert any("|" in f and "prel" in f for f in found) and "100 | 000" in found
    finally:
        tab.close()


def _search(page, words: str) -> list[str]:  # noqa: ANN001
    page.locator("#q").fill(words)
    return sorted(li.get_attribute("data-id") or "" for li in page.locator("li[data-id]:visible").all())


def test_search_finds_indicators_by_meaning_words_in_both_languages(milan: Path, browser: Browser) -> None:
    tab = base.Tab(browser, 1280)
    try:
        page = _open(tab, milan, "it/indicators.html")
        assert (
            page.locator("[data-filter]").get_attribute("data-search") == "lunr"
        )  # the library, not the fallback
        pm = ["pm10-exceedance-days", "pm25-annual-mean"]
        assert _search(page, "smog") == pm
        assert set(pm) <= set(_search(page, "inquinamento"))
        assert set(pm) <= set(_search(page, "inquinanti"))  # Italian stemming: the same stem
        assert _search(page, "aria") == pm  # only air quality (it once found a green-space indicator)
        assert _search(page, "qualità dell'aria") == pm
        assert _search(page, "polveri sottili") == pm
        waste = ["food-waste-per-capita", "municipal-waste-per-capita", "separate-collection-rate"]
        assert set(waste) <= set(_search(page, "rifiuti"))
        assert _search(page, "piste cicl") == ["cycle-lanes"]  # a word being typed matches as a prefix
        assert _search(page, "poverta") == ["income-gini", "relative-poverty"]  # accents folded
        assert _search(page, "zzzz") == [] and page.locator("[data-no-match]").is_visible()
        page = _open(tab, milan, "en/indicators.html")
        assert set(waste) <= set(_search(page, "rifiuti"))  # an Italian word on the English page
        assert set(waste) <= set(_search(page, "rubbish"))
        assert _search(page, "recycling") == ["food-waste-per-capita", "separate-collection-rate"]  # stemmed
        assert _search(page, "trees") == ["forestami-trees"]
        assert set(pm) <= set(_search(page, "pollution")) and _search(page, "smog") == pm
        assert tab.problems == []
    finally:
        tab.close()


def test_chart_downloads_as_png_and_svg_offline(milan: Path, browser: Browser, tmp_path: Path) -> None:
    tab = base.Tab(browser, 1280)
    try:
        context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto((milan / "it" / "indicators" / "bikemi-trips.html").as_uri())
        page.wait_for_function(base.CHARTS_DRAWN, timeout=15_000)
        bar = page.locator("[data-chart-downloads]")
        assert bar.is_visible() and "Scarica il grafico" in bar.inner_text()
        for fmt, magic in (("png", b"\x89PNG"), ("svg", b"<svg")):
            with page.expect_download() as info:
                bar.locator(f"button[data-format={fmt}]").click()
            download = info.value
            assert download.suggested_filename == f"bikemi-trips.{fmt}"
            saved = tmp_path / download.suggested_filename
            download.save_as(saved)
            assert saved.read_bytes().lstrip()[:4] == magic
        context.close()
    finally:
        tab.close()


def test_milan_spreadsheets_read_back(milan: Path) -> None:
    from openpyxl import load_workbook

    card = list(
        load_workbook(milan / "data" / "it" / "scorecard.xlsx", read_only=True)
        .worksheets[0]
        .iter_rows(values_only=True)
    )
    assert len(card) == 1 + 56
    turnout = next(r for r in card if r[-1] == "it/indicators/municipal-turnout.html")
    assert turnout[2] == "Affluenza alle elezioni comunali" and turnout[5] == 47.7
    rows = list(
        load_workbook(milan / "data" / "it" / "municipal-turnout.xlsx", read_only=True)
        .worksheets[0]
        .iter_rows(values_only=True)
    )
    assert rows[2][:2] == ("2016", 54.65) and rows[2][4] == "voto in un solo giorno (5 giugno 2016)"


def test_numbers_follow_the_page_language_axes_and_tooltips_included(milan: Path, browser: Browser) -> None:
    """Issue #15: no "4M" or "600k" on an Italian axis; 54.65 % is "54,7 %" (half away from zero)."""
    tab = base.Tab(browser, 1280)
    try:
        page = tab.open((milan / "it" / "indicators" / "bikemi-trips.html").as_uri())
        ticks = page.evaluate("[...document.querySelectorAll('#chart .ytick text')].map(t => t.textContent)")
        assert ticks and all(re.fullmatch(r"\d{1,3}(\.\d{3})*", t) for t in ticks), ticks
        assert any(t.endswith(".000.000") for t in ticks)  # millions in full, with Italian groups
        page = tab.open((milan / "it" / "indicators" / "municipal-turnout.html").as_uri())
        cells = page.locator("table.data-table td.num").all_inner_texts()
        assert "54,7\u00a0%" in cells and "54,6\u00a0%" not in cells
        spec = json.loads(page.locator("#chart-spec").text_content() or "{}")
        tooltips = [row[2] for row in spec["data"][0]["customdata"] if row]
        assert "54,7\u00a0%" in tooltips
        page = tab.open((milan / "en" / "indicators" / "bikemi-trips.html").as_uri())
        ticks = page.evaluate("[...document.querySelectorAll('#chart .ytick text')].map(t => t.textContent)")
        assert all(re.fullmatch(r"\d{1,3}(,\d{3})*", t) for t in ticks), ticks
        assert tab.problems == []
    finally:
        tab.close()
