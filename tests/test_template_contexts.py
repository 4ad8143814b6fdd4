"""The documented template context (tracker/site/template_contexts.py) is exactly what the templates receive."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import Environment

import tracker.forking
from tracker.site import render, template_contexts
from tracker.site.build import build_site
from tracker.site.context import build_context
from tracker.site.i18n import make_environment
from tracker.site.sample import build_sample

DOCS = Path(__file__).resolve().parents[1] / "docs" / "templates.md"


@pytest.fixture(scope="module")
def received(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """The names each template was given while the sample site was built in this process."""
    seen: dict[str, set[str]] = {}
    original = render.Renderer.render

    def spy(self: render.Renderer, template: str, sub: str, *, at_root: bool = False, **extra: object) -> int:
        seen.setdefault(template, set()).update(extra)
        return original(self, template, sub, at_root=at_root, **extra)

    mp = pytest.MonkeyPatch()
    mp.setattr(render.Renderer, "render", spy)
    mp.setattr(tracker.forking, "can_fork", lambda *args, **kwargs: False)  # shared pages rendered here
    try:
        s = build_sample(tmp_path_factory.mktemp("contexts"))
        build_site(s.settings, s.catalog, s.outcome, generated_at=s.generated_at)
    finally:
        mp.undo()
    return seen


def test_every_page_template_receives_what_is_documented(received: dict[str, set[str]]) -> None:
    assert set(received) == set(template_contexts.PAGES)
    for template, names in received.items():
        assert names == set(template_contexts.PAGES[template]), template


def test_the_common_names_globals_and_filters_are_documented(tmp_path: Path) -> None:
    s = build_sample(tmp_path)
    env = make_environment(Path(__file__).resolve().parents[1] / "templates", "it")
    ctx = build_context(s.settings, s.catalog, s.outcome, generated_at=s.generated_at)
    per_page = {"page", "rel", "url", "alternates"}  # made for each page by Renderer.render
    assert set(render.Renderer(tmp_path, ctx, env, "it", ["it", "en"]).common) | per_page == set(
        template_contexts.COMMON
    )
    jinja = Environment(extensions=["jinja2.ext.i18n"])  # Jinja's own globals (range, dict, ...)
    i18n = {"gettext", "ngettext", "pgettext", "npgettext"}  # Jinja's, from install_gettext_translations
    ours = {name for name in env.globals if (name not in jinja.globals or name == "_") and name not in i18n}
    assert ours == set(template_contexts.GLOBALS)
    assert set(env.filters) - set(jinja.filters) == set(template_contexts.FILTERS)


def test_docs_are_generated_from_the_module() -> None:
    assert DOCS.read_text(encoding="utf-8") == template_contexts.markdown(), (
        "run: python -m tracker.site.template_contexts > docs/templates.md"
    )
