"""``tracker init``: a new city's project that ``tracker run`` builds at once, its example labelled as such."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tracker import catalog, config
from tracker.cli import app
from tracker.scaffold import NewCity

runner = CliRunner()


def init(tmp_path: Path, *args: str) -> Path:
    done = runner.invoke(app, ["init", str(tmp_path / "city"), *args])
    assert done.exit_code == 0, done.output
    return tmp_path / "city"


def test_init_writes_a_valid_commented_project(tmp_path: Path) -> None:
    project = init(tmp_path, "--city", "Reggio nell'Emilia", "--languages", "en", "--languages", "it")
    settings = config.load(project)
    cfg = settings.config
    assert (cfg.city.id, cfg.city.name) == ("reggio-nell-emilia", "Reggio nell'Emilia")
    assert cfg.city.title.en == "Reggio nell'Emilia scorecard"
    assert (cfg.languages, cfg.default_language) == (["en", "it"], "en")
    text = (project / "config.yaml").read_text(encoding="utf-8")
    assert text.count("#") > 20  # commented
    cat = catalog.load_project(settings, keep=False)
    (example,) = cat.indicators
    assert example.id == "example-indicator"
    assert "(invented data)" in example.name.en and "(dati inventati)" in example.name.it
    assert example.data_note is not None and "not real data" in example.data_note.en
    with (project / "indicators" / "example-objective" / "example-indicator.csv").open(
        encoding="utf-8"
    ) as fh:
        rows = list(csv.DictReader(fh))
    assert rows and all(r["note_en"] == "example: invented value" for r in rows)
    assert (project / "inbox").is_dir() and not any((project / "inbox").iterdir())
    assert not (project / "var").exists()  # nothing but the project's own files
    assert {"/site", "/var/"} <= set((project / ".gitignore").read_text(encoding="utf-8").splitlines())
    guide = (project / "STEWARDS.md").read_text(encoding="utf-8")
    assert guide.startswith("# Guide for Reggio nell'Emilia's data stewards") and "inbox/" in guide


def test_tracker_run_builds_the_new_project_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
    project = init(tmp_path, "--city", "Bergamo")
    done = runner.invoke(app, ["run", "--project", str(project)])
    assert done.exit_code == 0, done.output
    page = (project / "site" / "it" / "indicators" / "example-indicator.html").read_text(encoding="utf-8")
    assert "Indicatore di esempio (dati inventati)" in page and "non dati reali" in page
    assert "Bergamo — quadro di valutazione" in (project / "site" / "it" / "index.html").read_text(
        encoding="utf-8"
    )


def test_init_never_writes_into_a_folder_that_holds_anything(tmp_path: Path) -> None:
    (tmp_path / "city").mkdir()
    (tmp_path / "city" / "config.yaml").write_text("city: {name: Keep me}\n", encoding="utf-8")
    done = runner.invoke(app, ["init", str(tmp_path / "city")])
    assert done.exit_code == 2
    assert (tmp_path / "city" / "config.yaml").read_text(encoding="utf-8") == "city: {name: Keep me}\n"


def test_init_refuses_a_language_or_time_zone_the_config_would_refuse(tmp_path: Path) -> None:
    assert runner.invoke(app, ["init", str(tmp_path / "a"), "--languages", "xx"]).exit_code == 2
    assert runner.invoke(app, ["init", str(tmp_path / "b"), "--timezone", "Mars/Olympus"]).exit_code == 2
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


@pytest.mark.parametrize(
    ("name", "city_id"),
    [("São Paulo", "sao-paulo"), ("Gdańsk", "gdansk"), ("L'Aquila", "l-aquila"), ("!!", "city")],
)
def test_the_city_id_is_the_name_in_plain_lowercase_words(name: str, city_id: str) -> None:
    assert NewCity(name).city_id == city_id


def test_version_is_the_one_in_the_package() -> None:
    import tracker

    done = runner.invoke(app, ["--version"])
    assert done.exit_code == 0 and done.output == f"smartcity-tracker {tracker.__version__}\n"
    assert re.fullmatch(r"\d+\.\d+\.\d+", tracker.__version__)
