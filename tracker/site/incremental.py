"""Incremental builds: reuse the previous build's file when nothing it was made from has changed.

Every build is still a complete new tree, published atomically (``tracker.site.publish``). Before a file is
rendered, its *input key* is computed: a hash of everything the file is made from. Each build records its keys
in ``.manifest.json`` (relative path -> key). When the previous build has the same key for the same path, its
file is hard-linked into the new tree (``os.link``, or a copy where links are impossible) instead of rendered.

Which files have a key (all others are rendered on every build, see ``tracker.site.build``):

* ``<lang>/indicators/<id>.html``: the page's global inputs (:func:`page_inputs`: the tracker's code,
  templates, translations, configuration, version and library versions, which languages have an updates
  page) + the language + the indicator's own inputs (:func:`indicator_key`). The page shows no build date
  (its footer gives the indicator's own last update instead), so an unchanged indicator keeps its page from
  one day to the next;
* ``data/<id>.csv|json``: code, configuration and version (:func:`data_inputs`: templates and translations
  play no part) + the indicator's own inputs;
* ``assets/*``: the content of the source file.

Hard links are safe because nothing writes into a published file: the site build writes new files only
(:func:`write_new` unlinks first), and ``tracker.updates.feed`` replaces files by rename. Editing a published
file by hand would change the previous build's copy too; the key does not see such edits.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import orjson
from pydantic import BaseModel

from tracker import __version__, code_hash
from tracker.config import Settings
from tracker.site.context import IndicatorView

MANIFEST = ".manifest.json"
#: Bump when the meaning of the keys changes, so that older manifests are ignored rather than trusted.
FORMAT = 1
_JSON = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS


def digest(*parts: str | bytes) -> str:
    """A short hash of several parts, each length-prefixed so that ("ab", "c") and ("a", "bc") differ."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def _default(value: object) -> object:
    """The types orjson does not write by itself; anything else is an error rather than an unstable hash."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot hash a {type(value).__name__} as a page input")


def canonical(value: object) -> bytes:
    """Deterministic JSON of plain values, dataclasses and pydantic models (dict order is insertion order,
    which the pipeline keeps stable). NaN and infinities are written as null, like None."""
    return orjson.dumps(value, option=_JSON, default=_default)


def _files_digest(paths: Iterable[Path], root: Path) -> list[str]:
    return [digest(p.relative_to(root).as_posix(), p.read_bytes()) for p in sorted(paths) if p.is_file()]


def _translations() -> list[str]:
    from tracker import wording  # read at call time: LOCALES is where translations() reads them

    return [*_files_digest(wording.LOCALES.rglob("*.po"), wording.LOCALES), wording.project_fingerprint()]


@lru_cache(maxsize=1)
def _libraries() -> tuple[str, ...]:
    """Versions of the libraries whose output ends up in the files (number formats, JSON, escaping)."""
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for name in ("babel", "jinja2", "markupsafe", "orjson", "plotly"):
        try:
            found.append(f"{name}={version(name)}")
        except PackageNotFoundError:
            found.append(f"{name}=?")
    return tuple(found)


def data_inputs(settings: Settings) -> str:
    """What every download depends on besides its indicator (the spreadsheets use the translations)."""
    return digest(
        "data",
        __version__,
        code_hash(),
        json.dumps(_libraries()),
        json.dumps(_translations()),
        settings.config.model_dump_json(),
    )


def page_inputs(settings: Settings, templates: Sequence[Path], with_updates: Iterable[str]) -> str:
    """What every indicator page depends on besides its indicator and language: a change of any template,
    translation, setting or of the code re-renders every page."""
    return digest(
        "page",
        data_inputs(settings),
        json.dumps(_translations()),
        json.dumps([_files_digest(folder.rglob("*"), folder) for folder in templates]),
        json.dumps(sorted(with_updates)),
    )


def indicator_key(view: IndicatorView) -> str:
    """Everything an indicator's page and downloads show about it: its definition and objective, its values,
    its assessment, its reporting status (which moves with the date), its history and its events."""
    return digest(
        canonical(
            {
                "indicator": view.ind.model_dump(mode="json"),
                "objective": view.objective.model_dump(mode="json"),
                "values": view.brief.values_hash,
                "result": view.brief.result_hash,
                "baseline": view.baseline,
                "status": view.status,
                "due": view.due,
                "updated": view.updated,
                "history": view.history,
                "events": [e.model_dump(mode="json") for e in view.events],
            }
        )
    )


def asset_key(source: Path) -> str:
    return digest("asset", source.read_bytes())


def read_manifest(build: Path | None) -> dict[str, str]:
    """The keys of a previous build ({} when there is none or it cannot be read: everything is rendered)."""
    if build is None:
        return {}
    try:
        data = orjson.loads((build / MANIFEST).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("files"), dict):
        return {}
    return {str(k): str(v) for k, v in data["files"].items()}


def write_new(path: Path, data: bytes) -> int:
    """Write ``data`` as a new file: unlink first, so a hard link shared with the previous build is never
    truncated in place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    path.write_bytes(data)
    return len(data)


#: Errors meaning "this file system cannot hard-link here": copy instead.
_NO_LINK = {errno.EXDEV, errno.EPERM, errno.EMLINK, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS}


def link_or_copy(source: Path, target: Path) -> None:
    """Hard-link ``source`` at ``target``; copy where the file system refuses links (another device, FAT)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError as error:
        if error.errno not in _NO_LINK:
            raise
        shutil.copyfile(source, target)


@dataclass(frozen=True)
class Produced:
    """One file of the new tree: its key (None: made on every build), its size, and whether it was reused."""

    path: str
    key: str | None
    size: int
    reused: bool

    @property
    def page(self) -> bool:
        return self.path.endswith(".html")


@dataclass(frozen=True)
class Reuse:
    """The previous build and its keys; read-only, so worker processes can share it."""

    root: Path  # the new tree
    previous: Path | None
    old: dict[str, str]

    @classmethod
    def of(cls, root: Path, previous: Path | None) -> Reuse:
        return cls(root, previous, read_manifest(previous))

    def take(self, path: str, key: str) -> Produced | None:
        """Link the previous build's ``path`` if its key is ``key``; None means: render it."""
        if self.previous is None or self.old.get(path) != key:
            return None
        target = self.root / path
        try:
            link_or_copy(self.previous / path, target)
        except FileNotFoundError:
            return None  # listed but gone (removed by hand): render it
        return Produced(path, key, target.stat().st_size, True)


def write_manifest(root: Path, produced: Iterable[Produced]) -> None:
    keys = {p.path: p.key for p in produced if p.key is not None}
    data = {"format": FORMAT, "files": dict(sorted(keys.items()))}
    write_new(root / MANIFEST, orjson.dumps(data, option=orjson.OPT_INDENT_2))
