"""Read and validate one indicator data file: the public API of intake.

File format (what a data steward writes), one row per period and series:

- ``period`` (required): see :mod:`tracker.intake.periods` for the accepted forms;
- ``value`` (required): a number; see :mod:`tracker.intake.numbers` for decimal separators;
- one column per declared disaggregation (``Disaggregation.column``), holding a declared value or blank for the
  total; a declared column may be left out (then every row is the total);
- ``note`` (optional, plain text), ``flag`` (optional: provisional, estimated, break or blank; any case),
  ``source`` (optional: URL or citation);
- ``bound`` (optional: blank for an exact value, ``lower`` for a published ">63 %", ``upper`` for "<5");
- ``territory`` (optional: blank for the indicator's own city, else a peer declared under ``peers:``).

Header names are matched case-insensitively after trimming spaces; the Italian names ``periodo``, ``valore``,
``nota`` and ``fonte`` are accepted for ``period``, ``value``, ``note`` and ``source``. Blank rows (every cell
empty) are skipped. Problems are capped at ``MAX_PROBLEMS`` per file, plus one line counting the rest.

**All or nothing**: :func:`read_observations` reports every problem of the file at once and then returns no
observations at all, so a caller never stores part of a file; it rejects the file (e.g. moves it to
``rejected/``) and shows the problems to the steward.
"""

from __future__ import annotations

import difflib
import logging
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from itertools import repeat
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd

from tracker.catalog import Indicator
from tracker.config import Limits
from tracker.intake.numbers import DecimalState, parse_values
from tracker.intake.periods import Period, PeriodError, parse_period
from tracker.intake.readers import (
    CHUNK_ROWS,
    NUMBER,
    REPORTED,
    Chunk,
    Table,
    gc_paused,
    open_table,
)
from tracker.intake.schema import note_problems, problems_from, rules_for, schema_for
from tracker.observations import HEADLINE, Observation, notes_json
from tracker.problems import Problem, ProblemsFound, sort_key

log = logging.getLogger(__name__)

MAX_PROBLEMS = 1000
REQUIRED = ("period", "value")
#: ``note_it``/``note_en``: the public note in each language (``note``: a language-neutral one); ``remark``: the
#: steward's internal remark, checked like a note but never stored nor published.
#: ``bound``: blank (exact), ``lower`` or ``upper``; ``territory``: blank (the city itself) or a declared peer.
OPTIONAL = ("note", "note_it", "note_en", "flag", "source", "remark", "bound", "territory")
ALIASES = {
    "periodo": "period",
    "valore": "value",
    "nota": "note",
    "fonte": "source",
    "nota_it": "note_it",
    "nota_en": "note_en",
    "nota_interna": "remark",
    "limite": "bound",
    "territorio": "territory",
}
ITALIAN = {english: italian for italian, english in ALIASES.items()}
#: ``note_fr``, ``note_es``...: the note in any other language Babel knows (shown on that language's pages).
NOTE_COLUMN = re.compile(r"note_([a-z]{2,3})")
_PERIOD_CACHE = 100_000


def read_observations(
    path: Path,
    indicator: Indicator,
    *,
    label: str | None = None,
    max_bytes: int | None = None,
    chunk_rows: int = CHUNK_ROWS,
    today: date | None = None,
    on_rows: Callable[[int], None] | None = None,
    limits: Limits | None = None,
) -> tuple[list[Observation], list[Problem]]:
    """Observations of one data file and every problem in it; with any problem the list of observations is empty.

    ``path`` may name a sheet: ``data.xlsx#Sheet``. ``label`` is the file name shown in problems (default: the
    file's name). ``today`` decides which periods lie in the future (default: the real today). ``on_rows`` is
    called with the number of rows of each chunk read, for a progress bar. ``limits``: the resource limits of
    ``config.yaml`` (default: their defaults; ``max_bytes`` overrides ``limits.file_bytes``).
    """
    observations: list[Observation] = []
    problems = _Intake(indicator, label or path.name, today, on_rows, limits).run(
        path, max_bytes, chunk_rows, observations
    )
    return ([] if problems else observations), problems


