"""Where the site's templates are looked up, without importing the site builder.

A run whose inputs did not change hashes these folders for its fingerprint and renders the feed with them, but
builds no page: keeping the lookup here spares that run the builder's imports (plotly, the chart and
spreadsheet code), which :mod:`tracker.site.build` would load only to answer this question.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tracker.resources import default_templates

if TYPE_CHECKING:
    from tracker.config import Settings

#: The default templates (read at call time, so a test can point it elsewhere).
REPO_TEMPLATES = default_templates()


def template_folders(settings: Settings) -> tuple[Path, ...]:
    """Where templates are looked up, in order: the city's own folder when it exists, then the defaults."""
    own = settings.root / settings.config.site.templates
    if own.is_dir() and own.resolve() != REPO_TEMPLATES.resolve():
        return (own, REPO_TEMPLATES)
    return (REPO_TEMPLATES,)
