"""Per-indicator results kept between runs, so that a run after one changed file assesses one indicator.

Each kept entry is valid for one *token*: a hash of everything the indicator's results are made from (its
definition, its values in the database, the assessment settings, the tracker's code). An indicator whose token
moved is assessed again from the database; the others reuse their result, their snapshot rows and the brief of
their values that the site needs (``tracker.site.context.DataBrief``), without reading their observations.

The file (``paths.cache``/results.pickle) only saves time: deleting it, or ``tracker run --force``, recomputes
everything from the database. It is written by the tracker and read back with an unpickler that accepts the
tracker's own result types only. It records the database and the run whose snapshot it matches: if another
run (another machine on a shared database) or another database came in between, it is not used.
"""

from __future__ import annotations

import gc
import hashlib
import io
import logging
import os
import pickle
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracker import code_digest
from tracker.assess.base import IndicatorResult
from tracker.catalog import Indicator
from tracker.config import Settings
from tracker.site.context import DataBrief
from tracker.store.queries import AssessmentRecord

log = logging.getLogger(__name__)

FILE = "results.pickle"
#: Bump when the kept types change shape, so an older file is ignored rather than misread.
VERSION = 1


@dataclass(frozen=True)
class Kept:
    """What one indicator's assessment produced, for one token."""

    token: str
    result: IndicatorResult
    records: list[AssessmentRecord]  # its rows of the run's snapshot
    brief: DataBrief


def token(indicator: Indicator, values: tuple[int, int] | None, settings_json: str) -> str:
    """Everything the kept entry depends on; ``values`` from :func:`tracker.store.values_tokens`."""
    h = hashlib.blake2b(digest_size=16)
    for part in (code_digest(), indicator.model_dump_json(), settings_json, repr(values)):
        h.update(part.encode("utf-8") + b"\0")
    return h.hexdigest()


def settings_part(settings: Settings) -> str:
    """The settings the results depend on (methods, thresholds, base year)."""
    return settings.config.assessment.model_dump_json() + settings.config.site.model_dump_json()


class _TrackerUnpickler(pickle.Unpickler):
    """Only the tracker's own types and the standard ones they hold can be named by the file."""

    def find_class(self, module: str, name: str) -> Any:
        if module.startswith("tracker.") or (module, name) in {("datetime", "date"), ("datetime", "datetime"),
                                                                ("datetime", "timezone"), ("datetime", "timedelta")}:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not a tracker type")


class ResultCache:
    """Kept entries by indicator id, for one database."""

    def __init__(self, folder: Path, database: str) -> None:
        self.file = folder / FILE
        self.database = database
        self.entries: dict[str, Kept] = {}
        self.valid = False  # whether the entries are those of the database's current snapshot

    @classmethod
    def load(cls, folder: Path, database: str, snapshot_run: int | None) -> ResultCache:
        """The kept entries, if they were saved with the snapshot of run ``snapshot_run`` of ``database``."""
        cache = cls(folder, database)
        if snapshot_run is None:
            return cache
        try:
            raw = cache.file.read_bytes()
        except FileNotFoundError:
            return cache
        gc.disable()  # 100,000 small objects: the cyclic collector would walk them again and again (5x slower)
        try:
            data = _TrackerUnpickler(io.BytesIO(raw)).load()
        except Exception as exc:  # noqa: BLE001 - any unreadable file only means recomputing everything
            log.warning("ignoring the kept results in %s (%s): everything is assessed again", cache.file, exc)
            return cache
        finally:
            gc.enable()
        if (isinstance(data, dict) and data.get("version") == VERSION and data.get("database") == database
                and data.get("run") == snapshot_run):
            entries = data.get("entries")
            if isinstance(entries, dict) and all(isinstance(v, Kept) for v in entries.values()):
                cache.entries, cache.valid = entries, True
        return cache

    def get(self, indicator_id: str, wanted: str) -> Kept | None:
        kept = self.entries.get(indicator_id)
        return kept if kept is not None and kept.token == wanted else None

    def put(self, indicator_id: str, kept: Kept) -> None:
        self.entries[indicator_id] = kept

    def save(self, keep: Iterable[str], snapshot_run: int) -> None:
        """Write the entries of ``keep`` (the catalogue's ids) as those of run ``snapshot_run``'s snapshot."""
        wanted = set(keep)
        data = {"version": VERSION, "database": self.database, "run": snapshot_run,
                "entries": {k: v for k, v in self.entries.items() if k in wanted}}
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.file.with_name(f".{self.file.name}.{os.getpid()}.tmp")
            tmp.write_bytes(pickle.dumps(data, protocol=5))
            os.replace(tmp, self.file)
        except OSError as exc:
            log.warning("could not keep the results in %s (%s): the next run assesses everything", self.file, exc)
