"""Our indicator definition and data file from one Open SDG indicator (metadata, options and selected rows).

KeptResult apart from the reading so the mapping of each Open SDG field to ours can be read in one place:
``indicator_name``/``graph_title`` → ``name``; ``national_indicator_description`` → ``definition`` (plain text);
``computation_units`` or the kept ``Units`` value → ``unit``; ``progress_calculation_options`` → ``direction``,
``baseline.year``, ``target``, ``natural_limit`` (sdg-build's defaults when unset); ``source_*_1..n`` →
``source``; CSV columns → ``disaggregations``; the decisions → ``data_note``.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import LiteralScalarString

from tracker.catalog import PROGRESS_STATUSES, RESERVED_COLUMNS, UNIT_BOUNDS, Indicator
from tracker.intake.opensdg_data import FORMULA_START, Row, same
from tracker.intake.opensdg_meta import (
    Meta,
    ProgressOptions,
    Translations,
    merged,
    one_line,
    plain_text,
    slugify,
    unit_kind,
    unit_label,
)
from tracker.problems import Problem

METHOD = "opensdg"


class Notes:
    """The importer's decisions, each in English and Italian (for ``data_note`` and the report)."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, en: str, it: str) -> None:
        if (en, it) not in self.items:
            self.items.append((en, it))

    def english(self) -> list[str]:
        return [en for en, _ in self.items]


@dataclass
class Inputs:
    sid: str
    slug: str
    objective: str
    origin: str
    meta: Meta  # in the chosen language
    italian: Meta | None  # the platform's Italian overrides, if any
    opts: ProgressOptions
    rows: list[Row]
    headers: list[str]
    unit_text: str
    csv_name: str
    meta_name: str
    tr_values: Translations
    tr_it: Translations
    has_it: bool
    kept: dict[str, str] = field(
        default_factory=dict
    )  # "unit"/"series" -> the kept value, when several existed


@dataclass
class Built:
    indicator: Indicator | None
    yaml_text: str = ""
    csv_text: str = ""
    problems: list[Problem] = field(default_factory=list)


def slug_for(sid: str, prefix: str) -> str:
    return (slugify(prefix, "-") + "-" if slugify(prefix, "-") else "") + slugify(sid, "-")


