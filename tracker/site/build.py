"""Build the static scorecard site: context -> templates -> files, published atomically.

Layout of the output (every link is relative, so the tree works from ``file://`` and under any sub-path)::

    index.html                 -> sends to the default language (meta refresh + plain links)
    <lang>/index.html          home: headline figures and the objectives at a glance
    <lang>/objectives/<id>.html, <lang>/indicators/<id>.html
    <lang>/indicators.html     all indicators with a client-side filter
    <lang>/status.html, <lang>/methodology.html, <lang>/guide.html
    assets/                    plotly.min.js (once), site.css, tracker.js, favicon.svg
    data/<id>.csv|json, data/datapackage.json, scorecard.json

Templates come from ``<project>/templates`` when the project has its own copy (``_base.html`` present), else
from the repository's ``templates/`` folder next to the ``tracker`` package.
"""

from __future__ import annotations

import logging
import os
import posixpath
import shutil
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import plotly
from babel import Locale
from jinja2 import Environment

from tracker.assess.base import IndicatorResult, ObjectiveSummary
from tracker.catalog import Catalog
from tracker.config import Settings
from tracker.observations import Observation
from tracker.site.charts import figure, script_json
from tracker.site.context import CATEGORY_ORDER, SiteContext, build_context, figure_kind
from tracker.site.data import write_open_data
from tracker.site.i18n import localized, make_environment, translations
from tracker.site.publish import publish

log = logging.getLogger(__name__)

PACKAGE_ASSETS = Path(__file__).parent / "assets"
REPO_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
STATIC_PAGES = ("indicators.html", "status.html", "methodology.html", "guide.html")  # template = page name


@dataclass(frozen=True)
class SiteReport:
    path: Path  # the published folder (a symlink to the build when publishing atomically)
    pages: int  # HTML pages written
    bytes: int  # every file of the tree, plotly.min.js included
    files: int
    largest_indicator_page: int  # bytes of the biggest indicator page (the page budget to watch)


def templates_dir(settings: Settings) -> Path:
    local = settings.root / "templates"
    return local if (local / "_base.html").is_file() else REPO_TEMPLATES


def build_site(settings: Settings, catalog: Catalog, observations: dict[str, list[Observation]],
               results: dict[str, IndicatorResult], summaries: dict[str, ObjectiveSummary], *,
               generated_at: datetime, out: Path | None = None,
               history: dict[str, list] | None = None, extra_files: dict[str, str] | None = None) -> SiteReport:
    """Render every page in every language plus the open data, and publish the tree atomically at ``out``.

    ``extra_files`` (relative path -> text) are written into the same tree before it is published: the
    updates feed and pages, so the published site never lacks them.
    """
    # Not settings.path("site"): that resolves symlinks, and the published ``site`` is a symlink to a build.
    target = Path(out) if out is not None else Path(os.path.abspath(settings.root / settings.config.paths.site))
    ctx = build_context(settings, catalog, observations, results, summaries,
                        generated_at=generated_at, history=history)
    templates = templates_dir(settings)
    extra = dict(extra_files or {})
    pages, largest = publish(target, lambda root: _write_tree(root, ctx, templates, extra))
    files = [p for p in target.resolve().rglob("*") if p.is_file()]
    report = SiteReport(target, pages, sum(p.stat().st_size for p in files), len(files), largest)
    log.info("site: %d pages, %d files, %d bytes at %s", report.pages, report.files, report.bytes, target)
    return report


def _write_tree(root: Path, ctx: SiteContext, templates: Path, extra_files: dict[str, str]) -> tuple[int, int]:
    assets = root / "assets"
    assets.mkdir(parents=True)
    shutil.copyfile(PLOTLY_JS, assets / "plotly.min.js")
    for name in ("site.css", "tracker.js", "favicon.svg"):
        shutil.copyfile(PACKAGE_ASSETS / name, assets / name)
    languages = list(ctx.settings.config.languages)
    pages = 0
    largest = 0
    for lang in languages:
        renderer = _Renderer(root, ctx, make_environment(templates, lang), lang, languages)
        renderer.common["has_updates"] = f"{lang}/updates.html" in extra_files
        renderer.render("home.html", "index.html")
        for name in STATIC_PAGES:
            extra = {"search_index_json": script_json(_search_index(ctx, lang))} if name == "indicators.html" else {}
            renderer.render(name, name, **extra)
        for objective in ctx.objectives:
            renderer.render("objective.html", objective.path, view=objective)
        for view in ctx.indicators:
            chart = figure(view, lang, translations(lang).gettext, renderer.env.globals["fmt"])
            size = renderer.render("indicator.html", view.path, view=view, chart=script_json(chart))
            largest = max(largest, size)
        pages += renderer.pages
    default = ctx.settings.config.default_language
    redirect = _Renderer(root, ctx, make_environment(templates, default), default, languages)
    redirect.render("redirect.html", "index.html", at_root=True)
    pages += redirect.pages
    write_open_data(ctx, root)
    for name, text in extra_files.items():
        path = (root / name).resolve()
        if not path.is_relative_to(root.resolve()):
            raise ValueError(f"extra site file {name!r} would be written outside the site")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return pages + sum(name.endswith(".html") for name in extra_files), largest


def _fold(text: str) -> str:
    """Lower case without accents, so "citta" finds "città" (the loader folds the query the same way)."""
    return "".join(c for c in unicodedata.normalize("NFD", text.lower()) if not unicodedata.combining(c))


def _search_index(ctx: SiteContext, lang: str) -> list[dict]:
    return [{"id": v.id, "objective": v.objective.id, "category": v.category.value,
             "text": _fold(" ".join([v.ind.code, v.ind.id, localized(v.ind.name, lang), localized(v.ind.definition, lang),
                                     localized(v.objective.name, lang), " ".join(v.ind.standards)]))}
            for v in ctx.indicators]


class _Renderer:
    """Renders pages of one language, giving each its relative-link helpers and the language switch."""

    def __init__(self, root: Path, ctx: SiteContext, env: Environment, lang: str, languages: list[str]) -> None:
        self.root, self.ctx, self.env, self.lang, self.languages = root, ctx, env, lang, languages
        self.pages = 0
        cfg = ctx.settings.config
        self.common = {
            "ctx": ctx, "cfg": cfg, "categories": CATEGORY_ORDER, "figure_kind": figure_kind,
            "site_title": cfg.city.title.get(lang), "strategy": cfg.city.strategy.get(lang),
            "languages": languages,
        }

    def render(self, template: str, sub: str, *, at_root: bool = False, **extra: object) -> int:
        path = sub if at_root else f"{self.lang}/{sub}"

        def rel(target: str) -> str:
            target, _, fragment = target.partition("#")
            link = posixpath.relpath(target, posixpath.dirname(path) or ".")
            return f"{link}#{fragment}" if fragment else link

        def url(page: str) -> str:
            return rel(f"{self.lang}/{page}")

        alternates = [{"lang": other, "name": Locale.parse(other).get_display_name(other).capitalize(),
                       "href": rel(f"{other}/{sub}"), "current": other == self.lang} for other in self.languages]
        html = self.env.get_template(template).render(
            **self.common, page=sub, rel=rel, url=url, alternates=alternates, **extra)
        data = html.encode("utf-8")
        out = self.root / path
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
        self.pages += 1
        return len(data)

