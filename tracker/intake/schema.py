"""The pandera schema of one indicator's parsed data, and its failures turned into :class:`Problem` objects.

Cells are parsed first (``periods``, ``numbers``: a cell that is not a period or a number is reported there and
becomes null), then this schema checks the parsed frame, as advised in docs/stack.md: a failed ``coerce`` would
hide the range failures of the other rows. The frame has one row per data row, indexed by line, and the columns
``period`` (canonical label), ``time``, ``value``, one per declared disaggregation, ``note``, ``flag`` and
``source`` (text stripped; flag lower-cased). Rules:

- ``value`` within the unit's bounds (percent 0..100, count/rate/amount >= 0, or ``unit.min``/``unit.max``);
  a count is a whole number;
- one value per (period, disaggregation values) (``unique``; the validator checks it across chunks instead);
- a disaggregation holds only its declared values, or blank for the total;
- ``flag`` is blank or one of ``tracker.observations.FLAGS``;
- text cells (``note``, ``source``) hold no HTML tag and do not start like a spreadsheet formula (``=``, ``+``,
  ``-``, ``@`` then a letter), since the site and any spreadsheet opening an export would interpret them;
  ``source`` links are http(s) only.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
import pandera.pandas as pa

from tracker.catalog import Indicator
from tracker.observations import FLAGS
from tracker.problems import Problem

TEXT_COLUMNS = ("note", "source")
HTML = re.compile(r"</?[A-Za-z!?][^<>]{0,40}>?")  # as browsers see tags: a letter right after <
FORMULA = re.compile(r"\s*[=+\-@]\s*[A-Za-z]")
BAD_SCHEME = re.compile(r"\s*(javascript|vbscript|data|file)\s*:", re.IGNORECASE)
LABEL = re.compile(r"\d{4}(-Q[1-4]|-\d{2}(-\d{2})?|/\d{4})?")


def build_schema(indicator: Indicator, *, unique: bool = True) -> pa.DataFrameSchema:
    """The schema of ``indicator``'s parsed data; ``unique=False`` when uniqueness is checked elsewhere."""
    columns: dict[str, pa.Column] = {
        "period": pa.Column(None, nullable=True, checks=[_check("period", _canonical)]),
        "time": pa.Column(float, nullable=True),
        "value": pa.Column(float, nullable=True, checks=_value_checks(indicator)),
    }
    for d in indicator.disaggregations:
        allowed = [*d.values, ""]
        columns[d.column] = pa.Column(None, checks=[_check("declared", lambda s, a=allowed: s.isin(a))])
    columns["flag"] = pa.Column(None, checks=[_check("flag", lambda s: s.isin([*FLAGS, ""]))])
    for name in TEXT_COLUMNS:
        checks = [_check("html", _no_match(HTML, search=True)), _check("formula", _no_match(FORMULA))]
        if name == "source":
            checks.append(_check("scheme", _no_match(BAD_SCHEME)))
        columns[name] = pa.Column(None, checks=checks)
    keys = ["period", *(d.column for d in indicator.disaggregations)]
    return pa.DataFrameSchema(columns, strict=True, unique=keys if unique else None,
                              report_duplicates="exclude_first", name=indicator.id)


def _value_checks(indicator: Indicator) -> list[pa.Check]:
    low, high = indicator.unit.bounds
    checks = []
    if math.isfinite(low) and math.isfinite(high):
        checks.append(_check("range", lambda s: s.between(low, high)))
    elif math.isfinite(low):
        checks.append(_check("min", lambda s: s >= low))
    elif math.isfinite(high):
        checks.append(_check("max", lambda s: s <= high))
    if indicator.unit.kind == "count":
        checks.append(_check("integral", lambda s: s % 1 == 0))
    return checks


def _canonical(s: pd.Series) -> pd.Series:
    labels = s.dropna()
    ok = {label: bool(LABEL.fullmatch(label)) for label in pd.unique(labels)}
    return labels.map(ok).astype(bool)


def _check(name: str, fn: Callable[[pd.Series], pd.Series]) -> pa.Check:
    return pa.Check(fn, name=name)


def _no_match(pattern: re.Pattern[str], *, search: bool = False) -> Callable[[pd.Series], pd.Series]:
    find = pattern.search if search else pattern.match

    def check(s: pd.Series) -> pd.Series:
        cells = s.to_numpy(dtype=object)
        ok = np.ones(len(cells), dtype=bool)
        for i in np.flatnonzero(cells != ""):  # most cells are blank
            ok[i] = not find(cells[i])
        return pd.Series(ok, index=s.index)

    return check


def problems_from(errors: pa.errors.SchemaErrors, indicator: Indicator, label: str,
                  raw: Mapping[str, pd.Series], names: Mapping[str, str]) -> list[Problem]:
    """One problem per failing cell; ``raw`` holds the cells as written (by canonical column, indexed by line),
    ``names`` the column names as written in the file."""
    problems = []
    seen = set()
    for case in errors.failure_cases.itertuples(index=False):
        line = None if pd.isna(case.index) else int(case.index)
        column = case.column if isinstance(case.column, str) else None
        key = (line, case.check) if case.check == "multiple_fields_uniqueness" else (line, case.check, column)
        if key in seen:  # a DataFrame-level check fails once per column of the row
            continue
        seen.add(key)
        text = str(raw[column].get(line, case.failure_case)) if column in raw and line is not None else str(case.failure_case)
        message, hint = describe(case.check, column, text, indicator)
        problems.append(Problem(label, message, line=line, column=names.get(column or "", column), hint=hint))
    return problems


def describe(check: str, column: str | None, text: str, indicator: Indicator) -> tuple[str, str]:
    """Message and hint for one failed check on the cell ``text``."""
    unit = indicator.unit
    low, high = unit.bounds
    custom = unit.min is not None or unit.max is not None
    short = text if len(text) <= 40 else text[:37] + "..."
    if check == "range":
        hint = "a percentage runs from 0 to 100" if unit.kind == "percent" and not custom else \
            f"the unit allows values from {_num(low)} to {_num(high)}"
        return f"{text!r} is outside {_num(low)}..{_num(high)}", hint
    if check == "min":
        hint = f"the unit allows values from {_num(low)}" if custom else f"a {unit.kind} cannot be negative"
        return f"{text!r} is below {_num(low)}", hint
    if check == "max":
        return f"{text!r} is above {_num(high)}", f"the unit allows values up to {_num(high)}"
    if check == "integral":
        return f"{text!r} is not a whole number", "a count has no decimals"
    if check == "declared":
        values = next((d.values for d in indicator.disaggregations if d.column == column), [])
        return f"{text!r} is not a value of {column}", f"use one of: {', '.join(values)}; leave it blank for the total"
    if check == "flag":
        return f"{text!r} is not a flag", f"use {', '.join(FLAGS[:-1])} or {FLAGS[-1]}, or leave it blank"
    if check == "html":
        tag = HTML.search(text)
        return f"HTML tag {tag.group(0) if tag else short!r} in text", "write plain text without <...> tags"
    if check == "formula":
        return f"{short!r} starts like a spreadsheet formula", \
            "start the text with a letter or a digit: a spreadsheet would run it as a formula"
    if check == "scheme":
        return f"{short!r} is not a web link", "use an http:// or https:// address, or a plain citation"
    if check == "multiple_fields_uniqueness":
        return "the same period and series appear on another line", "keep one value per period and series"
    if check == "period":
        return f"{text!r} is not a canonical period label", "parse periods with tracker.intake.periods"
    return f"{short!r} fails {check}", ""


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)
