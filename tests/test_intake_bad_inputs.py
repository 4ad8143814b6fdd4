"""Bad data files: each one gives exactly the problems a data steward should read, and no observations."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import make_indicator
from tracker.catalog import Indicator
from tracker.intake.validate import read_observations

TODAY = date(2026, 6, 30)
ALLOWED = (
    "allowed columns: period, value, municipio, note, note_it, note_en, flag, source, remark, bound, territory, note_<language> "
    "(Italian: periodo, valore, nota, fonte, nota_it, nota_en, nota_interna, limite, territorio)"
)
NOT_TEXT = "save it from the spreadsheet as 'CSV UTF-8' or as .xlsx"


def indicator(kind: str = "percent", **unit: Any) -> Indicator:
    return make_indicator(kind, **unit)


def problems_of(
    tmp_path: Path, content: bytes | str, name: str = "bad.csv", kind: str = "percent", **options: Any
) -> list[str]:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    observations, problems = read_observations(path, indicator(kind), today=TODAY, **options)
    assert problems, "a bad file must report problems"
    assert observations == [], "a file with problems gives no observations (all or nothing)"
    return [str(p) for p in problems]


CASES: list[tuple[str, bytes | str, str, list[str]]] = [
    # (id, file content, unit kind, every problem expected)
    (
        "empty-file",
        b"",
        "percent",
        ["bad.csv: the file is empty (fix: write a header line (period,value) and one row per period)"],
    ),
    (
        "blank-lines-only",
        "\r\n  \n\n",
        "percent",
        ["bad.csv: the file is empty (fix: write a header line (period,value) and one row per period)"],
    ),
    (
        "header-only",
        "period,value\n",
        "percent",
        ["bad.csv: the file has a header but no rows of data (fix: add one row per period below the header)"],
    ),
    (
        "header-and-blank-rows",
        "period,value\n,\n\n",
        "percent",
        ["bad.csv: the file has a header but no rows of data (fix: add one row per period below the header)"],
    ),
    (
        "utf16",
        "period,value\n2015,1\n".encode("utf-16"),
        "percent",
        [f"bad.csv: the file is UTF-16 text, not UTF-8 (fix: {NOT_TEXT})"],
    ),
    (
        "binary-garbage",
        b"period,value\n\x89PNG\x00\x00\x1a\x04",
        "percent",
        [f"bad.csv:2: binary data (byte 0x00): this is not a text file (fix: {NOT_TEXT})"],
    ),
    (
        "mixed-encodings",
        b"period,value,note\n2015,1,citt\xc3\xa0\n2016,2,citt\xe0\n",
        "percent",
        [
            "bad.csv:3: mixed encodings: this line is not UTF-8 but line 2 is (fix: save the whole file as 'CSV UTF-8')"
        ],
    ),
    (
        "neither-utf8-nor-cp1252",
        b"period,value,note\n2015,1,ok\n2016,2,\x81\x8d\n",
        "percent",
        [f"bad.csv:3: bytes that are neither UTF-8 nor Windows-1252 text (fix: {NOT_TEXT})"],
    ),
    (
        "missing-value-column",
        "period,note\n2015,x\n",
        "percent",
        [f"bad.csv:1: missing column 'value' (fix: add a column named value (or valore); {ALLOWED})"],
    ),
    (
        "missing-both-columns",
        "municipio\n1\n",
        "percent",
        [
            f"bad.csv:1: missing column 'period' (fix: add a column named period (or periodo); {ALLOWED})",
            f"bad.csv:1: missing column 'value' (fix: add a column named value (or valore); {ALLOWED})",
        ],
    ),
    (
        "unknown-column",
        "period,value,comment\n2015,1,x\n",
        "percent",
        [f"bad.csv:1:comment: unknown column 'comment' (fix: {ALLOWED})"],
    ),
    (
        "misspelt-column",
        "period,vaule\n2015,1\n",
        "percent",
        [
            f"bad.csv:1: missing column 'value' (fix: add a column named value (or valore); {ALLOWED})",
            f"bad.csv:1:vaule: unknown column 'vaule' (fix: did you mean 'value'? {ALLOWED})",
        ],
    ),
    (
        "repeated-column",
        "period,valore,Value\n2015,1,2\n",
        "percent",
        ["bad.csv:1:Value: column 'Value' repeats column 'valore' (fix: keep one column of each name)"],
    ),
    (
        "unnamed-column-with-values",
        "period,value,\n2015,1,x\n",
        "percent",
        ["bad.csv:2: column 3 has no name but holds 'x' (fix: name the column in the header, or delete it)"],
    ),
    (
        "extra-cells",
        "period,value\n2015,1,2\n",
        "percent",
        [
            'bad.csv:2: 3 cells but the header has 2 (fix: quote cells that contain the delimiter ("a, b") '
            "or add a name for the extra column)"
        ],
    ),
    (
        "unclosed-quote",
        'period,value,note\n2015,1,"open\n2016,2,x\n',
        "percent",
        [
            "bad.csv:2: malformed CSV: unexpected end of data (fix: a quoted cell must end with a quote; "
            'write "" for a quote inside it)'
        ],
    ),
    (
        "duplicated-period",
        "period,value\n2015,1\n2016,2\n2015,3\n",
        "percent",
        [
            "bad.csv:4:period: period 2015 is repeated (first on line 2) (fix: keep one value per period and series)"
        ],
    ),
    (
        "duplicated-period-other-form",
        "period,value\n2017/2018,1\n2017-18,2\n",
        "percent",
        [
            "bad.csv:3:period: period 2017/2018 is repeated (first on line 2) "
            "(fix: keep one value per period and series)"
        ],
    ),
    (
        "duplicated-series",
        "period,municipio,value\n2015,1,1\n2015,2,1\n2015,1,2\n",
        "percent",
        [
            "bad.csv:4:period: period 2015, municipio=1 is repeated (first on line 2) "
            "(fix: keep one value per period and series)"
        ],
    ),
    (
        "percent-above-100",
        "period,value\n2015,100.5\n",
        "percent",
        ["bad.csv:2:value: '100.5' is outside 0..100 (fix: a percentage runs from 0 to 100)"],
    ),
    (
        "negative-percent-decimal-comma",
        "period;value\n2015;-0,5\n",
        "percent",
        ["bad.csv:2:value: '-0,5' is outside 0..100 (fix: a percentage runs from 0 to 100)"],
    ),
    (
        "negative-count",
        "period,value\n2015,-5\n",
        "count",
        ["bad.csv:2:value: '-5' is below 0 (fix: a count cannot be negative)"],
    ),
    (
        "non-integral-count",
        "period,value\n2015,3.5\n",
        "count",
        ["bad.csv:2:value: '3.5' is not a whole number (fix: a count has no decimals)"],
    ),
    (
        "text-in-number",
        "period,value\n2015,abc\n",
        "percent",
        [
            "bad.csv:2:value: 'abc' is not a number (fix: write digits with one decimal separator, e.g. 63.1 or 63,1)"
        ],
    ),
    (
        "percent-sign",
        "period,value\n2015,63%\n",
        "percent",
        [
            "bad.csv:2:value: '63%' is not a number (fix: drop the % sign: the unit is stated in the indicator)"
        ],
    ),
    (
        "spaced-thousands",
        "period;value\n2015;1 234,5\n",
        "count",
        ["bad.csv:2:value: '1 234,5' is not a number (fix: write it without spaces between the digits)"],
    ),
    (
        "empty-value",
        "period,value\n2015,\n",
        "percent",
        ["bad.csv:2:value: value is empty (fix: write the value, or delete the row when there is no figure)"],
    ),
    (
        "nan-text",
        "period,value\n2015,NaN\n",
        "index",
        [
            "bad.csv:2:value: 'NaN' is not a number (fix: write digits with one decimal separator, e.g. 63.1 or 63,1)"
        ],
    ),
    (
        "formula-in-value",
        "period,value\n2015,=A1*2\n",
        "percent",
        ["bad.csv:2:value: '=A1*2' is a formula, not a number (fix: type the value itself)"],
    ),
    (
        "mixed-decimal-conventions",
        "period;value\n2015;63,1\n2016;63.5\n",
        "percent",
        [
            "bad.csv:3:value: '63.5' has a decimal point, but '63,1' on line 2 has a decimal comma "
            "(fix: use one decimal separator in the whole file (63,1 and 1.234,5 or 63.1 and 1,234.5))"
        ],
    ),
    (
        "mixed-thousands-conventions",
        'period,value\n2015,"1.234,5"\n2016,"1,234.5"\n',
        "amount",
        [
            "bad.csv:3:value: '1,234.5' has a decimal point, but '1.234,5' on line 2 has a decimal comma "
            "(fix: use one decimal separator in the whole file (63,1 and 1.234,5 or 63.1 and 1,234.5))"
        ],
    ),
    (
        "future-year",
        "period,value\n2025,1\n2027,2\n",
        "percent",
        [
            "bad.csv:3:period: period '2027' is in the future "
            "(fix: only periods that have started can have a value; today is 2026-06-30)"
        ],
    ),
    (
        "future-month",
        "period,value\n2026-07,1\n",
        "percent",
        [
            "bad.csv:2:period: period '2026-07' is in the future "
            "(fix: only periods that have started can have a value; today is 2026-06-30)"
        ],
    ),
    (
        "year-out-of-range",
        "period,value\n1850,1\n",
        "percent",
        ["bad.csv:2:period: '1850' is outside the years 1900..2027 (fix: check the year for a typo)"],
    ),
    (
        "bad-period-text",
        "period,value\nyear 2015,1\n",
        "percent",
        [
            "bad.csv:2:period: 'year 2015' is not a period (fix: write a year (2015), a quarter (2015-Q4), a month "
            "(2015-03), a date (2015-03-31) or a range (2014/2015))"
        ],
    ),
    (
        "bad-month",
        "period,value\n2015-13,1\n",
        "percent",
        [
            "bad.csv:2:period: '2015-13' has no month 13 "
            "(fix: months run from 01 to 12 (2015-03); write a range of years as 2015/2016)"
        ],
    ),
    (
        "bad-date",
        "period,value\n31/02/2015,1\n",
        "percent",
        ["bad.csv:2:period: '31/02/2015' is not a valid date (fix: check the day and the month)"],
    ),
    (
        "empty-period",
        "period,value\n,1\n",
        "percent",
        [
            "bad.csv:2:period: period is empty (fix: write a year (2015), a quarter (2015-Q4), a month (2015-03), "
            "a date (2015-03-31) or a range (2014/2015))"
        ],
    ),
    (
        "unknown-disaggregation-value",
        "period,municipio,value\n2015,Z9,1\n",
        "percent",
        [
            "bad.csv:2:municipio: 'Z9' is not a value of municipio "
            "(fix: use one of: 1, 2, 3, 4, 5, 6, 7, 8, 9; leave it blank for the total)"
        ],
    ),
    (
        "bad-flag",
        "period,value,flag\n2015,1,prov\n",
        "percent",
        [
            "bad.csv:2:flag: 'prov' is not a flag (fix: use provisional, estimated or break, or leave it blank)"
        ],
    ),
    (
        "script-in-note",
        "period,value,note\n2015,1,<script>alert(1)</script>\n",
        "percent",
        ["bad.csv:2:note: HTML tag '<script>' in text (fix: write plain text without <...> tags)"],
    ),
    (
        "html-link-in-source",
        'period,value,source\n2015,1,<a href="https://x.org">ISTAT</a>\n',
        "percent",
        [
            "bad.csv:2:source: HTML tag '<a href=\"https://x.org\">' in text (fix: write plain text without <...> tags)"
        ],
    ),
    (
        "formula-in-csv-note",
        'period,value,note\n2015,1,"=HYPERLINK(""http://x.org"",""click"")"\n',
        "percent",
        [
            'bad.csv:2:note: \'=HYPERLINK("http://x.org","click")\' starts like a spreadsheet formula '
            "(fix: start the text with a letter or a digit: a spreadsheet would run it as a formula)"
        ],
    ),
    (
        "formula-prefixes",
        "period,value,note,source\n2015,1,@SUM(A1),+cmd\n2016,1,-foo,ok\n",
        "percent",
        [
            "bad.csv:2:note: '@SUM(A1)' starts like a spreadsheet formula "
            "(fix: start the text with a letter or a digit: a spreadsheet would run it as a formula)",
            "bad.csv:2:source: '+cmd' starts like a spreadsheet formula "
            "(fix: start the text with a letter or a digit: a spreadsheet would run it as a formula)",
            "bad.csv:3:note: '-foo' starts like a spreadsheet formula "
            "(fix: start the text with a letter or a digit: a spreadsheet would run it as a formula)",
        ],
    ),
    (
        "javascript-source",
        "period,value,source\n2015,1,javascript:alert(1)\n",
        "percent",
        [
            "bad.csv:2:source: 'javascript:alert(1)' is not a web link "
            "(fix: use an http:// or https:// address, or a plain citation)"
        ],
    ),
]


CASES += [
    (
        "bad-bound",
        "period,value,bound\n2021,63,lower\n2022,63,>\n2023,5,Upper\n2024,5,about\n",
        "percent",
        [
            "bad.csv:3:bound: '>' is not a bound (fix: leave it blank for an exact value; write lower for a figure "
            "published as 'more than' (>63 %), upper for one published as 'less than' (<5))",
            "bad.csv:5:bound: 'about' is not a bound (fix: leave it blank for an exact value; write lower for a "
            "figure published as 'more than' (>63 %), upper for one published as 'less than' (<5))",
        ],
    ),
    (
        "undeclared-territory",
        "period,value,territorio\n2022,58,\n2022,45.9,Roma\n",
        "percent",
        [
            "bad.csv:3:territorio: 'Roma' is not a declared peer territory (declared: none declared) (fix: declare "
            "it under peers: in indicators/mobility/test-indicator.yaml, or leave the cell blank for the "
            "indicator's own city)"
        ],
    ),
]


@pytest.mark.parametrize(("content", "kind", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_file(tmp_path: Path, content: bytes | str, kind: str, expected: list[str]) -> None:
    assert problems_of(tmp_path, content, kind=kind) == expected


def test_every_problem_of_a_file_at_once(tmp_path: Path) -> None:
    content = (
        "period,municipio,value,flag,note\n2015,1,12.5,,\n2016,1,abc,,\n2016,1,150,bad,<b>x</b>\n"
        "2099,,1,,\n2015,1,3,,\n"
    )
    assert problems_of(tmp_path, content) == [
        "bad.csv:3:value: 'abc' is not a number (fix: write digits with one decimal separator, e.g. 63.1 or 63,1)",
        "bad.csv:4:flag: 'bad' is not a flag (fix: use provisional, estimated or break, or leave it blank)",
        "bad.csv:4:note: HTML tag '<b>' in text (fix: write plain text without <...> tags)",
        "bad.csv:4:period: period 2016, municipio=1 is repeated (first on line 3) "
        "(fix: keep one value per period and series)",
        "bad.csv:4:value: '150' is outside 0..100 (fix: a percentage runs from 0 to 100)",
        "bad.csv:5:period: '2099' is outside the years 1900..2027 (fix: check the year for a typo)",
        "bad.csv:6:period: period 2015, municipio=1 is repeated (first on line 2) "
        "(fix: keep one value per period and series)",
    ]


def test_huge_file_is_rejected_before_reading(tmp_path: Path) -> None:
    content = "period,value\n" + "".join(f"{2000 + i},1\n" for i in range(20))
    assert problems_of(tmp_path, content, max_bytes=100) == [
        "bad.csv: the file is 153 bytes, above the limit of 100 bytes "
        "(fix: split it into smaller files, or raise limits.file_bytes in config.yaml)"
    ]


def test_size_limit_in_megabytes(tmp_path: Path) -> None:
    content = "period,value\n" + "2015,1\n" * 200_000
    assert problems_of(tmp_path, content, max_bytes=1_000_000) == [
        "bad.csv: the file is 1.4 MB, above the limit of 1.0 MB "
        "(fix: split it into smaller files, or raise limits.file_bytes in config.yaml)"
    ]


def test_duplicates_found_across_chunks(tmp_path: Path) -> None:
    content = (
        "period,municipio,value\n" + "".join(f"{2000 + i},1,{i}\n" for i in range(7)) + "2001,1,9\n2000,1,8\n"
    )
    assert problems_of(tmp_path, content, chunk_rows=3) == [
        "bad.csv:9:period: period 2001, municipio=1 is repeated (first on line 3) "
        "(fix: keep one value per period and series)",
        "bad.csv:10:period: period 2000, municipio=1 is repeated (first on line 2) "
        "(fix: keep one value per period and series)",
    ]


def test_mixed_conventions_found_across_chunks(tmp_path: Path) -> None:
    content = "period;value\n2010;1,5\n2011;2\n2012;3\n2013;4.5\n"
    assert problems_of(tmp_path, content, chunk_rows=2) == [
        "bad.csv:5:value: '4.5' has a decimal point, but '1,5' on line 2 has a decimal comma "
        "(fix: use one decimal separator in the whole file (63,1 and 1.234,5 or 63.1 and 1,234.5))"
    ]


def test_ambiguous_number_read_with_the_default_then_contradicted(tmp_path: Path) -> None:
    content = "period;value\n2010;1.234\n2011;2\n2012;3.5\n"
    assert problems_of(tmp_path, content, kind="count", chunk_rows=1) == [
        "bad.csv:4:value: '3.5' has a decimal point, but '1.234' on line 2 was read with a decimal comma "
        "(fix: use one decimal separator in the whole file (63,1 and 1.234,5 or 63.1 and 1,234.5))"
    ]


def test_line_numbers_after_a_note_with_line_breaks(tmp_path: Path) -> None:
    content = 'period,value,note\n2015,1,"two\nlines"\n2016,abc,\n'
    assert problems_of(tmp_path, content) == [
        "bad.csv:4:value: 'abc' is not a number (fix: write digits with one decimal separator, e.g. 63.1 or 63,1)"
    ]


def test_custom_unit_bounds(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("period,value\n2015,0.5\n2016,12\n", encoding="utf-8")
    _, problems = read_observations(
        path,
        indicator("rate").model_copy(update={"unit": indicator("rate", min=1, max=10).unit}),
        today=TODAY,
    )
    assert [str(p) for p in problems] == [
        "bad.csv:2:value: '0.5' is outside 1..10 (fix: the unit allows values from 1 to 10)",
        "bad.csv:3:value: '12' is outside 1..10 (fix: the unit allows values from 1 to 10)",
    ]


def test_missing_file_and_unsupported_type(tmp_path: Path) -> None:
    assert [str(p) for p in read_observations(tmp_path / "none.csv", indicator())[1]] == [
        "none.csv: file not found (fix: check the file name)"
    ]
    assert problems_of(tmp_path, "x", name="data.xls") == [
        "data.xls: unsupported file type '.xls' (fix: use .csv (UTF-8) or .xlsx)"
    ]


def test_label_names_the_file_in_problems(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("period,value\n2015,abc\n", encoding="utf-8")
    _, problems = read_observations(path, indicator(), label="indicators/mobility/x.csv", today=TODAY)
    assert [(p.file, p.line, p.column) for p in problems] == [("indicators/mobility/x.csv", 2, "value")]


def test_problems_are_capped(tmp_path: Path) -> None:
    content = "period,value\n" + "".join(f"{1900 + i // 12}-{i % 12 + 1:02d},abc\n" for i in range(1200))
    problems = problems_of(tmp_path, content, chunk_rows=500)
    assert len(problems) == 1001
    assert problems[-1] == (
        "bad.csv: 200 more problems not listed (fix: fix the problems above and check the file again)"
    )
