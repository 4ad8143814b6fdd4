"""The gettext catalogues every part of the tracker takes its words from: the pages, the assessment's reasons
and labels, the digests.

The catalogues are ``.po`` files: the package's own (``tracker/site/locales/<lang>/LC_MESSAGES/messages.po``)
and, for a language the package does not ship, the project's (``<site.translations>/<lang>/LC_MESSAGES/
messages.po``, registered by :func:`use_project` when the configuration is read). They are compiled in memory
on first use, so no binary ``.mo`` file lives in git. Source strings are English.

It sits in the foundation because the assessment runs below the site: a result carries its words in every
language with a catalogue (:func:`words`), is kept between runs (``assess/cache.py``) and compared as data.
Babel is imported only when words are needed, so a run where nothing changed does not load it.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from babel.support import NullTranslations, Translations

LOCALES = Path(__file__).parent / "site" / "locales"
DOMAIN = "messages"
#: The languages the package ships complete, in the order every wording lists its texts (the downloads keep
#: that order); a project's own languages follow, sorted.
SHIPPED = ("en", "it", "fr")
#: Extraction keywords of the markers below (Babel's spec: argument 1 is the context, then the message ids).
KEYWORDS = {"msg": ((1, "c"), 2), "plural": ((1, "c"), 2, 3)}

_project: Path | None = None
_current: dict[str, NullTranslations] = {}  # by language, for the project registered now


@dataclass(frozen=True)
class Message:
    """A catalogue entry named where it is used: ``context`` tells apart two uses of one English text that
    another language may word differently (the site's verdict "Moderate progress" and UNSD's label)."""

    context: str
    text: str
    plural: str = ""  # the English plural: the entry takes a count and each language picks its form


def msg(context: str, text: str) -> Message:
    """Marks ``text`` for extraction into the catalogues (``python -m tracker.site.i18n``)."""
    return Message(context, text)


def plural(context: str, singular: str, plural: str) -> Message:
    """Marks a text that takes a count: ``words(message, count)`` picks the form by the language's rule."""
    return Message(context, singular, plural)


def use_project(folder: Path | None) -> None:
    """Look for catalogues in the project's ``folder`` (``site.translations``) first: a city brings a language
    the package does not ship there. Called when a project's configuration is read."""
    global _project
    _project = folder.resolve() if folder is not None else None
    _languages.cache_clear()  # a catalogue may have been added or changed since (a scheduler reads the
    _current.clear()  # configuration for each job)


def project_folder() -> Path | None:
    return _project


def project_po(lang: str, folder: Path | None = None) -> Path | None:
    """The project's catalogue of ``lang`` (whether it exists or not), or None without a project folder."""
    folder = folder if folder is not None else _project
    return folder / lang / "LC_MESSAGES" / f"{DOMAIN}.po" if folder is not None else None


def shipped_po(lang: str) -> Path:
    return LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def po_path(lang: str) -> Path:
    """The catalogue ``lang`` is read from: the project's when it has one, else the package's."""
    own = project_po(lang)
    return own if own is not None and own.is_file() else shipped_po(lang)


def languages() -> tuple[str, ...]:
    """Every language with a catalogue: the shipped ones, then the project's own."""
    return _languages(_project)


@lru_cache(maxsize=8)
def _languages(folder: Path | None) -> tuple[str, ...]:
    shipped = tuple(lang for lang in SHIPPED if shipped_po(lang).is_file())
    own: list[str] = []
    if folder is not None and folder.is_dir():
        own = sorted(p.parent.parent.name for p in folder.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return shipped + tuple(lang for lang in own if lang not in shipped)


def translations(lang: str) -> NullTranslations:
    """The catalogue of ``lang`` compiled in memory (fuzzy entries are left out, as msgfmt does); English
    words for a language without one (a run refuses to publish in such a language: ``language_problems``).
    Looked up once per language while a project is registered: a result asks for its words thousands of times."""
    found = _current.get(lang)
    if found is None:
        found = _current[lang] = _read(lang)
    return found


def _read(lang: str) -> NullTranslations:
    path = po_path(lang)
    try:
        stat = path.stat()
    except FileNotFoundError:
        from babel.support import NullTranslations

        return NullTranslations()
    return _compiled(path, stat.st_mtime_ns, stat.st_size, lang)


@lru_cache(maxsize=16)
def _compiled(path: Path, mtime: int, size: int, lang: str) -> Translations:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import Translations

    with path.open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


def clear() -> None:
    """Forget the compiled catalogues (after a maintainer rewrote one)."""
    _compiled.cache_clear()
    _languages.cache_clear()
    _current.clear()


def text(message: Message, lang: str, n: int | None = None, /, **values: object) -> str:
    """``message`` in ``lang``, %-formatted with ``values`` (a ``{lang: text}`` value gives its own
    language's text); ``n`` picks the plural form of a :func:`plural` message."""
    found = translations(lang)
    if message.plural:
        template = str(found.npgettext(message.context, message.text, message.plural, 0 if n is None else n))
    else:
        template = str(found.pgettext(message.context, message.text))
    if not values:  # a text without placeholders may hold a plain "%" ("95 %")
        return template
    return template % {k: v[lang] if isinstance(v, Mapping) else v for k, v in values.items()}


def words(message: Message, n: int | None = None, /, **values: object) -> dict[str, str]:
    """``message`` in every language with a catalogue: what an assessment result carries."""
    return {lang: text(message, lang, n, **values) for lang in languages()}


def project_fingerprint() -> str:
    """A hash of the project's catalogues: part of every key that says "these words can be reused" (the
    package's own are in the code hash)."""
    h = hashlib.blake2b(digest_size=16)
    folder = _project
    if folder is not None and folder.is_dir():
        for path in sorted(folder.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
            h.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()
