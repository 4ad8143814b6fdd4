"""The benchmark's real-data scenario: an Open SDG data repository (by default Statistics Canada's sample in
``../shared/data/opensdg-cif-sample``) imported with ``tracker import opensdg`` and built cold, with one language
and with two, so that the cost per observation of real data is tracked from run to run.

Real data, unlike the synthetic catalogue: irregular periods, many disaggregations, notes and long series.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tracker.bench.measure import PACKAGE_PARENT, build, median, site_path, size_of, snapshot, spawn

#: Statistics Canada's Open SDG sample, beside the repository (see its SOURCE.md); absent in an installed copy.
SAMPLE = PACKAGE_PARENT.parent / "shared" / "data" / "opensdg-cif-sample"
#: The language settings measured: the platform's English only, then the site in Italian and English.
LANGUAGES: dict[str, list[str]] = {"one": ["en"], "two": ["it", "en"]}

_OBJECTIVES = """\
objectives:
  - id: world
    number: 1
    name: {it: "Open SDG (benchmark)", en: "Open SDG (benchmark)"}
    description: {it: "Indicatori importati da un repository Open SDG.", en: "Indicators imported from an Open SDG repository."}
"""


def make_project(root: Path, languages: list[str]) -> Path:
    """An empty project (one objective, SQLite) whose site has ``languages``."""
    (root / "indicators").mkdir(parents=True)
    (root / "indicators" / "objectives.yaml").write_text(_OBJECTIVES, encoding="utf-8")
    (root / "config.yaml").write_text(
        "# Benchmark project written by `tracker bench`: real Open SDG data, imported.\n"
        f"languages: [{', '.join(languages)}]\n"
        f"default_language: {languages[0]}\n"
        "database:\n  url: sqlite:///var/bench.sqlite\n",
        encoding="utf-8",
    )
    return root


def _one(folder: Path, languages: list[str], work: Path) -> dict[str, Any]:
    project = make_project(work, languages)
    imported = spawn(
        [
            "-m",
            "tracker",
            "import",
            "opensdg",
            str(folder.resolve()),
            "--objective",
            "world",
            "--project",
            str(project),
        ],
        project,
    )
    if imported.code != 0:
        raise RuntimeError(
            f"tracker import opensdg failed (exit {imported.code}):\n{imported.stderr[-3000:]}"
        )
    run = build(project)
    if run["files"].get("rejected"):
        raise RuntimeError(f"Open SDG: files were rejected:\n{run['stderr']}")
    run.pop("stderr", None)
    site = site_path(project)
    observations = int(run["observations_added"])
    cpu = imported.cpu_s + run["cpu_s"]
    return {
        "import_wall_s": imported.wall_s,
        "import_cpu_s": imported.cpu_s,
        "run_wall_s": run["wall_s"],
        "run_cpu_s": run["cpu_s"],
        "peak_rss_mb": max(imported.maxrss_mb, run["peak_rss_mb"]),
        "indicators": sum(run["files"].values()),
        "observations": observations,
        "cpu_us_per_observation": cpu / observations * 1e6 if observations else None,
        "run_cpu_us_per_observation": run["cpu_s"] / observations * 1e6 if observations else None,
        "site": size_of(snapshot(site), site),
        "stages": run["stages"],
    }


def measure_opensdg(folder: Path, repeat: int, log: Callable[[str], None]) -> dict[str, Any]:
    """Import + cold ``tracker run`` of ``folder`` in fresh projects, for each of :data:`LANGUAGES`; medians of
    ``repeat`` runs, CPU time (user + system) beside wall time and per observation."""
    result: dict[str, Any] = {
        "source": str(folder),
        "note": "REAL data: an Open SDG repository, imported with `tracker import opensdg` and built cold",
    }
    with tempfile.TemporaryDirectory(prefix="tracker-bench-opensdg-") as tmp:
        for name, languages in LANGUAGES.items():
            runs = []
            for r in range(repeat):
                log(f"Open SDG, languages {'+'.join(languages)} {r + 1}/{repeat}: import, then a cold run")
                runs.append(_one(folder, languages, Path(tmp) / f"{name}-{r}"))
            numbers = [k for k, v in runs[0].items() if isinstance(v, int | float) and k != "observations"]
            result[name] = {
                "languages": languages,
                **{k: median([run[k] for run in runs if run[k] is not None]) for k in numbers},
                "observations": runs[-1]["observations"],
                "indicators": runs[-1]["indicators"],
                "site": runs[-1]["site"],
                "runs": runs,
            }
    return result
