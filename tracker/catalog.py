"""Objectives and indicator definitions (typed models) loaded from ``indicators/``.

Layout: ``indicators/objectives.yaml`` declares the objectives; each indicator is one YAML file
``indicators/<objective-id>/<indicator-id>.yaml`` with its data file beside it (``<indicator-id>.csv`` or
``.xlsx``). All files are checked and every problem is reported at once.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal, TypedDict

from pydantic import AfterValidator, ConfigDict, Field, FiniteFloat, field_validator, model_validator

from tracker.config import METHOD_NAMES, Limits, Localized, Settings, Strict, missing_texts
from tracker.problems import Problem, ProblemsFound
from tracker.yamlfile import TreeCache, line_of, load_model, read_tree

OBJECTIVES_FILE = "objectives.yaml"
DATA_SUFFIXES = (".csv", ".xlsx")
#: Definition files: ``.yaml``, and ``.yml`` as many editors save it (accepted the same way).
DEFINITION_SUFFIXES = (".yaml", ".yml")
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$")]
UnitKind = Literal["percent", "count", "rate", "amount", "index"]
Frequency = Literal["monthly", "quarterly", "annual", "biennial", "irregular"]

#: Default value bounds by unit kind; a definition may narrow or widen them with ``unit.min``/``unit.max``.
UNIT_BOUNDS: dict[str, tuple[float, float]] = {
    "percent": (0.0, 100.0),
    "count": (0.0, math.inf),
    "rate": (0.0, math.inf),
    "amount": (0.0, math.inf),
    "index": (-math.inf, math.inf),
}
#: Column names a data file uses for its own purposes; a disaggregation cannot take them.
RESERVED_COLUMNS = frozenset(
    {"period", "value", "note", "note_it", "note_en", "flag", "source", "remark", "bound", "territory"}
)
#: The declarative list of events drawn on the charts (:class:`EventsFile`), beside ``objectives.yaml``.
EVENTS_FILE = "events.yaml"
#: How many months may pass after a period ends before its value is overdue.
FREQUENCY_MONTHS: dict[str, int | None] = {
    "monthly": 1,
    "quarterly": 3,
    "annual": 12,
    "biennial": 24,
    "irregular": None,
}


def _not_nan(value: float) -> float:
    if math.isnan(value):
        raise ValueError("is not a number (nan) | fix: write a number, or leave the key out")
    return value


#: A bound of a value range: a number, or an infinity for no bound on that side; never NaN.
Bound = Annotated[float, AfterValidator(_not_nan)]


class Objective(Strict):
    id: Slug
    number: int = Field(ge=1, le=99)
    name: Localized
    description: Localized
    source: str = ""  # where the description comes from (the white paper)


class ObjectivesFile(Strict):
    objectives: list[Objective] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> ObjectivesFile:
        for attr in ("id", "number"):
            seen = [getattr(o, attr) for o in self.objectives]
            dupes = sorted({str(v) for v in seen if seen.count(v) > 1})
            if dupes:
                raise ValueError(f"objective {attr}s must be unique: {', '.join(dupes)}")
        return self


class Unit(Strict):
    kind: UnitKind
    label: Localized  # as printed after a value, e.g. "%", "kg/ab.", "kg/inh."
    min: Bound | None = None  # -.inf / .inf: unbounded on that side (as the importers write)
    max: Bound | None = None
    decimals: int = Field(1, ge=0, le=6)

    @model_validator(mode="after")
    def _min_below_max(self) -> Unit:
        low, high = self.bounds
        if low > high:
            raise ValueError(
                f"min ({low:g}) is above max ({high:g}), so no value could be accepted"
                " | fix: swap them, or correct the one that is wrong"
            )
        return self

    @property
    def bounds(self) -> tuple[float, float]:
        low, high = UNIT_BOUNDS[self.kind]
        return (low if self.min is None else self.min, high if self.max is None else self.max)


class Source(Strict):
    name: str
    url: Annotated[str, Field(pattern=r"^https?://\S+$")]


class Baseline(Strict):
    year: int = Field(ge=1900, le=2100)
    value: FiniteFloat | None = None  # None: the series value of that year


class Target(Strict):
    value: FiniteFloat  # finite: an infinite target can never be assessed
    year: int = Field(ge=1990, le=2100)
    basis: Literal["policy", "proposal"]
    reference: Localized  # the policy it comes from, or why this proposal
    url: Annotated[str, Field(pattern=r"^https?://\S+$")] | None = None


class Disaggregation(Strict):
    column: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    label: Localized
    values: list[str] = Field(min_length=1)

    @field_validator("values")
    @classmethod
    def _distinct_plain(cls, values: list[str]) -> list[str]:
        """Values are matched against data cells and published in the CSV downloads: a repeated value would
        be ambiguous, a blank one is the total, and one starting like a formula would run in a spreadsheet."""
        from tracker.formulas import FORMULA_HINT, looks_like_formula

        cleaned = [v.strip() for v in values]
        if any(not v for v in cleaned):
            raise ValueError("a value is blank (a blank cell already means the total) | fix: remove it")
        if len(set(cleaned)) < len(cleaned):
            dupes = sorted({v for v in cleaned if cleaned.count(v) > 1})
            raise ValueError(f"values repeat: {', '.join(map(repr, dupes))} | fix: list each value once")
        if bad := [v for v in cleaned if looks_like_formula(v)]:
            raise ValueError(f"{bad[0]!r} starts like a spreadsheet formula | fix: {FORMULA_HINT}")
        if bad := [v for v in values if v != v.strip()]:
            raise ValueError(
                f"{bad[0]!r} has spaces around it, and data cells are trimmed, so it could never "
                "match | fix: remove the spaces"
            )
        return values


#: Open SDG's progress status codes (sdg-build ``get_progress_status``), and the manual one platforms set
#: when they publish no verdict (``progress_status: not_available_manual``).
PROGRESS_STATUSES = (
    "target_achieved",
    "substantial_progress",
    "moderate_progress",
    "limited_progress",
    "deterioration",
    "not_available",
    "not_available_manual",
)


class ProgressSeries(Strict):
    """One series that Open SDG's progress measure scores on its own (one ``progress_calculation_options``
    entry); the indicator's verdict is the mean of their scores. Unset keys take sdg-build's defaults: base year
    ``assessment.base_year`` (2015), target year 2030; no target means the trend-only measure."""

    select: dict[str, str] = {}  # disaggregation column -> value (the other columns blank); {} = the total
    direction: Literal["increase", "decrease"]
    base_year: int | None = Field(None, ge=1900, le=2100)
    target: FiniteFloat | None = None
    target_year: int | None = Field(None, ge=1990, le=2100)
    natural_limit: FiniteFloat | None = None

    @property
    def sign(self) -> int:
        return 1 if self.direction == "increase" else -1


Keyword = Annotated[str, Field(min_length=1, max_length=80)]


class Keywords(Strict):
    """Words readers search with that the name and definition may not contain: synonyms, everyday words
    ("smog" for particulate matter), abbreviations. Each language has its own list."""

    model_config = ConfigDict(extra="allow", frozen=True)
    __pydantic_extra__: dict[str, list[Keyword]]

    it: list[Keyword] = []
    en: list[Keyword] = []

    def get(self, lang: str) -> list[str]:
        return list(self.__dict__.get(lang) or (self.__pydantic_extra__ or {}).get(lang) or [])


class Peer(Strict):
    """Another territory whose values a data file may carry (column ``territory``) for comparison only: they
    never enter the indicator's assessment, projection or roll-up."""

    name: Annotated[
        str, Field(min_length=1, max_length=120)
    ]  # as written in the data file's territory column
    label: Localized | None = None  # as shown on the pages; default: ``name``
    note: Localized | None = None  # how its values differ (metropolitan city, another year or definition)
    #: False when its figures follow another definition or period (a recycling rate beside a separate-collection
    #: rate, one month beside years): drawn and listed, but never ranked against the others.
    comparable: bool = True

    @field_validator("name")
    @classmethod
    def _plain(cls, name: str) -> str:
        from tracker.formulas import FORMULA_HINT, looks_like_formula

        if name != name.strip():
            raise ValueError("has spaces around it, and data cells are trimmed | fix: remove the spaces")
        if looks_like_formula(name):
            raise ValueError(f"{name!r} starts like a spreadsheet formula | fix: {FORMULA_HINT}")
        return name

    def label_in(self, lang: str) -> str:
        return self.label.get(lang) if self.label is not None else self.name


