"""Build the static scorecard site: context -> templates -> files, published atomically.

Layout of the output (every link is relative, so the tree works from ``file://`` and under any sub-path)::

    index.html                 -> sends to the default language (meta refresh + plain links)
    <lang>/index.html          home: headline figures and the objectives at a glance
    <lang>/objectives/<id>.html, <lang>/indicators/<id>.html
    <lang>/indicators.html     all indicators with a client-side filter
    <lang>/status.html, <lang>/methodology.html, <lang>/guide.html
    assets/                    plotly.min.js (once), site.css, tracker.js, favicon.svg, vendor/ (lunr, licences)
    data/<id>.csv|json, data/datapackage.json, scorecard.json
    data/<lang>/<id>.xlsx, data/<lang>/scorecard.xlsx   spreadsheets in the reader's language

Templates are looked up in the city's own folder first (``site.templates``, default ``<project>/templates``),
then in the tracker's defaults (``tracker.resources``: the repository's ``templates/`` in a checkout, the copy
inside an installed wheel otherwise), so a city overrides single templates or blocks and keeps the rest.
"""

from __future__ import annotations

import logging
import os
import shutil
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import plotly
from jinja2 import Environment, TemplateNotFound, TemplateSyntaxError

from tracker import gc_freeze
from tracker.assess.outcome import Outcome
from tracker.catalog import Catalog
from tracker.config import CONFIG_FILE, Settings
from tracker.problems import Problem, ProblemsFound
from tracker.site.charts import script_json
from tracker.site.context import IndicatorView, SiteContext, build_context
from tracker.site.data import shared_files
from tracker.site.folders import REPO_TEMPLATES, template_folders  # noqa: F401 (REPO_TEMPLATES: re-exported)
from tracker.site.i18n import localized, make_environment
from tracker.site.incremental import (
    MANIFEST,
    Produced,
    Reuse,
    asset_key,
    canonical,
    data_inputs,
    digest,
    indicator_key,
    page_inputs,
    write_manifest,
    write_new,
)
from tracker.site.indicators import POOL_MIN_PAGES, Aside, Batch, IndicatorJob, make, pages_to_render, plan
from tracker.site.publish import publish
from tracker.site.render import Renderer, SiteWide, logo_asset

log = logging.getLogger(__name__)

PACKAGE_ASSETS = Path(__file__).parent / "assets"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
STATIC_PAGES = ("indicators.html", "status.html", "methodology.html", "guide.html")  # template = page name
ASSETS = ("site.css", "tracker.js", "favicon.svg")  # from tracker/site/assets, next to plotly.min.js
#: The search library (lunr, and lunr-languages' support for its stemmers), shipped with its licences: see
#: tracker/site/assets/vendor/README.md.
SEARCH_ASSETS = (
    "vendor/lunr.min.js",
    "vendor/lunr.stemmer.support.min.js",
    "vendor/LICENSE-lunr.txt",
    "vendor/LICENSE-lunr-languages.txt",
    "vendor/README.md",
)
#: lunr-languages' names that differ from the site's language codes (Norwegian is one stemmer there).
LUNR_NAMES = {"nb": "no", "nn": "no"}


def stemmers(languages: Sequence[str]) -> list[str]:
    """The stemmer files of lunr-languages the search uses for ``languages``, in their order: English is lunr's
    own; a language without one (Catalan) is searched without stemming."""
    found = []
    for lang in languages:
        name = f"vendor/lunr.{LUNR_NAMES.get(lang, lang)}.min.js"
        if lang != "en" and (PACKAGE_ASSETS / name).is_file() and name not in found:
            found.append(name)
    return found


def search_assets(languages: Sequence[str]) -> list[str]:
    """The search library's files a site in ``languages`` ships, in the order its page loads the scripts."""
    return [*SEARCH_ASSETS[:2], *stemmers(languages), *SEARCH_ASSETS[2:]]


@dataclass(frozen=True)
class SiteReport:
    path: Path  # the published folder (a symlink to the build when publishing atomically)
    pages: int  # HTML pages written
    bytes: int  # every file of the tree, plotly.min.js included
    files: int
    largest_indicator_page: int  # bytes of the biggest indicator page (the page budget to watch)
    rendered: int = 0  # HTML pages rendered by this build ...
    reused: int = 0  # ... and taken unchanged from the previous build (hard links; see incremental.py)
    files_reused: int = 0  # every file taken from the previous build: pages, downloads, assets


