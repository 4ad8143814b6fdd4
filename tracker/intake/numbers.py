"""Numbers written as text, with the decimal convention decided once per file.

A cell tells the convention when it can only be read one way: ``63,1`` or ``1.234,5`` (decimal comma),
``63.1`` or ``1,234.5`` (decimal point). ``1.234`` and ``1,234`` are ambiguous (thousands or decimals): they
follow the convention of the file. The first telling cell fixes it; a later cell with the other convention is
an error on its line. A file where no cell tells uses the table's default (decimal comma for ``;``-separated
files, the Italian spreadsheet export; otherwise a point). XLSX number cells are numbers already and take no
part in this.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tracker.formulas import looks_like_formula
from tracker.problems import Problem

_NUMBER = re.compile(
    r"""
    (?P<amb_dot>[+-]?[1-9]\d{0,2}\.\d{3})
  | (?P<amb_comma>[+-]?[1-9]\d{0,2},\d{3})
  | (?P<int>[+-]?\d+)
  | (?P<sci>[+-]?\d+[eE][+-]?\d+)
  | (?P<dot>[+-]?(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<comma>[+-]?(?:\d+,\d*|,\d+))
  | (?P<dot_groups>[+-]?[1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?)
  | (?P<comma_groups>[+-]?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?)
""",
    re.VERBOSE,
)
_SHOWS = {"dot": ".", "comma_groups": ".", "comma": ",", "dot_groups": ","}  # kinds that tell the convention
_NAME = {".": "point", ",": "comma"}
_SPACED = re.compile(r"[+-]?\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?")
_FORMULA = re.compile(r"[=+\-@]\s*[A-Za-z]")
NUMBER_HINT = "write digits with one decimal separator, e.g. 63.1 or 63,1"


@dataclass
class DecimalState:
    """The file's decimal separator, carried from chunk to chunk."""

    default: str = "."
    separator: str | None = None
    line: int = 0  # the line that fixed it
    cell: str = ""
    assumed: bool = False  # fixed by an ambiguous cell read with the default, not shown by any cell


def parse_values(
    texts: np.ndarray,
    lines: np.ndarray,
    state: DecimalState,
    label: str,
    column: str,
    numeric: np.ndarray | None = None,
    skip: np.ndarray | None = None,
) -> tuple[np.ndarray, list[Problem]]:
    """Floats for stripped ``texts`` (NaN where unusable) and a problem for each unusable non-skipped cell.

    ``numeric`` marks cells that were numbers in the source (XLSX); ``skip`` cells already have a problem.
    """
    parsed = pd.to_numeric(pd.Series(texts, dtype=object), errors="coerce")  # fast path: plain numbers
    values = parsed.to_numpy(dtype=float, na_value=np.nan, copy=True)
    slow = ~np.isfinite(values)
    if skip is not None:
        slow &= ~skip
        values[skip] = np.nan
    problems: list[Problem] = []
    telling: list[tuple[int, str, int]] = []  # (position, separator, line)
    ambiguous: list[tuple[int, str]] = []
    if state.separator is None or state.separator != "." or state.assumed:
        candidates = ~slow & np.isfinite(values)
        if numeric is not None:
            candidates &= ~numeric
        fast = np.flatnonzero(candidates)
        line_of = lines.tolist() if fast.size else []
        for i, text in zip(fast.tolist(), texts[fast].tolist(), strict=True):
            if "." in text and (m := _NUMBER.fullmatch(text)):
                kind = m.lastgroup
                if kind == "amb_dot":
                    ambiguous.append((i, kind))
                elif kind in _SHOWS:
                    telling.append((i, _SHOWS[kind], int(line_of[i])))
    for i in np.flatnonzero(slow).tolist():
        text = texts[i]
        m = _NUMBER.fullmatch(text) if text else None
        if m is None:
            values[i] = np.nan
            message, hint = _not_a_number(text)
            problems.append(Problem(label, message, line=int(lines[i]), column=column, hint=hint))
        elif m.lastgroup in ("amb_dot", "amb_comma"):
            ambiguous.append((i, m.lastgroup))
        elif m.lastgroup in _SHOWS:
            telling.append((i, _SHOWS[m.lastgroup], int(lines[i])))
            values[i] = _to_float(text, _SHOWS[m.lastgroup])
        else:
            values[i] = float(text)
        if np.isinf(values[i]):
            values[i] = np.nan
            problems.append(
                Problem(
                    label,
                    f"{text!r} is too large",
                    line=int(lines[i]),
                    column=column,
                    hint="check the number",
                )
            )
    telling.sort(key=lambda t: t[2])
    if telling and (state.separator is None or state.assumed):
        i, separator, line = telling[0]
        if state.separator is None or (state.assumed and separator == state.separator):
            state.separator, state.line, state.cell, state.assumed = separator, line, texts[i], False
    if ambiguous and state.separator is None:
        i, _ = min(ambiguous, key=lambda a: lines[a[0]])
        state.separator, state.line, state.cell, state.assumed = state.default, int(lines[i]), texts[i], True
    for i, _ in ambiguous:
        values[i] = _to_float(texts[i], state.separator or state.default)
    for i, separator, line in telling:
        decided = state.separator  # never None here: the first telling cell fixed it above if nothing had
        if decided is not None and separator != decided:
            values[i] = np.nan
            read = (
                f"was read with a decimal {_NAME[decided]}"
                if state.assumed
                else f"has a decimal {_NAME[decided]}"
            )
            problems.append(
                Problem(
                    label,
                    f"{texts[i]!r} has a decimal {_NAME[separator]}, but {state.cell!r} on line {state.line} "
                    f"{read}",
                    line=line,
                    column=column,
                    hint="use one decimal separator in the whole file (63,1 and 1.234,5 or 63.1 and 1,234.5)",
                )
            )
    return values, problems


def _to_float(text: str, separator: str) -> float:
    if separator == ",":
        return float(text.replace(".", "").replace(",", "."))
    return float(text.replace(",", ""))


def _not_a_number(text: str) -> tuple[str, str]:
    if not text:
        return "value is empty", "write the value, or delete the row when there is no figure"
    if looks_like_formula(text) or _FORMULA.match(text):
        return f"{text!r} is a formula, not a number", "type the value itself"
    if "%" in text:
        return f"{text!r} is not a number", "drop the % sign: the unit is stated in the indicator"
    if _SPACED.fullmatch(text):
        return f"{text!r} is not a number", "write it without spaces between the digits"
    return f"{text!r} is not a number", NUMBER_HINT