class Indicator(Strict):
    id: Slug
    objective: Slug
    code: str = ""  # display code such as "3.1"
    name: Localized
    definition: Localized
    unit: Unit
    direction: Literal["increase", "decrease"]
    baseline: Baseline | None = None
    target: Target | None = None
    frequency: Frequency = "annual"
    standards: list[str] = []
    source: Source
    territory: Literal["comune", "città metropolitana", "provincia", "regione"] = "comune"
    method: str | None = None  # progress method; None: the default for the unit (tracker.assess)
    natural_limit: FiniteFloat | None = None
    disaggregations: list[Disaggregation] = []
    data_note: Localized | None = None  # e.g. why the series is short, or that no figure was found
    #: False: no automatic verdict is published (Open SDG's ``auto_progress_calculation: false``), only
    #: ``manual_status`` when given.
    automatic_progress: bool = True
    manual_status: Literal[PROGRESS_STATUSES] | None = None  # type: ignore[valid-type]
    progress_series: list[
        ProgressSeries
    ] = []  # method opensdg: several series scored, their mean the verdict
    keywords: Keywords = Keywords()  # search words in each language (see Keywords)
    #: Other territories (cities) whose values the data file may carry for comparison (column ``territory``).
    peers: list[Peer] = []
    # The steward's internal remark (what to check, where a figure came from): kept with the definition, never
    # published on a page nor in a download.
    remark: str = ""

    def inconsistencies(self) -> list[tuple[str, str, str]]:
        """Cross-field problems as (key path, message, hint); the loader locates them in the file."""
        found = []
        low, high = self.unit.bounds
        for key, value in (
            ("target.value", self.target.value if self.target is not None else None),
            ("baseline.value", self.baseline.value if self.baseline is not None else None),
        ):
            if value is not None and not (low <= value <= high):
                found.append(
                    (
                        key,
                        f"{value:g} is outside the range of a {self.unit.kind} ({low:g}..{high:g})",
                        "check the value or the unit",
                    )
                )
        if self.target and self.baseline and self.target.year <= self.baseline.year:
            found.append(("target.year", "must come after baseline.year", "set a later target year"))
        if (
            self.target
            and self.baseline
            and self.baseline.value is not None
            and self.sign * (self.target.value - self.baseline.value) < 0
        ):
            found.append(
                (
                    "target.value",
                    f"is worse than the baseline for direction {self.direction}",
                    "check direction, or the target value",
                )
            )
        if self.method is not None and self.method not in METHOD_NAMES:
            found.append(
                ("method", f"unknown method {self.method!r}", f"use one of: {', '.join(METHOD_NAMES)}")
            )
        columns = [d.column for d in self.disaggregations]
        found += self._progress_inconsistencies()
        names = self.peer_names
        for i, name in enumerate(names):
            if name in names[:i]:
                found.append(
                    (f"peers.{i}.name", f"{name!r} is declared twice", "declare each peer territory once")
                )
        for i, column in enumerate(columns):
            if column in columns[:i] or column in RESERVED_COLUMNS:
                found.append(
                    (
                        f"disaggregations.{i}.column",
                        f"{column!r} is used twice or reserved",
                        "give each disaggregation its own column name",
                    )
                )
        return found

    def _progress_inconsistencies(self) -> list[tuple[str, str, str]]:
        found = []
        if self.manual_status is not None and self.automatic_progress:
            found.append(
                (
                    "manual_status",
                    "is only used with automatic_progress: false",
                    "add automatic_progress: false, or remove manual_status",
                )
            )
        if not self.progress_series:
            return found
        if self.method != "opensdg":
            found.append(
                (
                    "progress_series",
                    "averaging several progress series is Open SDG's rule",
                    "use method: opensdg, or remove progress_series",
                )
            )
        if len(self.progress_series) < 2:
            found.append(
                (
                    "progress_series",
                    "lists one series; write its options as the indicator's own",
                    "move direction, target and baseline to the indicator and remove progress_series",
                )
            )
        values = {d.column: d.values for d in self.disaggregations}
        seen: list[dict[str, str]] = []
        for i, entry in enumerate(self.progress_series):
            for column, value in entry.select.items():
                if column not in values:
                    found.append(
                        (
                            f"progress_series.{i}.select",
                            f"{column!r} is not a disaggregation column",
                            f"use one of: {', '.join(values) or '(none declared)'}",
                        )
                    )
                elif value not in values[column]:
                    found.append(
                        (
                            f"progress_series.{i}.select",
                            f"{value!r} is not a value of {column!r}",
                            f"use one of: {', '.join(values[column])}",
                        )
                    )
            if entry.select in seen:
                found.append(
                    (
                        f"progress_series.{i}.select",
                        "selects the same series as an earlier entry",
                        "give each entry its own selection",
                    )
                )
            seen.append(entry.select)
            if entry.target is None and entry.target_year is not None:
                found.append(
                    (
                        f"progress_series.{i}.target_year",
                        "is set without a target",
                        "add target, or remove it",
                    )
                )
        return found

    @property
    def sign(self) -> int:
        """+1 when higher is better, -1 when lower is better."""
        return 1 if self.direction == "increase" else -1

    @property
    def peer_names(self) -> list[str]:
        return [p.name for p in self.peers]

    def peer(self, name: str) -> Peer | None:
        return next((p for p in self.peers if p.name == name), None)


