"""The pandera schema of one indicator's parsed data, and its failures turned into :class:`Problem` objects.

Cells are parsed first (``periods``, ``numbers``: a cell that is not a period or a number is reported there and
becomes null), then this schema checks the parsed frame, as advised in docs/stack.md: a failed ``coerce`` would
hide the range failures of the other rows. The frame has one row per data row, indexed by line, and the columns
``period`` (canonical label), ``time``, ``value``, one per declared disaggregation, ``note``, ``flag`` and
``source``, ``bound`` and ``territory`` (text stripped; flag and bound lower-cased). Rules:

- ``value`` within the unit's bounds (percent 0..100, count/rate/amount >= 0, or ``unit.min``/``unit.max``);
  a count is a whole number;
- one value per (period, disaggregation values) (``unique``; the validator checks it across chunks instead);
- a disaggregation holds only its declared values, or blank for the total;
- ``flag`` is blank or one of ``tracker.observations.FLAGS``; ``bound`` blank or one of ``BOUNDS``;
- ``territory`` is blank (the city itself) or a peer declared in the definition (``peers:``);
- text cells (``note``, ``source``) hold no HTML tag and do not start like a spreadsheet formula (OWASP's rule:
  ``=``, ``+``, ``-``, ``@``, tab or carriage return first, unless the text is a plain number; see
  :mod:`tracker.formulas`), since the site and any spreadsheet opening an export would interpret them;
  ``source`` links are http(s) only.

Speed: pandera costs a few milliseconds per frame, most of a small file's validation. :class:`Rules` runs the
same rules on plain arrays first, and the validator calls the schema (:func:`schema_for`, built once per
definition) only when they fail, so every problem is still built from pandera's failure cases. A change to a
rule here must be made in both places; ``tests/test_intake_fastpath.py`` holds them to the same verdicts.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import pandera.pandas as pa

from tracker.catalog import Indicator
from tracker.formulas import FORMULA_HINT, looks_like_formula
from tracker.observations import BOUNDS, FLAGS
from tracker.problems import Problem

TEXT_COLUMNS = ("note", "note_it", "note_en", "source", "remark")
HTML = re.compile(r"</?[A-Za-z!?][^<>]{0,40}>?")  # as browsers see tags: a letter right after <
BAD_SCHEME = re.compile(r"\s*(javascript|vbscript|data|file)\s*:", re.IGNORECASE)
_AMBIGUOUS = re.compile(r"[+-]?[1-9]\d{0,2}([.,])\d{3}")  # 1.234 or 1,234: thousands or decimals
LABEL = re.compile(r"\d{4}(-Q[1-4]|-\d{2}(-\d{2})?|/\d{4})?")


def build_schema(indicator: Indicator, *, unique: bool = True) -> pa.DataFrameSchema:
    """The schema of ``indicator``'s parsed data; ``unique=False`` when uniqueness is checked elsewhere."""
    import pandera.pandas as pa  # imported when a schema is needed: valid files pass the plain checks alone

    columns: dict[str, pa.Column] = {
        "period": pa.Column(None, nullable=True, checks=[_check("period", _canonical)]),
        "time": pa.Column(float, nullable=True),
        "value": pa.Column(float, nullable=True, checks=_value_checks(indicator)),
    }
    for d in indicator.disaggregations:
        allowed = [*d.values, ""]
        columns[d.column] = pa.Column(None, checks=[_check("declared", _one_of(allowed))])
    columns["flag"] = pa.Column(None, checks=[_check("flag", _one_of([*FLAGS, ""]))])
    columns["bound"] = pa.Column(None, checks=[_check("bound", _one_of([*BOUNDS, ""]))])
    columns["territory"] = pa.Column(None, checks=[_check("territory", _one_of([*indicator.peer_names, ""]))])
    for name in TEXT_COLUMNS:
        checks = [
            _check("html", _no_match(HTML, search=True)),
            _check("formula", _no_match(looks_like_formula)),
        ]
        if name == "source":
            checks.append(_check("scheme", _no_match(BAD_SCHEME)))
        columns[name] = pa.Column(None, checks=checks)
    keys = ["period", "territory", *(d.column for d in indicator.disaggregations)]
    return pa.DataFrameSchema(
        columns,
        strict=True,
        unique=keys if unique else None,
        report_duplicates="exclude_first",
        name=indicator.id,
    )


_SCHEMAS: dict[tuple, pa.DataFrameSchema] = {}
_RULES: dict[tuple, Rules | None] = {}
_CACHE_SIZE = 256


def _signature(indicator: Indicator) -> tuple:
    """Everything of ``indicator`` that :func:`build_schema` and :func:`rules_for` depend on."""
    unit = indicator.unit
    return (
        indicator.id,
        unit.kind,
        unit.bounds,
        tuple((d.column, tuple(d.values)) for d in indicator.disaggregations),
        tuple(indicator.peer_names),
    )