def check_templates(settings: Settings) -> list[Problem]:
    """The city's own templates, compiled (a syntax error with its file and line), and a template for each
    extra page: what ``tracker validate`` reports before a build would stop on it."""
    folders = template_folders(settings)
    env = make_environment(folders, settings.config.default_language)
    problems = []
    own = sorted(folders[0].rglob("*")) if len(folders) > 1 else []
    for path in own:
        if path.suffix not in {".html", ".xml", ".txt"} or not path.is_file():
            continue
        label = os.path.relpath(path, settings.root)
        try:
            env.get_template(path.relative_to(folders[0]).as_posix())
        except TemplateSyntaxError as exc:
            problems.append(Problem(label, exc.message or "syntax error", exc.lineno))
        except TemplateNotFound as exc:  # an {% extends %} or {% include %} of a missing template
            problems.append(Problem(label, f"template not found: {exc.name}"))
    problems += [p for page in settings.config.site.pages if (p := _missing_page(env, page.id, folders))]
    return problems


def _missing_page(env: Environment, page_id: str, folders: tuple[Path, ...]) -> Problem | None:
    """The problem of an extra page (``site.pages``) without its template, or None."""
    name = f"pages/{page_id}.html"
    try:
        env.get_template(name)
    except TemplateNotFound:
        return Problem(
            CONFIG_FILE,
            f"site.pages: {page_id!r} has no template {name}",
            hint=f"write {folders[0] / name} (it may extend _base.html), or remove the page",
        )
    return None


def published_build(target: Path) -> Path | None:
    """The folder the site at ``target`` is served from now: the previous build of the next one."""
    return Path(os.path.realpath(target)) if target.is_dir() else None


def build_site(
    settings: Settings,
    catalog: Catalog,
    outcome: Outcome,
    *,
    generated_at: datetime,
    out: Path | None = None,
    extra_files: dict[str, str] | None = None,
) -> SiteReport:
    """Render every page in every language plus the open data from what the assessment produced (``outcome``),
    and publish the tree atomically at ``out``.

    The files of an indicator whose inputs did not change since the published build are hard-linked from it
    rather than rendered (``tracker.site.incremental``); the tree published is complete either way; indicators
    given by a brief have their values brought by ``outcome.loader`` only if their files must be rendered.
    ``extra_files`` (relative path -> text) are written into the same tree before it is published: the updates
    feed and pages, so the published site never lacks them.
    """
    # Not settings.path("site"): that resolves symlinks, and the published ``site`` is a symlink to a build.
    target = (
        Path(out) if out is not None else Path(os.path.abspath(settings.root / settings.config.paths.site))
    )
    ctx = build_context(settings, catalog, outcome, generated_at=generated_at)
    templates = template_folders(settings)
    extra = dict(extra_files or {})
    previous = published_build(target)
    # The pipeline's 300,000 observations (and the context) live through the whole build: keep the cyclic
    # collector from walking them again and again, and keep forked workers from copying them (copy-on-write).
    with gc_freeze.frozen():
        produced = publish(target, lambda root: _write_tree(root, ctx, templates, extra, previous))
    pages = [p for p in produced if p.page]
    indicator_pages = [p.size for p in pages if "/indicators/" in p.path]
    # Sizes from what was written, not from a walk of the tree: the manifest is the one file not listed.
    manifest = (target / MANIFEST).stat().st_size
    report = SiteReport(
        target,
        len(pages),
        sum(p.size for p in produced) + manifest,
        len(produced) + 1,
        max(indicator_pages, default=0),
        rendered=sum(not p.reused for p in pages),
        reused=sum(p.reused for p in pages),
        files_reused=sum(p.reused for p in produced),
    )
    unkeyed = sum(1 for p in pages if p.key is None and "/indicators/" in p.path)
    if unkeyed:
        log.warning(
            "site: %d indicator pages show site-wide data (the templates use `ctx`), so later builds "
            "cannot reuse them",
            unkeyed,
        )
    log.info(
        "site: %d pages (%d rendered, %d reused), %d files (%d reused), %d bytes at %s",
        report.pages,
        report.rendered,
        report.reused,
        report.files,
        report.files_reused,
        report.bytes,
        target,
    )
    return report


