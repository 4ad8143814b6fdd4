"""Export the catalogue as an Open SDG data repository: the way back from ``tracker import opensdg``.

What is written follows the platform's own input rules (open-sdg-data-starter, sdg-build's ``InputCsvData``,
``InputYamlMdMeta`` and ``ProgressMeasure``, the ``_prose.yml`` metadata schema):

* ``data/indicator_<id>.csv``: ``Year``, one column per disaggregation, ``Value``; a blank cell is the total.
  Headers are translation keys (``data.<column>``), translated in ``translations/{en,it}/data.yml``, so the
  platform shows each column's label in both languages; values are written as they are.
* ``meta/<id>.md``: YAML front matter (English) with the ``_prose.yml`` fields (``indicator_name``,
  ``national_indicator_description``, ``computation_units``, ``source_*_1``, ``reporting_status`` ...) and the
  progress measure's (``auto_progress_calculation``, ``progress_calculation_options``, ``progress_status``);
  ``meta/it/<id>.md`` overrides the translated fields in Italian (Open SDG's "subfolder" translations).

The id is the indicator's code with dashes (``3.1`` → ``3-1``). What the format cannot carry is dropped and
listed per indicator in :attr:`Exported.dropped` (the command prints it as a warning); see the README.
"""

from __future__ import annotations

import csv
import html
import io
import math
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from tracker.catalog import Catalog, Entry, Indicator
from tracker.intake.opensdg_definition import number
from tracker.intake.opensdg_meta import DEFAULT_BASE_YEAR
from tracker.intake.validate import read_observations
from tracker.observations import HEADLINE, Observation, assessable, parse_series_key, peer_values
from tracker.problems import Problem

METHOD = "opensdg"
#: Open SDG's data translation group: a header ``data.<column>`` is translated by ``translations/<lang>/data.yml``.
GROUP = "data"
#: ``computation_units`` words the importer reads back as the same unit kind (tracker.intake.opensdg_meta).
UNIT_WORDS = {
    "percent": ("Percentage", "Percentuale"),
    "count": ("Number", "Numero"),
    "rate": ("Rate", "Tasso"),
    "amount": ("Amount", "Quantità"),
    "index": ("Index", "Indice"),
}
TERRITORY = {
    "comune": ("Municipality", "Comune"),
    "città metropolitana": ("Metropolitan city", "Città metropolitana"),
    "provincia": ("Province", "Provincia"),
    "regione": ("Region", "Regione"),
}
FREQUENCY = {
    "monthly": ("Monthly", "Mensile"),
    "quarterly": ("Quarterly", "Trimestrale"),
    "annual": ("Annual", "Annuale"),
    "biennial": ("Biennial", "Biennale"),
    "irregular": ("Irregular", "Irregolare"),
}


@dataclass
class Exported:
    indicator_id: str
    source_id: str  # the Open SDG id, e.g. "3-1"
    meta_file: Path
    data_file: Path | None  # None: no values (the platform shows the indicator as not started)
    rows: int
    dropped: list[str] = field(default_factory=list)  # what the format cannot carry, in English


@dataclass
class ExportReport:
    exported: list[Exported] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        return [
            f"{e.indicator_id} ({e.source_id}): dropped {'; '.join(e.dropped)}"
            for e in self.exported
            if e.dropped
        ]


def opensdg_id(indicator: Indicator, objective_number: int) -> str:
    """``3.1`` → ``3-1``; without a usable code, the objective's number and the indicator id (``3-my-id``)."""
    code = indicator.code.strip()
    if re.fullmatch(r"[0-9A-Za-z]+(\.[0-9A-Za-z]+)+", code):
        return code.replace(".", "-").lower()
    return f"{objective_number}-{indicator.id}"


