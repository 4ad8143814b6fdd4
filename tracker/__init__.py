"""Smart City tracker: makes a city's smart-city strategy measurable."""

from __future__ import annotations

import functools

__version__ = "0.2.0"

#: The files of the package that shape what a run produces: code, translations, page assets.
CODE_SUFFIXES = frozenset({".py", ".po", ".js", ".css", ".html"})


def hash_code() -> str:
    """A hash of the tracker's own code as it is on disk now (the one code hash of the project).

    Part of every key that says "this output can be reused" (pages, kept results, the run's fingerprint), through
    :func:`code_hash`; the benchmark calls it again at its end to notice code that changed while it ran.
    """
    import hashlib
    from pathlib import Path

    package = Path(__file__).resolve().parent
    h = hashlib.blake2b(__version__.encode(), digest_size=16)
    for path in sorted(p for p in package.rglob("*") if p.suffix in CODE_SUFFIXES and p.is_file()):
        h.update(path.relative_to(package).as_posix().encode() + b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()


#: :func:`hash_code` read once per process: what was loaded is what runs.
code_hash = functools.cache(hash_code)
