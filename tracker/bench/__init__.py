"""Benchmark of ``tracker run`` on a SYNTHETIC catalogue, against the naive pandas + Plotly approach.

Each build runs in its own process (``python -m tracker.bench probe ... -- run``: the real CLI, with a timer
around each pipeline stage), so import costs are counted and peak memory is the child's ``ru_maxrss`` from
``os.wait4``. Nothing here is imported by the tracker itself; docs/performance.md has the figures and the method.

Modules: ``synthetic`` (the catalogue), ``probe`` (code run in the child processes), ``measure`` (timing the
builds, the naive approach and ``tracker --help``; the targets), ``report`` (tables) and ``__main__`` (the
child-process entry points).
"""

from __future__ import annotations

from tracker.bench.measure import run_benchmark
from tracker.bench.report import render
from tracker.bench.synthetic import change_one_value, generate

__all__ = ["change_one_value", "generate", "render", "run_benchmark"]
