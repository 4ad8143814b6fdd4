"""Good data files in every accepted shape give the same observations, with the line each came from."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.conftest import make_indicator
from tracker.catalog import Indicator
from tracker.intake.readers import open_table, sniff_delimiter
from tracker.intake.validate import check_file, read_observations
from tracker.observations import Observation

TODAY = date(2026, 6, 30)
FIXTURES = Path(__file__).parent / "fixtures" / "intake"


def indicator(kind: str = "percent", frequency: str = "annual") -> Indicator:
    return make_indicator(kind, frequency=frequency)


def read(path: Path, kind: str = "percent", **options: object) -> list[tuple[object, ...]]:
    observations, problems = read_observations(path, indicator(kind), today=TODAY, **options)  # type: ignore[arg-type]
    assert [str(p) for p in problems] == []
    return [(o.period, o.value, o.series, o.note, o.flag, o.source, o.line) for o in observations]


def write(tmp_path: Path, content: bytes | str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


EXPECTED = [("2015", 12.5, "", "", "", "", 2), ("2016", 13.0, "municipio=1", "", "", "", 3)]


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"period,municipio,value\n2015,,12.5\n2016,1,13\n", id="utf8-lf"),
        pytest.param(b"\xef\xbb\xbfperiod,municipio,value\r\n2015,,12.5\r\n2016,1,13\r\n", id="bom-crlf"),
        pytest.param(b"period,municipio,value\n2015,,12.5\n2016,1,13", id="no-final-newline"),
        pytest.param(b"period;municipio;value\n2015;;12,5\n2016;1;13\n", id="semicolon-decimal-comma"),
        pytest.param(b"period\tmunicipio\tvalue\n2015\t\t12.5\n2016\t1\t13\n", id="tab"),
        pytest.param(b'"period","municipio","value"\n"2015","","12.5"\n"2016","1","13"\n', id="all-quoted"),
        pytest.param(
            b'"period","municipio","value"\n"2015",,"12,5"\n"2016","1",13\n', id="quoted-decimal-comma"
        ),
        pytest.param(
            b" Period , MUNICIPIO ,Value \n 2015 , , 12.5 \n2016,1,13\n", id="header-case-and-spaces"
        ),
        pytest.param(b"periodo,municipio,valore\n2015,,12.5\n2016,1,13\n", id="italian-headers"),
        pytest.param(b"period,value,municipio,\n2015,12.5,,\n2016,13,1,\n", id="trailing-empty-column"),
    ],
)
def test_same_data_in_every_shape(tmp_path: Path, content: bytes) -> None:
    assert read(write(tmp_path, content)) == EXPECTED


def test_blank_rows_are_skipped_and_lines_kept(tmp_path: Path) -> None:
    path = write(tmp_path, "period,municipio,value\n\n2015,,12.5\n,,\n2016,1,13\n\n")
    assert [(p, line) for p, *_, line in read(path)] == [("2015", 3), ("2016", 5)]


def test_a_note_with_line_breaks_keeps_later_lines_right(tmp_path: Path) -> None:
    path = write(tmp_path, 'period,value,note\r\n2015,1,"first\r\nsecond"\r\n2016,2,\r\n')
    assert read(path) == [("2015", 1.0, "", "first\r\nsecond", "", "", 2), ("2016", 2.0, "", "", "", "", 4)]


@pytest.mark.parametrize(
    ("cells", "values"),
    [
        pytest.param(["1.234,5", "12,5", "1.000"], [1234.5, 12.5, 1000.0], id="decimal-comma-thousands-dot"),
        pytest.param(
            ["1,234.5", "12.5", "1,000"], [1234.5, 12.5, 1000.0], id="decimal-point-thousands-comma"
        ),
        pytest.param(["1.234.567", "1.000"], [1234567.0, 1000.0], id="thousands-dots-only"),
        pytest.param(["1,234,567", "1,000"], [1234567.0, 1000.0], id="thousands-commas-only"),
        pytest.param(["0,123", "1.234"], [0.123, 1234.0], id="leading-zero-tells-comma"),
        pytest.param(["63", "+7", "1e3"], [63.0, 7.0, 1000.0], id="integers-sign-exponent"),
    ],
)
def test_number_conventions_per_file(tmp_path: Path, cells: list[str], values: list[float]) -> None:
    rows = "".join(f'{2000 + i},"{cell}"\n' for i, cell in enumerate(cells))
    assert [v for _, v, *_ in read(write(tmp_path, "period,value\n" + rows), kind="amount")] == values


def test_ambiguous_numbers_follow_the_delimiter_when_nothing_tells(tmp_path: Path) -> None:
    semicolon = write(tmp_path, "period;value\n2015;1.234\n", "a.csv")
    comma = write(tmp_path, "period,value\n2015,1.234\n", "b.csv")
    assert [v for _, v, *_ in read(semicolon, kind="amount")] == [1234.0]
    assert [v for _, v, *_ in read(comma, kind="amount")] == [1.234]


def test_every_period_form(tmp_path: Path) -> None:
    cells = [
        "2015",
        "2015-03",
        "04/2015",
        "2015-Q4",
        "2016 Q1",
        "Q2 2016",
        "2016-03-31",
        "30/04/2016",
        "2014/2015",
        "2017-18",
        "2005-2007",
    ]
    path = write(tmp_path, "period,value\n" + "".join(f"{c},1\n" for c in cells))
    observations, problems = read_observations(path, indicator(), today=TODAY)
    assert problems == []
    assert [(o.period, round(o.time, 4)) for o in observations] == [
        ("2015", 2015.0),
        ("2015-03", 2015.1667),
        ("2015-04", 2015.25),
        ("2015-Q4", 2015.75),
        ("2016-Q1", 2016.0),
        ("2016-Q2", 2016.25),
        ("2016-03-31", 2016.2459),
        ("2016-04-30", 2016.3279),
        ("2014/2015", 2015.0),
        ("2017/2018", 2018.0),
        ("2005/2007", 2007.0),
    ]


def test_observation_records(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "period,municipio,value,note,flag,source\n"
        "2015,3,40.5,Revised,Provisional,https://example.org/s\n2016,,41,,estimated,ISTAT 2017\n",
    )
    observations, problems = read_observations(path, indicator(), today=TODAY)
    assert problems == []
    assert observations == [
        Observation(
            "test-indicator",
            "2015",
            2015.0,
            40.5,
            "municipio=3",
            "Revised",
            "provisional",
            "https://example.org/s",
            2,
        ),
        Observation("test-indicator", "2016", 2016.0, 41.0, "", "", "estimated", "ISTAT 2017", 3),
    ]


def test_text_that_only_looks_odd_is_fine(tmp_path: Path) -> None:
    path = write(
        tmp_path, "period,value,note\n2015,1,a < b and c > d\n2016,2,5% less than 2015\n2017,3,mail: a@b.it\n"
    )
    assert [n for *_, n, _, _, _ in read(path)] == ["a < b and c > d", "5% less than 2015", "mail: a@b.it"]


def test_italian_cp1252_fixture() -> None:
    path = FIXTURES / "milano-it-cp1252.csv"
    table = open_table(path, path.name)
    assert (table.encoding, table.delimiter, table.header) == (
        "cp1252",
        ";",
        ["Periodo", "Municipio", "Valore", "Nota", "Fonte"],
    )
    assert read(path, kind="amount") == [
        ("2015", 1234.5, "", "Dato rivisto nel 2017", "", "Comune di Milano, Annuario statistico", 2),
        ("2015", 234.5, "municipio=1", "città; periferia", "", "", 3),
        ("2016", 1300.0, "", "stima dell'ufficio", "", "https://www.comune.milano.it/", 4),
    ]


def test_quoted_bom_fixture() -> None:
    assert read(FIXTURES / "quoted-bom-no-final-newline.csv") == [
        ("2015-Q4", 63.1, "", "Toronto, Ontario", "", "", 2),
        ("2016-Q4", 64.0, "municipio=2", "", "", "https://example.org/a,b", 3),
    ]


def test_chunked_reading_gives_the_same_observations(tmp_path: Path) -> None:
    rows = "".join(f"{1990 + i // 10},{i % 10 or ''},{i * 0.5}\n" for i in range(300))
    path = write(tmp_path, "period,municipio,value\n" + rows)
    whole = read(path, kind="amount")
    assert len(whole) == 300
    assert read(path, kind="amount", chunk_rows=7) == whole
    assert check_file(path, indicator("amount"), chunk_rows=7, today=TODAY) == []


@pytest.mark.parametrize(
    ("line", "delimiter"),
    [
        ("period,value", ","),
        ("period;value", ";"),
        ("period\tvalue", "\t"),
        ("value", ","),
        ('"a;b",c,d', ","),
        ("a;b;c,d", ";"),
    ],
)
def test_sniff_delimiter(line: str, delimiter: str) -> None:
    assert sniff_delimiter(line) == delimiter
