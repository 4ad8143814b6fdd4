"""The observation record that flows from intake to the store, the assessment and the site."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

HEADLINE = ""  # series key of the headline (not disaggregated) series
FLAGS = ("provisional", "estimated", "break")
#: A published figure that is only a bound: ``lower`` for ">63 %" ("more than"), ``upper`` for "<5" ("less than").
BOUNDS = ("lower", "upper")
OWN = ""  # territory of the indicator's own city; a peer's value carries the peer's declared name


def series_key(disaggregation: Mapping[str, str]) -> str:
    """Canonical key of a disaggregated series, e.g. ``municipio=1``; ``""`` for the headline.

    Blank values mean "total" (the Open SDG convention) and are left out of the key.
    """
    return ";".join(f"{k}={v}" for k, v in sorted(disaggregation.items()) if v not in ("", None))


def parse_series_key(key: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in key.split(";")) if key else {}


@dataclass(frozen=True, slots=True)
class Observation:
    """One value of one indicator for one period and one series, with where it came from."""

    indicator_id: str
    period: str  # canonical label: "2015", "2015-Q4", "2015-03", "2015-03-31", "2014/2015"
    time: float  # decimal year used by the assessment (see tracker.intake.periods for the rule per form)
    value: float
    series: str = HEADLINE
    note: str = ""
    flag: str = ""  # "", or one of FLAGS
    source: str = ""  # URL or citation of this value
    line: int = 0  # line in the data file it came from
    # The note in each language (columns ``note_it``/``note_en`` of the data file); ``note`` is the
    # language-neutral one (a name, a quotation), shown where the language has none of its own.
    note_it: str = ""
    note_en: str = ""
    # "" for an exact value, else one of BOUNDS: shown as "more than"/"less than", never assessed as a value.
    bound: str = ""
    # OWN (the city's own value) or a peer territory declared under ``peers:``: part of the value's identity,
    # never assessed, projected or rolled up with the city's values.
    territory: str = OWN
    # The notes in the other languages (columns ``note_fr``, ``note_es``... of the data file), as the JSON
    # object ``{"fr": ...}`` with its keys sorted (see :func:`notes_json`): one text column for any language.
    notes: str = ""

    def __reduce__(self) -> tuple:  # pickled by value: the slots default goes through dataclasses.fields()
        return (
            Observation,
            (
                self.indicator_id,
                self.period,
                self.time,
                self.value,
                self.series,
                self.note,
                self.flag,
                self.source,
                self.line,
                self.note_it,
                self.note_en,
                self.bound,
                self.territory,
                self.notes,
            ),
        )

    def note_in(self, lang: str) -> str:
        """The note a reader of ``lang`` sees: the note in that language, else the language-neutral one (for a
        language without a note of its own, the English note: see :meth:`note_language`)."""
        if lang == "it":
            return self.note_it or self.note
        if lang == "en":
            return self.note_en or self.note
        return self.own_note(lang) or self.note or self.note_en

    def own_note(self, lang: str) -> str:
        """The note in ``lang`` itself ("" when the data file gives none)."""
        if lang == "it":
            return self.note_it
        if lang == "en":
            return self.note_en
        return notes_of(self.notes).get(lang, "") if self.notes else ""

    def note_language(self, lang: str) -> str:
        """The language of :meth:`note_in` when it is not ``lang`` (a page marks it, e.g. ``lang="en"``), else ""."""
        if lang not in ("it", "en") and not self.note and self.note_en and not self.own_note(lang):
            return "en"
        return ""


def notes_json(notes: Mapping[str, str]) -> str:
    """The :attr:`Observation.notes` text of ``{language: note}`` (empty notes left out; "" when none)."""
    kept = {lang: text for lang, text in sorted(notes.items()) if text}
    return json.dumps(kept, ensure_ascii=False, separators=(",", ":")) if kept else ""


@lru_cache(maxsize=4096)
def notes_of(text: str) -> dict[str, str]:
    """``{language: note}`` of an :attr:`Observation.notes` text (cached: pages ask once per language)."""
    found = json.loads(text) if text else {}
    return found if isinstance(found, dict) else {}


def own_values(rows: Iterable[Observation]) -> list[Observation]:
    """The city's own values (bounds included): what its series, table and chart show."""
    return [o for o in rows if o.territory == OWN]


def assessable(rows: Iterable[Observation]) -> list[Observation]:
    """The city's own exact values: the only ones a verdict, a baseline or a projection may rest on."""
    return [o for o in rows if o.territory == OWN and not o.bound]


def peer_values(rows: Iterable[Observation]) -> list[Observation]:
    """The values of peer territories, for comparison only."""
    return [o for o in rows if o.territory != OWN]


def one_zero(rows: list[Observation]) -> list[Observation]:
    """``rows`` with -0.0 values made 0.0 (the same list when there is none, the usual case).

    SQLite does not keep the sign of zero, so a -0.0 published from the parsed file would come back as 0.0 at the
    next run: two runs would publish different data for one value. The store keeps one zero on every backend.
    """
    if not any(o.value == 0.0 for o in rows):
        return rows
    return [replace(o, value=0.0) if o.value == 0.0 else o for o in rows]
