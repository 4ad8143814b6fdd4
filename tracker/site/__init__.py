"""The static scorecard site: context -> Jinja templates + Plotly chart specs -> files, published atomically.

Public API: :func:`build_site` (returns a :class:`SiteReport`); the atomic swap on its own is
``tracker.site.publish.publish``. They load lazily, so importing a light submodule does not pull in plotly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tracker.site.build import SiteReport, build_site

__all__ = ["SiteReport", "build_site"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from tracker.site import build

        return getattr(build, name)
    raise AttributeError(name)
