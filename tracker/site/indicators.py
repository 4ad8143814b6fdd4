"""The files of each indicator (a page per language, its CSV and JSON): reused or rendered, maybe in parallel.

These are almost all of a site (2,000 pages and 2,000 downloads at 1,000 indicators) and each depends on one
indicator only, so they are the files an incremental build reuses (see ``tracker.site.incremental``). What
must be rendered is rendered in this process for a small batch, and in a pool of worker processes for a large
one: pages are independent, and they are about three quarters of a cold build's CPU time, so two workers on
two free cores take that part down by about half (the parent meanwhile renders the shared pages).

The workers are *forked*, so they inherit the context, the compiled templates and the previous manifest
without any pickling; only which indicators to render goes to them, and the list of files comes back. Forking
is only done where it is safe: on Linux, from a process with a single thread (``tracker run`` from the
command line). A scheduler or a web process with other threads renders in-process, as a small build does.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

from tracker import forking
from tracker.forking import die_with_parent
from tracker.site.charts import chart_facts, figure, script_json
from tracker.site.context import IndicatorView
from tracker.site.data import indicator_files
from tracker.site.i18n import Formatter, translations
from tracker.site.incremental import Produced, Reuse, digest, indicator_key, write_new
from tracker.site.render import Renderer, SiteWide

log = logging.getLogger(__name__)

#: Below this many pages to render, a pool costs more (forking, collecting) than it saves.
POOL_MIN_PAGES = 200
WORKERS = 2
#: Tasks per worker: several, so that a worker that finishes early takes more.
CHUNKS_PER_WORKER = 4


@dataclass(frozen=True)
class IndicatorJob:
    """Everything needed to make the files of any indicator (forked workers inherit it as it is)."""

    reuse: Reuse
    renderers: dict[str, Renderer]  # language -> renderer
    page_inputs: str  # incremental.page_inputs(...)
    data_inputs: str  # incremental.data_inputs(...)
    languages: list[str]


@dataclass(frozen=True)
class Pending:
    """The files of one indicator that the previous build could not provide."""

    view: IndicatorView
    pages: dict[str, str]  # language -> key
    downloads: dict[str, str]  # path -> key

    @property
    def page_count(self) -> int:
        return len(self.pages)


def plan(
    job: IndicatorJob, views: Sequence[IndicatorView], keys: dict[str, str] | None = None
) -> tuple[list[Produced], list[Pending]]:
    """Link every file whose key is unchanged; list what is left to render. ``keys`` gives each indicator's
    key when already computed (:func:`indicator_key`), and receives the others'."""
    reused: list[Produced] = []
    pending: list[Pending] = []
    for view in views:
        key = keys.get(view.id) if keys is not None else None
        if key is None:
            key = indicator_key(view)
            if keys is not None:
                keys[view.id] = key
        pages: dict[str, str] = {}
        for lang in job.renderers:
            path, page_key = f"{lang}/{view.path}", digest(job.page_inputs, lang, key)
            found = job.reuse.take(path, page_key)
            if found is None:
                pages[lang] = page_key
            else:
                reused.append(found)
        downloads: dict[str, str] = {}
        data_key = digest(job.data_inputs, key)
        for path in indicator_files(view, job.languages):
            found = job.reuse.take(path, data_key)
            if found is None:
                downloads[path] = data_key
            else:
                reused.append(found)
        if pages or downloads:
            pending.append(Pending(view, pages, downloads))
    return reused, pending


def pages_to_render(job: IndicatorJob, views: Sequence[IndicatorView], keys: dict[str, str]) -> int:
    """How many indicator pages :func:`plan` will not find in the previous build (from the manifest alone)."""
    return sum(
        job.reuse.old.get(f"{lang}/{view.path}") != digest(job.page_inputs, lang, keys[view.id])
        for view in views
        for lang in job.renderers
    )


