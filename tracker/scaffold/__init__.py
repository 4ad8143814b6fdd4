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


#: The example's texts in each language ``tracker init`` can write (``{name}``: the city's name). A new
#: language needs its texts here too, else ``init`` refuses it (see the README, "Adding a language").
TEXTS: dict[str, dict[str, str]] = {
    "title": {
        "it": "{name} — quadro di valutazione",
        "en": "{name} scorecard",
        "fr": "{name} — tableau de bord",
    },
    "strategy": {
        "it": "Strategia smart city di {name}",
        "en": "{name}'s smart-city strategy",
        "fr": "Stratégie de ville intelligente de {name}",
    },
    "objective_name": {
        "it": "Obiettivo di esempio (da sostituire)",
        "en": "Example objective (replace it)",
        "fr": "Objectif d’exemple (à remplacer)",
    },
    "objective_description": {
        "it": "Un esempio creato da `tracker init`: sostituitelo con un obiettivo della vostra strategia.",
        "en": "An example made by `tracker init`: replace it with an objective of your strategy.",
        "fr": "Un exemple créé par `tracker init`\u00a0: remplacez-le par un objectif de votre stratégie.",
    },
    "indicator_name": {
        "it": "Indicatore di esempio (dati inventati)",
        "en": "Example indicator (invented data)",
        "fr": "Indicateur d’exemple (données inventées)",
    },
    "definition": {
        "it": "Esempio creato da tracker init: i valori sono inventati e non descrivono la città.",
        "en": "An example made by tracker init: its values are invented and do not describe the city.",
        "fr": "Un exemple créé par tracker init\u00a0: ses valeurs sont inventées et ne décrivent pas la ville.",
    },
    "unit_label": {"it": "%", "en": "%", "fr": "%"},
    "reference": {
        "it": "Esempio: un obiettivo inventato per mostrare il formato.",
        "en": "Example: an invented target that shows the format.",
        "fr": "Exemple\u00a0: un objectif inventé pour montrer le format.",
    },
    "data_note": {
        "it": "ESEMPIO: valori inventati da tracker init, non dati reali. Sostituiteli prima di pubblicare.",
        "en": "EXAMPLE: values invented by tracker init, not real data. Replace them before publishing.",
        "fr": "EXEMPLE\u00a0: valeurs inventées par tracker init, pas des données réelles. Remplacez-les avant "
        "de publier.",
    },
}
#: The note of each example value, in the languages that have a note column (``note_it``, ``note_en``).
NOTES = {"it": "esempio: valore inventato", "en": "example: invented value"}
#: Where each text goes in the files, as the indentation of its ``<lang>: text`` lines.
INDENT = {"title": 4, "strategy": 4, "objective_name": 6, "objective_description": 6, "reference": 4}


def scaffold_languages() -> set[str]:
    """The languages ``tracker init`` has the example's texts in."""
    return set.intersection(*(set(texts) for texts in TEXTS.values()))


def texts(city: NewCity, key: str) -> dict[str, str]:
    """The text ``key`` in the new project's languages."""
    return {lang: TEXTS[key][lang].format(name=city.name) for lang in city.languages}


def _yaml_block(texts: dict[str, str], indent: int) -> str:
    return "\n".join(f"{' ' * indent}{lang}: {_yaml_text(text)}" for lang, text in texts.items())


def values(city: NewCity) -> dict[str, str]:
    notes = [lang for lang in NOTES if lang in city.languages]
    fill = {
        "name": city.name,
        "name_yaml": _yaml_text(city.name),
        "city_id": city.city_id,
        "version": __version__,
        "languages": ", ".join(city.languages),
        "default_language": city.languages[0],
        "timezone": city.timezone,
        "unit_label": "{"
        + ", ".join(f"{lang}: {_yaml_text(t)}" for lang, t in texts(city, "unit_label").items())
        + "}",
        "csv_header": ",".join(["period", "value", "source", *(f"note_{lang}" for lang in notes)]),
        "csv_notes": "".join(f",{NOTES[lang]}" for lang in notes),
    }
    for key in TEXTS:
        if key != "unit_label":
            fill[key] = _yaml_block(texts(city, key), INDENT.get(key, 2))
    return fill


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
