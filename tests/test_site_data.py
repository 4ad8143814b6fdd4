"""scorecard.json against its JSON Schema, and the open data against Frictionless (SYNTHETIC catalogue)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from frictionless import Package, validate
from jsonschema import Draft202012Validator

from tracker.site.build import build_site
from tracker.site.sample import Sample, build_sample

SCHEMA = Path(__file__).resolve().parents[1] / "schemas" / "scorecard.schema.json"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("synthetic-data")
    s: Sample = build_sample(root)
    return build_site(s.settings, s.catalog, s.outcome, generated_at=s.generated_at, out=root / "public").path


def _validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def test_scorecard_is_valid_against_its_schema(site: Path) -> None:
    scorecard = json.loads((site / "scorecard.json").read_text(encoding="utf-8"))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in _validator().iter_errors(scorecard)]
    assert errors == []
    objectives = {o["id"]: o for o in scorecard["objectives"]}
    assert list(objectives) == ["environment", "mobility", "empty"]
    waste = objectives["environment"]["indicators"][0]
    assert waste["latest"] == {
        "period": "2023",
        "time": 2023.5,
        "value": 63.1,
        "bound": None,
        "flag": "provisional",
    }
    assert waste["target"]["basis"] == "policy" and waste["target"]["year"] == 2030
    assert waste["assessment"]["figures"]["ratio"] == 1.13 and waste["windows"] == ["short", "long"]
    assert waste["assessment"]["projection"]["year_reached"] == 2029
    assert waste["category"] == "on_track" and waste["symbol"] == "↑"
    assert objectives["mobility"]["summary"]["coverage"] == pytest.approx(1 / 3)
    wifi = objectives["mobility"]["indicators"][1]
    assert (
        wifi["id"] == "wifi-hotspots" and wifi["latest"] is None and wifi["category"] == "insufficient_data"
    )
    assert wifi["reporting"]["status"] == "no_data"


def test_schema_rejects_a_broken_scorecard(site: Path) -> None:
    scorecard = json.loads((site / "scorecard.json").read_text(encoding="utf-8"))
    scorecard["objectives"][0]["indicators"][0]["category"] = "great"
    del scorecard["objectives"][0]["summary"]["coverage"]
    assert len(list(_validator().iter_errors(scorecard))) == 2


def test_datapackage_is_valid_frictionless(site: Path) -> None:
    report = validate(str(site / "data" / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "message"])
    package = Package(str(site / "data" / "datapackage.json"))
    names = [r.name for r in package.resources]
    assert "shared-bikes" in names and "shared-bikes-json" in names and len(names) == 10
    bikes = package.get_resource("shared-bikes")
    assert [f.name for f in bikes.schema.fields] == [
        "period",
        "district",
        "value",
        "flag",
        "note_it",
        "note_en",
        "source",
        "bound",
        "territory",
    ]
    rows = bikes.read_rows()
    assert len(rows) == 30 and {r["district"] for r in rows} == {None, "1", "2"}


def test_csv_and_json_downloads_hold_every_value(site: Path) -> None:
    with (site / "data" / "separate-waste.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 12 and rows[-1]["value"] == "63.1" and rows[-1]["flag"] == "provisional"
    assert rows[8]["note_it"] == rows[8]["note_en"] == "</script><script>alert(1)</script>"
    # data files keep the text as published
    record = json.loads((site / "data" / "shared-bikes.json").read_text(encoding="utf-8"))
    assert len(record["observations"]) == 30 and record["series"] == ["", "district=1", "district=2"]
    empty = (site / "data" / "wifi-hotspots.csv").read_text(encoding="utf-8")
    assert empty == "period,value,flag,note_it,note_en,source,bound,territory\n"


def test_a_duplicate_value_makes_the_datapackage_invalid(site: Path, tmp_path: Path) -> None:
    """The primary key (period + disaggregations) is declared, so Frictionless catches duplicates."""
    data = tmp_path / "data"
    data.mkdir()
    for f in (site / "data").iterdir():
        if f.is_file():  # the spreadsheets are in data/<lang>/, outside the package
            (data / f.name).write_bytes(f.read_bytes())
    lines = (data / "pm10-days.csv").read_text(encoding="utf-8").splitlines()
    (data / "pm10-days.csv").write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")
    report = validate(str(data / "datapackage.json"))
    assert not report.valid
    assert "primary-key" in {row[0] for row in report.flatten(["type"])}


def test_spreadsheets_open_as_they_are_in_each_language(site: Path) -> None:
    """Issue #15: an XLSX per indicator and language, and one for the whole scorecard, read back with openpyxl:
    numbers are numbers, headers and flags in the reader's language, accents intact."""
    from openpyxl import load_workbook

    for lang, period, value, flag in (
        ("it", "Periodo", "Valore", "provvisorio"),
        ("en", "Period", "Value", "provisional"),
    ):
        book = load_workbook(site / "data" / lang / "separate-waste.xlsx", read_only=True)
        data, about = book.worksheets
        rows = list(data.iter_rows(values_only=True))
        assert rows[0][:2] == (period, value)
        assert len(rows) == 13 and rows[-1][1] == 63.1 and isinstance(rows[-1][1], float)
        assert rows[-1][3] == flag
        assert "</script>" in rows[9][4]  # a hostile note is kept as text: a spreadsheet runs no markup
        fields = {r[0]: r[1] if len(r) > 1 else None for r in about.iter_rows(values_only=True)}
        assert fields["Target" if lang == "en" else "Obiettivo"] == 70
        bikes = list(
            load_workbook(site / "data" / lang / "shared-bikes.xlsx", read_only=True)
            .worksheets[0]
            .iter_rows(values_only=True)
        )
        assert bikes[0][1] == ("Municipio" if lang == "it" else "District") and len(bikes) == 31
        card = list(
            load_workbook(site / "data" / lang / "scorecard.xlsx", read_only=True)
            .worksheets[0]
            .iter_rows(values_only=True)
        )
        assert len(card) == 1 + 5 and card[0][2] == ("Indicatore" if lang == "it" else "Indicator")
        waste = next(r for r in card if r[-1] == f"{lang}/indicators/separate-waste.html")
        assert waste[5] == 63.1 and waste[6] == 70 and waste[7] == 2030
    again = (site / "data" / "it" / "separate-waste.xlsx").read_bytes()
    assert again[:2] == b"PK"