def build(inp: Inputs, notes: Notes, label: str) -> Built:
    problems: list[Problem] = []
    fields = inp.meta.fields
    italian = merged(inp.meta, inp.italian) if inp.italian else None
    name_en = _first(fields, "indicator_name", "graph_title", "national_indicator_available") or inp.sid
    title = _graph_title(fields, inp.kept)
    if title and title != name_en:
        notes.add(
            f"Name: the platform's chart title for the imported series; the indicator is “{name_en}”.",
            f"Nome: il titolo del grafico della piattaforma per la serie importata; l'indicatore è “{name_en}”.",
        )
        name_en = title
    definition_en = (
        _first_text(
            fields, "national_indicator_description", "indicator_definition", "computation_definitions"
        )
        or name_en
    )
    name_it = _first(italian.fields, "indicator_name", "graph_title") if italian else ""
    definition_it = _first_text(italian.fields, "national_indicator_description") if italian else ""
    if not (name_it and definition_it):
        notes.add(
            "The source has no Italian text: the Italian name and definition repeat the English ones.",
            "La fonte non ha testi in italiano: nome e definizione sono riportati in inglese.",
        )
    source, others = _sources(inp.meta, inp.origin)
    if source is None:
        return Built(
            None,
            problems=[
                Problem(
                    label,
                    "no source address (source_url_1 ... are empty)",
                    key="source_url_1",
                    hint="add the link to the data source",
                )
            ],
        )
    if others:
        notes.add("Other sources: " + "; ".join(others) + ".", "Altre fonti: " + "; ".join(others) + ".")
    values = [r.value for r in inp.rows if r.value is not None]
    unit = _unit(inp.unit_text or one_line(fields.get("computation_units")) or name_en, values, notes)
    unit_it = one_line(inp.italian.fields.get("computation_units")) if inp.italian else ""
    if unit_it and not inp.unit_text:  # the platform's Italian unit (meta/it/<id>.md)
        unit["label"]["it"] = unit_label(unit_it, unit["kind"])
    _option_notes(inp.opts, notes, problems, label)
    disaggregations = _disaggregations(inp)
    headline = sorted({r.period.time for r in inp.rows if not any(r.dims.values())})
    coverage = one_line(fields.get("national_geographical_coverage"))
    if coverage:
        notes.add(f"Geographical coverage: {coverage}.", f"Copertura geografica: {coverage}.")
    origin_en = (
        f"Imported from the Open SDG platform {inp.origin}, indicator {_code(fields, inp.sid)} "
        f"({inp.csv_name}, {inp.meta_name})."
    )
    origin_it = (
        f"Importato dalla piattaforma Open SDG {inp.origin}, indicatore {_code(fields, inp.sid)} "
        f"({inp.csv_name}, {inp.meta_name})."
    )
    tree: dict[str, Any] = {
        "id": inp.slug,
        "objective": inp.objective,
        "code": _code(fields, inp.sid),
        "name": {"it": name_it or name_en, "en": name_en},
        "definition": {"it": definition_it or definition_en, "en": definition_en},
        "unit": unit,
        "direction": "increase" if inp.opts.direction == "positive" else "decrease",
        "baseline": {"year": inp.opts.base_year},
    }
    if inp.opts.target is not None:
        reference = one_line(fields.get("target_name")) or "Target set in the platform's progress options"
        reference_it = one_line(italian.fields.get("target_name")) if italian else ""
        tree["target"] = {
            "value": _plain_number(inp.opts.target),
            "year": inp.opts.target_year,
            "basis": "policy",
            "reference": {"it": reference_it or reference, "en": reference},
        }
    tree["frequency"] = _frequency(headline or sorted({r.period.time for r in inp.rows}), inp.rows)
    tree["source"] = source
    tree["method"] = METHOD
    if not inp.opts.auto:
        tree["automatic_progress"] = False
        if inp.opts.manual_status in PROGRESS_STATUSES:
            tree["manual_status"] = inp.opts.manual_status
    if inp.opts.others:
        tree["progress_series"] = _progress_series(inp, disaggregations, notes, problems, label)
    if inp.opts.limit is not None:
        tree["natural_limit"] = _plain_number(inp.opts.limit)
    if disaggregations:
        tree["disaggregations"] = [{k: v for k, v in d.items() if k != "header"} for d in disaggregations]
    tree["data_note"] = {
        "it": " ".join([origin_it, *(it for _, it in notes.items)]),
        "en": " ".join([origin_en, *notes.english()]),
    }
    try:
        indicator = Indicator.model_validate(tree)
    except ValidationError as exc:
        return Built(
            None,
            problems=problems
            + [
                Problem(
                    label,
                    f"cannot become a definition: {'.'.join(str(p) for p in e['loc'])}: {e['msg']}",
                    hint="check this field in the metadata",
                )
                for e in exc.errors(include_url=False)
            ],
        )
    problems += [
        Problem(label, f"{key}: {message}", hint=hint) for key, message, hint in indicator.inconsistencies()
    ]
    if indicator.inconsistencies():
        return Built(None, problems=problems)
    return Built(indicator, _yaml_text(tree, inp), _csv_text(inp, disaggregations, source["url"]), problems)


def _graph_title(fields: dict[str, Any], kept: dict[str, str]) -> str:
    """The ``graph_titles`` entry of the kept unit or series (``- unit: Percentage`` / ``title: ...``)."""
    titles = fields.get("graph_titles")
    if not kept or not isinstance(titles, list):
        return ""
    for item in titles:
        if (
            isinstance(item, dict)
            and item.get("title")
            and any(str(item.get(k)) == v for k, v in kept.items())
        ):
            return one_line(item["title"])
    return ""


def _plain_number(value: float) -> int | float:
    return int(value) if float(value).is_integer() and abs(value) < 1e15 else value


def _first(fields: dict[str, Any], *keys: str) -> str:
    return next((one_line(fields[k]) for k in keys if one_line(fields.get(k))), "")


def _first_text(fields: dict[str, Any], *keys: str) -> str:
    return next((plain_text(fields[k]) for k in keys if plain_text(fields.get(k))), "")


def _code(fields: dict[str, Any], sid: str) -> str:
    number = one_line(fields.get("indicator_number"))
    return number or sid.replace("-", ".")


