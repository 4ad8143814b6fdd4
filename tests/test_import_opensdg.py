"""`tracker import opensdg`: the real Statistics Canada CIF sample (every quirk in its SOURCE.md) and tiny
synthetic fixtures for the error cases."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tracker import catalog
from tracker.assess import assess_indicator
from tracker.assess.base import Category
from tracker.catalog import Indicator
from tracker.cli import app
from tracker.config import AssessmentSettings
from tracker.intake.opensdg import Imported, ImportReport, import_opensdg
from tracker.intake.opensdg_meta import plain_text
from tracker.intake.validate import read_observations
from tracker.yamlfile import load_model

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "opensdg-cif-sample"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "opensdg"
ORIGIN = "sdg-data-canada-odd-donnees/cif-data-donnees-cic"
SAMPLE_IDS = [
    "1-1-1",
    "1-2-1",
    "1-3-1",
    "2-2-1",
    "3-1-1",
    "7-1-1",
    "8-6-1",
    "9-2-1",
    "10-1-1",
    "11-1-1",
    "11-2-1",
    "11-3-1",
    "11-5-1",
    "11-6-1",
    "12-1-1",
    "13-1-1",
    "14-2-1",
    "15-5-1",
    "16-4-1",
    "17-1-1",
]
OBJECTIVES = """\
objectives:
  - id: world
    number: 1
    name: {it: Mondo, en: World}
    description: {it: "Obiettivo di prova.", en: "Test objective."}
  - id: other
    number: 2
    name: {it: Altro, en: Other}
    description: {it: "Obiettivo di prova.", en: "Test objective."}