def export_opensdg(
    cat: Catalog,
    dest: Path,
    *,
    objectives: Iterable[str] | None = None,
    default_method: str | None = None,
    base_year: int = DEFAULT_BASE_YEAR,
    today: date | None = None,
) -> ExportReport:
    """Write every indicator of ``cat`` (or of ``objectives``) into the Open SDG data repository ``dest``."""
    report = ExportReport()
    wanted = set(objectives) if objectives is not None else None
    numbers = {o.id: o.number for o in cat.objectives}
    labels: dict[str, dict[str, str]] = {"en": {}, "it": {}}
    taken: dict[str, str] = {}
    for entry in cat.entries:
        ind = entry.indicator
        if wanted is not None and ind.objective not in wanted:
            continue
        sid = opensdg_id(ind, numbers.get(ind.objective, 0))
        if sid in taken:
            sid = f"{numbers.get(ind.objective, 0)}-{ind.id}"
        taken[sid] = ind.id
        observations: list[Observation] = []
        if entry.data_file is not None:
            observations, problems = read_observations(
                entry.data_file, ind, label=_label(entry.data_file, cat.root), today=today
            )
            if problems:
                report.problems += problems
                continue
        exported = _export_one(entry, sid, observations, dest, labels, default_method, base_year)
        report.exported.append(exported)
    if any(labels.values()):
        for lang, table in labels.items():
            _write(dest / "translations" / lang / f"{GROUP}.yml", _yaml_text(dict(sorted(table.items()))))
    return report


