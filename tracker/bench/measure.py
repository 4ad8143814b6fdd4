"""Measuring: child processes timed with ``os.wait4``, cold/warm/incremental builds, the naive approach, targets."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracker import hash_code
from tracker.bench import merge
from tracker.bench.synthetic import DISAGGREGATION, change_one_value, copy_project, generate

PACKAGE_PARENT = Path(__file__).resolve().parents[2]
#: key -> (limit, unit, what); ``full`` targets apply to the 1,000 x 30 x 10 catalogue only.
#: The synthetic targets are issue #18's (a quiet run of the project's 2-core machine).
TARGETS: dict[str, tuple[float, str, str]] = {
    "milan_cold_s": (3.0, "s", "Milan catalogue: `tracker run`, cold"),
    "milan_warm_s": (1.0, "s", "Milan catalogue: second run, nothing changed"),
    "full_build_s": (5.0, "s", "synthetic full build, cold"),
    "peak_rss_mb": (500.0, "MB", "peak memory of the full build"),
    "incremental_s": (1.0, "s", "rebuild after one changed data file"),
    "warm_s": (0.5, "s", "second run, nothing changed"),
    "naive_time_ratio": (0.05, "x", "time against the naive approach (20 times less)"),
    "naive_bytes_ratio": (0.02, "x", "site size against the naive approach (50 times smaller)"),
    "help_s": (0.5, "s", "`tracker --help`"),
    # Once a timed assertion of the test suite (tests/test_store_perf.py), with the same ceiling.
    "merge_load_s": (20.0, "s", "store: 300,000 new values of one file, SQLite"),
    "merge_revise_s": (20.0, "s", "store: the file again, 100,000 of its values revised"),
}
FULL_SIZE = (1000, 30, 10)


@dataclass
class Child:
    code: int
    wall_s: float
    cpu_s: float  # user + system: less sensitive than wall time to other load on the machine
    maxrss_mb: float
    stdout: str
    stderr: str


def spawn(args: list[str], cwd: Path) -> Child:
    """Run ``python ARGS`` and return its wall time and peak resident memory (``os.wait4``)."""
    env = {k: v for k, v in os.environ.items() if k not in ("TRACKER_DATABASE_URL", "TRACKER_PROJECT")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PACKAGE_PARENT), env.get("PYTHONPATH", "")) if p)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, *args], cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Child(
            proc.returncode,
            wall,
            usage.ru_utime + usage.ru_stime,
            usage.ru_maxrss / 1024,
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
        )


def build(project: Path, force: bool = False, profile: Path | None = None) -> dict[str, Any]:
    """One ``tracker run`` in a child process: wall time, peak memory, stages, outcome."""
    out = project / ".bench-probe.json"
    args = [
        "-m",
        "tracker.bench",
        "probe",
        str(out),
        *(["--profile", str(profile)] if profile else []),
        "--",
        "run",
        "--project",
        str(project),
        *(["--force"] if force else []),
    ]
    child = spawn(args, project)
    if child.code not in (0, 1) or not out.exists():
        raise RuntimeError(f"tracker run failed (exit {child.code}):\n{child.stderr[-3000:]}")
    probe = json.loads(out.read_text())
    out.unlink()
    probe["stages"]["startup_exit"] = max(0.0, child.wall_s - probe.pop("inside_s"))
    return {
        "wall_s": child.wall_s,
        "cpu_s": child.cpu_s,
        "peak_rss_mb": child.maxrss_mb,
        **probe,
        "stderr": child.stderr[-2000:],
    }


def site_path(project: Path) -> Path:
    from tracker import config

    return config.load(project).path("site")


def snapshot(site: Path) -> dict[str, tuple[int, int, str]]:
    """Every file of the site: (inode, mtime_ns, content hash), to tell written from changed files."""
    found = {}
    for path in site.rglob("*") if site.is_dir() else []:
        if path.is_file():
            st = path.stat()
            found[str(path.relative_to(site))] = (
                st.st_ino,
                st.st_mtime_ns,
                hashlib.blake2b(path.read_bytes()).hexdigest(),
            )
    return found


def compare(
    before: dict[str, tuple[int, int, str]], after: dict[str, tuple[int, int, str]]
) -> dict[str, int]:
    written = sum(1 for k, v in after.items() if k not in before or before[k][:2] != v[:2])
    changed = sum(1 for k, v in after.items() if k not in before or before[k][2] != v[2])
    pages = sum(
        1 for k, v in after.items() if k.endswith(".html") and (k not in before or before[k][:2] != v[:2])
    )
    return {
        "files_written": written,
        "files_changed": changed,
        "pages_written": pages,
        "files_removed": len(before.keys() - after.keys()),
    }


def size_of(files: dict[str, tuple[int, int, str]], site: Path) -> dict[str, int]:
    return {
        "bytes": sum((site / k).stat().st_size for k in files),
        "files": len(files),
        "pages": sum(1 for k in files if k.endswith(".html")),
    }


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def _stages(runs: list[dict[str, Any]]) -> dict[str, float]:
    keys = sorted({k for r in runs for k in r["stages"]})
    return {k: median([r["stages"].get(k, 0.0) for r in runs]) for k in keys}


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "wall_s": median([r["wall_s"] for r in runs]),
        "min_s": min(r["wall_s"] for r in runs),
        "max_s": max(r["wall_s"] for r in runs),
        "cpu_s": median([r["cpu_s"] for r in runs]),
        "peak_rss_mb": median([r["peak_rss_mb"] for r in runs]),
        "stages": _stages(runs),
        "site_pages": runs[-1]["site_pages"],
        "files": runs[-1]["files"],
        "skipped_build": runs[-1]["skipped_build"],
        "skipped_builds": sum(bool(r["skipped_build"]) for r in runs),
    }


def measure_project(
    project: Path,
    repeat: int,
    incremental: bool,
    log: Callable[[str], None],
    label: str,
    profile: Path | None = None,
) -> dict[str, Any]:
    """Cold, warm (nothing changed) and optionally incremental builds of fresh copies of ``project``."""
    cold, warm, inc, written, size = [], [], [], [], {}
    with tempfile.TemporaryDirectory(prefix="tracker-bench-") as tmp:
        for r in range(repeat):
            work = copy_project(project, Path(tmp) / f"{label}-{r}")
            site = site_path(work)
            log(f"{label} {r + 1}/{repeat}: cold build")
            cold.append(build(work))
            if cold[-1]["files"].get("rejected"):
                raise RuntimeError(f"{label}: files were rejected:\n{cold[-1]['stderr']}")
            before = snapshot(site)
            size = size_of(before, site)
            log(f"{label} {r + 1}/{repeat}: second run, nothing changed")
            warm.append(build(work))
            after = snapshot(site)
            entry = {"warm": compare(before, after)}
            if incremental:
                change_one_value(work)
                log(f"{label} {r + 1}/{repeat}: one data file changed")
                inc.append(build(work))
                entry["incremental"] = compare(after, snapshot(site))
            written.append(entry)
            shutil.rmtree(work)
        if profile is not None:
            work = copy_project(project, Path(tmp) / f"{label}-profile")
            log(f"{label}: cold build under cProfile -> {profile}")
            build(work, profile=profile)
    result = {
        "cold": _summary(cold),
        "warm": _summary(warm),
        "site": size,
        "written": written[-1],
        "runs": {"cold": cold, "warm": warm, "incremental": inc},
    }
    if inc:
        result["incremental"] = _summary(inc)
    for runs in result["runs"].values():
        for run in runs:
            run.pop("stderr", None)
    return result


def measure_naive(project: Path, repeat: int, log: Callable[[str], None]) -> dict[str, Any]:
    runs = []
    for r in range(repeat):
        with tempfile.TemporaryDirectory(prefix="tracker-naive-") as tmp:
            log(
                f"naive {r + 1}/{repeat}: pandas.read_csv + plotly write_html(include_plotlyjs=True) per indicator"
            )
            child = spawn(["-m", "tracker.bench", "naive", str(project), tmp], project)
            if child.code != 0:
                raise RuntimeError(f"naive approach failed:\n{child.stderr[-3000:]}")
            files = [p for p in Path(tmp).rglob("*") if p.is_file()]
            runs.append(
                {
                    "wall_s": child.wall_s,
                    "cpu_s": child.cpu_s,
                    "peak_rss_mb": child.maxrss_mb,
                    "bytes": sum(p.stat().st_size for p in files),
                    "files": len(files),
                }
            )
    return {
        "wall_s": median([r["wall_s"] for r in runs]),
        "cpu_s": median([r["cpu_s"] for r in runs]),
        "peak_rss_mb": median([r["peak_rss_mb"] for r in runs]),
        "bytes": runs[-1]["bytes"],
        "files": runs[-1]["files"],
        "runs": runs,
    }


def measure_merge(rows: int, repeat: int, log: Callable[[str], None]) -> dict[str, Any]:
    """The store's bulk merge (``tracker.bench.merge``) in child processes: wall and CPU time of the load and of
    the revision, the child's whole wall and CPU time and its peak memory; medians of ``repeat`` runs."""
    runs = []
    with tempfile.TemporaryDirectory(prefix="tracker-bench-merge-") as tmp:
        out = Path(tmp) / "merge.json"
        for r in range(repeat):
            log(f"merge {r + 1}/{repeat}: {rows:,} new values into SQLite, then every third one revised")
            child = spawn(["-m", "tracker.bench", "merge", str(out), str(rows)], Path(tmp))
            if child.code != 0 or not out.exists():
                raise RuntimeError(f"merge benchmark failed (exit {child.code}):\n{child.stderr[-3000:]}")
            runs.append(
                {
                    **json.loads(out.read_text()),
                    "process_wall_s": child.wall_s,
                    "process_cpu_s": child.cpu_s,
                    "peak_rss_mb": child.maxrss_mb,
                }
            )
            out.unlink()
    return merge.summary(runs, median)


