"""Smart City tracker: makes a city's smart-city strategy measurable."""

from __future__ import annotations

import functools

__version__ = "0.1.0"


@functools.cache
def code_digest() -> str:
    """A hash of the tracker's own Python code, read once per process: what was loaded is what runs.

    Part of every key that says "this output can be reused" (pages, kept results): an upgrade redoes them once.
    """
    import hashlib
    from pathlib import Path

    package = Path(__file__).resolve().parent
    h = hashlib.blake2b(__version__.encode(), digest_size=16)
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode() + b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()
