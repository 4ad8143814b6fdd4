"""The benchmark on a tiny SYNTHETIC catalogue: the figures are all there and positive (no timed assertions)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tracker import catalog
from tracker.bench import synthetic
from tracker.intake.validate import read_observations

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO.parent / "shared" / "data" / "opensdg-cif-sample"  # Statistics Canada's Open SDG sample


def test_generated_catalogue_is_labelled_synthetic_and_valid(tmp_path: Path) -> None:
    facts = synthetic.generate(tmp_path, indicators=9, years=4, series=3, seed=7)
    assert facts["observations"] == 9 * 4 * 3
    assert "SYNTHETIC" in (tmp_path / "config.yaml").read_text(encoding="utf-8")
    cat = catalog.load(tmp_path / "indicators")
    assert len(cat.objectives) == 7 and len(cat.entries) == 9
    rows = 0
    for entry in cat.entries:
        assert "Synthetic" in entry.indicator.name.en
        assert entry.data_file is not None
        observations, problems = read_observations(entry.data_file, entry.indicator)
        assert problems == []
        assert {o.series for o in observations} == {"", "municipio=1", "municipio=2"}  # headline + 2 municipi
        rows += len(observations)
    assert rows == facts["observations"]
    # Same seed, same catalogue.
    again = tmp_path / "again"
    synthetic.generate(again, indicators=9, years=4, series=3, seed=7)
    first = sorted((tmp_path / "indicators").rglob("*.csv"))[0]
    assert first.read_bytes() == (again / first.relative_to(tmp_path)).read_bytes()


def test_change_one_value_changes_one_cell(tmp_path: Path) -> None:
    synthetic.generate(tmp_path, indicators=3, years=5, series=2)
    before = {p: p.read_text(encoding="utf-8") for p in (tmp_path / "indicators").rglob("*.csv")}
    changed = synthetic.change_one_value(tmp_path)
    after = {p: p.read_text(encoding="utf-8") for p in before}
    assert [p for p in before if before[p] != after[p]] == [changed]
    old = list(csv.reader(before[changed].splitlines()))
    new = list(csv.reader(after[changed].splitlines()))
    assert sum(a != b for ra, rb in zip(old, new, strict=True) for a, b in zip(ra, rb, strict=True)) == 1


def _positive_build(run: dict) -> None:
    assert run["wall_s"] > 0 and run["peak_rss_mb"] > 0
    assert all(v >= 0 for v in run["stages"].values())
    assert sum(run["stages"].values()) > 0


@pytest.mark.slow
def test_bench_command_reports_every_figure(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("TRACKER_DATABASE_URL", "TRACKER_PROJECT")}
    env["PYTHONPATH"] = str(REPO)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tracker",
            "bench",
            "--indicators",
            "8",
            "--years",
            "4",
            "--series",
            "2",
            "--repeat",
            "1",
            "--milan",
            "--project",
            str(REPO),
            "--merge-rows",
            "3000",
            "--opensdg",
            str(SAMPLE),
            "--json",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert "synthetic" in result["note"].lower()
    assert result["catalogue"]["observations"] == 8 * 4 * 2
    syn = result["synthetic"]
    for name in ("cold", "warm", "incremental"):
        _positive_build(syn[name])
    for stage in ("definitions", "read_validate", "store", "assess", "site"):
        assert syn["cold"]["stages"][stage] > 0, stage
    assert syn["cold"]["files"] == {"accepted": 8}
    assert syn["warm"]["files"] == {"unchanged": 8}
    assert syn["incremental"]["files"] == {"accepted": 1, "unchanged": 7}
    assert syn["site"]["bytes"] > 0 and syn["site"]["files"] > 0 and syn["site"]["pages"] > 8
    assert syn["written"]["incremental"]["files_changed"] > 0
    naive = result["naive"]
    assert naive["files"] == 8 and naive["bytes"] > 8 * 1_000_000  # plotly.js embedded in each page
    assert naive["wall_s"] > 0 and naive["peak_rss_mb"] > 0
    assert result["ratios"]["time"] > 0 and result["ratios"]["bytes"] > 0
    assert result["help"]["wall_s"] > 0
    milan = result["milan"]
    _positive_build(milan["cold"])
    _positive_build(milan["warm"])
    assert milan["cold"]["files"].get("accepted", 0) > 0 and not milan["cold"]["files"].get("rejected")
    assert milan["site"]["pages"] > 0
    assert result["machine"]["nproc"] >= 1
    merge = result["merge"]  # the store's bulk merge, once a timed assertion of the tests
    assert (merge["rows"], merge["revisions"], merge["database"]) == (3000, 1000, "sqlite")
    assert merge["load_wall_s"] > 0 and merge["revise_wall_s"] > 0 and merge["process_cpu_s"] > 0
    assert merge["load_cpu_s"] >= 0 and merge["revise_cpu_s"] >= 0 and merge["peak_rss_mb"] > 0
    sdg = result["opensdg"]  # real data: imported with `tracker import opensdg`, then a cold run
    assert sdg["source"] == str(SAMPLE)
    assert (sdg["one"]["languages"], sdg["two"]["languages"]) == (["en"], ["it", "en"])
    for name in ("one", "two"):
        s = sdg[name]
        assert s["indicators"] == 20 and s["observations"] > 10_000  # every sample indicator, every value
        assert s["import_cpu_s"] > 0 and s["run_cpu_s"] > 0 and s["run_wall_s"] > 0 and s["peak_rss_mb"] > 0
        cost = (s["import_cpu_s"] + s["run_cpu_s"]) / s["observations"] * 1e6
        assert s["cpu_us_per_observation"] == pytest.approx(cost)
    assert sdg["two"]["site"]["pages"] > sdg["one"]["site"]["pages"] > 20  # a page per indicator and language
    keys = {t["key"] for t in result["targets"]}
    assert {"full_build_s", "peak_rss_mb", "incremental_s", "help_s", "milan_cold_s"} <= keys
    full = next(t for t in result["targets"] if t["key"] == "full_build_s")
    assert full["applies"] is False and full["met"] is None  # targets are for 1,000 x 30 x 10 only
    merge_target = next(t for t in result["targets"] if t["key"] == "merge_load_s")
    assert merge_target["applies"] is False and merge_target["met"] is None  # for 300,000 values only
