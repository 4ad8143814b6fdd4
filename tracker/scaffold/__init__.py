"""``tracker init``: a new city's project folder, ready for ``tracker run``.

The files are in ``files/`` beside this module (shipped in the wheel), filled in with :class:`string.Template`
(``${name}``), so a city's YAML stays readable with its comments. The example indicator's figures are invented
and say so in its name, its note and each value's note; ``STEWARDS.md`` tells the data stewards what to do.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from string import Template

from tracker import __version__
from tracker.problems import Problem, ProblemsFound

FILES = files("tracker.scaffold") / "files"
#: What ``init`` writes, relative to the new project, from which file of ``files/``.
LAYOUT = {
    "config.yaml": "config.yaml",
    "indicators/objectives.yaml": "objectives.yaml",
    "indicators/example-objective/example-indicator.yaml": "example-indicator.yaml",
    "indicators/example-objective/example-indicator.csv": "example-indicator.csv",
    "STEWARDS.md": "STEWARDS.md",
    ".gitignore": "gitignore",  # the built site, the database and the archive are not the city's sources
}
FOLDERS = ("inbox", "templates")


@dataclass(frozen=True)
class NewCity:
    name: str
    languages: tuple[str, ...] = ("it", "en")
    timezone: str = "Europe/Rome"

    @property
    def city_id(self) -> str:
        """``"São Paulo"`` → ``sao-paulo``: the name without accents, in lowercase words joined by ``-``."""
        plain = unicodedata.normalize("NFKD", self.name).encode("ascii", "ignore").decode()
        return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") or "city"


def _yaml_text(text: str) -> str:
    """A YAML scalar that reads back as ``text`` whatever it holds (a JSON string is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def values(city: NewCity) -> dict[str, str]:
    return {
        "name": city.name,
        "name_yaml": _yaml_text(city.name),
        "city_id": city.city_id,
        "version": __version__,
        "title_it": _yaml_text(f"{city.name} — quadro di valutazione"),
        "title_en": _yaml_text(f"{city.name} scorecard"),
        "strategy_it": _yaml_text(f"Strategia smart city di {city.name}"),
        "strategy_en": _yaml_text(f"{city.name}'s smart-city strategy"),
        "languages": ", ".join(city.languages),
        "default_language": city.languages[0],
        "timezone": city.timezone,
    }


def create(target: Path, city: NewCity) -> list[Path]:
    """Write the new project into ``target`` (missing or empty); returns the files written.

    Refuses a folder that already holds anything, so a typo never overwrites a city's real project.
    """
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ProblemsFound(
            [
                Problem(
                    str(target),
                    "the folder already exists and is not empty",
                    hint="name a new folder, or an empty one",
                )
            ]
        )
    fill = values(city)
    written = []
    for relative, source in LAYOUT.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            Template((FILES / source).read_text(encoding="utf-8")).substitute(fill), encoding="utf-8"
        )
        written.append(path)
    for folder in FOLDERS:
        (target / folder).mkdir(parents=True, exist_ok=True)
    return written
