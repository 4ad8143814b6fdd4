"""Where the default templates and schemas are: beside a checkout, or inside the installed package.

The repository keeps ``templates/`` and ``schemas/`` at its top level (their source, edited there); the wheel
carries copies at ``tracker/_defaults/`` (hatchling's ``force-include`` in pyproject.toml). A checkout or an
editable install finds the top-level folders; an installed wheel, which has no repository beside it, finds its
own copies through :mod:`importlib.resources`. Either way the caller gets a real folder on disk: Jinja's
``FileSystemLoader`` and Babel's extractor need one, and a wheel is always unpacked on install.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import as_file, files
from pathlib import Path

#: The repository root when the package runs from a checkout (``tracker/`` beside ``templates/``).
_CHECKOUT = Path(__file__).resolve().parents[1]
_MARKERS = {"templates": "_base.html", "schemas": "scorecard.schema.json"}


@cache
def default_folder(name: str) -> Path:
    """The default ``templates`` or ``schemas`` folder: the checkout's own if there is one, else the package's."""
    marker = _MARKERS[name]
    checkout = _CHECKOUT / name
    if (checkout / marker).is_file() and (_CHECKOUT / "pyproject.toml").is_file():
        return checkout
    packaged = files("tracker") / "_defaults" / name
    with as_file(packaged) as path:  # a folder of an unpacked wheel: the path itself, nothing is extracted
        folder = Path(path)
    if not (folder / marker).is_file():
        raise FileNotFoundError(
            f"the tracker's default {name}/ is missing (looked in {checkout} and {folder}): "
            "reinstall the package from its wheel or sdist"
        )
    return folder


def default_templates() -> Path:
    return default_folder("templates")


def default_schemas() -> Path:
    return default_folder("schemas")
