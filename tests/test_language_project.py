"""A language the package does not ship, added by a city without touching Python (issue #19, point 5).

A project made by ``tracker init`` is switched to Spanish and English by configuration and definitions only;
``tracker translations es`` writes the project's catalogue, which ``tracker validate`` refuses while it is
incomplete, naming the file, the line and the untranslated msgids. The catalogue is then filled BY THE TEST as
a fixture, ``msgstr = "[es] " + msgid``: not Spanish wording, a marker that proves each text on a page, in a
verdict, a reason or a digest comes from the project's catalogue. Numbers, dates and plural rules are Babel's
Spanish locale data. The definitions' Spanish texts are marked the same way.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po
from typer.testing import CliRunner

from tracker import catalog, config, pipeline, wording
from tracker.cli import app
from tracker.intake.validate import read_observations
from tracker.resources import default_templates
from tracker.site.build import stemmers
from tracker.updates.digest import Words

NOW = datetime(2026, 12, 2, 9, tzinfo=UTC)
NBSP = "\u00a0"
CATALOGUE = "translations/es/LC_MESSAGES/messages.po"
SECOND = """id: residents-count
objective: example-objective
code: "1.2"
name:
  es: "[es] Example residents (invented data)"
  en: "Example residents (invented data)"
definition:
  es: "[es] One invented value, for the test."
  en: "One invented value, for the test."
