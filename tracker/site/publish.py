"""Atomic publishing: readers (and a web server) see the old site or the new one, never half of each.

The new tree is written into a sibling folder ``.<name>-builds/<stamp>``; only when it is complete does it
replace the published path:

* ``site`` missing or a symlink: ``site`` becomes (or stays) a relative symlink to the build, switched by
  ``os.replace`` of a temporary symlink (``rename(2)`` is atomic on POSIX);
* ``site`` a real directory (e.g. made by hand or by an older version): the two folders are exchanged with
  Linux ``renameat2(RENAME_EXCHANGE)``, or, where that is unavailable, by two renames in quick succession.

A failure while building removes the unfinished folder and leaves the published site untouched. The build
before the current one is kept for a quick roll-back; older ones are removed.
"""

from __future__ import annotations

import ctypes
import errno
import logging
import os
import shutil
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def builds_folder(target: Path) -> Path:
    return target.parent / f".{target.name}-builds"


def publish(target: Path, write: Callable[[Path], T]) -> T:
    """Call ``write(folder)`` on a fresh folder, then swap that folder in at ``target``; returns its result."""
    target = Path(os.path.abspath(target))  # not resolve(): the symlink itself is what gets replaced
    if target.exists() and not target.is_dir():
        raise NotADirectoryError(f"{target} exists and is not a folder; refusing to replace it")
    if target.parent.name.startswith(".") and target.parent.name.endswith("-builds"):
        raise ValueError(
            f"{target} is a build folder: publish to the path that links to it, not the resolved one"
        )
    builds = builds_folder(target)
    builds.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ") + f"-{os.getpid()}"
    fresh = builds / stamp
    fresh.mkdir()
    try:
        value = write(fresh)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    previous = _swap(target, fresh, stamp)
    _prune(builds, keep={fresh.name, previous.name if previous else ""})
    log.info("published %s -> %s", target, fresh)
    return value


def _swap(target: Path, fresh: Path, stamp: str) -> Path | None:
    """Put ``fresh`` at ``target``; returns the build folder that was published before, if any."""
    if target.is_symlink() or not target.exists():
        previous = Path(os.path.realpath(target)) if target.is_symlink() else None
        link = target.parent / f".{target.name}.link-{stamp}"
        os.symlink(os.path.relpath(fresh, target.parent), link, target_is_directory=True)
        try:
            os.replace(link, target)
        except BaseException:
            link.unlink(missing_ok=True)
            raise
        return previous if previous and previous.parent == fresh.parent else None
    # A real directory: exchange it with the build, then drop the old tree (now at ``fresh``).
    if not _exchange(fresh, target):
        aside = fresh.with_name(fresh.name + "-old")
        os.rename(target, aside)
        os.rename(fresh, target)
        shutil.rmtree(aside, ignore_errors=True)
        return None
    shutil.rmtree(fresh, ignore_errors=True)
    return None


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with ``renameat2``; False where the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _prune(builds: Path, keep: set[str]) -> None:
    for folder in builds.iterdir():
        if folder.name not in keep:
            shutil.rmtree(folder, ignore_errors=True) if folder.is_dir() else folder.unlink(missing_ok=True)
