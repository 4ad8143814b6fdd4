"""`tracker export opensdg`: the way back to Open SDG, tested as a round trip.

The Statistics Canada sample (``../shared/data/opensdg-cif-sample``, read in place) is imported, exported, and the
export imported into a fresh project: the fields the format carries, every value and every verdict (status and
score to 1e-9, all 20 indicators) come back the same. Two Milan indicators (an increasing percentage with a target,
a decreasing count) make the same trip; what the format cannot carry is reported, not lost silently.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner

from tracker import catalog
from tracker.assess import assess_indicator
from tracker.catalog import Indicator
from tracker.cli import app
from tracker.config import AssessmentSettings
from tracker.intake.opensdg import import_opensdg
from tracker.intake.opensdg_export import ExportReport, export_opensdg
from tracker.intake.validate import read_observations

from .test_import_opensdg import ORIGIN, SAMPLE, SAMPLE_IDS, SEVERAL, make_indicators

REPO = Path(__file__).resolve().parents[1]
MILAN = {"separate-collection-rate": "3-1", "pm10-exceedance-days": "3-4"}


def carried(ind: Indicator) -> dict[str, Any]:
    """The definition fields the Open SDG format carries (defaults made explicit where the platform has them)."""
    return {
        "objective": ind.objective,
        "code": ind.code,
        "name": ind.name.model_dump(),
        "definition": ind.definition.model_dump(),
        "unit": (ind.unit.kind, ind.unit.label.model_dump(), ind.unit.decimals),
        "direction": ind.direction,
        "base_year": ind.baseline.year if ind.baseline else 2015,
        "target": (ind.target.value, ind.target.year, ind.target.reference.model_dump())
        if ind.target
        else None,
        "natural_limit": ind.natural_limit,
        "source": ind.source.model_dump(),
        "method": ind.method,
        "automatic_progress": ind.automatic_progress,
        "manual_status": ind.manual_status,
        "progress_series": [
            (
                s.select,
                s.direction,
                s.base_year,
                s.target,
                s.target_year or (2030 if s.target else None),
                s.natural_limit,
            )
            for s in ind.progress_series
        ],
        "disaggregations": [d.model_dump() for d in ind.disaggregations],
    }


def values(entry: catalog.Entry) -> list[tuple[str, str, float]]:
    """The city's own exact values: an Open SDG data file carries no peer territory and no bound."""
    assert entry.data_file is not None
    observations, problems = read_observations(entry.data_file, entry.indicator)
    assert problems == []
    return sorted((o.series, o.period, o.value) for o in observations if not o.bound and not o.territory)


def verdict(entry: catalog.Entry, indicator: Indicator | None = None):  # noqa: ANN201
    assert entry.data_file is not None
    ind = indicator or entry.indicator
    observations, problems = read_observations(entry.data_file, ind)
    assert problems == []
    return assess_indicator(ind, observations, AssessmentSettings())