def make(job: IndicatorJob, item: Pending) -> list[Produced]:
    """Render what ``item`` lists: its pages (chart spec included) and its downloads."""
    view = item.view
    out = []
    facts = chart_facts(view) if item.pages and view.observations else None
    for lang, key in item.pages.items():
        renderer = job.renderers[lang]
        fmt = renderer.env.globals["fmt"]
        if not isinstance(fmt, Formatter):  # make_environment puts the language's Formatter there
            raise TypeError(f"the {lang} templates' global 'fmt' is not a Formatter")
        chart = script_json(figure(view, lang, translations(lang).gettext, fmt, facts)) if facts else ""
        ctx = SiteWide(renderer.ctx)
        size = renderer.render("indicator.html", view.path, view=view, chart=chart, facts=facts, ctx=ctx)
        # A page that showed site-wide data gets no key: the next build renders it again.
        out.append(Produced(f"{lang}/{view.path}", None if ctx.used else key, size, False))
    makers = indicator_files(view, job.languages)
    for path, key in item.downloads.items():
        out.append(Produced(path, key, write_new(job.reuse.root / path, makers[path]()), False))
    return out


# --- the pool ----------------------------------------------------------------------------------------------

_JOB: IndicatorJob | None = None  # set in the parent just before forking; read by the workers
_PENDING: list[Pending] = []


def _work(indices: list[int]) -> list[Produced]:
    assert _JOB is not None, "worker started without a job"
    return [p for i in indices for p in make(_JOB, _PENDING[i])]


_ASIDE: Callable[[], list[Produced]] | None = None  # work of the child forked by Aside


def _aside() -> list[Produced]:
    assert _ASIDE is not None, "child started without work"
    return _ASIDE()


class Aside:
    """Runs ``work`` in one forked child while the caller goes on, for a small build whose indicator pages
    are rendered in this process: the shared pages (0.4 s at 1,000 indicators) then overlap the links and
    the pages of the changed indicators. Runs ``work`` here, at :meth:`result`, where forking is not safe."""

    def __init__(self, work: Callable[[], list[Produced]]) -> None:
        global _ASIDE
        self.work, self.pool, self.future = work, None, None
        if not forking.can_fork():
            return
        _ASIDE = work
        self.pool = ProcessPoolExecutor(
            1,
            mp_context=multiprocessing.get_context("fork"),
            initializer=die_with_parent,
            initargs=(os.getpid(),),
        )
        try:
            self.future = self.pool.submit(_aside)
        except BaseException:
            self.close()
            raise

    def result(self) -> list[Produced]:
        return self.work() if self.future is None else self.future.result()

    def close(self) -> None:
        global _ASIDE
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
        _ASIDE = None

    def __enter__(self) -> Aside:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Batch:
    """Renders the pending files, in a pool of forked workers when there are many; use as a context manager
    so the workers are always stopped, even when the caller fails while they run.

    With a pool, the caller does other work (the shared pages) while the workers render, then calls
    :meth:`files` to wait for them (an error in a worker is raised there).
    """

    def __init__(self, job: IndicatorJob, pending: list[Pending]) -> None:
        self.job, self.pending = job, pending
        self.pool: ProcessPoolExecutor | None = None
        self.futures: list[Future[list[Produced]]] = []

    def __enter__(self) -> Batch:
        if sum(p.page_count for p in self.pending) < POOL_MIN_PAGES or not forking.can_fork():
            return self
        global _JOB, _PENDING
        _JOB, _PENDING = self.job, self.pending
        chunks = WORKERS * CHUNKS_PER_WORKER
        self.pool = ProcessPoolExecutor(
            WORKERS,
            mp_context=multiprocessing.get_context("fork"),
            initializer=die_with_parent,
            initargs=(os.getpid(),),
        )
        try:
            self.futures = [
                self.pool.submit(_work, list(range(k, len(self.pending), chunks))) for k in range(chunks)
            ]
        except BaseException:
            self.__exit__()
            raise
        log.debug("site: rendering %d indicators in %d worker processes", len(self.pending), WORKERS)
        return self

    def files(self) -> list[Produced]:
        if self.pool is None:
            return [p for item in self.pending for p in make(self.job, item)]
        return [p for future in self.futures for p in future.result()]

    def __exit__(self, *exc: object) -> None:
        global _JOB, _PENDING
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
        _JOB, _PENDING = None, []
