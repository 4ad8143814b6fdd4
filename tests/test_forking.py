"""Forked workers end with the run that forked them, so a killed run never leaves its lock held by them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

SCRIPT = """
import multiprocessing, os, signal, sys
from concurrent.futures import ProcessPoolExecutor
from tracker.forking import die_with_parent

pool = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork"),
                           initializer=die_with_parent, initargs=(os.getpid(),))
pids = {pool.submit(os.getpid).result() for _ in range(4)}
open(sys.argv[1], "w").write(" ".join(map(str, pids)))
os.kill(os.getpid(), signal.SIGKILL)  # as the OOM killer would: no cleanup at all
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked workers are used on Linux only")
def test_workers_die_when_the_run_is_killed(tmp_path: Path, subprocess_env: dict[str, str]) -> None:
    out = tmp_path / "pids"
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(out)], env=subprocess_env, timeout=60)
    assert proc.returncode == -9
    pids = [int(p) for p in out.read_text().split()]
    assert pids and os.getpid() not in pids
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(p) for p in pids)