class Event(Strict):
    """Something that happened in the city and may show in some indicators' values (a congestion charge, a
    lockdown): drawn on their charts and listed on their pages. ``objectives`` applies it to all their
    indicators."""

    id: Slug
    date: dt.date
    end: dt.date | None = None  # the last day of an event that lasted
    label: Localized  # short: drawn on the chart
    description: Localized | None = None
    source: Source
    indicators: list[str] = []
    objectives: list[str] = []

    @field_validator("date", "end", mode="before")
    @classmethod
    def _iso_date(cls, value: object) -> object:
        """YAML reads 2012-01-16 as a date already; a quoted text must be one too, written YYYY-MM-DD."""
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value) if len(value) == 10 else _bad_date(value)
            except ValueError:
                return _bad_date(value)
        if isinstance(value, dt.datetime):
            return _bad_date(str(value))
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Event:
        if self.end is not None and self.end < self.date:
            raise ValueError(
                f"end ({self.end}) is before date ({self.date}) | fix: swap them, or correct one"
            )
        if not self.indicators and not self.objectives:
            raise ValueError(
                "names no indicator and no objective | fix: list the ids it applies to under indicators: "
                "or objectives:"
            )
        return self

    def applies_to(self, indicator: Indicator) -> bool:
        return indicator.id in self.indicators or indicator.objective in self.objectives


