"""Open SDG data files for the importer: read ``indicator_<id>.csv`` and reduce it to one unit and one series.

The Open SDG CSV is tidy: ``Year``, disaggregation columns, optional ``Units``/``Series``/``Progress``/
``GeoCode``/``COMMENT_OBS``, ``Value``. Columns are found by name, never by position (``Progress`` is not always
last). Cells are read as text (``GeoCode`` ``001`` keeps its zeros); a blank cell, quoted or not, means
"total"; every bad row becomes a located problem and the rest of the file is still read.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from tracker.intake.opensdg_meta import Translations
from tracker.intake.periods import Period, PeriodError, parse_period
from tracker.problems import Problem

YEAR, VALUE, UNITS, SERIES, PROGRESS, GEOCODE, COMMENT = (
    "Year",
    "Value",
    "Units",
    "Series",
    "Progress",
    "GeoCode",
    "COMMENT_OBS",
)
STATUS_COLUMNS = ("OBS_STATUS", "Observation status")
IGNORED_COLUMNS = ("UNIT_MULT", "Unit multiplier", "UNIT_MEASURE", "Unit measure")
#: SDMX observation status codes with a flag of ours.
STATUS_FLAGS = {
    "e": "estimated",
    "estimated": "estimated",
    "p": "provisional",
    "provisional": "provisional",
    "b": "break",
    "break": "break",
}
TOTAL_LIKE = re.compile(r"^(total|all|both sexes|overall)\b", re.IGNORECASE)
FORMULA_START = re.compile(r"^\s*[=+\-@]+\s*(?=[A-Za-z])")


@dataclass
class Row:
    line: int
    period: Period
    value: float | None  # None: the Value cell was empty
    progress: float | None
    raw: dict[str, str]  # disaggregation header -> cell as written
    dims: dict[str, str]  # disaggregation header -> translated value ("" = total)
    unit: str = ""
    series: str = ""
    note: str = ""
    flag: str = ""
    geocode: str = ""
    origin: str = "value"  # "value", or "progress" for a headline built from the Progress column


@dataclass
class Table:
    headers: list[str]  # disaggregation headers, in file order
    rows: list[Row] = field(default_factory=list)
    geocodes: dict[str, str] = field(default_factory=dict)  # first geography-like value -> GeoCode text
    ignored_columns: list[str] = field(default_factory=list)
    has_progress: bool = False


def _find(header: list[str], name: str) -> int | None:
    exact = [i for i, h in enumerate(header) if h == name]
    if exact:
        return exact[0]
    loose = [i for i, h in enumerate(header) if h.lower() == name.lower()]
    return loose[0] if loose else None


def _number(cell: str, label: str, line: int, column: str, problems: list[Problem]) -> float | None:
    text = cell.strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        problems.append(
            Problem(
                label,
                f"{text!r} is not a number",
                line=line,
                column=column,
                hint="write a plain number with a dot for decimals, or leave the cell empty",
            )
        )
        return None
    if not math.isfinite(number):
        problems.append(
            Problem(
                label,
                f"{text!r} is not a finite number",
                line=line,
                column=column,
                hint="leave the cell empty when there is no value",
            )
        )
        return None
    return number


def read_table(path: Path, label: str, tr: Translations) -> tuple[Table | None, list[Problem]]:
    """Every readable row of one Open SDG CSV; None (with the reason) when the file cannot be used at all."""
    problems: list[Problem] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = [h.strip() for h in next(reader, [])]
            table, found = _rows(reader, header, label, tr)
    except UnicodeDecodeError as exc:
        return None, [
            Problem(
                label,
                f"not UTF-8 text ({exc.reason} at byte {exc.start})",
                hint="Open SDG data files are UTF-8; save the file as UTF-8",
            )
        ]
    except csv.Error as exc:
        return None, [Problem(label, f"not a readable CSV file ({exc})", hint="check quoting and separators")]
    except OSError as exc:
        return None, [Problem(label, f"cannot be read: {exc.strerror}")]
    return table, problems + found


def _rows(reader, header: list[str], label: str, tr: Translations) -> tuple[Table | None, list[Problem]]:  # noqa: ANN001
    problems: list[Problem] = []
    if not any(header):
        return None, [Problem(label, "the file is empty", line=1, hint="export the indicator data again")]
    year_at, value_at = _find(header, YEAR), _find(header, VALUE)
    missing = [name for name, at in ((YEAR, year_at), (VALUE, value_at)) if at is None]
    if missing:
        return None, [
            Problem(
                label,
                f"no {' or '.join(missing)} column (columns: {', '.join(header)})",
                line=1,
                hint="an Open SDG data file has 'Year' first and 'Value' last",
            )
        ]
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        return None, [
            Problem(
                label,
                f"duplicate column names: {', '.join(dupes)}",
                line=1,
                hint="give each column its own name",
            )
        ]
    special = {YEAR, VALUE, UNITS, SERIES, PROGRESS, GEOCODE, COMMENT, *STATUS_COLUMNS, *IGNORED_COLUMNS}
    at = {name: _find(header, name) for name in (UNITS, SERIES, PROGRESS, GEOCODE, COMMENT, *STATUS_COLUMNS)}
    dims = [h for h in header if h not in special and h.lower() not in {s.lower() for s in special} and h]
    table = Table(
        headers=dims,
        has_progress=at[PROGRESS] is not None,
        ignored_columns=[h for h in header if h in IGNORED_COLUMNS],
    )
    index = {h: i for i, h in enumerate(header)}

    def cell(values: list[str], i: int | None) -> str:
        return values[i].strip() if i is not None and i < len(values) else ""

    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            problems.append(
                Problem(
                    label,
                    f"{len(values)} cells where the header has {len(header)}",
                    line=line,
                    hint="quote cells that contain commas",
                )
            )
            continue
        try:
            period = parse_period(cell(values, year_at), frequency=None)
        except PeriodError as exc:
            problems.append(Problem(label, exc.message, line=line, column=YEAR, hint=exc.hint))
            continue
        value = _number(cell(values, value_at), label, line, VALUE, problems)
        bad_value = value is None and cell(values, value_at) != ""
        progress = _number(cell(values, at[PROGRESS]), label, line, PROGRESS, problems)
        if bad_value:
            continue
        raw = {h: cell(values, index[h]) for h in dims}
        status = next((cell(values, at[s]) for s in STATUS_COLUMNS if at[s] is not None), "")
        row = Row(
            line=line,
            period=period,
            value=value,
            progress=progress,
            raw=raw,
            dims={h: tr.text(v) if v else "" for h, v in raw.items()},
            unit=tr.text(cell(values, at[UNITS])),
            series=tr.text(cell(values, at[SERIES])),
            note=cell(values, at[COMMENT]),
            flag=STATUS_FLAGS.get(status.lower(), ""),
            geocode=cell(values, at[GEOCODE]),
        )
        if row.geocode:
            place = next((v for v in row.dims.values() if v), "")
            table.geocodes.setdefault(place, row.geocode)
        table.rows.append(row)
    return table, problems


# ---------------------------------------------------------------------------------------------- selection


def same(wanted: str, raw: str, translated: str) -> bool:
    """A configured field or value matches a cell written as a translation key, its key, or its translation."""
    return wanted in (raw, translated, raw.partition(".")[2] if "." in raw else raw)


def pick(rows: list[Row], attr: str, wanted: str | None) -> tuple[str, list[str], bool]:
    """The kept ``Units`` or ``Series`` value: the configured one when present, else the first written.

    Returns (kept, every value in file order, whether the configured one was found or none was configured).
    """
    values = list(dict.fromkeys(getattr(r, attr) for r in rows if getattr(r, attr)))
    if not values:
        return "", [], wanted is None
    if wanted is not None and wanted in values:
        return wanted, values, True
    return values[0], values, wanted is None


def header_for(field_name: str, headers: list[str], tr: Translations) -> str | None:
    for h in headers:
        if same(field_name, h, tr.text(h)):
            return h
    return None


def matching(rows: list[Row], headers: list[str], selection: dict[str, str]) -> list[Row]:
    """Rows with the selected values in the selected columns and blanks (totals) everywhere else."""
    return [
        r
        for r in rows
        if all(
            same(selection[h], r.raw[h], r.dims[h]) if h in selection else r.dims[h] == "" for h in headers
        )
    ]


def unique_periods(rows: list[Row]) -> bool:
    labels = [r.period.label for r in rows if r.value is not None or r.progress is not None]
    return bool(labels) and len(labels) == len(set(labels))


def total_like(rows: list[Row], headers: list[str]) -> dict[str, str]:
    """For each column without any blank: its first value that reads as a total (``Total``, ``All ...``)."""
    chosen: dict[str, str] = {}
    for h in headers:
        values = [r.dims[h] for r in rows]
        if "" in values:
            continue
        total = next((v for v in dict.fromkeys(values) if TOTAL_LIKE.match(v)), None)
        if total is not None:
            chosen[h] = total
    return chosen
