"""A third language (issue #19): a French and English project from ``tracker init --languages fr en``.

The example indicator's figures are invented (and say so); a second indicator with one invented value is added
to see a reason in words. The French pages must hold French wording (menu, verdicts, reasons, dates, numbers as
Babel's French locale data writes them) and no English sentence of the interface; a note the data file gives
only in English is shown marked ``lang="en"``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from typer.testing import CliRunner

from tests.language import FRENCH, visible_text, wrong_words
from tracker import config, pipeline
from tracker.cli import app
from tracker.site.i18n import po_path

NOW = datetime(2026, 12, 2, 9, tzinfo=UTC)
NNBSP, NBSP = "\u202f", "\u00a0"
SECOND = """id: residents-count
objective: example-objective
code: "1.2"
name:
  fr: "Résidents d’exemple (données inventées)"
  en: "Example residents (invented data)"
definition:
  fr: "Une seule valeur inventée, pour le test."
  en: "One invented value, for the test."
unit: {kind: count, label: {fr: "hab.", en: "inhab."}, decimals: 0}
direction: increase
frequency: annual
source: {name: "Example (not real data)", url: "https://example.org/"}
territory: comune
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("french")
    project = folder / "city"
    done = CliRunner().invoke(
        app, ["init", str(project), "--city", "Trois-Rivières", "--languages", "fr", "--languages", "en"]
    )
    assert done.exit_code == 0, done.output
    objective = project / "indicators" / "example-objective"
    (objective / "residents-count.yaml").write_text(SECOND, encoding="utf-8")
    (objective / "residents-count.csv").write_text("period,value\n2024,12345\n", encoding="utf-8")
    mp = pytest.MonkeyPatch()
    mp.setenv("TRACKER_DATABASE_URL", f"sqlite:///{folder / 'db.sqlite'}")
    try:
        pipeline.run(config.load(project), now=NOW, updates=False)
    finally:
        mp.undo()
    return project / "site"


def test_french_pages_hold_french_wording(site: Path) -> None:
    home = (site / "fr" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="fr"' in home
    for menu in ("Tous les indicateurs", "État des données", "Méthodologie", "Comment le lire"):
        assert menu in home
    page = (site / "fr" / "indicators" / "example-indicator.html").read_text(encoding="utf-8")
    assert "En bonne voie" in page and "Objectif proposé" in page  # the verdict, the target's basis
    assert "Dans les termes de la méthode" in page and "maintien de l’atteinte de l’ODD" in page
    assert f"47,0{NBSP}%" in page and "47.0%" not in page  # Babel's French percent: comma, no-break space
    assert "2 décembre 2026" in page  # the run's date, in French
    assert "Pas de projection. La dernière valeur (2019)" in page  # a projection note, in French
    single = (site / "fr" / "indicators" / "residents-count.html").read_text(encoding="utf-8")
    assert f"12{NNBSP}345" in single  # French digit groups: a narrow no-break space
    assert "Il faut au moins deux valeurs espacées d’au moins un an, or il n’y en a qu’une (2024)." in single


def test_a_note_given_only_in_english_is_marked_as_english(site: Path) -> None:
    page = (site / "fr" / "indicators" / "example-indicator.html").read_text(encoding="utf-8")
    assert '<td lang="en">example: invented value</td>' in page
    english = (site / "en" / "indicators" / "example-indicator.html").read_text(encoding="utf-8")
    assert "<td>example: invented value</td>" in english


def _sentences() -> list[str]:
    """The interface's English source strings of four words or more, placeholders cut out."""
    with po_path("en").open("rb") as fh:
        ids = [m.id for m in read_po(fh) if m.id and isinstance(m.id, str)]
    parts = [p.strip(" .:;,()") for i in ids for p in re.split(r"%\(\w+\)s|%%|“|”", i)]
    return sorted({p for p in parts if len(p.split()) >= 4})


def test_no_english_or_italian_on_the_french_pages(site: Path) -> None:
    pages = sorted((site / "fr").rglob("*.html"))
    assert len(pages) > 10
    sentences = _sentences()
    assert len(sentences) > 90
    found = {}
    for path in pages:
        text = " ".join(visible_text(path, "fr").split())
        bad = wrong_words(text, "fr") + [s for s in sentences if s in text]
        if bad:
            found[str(path.relative_to(site))] = bad
    assert found == {}


def test_no_french_on_the_english_pages(site: Path) -> None:
    pages = sorted((site / "en").rglob("*.html"))
    found = {
        str(p.relative_to(site)): bad
        for p in pages
        if (bad := wrong_words(visible_text(p, "en"), "en", FRENCH))
    }
    assert found == {}


def test_the_downloads_carry_the_sites_languages_only(site: Path) -> None:
    import json

    data = json.loads((site / "data" / "example-indicator.json").read_text(encoding="utf-8"))
    assert data["name"] == {
        "en": "Example indicator (invented data)",
        "fr": "Indicateur d’exemple (données inventées)",
    }
    assert set(data["assessment"]["label"]) == {"fr", "en"}
    assert data["assessment"]["label"]["fr"] == "En bonne voie ou maintien de l’atteinte de l’ODD"
