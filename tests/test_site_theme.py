"""A city changes the look without forking: its own template folder first (one template, or one block of the
default through ``default/``), its logo, colours and extra pages; everything else falls back to the defaults."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from pydantic import ValidationError

from tracker.config import Config, Settings, contrast
from tracker.problems import ProblemsFound
from tracker.site.build import build_site
from tracker.site.sample import Sample, build_sample

LOGO = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>\n'


def themed(root: Path, site: dict[str, object]) -> Sample:
    s = build_sample(root)
    config = Config.model_validate(
        {**s.settings.config.model_dump(mode="json"), "site": site}, context={"root": s.settings.root}
    )
    return replace(s, settings=Settings(config, s.settings.root))


def city_folder(root: Path) -> None:
    (root / "look" / "pages").mkdir(parents=True)
    (root / "look" / "_base.html").write_text(
        '{% extends "default/_base.html" %}\n'
        '{% block footer %}<p class="city-footer">Comune di Synthetica · {{ _("Methodology") }}</p>{% endblock %}\n',
        encoding="utf-8",
    )
    (root / "look" / "pages" / "about.html").write_text(
        '{% extends "_base.html" %}\n{% block title %}{{ theme.pages[0].title }}{% endblock %}\n'
        "{% block main %}<h1>{{ theme.pages[0].title }}</h1><p>{{ site_title }}</p>{% endblock %}\n",
        encoding="utf-8",
    )
    (root / "branding").mkdir()
    (root / "branding" / "logo.svg").write_text(LOGO, encoding="utf-8")


def test_a_city_overrides_a_block_adds_a_logo_colours_and_a_page(tmp_path: Path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    city_folder(root)
    s = themed(
        root,
        {
            "templates": "look",
            "logo": "branding/logo.svg",
            "colors": {"link": "#003366", "soft": "#eef2f6"},
            "pages": [{"id": "about", "title": {"it": "Chi siamo", "en": "About us"}}],
        },
    )
    report = build_site(s.settings, s.catalog, s.outcome, generated_at=s.generated_at, out=tmp_path / "site")
    site = report.path
    assert (site / "assets" / "logo.svg").read_text(encoding="utf-8") == LOGO
    for page in (
        "en/index.html",
        "en/indicators/turnout.html",
        "it/objectives/environment.html",
        "en/about.html",
    ):
        html = (site / page).read_text(encoding="utf-8")
        depth = page.count("/")
        assert '<p class="city-footer">Comune di Synthetica · ' in html, page  # the city's block ...
        assert "Skip to main content" in html or "Vai al contenuto principale" in html, (
            page
        )  # ... in the default layout
        assert f'<img class="site-logo" src="{"../" * depth}assets/logo.svg" alt=""' in html, page
        assert "--link: #003366; --soft: #eef2f6;" in html, page
    english = (site / "en" / "index.html").read_text(encoding="utf-8")
    assert '<a href="about.html">About us</a>' in english
    assert "Comune di Synthetica · Methodology" in english
    italian = (site / "it" / "about.html").read_text(encoding="utf-8")
    assert "<h1>Chi siamo</h1>" in italian and 'aria-current="page">Chi siamo</a>' in italian
    assert "Comune di Synthetica · Metodologia" in italian


def test_without_a_folder_of_its_own_the_defaults_are_used(tmp_path: Path) -> None:
    s = themed(tmp_path / "project", {})
    report = build_site(s.settings, s.catalog, s.outcome, generated_at=s.generated_at, out=tmp_path / "site")
    html = (report.path / "en" / "index.html").read_text(encoding="utf-8")
    assert "site-logo" not in html and "<style>" not in html and "city-footer" not in html


def test_an_extra_page_without_its_template_is_named(tmp_path: Path) -> None:
    s = themed(
        tmp_path / "project", {"pages": [{"id": "contacts", "title": {"it": "Contatti", "en": "Contacts"}}]}
    )
    with pytest.raises(ProblemsFound) as found:
        build_site(s.settings, s.catalog, s.outcome, generated_at=s.generated_at, out=tmp_path / "site")
    assert "site.pages: 'contacts' has no template pages/contacts.html" in str(found.value.problems[0])


@pytest.mark.parametrize(
    ("colors", "message"),
    [
        ({"link": "#7aa7d6"}, "link #7aa7d6 on bg #ffffff has a contrast of 2.5"),
        ({"bg": "#202020"}, "text #1a1a1a on bg #202020"),
        ({"muted": "#767676"}, "muted #767676 on soft #f3f5f7"),
        ({"link": "red"}, "'red' is not a colour written as #rrggbb"),
        ({"link": "#005a8c;}body{x:1"}, "is not a colour written as #rrggbb"),
    ],
)
def test_colours_that_fail_wcag_aa_are_refused(colors: dict[str, str], message: str) -> None:
    with pytest.raises(ValidationError, match="contrast|rrggbb") as raised:
        Config.model_validate({"site": {"colors": colors}})
    assert message in str(raised.value)


def test_the_default_colours_meet_wcag_aa() -> None:
    Config.model_validate({"site": {"colors": {"link": "#005a8c"}}})
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#005a8c", "#ffffff") > 4.5


@pytest.mark.parametrize(
    "svg",
    [
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><rect/></a></svg>',
    ],
)
def test_a_logo_that_could_run_script_is_refused(tmp_path: Path, svg: str) -> None:
    (tmp_path / "logo.svg").write_text(svg, encoding="utf-8")
    with pytest.raises(ValidationError, match="holds script"):
        Config.model_validate({"site": {"logo": "logo.svg"}}, context={"root": tmp_path})


def test_a_logo_must_be_an_image_inside_the_project(tmp_path: Path) -> None:
    (tmp_path / "logo.gif").write_bytes(b"GIF89a")
    for logo, message in (
        ("logo.gif", "the logo must be one of"),
        ("missing.png", "no such file"),
        ("../logo.png", "contains '..'"),
        ("/etc/logo.png", "not inside the project"),
    ):
        with pytest.raises(ValidationError, match=message):
            Config.model_validate({"site": {"logo": logo}}, context={"root": tmp_path})


def test_validate_names_a_template_error_and_a_missing_page(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from tracker.cli import app

    runner = CliRunner()
    assert runner.invoke(app, ["init", str(tmp_path / "city")]).exit_code == 0
    tmp_path = tmp_path / "city"
    assert runner.invoke(app, ["validate", "--project", str(tmp_path)]).exit_code == 0
    (tmp_path / "templates" / "_base.html").write_text(
        '{% extends "default/_base.html" %}\n{% block footer %}\n{% if x %}\n{% endblock %}\n',
        encoding="utf-8",
    )
    config = (tmp_path / "config.yaml").read_text(encoding="utf-8")
    for commented in ("  # pages:", "  #   - {id: about"):  # the scaffold's own example, switched on
        assert commented in config
        config = config.replace(commented, commented.replace("# ", "", 1))
    (tmp_path / "config.yaml").write_text(config, encoding="utf-8")
    done = runner.invoke(app, ["validate", "--project", str(tmp_path)])
    assert done.exit_code == 3, done.output
    assert "templates/_base.html:4:" in done.output
    assert "site.pages: 'about' has no template pages/about.html" in done.output


def test_an_extra_page_receives_what_every_page_receives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/templates.md: an extra page gets the names of *Every page* and nothing of its own."""
    import tracker.forking
    from tracker.site import render

    seen: dict[str, set[str]] = {}
    original = render.Renderer.render

    def spy(self: render.Renderer, template: str, sub: str, *, at_root: bool = False, **extra: object) -> int:
        seen.setdefault(template, set()).update(extra)
        return original(self, template, sub, at_root=at_root, **extra)

    monkeypatch.setattr(render.Renderer, "render", spy)
    monkeypatch.setattr(tracker.forking, "can_fork", lambda *args, **kwargs: False)
    root = tmp_path / "project"
    root.mkdir()
    city_folder(root)
    s = themed(
        root, {"templates": "look", "pages": [{"id": "about", "title": {"it": "Chi siamo", "en": "About"}}]}
    )
    build_site(s.settings, s.catalog, s.outcome, generated_at=s.generated_at, out=tmp_path / "site")
    assert seen["pages/about.html"] == set()


def test_a_logo_linked_from_outside_the_project_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "secret.png"
    outside.write_bytes(b"\x89PNG not for publishing")
    project = tmp_path / "project"
    project.mkdir()
    (project / "logo.png").symlink_to(outside)
    with pytest.raises(ValidationError, match="outside the project"):
        Config.model_validate({"site": {"logo": "logo.png"}}, context={"root": project})
