"""Code run inside the benchmark's child processes (``python -m tracker.bench probe|naive ...``).

``probe`` runs the real tracker CLI with a timer around each pipeline stage (an import hook wraps the functions
listed in ``HOOKS`` as their modules are imported); ``naive`` is the pandas + Plotly approach it is compared with.
"""

from __future__ import annotations

import functools
import importlib.abc
import importlib.machinery
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tracker.bench.synthetic import DISAGGREGATION

#: module -> (function, stage); a stage's time excludes the timed calls nested in it.
HOOKS: dict[str, list[tuple[str, str]]] = {
    "tracker.config": [("load", "config")],
    "tracker.catalog": [("load", "definitions")],
    "tracker.store.database": [("migrated_engine", "database")],
    "tracker.pipeline": [
        ("take_in_catalog", "read_validate"),
        ("read_file", "read_validate"),
        ("take_in", "store"),
        ("store_read", "store"),
        ("store_reads", "store"),
        ("inputs_fingerprint", "fingerprint"),
        ("assess_changed", "assess"),
        ("run", "pipeline_other"),
    ],
    "tracker.store": [
        ("current_observations", "load_back"),
        ("snapshot_at", "save_assessments"),
        ("save_changes", "save_assessments"),
    ],
    "tracker.site.build": [("build_site", "site")],
    "tracker.updates": [("after_run", "updates")],
}


#: Third-party packages whose first import is timed as the stage "imports" (the tracker imports them lazily).
IMPORTS = frozenset(
    {
        "numpy",
        "pandas",
        "pandera",
        "sqlalchemy",
        "alembic",
        "plotly",
        "jinja2",
        "babel",
        "pydantic",
        "ruamel",
        "typer",
        "click",
        "rich",
        "orjson",
        "apprise",
        "openpyxl",
        "markupsafe",
        "apscheduler",
    }
)


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
                # The probe replaces this one loader's method on purpose (the ignores below): mypy forbids
                # assigning to a method, which is what timing each module's execution takes.
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
    """Run the tracker program with stage timers; write the timings to ``out``.

    The program runs as ``python -m tracker`` would (``runpy``): the benchmark sits above the CLI and drives it
    as a user does, without importing it, so the CLI's ``bench`` command imports the benchmark, not the reverse.
    """
    import resource
    import runpy

    start = time.perf_counter()
    timers = _Timers()
    sys.meta_path.insert(0, timers)
    for name in HOOKS:
        if name in sys.modules:
            timers.install(sys.modules[name])

    def program() -> None:
        runpy.run_module("tracker", run_name="__main__", alter_sys=True)

    sys.argv = ["tracker", *argv]
    code = 0
    profiler = None
    if profile is not None:
        import cProfile

        profiler = cProfile.Profile()
    try:
        profiler.runcall(program) if profiler else program()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    inside = time.perf_counter() - start
    if profiler is not None:
        profiler.dump_stats(str(profile))
    stages = dict(timers.seconds)
    stages["cli_other"] = max(0.0, inside - sum(stages.values()))
    report = timers.report
    statuses: defaultdict[str, int] = defaultdict(int)
    for f in getattr(report, "files", []):
        statuses[f.status] += 1
    out.write_text(
        json.dumps(
            {
                "code": code,
                "inside_s": inside,
                "stages": stages,
                "calls": dict(timers.calls),
                "files": dict(statuses),
                "site_pages": getattr(report, "site_pages", 0),
                "skipped_build": getattr(report, "skipped_build", None),
                "observations_added": sum(getattr(f, "added", 0) for f in getattr(report, "files", [])),
                "self_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )
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
