"""Keeping Python's cyclic garbage collector off the data a run holds for its whole length.

A run over 1,000 indicators keeps ~1 million objects alive (definitions, kept results, the site's context).
Each full collection walks all of them, and allocation-heavy steps trigger many: queries and page rendering
then take several times longer than in a fresh process. Inside :func:`frozen`, objects that exist when
:func:`freeze_now` is called are moved to the collector's permanent generation (``gc.freeze``); leaving the
outermost scope moves them back, so a long-running scheduler still collects them later.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_depth = 0
_lock = threading.Lock()  # the scheduler may run updates in another thread


@contextmanager
def frozen() -> Iterator[None]:
    """A scope in which long-lived objects are kept out of the collector's walks (scopes nest)."""
    global _depth
    with _lock:
        _depth += 1
        gc.freeze()
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.unfreeze()


def freeze_now() -> None:
    """Freeze what exists now (a large structure just built), if inside a :func:`frozen` scope."""
    if _depth:
        gc.freeze()
