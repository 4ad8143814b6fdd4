"""When a run may fork worker processes (reading files, rendering pages), and that they must not outlive it.

Forking is only done where it is safe: on Linux, from a process with a single thread (``tracker run`` from the
command line). A scheduler or a web process with other threads does the work in-process.

A forked worker holds copies of the parent's descriptors, the run lock among them (a ``flock`` on SQLite, the
advisory lock's connection on PostgreSQL). If the parent were killed, idle workers would wait for work forever
and keep the lock held, so every later run would find it busy. Each worker therefore asks Linux to kill it
when its parent dies (``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading

_PR_SET_PDEATHSIG = 1


def can_fork() -> bool:
    return sys.platform.startswith("linux") and threading.active_count() == 1 and (os.cpu_count() or 1) > 1


def die_with_parent(parent: int) -> None:
    """``ProcessPoolExecutor`` initializer: end this worker when ``parent`` (the forking process) ends."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: forking is not used there (see can_fork)
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)
