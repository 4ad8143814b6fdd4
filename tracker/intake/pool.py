"""Reading many data files in two forked worker processes, in order, while the caller stores each one.

A first run reads and validates 1,000 files (~3 ms each) and merges each into the database (~3 ms each): with
the reading in two workers, the parent merges file *k* while the workers read the files after it. Results come
back in the files' order, so what is stored, and when, is exactly what a sequential run does.

Forking follows ``tracker.forking.can_fork``: on Linux, from a single-threaded
process (``tracker run`` from the command line); a scheduler with other threads reads in-process. Files big
enough for a progress bar are read by the parent, with the bar.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from tracker import forking
from tracker.catalog import Indicator
from tracker.forking import die_with_parent
from tracker.observations import Observation
from tracker.problems import Problem

#: Below this many files a pool costs more (forking, pickling the results) than it saves.
POOL_MIN_FILES = 50
WORKERS = 2
#: Files per task: fewer round trips than one task per file, small enough to keep both workers busy.
CHUNK = 8

Job = tuple[Path, Indicator, str]  # path, definition, label
Read = tuple[list[Observation], list[Problem]]

_JOBS: Sequence[Job] = ()  # set in the parent just before forking; read by the workers
_READ: Callable[[Path, Indicator, str], Read] | None = None  # the caller's reader (with its limits), likewise


def _read_chunk(indices: list[int]) -> list[Read]:
    assert _READ is not None
    return [_READ(*_JOBS[i]) for i in indices]


def read_in_order(
    jobs: Sequence[Job],
    read_one: Callable[[Path, Indicator, str], Read],
    *,
    parent_only: Callable[[Path], bool] = lambda _: False,
) -> Generator[Read, None, None]:
    """``read_one(*job)`` for every job, in order; small files read ahead by the workers when it pays."""
    pooled = [i for i, job in enumerate(jobs) if not parent_only(job[0])]
    if len(pooled) < POOL_MIN_FILES or not forking.can_fork():
        for job in jobs:
            yield read_one(*job)
        return
    global _JOBS, _READ
    _JOBS, _READ = jobs, read_one
    chunks = [pooled[k : k + CHUNK] for k in range(0, len(pooled), CHUNK)]
    pool = ProcessPoolExecutor(
        WORKERS,
        mp_context=multiprocessing.get_context("fork"),
        initializer=die_with_parent,
        initargs=(os.getpid(),),
    )
    try:
        futures: dict[int, tuple[Future[list[Read]], int]] = {}  # job index -> (its chunk's future, position)
        for chunk in chunks:
            future = pool.submit(_read_chunk, chunk)
            futures.update((i, (future, k)) for k, i in enumerate(chunk))
        for i, job in enumerate(jobs):
            if i in futures:
                future, k = futures.pop(i)
                yield future.result()[k]
            else:
                yield read_one(*job)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _JOBS, _READ = (), None