def _label(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def _export_one(
    entry: Entry,
    sid: str,
    observations: list[Observation],
    dest: Path,
    labels: dict[str, dict[str, str]],
    default_method: str | None,
    base_year: int,
) -> Exported:
    ind = entry.indicator
    # An Open SDG data file holds one territory's exact values: peers' values and bounds are left out, and said.
    dropped = _left_out(observations)
    observations = assessable(observations)
    dropped += _dropped(ind, observations, default_method)
    headers: dict[str, str] = {}
    for d in ind.disaggregations:
        key = d.column
        for lang in ("en", "it"):
            text = getattr(d.label, lang)
            if labels[lang].setdefault(key, text) != text:
                dropped.append(
                    f"the {lang} label {text!r} of column {key!r} (another indicator's label "
                    f"{labels[lang][key]!r} is used: one translation per key)"
                )
        headers[d.column] = f"{GROUP}.{key}"
    options, found = _progress_options(ind, headers, observations, base_year)
    dropped += found
    meta_en, meta_it = _meta(ind, sid, options, bool(observations))
    meta_file = dest / "meta" / f"{sid}.md"
    _write(meta_file, _front_matter(meta_en))
    _write(dest / "meta" / "it" / f"{sid}.md", _front_matter(meta_it))
    data_file = None
    if observations:
        data_file = dest / "data" / f"indicator_{sid}.csv"
        _write(data_file, _csv_text(ind, headers, observations))
    else:
        dropped.append("nothing: it has no values yet (reporting_status: notstarted, no data file)")
    return Exported(ind.id, sid, meta_file, data_file, len(observations), dropped)


def _left_out(observations: list[Observation]) -> list[str]:
    """The values an Open SDG data file cannot carry: other territories' (a file is one territory's series) and
    bounds (its Value column holds exact figures, which the platform's progress measure would take as such)."""
    found = []
    if peers := len(peer_values(observations)):
        found.append(
            f"the {peers} values of peer territories (comparison only: a data file is one territory's)"
        )
    if bounds := sum(1 for o in observations if o.bound and not o.territory):
        found.append(f"{bounds} values published only as bounds ('more than', 'less than': not exact values)")
    return found


def _dropped(ind: Indicator, observations: list[Observation], default_method: str | None) -> list[str]:
    """What the Open SDG format cannot carry for this indicator, in English."""
    found = []
    method = ind.method or default_method
    if method != METHOD:
        found.append(
            f"method {method or '(the default for its unit)'}: the platform applies its own progress measure "
            "(opensdg)"
        )
    if ind.baseline is not None and ind.baseline.value is not None:
        year = [o.value for o in observations if o.series == HEADLINE and int(o.time) == ind.baseline.year]
        if year != [ind.baseline.value]:
            found.append(
                f"baseline.value {ind.baseline.value:g} (the platform takes the series value of the base year)"
            )
    if ind.target is not None:
        if ind.target.basis != "policy":
            found.append("target.basis proposal (a platform target is a policy target)")
        if ind.target.url:
            found.append("target.url")
    if any(b is not None and math.isfinite(b) for b in (ind.unit.min, ind.unit.max)):
        found.append("unit.min/unit.max (value range checks)")  # infinite ones: re-derived from the values
    if ind.standards:
        found.append("standards")
    notes = sum(1 for o in observations if o.note or o.note_it or o.note_en)
    if notes:
        found.append(f"the notes of {_values(notes)} (Open SDG data files have no note per value)")
    flags = sum(1 for o in observations if o.flag)
    if flags:
        found.append(f"the flags of {_values(flags)} (provisional, estimated, break)")
    sources = {o.source for o in observations if o.source and o.source != ind.source.url}
    if sources:
        found.append(f"{len(sources)} sources per value (the indicator's source is kept)")
    per_year: dict[tuple[str, int], int] = {}
    for o in observations:
        per_year[(o.series, int(o.time))] = per_year.get((o.series, int(o.time)), 0) + 1
    if any(n > 1 for n in per_year.values()):
        found.append(
            "nothing, but several periods fall in one year: sdg-build's progress measure stops on duplicate "
            "years, so set auto_progress_calculation: false or publish annual values"
        )
    return found


def _progress_options(
    ind: Indicator, headers: dict[str, str], observations: list[Observation], base_year: int
) -> tuple[list[dict[str, Any]], list[str]]:
    """``progress_calculation_options``: one entry, or one per ``progress_series`` (sdg-build scores each and
    publishes the mean). Unset base year: the project's ``assessment.base_year`` when it is not sdg-build's."""
    dropped = []
    if ind.progress_series:
        entries = []
        for s in ind.progress_series:
            entry: dict[str, Any] = {"direction": "positive" if s.direction == "increase" else "negative"}
            if s.select:
                entry["disaggregation"] = [{"field": headers[c], "value": v} for c, v in s.select.items()]
                varying = _varying(s.select, observations)
                if varying:
                    dropped.append(
                        f"nothing, but progress series {s.select} leaves {', '.join(varying)} varying: sdg-build "
                        "finds several sub-series there"
                    )
            if s.base_year is not None or base_year != DEFAULT_BASE_YEAR:
                entry["base_year"] = s.base_year if s.base_year is not None else base_year
            if s.target is not None:
                entry["target"] = _plain(s.target)
                if s.target_year is not None:
                    entry["target_year"] = s.target_year
            if s.natural_limit is not None:
                entry["limit"] = _plain(s.natural_limit)
            entries.append(entry)
        return entries, dropped
    entry = {"direction": "positive" if ind.direction == "increase" else "negative"}
    year = ind.baseline.year if ind.baseline is not None else base_year
    if ind.baseline is not None or year != DEFAULT_BASE_YEAR:
        entry["base_year"] = year
    if ind.target is not None:
        entry["target"] = _plain(ind.target.value)
        entry["target_year"] = ind.target.year
    if ind.natural_limit is not None:
        entry["limit"] = _plain(ind.natural_limit)
    return [entry], dropped


def _varying(select: dict[str, str], observations: list[Observation]) -> list[str]:
    seen: dict[str, set[str]] = {}
    for o in observations:
        dims = parse_series_key(o.series)
        if all(dims.get(c, "") == v for c, v in select.items()):
            for c, v in dims.items():
                if c not in select:
                    seen.setdefault(c, set()).add(v)
    return sorted(c for c, values in seen.items() if len(values) > 1)


def _plain(value: float) -> int | float:
    return int(value) if float(value).is_integer() and abs(value) < 1e15 else value


def _html(text: str) -> str:
    """Metadata fields are HTML on the platform (and read back as such): escaped, line breaks as ``<br>``."""
    return html.escape(text.strip(), quote=False).replace("\n", "<br>")


def _units(ind: Indicator, lang: str) -> str:
    word = UNIT_WORDS[ind.unit.kind][0 if lang == "en" else 1]
    label = getattr(ind.unit.label, lang).strip()
    return f"{word} ({_html(label)})" if label and label != "%" else word


def _meta(
    ind: Indicator, sid: str, options: list[dict[str, Any]], has_data: bool
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The English front matter, in ``_prose.yml``'s order, and its Italian overrides."""
    code = ind.code or sid.replace("-", ".")
    en: dict[str, Any] = {
        "sdg_goal": sid.split("-", 1)[0],
        "indicator_number": code,
        "indicator_sort_order": "-".join(p.zfill(2) for p in sid.split("-")),
        "indicator_name": _html(ind.name.en),
        "national_indicator_available": _html(ind.name.en),
        "national_indicator_description": _html(ind.definition.en),
        "national_geographical_coverage": TERRITORY[ind.territory][0],
        "computation_units": _units(ind, "en"),
    }
    it: dict[str, Any] = {
        "indicator_name": _html(ind.name.it),
        "national_indicator_available": _html(ind.name.it),
        "national_indicator_description": _html(ind.definition.it),
        "national_geographical_coverage": TERRITORY[ind.territory][1],
        "computation_units": _units(ind, "it"),
    }
    if ind.target is not None:
        en["target_name"] = _html(ind.target.reference.en)
        it["target_name"] = _html(ind.target.reference.it)
    en |= {
        "reporting_status": "complete" if has_data else "notstarted",
        "published": True,
        "data_non_statistical": False,
        "graph_type": "line",
        "graph_title": _html(ind.name.en),
    }
    it["graph_title"] = _html(ind.name.it)
    if ind.data_note is not None:
        en["data_footnote"] = _html(ind.data_note.en)
        it["data_footnote"] = _html(ind.data_note.it)
    if ind.keywords.en or ind.keywords.it:
        en["data_keywords"] = ", ".join(ind.keywords.en)
        it["data_keywords"] = ", ".join(ind.keywords.it)
    en |= {
        "source_active_1": True,
        "source_organisation_1": ind.source.name,
        "source_periodicity_1": FREQUENCY[ind.frequency][0],
        "source_url_1": ind.source.url,
        "source_url_text_1": ind.source.name,
        "auto_progress_calculation": ind.automatic_progress,
        "progress_calculation_options": options,
    }
    it["source_periodicity_1"] = FREQUENCY[ind.frequency][1]
    if not ind.automatic_progress and ind.manual_status is not None:
        en["progress_status"] = ind.manual_status
    return en, it


def _csv_text(ind: Indicator, headers: dict[str, str], observations: list[Observation]) -> str:
    """Open SDG's CSV: ``Year``, the disaggregations (blank = total), ``Value``; the headline rows first."""
    columns = [d.column for d in ind.disaggregations]
    order = {s: i for i, s in enumerate(dict.fromkeys(o.series for o in observations))}
    rows = sorted(observations, key=lambda o: (o.series != HEADLINE, order[o.series], o.time, o.period))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Year", *(headers[c] for c in columns), "Value"])
    for o in rows:
        dims = parse_series_key(o.series)
        writer.writerow([o.period, *(dims.get(c, "") for c in columns), number(o.value)])
    return out.getvalue()


def _yaml_text(tree: dict[str, Any]) -> str:
    yaml = YAML(typ="rt", pure=True)
    yaml.width = 4096  # one line per field, as Prose.io writes them
    yaml.allow_unicode = True
    yaml.indent(mapping=2, sequence=2, offset=0)
    out = io.StringIO()
    yaml.dump(tree, out)
    return out.getvalue()


def _front_matter(fields: dict[str, Any]) -> str:
    return f"---\n{_yaml_text(fields)}---\n"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8", newline="")
    os.replace(tmp, path)


def _values(count: int) -> str:
    """Say "1 value" or "2 values": the report is read by people."""
    return f"{count} value" if count == 1 else f"{count} values"
