"""Benchmark of ``tracker run`` on a SYNTHETIC catalogue, against the naive pandas + Plotly approach.

Each build runs in its own process (``python -m tracker.bench probe ... -- run``: the real CLI, with a timer
around each pipeline stage), so import costs are counted and peak memory is the child's ``ru_maxrss`` from
``os.wait4``. Nothing here is imported by the tracker itself; docs/performance.md has the figures and the method.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import importlib.abc
import importlib.machinery
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PACKAGE_PARENT = Path(__file__).resolve().parents[1]
OBJECTIVES = 7
LAST_YEAR = 2024
DISAGGREGATION = "municipio"
SYNTHETIC_URL = "https://example.org/synthetic-benchmark"
#: Unit kind, label, decimals and the range the random walk stays in (within the kind's bounds).
KINDS = [("percent", "%", 1, 0.0, 100.0), ("count", "n.", 0, 0.0, 5000.0), ("rate", "‰", 1, 0.0, 50.0),
         ("amount", "EUR", 1, 0.0, 100000.0), ("index", "idx", 1, -50.0, 150.0)]
#: key -> (limit, unit, what); ``full`` targets apply to the 1,000 x 30 x 10 catalogue only.
TARGETS: dict[str, tuple[float, str, str]] = {
    "milan_cold_s": (3.0, "s", "Milan catalogue: `tracker run`, cold"),
    "milan_warm_s": (1.0, "s", "Milan catalogue: second run, nothing changed"),
    "full_build_s": (15.0, "s", "synthetic full build, cold"),
    "peak_rss_mb": (1024.0, "MB", "peak memory of the full build"),
    "incremental_s": (2.0, "s", "rebuild after one changed data file"),
    "help_s": (0.5, "s", "`tracker --help`"),
}
FULL_SIZE = (1000, 30, 10)


# --- the synthetic catalogue -------------------------------------------------------------------------------

def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid YAML 1.2 scalar


def _walk(rng: random.Random, n: int, low: float, high: float, decimals: int) -> list[str]:
    """A seeded random walk that reflects off ``low``/``high``."""
    span = high - low
    value, out = low + span * rng.uniform(0.2, 0.8), []
    for _ in range(n):
        value += rng.gauss(0.0, span * 0.03)
        if value < low:
            value = 2 * low - value
        if value > high:
            value = 2 * high - value
        out.append(f"{min(max(value, low), high):.{decimals}f}")
    return out


def generate(root: Path, indicators: int, years: int, series: int, seed: int = 2013) -> dict[str, int]:
    """Write a SYNTHETIC project (config.yaml, 7 objectives, definitions, data files) under ``root``.

    Each indicator has ``years`` annual values in ``series`` series: the headline (blank ``municipio``) plus
    ``series - 1`` municipi, so a file holds ``years * series`` observations.
    """
    if not (1 <= years <= 120 and series >= 1 and indicators >= 1):
        raise ValueError("need indicators >= 1, 1 <= years <= 120, series >= 1")
    ind_dir = root / "indicators"
    ind_dir.mkdir(parents=True, exist_ok=True)
    (root / "config.yaml").write_text(
        "# SYNTHETIC benchmark project written by `tracker bench`: not real data.\n"
        "city:\n  id: synthetic-city\n  name: Synthetic City (benchmark)\n"
        "  title: {it: \"Città sintetica — benchmark (dati sintetici)\", en: \"Synthetic City — benchmark (synthetic data)\"}\n"
        "  strategy: {it: \"Strategia sintetica\", en: \"Synthetic strategy\"}\n"
        "database:\n  url: sqlite:///var/bench.sqlite\n", encoding="utf-8")
    lines = ["objectives:"]
    for k in range(1, OBJECTIVES + 1):
        lines += [f"  - id: synthetic-objective-{k}", f"    number: {k}",
                  f"    name: {{it: \"Obiettivo sintetico {k}\", en: \"Synthetic objective {k}\"}}",
                  "    description: {it: \"Obiettivo sintetico del benchmark.\", en: \"Synthetic benchmark objective.\"}"]
        (ind_dir / f"synthetic-objective-{k}").mkdir(exist_ok=True)
    (ind_dir / "objectives.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    first = LAST_YEAR - years + 1
    values = [str(v) for v in range(1, series)]
    data_bytes = 0
    for i in range(indicators):
        rng = random.Random(seed * 1_000_003 + i)
        kind, label, decimals, low, high = KINDS[i % len(KINDS)]
        objective = i % OBJECTIVES + 1
        ident = f"syn-{i + 1:04d}"
        direction = "increase" if i % 2 == 0 else "decrease"
        target = low + (high - low) * (0.9 if direction == "increase" else 0.1)
        definition = [
            f"id: {ident}", f"objective: synthetic-objective-{objective}", f"code: \"{objective}.{i // OBJECTIVES + 1}\"",
            f"name: {{it: {_q(f'Indicatore sintetico {ident}')}, en: {_q(f'Synthetic indicator {ident}')}}}",
            "definition: {it: \"Serie sintetica generata dal benchmark.\", en: \"Synthetic series generated by the benchmark.\"}",
            f"unit: {{kind: {kind}, label: {{it: {_q(label)}, en: {_q(label)}}}, decimals: {decimals}}}",
            f"direction: {direction}", f"baseline: {{year: {first}}}",
            f"target: {{value: {target:g}, year: {LAST_YEAR + 6}, basis: proposal, "
            "reference: {it: \"Obiettivo sintetico\", en: \"Synthetic target\"}}",
            "frequency: annual", "standards: [\"synthetic\"]", f"source: {{name: Synthetic, url: \"{SYNTHETIC_URL}\"}}",
            "data_note: {it: \"Dati sintetici: non sono dati reali.\", en: \"Synthetic data: not real figures.\"}",
        ]
        if values:
            definition.append(f"disaggregations:\n  - {{column: {DISAGGREGATION}, label: {{it: Municipio, "
                              f"en: Municipality}}, values: [{', '.join(_q(v) for v in values)}]}}")
        folder = ind_dir / f"synthetic-objective-{objective}"
        (folder / f"{ident}.yaml").write_text("\n".join(definition) + "\n", encoding="utf-8")
        header = "period,value,source,note,flag" + (f",{DISAGGREGATION}" if values else "")
        rows = [header]
        for key in ["", *values]:
            tail = f",{key}" if values else ""
            for year, value in zip(range(first, LAST_YEAR + 1), _walk(rng, years, low, high, decimals), strict=True):
                rows.append(f"{year},{value},{SYNTHETIC_URL},synthetic,{tail}")
        text = "\n".join(rows) + "\n"
        (folder / f"{ident}.csv").write_text(text, encoding="utf-8")
        data_bytes += len(text.encode())
    return {"indicators": indicators, "objectives": OBJECTIVES, "years": years, "series": series,
            "observations": indicators * years * series, "data_files": indicators, "data_bytes": data_bytes}


def change_one_value(project: Path) -> Path:
    """Change the latest headline value of the middle indicator by one unit of its last decimal (within bounds)."""
    files = sorted((project / "indicators").rglob("*.csv"))
    path = files[len(files) // 2]
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    i = max((k for k in range(1, len(rows)) if len(rows[k]) < 6 or rows[k][5] == ""), key=lambda k: rows[k][0])
    text = rows[i][1]
    decimals = len(text.split(".")[1]) if "." in text else 0
    step = 10.0 ** -decimals
    value = float(text)
    rows[i][1] = f"{value - step if value >= 1 else value + step:.{decimals}f}"
    path.write_text("".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    return path


def copy_project(source: Path, target: Path) -> Path:
    """Definitions, data, config.yaml and templates: no database, no site."""
    target.mkdir(parents=True)
    for name in ("indicators", "templates"):
        if (source / name).is_dir():
            shutil.copytree(source / name, target / name)
    if (source / "config.yaml").exists():
        shutil.copy2(source / "config.yaml", target / "config.yaml")
    return target


# --- child processes ---------------------------------------------------------------------------------------

#: module -> (function, stage); a stage's time excludes the timed calls nested in it.
HOOKS: dict[str, list[tuple[str, str]]] = {
    "tracker.config": [("load", "config")],
    "tracker.catalog": [("load", "definitions")],
    "tracker.pipeline": [("open_database", "database"), ("read_file", "read_validate"), ("take_in", "store"),
                         ("inputs_fingerprint", "fingerprint"), ("assess_all", "assess"), ("run", "pipeline_other")],
    "tracker.store": [("current_observations", "load_back"), ("save_assessments", "save_assessments")],
    "tracker.site.build": [("build_site", "site")],
    "tracker.updates": [("after_run", "updates")],
}


#: Third-party packages whose first import is timed as the stage "imports" (the tracker imports them lazily).
IMPORTS = frozenset({"numpy", "pandas", "pandera", "sqlalchemy", "alembic", "plotly", "jinja2", "babel", "pydantic",
                     "ruamel", "typer", "click", "rich", "orjson", "apprise", "openpyxl", "markupsafe", "apscheduler"})


class _Timers(importlib.abc.MetaPathFinder):
    """Exclusive wall time per stage, installed on each hooked module as soon as it is imported."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.stack: list[float] = []
        self.report: Any = None

    def wrap(self, fn: Callable[..., Any], stage: str) -> Callable[..., Any]:
        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            self.stack.append(0.0)
            start = time.perf_counter()
            try:
                result = fn(*args, **kwargs)
                if stage == "pipeline_other":
                    self.report = result
                return result
            finally:
                elapsed = time.perf_counter() - start
                nested = self.stack.pop()
                self.seconds[stage] += elapsed - nested
                self.calls[stage] += 1
                if self.stack:
                    self.stack[-1] += elapsed
        return timed

    def install(self, module: Any) -> None:
        for name, stage in HOOKS.get(module.__name__, []):
            fn = getattr(module, name, None)
            if callable(fn) and not hasattr(fn, "__wrapped__"):
                setattr(module, name, self.wrap(fn, stage))

    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        if name not in HOOKS and name not in IMPORTS:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is None:
                continue
            if isinstance(spec.loader, importlib.machinery.SourceFileLoader):  # one loader object per module
                run_module = spec.loader.exec_module
                if name in IMPORTS:
                    spec.loader.exec_module = self.wrap(run_module, "imports")  # type: ignore[method-assign]
                else:
                    def exec_module(module: Any, run_module: Callable[[Any], None] = run_module) -> None:
                        run_module(module)
                        self.install(module)
                    spec.loader.exec_module = exec_module  # type: ignore[method-assign]
            return spec
        return None