def check_file(
    path: Path,
    indicator: Indicator,
    *,
    label: str | None = None,
    max_bytes: int | None = None,
    chunk_rows: int = CHUNK_ROWS,
    today: date | None = None,
    on_rows: Callable[[int], None] | None = None,
    limits: Limits | None = None,
) -> list[Problem]:
    """Every problem of one data file, in memory bounded by ``chunk_rows`` (no observations are kept)."""
    return _Intake(indicator, label or path.name, today, on_rows, limits).run(
        path, max_bytes, chunk_rows, None
    )


def safe_join(folder: Path, name: str) -> Path:
    """``folder / name`` for a user-given file name; raise :class:`ProblemsFound` when it would leave ``folder``."""
    shown = name.replace("\x00", "\\0") or "(empty name)"
    hint = "give a plain file name such as data.csv, without '..', a leading '/' or a drive letter"

    def refuse(message: str) -> ProblemsFound:
        return ProblemsFound([Problem(shown, message, hint=hint)])

    if not name.strip():
        raise refuse("the file name is empty")
    if "\x00" in name:
        raise refuse("the file name holds a NUL byte")
    relative = name.replace("\\", "/")
    if relative.startswith("/") or re.match(r"[A-Za-z]:", relative):
        raise refuse("an absolute path is not allowed here")
    if ".." in PurePosixPath(relative).parts:
        raise refuse("the name leads outside the folder")
    base = folder.resolve()
    target = (base / relative).resolve()
    if not target.is_relative_to(base) or target == base:
        raise refuse("the name leads outside the folder")
    return target


def _note_language(column: str) -> str:
    """The language of a ``note_<lang>`` column beyond Italian and English, when Babel knows it, else ""."""
    found = NOTE_COLUMN.fullmatch(column)
    if found is None or found[1] in ("it", "en"):
        return ""
    from babel import Locale, UnknownLocaleError  # only for a file with such a column

    try:
        Locale.parse(found[1])
    except (UnknownLocaleError, ValueError):
        return ""
    return found[1]


@dataclass
class _Layout:
    positions: dict[str, int] = field(default_factory=dict)  # canonical column -> position in the file
    names: dict[str, str] = field(default_factory=dict)  # canonical column -> name as written
    unnamed: list[int] = field(default_factory=list)
    note_languages: list[str] = field(default_factory=list)  # of the note_<lang> columns beyond note_it/en


