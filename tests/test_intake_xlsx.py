"""XLSX data files (built here with openpyxl): sheets, typed cells, and cells whose shown value is not stored."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook

from tests.conftest import make_indicator
from tracker.catalog import Indicator
from tracker.intake.validate import read_observations

TODAY = date(2026, 6, 30)


def indicator(kind: str = "percent") -> Indicator:
    return make_indicator(kind)


def workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Workbook:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return book


def rows_of(path: Path, kind: str = "percent") -> list[tuple[object, ...]]:
    observations, problems = read_observations(path, indicator(kind), today=TODAY)
    assert [str(p) for p in problems] == []
    return [(o.period, o.value, o.series, o.note, o.line) for o in observations]


def problems_of(path: Path, kind: str = "percent") -> list[str]:
    observations, problems = read_observations(path, indicator(kind), today=TODAY)
    assert observations == []
    return [str(p) for p in problems]


DATA = [
    ["period", "municipio", "value", "note"],
    [2015, None, 12.5, "primo"],
    [2016, 1, 13, None],
    [datetime(2016, 3, 31), 2, 14.25, "a date cell"],
    ["2017-Q1", "3", "15,5", "text cells"],
]


def test_first_sheet_numbers_stay_numbers(tmp_path: Path) -> None:
    path = tmp_path / "data.xlsx"
    workbook(path, {"Dati": DATA, "Altro": [["period", "value"], [2015, "abc"]]})
    assert rows_of(path) == [
        ("2015", 12.5, "", "primo", 2),
        ("2016", 13.0, "municipio=1", "", 3),
        ("2016-03-31", 14.25, "municipio=2", "a date cell", 4),
        ("2017-Q1", 15.5, "municipio=3", "text cells", 5),
    ]


def test_named_sheet_and_header_below_blank_rows(tmp_path: Path) -> None:
    path = tmp_path / "data.xlsx"
    workbook(path, {"Leggimi": [["Read me first"]], "Dati": [[], [], *DATA]})
    assert [(p, line) for p, *_, line in rows_of(Path(f"{path}#Dati"))] == [
        ("2015", 4),
        ("2016", 5),
        ("2016-03-31", 6),
        ("2017-Q1", 7),
    ]


def test_formula_cells_are_errors(tmp_path: Path) -> None:
    path = tmp_path / "data.xlsx"
    workbook(
        path,
        {
            "Dati": [
                ["period", "value", "note"],
                [2015, 1, '=HYPERLINK("http://x.org","click")'],
                [2016, "=A3*2", None],
            ]
        },
    )
    assert problems_of(path) == [
        'data.xlsx:2:note: cell C2 holds a formula (=HYPERLINK("http://x.org","click")) '
        "(fix: paste the values only (Paste special > Values))",
        "data.xlsx:3:value: cell B3 holds a formula (=A3*2) (fix: paste the values only (Paste special > Values))",
    ]


def test_error_values_and_percent_formats_are_errors(tmp_path: Path) -> None:
    path = tmp_path / "data.xlsx"
    book = workbook(path, {"Dati": [["period", "value"], [2015, "#DIV/0!"], [2016, 0.631]]})
    book["Dati"]["B3"].number_format = "0.0%"
    book.save(path)
    assert problems_of(path) == [
        "data.xlsx:2:value: cell B2 holds an error value (#DIV/0!) (fix: type the value itself)",
        "data.xlsx:3:value: cell B3 shows 63.1% but holds 0.631 "
        "(fix: type 63.1 in a cell with a General or Number format)",
    ]


def test_values_checked_like_csv(tmp_path: Path) -> None:
    path = tmp_path / "data.xlsx"
    workbook(
        path,
        {
            "Dati": [
                ["period", "value", "note"],
                [2015, -3, "<i>x</i>"],
                [2015, 2.5, None],
                [2016, True, None],
            ]
        },
    )
    assert problems_of(path, kind="count") == [
        "data.xlsx:2:note: HTML tag '<i>' in text (fix: write plain text without <...> tags)",
        "data.xlsx:2:value: '-3' is below 0 (fix: a count cannot be negative)",
        "data.xlsx:3:period: period 2015 is repeated (first on line 2) (fix: keep one value per period and series)",
        "data.xlsx:3:value: '2.5' is not a whole number (fix: a count has no decimals)",
        "data.xlsx:4:value: 'TRUE' is not a number "
        "(fix: write digits with one decimal separator, e.g. 63.1 or 63,1)",
    ]


def test_cells_outside_the_table(tmp_path: Path) -> None:
    path = tmp_path / "data.xlsx"
    workbook(path, {"Dati": [["period", "value"], [2015, 1, None, "stray"]]})
    assert problems_of(path) == [
        "data.xlsx:2: cell D2 is outside the table: its column has no header "
        "(fix: add a column name in the header row or clear the cell)"
    ]


def test_unknown_sheet_empty_sheet_and_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "data.xlsx"
    workbook(path, {"Dati": DATA, "Vuoto": []})
    assert problems_of(Path(f"{path}#Nope")) == [
        "data.xlsx#Nope: no sheet named 'Nope' (fix: use one of: Dati, Vuoto)"
    ]
    assert problems_of(Path(f"{path}#Vuoto")) == [
        "data.xlsx#Vuoto: the sheet is empty (fix: write a header row (period, value) and one row per period)"
    ]
    fake = tmp_path / "fake.xlsx"
    fake.write_text("period,value\n2015,1\n", encoding="utf-8")
    assert problems_of(fake) == [
        "fake.xlsx: not a readable .xlsx workbook (fix: open it in a spreadsheet and save it again as .xlsx)"
    ]