def _write_tree(
    root: Path,
    ctx: SiteContext,
    templates: tuple[Path, ...],
    extra_files: dict[str, str],
    previous: Path | None,
) -> list[Produced]:
    """Every file of the site under ``root``; returns what was made and how (the manifest is written last,
    so a tree without one is never mistaken for a complete build)."""
    reuse = Reuse.of(root, previous)
    languages: list[str] = list(ctx.settings.config.languages)
    produced = _assets(reuse, ctx.settings)
    renderers = {}
    for lang in languages:
        renderer = Renderer(root, ctx, make_environment(templates, lang), lang, languages)
        renderer.common["has_updates"] = f"{lang}/updates.html" in extra_files
        renderer.env.get_template("indicator.html")  # compiled once, before any worker is forked
        missing = [
            p
            for page in ctx.settings.config.site.pages
            if (p := _missing_page(renderer.env, page.id, templates))
        ]
        if missing:  # named before any work is done
            raise ProblemsFound(missing)
        renderers[lang] = renderer
    with_updates = [lang for lang in languages if f"{lang}/updates.html" in extra_files]
    job = IndicatorJob(
        reuse,
        renderers,
        page_inputs(ctx.settings, templates, with_updates),
        data_inputs(ctx.settings),
        languages,
    )
    keys = {view.id: indicator_key(view) for view in ctx.indicators}

    def pages() -> list[Produced]:
        return _shared_pages(root, ctx, renderers, templates, languages, job, keys)

    def files() -> list[Produced]:
        return [
            Produced(name, None, write_new(root / name, data), False)
            for name, data in shared_files(ctx).items()
        ]

    if pages_to_render(job, ctx.indicators, keys) < POOL_MIN_PAGES:
        # A small build: the shared pages in a forked child while this process links the unchanged files and
        # makes the rest (the changed indicators' files, scorecard.json and the data package).
        with Aside(pages) as aside:
            reused, pending = plan(job, ctx.indicators, keys)
            ctx.load([p.view for p in pending])
            produced += reused + [p for item in pending for p in make(job, item)] + files() + aside.result()
    else:
        reused, pending = plan(job, ctx.indicators, keys)
        produced += reused
        ctx.load(
            [p.view for p in pending]
        )  # the values of what must be rendered, before any worker is forked
        with Batch(job, pending) as batch:  # many pages: workers render them while this process does the rest
            produced += pages() + files() + batch.files()
    extra = []
    for name, text in extra_files.items():
        path = (root / name).resolve()
        if not path.is_relative_to(root.resolve()):
            raise ValueError(f"extra site file {name!r} would be written outside the site")
        rel = path.relative_to(root.resolve()).as_posix()
        extra.append(Produced(rel, None, write_new(path, text.encode("utf-8")), False))
    # An extra file replaces a page of the same name: that page must not keep its key in the manifest.
    replaced = {p.path for p in extra}
    produced = [p for p in produced if p.path not in replaced] + extra
    write_manifest(root, produced)
    return produced


def _assets(reuse: Reuse, settings: Settings) -> list[Produced]:
    """plotly.min.js (4.8 MB), the site's own assets and the city's logo: linked from the previous build when
    unchanged."""
    produced = []
    sources = {
        "assets/plotly.min.js": PLOTLY_JS,
        **{
            f"assets/{name}": PACKAGE_ASSETS / name
            for name in (*ASSETS, *search_assets(settings.config.languages))
        },
    }
    logo = logo_asset(settings.config)
    if logo:
        sources[logo] = settings.root / settings.config.site.logo
    for path, source in sources.items():
        key = asset_key(source)
        found = reuse.take(path, key)
        if found is None:
            target = reuse.root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            found = Produced(path, key, target.stat().st_size, False)
        produced.append(found)
    return produced