def _cached(cache: dict, key: tuple, make: Callable[[], object]):  # noqa: ANN202
    try:
        return cache[key]
    except KeyError:
        pass
    if len(cache) >= _CACHE_SIZE:
        cache.clear()
    cache[key] = value = make()
    return value


def schema_for(indicator: Indicator) -> pa.DataFrameSchema:
    """``build_schema(indicator, unique=False)``, built once per indicator definition."""
    return _cached(_SCHEMAS, _signature(indicator), lambda: build_schema(indicator, unique=False))


def rules_for(indicator: Indicator) -> Rules | None:
    """The schema's rules as plain numpy checks (``None`` when the columns are unusual: then use the schema)."""
    return _cached(_RULES, _signature(indicator), lambda: Rules.of(indicator))


class Rules:
    """The checks of ``build_schema(indicator, unique=False)`` on plain arrays, without pandera.

    :meth:`passes` is ``True`` only when the schema's ``validate`` would pass the same frame: the same columns
    (``strict``), ``time`` and ``value`` floats, text cells everywhere else (no null where the schema allows none;
    a null period is allowed) and every check true on the non-null cells (pandera's ``ignore_na``). Checks on
    text cells look at each distinct text once. When it is ``False`` the caller runs the schema itself, whose
    failure cases build the problems, so every message still comes from one place.
    """

    FIXED = ("period", "time", "value", "flag", "bound", "territory", *TEXT_COLUMNS)

    def __init__(self, indicator: Indicator) -> None:
        self.columns = frozenset([*self.FIXED, *(d.column for d in indicator.disaggregations)])
        self.value_rules = _value_rules(indicator)
        # column -> tests on the set of its distinct texts, each True when every text passes
        self.text_rules: dict[str, list[Callable[[set[str]], bool]]] = {"period": [_all_canonical]}
        for d in indicator.disaggregations:
            self.text_rules[d.column] = [frozenset([*d.values, ""]).issuperset]
        self.text_rules["flag"] = [frozenset([*FLAGS, ""]).issuperset]
        self.text_rules["bound"] = [frozenset([*BOUNDS, ""]).issuperset]
        self.text_rules["territory"] = [frozenset([*indicator.peer_names, ""]).issuperset]
        for name in TEXT_COLUMNS:
            self.text_rules[name] = [_none_match(HTML, search=True), _none_match(looks_like_formula)]
            if name == "source":
                self.text_rules[name].append(_none_match(BAD_SCHEME))

    @classmethod
    def of(cls, indicator: Indicator) -> Rules | None:
        names = [*cls.FIXED, *(d.column for d in indicator.disaggregations)]
        return cls(indicator) if len(set(names)) == len(names) else None

    def passes(self, typed: Mapping[str, np.ndarray]) -> bool:
        """``typed``: the frame's columns as 1-d arrays of one length."""
        if typed.keys() != self.columns:
            return False
        for name, cells in typed.items():
            if cells.ndim != 1 or cells.dtype != (np.float64 if name in ("time", "value") else object):
                return False  # the frame would convert it: leave that case to the schema
        values = typed["value"]
        if self.value_rules:
            null = np.isnan(values)
            for ok in self.value_rules:
                if not (ok(values) | null).all():
                    return False
        for name, cells in typed.items():
            if name in ("time", "value"):
                continue
            distinct = set(cells.tolist())
            if name == "period":
                distinct.discard(None)  # nullable: a period that could not be parsed, reported already
            if not all(type(text) is str for text in distinct):
                return False  # a null, or not text: the schema decides
            if not all(test(distinct) for test in self.text_rules.get(name, ())):
                return False
        return True


def _value_rules(indicator: Indicator) -> list[Callable[[np.ndarray], np.ndarray]]:
    """The checks of :func:`_value_checks` on a float array."""
    low, high = indicator.unit.bounds
    rules = []
    if math.isfinite(low) and math.isfinite(high):
        rules.append(lambda v: (v >= low) & (v <= high))  # Series.between: both ends included
    elif math.isfinite(low):
        rules.append(lambda v: v >= low)
    elif math.isfinite(high):
        rules.append(lambda v: v <= high)
    if indicator.unit.kind == "count":
        rules.append(lambda v: v % 1 == 0)
    return rules


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


def _all_canonical(labels: set[str]) -> bool:
    return all(LABEL.fullmatch(label) for label in labels)


def _finder(pattern: re.Pattern[str] | Callable[[str], bool], search: bool) -> Callable[[str], object]:
    if isinstance(pattern, re.Pattern):
        return pattern.search if search else pattern.match
    return pattern