"""


def make_indicators(root: Path) -> Path:
    dest = root / "indicators"
    dest.mkdir(parents=True)
    (dest / "objectives.yaml").write_text(OBJECTIVES, encoding="utf-8")
    return dest


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[ImportReport, Path]:
    dest = make_indicators(tmp_path_factory.mktemp("cif"))
    return import_opensdg(SAMPLE, dest, "world", origin=ORIGIN), dest


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory: pytest.TempPathFactory) -> tuple[ImportReport, Path]:
    dest = make_indicators(tmp_path_factory.mktemp("fixtures"))
    return import_opensdg(FIXTURES, dest, "world"), dest


def item(report: ImportReport, sid: str) -> Imported:
    return next(i for i in report.imported if i.source_id == sid)


def definition(report: ImportReport, sid: str) -> Indicator:
    return load_model(Indicator, item(report, sid).definition_file)


def rows(report: ImportReport, sid: str) -> list[dict[str, str]]:
    with item(report, sid).data_file.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def headline(report: ImportReport, sid: str) -> list[dict[str, str]]:
    fixed = {"period", "value", "note", "flag", "source"}
    return [r for r in rows(report, sid) if not any(v for k, v in r.items() if k not in fixed)]


def note_of(report: ImportReport, sid: str) -> str:
    ind = definition(report, sid)
    assert ind.data_note is not None
    return ind.data_note.en


# ---------------------------------------------------------------------------------------------- the real sample


def test_every_sample_indicator_imported_without_problems(sample: tuple[ImportReport, Path]) -> None:
    report, dest = sample
    assert [str(p) for p in report.problems] == []
    assert report.skipped == []
    assert [i.source_id for i in report.imported] == SAMPLE_IDS
    assert all(i.status == "created" for i in report.imported)
    assert sorted(p.name for p in (dest / "world").iterdir()) == sorted(
        f"sdg-{sid}{suffix}" for sid in SAMPLE_IDS for suffix in (".yaml", ".csv")
    )


def test_catalogue_loads_and_every_data_file_validates(sample: tuple[ImportReport, Path]) -> None:
    report, dest = sample
    cat = catalog.load(dest)
    assert sorted(e.indicator.id for e in cat.entries) == sorted(f"sdg-{sid}" for sid in SAMPLE_IDS)
    for entry in cat.entries:
        assert entry.indicator.method == "opensdg"
        assert entry.data_file is not None and entry.data_file.suffix == ".csv"
        observations, problems = read_observations(entry.data_file, entry.indicator)
        assert [str(p) for p in problems] == [], entry.indicator.id
        assert len(observations) == item(report, entry.indicator.id.removeprefix("sdg-")).rows


def test_data_note_names_the_platform_and_indicator(sample: tuple[ImportReport, Path]) -> None:
    report, _ = sample
    for sid in SAMPLE_IDS:
        ind = definition(report, sid)
        assert ind.data_note is not None
        assert ind.data_note.en.startswith(
            f"Imported from the Open SDG platform {ORIGIN}, indicator "
            f"{sid.replace('-', '.')} (indicator_{sid}.csv, meta/{sid}.md)."
        )
        assert ind.data_note.it.startswith(f"Importato dalla piattaforma Open SDG {ORIGIN}")
        assert ind.code == sid.replace("-", ".")
        assert "The source has no Italian text" in ind.data_note.en
        assert ind.name.it == ind.name.en


def test_quirk_year_forms_become_canonical_periods(sample: tuple[ImportReport, Path]) -> None:
    report, _ = sample
    assert headline(report, "1-3-1")[0]["period"] == "2015-Q4"  # "2015 Q4"
    assert headline(report, "11-3-1")[0]["period"] == "2005/2007"  # "2005-2007"
    assert headline(report, "16-4-1")[0]["period"] == "2014/2015"  # "2014/2015"
    assert [r["period"] for r in headline(report, "7-1-1")][:2] == ["2017/2018", "2018/2019"]  # "2017-18"
    assert definition(report, "1-3-1").frequency == "annual"  # one quarter (Q4) a year


def test_quirk_mixed_quoting_and_commas_in_cells(sample: tuple[ImportReport, Path]) -> None:
    report, _ = sample  # 1-1-1: `2015,"","","","",,14.5` and `"Calgary, Alberta"`
    assert [(r["period"], r["value"]) for r in headline(report, "1-1-1")][:2] == [
        ("2015", "14.5"),
        ("2016", "12.9"),
    ]
    assert item(report, "1-1-1").headline_rows == 9
    geography = next(d for d in definition(report, "1-1-1").disaggregations if d.column == "geography")
    assert "Calgary, Alberta" in geography.values


def test_quirk_bom_crlf_and_no_final_newline(sample: tuple[ImportReport, Path]) -> None:
    report, _ = sample
    assert [r["period"] for r in headline(report, "15-5-1")][:1] == ["1990"]  # BOM before "Year"
    assert item(report, "15-5-1").rows == 34
    data_2_2_1 = rows(report, "2-2-1")  # CRLF
    assert len(data_2_2_1) == 37 and not any("\r" in v for r in data_2_2_1 for v in r.values())
    assert definition(report, "2-2-1").disaggregations[0].values[-1] == "Air Quality"
    assert [(r["period"], r["value"]) for r in headline(report, "7-1-1")][-1] == (
        "2023/2024",
        "124.2",
    )  # no final \n


def test_quirk_geocode_read_as_text_and_not_a_disaggregation(sample: tuple[ImportReport, Path]) -> None:
    report, _ = sample
    imported = item(report, "11-5-1")
    assert imported.geocodes["St. John's (CMA), N.L."] == "001"
    assert imported.geocodes["Newfoundland and Labrador"] == "10"
    assert [d.column for d in definition(report, "11-5-1").disaggregations] == [
        "geography",
        "gender",
        "type_of_commute",
    ]
    assert "GeoCode map codes were not imported." in imported.notes


def test_quirk_empty_values_left_out_and_float_noise_kept(sample: tuple[ImportReport, Path]) -> None:
    report, _ = sample
    assert "100 rows with an empty Value were left out." in item(report, "9-2-1").notes
    assert item(report, "9-2-1").rows == 254 - 100
    values = [r["value"] for r in rows(report, "14-2-1")]
    assert "46.4516129032258" in values and "48.4375" in values  # full precision kept, nothing rounded
    assert definition(report, "14-2-1").unit.decimals <= 3
    assert "87.21875" in [r["value"] for r in rows(report, "17-1-1")]


def test_quirk_translation_keys_in_headers_and_values(sample: tuple[ImportReport, Path]) -> None:
    report, _ = sample
    ind = definition(report, "1-2-1")
    assert [(d.column, d.label.en) for d in ind.disaggregations] == [
        ("geography", "Geography"),
        ("age_group_and_family_type", "Age group and family type"),
        ("statistics", "Statistics"),
    ]
    text = item(report, "1-2-1").data_file.read_text(encoding="utf-8")
    assert "data." not in text
    assert "British Columbia" in ind.disaggregations[0].values


def test_quirk_translation_keys_in_another_language(tmp_path: Path) -> None:
    report = import_opensdg(SAMPLE, make_indicators(tmp_path), "world", language="fr", ids=["1.2.1", "1-1-1"])
    assert report.problems == []
    geography = definition(report, "1-2-1").disaggregations[0]
    assert geography.label.en == "Géographie" and "Colombie-Britannique" in geography.values
    assert (
        definition(report, "1-1-1").name.en
        == "Taux de pauvreté basé sur le seuil officiel de la pauvreté au Canada"
    )


def test_quirk_no_headline_row_takes_the_platform_progress_series(sample: tuple[ImportReport, Path]) -> None:
    report, _ = sample  # 16-4-1: no all-blank row; the options pick Canada / Total cases / <= 3 months
    top = headline(report, "16-4-1")
    assert len(top) == 11 and item(report, "16-4-1").headline_rows == 11
    assert (top[0]["period"], top[0]["value"], top[0]["note"]) == (
        "2014/2015",
        "69.79",
        "Open SDG Progress column",
    )
    assert (
        "the headline is Geography = Canada, Type of case = Total cases, Elapsed time = Less than or equal to "
        "3 months, chosen by the progress options, using its Progress column values"
        in note_of(report, "16-4-1")
    )
    same_row = [
        r
        for r in rows(report, "16-4-1")
        if r["period"] == "2014/2015"
        and r["geography"] == "Canada"
        and r["type_of_case"] == "Total cases"
        and r["elapsed_time"] == "Less than or equal to 3 months"
    ]
    assert [r["value"] for r in same_row] == ["52.22"]  # the displayed Value stays in its own series


def test_quirk_progress_column_not_last_is_no_disaggregation(sample: tuple[ImportReport, Path]) -> None:
    report, _ = sample
    assert [d.column for d in definition(report, "16-4-1").disaggregations] == [
        "geography",
        "type_of_case",
        "elapsed_time",
    ]
    assert "progress" not in rows(report, "16-4-1")[0]


def test_quirk_html_in_metadata_becomes_plain_text(sample: tuple[ImportReport, Path]) -> None:
    report, _ = sample
    for sid in ("11-1-1", "17-1-1", "11-2-1", "8-6-1"):
        ind = definition(report, sid)
        for text in (ind.definition.en, ind.data_note.en if ind.data_note else ""):
            assert "<" not in text.replace("<=", ""), sid
    assert definition(report, "11-1-1").definition.en.startswith(
        "The indicator measures the number and growth rate of shelter users experiencing chronic homelessness.\n"
        "Chronic homelessness refers to"
    )
    # 11-3-1 has an empty source_url_1: the link in its (HTML) body is the source
    assert definition(report, "11-3-1").source.url == (
        "https://www.canada.ca/en/environment-climate-change/services/"
        "environmental-indicators/population-exposure-outdoor-air-pollutants.html"
    )


def test_quirk_yaml_comments_in_progress_options(sample: tuple[ImportReport, Path]) -> None:
    report, _ = sample
    assert (
        "Comment in the source's progress options: “progress column values for <= 3 months are actually <= 3 "
        "months + 3-6 months”." in note_of(report, "16-4-1")
    )
    assert definition(report, "16-4-1").direction == "increase"  # the comment sits inside the options list
    assert "its manual status is 'not_available_manual'" in note_of(
        report, "13-1-1"
    )  # trailing comment dropped
    assert "The source's progress options are commented out." in note_of(report, "7-1-1")


@pytest.mark.parametrize(
    ("sid", "direction", "base_year", "target", "limit", "defaulted"),
    [
        ("1-1-1", "decrease", 2015, (7.25, 2030), None, ["Direction", "Base year"]),
        ("1-2-1", "increase", 2015, None, 100, ["Base year"]),
        ("11-1-1", "decrease", 2016, (13433, 2028), None, []),
        ("11-3-1", "increase", 2005, (85, 2030), None, []),
        ("15-5-1", "decrease", 2015, (100, 2030), None, ["Base year", "Target year"]),
        ("14-2-1", "increase", 2015, (55, 2026), None, ["Base year"]),
        ("1-3-1", "decrease", 2015, None, None, ["Direction", "Base year"]),  # no options at all
    ],
)
def test_progress_options_with_open_sdg_defaults(
    sample: tuple[ImportReport, Path],
    sid: str,
    direction: str,
    base_year: int,
    target: tuple[float, int] | None,
    limit: float | None,
    defaulted: list[str],
) -> None:
    report, _ = sample
    ind = definition(report, sid)
    assert ind.direction == direction
    assert ind.baseline is not None and (ind.baseline.year, ind.baseline.value) == (base_year, None)
    assert (None if ind.target is None else (ind.target.value, ind.target.year)) == target
    assert ind.natural_limit == limit
    found = [n.split(":")[0] for n in item(report, sid).notes if "Open SDG's default" in n]
    assert found == defaulted
    if ind.target is not None:
        assert ind.target.basis == "policy" and ind.target.reference.en


def test_units_and_series_selected_by_the_options(sample: tuple[ImportReport, Path]) -> None:
    report, _ = sample
    ind = definition(report, "11-1-1")
    assert ind.unit.kind == "count" and item(report, "11-1-1").rows == 9
    assert (
        ind.name.en == "Number of shelter users experiencing chronic homelessness"
    )  # its graph_titles entry
    assert "only 'Number' was imported (chosen by the progress options)" in note_of(report, "11-1-1")
    assert definition(report, "14-2-1").unit.kind == "percent"
    assert (
        definition(report, "14-2-1").name.en
        == "Proportion of key fish stocks in the Cautious and Healthy zones"
    )
    assert {r["value"] for r in rows(report, "14-2-1")}.isdisjoint(
        {"103", "112"}
    )  # "Number of stocks" left out


def test_unit_kinds_and_ranges(sample: tuple[ImportReport, Path]) -> None:
    report, _ = sample
    debt = definition(report, "1-3-1").unit  # "Percentage" with values up to ~186: a ratio
    assert (debt.kind, debt.label.en, debt.max) == ("percent", "%", math.inf)
    assert definition(report, "10-1-1").unit.kind == "index"  # a Gini coefficient whose unit says "Number"
    emissions = definition(report, "13-1-1").unit
    assert (emissions.kind, emissions.label.en, emissions.decimals) == ("amount", "Mt CO2 eq", 3)
    assert definition(report, "8-6-1").unit.kind == "count"
    assert (
        definition(report, "13-1-1").disaggregations[1].column == "by_source"
    )  # "Source" is a reserved column


def _cagr(v1: float, v0: float, t1: float, t0: float) -> float:
    return (v1 / v0) ** (1 / (t1 - t0)) - 1  # ProgressMeasure.growth_calculation


def _assess(report: ImportReport, dest: Path, sid: str):  # noqa: ANN202
    entry = catalog.load(dest).entry(f"sdg-{sid}")
    observations, problems = read_observations(entry.data_file, entry.indicator)
    assert problems == []
    return assess_indicator(entry.indicator, observations, AssessmentSettings()).headline


def test_assessment_matches_progress_measure_by_hand(sample: tuple[ImportReport, Path]) -> None:
    report, dest = sample
    # 1-1-1: target 7.25 in 2030, direction unset → negative; base 2015 = 14.5, latest 2023 = 10.4 (methodology_2)
    ratio = 1 * -1 * _cagr(10.4, 14.5, 2023, 2015) / abs(_cagr(7.25, 14.5, 2030, 2015))
    assert ratio == pytest.approx(0.90109, abs=1e-5)  # 0.60 <= R < 0.95: moderate_progress
    result = _assess(report, dest, "1-1-1")
    assert result.figures["progress_value"] == pytest.approx(ratio, rel=1e-12)
    assert result.score == pytest.approx(7.1429 * ratio - 4.2857, rel=1e-12)
    assert result.category is Category.MODERATE

    # 17-1-1: positive, limit 100, no target; no 2015 value, so base = 2016 (methodology_1 with the limit factor C)
    base, latest = 86.2795833333333, 92.35875
    growth = _cagr(latest, base, 2024, 2016)
    c = 1 - (base / 100) ** 4.44
    assert growth >= 0.015 * c  # substantial_progress
    result = _assess(report, dest, "17-1-1")
    assert (result.base.time, result.latest.time) == (2016, 2024)
    assert result.figures["c_factor"] == pytest.approx(c, rel=1e-12)
    assert result.score == pytest.approx(min(500 * growth / c - 5, 5), rel=1e-12)
    assert result.category is Category.ON_TRACK

    # 10-1-1: negative, no target, no limit: g = -CAGR = 0.00323 → limited (0 <= g < 0.005), score 500g - 2.5
    g = -1 * _cagr(0.305, 0.314, 2024, 2015)
    result = _assess(report, dest, "10-1-1")
    assert result.figures["progress_value"] == pytest.approx(g, rel=1e-12)
    assert result.score == pytest.approx(500 * g - 2.5, rel=1e-12)
    assert result.category is Category.LIMITED


# ---------------------------------------------------------------------------------------------- synthetic fixtures


def test_fixture_problems_located_and_other_files_imported(fixtures: tuple[ImportReport, Path]) -> None:
    report, dest = fixtures
    assert [i.source_id for i in report.imported] == ["1-1-1", "3-1-1", "4-1-1", "7-1-1", "8-1-1"]
    assert report.skipped == ["2-1-1", "5-1-1", "6-1-1", "9-1-1"]
    found = {str(p) for p in report.problems}
    assert (
        "opensdg/data/indicator_2-1-1.csv:1: no Value column (columns: Year, Amount) (fix: an Open SDG data "
        "file has 'Year' first and 'Value' last)" in found
    )
    assert (
        "opensdg/meta/5-1-1.md:5: invalid YAML front matter: mapping values are not allowed here "
        "(fix: check indentation and quoting)" in found
    )
    assert any(p.startswith("opensdg/data/indicator_6-1-1.csv: not UTF-8 text") for p in found)
    assert (
        "opensdg/meta/9-1-1.md: metadata file not found (fix: each indicator needs meta/<id>.md with its name "
        "and source)" in found
    )
    cat = catalog.load(dest)  # what was imported is a valid catalogue
    for entry in cat.entries:
        assert read_observations(entry.data_file, entry.indicator)[1] == []


def test_fixture_bad_year_bad_value_and_duplicate_rows(fixtures: tuple[ImportReport, Path]) -> None:
    report, _ = fixtures
    mine = [p for p in report.problems if p.file.endswith("indicator_3-1-1.csv")]
    assert [(p.line, p.column) for p in mine] == [(3, "Year"), (4, "Value"), (6, "Value")]
    assert mine[0].message == "'20l6' is not a period" and mine[1].message == "'n/a' is not a number"
    assert mine[2].message == "a second value for 2018 in the same series (first on line 5)"
    assert [(r["period"], r["value"]) for r in rows(report, "3-1-1")] == [
        ("2015", "1"),
        ("2018", "4"),
        ("2019", "6"),
    ]


def test_fixture_html_in_metadata_neutralised(fixtures: tuple[ImportReport, Path]) -> None:
    report, _ = fixtures
    ind = definition(report, "1-1-1")
    assert ind.name.en == "Synthetic good indicator"
    assert ind.definition.en == (
        "Synthetic series.\nSecond line with a link (https://example.org/more).\n‹b>not bold‹/b>"
    )
    assert "alert" not in ind.definition.en
    assert [r["note"] for r in rows(report, "1-1-1")][
        1
    ] == "provisional figure"  # COMMENT_OBS "<b>provisional</b>"
    assert plain_text('<a href="javascript:alert(1)">x</a><style>p{}</style>') == "x"


def test_fixture_comments_in_options_and_missing_translation(fixtures: tuple[ImportReport, Path]) -> None:
    report, _ = fixtures
    ind = definition(report, "1-1-1")
    note = note_of(report, "1-1-1")
    assert "Comment in the source's progress options: “the plan's own target”." in note
    assert "Comment in the source's progress options: “higher is better here”." in note
    assert (
        ind.direction,
        ind.target.value if ind.target else None,
        ind.target.year if ind.target else None,
    ) == ("increase", 20, 2025)
    assert ind.disaggregations[0].values == ["North", "Elsewhere"]  # data.Elsewhere has no translation
    assert "1 translation keys have no en translation" in note


def test_fixture_total_value_becomes_the_headline(fixtures: tuple[ImportReport, Path]) -> None:
    report, _ = fixtures
    assert [(r["period"], r["value"]) for r in headline(report, "7-1-1")] == [("2015", "10"), ("2016", "11")]
    assert [r["sex"] for r in rows(report, "7-1-1")] == [
        "",
        "",
        "Women",
        "Women",
    ]  # "Total" rows moved, not copied
    assert definition(report, "7-1-1").disaggregations[0].values == ["Women"]
    assert "the headline is Sex = Total, chosen by its total values" in note_of(report, "7-1-1")


def test_fixture_no_headline_is_reported_but_imported(fixtures: tuple[ImportReport, Path]) -> None:
    report, _ = fixtures
    problem = next(p for p in report.problems if p.file.endswith("indicator_4-1-1.csv"))
    assert problem.message.startswith("no headline series")
    assert item(report, "4-1-1").headline_rows == 0 and item(report, "4-1-1").rows == 3


def test_fixture_first_unit_kept_without_options(fixtures: tuple[ImportReport, Path]) -> None:
    report, _ = fixtures
    assert [r["value"] for r in rows(report, "8-1-1")] == ["10", "12"]
    assert definition(report, "8-1-1").unit.kind == "percent"
    assert "only 'Percentage' was imported (the first in the file)" in note_of(report, "8-1-1")


def test_dry_run_writes_nothing_and_reimport_replaces(tmp_path: Path) -> None:
    dest = make_indicators(tmp_path)
    dry = import_opensdg(FIXTURES, dest, "world", ids=["7-1-1"], dry_run=True)
    assert [i.status for i in dry.imported] == ["dry-run"] and not (dest / "world").exists()
    first = import_opensdg(FIXTURES, dest, "world", ids=["7-1-1"], prefix="cif-")
    again = import_opensdg(FIXTURES, dest, "world", ids=["7.1.1"], prefix="cif-")
    assert [i.indicator_id for i in first.imported] == ["cif-7-1-1"]
    assert [i.status for i in (*first.imported, *again.imported)] == ["created", "replaced"]


def test_unknown_objective_and_id_taken_elsewhere(tmp_path: Path) -> None:
    dest = make_indicators(tmp_path)
    report = import_opensdg(FIXTURES, dest, "nowhere")
    assert [p.message for p in report.problems] == ["unknown objective 'nowhere'"] and report.imported == []
    import_opensdg(FIXTURES, dest, "other", ids=["7-1-1"])
    clash = import_opensdg(FIXTURES, dest, "world", ids=["7-1-1", "8-1-1"])
    assert [i.source_id for i in clash.imported] == ["8-1-1"] and clash.skipped == ["7-1-1"]
    assert "already exists in another objective" in clash.problems[0].message


def test_cli_import_opensdg(tmp_path: Path) -> None:
    make_indicators(tmp_path)
    runner = CliRunner()
    ok = runner.invoke(
        app,
        [
            "import",
            "opensdg",
            str(FIXTURES),
            "--objective",
            "world",
            "--indicator",
            "7-1-1",
            "--project",
            str(tmp_path),
        ],
    )
    assert ok.exit_code == 0, ok.output
    assert "7-1-1 -> indicators/world/sdg-7-1-1.yaml (4 rows, 2 in the headline; created)" in ok.output
    bad = runner.invoke(
        app,
        ["import", "opensdg", str(FIXTURES), "--objective", "world", "--dry-run", "--project", str(tmp_path)],
    )
    assert bad.exit_code == 1
    assert "5 indicator(s) would be imported, 4 skipped" in bad.output
    assert "indicator_3-1-1.csv:3:Year: '20l6' is not a period" in bad.output
    missing = runner.invoke(
        app, ["import", "opensdg", str(tmp_path / "none"), "--objective", "world", "--project", str(tmp_path)]
    )
    assert missing.exit_code == 2


# ---------------------------------------------------------------------------------------------- parity with sdg-build

#: What sdg-build published for the sample (its ``indicator_calculation_components.yml``, see SOURCE.md).
RESULTS = SAMPLE / "progress-results.yml"
#: Open SDG status codes → our categories (the code's status names, tracker.assess.opensdg.CATEGORY).
STATUS = {
    "target_achieved": Category.ACHIEVED,
    "substantial_progress": Category.ON_TRACK,
    "moderate_progress": Category.MODERATE,
    "limited_progress": Category.LIMITED,
    "deterioration": Category.DETERIORATING,
}


def _published() -> dict[str, dict]:
    from ruamel.yaml import YAML

    return YAML(typ="safe", pure=True).load(RESULTS.read_text(encoding="utf-8")) if RESULTS.is_file() else {}


def _result(dest: Path, sid: str):  # noqa: ANN202
    entry = catalog.load(dest).entry(f"sdg-{sid}")
    observations, problems = read_observations(entry.data_file, entry.indicator)
    assert problems == []
    return entry.indicator, assess_indicator(entry.indicator, observations, AssessmentSettings())


def _same_series(got, want: dict) -> None:  # noqa: ANN001
    """One series: status, score to 1e-9, base and current year and value identical (as published)."""
    assert got.category is STATUS[want["status"]], want["status"]
    assert got.score == pytest.approx(want["score"], abs=1e-9)
    assert (got.base.time, got.base.value) == (want["base_year"], want["base_value"])
    assert (got.latest.time, got.latest.value) == (want["current_year"], want["current_value"])
    assert got.figures["progress_value"] == pytest.approx(want["progress_value"], rel=1e-12)


@pytest.mark.parametrize("sid", SAMPLE_IDS)
def test_every_sample_indicator_matches_what_sdg_build_published(
    sample: tuple[ImportReport, Path], sid: str
) -> None:
    """20 of 20: the indicator's status and score, and every series' figures, as sdg-build published them."""
    _, dest = sample
    published = _published()[sid]
    indicator, result = _result(dest, sid)
    series = {k: v for k, v in published.items() if isinstance(v, dict)}
    if published["progress_status"] in ("", "not_available_manual"):  # auto_progress_calculation: false
        assert series == {} and published["score"] is None
        assert not indicator.automatic_progress
        assert result.headline.category is Category.INSUFFICIENT_DATA and result.headline.score is None
        assert result.subseries == {} and result.others == []
        return
    assert result.headline.category is STATUS[published["progress_status"]]
    assert result.headline.score == pytest.approx(published["score"], abs=1e-9)
    if len(series) == 1:  # one progress series: the headline is that series
        _same_series(result.headline, next(iter(series.values())))
    else:
        assert [a.score for a in result.subseries.values()] == pytest.approx(
            [s["score"] for s in series.values()], abs=1e-9
        )
        for got, want in zip(result.subseries.values(), series.values(), strict=True):
            _same_series(got, want)


def test_manual_status_is_shown_as_the_platforms_and_no_verdict_of_ours(
    sample: tuple[ImportReport, Path],
) -> None:
    report, dest = sample
    ind, result = _result(
        dest, "13-1-1"
    )  # auto_progress_calculation: false, progress_status: not_available_manual
    assert (ind.automatic_progress, ind.manual_status) == (False, "not_available_manual")
    assert "not available" in result.headline.reason["en"] and "by hand" in result.headline.reason["en"]
    ind, result = _result(dest, "7-1-1")  # off, no manual status (the options are commented out)
    assert (ind.automatic_progress, ind.manual_status) == (False, None)
    assert "publishes no automatic verdict" in result.headline.reason["en"]
    assert "no automatic verdict is published here either" in note_of(report, "7-1-1")


def test_a_range_of_years_counts_as_its_first_year_as_sdg_build_reads_it(
    sample: tuple[ImportReport, Path],
) -> None:
    _, dest = sample  # 11-3-1: "2005-2007" ... "2020-2022"; the data file keeps the range as written
    _, result = _result(dest, "11-3-1")
    assert (result.headline.base.period, result.headline.base.time) == ("2005/2007", 2005.0)
    assert (result.headline.latest.period, result.headline.latest.time) == ("2020/2022", 2020.0)


# ---------------------------------------------------------------------------------------------- several series

SEVERAL = Path(__file__).resolve().parent / "fixtures" / "opensdg-several"


@pytest.fixture(scope="module")
def several(tmp_path_factory: pytest.TempPathFactory) -> tuple[ImportReport, Path]:
    dest = make_indicators(tmp_path_factory.mktemp("several"))
    return import_opensdg(SEVERAL, dest, "world"), dest


def test_several_progress_series_each_scored_with_its_options_and_averaged(
    several: tuple[ImportReport, Path],
) -> None:
    report, dest = several
    assert [str(p) for p in report.problems] == []
    ind, result = _result(dest, "1-1-1")
    assert [
        (e.select, e.direction, e.base_year, e.target, e.target_year, e.natural_limit)
        for e in ind.progress_series
    ] == [
        ({}, "increase", 2016, 80, 2030, None),  # series Rate: the headline was built from it
        ({"series": "Count", "sex": "Female"}, "decrease", None, None, None, 0),
    ]
    assert "publishes the mean of their scores" in note_of(report, "1-1-1")
    rate, count = result.subseries[""], result.subseries["series=Count;sex=Female"]
    assert list(result.subseries) == ["", "series=Count;sex=Female"]  # "Other" and Male: named by no entry
    # Rate: base 2016 = 42, latest "2021/2022" counted as 2021 = 50.5 (methodology_2)
    ratio = _cagr(50.5, 42, 2021, 2016) / abs(_cagr(80, 42, 2030, 2016))
    assert (rate.base.time, rate.latest.time) == (2016, 2021)
    assert rate.score == pytest.approx(7.1429 * ratio - 4.2857, abs=1e-12)
    assert rate.category is Category.MODERATE
    # Count, Female: negative, no target, limit 0 (C = 1): g = -CAGR(104/120, 5 years) >= 1.5 % → +5
    g = -_cagr(104, 120, 2020, 2015)
    assert g >= 0.015 and count.score == 5 and count.category is Category.ON_TRACK
    assert count.label["en"] == "Substantial progress" and count.trend_only  # no target: never "on track"
    mean = (rate.score + 5) / 2
    assert result.headline.score == pytest.approx(mean, abs=1e-12)
    assert result.headline.category is (Category.ON_TRACK if mean >= 2.5 else Category.MODERATE)
    assert "mean of the scores" in result.headline.notes[0]["en"]


def test_manual_status_of_the_platform_is_published_as_such(several: tuple[ImportReport, Path]) -> None:
    _, dest = several
    ind, result = _result(dest, "2-1-1")  # auto off, progress_status: substantial_progress
    assert (ind.automatic_progress, ind.manual_status) == (False, "substantial_progress")
    assert result.headline.score is None and result.headline.category is Category.ON_TRACK
    assert result.headline.label["en"].endswith("(status set by the platform, not computed)")
    assert "set by hand on the platform" in result.headline.notes[0]["en"]


def test_pages_show_each_series_verdict_the_manual_status_and_no_on_track_without_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`tracker run` on imported indicators: the several-series page lists each series beside the headline
    verdict, the manual status reads as the platform's, and a no-target indicator's badge never says on track."""
    from datetime import UTC, datetime

    from tracker import config, pipeline

    project = tmp_path / "project"
    dest = make_indicators(project)
    assert import_opensdg(SEVERAL, dest, "world").problems == []
    assert import_opensdg(SAMPLE, dest, "other", ids=["17-1-1", "13-1-1"], origin=ORIGIN).problems == []
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite'}")
    pipeline.run(config.load(project), now=datetime(2026, 6, 30, 9, tzinfo=UTC), updates=False)
    pages = project / "site" / "en" / "indicators"
    several_page = (pages / "sdg-1-1-1.html").read_text(encoding="utf-8")
    assert "Verdict by progress series: the headline verdict is the mean of their scores" in several_page
    assert "Count" in several_page and "Female" in several_page and "(Substantial progress)" in several_page
    assert "none: trend only" in several_page and "The verdict is the mean of the scores" in several_page
    manual = (pages / "sdg-2-1-1.html").read_text(encoding="utf-8")
    assert "status set by the platform, not computed" in manual and "set by hand on the platform" in manual
    unavailable = (pages / "sdg-13-1-1.html").read_text(encoding="utf-8")
    line = unavailable.split('class="verdict-line"', 1)[1].split("</p>", 1)[0]
    assert "No automatic verdict" in line and "publishes no automatic verdict" in unavailable
    no_target = (pages / "sdg-17-1-1.html").read_text(encoding="utf-8")  # substantial_progress, no target
    badge = no_target.split('class="verdict-line"', 1)[1].split("</p>", 1)[0]
    assert "on track" not in badge.lower()
    assert "“On track”" not in no_target and "“Substantial progress”" in no_target


