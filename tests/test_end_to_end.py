"""End to end: `tracker run` on a temporary project (synthetic catalogue) and on the real Milan catalogue."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

OBJECTIVES = """\
objectives:
  - id: mobility
    number: 1
    name: {it: Mobilità, en: Mobility}
    description: {it: "Obiettivo sintetico di prova.", en: "Synthetic test objective."}
  - id: environment
    number: 2
    name: {it: Ambiente, en: Environment}
    description: {it: "Obiettivo sintetico di prova.", en: "Synthetic test objective."}
"""

INDICATOR = """\
id: {id}
objective: {objective}
code: "{code}"
name: {{it: "Indicatore {id}", en: "Indicator {id}"}}
definition: {{it: "Serie sintetica per i test.", en: "Synthetic series for tests."}}
unit: {{kind: {kind}, label: {{it: "{label}", en: "{label}"}}}}
direction: {direction}
target: {{value: {target}, year: 2030, basis: proposal, reference: {{it: "Proposta di prova", en: "Test proposal"}}}}
frequency: annual
standards: ["synthetic"]
source: {{name: Synthetic, url: "https://example.org/synthetic"}}
"""


def make_project(root: Path) -> Path:
    """A tiny SYNTHETIC project: two objectives, three indicators, one without data."""
    ind = root / "indicators"
    (ind / "mobility").mkdir(parents=True)
    (ind / "environment").mkdir(parents=True)
    (ind / "objectives.yaml").write_text(OBJECTIVES, encoding="utf-8")
    specs = [
        ("bike-trips", "mobility", "1.1", "count", "trips", "increase", 6000000),
        ("waste-sorted", "environment", "2.1", "percent", "%", "increase", 70),
        ("pm10-days", "environment", "2.2", "count", "days", "decrease", 35),
    ]
    for id_, objective, code, kind, label, direction, target in specs:
        (ind / objective / f"{id_}.yaml").write_text(
            INDICATOR.format(
                id=id_,
                objective=objective,
                code=code,
                kind=kind,
                label=label,
                direction=direction,
                target=target,
            ),
            encoding="utf-8",
        )
    (ind / "mobility" / "bike-trips.csv").write_text(
        "period,value,source,note,flag\n2013,1900000,https://example.org/s,synthetic,\n"
        "2016,3600000,https://example.org/s,synthetic,\n2018,4300000,https://example.org/s,synthetic,\n",
        encoding="utf-8",
    )
    (ind / "environment" / "waste-sorted.csv").write_text(
        "period,value,source,note,flag\n2012,36.7,https://example.org/s,,\n2015,52.7,https://example.org/s,,\n"
        "2020,62.6,https://example.org/s,,\n",
        encoding="utf-8",
    )
    (root / "config.yaml").write_text("database:\n  url: sqlite:///var/test.sqlite\n", encoding="utf-8")
    return root


def tracker(
    *args: str, cwd: Path, db: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real command; ``db`` is the database URL (default: the project's own SQLite file)."""
    return subprocess.run(
        [sys.executable, "-m", "tracker", *args],
        cwd=cwd,
        env={**tracker_env(db), **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )


def tracker_env(db: str | None) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("TRACKER_DATABASE_URL", None)
    if db:
        env["TRACKER_DATABASE_URL"] = db
    return env


def test_run_builds_site_and_second_run_changes_nothing(tmp_path: Path, db_url: str) -> None:
    project = make_project(tmp_path)
    first = tracker("run", cwd=project, db=db_url)
    assert first.returncode == 0, first.stderr
    assert "2 accepted" in first.stdout
    assert (project / "site" / "index.html").exists()
    card = json.loads((project / "site" / "scorecard.json").read_text(encoding="utf-8"))
    assert len(card["objectives"]) == 2

    second = tracker("run", cwd=project, db=db_url)
    assert second.returncode == 0, second.stderr
    assert "0 accepted, 2 unchanged" in second.stdout
    assert "nothing changed" in second.stdout


def test_rejected_file_exit_code_and_site_still_built(tmp_path: Path, db_url: str) -> None:
    project = make_project(tmp_path)
    assert tracker("run", cwd=project, db=db_url).returncode == 0
    bad = project / "indicators" / "environment" / "waste-sorted.csv"
    bad.write_text(
        "period,value,source,note,flag\n2012,36.7,https://example.org/s,,\n2021,abc,https://x.org,,\n",
        encoding="utf-8",
    )
    result = tracker("run", cwd=project, db=db_url)
    assert result.returncode == 1
    assert "indicators/environment/waste-sorted.csv:3:value:" in result.stderr
    history = tracker("history", "waste-sorted", cwd=project, db=db_url)
    assert "62.6" in history.stdout  # accepted data is still there
    assert (project / "site" / "index.html").exists()


def test_revision_kept_in_history(tmp_path: Path, db_url: str) -> None:
    project = make_project(tmp_path)
    assert tracker("run", cwd=project, db=db_url).returncode == 0
    data = project / "indicators" / "environment" / "waste-sorted.csv"
    data.write_text(data.read_text(encoding="utf-8").replace("62.6", "63.1"), encoding="utf-8")
    result = tracker("run", cwd=project, db=db_url)
    assert result.returncode == 0, result.stderr
    assert "1 revised" in result.stdout
    history = tracker("history", "waste-sorted", cwd=project, db=db_url).stdout
    assert "62.6" in history and "63.1" in history


def test_invalid_definition_reports_line_and_changes_nothing(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    path = project / "indicators" / "environment" / "pm10-days.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("direction: decrease", "direction: down\ncolour: red"),
        encoding="utf-8",
    )
    result = tracker("run", cwd=project)
    assert result.returncode == 3
    assert (
        "indicators/environment/pm10-days.yaml:7: direction: Input should be 'increase' or 'decrease'"
        in result.stderr
    )
    assert "indicators/environment/pm10-days.yaml:8: colour: unknown key" in result.stderr
    assert not (project / "site").exists()


def test_validate_writes_nothing(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    result = tracker("validate", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "2 file(s) are valid" in result.stdout
    assert not (project / "var").exists() and not (project / "site").exists()


@pytest.mark.slow
def test_milan_catalogue_runs(tmp_path: Path) -> None:
    project = tmp_path / "milano"
    project.mkdir()
    shutil.copytree(REPO / "indicators", project / "indicators")
    shutil.copy(REPO / "config.yaml", project / "config.yaml")
    result = tracker("run", cwd=project)
    assert result.returncode == 0, result.stderr
    card = json.loads((project / "site" / "scorecard.json").read_text(encoding="utf-8"))
    assert len(card["objectives"]) == 7
    assert sum(len(o["indicators"]) for o in card["objectives"]) >= 35


def test_concurrent_runs_neither_corrupt_nor_duplicate(tmp_path: Path, db_url: str) -> None:
    """Two real `tracker run` processes at once on one database: one waits for the other's lock."""
    from sqlalchemy import text

    from tracker.store import make_engine

    project = make_project(tmp_path)
    command = [sys.executable, "-m", "tracker", "run"]
    runs = [
        subprocess.Popen(
            command,
            cwd=project,
            env=tracker_env(db_url),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [r.communicate(timeout=300) for r in runs]
    assert [r.returncode for r in runs] == [0, 0], outputs
    stdout = "".join(out for out, _ in outputs)
    assert (
        stdout.count("2 accepted") == 1 and stdout.count("2 unchanged") == 1
    )  # the second saw the first's work
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "select count(*), count(distinct indicator_id || '|' || series || '|' || period) "
                    "from observations where superseded_at is null"
                )
            ).one()
            files = conn.execute(text("select count(*) from source_files")).scalar_one()
    finally:
        engine.dispose()
    assert tuple(rows) == (6, 6)
    assert files == 2


def test_run_exits_4_when_the_lock_is_held(tmp_path: Path, db_url: str) -> None:
    from tracker.store import make_engine, run_lock, upgrade

    project = make_project(tmp_path)
    upgrade(db_url)
    engine = make_engine(db_url)
    try:
        with run_lock(engine, "run", wait=False):
            result = tracker("run", "--no-wait", cwd=project, db=db_url)
    finally:
        engine.dispose()
    assert result.returncode == 4
    assert "another tracker run or the scheduler is recomputing now" in result.stderr
    assert tracker("run", "--no-wait", cwd=project, db=db_url).returncode == 0


def test_inbox_files_are_archived_or_rejected_with_a_report(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    inbox = project / "inbox"
    inbox.mkdir()
    (inbox / "pm10-days--2024.csv").write_text(
        "periodo;valore;fonte\n2022;61;https://example.org/s\n2023;49;https://example.org/s\n",
        encoding="cp1252",
    )
    (inbox / "bike-trips--bad.csv").write_text("period,value\n2019,-5\n", encoding="utf-8")
    (inbox / "unknown.csv").write_text("period,value\n2019,5\n", encoding="utf-8")
    result = tracker("run", cwd=project)
    assert result.returncode == 1
    assert not any(inbox.iterdir())
    archived = list((project / "var" / "archive").rglob("*.csv"))
    rejected = sorted(p.name for p in (project / "var" / "rejected").rglob("*") if p.is_file())
    assert [p.name for p in archived] == ["pm10-days--2024.csv"]
    assert rejected == [
        "bike-trips--bad.csv",
        "bike-trips--bad.csv.problems.txt",
        "unknown.csv",
        "unknown.csv.problems.txt",
    ]
    report = next((project / "var" / "rejected").rglob("bike-trips--bad.csv.problems.txt")).read_text(
        encoding="utf-8"
    )
    assert report.startswith("inbox/bike-trips--bad.csv:2:value:")
    assert "pm10-days" in tracker("history", "pm10-days", cwd=project).stdout


def test_a_changed_default_template_rebuilds_a_project_without_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fingerprint hashes the templates the site is built from, not only a project's own copy."""
    from datetime import UTC, datetime

    import tracker.site.folders
    from tracker import config, pipeline

    defaults = tmp_path / "default-templates"
    shutil.copytree(REPO / "templates", defaults)
    monkeypatch.setattr(tracker.site.folders, "REPO_TEMPLATES", defaults)
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite'}")
    project = make_project(tmp_path)
    assert not (project / "templates").exists()
    now = datetime(2026, 12, 2, 9, tzinfo=UTC)
    pipeline.run(config.load(project), now=now, updates=False)
    assert pipeline.run(config.load(project), now=now, updates=False).skipped_build
    guide = defaults / "_guide_en.html"
    guide.write_text(
        guide.read_text(encoding="utf-8").replace("</h1>", " (revised)</h1>", 1), encoding="utf-8"
    )
    again = pipeline.run(config.load(project), now=now, updates=False)
    assert not again.skipped_build
    assert "(revised)" in (project / "site" / "en" / "guide.html").read_text(encoding="utf-8")
