"""Measure one 1,000,000-row SYNTHETIC data file through ``tracker add`` and the next ``tracker run``.

Not a test (no timing is asserted anywhere): a script whose figures go into the reports and the README.
``python -m tracker.bench.million [--rows N] [--keep DIR]`` builds a throwaway project (one monthly indicator
with 9 x 100 series, as in ``tests/test_intake_scale.py``), then runs each step as its own process and prints
its wall time, its peak RSS (``getrusage`` of the finished child) and what the run wrote in ``site/data``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OBJECTIVES = """\
objectives:
  - id: mobility
    number: 1
    name: {it: Mobilità, en: Mobility}
    description: {it: "Obiettivo SINTETICO di misura.", en: "SYNTHETIC measurement objective."}
"""
INDICATOR = """\
id: big-series
objective: mobility
code: "1.1"
name: {it: "Serie grande (SINTETICA)", en: "Large series (SYNTHETIC)"}
definition: {it: "Dati sintetici per misurare la scala.", en: "Synthetic data to measure scale."}
unit: {kind: percent, label: {it: "%", en: "%"}}
direction: increase
target: {value: 90, year: 2030, basis: proposal, reference: {it: "Prova", en: "Test"}}
frequency: monthly
standards: ["synthetic"]
source: {name: Synthetic, url: "https://example.org/synthetic"}
disaggregations:
  - {column: municipio, label: {it: Municipio, en: District}, values: ["1","2","3","4","5","6","7","8","9"]}
  - {column: zona, label: {it: Zona, en: Zone}, values: [ZONES]}
""".replace("ZONES", ", ".join(f'"z{i}"' for i in range(100)))


def make(root: Path, rows: int) -> Path:
    """The project, and the data file outside it (``tracker add`` takes it from anywhere)."""
    ind = root / "indicators" / "mobility"
    ind.mkdir(parents=True)
    (root / "indicators" / "objectives.yaml").write_text(OBJECTIVES, encoding="utf-8")
    (ind / "big-series.yaml").write_text(INDICATOR, encoding="utf-8")
    (root / "config.yaml").write_text("database: {url: sqlite:///var/tracker.sqlite}\n", encoding="utf-8")
    data = root.parent / "big-series.csv"
    with data.open("w", encoding="utf-8") as fh:
        fh.write("period,municipio,zona,value,note,flag,source\n")
        for i in range(rows):  # 900 series a month from 1900-01: every (series, period) once
            month = i // 900
            fh.write(
                f"{1900 + month // 12}-{month % 12 + 1:02d},{i % 9 + 1},z{i // 9 % 100},{i % 1000 / 10},,,\n"
            )
    return data


def step(args: list[str], cwd: Path) -> dict[str, object]:
    """Run ``tracker ARGS`` in a fresh measuring process, so the peak RSS is this step's alone."""
    probe = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        "r = subprocess.run([sys.executable, '-m', 'tracker', *sys.argv[1:]]); "
        "print(r.returncode, time.perf_counter() - t, "
        "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)"
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(Path(__file__).resolve().parents[2]), os.environ.get("PYTHONPATH", "")])
        ),
    }
    done = subprocess.run(
        [sys.executable, "-c", probe, *args], cwd=cwd, env=env, capture_output=True, text=True
    )
    code, seconds, kib = done.stderr.strip().splitlines()[-1].split()
    return {
        "command": "tracker " + " ".join(args),
        "exit": int(code),
        "seconds": round(float(seconds), 1),
        "peak_rss_mb": round(int(kib) / 1024),
        "stdout": done.stdout.strip().splitlines()[-3:],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="build the project here and keep it")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = (options.keep or Path(tmp) / "project").resolve()
        started = time.perf_counter()
        data = make(root, options.rows)
        result: dict[str, object] = {
            "rows": options.rows,
            "file_mb": round(data.stat().st_size / 2**20, 1),
            "generated_in_s": round(time.perf_counter() - started, 1),
        }
        result["add"] = step(["add", str(data), "--indicator", "big-series"], root)
        result["run"] = step(["run"], root)
        site_data = root / "site" / "data"
        result["site_data_mb"] = (
            {p.name: round(p.stat().st_size / 2**20, 1) for p in sorted(site_data.glob("big-series*"))}
            if site_data.is_dir()
            else {}
        )
        result["this_process_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