def _bad_date(text: str) -> object:
    raise ValueError(f"{text!r} is not a date written YYYY-MM-DD | fix: write it like 2012-01-16")


class EventsFile(Strict):
    events: list[Event] = []

    @model_validator(mode="after")
    def _unique(self) -> EventsFile:
        ids = [e.id for e in self.events]
        if dupes := sorted({i for i in ids if ids.count(i) > 1}):
            raise ValueError(f"event ids must be unique: {', '.join(dupes)} | fix: rename one of them")
        return self


@dataclass(frozen=True)
class Entry:
    """An indicator with the files it came from."""

    indicator: Indicator
    definition_file: Path
    data_file: Path | None


@dataclass
class Catalog:
    root: Path
    objectives: list[Objective]
    entries: list[Entry] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)  # from events.yaml, in date order

    @property
    def indicators(self) -> list[Indicator]:
        return [e.indicator for e in self.entries]

    def events_of(self, indicator: Indicator) -> list[Event]:
        """The events drawn on ``indicator``'s chart, in date order."""
        return [e for e in self.events if e.applies_to(indicator)]

    def entry(self, indicator_id: str) -> Entry:
        for e in self.entries:
            if e.indicator.id == indicator_id:
                return e
        raise KeyError(indicator_id)

    def of_objective(self, objective_id: str) -> list[Entry]:
        return [e for e in self.entries if e.indicator.objective == objective_id]

    def inbox_indicator(self, name: str) -> Entry | None:
        """The indicator an inbox file belongs to: the one whose id starts its name (``<id>.csv``,
        ``<id>--2024.xlsx``); the longest id wins, so ``waste`` never takes ``waste-per-capita``'s files."""
        stem = name.rsplit(".", 1)[0]
        for entry in sorted(self.entries, key=lambda e: -len(e.indicator.id)):
            if stem == entry.indicator.id or stem.startswith(entry.indicator.id + "--"):
                return entry
        return None


