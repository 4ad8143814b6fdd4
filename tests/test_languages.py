"""Languages come from configuration (issue #19): any language Babel knows, once the project provides its texts.

Each text of the configuration and of the definitions must exist in every configured language (a precise
error names the file, the key and the language); a language the tracker has no words for is refused before
anything runs; numbers and plurals follow Babel's locale data.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tracker import catalog, config, pipeline
from tracker.assess.text import reason
from tracker.cli import app
from tracker.problems import ProblemsFound
from tracker.site.i18n import Formatter, separators
from tracker.updates.digest import Words

REPO = Path(__file__).resolve().parent.parent


def test_a_language_babel_does_not_know_is_refused(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("languages: [en, zz]\n", encoding="utf-8")
    with pytest.raises(ProblemsFound) as err:
        config.load(tmp_path)
    assert "languages.1: Babel has no locale data for 'zz'" in str(err.value)


def test_config_texts_must_exist_in_every_configured_language(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(
        "languages: [fr, en]\ndefault_language: fr\ncity:\n  title: {fr: Tableau, en: Scorecard}\n",
        encoding="utf-8",
    )
    with pytest.raises(ProblemsFound) as err:
        config.load(tmp_path)
    assert "city.strategy: no 'fr' text" in str(err.value)
    assert "city.title" not in str(err.value)


def test_definitions_name_the_file_the_key_and_the_missing_language() -> None:
    with pytest.raises(ProblemsFound) as err:
        catalog.load(REPO / "indicators", languages=("fr", "en"))
    lines = [str(p) for p in err.value.problems]
    assert any(
        line.startswith("indicators/mobility/bikemi-trips.yaml:")
        and ": name: no 'fr' text (the site's languages are fr, en)" in line
        for line in lines
    )
    assert any(
        line.startswith("indicators/objectives.yaml:") and "objectives.0.name: no 'fr'" in line
        for line in lines
    )
    assert len(catalog.load(REPO / "indicators", languages=("it", "en")).entries) > 50


def test_a_language_without_the_trackers_words_is_refused_before_the_run(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(
        "languages: [es, en]\ndefault_language: es\ncity:\n  title: {es: Cuadro, en: Scorecard}\n"
        "  strategy: {es: Estrategia, en: Strategy}\n",
        encoding="utf-8",
    )
    settings = config.load(tmp_path)
    (problem,) = pipeline.language_problems(settings)
    assert problem.key == "languages" and "'es'" in problem.message
    assert "no catalogue translations/es/LC_MESSAGES/messages.po" in problem.message
    assert "tracker translations es" in problem.message
    assert "no template _methodology_es.html in templates/" in problem.message
    with pytest.raises(ProblemsFound):
        pipeline.run(settings)
    assert not (tmp_path / "site").exists()
    assert pipeline.language_problems(config.load(REPO)) == []


def test_the_shipped_languages_a_run_skips_checking_are_complete() -> None:
    # a run does not check the shipped languages (nothing to read, no Babel on a run where nothing changed):
    # this holds them to the same check a new language gets
    assert set(pipeline.SHIPPED_LANGUAGES) >= {"it", "en", "fr"}
    assert pipeline.language_problems(config.load(REPO), pipeline.SHIPPED_LANGUAGES) == []


def test_a_reason_fills_each_language_with_its_own_words() -> None:
    names = {"en": "short-term (5-year)", "it": "breve periodo (5 anni)", "fr": "court terme (5 ans)"}
    texts = reason("window_one", window_name=names, need=3, length=5, first=2019, last=2024)
    assert texts["fr"].startswith("La tendance à court terme (5 ans) exige")
    assert texts["it"].startswith("L'andamento di breve periodo (5 anni)")
    assert texts["en"].startswith("The short-term (5-year) trend")


@pytest.mark.parametrize(
    ("lang", "percent", "number", "marks"),
    [
        ("it", "63,5\u00a0%", "12.345,7", ",."),  # the Italian style guides' space before %
        ("en", "63.5%", "12,345.7", ".,"),
        ("fr", "63,5\u00a0%", "12\u202f345,7", ",\u202f"),  # Babel's French locale data
        ("tr", "%63,5", "12.345,7", ",."),  # a locale that writes the sign first
    ],
)
def test_numbers_follow_babels_locale_data(lang: str, percent: str, number: str, marks: str) -> None:
    fmt = Formatter(lang)
    assert fmt.percent(0.635) == percent
    assert fmt.value(63.5, "percent", "", 1) == percent
    assert fmt.number(12345.67) == number
    assert separators(lang) == marks


def test_digest_plurals_follow_the_languages_rule() -> None:
    assert Words("fr")("since", n=0, date="1 juin") == "0 changement depuis le 1 juin"
    assert Words("fr")("since", n=2, date="1 juin") == "2 changements depuis le 1 juin"
    assert Words("en")("since", n=0, date="1 June") == "0 changes since 1 June"


def test_init_refuses_a_language_it_has_no_example_texts_for(tmp_path: Path) -> None:
    done = CliRunner().invoke(app, ["init", str(tmp_path / "city"), "--languages", "es", "--languages", "en"])
    assert done.exit_code == 2
    assert "no texts in es" in done.output
    assert not (tmp_path / "city").exists()
