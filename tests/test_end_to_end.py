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
        (ind / objective / f"{id_}.yaml").write_text(INDICATOR.format(
            id=id_, objective=objective, code=code, kind=kind, label=label, direction=direction, target=target),
            encoding="utf-8")
    (ind / "mobility" / "bike-trips.csv").write_text(
        "period,value,source,note,flag\n2013,1900000,https://example.org/s,synthetic,\n"
        "2016,3600000,https://example.org/s,synthetic,\n2018,4300000,https://example.org/s,synthetic,\n",
        encoding="utf-8")
    (ind / "environment" / "waste-sorted.csv").write_text(
        "period,value,source,note,flag\n2012,36.7,https://example.org/s,,\n2015,52.7,https://example.org/s,,\n"
        "2020,62.6,https://example.org/s,,\n", encoding="utf-8")
    (root / "config.yaml").write_text("database:\n  url: sqlite:///var/test.sqlite\n", encoding="utf-8")
    return root


def tracker(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    full_env.pop("TRACKER_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "tracker", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=300)


def test_run_builds_site_and_second_run_changes_nothing(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    first = tracker("run", cwd=project)
    assert first.returncode == 0, first.stderr
    assert "2 accepted" in first.stdout
    assert (project / "site" / "index.html").exists()
    card = json.loads((project / "site" / "scorecard.json").read_text(encoding="utf-8"))
    assert len(card["objectives"]) == 2

    second = tracker("run", cwd=project)
    assert second.returncode == 0, second.stderr
    assert "0 accepted, 2 unchanged" in second.stdout
    assert "nothing changed" in second.stdout


def test_rejected_file_exit_code_and_site_still_built(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    assert tracker("run", cwd=project).returncode == 0
    bad = project / "indicators" / "environment" / "waste-sorted.csv"
    bad.write_text("period,value,source,note,flag\n2012,36.7,https://example.org/s,,\n2021,abc,https://x.org,,\n",
                   encoding="utf-8")
    result = tracker("run", cwd=project)
    assert result.returncode == 1
    assert "indicators/environment/waste-sorted.csv:3:value:" in result.stderr
    history = tracker("history", "waste-sorted", cwd=project)
    assert "62.6" in history.stdout  # accepted data is still there
    assert (project / "site" / "index.html").exists()


def test_revision_kept_in_history(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    assert tracker("run", cwd=project).returncode == 0
    data = project / "indicators" / "environment" / "waste-sorted.csv"
    data.write_text(data.read_text(encoding="utf-8").replace("62.6", "63.1"), encoding="utf-8")
    result = tracker("run", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "1 revised" in result.stdout
    history = tracker("history", "waste-sorted", cwd=project).stdout
    assert "62.6" in history and "63.1" in history


def test_invalid_definition_reports_line_and_changes_nothing(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    path = project / "indicators" / "environment" / "pm10-days.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("direction: decrease", "direction: down\ncolour: red"),
                    encoding="utf-8")
    result = tracker("run", cwd=project)
    assert result.returncode == 3
    assert "indicators/environment/pm10-days.yaml:7: direction: Input should be 'increase' or 'decrease'" in result.stderr
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
