"""Rendering one page of one language: its relative-link helpers, its language switch, and the file write."""

from __future__ import annotations

import posixpath
from functools import lru_cache
from pathlib import Path, PurePosixPath

from babel import Locale
from jinja2 import Environment

from tracker.config import Config
from tracker.site.context import CATEGORY_ORDER, SiteContext, figure_kind
from tracker.site.incremental import write_new


@lru_cache(maxsize=8192)
def relative(target: str, folder: str) -> str:
    """``posixpath.relpath``, cached: every page links the same assets and menu pages from a few folders."""
    return posixpath.relpath(target, folder)


@lru_cache(maxsize=16)
def language_name(lang: str) -> str:
    """ "Italiano", "English": parsing the locale for each page's language switch cost ~0.1 ms a page."""
    name = Locale.parse(lang).get_display_name(lang)
    return (name or lang).capitalize()  # babel has a name for every language the config accepts


def logo_asset(cfg: Config) -> str:
    """Where the city's logo is published (``assets/logo.svg``), or '' without one."""
    return f"assets/logo{PurePosixPath(cfg.site.logo).suffix.lower()}" if cfg.site.logo else ""


def theme(cfg: Config, lang: str) -> dict[str, object]:
    """The city's look as the templates use it: logo, colours (validated ``#rrggbb``), extra pages."""
    return {
        "logo": logo_asset(cfg),
        "colors": sorted(cfg.site.colors.items()),
        "pages": [{"file": f"{p.id}.html", "title": p.title.get(lang)} for p in cfg.site.pages],
    }


class Renderer:
    """Renders pages of one language, giving each its relative-link helpers and the language switch."""

    def __init__(
        self, root: Path, ctx: SiteContext, env: Environment, lang: str, languages: list[str]
    ) -> None:
        self.root, self.ctx, self.env, self.lang, self.languages = root, ctx, env, lang, languages
        cfg = ctx.settings.config
        self.common = {
            "ctx": ctx,
            "cfg": cfg,
            "categories": CATEGORY_ORDER,
            "figure_kind": figure_kind,
            "site_title": cfg.city.title.get(lang),
            "strategy": cfg.city.strategy.get(lang),
            "languages": languages,
            "theme": theme(cfg, lang),
        }

    def render(self, template: str, sub: str, *, at_root: bool = False, **extra: object) -> int:
        """Write the page at ``<lang>/<sub>`` (or ``<sub>`` at the root); returns its size in bytes.

        ``extra`` adds to the template's variables, or replaces common ones (an indicator page gets a watched
        ``ctx``, see :class:`SiteWide`)."""
        path = sub if at_root else f"{self.lang}/{sub}"
        folder = posixpath.dirname(path) or "."

        def rel(target: str) -> str:
            target, _, fragment = target.partition("#")
            link = relative(target, folder)
            return f"{link}#{fragment}" if fragment else link

        def url(page: str) -> str:
            return rel(f"{self.lang}/{page}")

        alternates = [
            {
                "lang": other,
                "name": language_name(other),
                "href": rel(f"{other}/{sub}"),
                "current": other == self.lang,
            }
            for other in self.languages
        ]
        html = self.env.get_template(template).render(
            {**self.common, "page": sub, "rel": rel, "url": url, "alternates": alternates, **extra}
        )
        return write_new(self.root / path, html.encode("utf-8"))


class SiteWide:
    """The site context as an indicator page sees it: every use is noted.

    An indicator page is reused by later builds as long as its indicator is unchanged, so it must show
    nothing about the rest of the site, the build date included. The repository's templates do not touch
    ``ctx`` there; a project's own templates might (an older ``_base.html`` showing the build date in every
    footer). Such a page is then rendered on every build rather than reused with stale content.
    """

    def __init__(self, ctx: SiteContext) -> None:
        self._ctx = ctx
        self.used = False

    def __getattr__(self, name: str) -> object:
        self.used = True
        return getattr(self._ctx, name)