def measure_help(repeat: int) -> dict[str, Any]:
    runs = [spawn(["-m", "tracker", "--help"], PACKAGE_PARENT) for _ in range(max(repeat, 5))]
    return {
        "wall_s": median([c.wall_s for c in runs]),
        "cpu_s": median([c.cpu_s for c in runs]),
        "runs": [c.wall_s for c in runs],
    }


def machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    import platform

    return {
        "nproc": os.cpu_count(),
        "cpu": model or platform.processor(),
        "memory_gib": round(memory, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }  # other work on the machine skews wall times


def targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    p = result["parameters"]
    full = (p["indicators"], p["years"], p["series"]) == FULL_SIZE
    syn = result["synthetic"]
    milan = result.get("milan")
    values: dict[str, tuple[float | None, bool]] = {
        "milan_cold_s": (milan["cold"]["wall_s"] if milan else None, True),
        "milan_warm_s": (milan["warm"]["wall_s"] if milan else None, True),
        "full_build_s": (syn["cold"]["wall_s"], full),
        "peak_rss_mb": (syn["cold"]["peak_rss_mb"], full),
        "incremental_s": (syn["incremental"]["wall_s"], full),
        "warm_s": (syn["warm"]["wall_s"], full),
        "naive_time_ratio": (result["ratios"]["time"], full),
        "naive_bytes_ratio": (result["ratios"]["bytes"], full),
        "help_s": (result["help"]["wall_s"], True),
        "merge_load_s": (
            result["merge"]["load_wall_s"] if "merge" in result else None,
            result.get("merge", {}).get("rows") == merge.ROWS,
        ),
        "merge_revise_s": (
            result["merge"]["revise_wall_s"] if "merge" in result else None,
            result.get("merge", {}).get("rows") == merge.ROWS,
        ),
    }
    # CPU time (user + system, children included) beside each wall time: comparable on a loaded machine.
    naive_cpu = result["naive"]["cpu_s"]
    cpu: dict[str, float | None] = {
        "milan_cold_s": milan["cold"]["cpu_s"] if milan else None,
        "milan_warm_s": milan["warm"]["cpu_s"] if milan else None,
        "full_build_s": syn["cold"]["cpu_s"],
        "incremental_s": syn["incremental"]["cpu_s"],
        "warm_s": syn["warm"]["cpu_s"],
        "naive_time_ratio": syn["cold"]["cpu_s"] / naive_cpu if naive_cpu else None,
        "help_s": result["help"]["cpu_s"],
        "merge_load_s": result["merge"]["load_cpu_s"] if "merge" in result else None,
        "merge_revise_s": result["merge"]["revise_cpu_s"] if "merge" in result else None,
    }
    rows = []
    for key, (limit, unit, what) in TARGETS.items():
        value, applies = values[key]
        met = None if value is None or not applies else value <= limit
        rows.append(
            {
                "key": key,
                "what": what,
                "limit": limit,
                "unit": unit,
                "value": value,
                "cpu": cpu.get(key),
                "applies": applies,
                "met": met,
            }
        )
    inc = syn["written"].get("incremental")
    if inc is not None:
        rows.append(
            {
                "key": "incremental_pages",
                "what": "pages rewritten after one changed file (affected: the "
                "indicator, its objective and the list, in 2 languages, plus updates)",
                "limit": None,
                "unit": "pages",
                "value": inc["pages_written"],
                "applies": full,
                "met": None,
            }
        )
    return rows


def run_benchmark(
    indicators: int = 1000,
    years: int = 30,
    series: int = 10,
    repeat: int = 3,
    *,
    naive_repeat: int = 1,
    milan: Path | None = None,
    opensdg: Path | None = None,
    seed: int = 2013,
    profile: Path | None = None,
    merge_rows: int = merge.ROWS,
    log: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Generate the synthetic catalogue, measure tracker and the naive approach, the store's bulk merge of
    ``merge_rows`` values (0: skipped) and, given ``opensdg`` (an Open SDG data repository), its import and cold
    build in one language and two (``tracker.bench.opensdg``); return every figure."""
    started = time.perf_counter()
    code = hash_code()
    result: dict[str, Any] = {
        "note": "SYNTHETIC catalogue generated by `tracker bench` (seeded random walks): not real data",
        "parameters": {
            "indicators": indicators,
            "years": years,
            "series": series,
            "repeat": repeat,
            "naive_repeat": naive_repeat,
            "seed": seed,
            "merge_rows": merge_rows,
            "series_layout": f"headline (blank {DISAGGREGATION}) + {series - 1} municipi",
        },
        "machine": machine(),
    }
    with tempfile.TemporaryDirectory(prefix="tracker-bench-src-") as tmp:
        source = Path(tmp) / "synthetic"
        log(f"generating a synthetic catalogue: {indicators} indicators x {years} years x {series} series")
        result["catalogue"] = generate(source, indicators, years, series, seed)
        result["synthetic"] = measure_project(source, repeat, True, log, "synthetic", profile)
        result["naive"] = measure_naive(source, naive_repeat, log)
    if milan is not None:
        result["milan"] = measure_project(milan, repeat, False, log, "milan")
    if opensdg is not None:
        from tracker.bench.opensdg import measure_opensdg  # it uses this module's helpers

        result["opensdg"] = measure_opensdg(opensdg, repeat, log)
    if merge_rows:
        result["merge"] = measure_merge(merge_rows, repeat, log)
    log("tracker --help")
    result["help"] = measure_help(repeat)
    syn, naive = result["synthetic"], result["naive"]
    result["ratios"] = {
        "time": syn["cold"]["wall_s"] / naive["wall_s"],
        "bytes": syn["site"]["bytes"] / naive["bytes"],
        "memory": syn["cold"]["peak_rss_mb"] / naive["peak_rss_mb"],
    }
    result["targets"] = targets(result)
    result["code_changed_during_run"] = hash_code() != code
    result["bench_s"] = time.perf_counter() - started
    return result