def _shared_pages(
    root: Path,
    ctx: SiteContext,
    renderers: dict[str, Renderer],
    templates: tuple[Path, ...],
    languages: list[str],
    job: IndicatorJob,
    keys: dict[str, str],
) -> list[Produced]:
    """The pages that show every indicator, or the build date: rendered on every build; and the objective
    pages, reused while their objective, summary and indicators are unchanged (their footer gives the data's
    last update rather than the build date)."""
    produced = []

    def page(renderer: Renderer, template: str, sub: str, *, at_root: bool = False, **extra: object) -> None:
        path = sub if at_root else f"{renderer.lang}/{sub}"
        produced.append(Produced(path, None, renderer.render(template, sub, at_root=at_root, **extra), False))

    for lang, renderer in renderers.items():
        page(renderer, "home.html", "index.html")
        for name in STATIC_PAGES:
            if name == "indicators.html":
                page(
                    renderer,
                    name,
                    name,
                    search_index_json=script_json(_search_index(ctx, lang)),
                    search_scripts=[
                        n.removeprefix("vendor/")
                        for n in search_assets(ctx.settings.config.languages)
                        if n.endswith(".js")
                    ],
                )
            else:
                page(renderer, name, name)
        for extra in ctx.settings.config.site.pages:  # the city's own pages, from its template folder
            page(renderer, f"pages/{extra.id}.html", f"{extra.id}.html")
        for objective in ctx.objectives:
            path = f"{lang}/{objective.path}"
            key = digest(
                job.page_inputs,
                lang,
                "objective",
                canonical(
                    {
                        "objective": objective.objective.model_dump(mode="json"),
                        "summary": objective.summary,
                        "indicators": [keys[v.id] for v in objective.indicators],
                    }
                ),
            )
            found = job.reuse.take(path, key)
            if found is None:
                watched = SiteWide(ctx)
                size = renderer.render("objective.html", objective.path, view=objective, ctx=watched)
                found = Produced(path, None if watched.used else key, size, False)
            produced.append(found)
            produced.append(
                _embed(renderer, job, f"embed/{objective.path}", "objective", objective, digest(key, "embed"))
            )
        for view in ctx.indicators:  # the cards of the indicators: reused while the indicator is unchanged
            produced.append(
                _embed(
                    renderer,
                    job,
                    f"embed/{view.path}",
                    "indicator",
                    view,
                    digest(job.page_inputs, lang, "embed", keys[view.id]),
                )
            )
    default = ctx.settings.config.default_language
    env = renderers[default].env if default in renderers else make_environment(templates, default)
    page(
        Renderer(root, ctx, env, default, languages), "redirect.html", "index.html", at_root=True
    )  # no feed link
    return produced


def _embed(renderer: Renderer, job: IndicatorJob, sub: str, kind: str, view: object, key: str) -> Produced:
    """An embeddable card (templates/embed.html) at ``<lang>/<sub>``, linked from the previous build when
    its key (the indicator's or objective's inputs) is unchanged."""
    path = f"{renderer.lang}/{sub}"
    found = job.reuse.take(path, key)
    if found is None:
        watched = SiteWide(renderer.ctx)
        size = renderer.render("embed.html", sub, kind=kind, view=view, ctx=watched)
        found = Produced(path, None if watched.used else key, size, False)
    return found


def _fold(text: str) -> str:
    """Lower case without accents, so "citta" finds "città" (the loader folds the query the same way)."""
    return "".join(c for c in unicodedata.normalize("NFD", text.lower()) if not unicodedata.combining(c))


def _search_index(ctx: SiteContext, lang: str) -> list[dict]:
    """The documents the all-indicators page searches: tracker.js indexes each language's words with lunr and
    that language's stemmer (English: lunr's; others: lunr-languages', see :func:`stemmers`), so a reader finds an indicator by
    its name, definition or keywords in either language ("rifiuti" on the English page). ``text`` holds the
    folded words the plain filter matches when the search library did not load."""

    def words(v: IndicatorView, language: str) -> dict[str, str]:
        return {
            "name": localized(v.ind.name, language),
            "keywords": " ".join(v.ind.keywords.get(language)),
            "definition": localized(v.ind.definition, language),
            "goal": localized(v.objective.name, language),
        }

    return [
        {
            "id": v.id,
            "objective": v.objective.id,
            "category": v.category.value,
            "code": v.ind.code,
            "words": {language: words(v, language) for language in ctx.settings.config.languages},
            "text": _fold(
                " ".join(
                    [
                        v.ind.code,
                        v.ind.id,
                        localized(v.ind.name, lang),
                        localized(v.ind.definition, lang),
                        localized(v.objective.name, lang),
                        " ".join(v.ind.standards),
                        " ".join(v.ind.keywords.get(lang)),
                    ]
                )
            ),
        }
        for v in ctx.indicators
    ]