def _probe(out: Path, profile: Path | None, argv: list[str]) -> int:
    """Run the tracker CLI with stage timers; write the timings to ``out``."""
    import resource

    start = time.perf_counter()
    timers = _Timers()
    sys.meta_path.insert(0, timers)
    for name in HOOKS:
        if name in sys.modules:
            timers.install(sys.modules[name])
    from tracker import cli

    sys.argv = ["tracker", *argv]
    code = 0
    profiler = None
    if profile is not None:
        import cProfile

        profiler = cProfile.Profile()
    try:
        profiler.runcall(cli.main) if profiler else cli.main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    inside = time.perf_counter() - start
    if profiler is not None:
        profiler.dump_stats(str(profile))
    stages = dict(timers.seconds)
    stages["cli_other"] = max(0.0, inside - sum(stages.values()))
    report, statuses = timers.report, defaultdict(int)
    for f in getattr(report, "files", []):
        statuses[f.status] += 1
    out.write_text(json.dumps({
        "code": code, "inside_s": inside, "stages": stages, "calls": dict(timers.calls),
        "files": dict(statuses), "site_pages": getattr(report, "site_pages", 0),
        "skipped_build": getattr(report, "skipped_build", None),
        "observations_added": sum(getattr(f, "added", 0) for f in getattr(report, "files", [])),
        "self_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))
    return code


def _naive(project: Path, out_dir: Path) -> int:
    """What a user would write: read each CSV with pandas, one ``write_html`` per indicator, plotly.js inside."""
    import pandas as pd
    import plotly.express as px

    out_dir.mkdir(parents=True, exist_ok=True)
    for path in sorted((project / "indicators").rglob("*.csv")):
        frame = pd.read_csv(path, dtype={DISAGGREGATION: str})
        colour = DISAGGREGATION if DISAGGREGATION in frame.columns else None
        if colour:
            frame = frame.fillna({colour: "total"})
        fig = px.line(frame, x="period", y="value", color=colour, markers=True, title=path.stem)
        fig.write_html(out_dir / f"{path.stem}.html", include_plotlyjs=True)
    return 0


# --- measuring ---------------------------------------------------------------------------------------------

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
        proc = subprocess.Popen([sys.executable, *args], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Child(proc.returncode, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
                     out.read().decode(errors="replace"),
                     err.read().decode(errors="replace"))


def build(project: Path, force: bool = False, profile: Path | None = None) -> dict[str, Any]:
    """One ``tracker run`` in a child process: wall time, peak memory, stages, outcome."""
    out = project / ".bench-probe.json"
    args = ["-m", "tracker.bench", "probe", str(out), *(["--profile", str(profile)] if profile else []), "--",
            "run", "--project", str(project), *(["--force"] if force else [])]
    child = spawn(args, project)
    if child.code not in (0, 1) or not out.exists():
        raise RuntimeError(f"tracker run failed (exit {child.code}):\n{child.stderr[-3000:]}")
    probe = json.loads(out.read_text())
    out.unlink()
    probe["stages"]["startup_exit"] = max(0.0, child.wall_s - probe.pop("inside_s"))
    return {"wall_s": child.wall_s, "cpu_s": child.cpu_s, "peak_rss_mb": child.maxrss_mb, **probe,
            "stderr": child.stderr[-2000:]}


def site_path(project: Path) -> Path:
    from tracker import config

    return config.load(project).path("site")


def snapshot(site: Path) -> dict[str, tuple[int, int, str]]:
    """Every file of the site: (inode, mtime_ns, content hash), to tell written from changed files."""
    found = {}
    for path in site.rglob("*") if site.is_dir() else []:
        if path.is_file():
            st = path.stat()
            found[str(path.relative_to(site))] = (st.st_ino, st.st_mtime_ns, hashlib.blake2b(path.read_bytes()).hexdigest())
    return found


def compare(before: dict[str, tuple[int, int, str]], after: dict[str, tuple[int, int, str]]) -> dict[str, int]:
    written = sum(1 for k, v in after.items() if k not in before or before[k][:2] != v[:2])
    changed = sum(1 for k, v in after.items() if k not in before or before[k][2] != v[2])
    pages = sum(1 for k, v in after.items() if k.endswith(".html") and (k not in before or before[k][:2] != v[:2]))
    return {"files_written": written, "files_changed": changed, "pages_written": pages,
            "files_removed": len(before.keys() - after.keys())}


def size_of(files: dict[str, tuple[int, int, str]], site: Path) -> dict[str, int]:
    return {"bytes": sum((site / k).stat().st_size for k in files), "files": len(files),
            "pages": sum(1 for k in files if k.endswith(".html"))}


def code_digest() -> str:
    """A hash of the tracker's code: a change during the benchmark forces rebuilds and skews the figures."""
    digest = hashlib.sha256()
    package = PACKAGE_PARENT / "tracker"
    for path in sorted([*package.rglob("*.py"), *(PACKAGE_PARENT / "templates").rglob("*")]):
        if path.is_file():
            digest.update(str(path).encode() + path.read_bytes())
    return digest.hexdigest()


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def _stages(runs: list[dict[str, Any]]) -> dict[str, float]:
    keys = sorted({k for r in runs for k in r["stages"]})
    return {k: median([r["stages"].get(k, 0.0) for r in runs]) for k in keys}


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {"wall_s": median([r["wall_s"] for r in runs]), "min_s": min(r["wall_s"] for r in runs),
            "max_s": max(r["wall_s"] for r in runs), "cpu_s": median([r["cpu_s"] for r in runs]),
            "peak_rss_mb": median([r["peak_rss_mb"] for r in runs]),
            "stages": _stages(runs), "site_pages": runs[-1]["site_pages"], "files": runs[-1]["files"],
            "skipped_build": runs[-1]["skipped_build"], "skipped_builds": sum(bool(r["skipped_build"]) for r in runs)}


def measure_project(project: Path, repeat: int, incremental: bool, log: Callable[[str], None],
                    label: str, profile: Path | None = None) -> dict[str, Any]:
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
    result = {"cold": _summary(cold), "warm": _summary(warm), "site": size, "written": written[-1],
              "runs": {"cold": cold, "warm": warm, "incremental": inc}}
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
            log(f"naive {r + 1}/{repeat}: pandas.read_csv + plotly write_html(include_plotlyjs=True) per indicator")
            child = spawn(["-m", "tracker.bench", "naive", str(project), tmp], project)
            if child.code != 0:
                raise RuntimeError(f"naive approach failed:\n{child.stderr[-3000:]}")
            files = [p for p in Path(tmp).rglob("*") if p.is_file()]
            runs.append({"wall_s": child.wall_s, "cpu_s": child.cpu_s, "peak_rss_mb": child.maxrss_mb,
                         "bytes": sum(p.stat().st_size for p in files), "files": len(files)})
    return {"wall_s": median([r["wall_s"] for r in runs]), "cpu_s": median([r["cpu_s"] for r in runs]),
            "peak_rss_mb": median([r["peak_rss_mb"] for r in runs]), "bytes": runs[-1]["bytes"], "files": runs[-1]["files"], "runs": runs}


def measure_help(repeat: int) -> dict[str, Any]:
    runs = [spawn(["-m", "tracker", "--help"], PACKAGE_PARENT) for _ in range(max(repeat, 5))]
    return {"wall_s": median([c.wall_s for c in runs]), "cpu_s": median([c.cpu_s for c in runs]),
            "runs": [c.wall_s for c in runs]}


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

    return {"nproc": os.cpu_count(), "cpu": model or platform.processor(), "memory_gib": round(memory, 1),
            "python": platform.python_version(), "platform": platform.platform(),
            "load_average": [round(x, 2) for x in os.getloadavg()]}  # other work on the machine skews wall times


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
        "help_s": (result["help"]["wall_s"], True),
    }
    rows = []
    for key, (limit, unit, what) in TARGETS.items():
        value, applies = values[key]
        met = None if value is None or not applies else value <= limit
        rows.append({"key": key, "what": what, "limit": limit, "unit": unit, "value": value, "applies": applies,
                     "met": met})
    inc = syn["written"].get("incremental")
    if inc is not None:
        rows.append({"key": "incremental_pages", "what": "pages rewritten after one changed file (affected: the "
                     "indicator, its objective and the list, in 2 languages, plus updates)", "limit": None, "unit": "pages",
                     "value": inc["pages_written"], "applies": full, "met": None})
    return rows


def run_benchmark(indicators: int = 1000, years: int = 30, series: int = 10, repeat: int = 3, *,
                  naive_repeat: int = 1, milan: Path | None = None, seed: int = 2013,
                  profile: Path | None = None, log: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    """Generate the synthetic catalogue, measure tracker and the naive approach; return every figure."""
    started = time.perf_counter()
    code = code_digest()
    result: dict[str, Any] = {
        "note": "SYNTHETIC catalogue generated by `tracker bench` (seeded random walks): not real data",
        "parameters": {"indicators": indicators, "years": years, "series": series, "repeat": repeat,
                       "naive_repeat": naive_repeat, "seed": seed,
                       "series_layout": f"headline (blank {DISAGGREGATION}) + {series - 1} municipi"},
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
    log("tracker --help")
    result["help"] = measure_help(repeat)
    syn, naive = result["synthetic"], result["naive"]
    result["ratios"] = {"time": syn["cold"]["wall_s"] / naive["wall_s"],
                        "bytes": syn["site"]["bytes"] / naive["bytes"],
                        "memory": syn["cold"]["peak_rss_mb"] / naive["peak_rss_mb"]}
    result["targets"] = targets(result)
    result["code_changed_during_run"] = code_digest() != code
    result["bench_s"] = time.perf_counter() - started
    return result


# --- output ------------------------------------------------------------------------------------------------

STAGE_ORDER = ["startup_exit", "imports", "config", "definitions", "database", "read_validate", "store", "fingerprint",
               "load_back", "assess", "site", "save_assessments", "updates", "pipeline_other", "cli_other"]


def _mb(n: float) -> str:
    return f"{n / 2**20:,.1f} MB"


def render(result: dict[str, Any]) -> None:
    """Tables for people (rich)."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    syn, naive, cat, p = result["synthetic"], result["naive"], result["catalogue"], result["parameters"]
    m = result["machine"]
    console.print(f"[bold]tracker bench[/] — {result['note']}\n{cat['indicators']:,} indicators x {cat['years']} "
                  f"years x {cat['series']} series = {cat['observations']:,} observations ({p['series_layout']}); "
                  f"medians of {p['repeat']} runs; {m['nproc']} x {m['cpu']}, {m['memory_gib']} GiB, Python {m['python']}")
    table = Table(title="Targets")
    for col in ("measure", "median", "target", "status"):
        table.add_column(col, justify="right" if col != "measure" else "left")
    for t in result["targets"]:
        value = "—" if t["value"] is None else (f"{t['value']:,.2f} {t['unit']}" if t["unit"] != "pages" else str(t["value"]))
        limit = "—" if t["limit"] is None else f"≤ {t['limit']:g} {t['unit']}"
        status = {True: "[green]met[/]", False: "[red]over[/]", None: "n/a" if not t["applies"] else "—"}[t["met"]]
        table.add_row(t["what"], value, limit, status)
    console.print(table)
    stages = Table(title="Synthetic catalogue: seconds per stage (median)")
    stages.add_column("stage")
    runs = [("cold", syn["cold"]), ("nothing changed", syn["warm"])]
    if "incremental" in syn:
        runs.append(("one file changed", syn["incremental"]))
    if "milan" in result:
        runs += [("Milan cold", result["milan"]["cold"]), ("Milan warm", result["milan"]["warm"])]
    for name, _ in runs:
        stages.add_column(name, justify="right")
    for stage in STAGE_ORDER:
        stages.add_row(stage, *(f"{r['stages'].get(stage, 0.0):.3f}" for _, r in runs))
    stages.add_row("[bold]total (wall)[/]", *(f"[bold]{r['wall_s']:.3f}[/]" for _, r in runs))
    stages.add_row("CPU (user+sys)", *(f"{r['cpu_s']:.3f}" for _, r in runs))
    stages.add_row("peak memory", *(f"{r['peak_rss_mb']:,.0f} MB" for _, r in runs))
    console.print(stages)
    compare_t = Table(title="tracker vs naive (pandas.read_csv + plotly write_html per indicator, plotly.js embedded)")
    for col in ("", "tracker", "naive", "tracker / naive"):
        compare_t.add_column(col, justify="right" if col else "left")
    r = result["ratios"]
    compare_t.add_row("time, cold (s)", f"{syn['cold']['wall_s']:.2f}", f"{naive['wall_s']:.2f}", f"{r['time']:.2f}")
    compare_t.add_row("CPU, cold (s)", f"{syn['cold']['cpu_s']:.2f}", f"{naive['cpu_s']:.2f}",
                      f"{syn['cold']['cpu_s'] / naive['cpu_s']:.2f}")
    compare_t.add_row("site size", _mb(syn["site"]["bytes"]), _mb(naive["bytes"]), f"{r['bytes']:.3f}")
    compare_t.add_row("files", f"{syn['site']['files']:,}", f"{naive['files']:,}", "")
    compare_t.add_row("peak memory", f"{syn['cold']['peak_rss_mb']:,.0f} MB", f"{naive['peak_rss_mb']:,.0f} MB",
                      f"{r['memory']:.2f}")
    console.print(compare_t)
    w = syn["written"]
    console.print(f"site: {syn['site']['pages']:,} pages, {syn['site']['files']:,} files, {_mb(syn['site']['bytes'])}; "
                  f"nothing changed: {w['warm']['files_written']} files written; one file changed: "
                  f"{w.get('incremental', {}).get('pages_written', '—')} pages / "
                  f"{w.get('incremental', {}).get('files_written', '—')} files written, "
                  f"{w.get('incremental', {}).get('files_changed', '—')} changed in content. "
                  f"Benchmark took {result['bench_s']:.0f} s.")
    if syn["warm"]["skipped_builds"] < p["repeat"]:
        console.print(f"[yellow]note:[/] the site was rebuilt in {p['repeat'] - syn['warm']['skipped_builds']} of "
                      f"{p['repeat']} runs with nothing changed")
    if result.get("code_changed_during_run"):
        console.print("[yellow]note:[/] the tracker's code changed during the benchmark: figures are mixed")


def main(argv: list[str]) -> int:
    """Child-process entry points: ``probe OUT [--profile P] -- ARGS`` and ``naive PROJECT OUT_DIR``."""
    if argv[:1] == ["probe"]:
        rest = argv[1:]
        split = rest.index("--")
        head, tail = rest[:split], rest[split + 1:]
        profile = Path(head[head.index("--profile") + 1]) if "--profile" in head else None
        return _probe(Path(head[0]), profile, tail)
    if argv[:1] == ["naive"]:
        return _naive(Path(argv[1]), Path(argv[2]))
    print("usage: python -m tracker.bench probe OUT [--profile P] -- ARGS | naive PROJECT OUT_DIR", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
