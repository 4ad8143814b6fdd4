"""The public record of updates: an Atom feed and an updates page, from the digests kept in the database.

After a recompute, :func:`record_digests` stores one digest per language with what changed since the previous
digest (rejected files left out: operations detail, not news), and :func:`write_feed` writes into the site::

    feed.xml                the default language's feed
    <lang>/feed.xml         each language's feed
    <lang>/updates.html     the digests, newest first, linking the feed

The site build publishes a fresh tree each time, so these files are written after every build
(:func:`tracker.updates.after_run` does it); a builder may also call ``write_feed(settings, engine, folder)``
on its fresh folder before publishing. Each file is replaced atomically.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import posixpath
import re
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from tracker.store.db import session_scope
from tracker.store.deliveries import recent_digests, save_digest
from tracker.store.models import Digest
from tracker.updates.changes import Changes, compute, get_run, latest_run
from tracker.updates.digest import Words, environment, format_date, render

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from tracker.catalog import Catalog
    from tracker.config import Settings

log = logging.getLogger(__name__)

FEED_ENTRIES = 50
#: In the cache folder: the key of the feed files last written and each file's hash (see :func:`feed_inputs_key`).
FEED_STAMP = "feed.json"


def record_digests(settings: Settings, engine: Engine, cat: Catalog) -> list[int]:
    """Store the public digests (one per language) of what changed since the last one; [] when nothing did.

    Call with the updates lock held (:func:`tracker.updates.after_run` does), so two processes never both
    record the same changes.
    """
    with session_scope(engine) as session:
        latest = latest_run(session)
        last = session.execute(select(func.max(Digest.run_id))).scalar()
        if latest is None or (last is not None and last >= latest.id):
            return []
        start = get_run(session, last) if last is not None else None
        changes = compute(session, cat, start, latest, settings.config.timezone).without_files()
        if not changes:
            return []
        ids = []
        for lang in settings.config.languages:
            message = render(settings, cat, changes, lang)
            ids.append(
                save_digest(
                    session,
                    language=lang,
                    title=message.title,
                    body_text=message.text,
                    body_html=message.fragment,
                    run_id=latest.id,
                    created_at=latest.finished_at,
                    payload={"changes": changes.to_payload(), "chat": message.chat},
                )
            )
    log.info("recorded the digest of run %s (%d change(s))", latest.id, changes.count)
    return ids


def feed_files(settings: Settings, engine: Engine, now: datetime | None = None) -> dict[str, str]:
    """Relative path -> text of the feeds and updates pages, from the digests stored so far.

    ``now``: the run's clock, the feeds' date; default: the clock of the last run that finished (so that
    writing the feed again after a run gives the same bytes), else the wall clock.
    """
    entries, generated_at = _entries(settings, engine, now)
    return render_files(settings, entries, generated_at=generated_at)


def _entries(
    settings: Settings, engine: Engine, now: datetime | None
) -> tuple[dict[str, list[dict[str, Any]]], datetime]:
    """The digests each language's feed shows, and the feeds' date (``now`` as in :func:`feed_files`)."""
    entries: dict[str, list[dict[str, Any]]] = {}
    with session_scope(engine) as session:
        for lang in settings.config.languages:
            entries[lang] = [_entry(d) for d in recent_digests(session, lang, limit=FEED_ENTRIES)]
        if now is None:
            latest = latest_run(session)
            now = latest.finished_at if latest is not None else datetime.now(UTC)
    return entries, now


def write_feed(
    settings: Settings, engine: Engine, site: Path | None = None, *, now: datetime | None = None
) -> list[Path]:
    """Write the feeds and updates pages into ``site`` (default: the published site); [] if there is none.

    ``now`` as in :func:`feed_files`. When the files already in ``site`` are the ones these inputs give (see
    :func:`feed_inputs_key`), they are left as they are: the same bytes, without rendering them again.
    """
    folder = site if site is not None else settings.path("site")
    if not folder.is_dir():
        log.info("no site at %s yet: feed not written", folder)
        return []
    entries, generated_at = _entries(settings, engine, now)
    key = feed_inputs_key(settings, entries, generated_at)
    stamp = settings.path("cache") / FEED_STAMP
    current = _stamped(stamp, key, folder)
    if current is not None:
        return current
    files = render_files(settings, entries, generated_at=generated_at)
    written = []
    for name, text in files.items():
        written.append(_replace(folder / name, text))
    _stamp(stamp, key, {name: _sha(text.encode("utf-8")) for name, text in files.items()})
    return written


def feed_inputs_key(
    settings: Settings, entries: dict[str, list[dict[str, Any]]], generated_at: datetime
) -> str:
    """A hash of everything the feed files are rendered from, so a run that changed none of it skips them.

    The feeds and updates pages are a function of the tracker's code (its translations included), the
    configuration, the templates, the project folder, the digests shown and, only for a language without
    any digest, the feeds' date (``updated`` is otherwise the newest digest's). A run where nothing changed
    renders the same bytes again: with this key, and the hash of each file as written kept beside it
    (``var/cache/feed.json``), :func:`write_feed` checks that the files in the site are still those bytes
    and leaves them alone. Any difference (another site folder, an edited or missing file, a new digest, a
    new template) renders and writes them as before.
    """
    from tracker import code_hash
    from tracker.site.folders import template_folders

    digest = hashlib.sha256(f"{code_hash()}|{settings.root}|".encode())
    digest.update(settings.config.model_dump_json().encode())
    for folder in template_folders(settings):
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digest.update(f"|{path}|".encode())
                digest.update(path.read_bytes())
    undated = any(not shown for shown in entries.values())
    digest.update(repr((sorted(entries.items()), generated_at if undated else None)).encode())
    return digest.hexdigest()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _stamped(stamp: Path, key: str, folder: Path) -> list[Path] | None:
    """The feed files of ``folder`` when they are exactly those written under ``key``, else None."""
    try:
        noted = json.loads(stamp.read_text(encoding="utf-8"))
        if noted.get("key") != key or not isinstance(noted.get("files"), dict) or not noted["files"]:
            return None
        paths = []
        for name, sha in noted["files"].items():
            path = folder / name
            if path.is_symlink() or _sha(path.read_bytes()) != sha:
                return None
            paths.append(path)
    except (OSError, ValueError, AttributeError, TypeError):
        return None
    return paths


def _stamp(stamp: Path, key: str, files: dict[str, str]) -> None:
    """Note the key and each file's hash, written whole or not at all (a stamp that cannot be written only
    costs a rendering next run)."""
    try:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        tmp = stamp.with_name(f".{stamp.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"key": key, "files": files}), encoding="utf-8")
        os.replace(tmp, stamp)
    except OSError:
        pass


def _entry(digest: Digest) -> dict[str, Any]:
    return {
        "id": digest.id,
        "title": digest.title,
        "html": digest.body_html,
        "text": digest.body_text,
        "created_at": digest.created_at,
        "run_id": digest.run_id,
        "count": Changes.from_payload(digest.payload["changes"]).count
        if digest.payload.get("changes")
        else 0,
    }


def render_files(
    settings: Settings, entries: dict[str, list[dict[str, Any]]], *, generated_at: datetime
) -> dict[str, str]:
    """Relative path -> text of every feed file, from the entries (newest first) of each language."""
    env = environment(settings)
    cfg = settings.config
    files: dict[str, str] = {}
    for lang in cfg.languages:
        for path in (
            [f"{lang}/feed.xml", "feed.xml"] if lang == cfg.default_language else [f"{lang}/feed.xml"]
        ):
            files[path] = env.get_template("feed.xml").render(
                _feed_context(settings, lang, path, entries.get(lang, []), generated_at)
            )
        files[f"{lang}/updates.html"] = _updates_page(settings, lang, entries.get(lang, []))
    return files


_STYLE = re.compile(r' style="[^"<>]*"')
_H2 = re.compile(r"<(/?)h2\b")


def page_fragment(html: str) -> str:
    """A digest's HTML (made for e-mail and feed readers, with inline styles) as the site shows it: the
    site's stylesheet instead of the inline styles, and its section headings one level below the digest's
    own heading (h3)."""
    return _H2.sub(r"<\1h3", _STYLE.sub("", html))


def _updates_page(settings: Settings, lang: str, entries: list[dict[str, Any]]) -> str:
    """The updates page in the site's layout, menu and language switch: rendered with the site's templates
    and translations (``templates/updates/updates.html`` extends ``_base.html``)."""
    from tracker.site.folders import template_folders
    from tracker.site.i18n import make_environment
    from tracker.site.render import language_name, theme

    cfg = settings.config
    page = f"{lang}/updates.html"
    rel = _relative(page)
    env = make_environment(template_folders(settings), lang)
    return env.get_template("updates/updates.html").render(
        lang=lang,
        t=Words(lang),
        site_title=cfg.city.title.get(lang),
        strategy=cfg.city.strategy.get(lang),
        page="updates.html",
        has_updates=True,
        rel=rel,
        url=lambda target: rel(f"{lang}/{target}"),
        theme=theme(cfg, lang),
        entries=[
            {**e, "html": page_fragment(e["html"]), "date": format_date(e["created_at"], lang, cfg.timezone)}
            for e in entries
        ],
        alternates=[
            {
                "lang": other,
                "name": language_name(other),
                "href": rel(f"{other}/updates.html"),
                "current": other == lang,
            }
            for other in cfg.languages
        ],
    )


def _feed_context(
    settings: Settings, lang: str, path: str, entries: list[dict[str, Any]], generated_at: datetime
) -> dict[str, Any]:
    cfg = settings.config
    base = cfg.site.base_url.rstrip("/")

    def href(target: str) -> str:
        return f"{base}/{target}" if base else _relative(path)(target)

    def urn(*parts: object) -> str:
        return uuid.uuid5(
            uuid.NAMESPACE_URL, ":".join(["smartcity-tracker", cfg.city.id, *map(str, parts)])
        ).urn

    updated = max((e["created_at"] for e in entries), default=generated_at)
    return {
        "lang": lang,
        "id": urn("feed", lang),
        "title": f"{cfg.city.title.get(lang)} — {Words(lang)('updates')}",
        "subtitle": cfg.city.strategy.get(lang),
        "author": cfg.city.name,
        "updated": _rfc3339(updated),
        "self_href": f"{base}/{path}" if base else "",
        "page_href": href(f"{lang}/updates.html"),
        "entries": [
            {
                **e,
                "urn": urn("digest", lang, e["id"]),
                "updated": _rfc3339(e["created_at"]),
                "href": href(f"{lang}/updates.html#digest-{e['id']}"),
            }
            for e in entries
        ],
    }


def _relative(page: str):  # noqa: ANN202 - a small closure
    def rel(target: str) -> str:
        return posixpath.relpath(target, posixpath.dirname(page) or ".")

    return rel


def _rfc3339(value: datetime) -> str:
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _replace(path: Path, text: str) -> Path:
    """Write ``path`` through a temporary file and a rename, so a reader never sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