def _url(value: object) -> str:
    text = str(value or "").strip()
    return text if re.fullmatch(r"https?://\S+", text) else ""


def _sources(meta: Meta, origin: str) -> tuple[dict[str, str] | None, list[str]]:
    """The first active source with a link; the others as text. Falls back to a link in the texts, then the origin."""
    found = []
    for n in range(1, 10):
        active = meta.fields.get(f"source_active_{n}")
        if str(active).strip().lower() == "false":
            continue
        org = one_line(meta.fields.get(f"source_organisation_{n}"))
        text = one_line(meta.fields.get(f"source_url_text_{n}"))
        url = _url(meta.fields.get(f"source_url_{n}"))
        if org or text or url:
            found.append((org or text, text, url))
    with_url = [s for s in found if s[2]]
    if with_url:
        first = with_url[0]
        others = [
            f"{o}{' — ' + t if t and t != o else ''}{' (' + u + ')' if u else ''}"
            for o, t, u in found
            if (o, t, u) != first
        ]
        return {"name": first[0] or origin, "url": first[2]}, others
    links = re.findall(
        r"href=[\"'](https?://[^\"'\s]+)", meta.body + " " + " ".join(str(v) for v in meta.fields.values())
    )
    url = (
        links[0]
        if links
        else _url(origin)
        or (f"https://github.com/{origin}" if re.fullmatch(r"[\w.-]+/[\w.-]+", origin) else "")
    )
    if not url:
        return None, []
    return {"name": (found[0][0] if found else "") or origin, "url": url}, [
        f"{o}{' — ' + t if t and t != o else ''}" for o, t, _ in found[1:]
    ]


def _unit(text: str, values: list[float], notes: Notes) -> dict[str, Any]:
    kind = unit_kind(text)
    if kind == "count" and any(not float(v).is_integer() for v in values):
        kind = "index"  # e.g. a Gini coefficient whose unit is written "Number"
    unit: dict[str, Any] = {
        "kind": kind,
        "label": {"it": unit_label(text, kind), "en": unit_label(text, kind)},
        "decimals": decimals_of(values),
    }
    low, high = UNIT_BOUNDS[kind]
    if values and min(values) < low:
        unit["min"] = -math.inf
    if values and max(values) > high:
        unit["max"] = math.inf
    if "min" in unit or "max" in unit:
        notes.add(
            f"Values fall outside the usual range of a {kind} ({low:g}..{high:g}): the range check was widened.",
            f"Alcuni valori escono dall'intervallo consueto ({low:g}..{high:g}): il controllo è stato allargato.",
        )
    return unit


def decimals_of(values: list[float]) -> int:
    """Display decimals: the most common precision among values published with at most 3 decimals.

    Values with more digits (``46.4516129032258``: a ratio printed in full) keep their full precision in the
    data file; only the display is rounded.
    """
    counts: Counter[int] = Counter()
    for v in values:
        text = repr(float(v))
        if "e" in text:
            continue
        places = len(text.split(".")[1].rstrip("0"))
        if places <= 3:
            counts[places] += 1
    if not counts:
        return 1
    return max(counts.items(), key=lambda kv: (kv[1], kv[0]))[0]