class _Intake:
    """The state of one file's validation, carried across chunks."""

    def __init__(
        self,
        indicator: Indicator,
        label: str,
        today: date | None,
        on_rows: Callable[[int], None] | None = None,
        limits: Limits | None = None,
    ) -> None:
        self.indicator = indicator
        self.limits = limits or Limits()
        self.on_rows = on_rows
        self.label = label
        self.today = today or date.today()
        self.problems: list[Problem] = []
        self.dropped = 0
        self.rows = 0
        self.periods: dict[str, Period | PeriodError] = {}
        self.series: dict[tuple[str, ...], str] = {}
        self.disaggregations = [d.column for d in indicator.disaggregations]
        self.seen = _SeenKeys()
        self.rules = rules_for(indicator)  # the schema's checks without pandera; the schema when they fail
        self.reported_unnamed: set[int] = set()

    def add(self, problems: list[Problem]) -> None:
        room = max(MAX_PROBLEMS - len(self.problems), 0)
        self.problems.extend(problems[:room])
        self.dropped += max(len(problems) - room, 0)

    def run(
        self, path: Path, max_bytes: int | None, chunk_rows: int, sink: list[Observation] | None
    ) -> list[Problem]:
        """Every problem of the file; whatever goes wrong while reading it becomes one, so that one file never
        stops the others (a file that cannot be read, or a bug met by an odd file: then logged in full)."""
        try:
            return self._run(path, max_bytes, chunk_rows, sink)
        except OSError as exc:
            if sink is not None:
                sink.clear()
            return [
                Problem(
                    self.label,
                    f"cannot be read ({exc.strerror or type(exc).__name__})",
                    hint="check that the file is complete and that the tracker may read it (permissions)",
                )
            ]
        except (
            MemoryError,
            RecursionError,
            ValueError,
            TypeError,
            LookupError,
            ArithmeticError,
            AssertionError,
        ) as exc:
            log.error("%s: unexpected error while reading: %r (details with debug logging)", self.label, exc)
            log.debug("%s: unexpected error while reading", self.label, exc_info=True)
            if sink is not None:
                sink.clear()
            return [
                Problem(
                    self.label,
                    f"could not be read: {type(exc).__name__}",
                    hint="check the file; if it looks right, report it to the tracker's maintainers "
                    "with the file (the other files were processed)",
                )
            ]

    def _run(
        self, path: Path, max_bytes: int | None, chunk_rows: int, sink: list[Observation] | None
    ) -> list[Problem]:
        try:
            table = open_table(
                path, self.label, max_bytes=max_bytes, chunk_rows=chunk_rows, limits=self.limits
            )
        except ProblemsFound as exc:
            return list(exc.problems)
        layout = self.layout(table)
        self.decimal = DecimalState(default=table.decimal)
        broken = False
        try:
            for chunk in table.chunks:
                self.add(chunk.problems)
                self.check(chunk, layout, sink if not (self.problems or self.dropped) else None)
                if self.on_rows is not None:
                    self.on_rows(len(chunk.lines))
        except ProblemsFound as exc:
            self.add(list(exc.problems))
            broken = True
        finally:
            table.chunks.close()
        if self.rows == 0 and not broken:
            self.add(
                [
                    Problem(
                        self.label,
                        "the file has a header but no rows of data",
                        hint="add one row per period below the header",
                    )
                ]
            )
        problems = sorted(self.problems, key=sort_key)
        if self.dropped:
            problems.append(
                Problem(
                    self.label,
                    f"{self.dropped} more problems not listed",
                    hint="fix the problems above and check the file again",
                )
            )
        return problems

    def layout(self, table: Table) -> _Layout:
        allowed = ["period", "value", *self.disaggregations, *OPTIONAL]
        hint = f"allowed columns: {', '.join(allowed)}, note_<language> (Italian: {', '.join(ALIASES)})"
        layout = _Layout()
        problems = []
        for j, name in enumerate(table.header):
            if not name:
                layout.unnamed.append(j)
                continue
            key = " ".join(name.lower().split())
            canonical = ALIASES.get(key, key)
            if canonical not in allowed and (language := _note_language(canonical)):
                if canonical not in layout.positions:
                    layout.note_languages.append(language)
                allowed.append(canonical)  # a second column of the same name is a repeat, below
            if canonical not in allowed:
                guess = difflib.get_close_matches(key, [*allowed, *ALIASES], n=1)
                problems.append(
                    Problem(
                        self.label,
                        f"unknown column {name!r}",
                        line=table.header_line,
                        column=name,
                        hint=(f"did you mean {guess[0]!r}? " if guess else "") + hint,
                    )
                )
            elif canonical in layout.positions:
                problems.append(
                    Problem(
                        self.label,
                        f"column {name!r} repeats column {layout.names[canonical]!r}",
                        line=table.header_line,
                        column=name,
                        hint="keep one column of each name",
                    )
                )
            else:
                layout.positions[canonical] = j
                layout.names[canonical] = name
        for column in REQUIRED:
            if column not in layout.positions:
                problems.append(
                    Problem(
                        self.label,
                        f"missing column {column!r}",
                        line=table.header_line,
                        hint=f"add a column named {column} (or {ITALIAN[column]}); {hint}",
                    )
                )
        self.add(problems)
        return layout

    def check(self, chunk: Chunk, layout: _Layout, sink: list[Observation] | None) -> None:
        cells = [_strip(column) for column in chunk.columns]
        lines = chunk.lines
        kinds = chunk.kinds
        keep = ~np.logical_and.reduce([c == "" for c in cells]) if cells else np.zeros(len(lines), bool)
        if not keep.all():
            cells = [c[keep] for c in cells]
            lines = lines[keep]
            kinds = kinds[keep] if kinds is not None else None
        n = len(lines)
        self.rows += n
        if not n:
            return
        problems: list[Problem] = []
        for j in layout.unnamed:
            filled = np.flatnonzero(cells[j] != "")
            if filled.size and j not in self.reported_unnamed:
                self.reported_unnamed.add(j)
                problems.append(
                    Problem(
                        self.label,
                        f"column {j + 1} has no name but holds {cells[j][filled[0]]!r}",
                        line=int(lines[filled[0]]),
                        hint="name the column in the header, or delete it",
                    )
                )

        def text(column: str) -> np.ndarray:
            j = layout.positions.get(column)
            return cells[j] if j is not None else np.full(n, "", dtype=object)

        def kind(column: str, wanted: int) -> np.ndarray | None:
            j = layout.positions.get(column)
            return kinds[:, j] == wanted if kinds is not None and j is not None else None

        def name(column: str) -> str:
            return layout.names.get(column, column)

        def skipped(column: str) -> np.ndarray | None:  # cells with a problem already, or no column at all
            return kind(column, REPORTED) if column in layout.positions else np.ones(n, dtype=bool)

        labels, times, parsed = self.parse_periods(
            text("period"), lines, skipped("period"), name("period"), problems
        )
        values, found = parse_values(
            text("value"),
            lines,
            self.decimal,
            self.label,
            name("value"),
            numeric=kind("value", NUMBER),
            skip=skipped("value"),
        )
        problems.extend(found)
        typed = {"period": labels, "time": times, "value": values}
        raw = {"value": text("value")}
        for column in [*self.disaggregations, *OPTIONAL]:
            cell = text(column)
            reported = kind(column, REPORTED)
            if reported is not None and reported.any():
                cell = np.where(reported, "", cell)
            raw[column] = cell
            typed[column] = _lower(cell) if column in ("flag", "bound") else cell
        if not self.passes(typed):
            import pandera.pandas as pa  # only for a file the plain checks found fault with

            index = pd.Index(lines, name="line")
            try:
                frame = pd.DataFrame(
                    {
                        k: pd.Series(v, index=index, dtype=object if v.dtype == object else float)
                        for k, v in typed.items()
                    }
                )
                schema_for(self.indicator).validate(frame, lazy=True)
            except pa.errors.SchemaErrors as exc:
                series = {k: pd.Series(v, index=index) for k, v in raw.items()}
                problems.extend(problems_from(exc, self.indicator, self.label, series, layout.names))
        problems.extend(
            self.duplicates(
                labels,
                [text(d) for d in self.disaggregations],
                lines,
                name("period"),
                parsed,
                text("territory"),
            )
        )
        other: dict[str, np.ndarray] = {}
        for lang in layout.note_languages:
            cell, reported = text(f"note_{lang}"), kind(f"note_{lang}", REPORTED)
            other[lang] = np.where(reported, "", cell) if reported is not None and reported.any() else cell
        notes, found = self.other_notes(layout, other, lines)
        problems.extend(found)
        self.add(problems)
        if sink is not None and not problems:
            groups = [text(d) for d in self.disaggregations]
            self.collect(sink, labels, times, values, groups, typed, lines, notes)

    def other_notes(
        self, layout: _Layout, cells: dict[str, np.ndarray], lines: np.ndarray
    ) -> tuple[list[str], list[Problem]]:
        """The ``notes`` text of each row from its note_<lang> columns beyond Italian and English, and their
        problems (checked as the schema checks a note)."""
        problems = []
        for lang, texts in cells.items():
            column = layout.names.get(f"note_{lang}", f"note_{lang}")
            problems.extend(note_problems(texts, lines, column, self.label, self.indicator))
        if not any((texts != "").any() for texts in cells.values()):
            return [""] * len(lines), problems
        return [
            notes_json({lang: str(t[i]) for lang, t in cells.items()}) for i in range(len(lines))
        ], problems

    def passes(self, typed: dict[str, np.ndarray]) -> bool:
        """True when the schema would surely pass the frame of ``typed``; then pandera need not run."""
        if self.rules is None:
            return False
        try:
            return self.rules.passes(typed)
        except Exception:  # noqa: BLE001 - an unexpected cell: let the schema judge it and report
            log.debug("%s: fast checks gave way to the schema", self.label, exc_info=True)
            return False

    def parse_periods(
        self,
        texts: np.ndarray,
        lines: np.ndarray,
        skip: np.ndarray | None,
        column: str,
        problems: list[Problem],
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Labels (None where unusable), decimal years (NaN there) and where the period is usable."""
        if len(self.periods) > _PERIOD_CACHE:
            self.periods.clear()
        codes, uniques = _factorize(texts)
        for cell in uniques:
            if cell not in self.periods:
                try:
                    self.periods[cell] = parse_period(
                        cell, frequency=self.indicator.frequency, today=self.today
                    )
                except PeriodError as exc:
                    self.periods[cell] = exc.with_traceback(None)  # the cache must not keep frames alive
        found = [self.periods[cell] for cell in uniques]
        labels = np.array([p.label if isinstance(p, Period) else None for p in found], dtype=object)[codes]
        times = np.array([p.time if isinstance(p, Period) else math.nan for p in found], dtype=float)[codes]
        parsed = np.array([isinstance(p, Period) for p in found], dtype=bool)[codes]
        for i in np.flatnonzero(~parsed):
            if skip is not None and skip[i]:
                continue
            error = self.periods[texts[i]]
            assert isinstance(error, PeriodError)
            problems.append(
                Problem(self.label, error.message, line=int(lines[i]), column=column, hint=error.hint)
            )
        return labels, times, parsed

    def duplicates(
        self,
        labels: np.ndarray,
        groups: list[np.ndarray],
        lines: np.ndarray,
        column: str,
        valid: np.ndarray,
        territory: np.ndarray,
    ) -> list[Problem]:
        """Problems for keys met before (in this chunk or an earlier one); ``valid``: rows with a period. A peer
        territory's value of a period is another key than the city's own."""
        hashes = _hash_rows([labels[valid], territory[valid], *(g[valid] for g in groups)])
        problems = []
        positions = np.flatnonzero(valid)
        for at, first in self.seen.add(hashes, lines[valid]):
            i = positions[at]
            series = self.series_key(tuple(g[i] for g in groups))
            what = f"{labels[i]}, {series.replace(';', ', ')}" if series else labels[i]
            if territory[i]:
                what = f"{what} of {territory[i]}"
            problems.append(
                Problem(
                    self.label,
                    f"period {what} is repeated (first on line {first})",
                    line=int(lines[i]),
                    column=column,
                    hint="keep one value per period and series",
                )
            )
        return problems

    def series_key(self, values: tuple[str, ...]) -> str:
        key = self.series.get(values)
        if key is None:
            key = ";".join(f"{c}={v}" for c, v in sorted(zip(self.disaggregations, values, strict=True)) if v)
            if len(self.series) < _PERIOD_CACHE:
                self.series[values] = key
        return key

    def collect(
        self,
        sink: list[Observation],
        labels: np.ndarray,
        times: np.ndarray,
        values: np.ndarray,
        groups: list[np.ndarray],
        typed: dict[str, np.ndarray],
        lines: np.ndarray,
        notes: list[str],
    ) -> None:
        if groups:  # the key of each distinct combination of values, once
            codes = _combination_codes(groups)
            _, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
            distinct = [self.series_key(tuple(g[i] for g in groups)) for i in first.tolist()]
            keys = [distinct[k] for k in inverse.tolist()]
        else:
            keys = [HEADLINE] * len(lines)
        columns = (
            labels.tolist(),
            times.tolist(),
            values.tolist(),
            keys,
            typed["note"].tolist(),
            typed["flag"].tolist(),
            typed["source"].tolist(),
            lines.tolist(),
            typed["note_it"].tolist(),
            typed["note_en"].tolist(),
            typed["bound"].tolist(),
            typed["territory"].tolist(),
            notes,
        )
        assert all(len(c) == len(lines) for c in columns)
        with gc_paused():
            sink.extend(map(Observation, repeat(self.indicator.id, len(lines)), *columns))


class _SeenKeys:
    """Hashes of the (period, series) keys met so far, sorted, with the first line of each: 12 bytes a key.

    64-bit hashes: two different keys share one with a chance of about 1 in 10^7 for a million rows.
    """

    def __init__(self) -> None:
        self.hashes = np.empty(0, dtype=np.uint64)
        self.lines = np.empty(0, dtype=np.int32)

    def add(self, hashes: np.ndarray, lines: np.ndarray) -> list[tuple[int, int]]:
        """Register a chunk's keys; return (position in the chunk, first line) for each repeated key."""
        order = np.argsort(hashes, kind="stable")  # stable: the first of equal keys is the earliest line
        h, ln = hashes[order], lines[order]
        new_group = np.ones(len(h), dtype=bool)
        new_group[1:] = h[1:] != h[:-1]
        first_line = ln[np.maximum.accumulate(np.where(new_group, np.arange(len(h)), 0))]
        at = np.searchsorted(self.hashes, h)
        known = at < len(self.hashes)
        known[known] = self.hashes[at[known]] == h[known]
        first_line[known] = self.lines[at[known]]
        firsts = new_group & ~known
        self.hashes = np.insert(self.hashes, at[firsts], h[firsts])
        self.lines = np.insert(self.lines, at[firsts], ln[firsts].astype(np.int32))
        return sorted((int(order[k]), int(first_line[k])) for k in np.flatnonzero(known | ~new_group))


def _hash_rows(columns: list[np.ndarray]) -> np.ndarray:
    """One 64-bit hash per row of text columns; each distinct cell is hashed once (keys repeat a lot)."""
    combined = np.zeros(len(columns[0]) if columns else 0, dtype=np.uint64)
    for column in columns:
        codes, uniques = pd.factorize(column)
        hashed = pd.util.hash_array(np.asarray(uniques, dtype=object), categorize=False)  # uniques already
        combined = combined * np.uint64(1_000_003) ^ hashed[codes]
    return combined


def _strip(cells: np.ndarray) -> np.ndarray:
    return np.array([c.strip() if c else "" for c in cells.tolist()], dtype=object)


def _lower(cells: np.ndarray) -> np.ndarray:
    """``c.lower()`` of each text cell, computed once per distinct text."""
    codes, uniques = _factorize(cells)
    lowered = np.empty(len(uniques), dtype=object)
    lowered[:] = [u.lower() for u in uniques]
    return lowered[codes]


def _factorize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize`` where a null is a value like any other (the cells here are text: that is rare)."""
    codes, uniques = pd.factorize(values)
    if len(codes) and codes.min() < 0:
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return codes, uniques


def _combination_codes(columns: list[np.ndarray]) -> np.ndarray:
    """One integer per row, equal for rows with equal cells in every column (below the number of rows)."""
    codes = np.zeros(len(columns[0]), dtype=np.int64)
    for column in columns:
        own, uniques = _factorize(column)
        codes, _ = pd.factorize(codes * len(uniques) + own)
    return codes