unit: {kind: count, label: {es: "hab.", en: "inhab."}, decimals: 0}
direction: increase
frequency: annual
source: {name: "Example (not real data)", url: "https://example.org/"}
territory: comune
"""


def _in_spanish_too(path: Path) -> None:
    """Each ``en:`` text of a definition file gets an ``es:`` one before it, marked ``[es]`` (test fixture)."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        found = re.match(r'^(\s*)en: "(.*)"$', line)
        if found:
            lines.append(f'{found[1]}es: "[es] {found[2]}"')
        lines.append(line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _fill(po: Path, *, leave: str = "") -> None:
    """The fixture's catalogue: every msgstr is ``"[es] " + msgid`` (each plural form from its English form),
    except the msgid ``leave``."""
    with po.open("rb") as fh:
        catalog = read_po(fh, locale="es")
    for m in catalog:
        if not m.id or m.id == leave or (isinstance(m.id, tuple) and m.id[0] == leave):
            continue
        if isinstance(m.id, tuple):
            m.string = tuple("[es] " + m.id[0 if i == 0 else 1] for i in range(catalog.num_plurals))
        else:
            m.string = "[es] " + m.id
    with po.open("wb") as fh:
        write_po(fh, catalog, width=110)


@pytest.fixture(autouse=True, scope="module")
def _forget_the_projects_catalogues() -> Iterator[None]:
    """The catalogues a project brings are registered process-wide (as gettext's are): later tests in this
    process must not see this module's Spanish or its edited French."""
    yield
    wording.use_project(None)


def _validate(project: Path) -> tuple[int, str]:
    done = CliRunner().invoke(app, ["validate", "--project", str(project)])
    return done.exit_code, done.output


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("spanish")
    project = folder / "city"
    done = CliRunner().invoke(app, ["init", str(project), "--city", "Ciudad", "--languages", "en"])
    assert done.exit_code == 0, done.output
    settings_file = project / "config.yaml"
    text = settings_file.read_text(encoding="utf-8")
    text = re.sub(r"^languages: .*$", "languages: [es, en]", text, flags=re.M)
    text = re.sub(r"^default_language: .*$", "default_language: es", text, flags=re.M)
    settings_file.write_text(text, encoding="utf-8")
    _in_spanish_too(settings_file)
    _in_spanish_too(project / "indicators" / "objectives.yaml")
    objective = project / "indicators" / "example-objective"
    _in_spanish_too(objective / "example-indicator.yaml")
    example = objective / "example-indicator.yaml"
    example.write_text(
        example.read_text(encoding="utf-8").replace('{en: "%"}', '{es: "%", en: "%"}'), encoding="utf-8"
    )
    (objective / "residents-count.yaml").write_text(SECOND, encoding="utf-8")
    (objective / "residents-count.csv").write_text(
        "period,value,note_en,note_es\n2024,12345,estimated by hand,[es] estimated by hand\n",
        encoding="utf-8",
    )
    return project


@pytest.fixture(scope="module")
def refusals(project: Path) -> list[str]:
    """What ``tracker validate`` says at each step before the project is complete."""
    said = []
    code, output = _validate(project)  # no catalogue yet
    assert code == 3
    said.append(output)
    done = CliRunner().invoke(app, ["translations", "es", "--project", str(project)])
    assert done.exit_code == 0, done.output
    said.append(done.output)
    code, output = _validate(project)  # a catalogue with every msgstr empty
    assert code == 3
    said.append(output)
    _fill(project / CATALOGUE, leave="Scorecard")
    code, output = _validate(project)  # one msgstr left empty
    assert code == 3
    said.append(output)
    _fill(project / CATALOGUE)
    for page in ("_methodology", "_guide"):  # fixture: the English long pages stand in for translated ones
        shutil.copy(default_templates() / f"{page}_en.html", project / "templates" / f"{page}_es.html")
    code, output = _validate(project)
    assert code == 0, output
    return said


@pytest.fixture(scope="module")
def site(project: Path, refusals: list[str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    mp = pytest.MonkeyPatch()
    mp.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tmp_path_factory.mktemp('db') / 'db.sqlite'}")
    try:
        pipeline.run(config.load(project), now=NOW, updates=False)
    finally:
        mp.undo()
    return project / "site"


def test_an_incomplete_catalogue_is_refused_with_the_file_the_line_and_the_msgid(refusals: list[str]) -> None:
    missing, written, empty, one_left = refusals
    assert f"no catalogue {CATALOGUE} (write it with `tracker translations es`" in missing
    assert "no template _methodology_es.html in templates/" in missing
    assert re.search(rf"wrote {CATALOGUE}: \d{{3}} strings to translate", written)
    assert re.search(
        rf"\d{{3}} untranslated strings \(or marked fuzzy\) in {CATALOGUE}, first: line \d+", empty
    )
    assert re.search(
        rf"1 untranslated strings \(or marked fuzzy\) in {CATALOGUE}, first: line \d+ 'Scorecard'", one_left
    )


def test_pages_verdicts_and_reasons_come_from_the_projects_catalogue(site: Path) -> None:
    home = (site / "es" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="es"' in home
    assert "[es] Scorecard" in home and "[es] All indicators" in home
    page = (site / "es" / "indicators" / "residents-count.html").read_text(encoding="utf-8")
    # the verdict's words (the site's strings) and the reason (the assessment's, context "reason")
    assert "[es] Too little data to assess" in page
    assert "[es] Needs at least two values at least one year apart; there is only one (2024)." in page
    example = (site / "es" / "indicators" / "example-indicator.html").read_text(encoding="utf-8")
    assert "[es] Example indicator (invented data)" in example  # the definition's Spanish text
    english = (site / "en" / "indicators" / "residents-count.html").read_text(encoding="utf-8")
    assert "[es]" not in english and "there is only one (2024)." in english


def test_a_note_in_the_projects_language_is_stored_shown_and_kept_in_the_downloads(site: Path) -> None:
    spanish = (site / "es" / "indicators" / "residents-count.html").read_text(encoding="utf-8")
    english = (site / "en" / "indicators" / "residents-count.html").read_text(encoding="utf-8")
    assert "[es] estimated by hand" in spanish and 'lang="en"' not in spanish.split("<tbody", 1)[-1]
    assert "estimated by hand" in english and "[es] estimated by hand" not in english
    csv = (site / "data" / "residents-count.csv").read_text(encoding="utf-8").splitlines()
    assert csv[0].endswith(",bound,territory,note_es")
    assert csv[1].endswith(",estimated by hand,,,,[es] estimated by hand")
    data = json.loads((site / "data" / "residents-count.json").read_text(encoding="utf-8"))
    (point,) = data["observations"]
    assert point["note"] == {"it": "", "en": "estimated by hand", "es": "[es] estimated by hand"}


def test_a_note_column_is_checked_like_the_others(tmp_path: Path) -> None:
    indicator = catalog.load(Path(__file__).resolve().parent.parent / "indicators").entries[0].indicator
    bad = tmp_path / "bad.csv"
    bad.write_text("period,value,note_es,note_xx\n2020,1,=SUM(A1),\n", encoding="utf-8")
    _, problems = read_observations(bad, indicator, label="bad.csv")
    said = [str(p) for p in problems]
    assert any("unknown column 'note_xx'" in p and "note_<language>" in p for p in said), said
    bad.write_text("period,value,note_es\n2020,1,=SUM(A1)\n2021,2,<b>x</b>\n", encoding="utf-8")
    good = tmp_path / "good.csv"
    good.write_text("period,value,note_es,note_fr\n2020,1,una nota,\n2021,2,,\n", encoding="utf-8")
    observations, problems = read_observations(good, indicator, label="good.csv")
    assert problems == [] and [o.notes for o in observations] == ['{"es":"una nota"}', ""]
    assert observations[0].note_in("es") == "una nota" and observations[0].note_in("fr") == ""
    observations, problems = read_observations(bad, indicator, label="bad.csv")
    said = [str(p) for p in problems]
    assert observations == []
    assert any(":2:" in p and "starts like a spreadsheet formula" in p for p in said), said
    assert any(":3:" in p and "HTML tag '<b>'" in p for p in said), said


def test_numbers_and_dates_follow_babels_spanish_locale_data(site: Path) -> None:
    example = (site / "es" / "indicators" / "example-indicator.html").read_text(encoding="utf-8")
    assert f"47,0{NBSP}%" in example  # decimal comma, a no-break space before the sign
    assert "2 de diciembre de 2026" in example
    residents = (site / "es" / "indicators" / "residents-count.html").read_text(encoding="utf-8")
    assert "12.345" in residents and "12,345" not in residents


def test_digests_take_their_words_from_the_catalogue_with_spanish_plural_rules(site: Path) -> None:
    assert "es" in wording.languages()
    words = Words("es")
    assert words("since", n=1, date="2 de diciembre de 2026") == "[es] 1 change since 2 de diciembre de 2026"
    assert words("since", n=2, date="2 de diciembre de 2026") == "[es] 2 changes since 2 de diciembre de 2026"
    assert words("objective") == "[es] Objective"


def test_search_loads_the_spanish_stemmer_only(site: Path) -> None:
    page = (site / "es" / "indicators.html").read_text(encoding="utf-8")
    assert "assets/vendor/lunr.es.min.js" in page and "lunr.it.min.js" not in page
    assert (site / "assets" / "vendor" / "lunr.es.min.js").is_file()
    assert not (site / "assets" / "vendor" / "lunr.it.min.js").exists()


def test_a_language_without_a_stemmer_is_searched_without_one() -> None:
    assert stemmers(["it", "en"]) == ["vendor/lunr.it.min.js"]
    assert stemmers(["ca", "en"]) == []  # Catalan: no Snowball stemmer in lunr-languages
    assert stemmers(["nb", "fr"]) == ["vendor/lunr.no.min.js", "vendor/lunr.fr.min.js"]


def test_the_shipped_languages_keep_their_own_catalogues() -> None:
    settings = config.load(Path(__file__).resolve().parent.parent)
    assert pipeline.language_problems(settings) == []
    assert wording.languages() == ("en", "it", "fr")


def test_a_project_catalogue_of_a_shipped_language_starts_from_the_packages(tmp_path: Path) -> None:
    project = tmp_path / "city"
    done = CliRunner().invoke(app, ["init", str(project), "--languages", "fr", "--languages", "en"])
    assert done.exit_code == 0, done.output
    done = CliRunner().invoke(app, ["translations", "fr", "--project", str(project)])
    assert done.exit_code == 0, done.output
    assert "wrote translations/fr/LC_MESSAGES/messages.po: 0 strings to translate" in done.output
    settings = config.load(project)
    assert wording.po_path("fr") == project / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
    assert pipeline.language_problems(settings) == []  # checked, since the project has its own
    po = project / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as fh:
        catalog = read_po(fh, locale="fr")
    catalog["Scorecard"].string = ""  # a city's edit that left one string untranslated
    with po.open("wb") as fh:
        write_po(fh, catalog, width=110)
    try:
        (problem,) = pipeline.language_problems(config.load(project))
        assert "1 untranslated strings" in problem.message and "'Scorecard'" in problem.message
        assert wording.translations("fr").gettext("Scorecard") == "Scorecard"  # the project's, incomplete
        catalog["Scorecard"].string = 'Tableau<img src="x" onerror="alert(1)">'
        with po.open("wb") as fh:
            write_po(fh, catalog, width=110)
        (problem,) = pipeline.language_problems(config.load(project))
        assert "1 translations in translations/fr/LC_MESSAGES/messages.po add markup" in problem.message
        assert "'Scorecard'" in problem.message
    finally:
        wording.use_project(None)
    assert wording.translations("fr").gettext("Scorecard") != "Scorecard"  # the package's again