def _option_notes(opts: ProgressOptions, notes: Notes, problems: list[Problem], label: str) -> None:
    if not opts.auto:
        status = f"; its manual status is {opts.manual_status!r}" if opts.manual_status else ""
        notes.add(
            f"The platform does not compute progress for this indicator (auto_progress_calculation is off{status}): "
            "no automatic verdict is published here either.",
            "La piattaforma non calcola il progresso di questo indicatore (auto_progress_calculation è "
            f"disattivato{status.replace('; its manual status is', '; stato manuale')}): nemmeno qui si pubblica "
            "un giudizio automatico.",
        )
        if opts.manual_status and opts.manual_status not in PROGRESS_STATUSES:
            problems.append(
                Problem(
                    label,
                    f"progress_status {opts.manual_status!r} is not an Open SDG status",
                    key="progress_status",
                    hint=f"use one of: {', '.join(PROGRESS_STATUSES)}",
                )
            )
    if opts.disabled_in_comments:
        notes.add(
            "The source's progress options are commented out.",
            "Le opzioni di progresso della fonte sono commentate.",
        )
    if "direction" in opts.defaulted:
        notes.add(
            "Direction: the source's progress options set none, so Open SDG's default applies: negative "
            "(lower is better).",
            "Direzione: le opzioni di progresso della fonte non la indicano, quindi vale il default di Open SDG: "
            "negativa (meglio se diminuisce).",
        )
    if "base_year" in opts.defaulted:
        notes.add(
            "Base year: Open SDG's default, 2015 (or the first later year with data).",
            "Anno base: il default di Open SDG, 2015 (o il primo anno successivo con dati).",
        )
    if opts.target is not None and "target_year" in opts.defaulted:
        notes.add("Target year: Open SDG's default, 2030.", "Anno obiettivo: il default di Open SDG, 2030.")
    if opts.grouped:
        notes.add(
            f"The platform averages {opts.entries} grouped progress series; only the first was imported.",
            f"La piattaforma fa la media di {opts.entries} serie di progresso raggruppate; è stata importata "
            "solo la prima.",
        )
    elif opts.others:
        notes.add(
            f"The platform scores {opts.entries} progress series, each with its own options, and publishes "
            "the mean of their scores: so does this indicator (progress_series).",
            f"La piattaforma valuta {opts.entries} serie di progresso, ciascuna con le sue opzioni, e pubblica "
            "la media dei loro punteggi: così anche questo indicatore (progress_series).",
        )
    if opts.thresholds:
        problems.append(
            Problem(
                label,
                f"custom progress_thresholds {opts.thresholds} were not imported",
                key="progress_calculation_options",
                hint="set assessment.thresholds.opensdg in "
                "config.yaml if they should apply to every indicator",
            )
        )
        notes.add(
            f"The source's own progress thresholds {opts.thresholds} were not imported.",
            f"Le soglie di progresso proprie della fonte {opts.thresholds} non sono state importate.",
        )
    if opts.unknown_keys:
        notes.add(
            f"Progress options not understood and left out: {', '.join(opts.unknown_keys)}.",
            f"Opzioni di progresso non riconosciute ed escluse: {', '.join(opts.unknown_keys)}.",
        )
    for comment in opts.comments:
        notes.add(
            f"Comment in the source's progress options: “{comment}”.",
            f"Commento nelle opzioni di progresso della fonte: “{comment}”.",
        )


def _progress_series(
    inp: Inputs, disaggregations: list[dict[str, Any]], notes: Notes, problems: list[Problem], label: str
) -> list[dict[str, Any]]:
    """``progress_series`` from every options entry: its selection as our columns and values, and its options.

    The first entry's series is the headline when the headline was built from it (the importer's rule), so it
    selects nothing; a field or value that is not in the data is reported, and the entry then selects what
    sdg-build would: the rows left unfiltered."""
    by_header = {d["header"]: d for d in disaggregations}
    headline_rows = [r for r in inp.rows if not any(r.dims.values())]
    result = []
    for i, opts in enumerate([inp.opts, *inp.opts.others]):
        pairs = [(f, v) for f, v in (("Units", opts.unit), ("Series", opts.series)) if v is not None]
        select: dict[str, str] = {}
        for field_name, value in [*pairs, *opts.disaggregation]:
            header = next((h for h in by_header if same(field_name, h, inp.tr_values.text(h))), None)
            if header is None:
                continue  # a unit or series the file has once only: no column, nothing to select
            found = next(
                (
                    r.dims[header]
                    for r in inp.rows
                    if r.dims.get(header) and same(value, r.raw[header], r.dims[header])
                ),
                None,
            )
            if found is None:
                problems.append(
                    Problem(
                        label,
                        f"progress option {field_name} = {value!r} matches no data row",
                        key=f"progress_calculation_options.{i}",
                        hint="check the value",
                    )
                )
                continue
            select[by_header[header]["column"]] = found
        chosen = {
            r.line
            for r in inp.rows
            if r.origin == "value"
            and all(r.dims[h] == select.get(d["column"], "") for h, d in by_header.items())
        }
        if (
            select
            and headline_rows
            and all(r.origin in ("progress", "copy") for r in headline_rows)
            and {r.line for r in headline_rows} <= chosen
        ):
            select = {}  # the headline was built from this entry's rows (with its Progress values, if any)
        entry: dict[str, Any] = {
            "select": select,
            "direction": "increase" if opts.direction == "positive" else "decrease",
        }
        if "base_year" not in opts.defaulted:
            entry["base_year"] = opts.base_year
        if opts.target is not None:
            entry["target"] = _plain_number(opts.target)
            entry["target_year"] = opts.target_year
        if opts.limit is not None:
            entry["natural_limit"] = _plain_number(opts.limit)
        result.append(entry)
    return result