def _definition(**extra: object) -> Indicator:
    tree = {
        "id": "x-1",
        "objective": "world",
        "name": {"it": "x", "en": "x"},
        "definition": {"it": "x", "en": "x"},
        "unit": {"kind": "count", "label": {"it": "", "en": ""}},
        "direction": "increase",
        "source": {"name": "x", "url": "https://example.org/"},
        "disaggregations": [{"column": "sex", "label": {"it": "Sesso", "en": "Sex"}, "values": ["F", "M"]}],
    }
    return Indicator.model_validate(tree | extra)


def test_progress_series_and_manual_status_are_checked() -> None:
    assert _definition().inconsistencies() == []  # the new keys are optional: existing definitions stay valid
    good = [
        {"select": {}, "direction": "increase", "target": 5, "target_year": 2030},
        {"select": {"sex": "F"}, "direction": "decrease", "natural_limit": 0},
    ]
    assert _definition(method="opensdg", progress_series=good).inconsistencies() == []
    assert (
        _definition(
            method="opensdg", automatic_progress=False, manual_status="deterioration"
        ).inconsistencies()
        == []
    )
    found = [
        key
        for key, _, _ in _definition(
            method="eurostat",
            manual_status="deterioration",
            progress_series=[
                {"select": {"sex": "X"}, "direction": "increase", "target_year": 2030},
                {"select": {"age": "1"}, "direction": "increase"},
                {"select": {"sex": "X"}, "direction": "increase"},
            ],
        ).inconsistencies()
    ]
    assert found == [
        "manual_status",
        "progress_series",
        "progress_series.0.select",
        "progress_series.0.target_year",
        "progress_series.1.select",
        "progress_series.2.select",
        "progress_series.2.select",
    ]
    single = _definition(method="opensdg", progress_series=good[:1]).inconsistencies()
    assert [key for key, _, _ in single] == ["progress_series"]
    with pytest.raises(ValueError, match="manual_status"):
        _definition(automatic_progress=False, manual_status="on_track")