#: Where :func:`load` keeps parsed definitions between runs, inside the cache folder it is given.
CACHE_FILE = "definitions.pickle"


class _YamlShape(TypedDict):
    """The YAML limits that :func:`load` passes on to the readers of :mod:`tracker.yamlfile`."""

    max_depth: int
    max_aliases: int


def load(
    root: Path,
    cache_dir: Path | None = None,
    *,
    keep: bool = True,
    limits: Limits | None = None,
    languages: Sequence[str] = ("it", "en"),
) -> Catalog:
    """Load and cross-check every definition under ``root``; raise :class:`ProblemsFound` with all problems.

    With ``cache_dir``, unchanged files are not parsed again (the checks all run again: only parsing is saved);
    ``keep=False`` reads that cache but writes nothing. ``limits`` bound the YAML nesting and aliases.
    Every text must be there in each of ``languages`` (the configured ones).
    """
    limits = limits or Limits()
    shape: _YamlShape = {"max_depth": limits.yaml_depth, "max_aliases": limits.yaml_aliases}
    hint = "see 'Adding an indicator' in the README"
    cache = TreeCache(cache_dir / CACHE_FILE) if cache_dir is not None else None
    problems: list[Problem] = []
    base = root.parent

    def label(path: Path) -> str:
        try:
            return str(path.relative_to(base))
        except ValueError:
            return str(path)

    objectives: list[Objective] = []
    objectives_path = root / OBJECTIVES_FILE
    if not objectives_path.exists():
        problems.append(Problem(label(objectives_path), "file not found", hint="declare the objectives here"))
    else:
        try:
            objectives = load_model(
                ObjectivesFile, objectives_path, label(objectives_path), hint=hint, **shape
            ).objectives
        except ProblemsFound as exc:
            problems.extend(exc.problems)
        problems += _missing_texts(
            objectives, objectives_path, label(objectives_path), languages, shape, "objectives"
        )

    known = {o.id for o in objectives}
    events_path = root / EVENTS_FILE
    events: list[Event] = []
    if events_path.exists():
        try:
            events = load_model(
                EventsFile,
                events_path,
                label(events_path),
                hint="see 'Events on the charts' in the README",
                **shape,
            ).events
        except ProblemsFound as exc:
            problems.extend(exc.problems)
    entries: list[Entry] = []
    seen: dict[str, Path] = {}
    definitions = sorted(p for suffix in DEFINITION_SUFFIXES for p in root.rglob(f"*{suffix}"))
    for path in definitions:
        if path in (objectives_path, events_path) or any(
            part.startswith(".") for part in path.relative_to(root).parts
        ):
            continue
        where = label(path)
        if not path.is_file():
            problems.append(
                Problem(
                    where,
                    "is not a file (a folder, or a broken link)",
                    hint="definitions are files named <indicator-id>.yaml",
                )
            )
            continue
        if path.suffix == ".yml" and path.with_suffix(".yaml").exists():
            problems.append(
                Problem(
                    where,
                    f"{path.stem}.yaml and {path.name} both define {path.stem!r}",
                    hint="keep one of the two files",
                )
            )
            continue
        try:
            indicator = load_model(Indicator, path, where, cache, hint=hint, **shape)
        except ProblemsFound as exc:
            problems.extend(exc.problems)
            continue
        problems += _missing_texts(indicator, path, where, languages, shape)
        tree = None
        if (
            (own := indicator.inconsistencies())
            or indicator.id != path.stem
            or indicator.id in seen
            or (objectives and indicator.objective not in known)
        ):
            tree = read_tree(path, where, **shape)  # only to locate the problems found below
        problems += [
            Problem(where, message, line=line_of(tree, key.split(".")), key=key, hint=hint)
            for key, message, hint in own
        ]
        if indicator.id != path.stem:
            problems.append(
                Problem(
                    where,
                    f"id {indicator.id!r} differs from the file name",
                    line=line_of(tree, ["id"]),
                    key="id",
                    hint=f"rename the file to {indicator.id}{path.suffix}",
                )
            )
        if indicator.id in seen:
            problems.append(
                Problem(
                    where,
                    f"duplicate indicator id {indicator.id!r} (also in {label(seen[indicator.id])})",
                    line=line_of(tree, ["id"]),
                    key="id",
                    hint="give each indicator a unique id",
                )
            )
            continue
        seen[indicator.id] = path
        if objectives and indicator.objective not in known:
            problems.append(
                Problem(
                    where,
                    f"unknown objective {indicator.objective!r}",
                    key="objective",
                    line=line_of(tree, ["objective"]),
                    hint=f"use one of: {', '.join(sorted(known))}",
                )
            )
        data = next((path.with_suffix(s) for s in DATA_SUFFIXES if path.with_suffix(s).exists()), None)
        entries.append(Entry(indicator, path, data))

    problems += _event_problems(events, events_path, label(events_path), known, set(seen), shape)
    if problems:
        raise ProblemsFound(problems)  # before the cache is saved: invalid definitions change nothing
    if cache is not None and keep:
        cache.save()
    order = {o.id: o.number for o in objectives}
    entries.sort(
        key=lambda e: (order.get(e.indicator.objective, 99), _code_key(e.indicator.code), e.indicator.id)
    )
    return Catalog(
        root=root,
        objectives=sorted(objectives, key=lambda o: o.number),
        entries=entries,
        events=sorted(events, key=lambda e: (e.date, e.id)),
    )