def _none_match(
    pattern: re.Pattern[str] | Callable[[str], bool], *, search: bool = False
) -> Callable[[set[str]], bool]:
    """A test of distinct texts: True when ``pattern`` (a regex, or a predicate) is found in none (blank texts
    are not tried)."""
    find = _finder(pattern, search)
    return lambda texts: not any(find(text) for text in texts if text != "")


def _check(name: str, fn: Callable[[pd.Series], pd.Series]) -> pa.Check:
    import pandera.pandas as pa

    return pa.Check(fn, name=name)


def _one_of(allowed: list[str]) -> Callable[[pd.Series], pd.Series]:
    return lambda s: s.isin(allowed)


def _no_match(
    pattern: re.Pattern[str] | Callable[[str], bool], *, search: bool = False
) -> Callable[[pd.Series], pd.Series]:
    find = _finder(pattern, search)

    def check(s: pd.Series) -> pd.Series:
        cells = s.to_numpy(dtype=object)
        ok = np.ones(len(cells), dtype=bool)
        for i in np.flatnonzero(cells != ""):  # most cells are blank
            ok[i] = not find(cells[i])
        return pd.Series(ok, index=s.index)

    return check


def problems_from(
    errors: pa.errors.SchemaErrors,
    indicator: Indicator,
    label: str,
    raw: Mapping[str, pd.Series],
    names: Mapping[str, str],
) -> list[Problem]:
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
        if column is not None and column in raw and line is not None:
            text = str(raw[column].get(line, case.failure_case))  # as written in the file
        else:
            text = str(case.failure_case)
        message, hint = describe(case.check, column, text, indicator)
        problems.append(Problem(label, message, line=line, column=names.get(column or "", column), hint=hint))
    return problems


def note_problems(
    texts: np.ndarray, lines: np.ndarray, column: str, label: str, indicator: Indicator
) -> list[Problem]:
    """The checks of a note (no HTML tag, nothing a spreadsheet would run) on a note column in another
    language (``note_fr``...), which the schema does not know: one problem per failing cell."""
    problems = []
    for i in np.flatnonzero(texts != ""):
        text = str(texts[i])
        for check, failed in (("html", HTML.search(text)), ("formula", looks_like_formula(text))):
            if failed:
                message, hint = describe(check, column, text, indicator)
                problems.append(Problem(label, message, line=int(lines[i]), column=column, hint=hint))
    return problems


def describe(check: str, column: str | None, text: str, indicator: Indicator) -> tuple[str, str]:
    """Message and hint for one failed check on the cell ``text``."""
    unit = indicator.unit
    low, high = unit.bounds
    custom = unit.min is not None or unit.max is not None
    short = text if len(text) <= 40 else text[:37] + "..."
    if check in ("range", "max") and (m := _AMBIGUOUS.fullmatch(text)):
        mark, other = m[1], "," if m[1] == "." else "."
        return (
            f"{text!r} is outside {_num(low)}..{_num(high)}: it was read as {text.replace(mark, '')}, "
            f"with {mark!r} as the thousands separator, because this file writes decimals with {other!r}",
            f"if {text} is a decimal number, write it as {text.replace(mark, other)}, with the file's decimal "
            "separator; otherwise check the value or the unit",
        )
    if check == "range":
        hint = (
            "a percentage runs from 0 to 100"
            if unit.kind == "percent" and not custom
            else f"the unit allows values from {_num(low)} to {_num(high)}"
        )
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
        return (
            f"{text!r} is not a value of {column}",
            f"use one of: {', '.join(values)}; leave it blank for the total",
        )
    if check == "flag":
        return f"{text!r} is not a flag", f"use {', '.join(FLAGS[:-1])} or {FLAGS[-1]}, or leave it blank"
    if check == "bound":
        return (
            f"{text!r} is not a bound",
            "leave it blank for an exact value; write lower for a figure published as 'more than' (>63 %), "
            "upper for one published as 'less than' (<5)",
        )
    if check == "territory":
        declared = ", ".join(indicator.peer_names) or "none declared"
        return (
            f"{text!r} is not a declared peer territory (declared: {declared})",
            f"declare it under peers: in indicators/{indicator.objective}/{indicator.id}.yaml, or leave the "
            "cell blank for the indicator's own city",
        )
    if check == "html":
        tag = HTML.search(text)
        return f"HTML tag {tag.group(0) if tag else short!r} in text", "write plain text without <...> tags"
    if check == "formula":
        return f"{short!r} starts like a spreadsheet formula", FORMULA_HINT
    if check == "scheme":
        return f"{short!r} is not a web link", "use an http:// or https:// address, or a plain citation"
    if check == "multiple_fields_uniqueness":
        return "the same period and series appear on another line", "keep one value per period and series"
    if check == "period":
        return f"{text!r} is not a canonical period label", "parse periods with tracker.intake.periods"
    return f"{short!r} fails {check}", ""


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)
