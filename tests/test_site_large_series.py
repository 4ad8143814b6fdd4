"""A long series (issue #13: a million values) is published in bounded memory: each mechanism that makes it so
is compared with the plain path on small data, with its limit lowered (SYNTHETIC catalogue)."""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import orjson
import pytest

from tracker.site import charts, data, tables, workbooks
from tracker.site.build import REPO_TEMPLATES
from tracker.site.context import IndicatorView, build_context
from tracker.site.i18n import Formatter, make_environment, translations
from tracker.site.sample import build_sample


@pytest.fixture(scope="module")
def views(tmp_path_factory: pytest.TempPathFactory) -> list[IndicatorView]:
    s = build_sample(tmp_path_factory.mktemp("sample"))
    ctx = build_context(s.settings, s.catalog, s.outcome, generated_at=s.generated_at)
    return [v for v in ctx.indicators if v.observations]


def test_compressed_observations_are_the_inline_ones(
    views: list[IndicatorView], monkeypatch: pytest.MonkeyPatch
) -> None:
    for view in views:
        plain = orjson.loads(data.indicator_files(view, ["it", "en"])[f"data/{view.id}.json"]())
        assert plain["observations"] and "observations" not in plain["data"]
        monkeypatch.setattr(data, "JSON_INLINE", 0)
        monkeypatch.setattr(data, "_GZ_CHUNK", 3)  # several chunks joined into one array
        files = data.indicator_files(view, ["it", "en"])
        split = f"data/{view.id}.observations.json.gz"
        summary = orjson.loads(files[f"data/{view.id}.json"]())
        assert summary["observations"] is None and summary["data"]["observations"] == split
        assert orjson.loads(gzip.decompress(files[split]())) == plain["observations"]
        assert files[split]() == files[split]()  # the same bytes for the same values
        monkeypatch.undo()


def test_streamed_sheet_is_the_plain_sheet() -> None:
    header = ["Period", "Value", "Note", "Other"]
    # Every kind of cell the fast path of workbooks._row meets, or leaves to workbooks._cell: repeated and
    # distinct texts, characters XML forbids, empty text, integers, booleans, non-finite floats, None.
    odd: list[object] = [7, True, float("nan"), float("inf"), "", None, "a\x01b", -0.0, 10**20]
    rows = [
        [f"20{n:02d}", n / 3, "é <&>" * (n % 4) or None, odd[n % len(odd)] if n % 2 else f"note {n}"]
        for n in range(5000)
    ]
    widths = [
        min(60, max([len(h), *(len(str(r[i])) for r in rows if r[i] is not None)]) + 2)
        for i, h in enumerate(header)
    ]
    book = workbooks.workbook([("Data", header, iter(rows))])
    with zipfile.ZipFile(io.BytesIO(book)) as archive:
        assert archive.testzip() is None
        assert archive.read("xl/worksheets/sheet1.xml").decode() == workbooks._sheet(header, rows, widths)


def test_cut_table_lists_the_latest_rows_of_each_series(
    views: list[IndicatorView], monkeypatch: pytest.MonkeyPatch
) -> None:
    view = max(views, key=lambda v: len(v.series))
    env = make_environment(REPO_TEMPLATES, "en")
    plain = str(env.globals["data_rows"](view)).split("\n")  # type: ignore[operator]
    assert tables.table_extent(view) == (len(plain), len(plain))
    monkeypatch.setattr(tables, "TABLE_ROWS", len(view.series))  # one row per series: its latest value
    cut = str(env.globals["data_rows"](view)).split("\n")  # type: ignore[operator]
    ends, start = [], 0
    for s in view.series:
        start += len(s.observations)
        ends.append(plain[start - 1])
    assert cut == ends and tables.table_extent(view) == (len(view.series), len(plain))
    page = env.get_template("_data_table.html").render(view=view, ind=view.ind)
    assert f"The table lists the latest {len(view.series)} of {len(plain)} values" in page


def test_thinned_chart_keeps_the_shape_ends_and_gaps(
    views: list[IndicatorView], monkeypatch: pytest.MonkeyPatch
) -> None:
    xs = [i / 12 for i in range(1000)]
    ys = [float(i % 50) for i in range(1000)]
    assert charts.thin_points(xs, ys, 1000) == list(range(1000))  # within the limit: every point
    kept = charts.thin_points(xs, ys, 100)
    assert len(kept) == 100 and kept[0] == 0 and kept[-1] == 999 and kept == sorted(set(kept))
    assert max(ys[k] for k in kept) == 49.0 and min(ys[k] for k in kept) == 0.0  # peaks and dips survive
    view = max(views, key=lambda v: len(v.observations))
    lang, fmt = "en", Formatter("en")
    gettext = translations(lang).gettext
    plain = charts.figure(view, lang, gettext, fmt)
    assert charts.chart_facts(view).limit is None
    monkeypatch.setattr(charts, "CHART_POINTS", 1)
    monkeypatch.setattr(charts, "CHART_MIN_POINTS", 4)
    facts = charts.chart_facts(view)
    assert facts.limit == 4
    thinned = charts.figure(view, lang, gettext, fmt, facts)
    assert len(thinned["data"][0]["x"]) < len(plain["data"][0]["x"])
    for whole, thin in zip(plain["data"], thinned["data"], strict=True):
        if "customdata" not in whole:  # projection, band, markers: not thinned
            assert whole == thin
            continue
        points = {(x, y): c for x, y, c in zip(whole["x"], whole["y"], whole["customdata"], strict=True)}
        assert all(
            points[(x, y)] == c for x, y, c in zip(thin["x"], thin["y"], thin["customdata"], strict=True)
        )
        assert thin["x"][0] == whole["x"][0] and thin["x"][-1] == whole["x"][-1]
        assert thin["y"].count(None) == whole["y"].count(None)  # every gap is still a gap
        assert len([y for y in thin["y"] if y is not None]) <= max(4, len(whole["y"]))


def test_large_series_page_says_what_it_cut(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tracker.site.build import build_site

    monkeypatch.setattr(tables, "TABLE_ROWS", 2)
    monkeypatch.setattr(charts, "CHART_POINTS", 2)
    monkeypatch.setattr(charts, "CHART_MIN_POINTS", 3)
    monkeypatch.setattr(data, "JSON_INLINE", 2)
    s = build_sample(tmp_path)
    site = build_site(
        s.settings, s.catalog, s.outcome, generated_at=s.generated_at, out=tmp_path / "public"
    ).path
    page_it = (site / "it" / "indicators" / "separate-waste.html").read_text(encoding="utf-8")
    page_en = (site / "en" / "indicators" / "separate-waste.html").read_text(encoding="utf-8")
    assert "La tabella elenca gli ultimi" in page_it and "Il grafico è semplificato" in page_it
    assert "The table lists the latest" in page_en and "The chart is simplified" in page_en
    assert "separate-waste.observations.json.gz" in page_en
    assert (site / "data" / "separate-waste.observations.json.gz").is_file()