@pytest.fixture(scope="module")
def cif(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[catalog.Catalog, ExportReport, Path, catalog.Catalog]:
    root = tmp_path_factory.mktemp("cif-trip")
    first = make_indicators(root / "first")
    assert import_opensdg(SAMPLE, first, "world", origin=ORIGIN).problems == []
    before = catalog.load(first)
    out = root / "opensdg"
    report = export_opensdg(before, out)
    again = make_indicators(root / "again")
    back = import_opensdg(out, again, "world", origin=ORIGIN)
    assert [str(p) for p in back.problems] == []
    return before, report, out, catalog.load(again)


def test_the_export_is_an_open_sdg_data_repository(
    cif: tuple[catalog.Catalog, ExportReport, Path, catalog.Catalog],
) -> None:
    _, report, out, _ = cif
    assert report.problems == []
    assert sorted(e.source_id for e in report.exported) == sorted(SAMPLE_IDS)
    for sid in SAMPLE_IDS:
        header = (
            (out / "data" / f"indicator_{sid}.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
        )
        assert header[0] == "Year" and header[-1] == "Value"
        assert all(h.startswith("data.") for h in header[1:-1])  # translation keys, as Open SDG's docs advise
        text = (out / "meta" / f"{sid}.md").read_text(encoding="utf-8")
        assert text.startswith("---\n") and text.endswith("---\n")
        front = YAML(typ="safe", pure=True).load(text.split("---\n")[1])
        assert front["indicator_number"] == sid.replace("-", ".") and front["sdg_goal"] == sid.split("-")[0]
        assert front["reporting_status"] == "complete" and front["data_non_statistical"] is False
        assert isinstance(front["progress_calculation_options"], list)
        assert set(front["progress_calculation_options"][0]) <= {
            "direction",
            "base_year",
            "target",
            "target_year",
            "limit",
            "disaggregation",
        }
        assert (out / "meta" / "it" / f"{sid}.md").is_file()
    prose = YAML(typ="safe", pure=True).load((SAMPLE / "_prose.yml").read_text(encoding="utf-8"))
    schema = {f["name"] for f in prose["prose"]["metadata"]["meta"]}
    platform = {"auto_progress_calculation", "progress_calculation_options", "progress_status", "published"}
    for path in (out / "meta").rglob("*.md"):
        front = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8").split("---\n")[1])
        assert set(front) - schema - platform == set(), path  # only fields of the platform's schema
    labels = YAML(typ="safe", pure=True).load(
        (out / "translations" / "en" / "data.yml").read_text(encoding="utf-8")
    )
    assert labels["geography"] == "Geography"


def test_round_trip_keeps_definitions_values_and_verdicts_of_all_20(
    cif: tuple[catalog.Catalog, ExportReport, Path, catalog.Catalog],
) -> None:
    before, _, _, after = cif
    assert len(after.entries) == len(before.entries) == 20
    assessed = 0
    for entry in before.entries:
        back = after.entry(entry.indicator.id)  # same ids: sdg-<code>
        assert carried(back.indicator) == carried(entry.indicator), entry.indicator.id
        assert values(back) == values(entry), entry.indicator.id
        a, b = verdict(entry), verdict(back)
        assert b.headline.category is a.headline.category, entry.indicator.id
        if a.headline.score is None:
            assert b.headline.score is None
        else:
            assessed += 1
            assert b.headline.score == pytest.approx(a.headline.score, abs=1e-9), entry.indicator.id
        assert list(b.subseries) == list(a.subseries)
        for key, got in b.subseries.items():
            assert (got.category, got.score) == (
                a.subseries[key].category,
                pytest.approx(a.subseries[key].score, abs=1e-9),
            )
    assert assessed >= 16


def test_manual_status_and_several_series_travel(
    cif: tuple[catalog.Catalog, ExportReport, Path, catalog.Catalog],
) -> None:
    _, _, out, after = cif
    front = YAML(typ="safe", pure=True).load(
        (out / "meta" / "13-1-1.md").read_text(encoding="utf-8").split("---\n")[1]
    )
    assert (front["auto_progress_calculation"], front["progress_status"]) == (False, "not_available_manual")
    assert after.entry("sdg-13-1-1").indicator.manual_status == "not_available_manual"


def test_several_progress_series_travel_with_their_selections(tmp_path: Path) -> None:
    """Each ``progress_series`` becomes a ``progress_calculation_options`` entry selecting its rows by
    ``disaggregation: [{field, value}]`` (sdg-build's ``filter_column`` on the column as written)."""
    first = make_indicators(tmp_path / "first")
    assert import_opensdg(SEVERAL, first, "world").problems == []
    before = catalog.load(first)
    out = tmp_path / "opensdg"
    assert export_opensdg(before, out).problems == []
    front = YAML(typ="safe", pure=True).load(
        (out / "meta" / "1-1-1.md").read_text(encoding="utf-8").split("---\n")[1]
    )
    assert front["progress_calculation_options"][1]["disaggregation"] == [
        {"field": "data.series", "value": "Count"},
        {"field": "data.sex", "value": "Female"},
    ]
    manual = YAML(typ="safe", pure=True).load(
        (out / "meta" / "2-1-1.md").read_text(encoding="utf-8").split("---\n")[1]
    )
    assert (manual["auto_progress_calculation"], manual["progress_status"]) == (False, "substantial_progress")
    again = make_indicators(tmp_path / "again")
    assert [str(p) for p in import_opensdg(out, again, "world").problems] == []
    after = catalog.load(again)
    for entry in before.entries:
        back = after.entry(entry.indicator.id)
        assert carried(back.indicator) == carried(entry.indicator), entry.indicator.id
        assert values(back) == values(entry)
        a, b = verdict(entry), verdict(back)
        assert (b.headline.category, b.headline.score) == (a.headline.category, a.headline.score)
        assert list(b.subseries) == list(a.subseries)
        for key, got in b.subseries.items():
            assert got.score == pytest.approx(a.subseries[key].score, abs=1e-9)
    assert len(after.entry("sdg-1-1-1").indicator.progress_series) == 2


@pytest.fixture
def milan(tmp_path: Path) -> Path:
    """The two Milan indicators in a project of their own (copied from the repository's catalogue)."""
    dest = tmp_path / "milan" / "indicators"
    (dest / "environment-energy").mkdir(parents=True)
    shutil.copy(REPO / "indicators" / "objectives.yaml", dest)
    for name in MILAN:
        for suffix in (".yaml", ".csv"):
            shutil.copy(
                REPO / "indicators" / "environment-energy" / f"{name}{suffix}", dest / "environment-energy"
            )
    return dest


def test_milan_round_trip_and_what_is_dropped(milan: Path, tmp_path: Path) -> None:
    before = catalog.load(milan)
    out = tmp_path / "opensdg"
    report = export_opensdg(before, out)
    assert report.problems == []
    assert {e.indicator_id: e.source_id for e in report.exported} == MILAN
    dropped = {e.indicator_id: "; ".join(e.dropped) for e in report.exported}
    assert "method (the default for its unit)" in dropped["pm10-exceedance-days"]
    assert "the notes of 11 values" in dropped["pm10-exceedance-days"]
    assert (
        "target.url" in dropped["pm10-exceedance-days"]
        and "unit.min/unit.max" in dropped["pm10-exceedance-days"]
    )
    assert "target.basis proposal" in dropped["separate-collection-rate"]
    # issue #16: the peers' values and the bounds (AMSA's "over 63 %" of 2021 and 2022) are left out, and said
    data = milan / "environment-energy" / "separate-collection-rate.csv"
    peer_rows = sum(1 for row in csv.DictReader(data.open(encoding="utf-8")) if row["territory"])
    # Rome has three; Barcelona, Madrid, Munich, Berlin, Paris, Bucharest and three comuni one each
    assert peer_rows >= 10
    assert f"the {peer_rows} values of peer territories" in dropped["separate-collection-rate"]
    assert "2 values published only as bounds" in dropped["separate-collection-rate"]
    assert "the 8 values of peer territories" in dropped["pm10-exceedance-days"]
    exported = (out / "data" / "indicator_3-1.csv").read_text(encoding="utf-8")
    assert "2021" not in exported and "74.8" not in exported and "62.29" in exported
    assert "baseline.value" not in dropped["separate-collection-rate"]  # 36.7 is the 2012 value: nothing lost
    assert "remark" not in " ".join(dropped.values())  # internal: never written, so never "dropped"
    assert "remark" not in "".join(p.read_text(encoding="utf-8") for p in out.rglob("*.md"))
    again = make_indicators(tmp_path / "again")
    back_report = import_opensdg(out, again, "world", prefix="")
    assert [str(p) for p in back_report.problems] == []
    after = catalog.load(again)
    for name, sid in MILAN.items():
        original = before.entry(name)
        back = after.entry(sid)
        want = carried(original.indicator) | {"objective": "world", "method": "opensdg"}
        want["target"] = want["target"][:2] + (original.indicator.target.reference.model_dump(),)  # type: ignore[union-attr]
        assert carried(back.indicator) == want, name
        assert values(back) == values(original)
        # The verdict the platform publishes: the tracker's opensdg verdict on the original definition.
        a = verdict(original, original.indicator.model_copy(update={"method": "opensdg"}))
        b = verdict(back)
        assert b.headline.category is a.headline.category and a.headline.score is not None
        assert b.headline.score == pytest.approx(a.headline.score, abs=1e-9)
    rate = after.entry("3-1").indicator
    assert (rate.unit.kind, rate.direction, rate.target and rate.target.value, rate.natural_limit) == (
        "percent",
        "increase",
        70,
        100,
    )
    days = after.entry("3-4").indicator
    assert (days.unit.kind, days.unit.label.it, days.unit.label.en, days.direction) == (
        "count",
        "giorni",
        "days",
        "decrease",
    )
    assert days.name.it == "Giorni di superamento del limite giornaliero di PM10"


def test_cli_export_opensdg_exit_codes(milan: Path, tmp_path: Path) -> None:
    project = milan.parent
    runner = CliRunner()
    ok = runner.invoke(app, ["export", "opensdg", str(tmp_path / "out"), "--project", str(project)])
    assert ok.exit_code == 0, ok.output
    assert "pm10-exceedance-days -> 3-4 (11 rows; data/indicator_3-4.csv)" in ok.output
    assert "warning: pm10-exceedance-days (3-4): dropped the 8 values of peer territories" in ok.output
    assert "; method (the default for its unit)" in ok.output
    assert "2 indicator(s) exported" in ok.output
    only = runner.invoke(
        app,
        ["export", "opensdg", str(tmp_path / "one"), "--objective", "mobility", "--project", str(project)],
    )
    assert only.exit_code == 0 and "0 indicator(s) exported" in only.output
    unknown = runner.invoke(
        app, ["export", "opensdg", str(tmp_path / "x"), "--objective", "nope", "--project", str(project)]
    )
    assert unknown.exit_code == 2 and "unknown objective(s) nope" in unknown.output
    nowhere = runner.invoke(
        app, ["export", "opensdg", str(tmp_path / "no" / "such"), "--project", str(project)]
    )
    assert nowhere.exit_code == 2
    (milan / "environment-energy" / "pm10-exceedance-days.yaml").write_text("id: [\n", encoding="utf-8")
    invalid = runner.invoke(app, ["export", "opensdg", str(tmp_path / "y"), "--project", str(project)])
    assert invalid.exit_code == 3 and not (tmp_path / "y").exists()
