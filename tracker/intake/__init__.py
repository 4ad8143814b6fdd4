"""Data intake: read a steward's CSV/XLSX file and validate it against its indicator definition.

Modules: ``periods`` (period cells, pure Python), ``readers`` (encodings, delimiters, XLSX, chunks),
``numbers`` (decimal conventions), ``schema`` (the pandera schema of an indicator), ``validate`` (the public API:
:func:`read_observations`, :func:`check_file`, :func:`safe_join`). pandas and pandera load only when
``readers``/``numbers``/``schema``/``validate`` are imported, never with ``tracker`` itself, so the CLI's
``--help`` stays fast; the names below are resolved on first use.
"""

from __future__ import annotations

from typing import Any

__all__ = ["check_file", "parse_period", "read_observations", "safe_join"]


def __getattr__(name: str) -> Any:
    if name == "parse_period":
        from tracker.intake.periods import parse_period

        return parse_period
    if name in ("check_file", "read_observations", "safe_join"):
        from tracker.intake import validate

        return getattr(validate, name)
    raise AttributeError(name)