def _event_problems(
    events: list[Event], path: Path, where: str, objectives: set[str], indicators: set[str], shape: _YamlShape
) -> list[Problem]:
    """Events naming an indicator or objective the catalogue does not have, located in the file."""
    found = []
    tree = None
    for i, event in enumerate(events):
        for kind, ids, known in (
            ("indicators", event.indicators, indicators),
            ("objectives", event.objectives, objectives),
        ):
            for j, name in enumerate(ids):
                if name in known:
                    continue
                if tree is None:
                    tree = read_tree(path, where, **shape)
                guess = difflib.get_close_matches(name, sorted(known), n=1)
                found.append(
                    Problem(
                        where,
                        f"event {event.id!r}: unknown {kind[:-1]} id {name!r}",
                        line=line_of(tree, ["events", str(i), kind, str(j)]),
                        key=f"events.{i}.{kind}.{j}",
                        hint=(f"did you mean {guess[0]!r}? " if guess else "")
                        + f"use an id of {'indicators/' if kind == 'indicators' else OBJECTIVES_FILE}",
                    )
                )
    return found


def load_project(settings: Settings, *, keep: bool = True) -> Catalog:
    """The project's catalogue, with its parse cache (``paths.cache``; ``keep=False``: read it only)."""
    return load(
        settings.path("indicators"),
        settings.path("cache"),
        keep=keep,
        limits=settings.limits,
        languages=settings.config.languages,
    )


def _missing_texts(
    model: object, path: Path, where: str, languages: Sequence[str], shape: _YamlShape, prefix: str = ""
) -> list[Problem]:
    """A problem for each text of ``model`` that lacks one of the configured languages, at its line."""
    missing = missing_texts(model, list(languages), prefix)
    if not missing:
        return []
    tree = read_tree(path, where, **shape)
    return [
        Problem(
            where,
            f"no {lang!r} text (the site's languages are {', '.join(languages)})",
            line=line_of(tree, key.split(".")),
            key=key,
            hint=f"add '{lang}: ...' beside the other languages of {key.rsplit('.', 1)[-1]}",
        )
        for key, lang in missing
    ]


def _code_key(code: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in code.split(".")) if code else (999,)
