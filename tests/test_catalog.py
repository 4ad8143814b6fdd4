"""Indicator definitions: every problem at once, located by file, line and key path."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_end_to_end import make_project
from tracker import catalog
from tracker.problems import ProblemsFound


def test_synthetic_catalogue_loads_in_order(tmp_path: Path) -> None:
    cat = catalog.load(make_project(tmp_path) / "indicators")
    assert [o.id for o in cat.objectives] == ["mobility", "environment"]
    assert [e.indicator.id for e in cat.entries] == ["bike-trips", "waste-sorted", "pm10-days"]
    assert cat.entry("pm10-days").data_file is None
    assert cat.entry("bike-trips").data_file == tmp_path / "indicators" / "mobility" / "bike-trips.csv"
    assert cat.entry("pm10-days").indicator.sign == -1


def test_cross_file_problems_all_reported(tmp_path: Path) -> None:
    ind = make_project(tmp_path) / "indicators"
    text = (ind / "mobility" / "bike-trips.yaml").read_text(encoding="utf-8")
    (ind / "mobility" / "copy.yaml").write_text(text, encoding="utf-8")
    orphan = text.replace("id: bike-trips", "id: orphan").replace("objective: mobility", "objective: space")
    (ind / "mobility" / "orphan.yaml").write_text(orphan, encoding="utf-8")
    bad_target = (
        (ind / "environment" / "waste-sorted.yaml")
        .read_text(encoding="utf-8")
        .replace("value: 70", "value: 170")
    )
    (ind / "environment" / "waste-sorted.yaml").write_text(bad_target, encoding="utf-8")
    with pytest.raises(ProblemsFound) as err:
        catalog.load(ind)
    found = [str(p) for p in err.value.problems]
    assert (
        "indicators/mobility/copy.yaml:1: id: id 'bike-trips' differs from the file name (fix: rename the file to bike-trips.yaml)"
        in found
    )
    assert any(
        s.startswith("indicators/mobility/copy.yaml:1: id: duplicate indicator id 'bike-trips'")
        for s in found
    )
    assert (
        "indicators/mobility/orphan.yaml:2: objective: unknown objective 'space' "
        "(fix: use one of: environment, mobility)"
    ) in found
    assert (
        "indicators/environment/waste-sorted.yaml:8: target.value: 170 is outside the range of a percent (0..100)"
        " (fix: check the value or the unit)"
    ) in found
    assert len(found) == 4


def test_missing_objectives_file(tmp_path: Path) -> None:
    ind = make_project(tmp_path) / "indicators"
    (ind / "objectives.yaml").unlink()
    with pytest.raises(ProblemsFound) as err:
        catalog.load(ind)
    assert (
        str(err.value.problems[0])
        == "indicators/objectives.yaml: file not found (fix: declare the objectives here)"
    )
