"""Per-indicator results kept between runs, so that a run after one changed file assesses one indicator.

Each kept entry is valid for one *token*: a hash of everything the indicator's results are made from (its
definition, its values in the database, the assessment settings, the tracker's code). An indicator whose token
moved is assessed again from the database; the others reuse their result, their snapshot rows and the brief of
their values that the site needs (``tracker.assess.brief.DataBrief``), without reading their observations.

The folder (``paths.cache``/results) only saves time: deleting it, or ``tracker run --force``, recomputes
everything from the database. Its files are written by the tracker and read back with an unpickler that accepts
the kept result types only. It records the database and the run (id and time) whose snapshot it matches: if another
run (another machine on a shared database) or another database came in between, it is not used.
"""

from __future__ import annotations

import gc
import hashlib
import io
import json
import logging
import os
import pickle
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from tracker import code_hash, gc_freeze, wording
from tracker.assess.base import IndicatorResult
from tracker.assess.brief import DataBrief
from tracker.catalog import Indicator
from tracker.config import Settings
from tracker.intake.periods import is_stale
from tracker.store.queries import AssessmentRecord

log = logging.getLogger(__name__)

FOLDER = "results"  # inside paths.cache
STATE = "state.json"
#: Bump when the kept types change shape, so an older file is ignored rather than misread.
VERSION = 5  # 3: DataBrief.changed; 4: briefs in tracker.assess.brief; 5: KeptResult, hashes named so


@dataclass(frozen=True)
class KeptResult:
    """What one indicator's assessment produced, for one token."""

    token: str
    result: IndicatorResult
    records: list[AssessmentRecord]  # its rows of the run's snapshot
    brief: DataBrief
    age: tuple[bool, ...] = ()  # :func:`age_of` on the run's date: a result stands while its data's age does


def age_of(result: IndicatorResult, frequency: str, today: date | None) -> tuple[bool, ...]:
    """Which of the result's latest values are stale on ``today``: the only way the date changes a result
    (projections and notes), so a kept result is reused on a later day until one of them turns stale."""
    if today is None:
        return ()
    latest = [result.headline.latest, *(a.latest for a in result.subseries.values())]
    return tuple(p is not None and is_stale(p.period, frequency, today) for p in latest)


def token(indicator: Indicator, values: tuple[int, int] | None, settings_json: str) -> str:
    """Everything the kept entry depends on; ``values`` from :func:`tracker.store.values_tokens`."""
    h = hashlib.blake2b(digest_size=16)
    for part in (code_hash(), indicator.model_dump_json(), settings_json, repr(values)):
        h.update(part.encode("utf-8") + b"\0")
    return h.hexdigest()


def settings_part(settings: Settings) -> str:
    """The settings the results depend on (methods, thresholds, base year), and the project's own catalogues
    (a result carries its words in each language with a catalogue)."""
    return (
        settings.config.assessment.model_dump_json()
        + settings.config.site.model_dump_json()
        + wording.project_fingerprint()
    )


class _TrackerUnpickler(pickle.Unpickler):
    """Only the kept types can be named by the file: exact (module, name) pairs, no dotted names (a pickle
    could otherwise reach e.g. ``os.system`` through a module's imports)."""

    ALLOWED = {
        ("tracker.assess.cache", "KeptResult"),
        ("tracker.assess.base", "IndicatorResult"),
        ("tracker.assess.base", "Assessment"),
        ("tracker.assess.base", "Point"),
        ("tracker.assess.base", "Projection"),
        ("tracker.assess.base", "Category"),
        ("tracker.assess.brief", "DataBrief"),
        ("tracker.assess.brief", "SeriesView"),
        ("tracker.observations", "Observation"),
        ("tracker.store.queries", "AssessmentRecord"),
        ("datetime", "date"),
        ("datetime", "datetime"),
        ("datetime", "timezone"),
        ("datetime", "timedelta"),
    }

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self.ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not a kept result type")


class ResultCache:
    """KeptResult entries by indicator id, for one database: a file per indicator, so a run that reassessed one
    indicator writes one file, and ``state.json`` saying which run's snapshot the files match."""

    def __init__(self, folder: Path, database: str) -> None:
        self.folder = folder / FOLDER
        self.database = database
        self.entries: dict[str, KeptResult] = {}
        self.valid = False  # whether the entries are those of the database's current snapshot
        self.dirty: set[str] = set()

    def _state(self, snapshot: str) -> dict[str, Any]:
        return {"version": VERSION, "database": self.database, "snapshot": snapshot}

    @classmethod
    def load(cls, folder: Path, database: str, snapshot: str | None) -> ResultCache:
        """The kept entries, if they were saved with ``snapshot`` (:func:`tracker.store.snapshot_identity`:
        the run's id and time, so a recreated database with the same URL and run ids does not match).

        An entry that cannot be read is assessed again, and the snapshot is then compared in full (the
        entries no longer tell which indicators it holds)."""
        cache = cls(folder, database)
        if snapshot is None:
            return cache
        try:
            state = json.loads((cache.folder / STATE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cache
        if state != cache._state(snapshot):
            return cache
        complete = True
        collecting = gc.isenabled()
        gc.disable()  # 100,000 small objects: the cyclic collector would walk them again and again (5x slower)
        try:
            for path in cache.folder.glob("*.pickle"):
                try:
                    kept = _TrackerUnpickler(io.BytesIO(path.read_bytes())).load()
                except Exception as exc:  # noqa: BLE001 - an unreadable entry only means assessing it again
                    log.warning("ignoring the kept result %s (%s)", path, exc)
                    complete = False
                    continue
                if isinstance(kept, KeptResult):
                    cache.entries[path.stem] = kept
                else:
                    complete = False
        finally:
            if collecting:
                gc.enable()
        gc_freeze.freeze_now()  # kept for the whole run: out of the collector's walks from now on
        cache.valid = complete
        return cache

    def get(
        self, indicator_id: str, wanted: str, age: Callable[[IndicatorResult], tuple[bool, ...]] | None = None
    ) -> KeptResult | None:
        """The kept entry for ``wanted``, if its data's age (``age`` of its result, today) is unchanged."""
        kept = self.entries.get(indicator_id)
        if kept is None or kept.token != wanted:
            return None
        return kept if age is None or age(kept.result) == kept.age else None

    def put(self, indicator_id: str, kept: KeptResult) -> None:
        self.entries[indicator_id] = kept
        self.dirty.add(indicator_id)

    def save(self, keep: Iterable[str], snapshot: str) -> None:
        """Write the new entries of ``keep`` (the catalogue's ids), drop the others, then mark the folder as
        matching ``snapshot`` (last, so an interrupted save leaves a folder that is not used)."""
        wanted = set(keep)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / STATE).unlink(missing_ok=True)
            for indicator_id in sorted(self.dirty & wanted):
                _write(
                    self.folder / f"{indicator_id}.pickle",
                    pickle.dumps(self.entries[indicator_id], protocol=5),
                )
            for path in self.folder.glob("*.pickle"):
                if path.stem not in wanted:
                    path.unlink()
            _write(self.folder / STATE, json.dumps(self._state(snapshot)).encode())
        except OSError as exc:
            log.warning(
                "could not keep the results in %s (%s): the next run assesses everything", self.folder, exc
            )
        self.dirty.clear()


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