def _disaggregations(inp: Inputs) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = []
    used = set(RESERVED_COLUMNS)
    for header in inp.headers:
        values = list(dict.fromkeys(r.dims[header] for r in inp.rows if r.dims[header]))
        if not values:
            continue
        key = inp.tr_values.key_of(header)
        base = slugify(key[1] if key else header) or f"dimension_{len(result) + 1}"
        if not base[0].isalpha():
            base = f"d_{base}"
        column = f"by_{base}" if base in used else base
        n = 2
        while column in used:
            column, n = f"{base}_{n}", n + 1
        used.add(column)
        en = one_line(inp.tr_values.text(header))  # like every "en" text: in the chosen platform language
        it = one_line(inp.tr_it.text(header)) if inp.tr_it.available and inp.tr_it.key_of(header) else en
        result.append({"column": column, "label": {"it": it, "en": en}, "values": values, "header": header})
    return result


def _frequency(times: list[float], rows: list[Row]) -> str:
    """From the periods: several quarters (months) a year → quarterly (monthly); else by the usual gap in years."""
    labels = [r.period.label for r in rows]
    years = Counter(label[:4] for label in set(labels))
    if any("-Q" in label for label in labels) and max(years.values()) > 1:
        return "quarterly"
    if any(re.fullmatch(r"\d{4}-\d{2}", label) for label in labels) and max(years.values()) > 1:
        return "monthly"
    gaps = sorted(
        round(b - a)
        for a, b in zip(
            sorted({math.floor(t) for t in times}), sorted({math.floor(t) for t in times})[1:], strict=False
        )
    )
    if not gaps:
        return "irregular"
    usual = gaps[len(gaps) // 2]
    if all(g == usual for g in gaps):
        return {1: "annual", 2: "biennial"}.get(usual, "irregular")
    return "annual" if usual == 1 and gaps.count(1) >= 0.8 * len(gaps) else "irregular"


def _yaml_text(tree: dict[str, Any], inp: Inputs) -> str:
    for loc in ("definition",):
        for lang in ("it", "en"):
            if "\n" in tree[loc][lang]:
                tree[loc][lang] = LiteralScalarString(tree[loc][lang])
    yaml = YAML(typ="rt", pure=True)
    yaml.width = 110
    yaml.indent(mapping=2, sequence=4, offset=2)
    out = io.StringIO()
    out.write(
        f"# Imported from Open SDG ({inp.origin}, indicator {inp.sid}) by `tracker import opensdg`.\n"
        "# Edit freely; importing again replaces this file.\n"
    )
    yaml.dump(tree, out)
    return out.getvalue()


def _csv_text(inp: Inputs, disaggregations: list[dict[str, Any]], source_url: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    columns = [d["column"] for d in disaggregations]
    has_flag = any(r.flag for r in inp.rows)
    writer.writerow(["period", "value", *columns, "note", *(["flag"] if has_flag else []), "source"])
    for r in inp.rows:
        note = _safe(plain_text(r.note)) if r.note else ""
        if r.origin == "progress":
            note = "; ".join(x for x in ("Open SDG Progress column", note) if x)
        writer.writerow(
            [
                r.period.label,
                number(r.value),
                *(r.dims[d["header"]] for d in disaggregations),
                note,
                *([r.flag] if has_flag else []),
                source_url,
            ]
        )
    return out.getvalue()


def _safe(text: str) -> str:
    """One line, and not starting like a spreadsheet formula (the data validator rejects those)."""
    return FORMULA_START.sub("", re.sub(r"\s+", " ", text)).strip()


def number(value: float | None) -> str:
    """The shortest text that reads back as the same float (``14.5``, ``26866``, ``46.4516129032258``)."""
    if value is None:
        return ""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))
