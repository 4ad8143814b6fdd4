"""Machine-readable outputs: ``scorecard.json`` and the open data (CSV + JSON per indicator, datapackage).

``scorecard.json`` is described by ``schemas/scorecard.schema.json``; the CSV files by a Frictionless
``datapackage.json`` (Table Schema with one column per disaggregation, blank meaning the total, as in Open SDG).
"""

from __future__ import annotations

import csv
import gzip
import io
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial

import orjson

from tracker import __version__
from tracker.assess.base import SYMBOL, Assessment, ObjectiveSummary
from tracker.catalog import Indicator
from tracker.config import Localized
from tracker.observations import BOUNDS, FLAGS, Observation, parse_series_key
from tracker.site.context import CATEGORY_ORDER, IndicatorView, SiteContext
from tracker.site.workbooks import Cell

SCHEMA_VERSION = 1
DATA_DIR = "data"
#: Most observations written inside ``data/<id>.json``. A longer series (a million monthly values of 900 series:
#: 220 MB of indented JSON, built in memory as a million dicts) gets a small ``data/<id>.json`` with
#: ``"observations": null`` and its values in ``data/<id>.observations.json.gz``: the same objects, one JSON
#: array, gzip-compressed and made a chunk at a time (about 20 times smaller, in bounded memory).
JSON_INLINE = 50_000
#: Observations serialized and compressed at a time into the ``.json.gz`` file.
_GZ_CHUNK = 10_000


def observations_file(view: IndicatorView) -> str | None:
    """Path of the indicator's compressed observations (:data:`JSON_INLINE`), or ``None``: they are inline."""
    return f"{DATA_DIR}/{view.id}.observations.json.gz" if view.brief.count > JSON_INLINE else None


def _num(value: float | None) -> float | None:
    return None if value is None or (isinstance(value, float) and not math.isfinite(value)) else value


def in_languages(texts: Mapping[str, str] | Localized, languages: Sequence[str]) -> dict[str, str]:
    """``texts`` in the site's languages only, in their own order: the assessment has words in every language
    the tracker knows, and a text may carry languages the site does not publish."""
    items = texts.model_dump() if isinstance(texts, Localized) else texts
    return {lang: text for lang, text in items.items() if lang in languages}


def assessment_json(a: Assessment, languages: Sequence[str]) -> dict:
    """For ``orjson.dumps``, which writes the points and the projection (dataclasses) as objects, in field
    order, and NaN or infinities as null: no copies of 100,000 points for a 1,000-indicator scorecard."""
    return {
        "method": a.method,
        "window": a.window,
        "category": a.category.value,
        "symbol": SYMBOL[a.category],
        "score": a.score,
        "label": in_languages(a.label, languages),
        "base": a.base,
        "latest": a.latest,
        "figures": a.figures,
        "projection": a.projection,
        "reason": in_languages(a.reason, languages),
        "projection_note": in_languages(a.projection_note, languages),
        "notes": [in_languages(n, languages) for n in a.notes],
        "trend_only": a.trend_only,
    }


def summary_json(s: ObjectiveSummary) -> dict:
    return {
        "mean_score": _num(s.mean_score),
        "category": s.category.value,
        "symbol": SYMBOL[s.category],
        "counts": {c.value: int(s.counts.get(c, 0)) for c in CATEGORY_ORDER},
        "assessed": s.assessed,
        "total": s.total,
        "coverage": s.coverage,
        "current": s.current,
        "min_coverage": s.min_coverage,
        "trend_counts": {c.value: int(n) for c, n in s.trend_counts.items() if n},
    }


def indicator_json(view: IndicatorView, languages: list[str]) -> dict:
    ind = view.ind
    latest = view.latest
    result = view.result
    return {
        "id": ind.id,
        "code": ind.code,
        "objective": ind.objective,
        "name": in_languages(ind.name, languages),
        "definition": in_languages(ind.definition, languages),
        "unit": {
            "kind": ind.unit.kind,
            "label": in_languages(ind.unit.label, languages),
            "decimals": ind.unit.decimals,
        },
        "direction": ind.direction,
        "frequency": ind.frequency,
        "territory": ind.territory,
        "standards": list(ind.standards),
        "source": {"name": ind.source.name, "url": ind.source.url},
        "latest": None
        if latest is None
        else {
            "period": latest.period,
            "time": latest.time,
            "value": latest.value,
            "bound": latest.bound or None,
            "flag": latest.flag or None,
        },
        "baseline": None
        if ind.baseline is None
        else {"year": ind.baseline.year, "value": ind.baseline.value},
        "target": None
        if ind.target is None
        else {
            "value": ind.target.value,
            "year": ind.target.year,
            "basis": ind.target.basis,
            "reference": in_languages(ind.target.reference, languages),
            "url": ind.target.url,
        },
        "method": result.headline.method if result else ind.method,
        "windows": [a.window for a in view.assessments],
        "category": view.category.value,
        "symbol": SYMBOL[view.category],
        "score": _num(view.assessment.score) if view.assessment else None,
        "assessment": assessment_json(result.headline, languages) if result else None,
        "others": [assessment_json(a, languages) for a in result.others] if result else [],
        "subseries": {k: assessment_json(a, languages) for k, a in result.subseries.items()}
        if result
        else {},
        "series": view.series_keys,
        "reporting": {
            "status": view.status,
            "next_due": view.due.isoformat() if view.due else None,
            "updated": view.updated.isoformat() if view.updated else None,
        },
        "page": {lang: f"{lang}/{view.path}" for lang in languages},
        "data": {"csv": f"{DATA_DIR}/{ind.id}.csv", "json": f"{DATA_DIR}/{ind.id}.json"}
        | ({"observations": split} if (split := observations_file(view)) else {}),
    }


def scorecard(ctx: SiteContext) -> dict:
    cfg = ctx.settings.config
    languages = list(cfg.languages)
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": f"smartcity-tracker {__version__}",
        "generated_at": ctx.generated_at.isoformat(),
        "city": {
            "id": cfg.city.id,
            "name": cfg.city.name,
            "title": in_languages(cfg.city.title, languages),
            "strategy": in_languages(cfg.city.strategy, languages),
        },
        "languages": list(cfg.languages),
        "totals": {
            "indicators": len(ctx.indicators),
            "with_data": ctx.with_data,
            "assessed": ctx.assessed,
            "overdue": ctx.overdue,
            "counts": {c.value: n for c, n in ctx.counts.items()},
        },
        "objectives": [
            {
                "id": o.id,
                "number": o.objective.number,
                "name": in_languages(o.objective.name, languages),
                "description": in_languages(o.objective.description, languages),
                "summary": summary_json(o.summary),
                "indicators": [indicator_json(i, list(cfg.languages)) for i in o.indicators],
            }
            for o in ctx.objectives
        ],
    }


def _columns(view: IndicatorView) -> list[str]:
    declared = [d.column for d in view.ind.disaggregations]
    seen = {k for key in view.series_keys for k in parse_series_key(key)}
    return declared + sorted(seen - set(declared))


def indicator_csv(view: IndicatorView, languages: Sequence[str] = ()) -> str:
    """The indicator's values as CSV; a text that a spreadsheet would run as a formula (accepted before the
    intake refused them) is prefixed with ``'`` (OWASP's CSV-injection defence, :mod:`tracker.formulas`)."""
    from tracker.formulas import defuse

    columns = _columns(view)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    # bound and territory, then the notes in other languages, last: files read by column position before they
    # existed keep their columns
    others = note_languages(languages)
    writer.writerow(
        [
            "period",
            *columns,
            "value",
            "flag",
            "note_it",
            "note_en",
            "source",
            "bound",
            "territory",
            *(f"note_{lang}" for lang in others),
        ]
    )
    # The disaggregation cells of each series, worked out once per series rather than once per row.
    cells = {s.key: [defuse(parse_series_key(s.key).get(c, "")) for c in columns] for s in view.series}
    cells.update(
        {o.series: [defuse(parse_series_key(o.series).get(c, "")) for c in columns] for o in view.peers}
    )
    writer.writerows(
        [
            obs.period,
            *cells[obs.series],
            repr(float(obs.value)),
            obs.flag,
            defuse(obs.note_in("it")),
            defuse(obs.note_in("en")),
            defuse(obs.source),
            obs.bound,
            defuse(obs.territory),
            *(defuse(obs.own_note(lang) or obs.note) for lang in others),
        ]
        for obs in view.downloadable
    )
    return buffer.getvalue()


def note_languages(languages: Sequence[str]) -> list[str]:
    """The site's languages beyond Italian and English, whose notes (``note_fr``...) the downloads keep in a
    column of their own (``note_it`` and ``note_en`` are always there, for files read by column position)."""
    return [lang for lang in languages if lang not in ("it", "en")]


def table_schema(view: IndicatorView, languages: Sequence[str] = ()) -> dict:
    labels = {d.column: d.label.get("en") for d in view.ind.disaggregations}
    columns = _columns(view)
    return {
        "fields": [
            {
                "name": "period",
                "type": "string",
                "description": "Period label (2015, 2015-Q4, 2015-03, 2014/2015)",
                "constraints": {"required": True},
            },
            *(
                {"name": c, "type": "string", "description": f"{labels.get(c, c)} (blank: total)"}
                for c in columns
            ),
            {
                "name": "value",
                "type": "number",
                "description": view.ind.unit.label.get("en"),
                "constraints": {"required": True},
            },
            {"name": "flag", "type": "string", "constraints": {"enum": list(FLAGS)}},
            {"name": "note_it", "type": "string", "description": "Note in Italian"},
            {"name": "note_en", "type": "string", "description": "Note in English"},
            {"name": "source", "type": "string", "description": "URL or citation of the value"},
            {
                "name": "bound",
                "type": "string",
                "description": "Blank: an exact value; lower: published as 'more than' the value; upper: as "
                "'less than' it (never assessed)",
                "constraints": {"enum": list(BOUNDS)},
            },
            {
                "name": "territory",
                "type": "string",
                "description": "Blank: the indicator's own city; otherwise a peer territory, for comparison only "
                "(never assessed)",
            },
            *(
                {"name": f"note_{lang}", "type": "string", "description": f"Note in {_english_name(lang)}"}
                for lang in note_languages(languages)
            ),
        ],
        "primaryKey": ["period", "territory", *columns],
        "missingValues": [""],
    }


def _english_name(lang: str) -> str:
    from babel import Locale

    return str(Locale.parse(lang).get_display_name("en"))


def datapackage(ctx: SiteContext) -> dict:
    cfg = ctx.settings.config
    resources = []
    for view in ctx.indicators:
        ind = view.ind
        title = ind.name.get("en")
        resources.append(
            {
                "name": ind.id,
                "path": f"{ind.id}.csv",
                "title": title,
                "description": ind.definition.get("en"),
                "type": "table",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "sources": [{"title": ind.source.name, "path": ind.source.url}],
                "schema": table_schema(view, cfg.languages),
            }
        )
        resources.append(
            {
                "name": f"{ind.id}-json",
                "path": f"{ind.id}.json",
                "title": f"{title} (definition, values, assessment)",
                "type": "json",
                "profile": "data-resource",
                "format": "json",
                "mediatype": "application/json",
                "encoding": "utf-8",
            }
        )
    package: dict = {
        "name": f"{cfg.city.id}-smart-city-scorecard",
        "title": cfg.city.title.get("en"),
        "description": f"Indicators of {cfg.city.strategy.get('en')}, with their values and progress assessments.",
        "created": ctx.generated_at.isoformat(),
        "version": ctx.generated_at.strftime("%Y.%m.%d"),
        "resources": resources,
    }
    if cfg.site.base_url:
        package["homepage"] = cfg.site.base_url
    return package


#: Compact, for programs (a third smaller than indented: 62 rather than 95 MB for the benchmark's 1,000 indicators).
DUMP = orjson.OPT_NON_STR_KEYS


def indicator_files(view: IndicatorView, languages: list[str]) -> dict[str, Callable[[], bytes]]:
    """The downloads of one indicator (path in the site -> how to make its bytes): made only when needed, so
    an incremental build can reuse the previous build's files without computing them."""

    split = observations_file(view)
    others = note_languages(languages)

    def record() -> bytes:
        data = indicator_json(view, languages)
        data["observations"] = None if split else [_point(o, others) for o in view.downloadable]
        return orjson.dumps(data, option=DUMP)

    files = {
        f"{DATA_DIR}/{view.id}.json": record,
        f"{DATA_DIR}/{view.id}.csv": lambda: indicator_csv(view, languages).encode("utf-8"),
    }
    if split:
        files[split] = partial(observations_gz, view, others)
    for lang in languages:
        files[xlsx_path(view.id, lang)] = partial(indicator_xlsx, view, lang)
    return files


def _point(o: Observation, others: Sequence[str] = ()) -> dict:
    return {
        "period": o.period,
        "time": o.time,
        "series": o.series,
        "value": o.value,
        "bound": o.bound or None,
        "territory": o.territory or None,
        "flag": o.flag or None,
        "note": {"it": o.note_in("it"), "en": o.note_in("en")}
        | {lang: o.own_note(lang) or o.note for lang in others},
        "source": o.source,
    }


def observations_gz(view: IndicatorView, others: Sequence[str] = ()) -> bytes:
    """The observations as the inline ``"observations"`` array of ``data/<id>.json`` has them (same objects,
    same order), without indentation, gzip-compressed a chunk at a time (fixed header time: same bytes for the
    same values)."""
    out = io.BytesIO()
    observations = view.downloadable
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=6, mtime=0) as gz:
        gz.write(b"[")
        for start in range(0, len(observations), _GZ_CHUNK):
            chunk = orjson.dumps([_point(o, others) for o in observations[start : start + _GZ_CHUNK]])
            gz.write((b"," if start else b"") + chunk[1:-1])
        gz.write(b"]")
    return out.getvalue()


def _peer_label(ind: Indicator, territory: str, lang: str) -> str:
    peer = ind.peer(territory) if territory else None
    return peer.label_in(lang) if peer is not None else territory


def xlsx_path(name: str, lang: str) -> str:
    """``data/<lang>/<name>.xlsx``: a spreadsheet with headers, flags and notes in the reader's language."""
    return f"{DATA_DIR}/{lang}/{name}.xlsx"


def _words(lang: str) -> tuple[Callable[[str], str], dict[str, dict[str, str]]]:
    from tracker.site.i18n import translations, vocabulary

    gettext = translations(lang).gettext
    return gettext, vocabulary(gettext)


def indicator_xlsx(view: IndicatorView, lang: str) -> bytes:
    """The indicator's values (numbers as numbers, one column per disaggregation) and its definition, with
    the words of ``lang``; read back by the tests with openpyxl."""
    from tracker.site.i18n import localized
    from tracker.site.workbooks import workbook

    _, vocab = _words(lang)
    ind = view.ind
    columns = _columns(view)
    labels = {d.column: localized(d.label, lang) for d in ind.disaggregations}
    unit = "%" if ind.unit.kind == "percent" else localized(ind.unit.label, lang)
    keys = {s.key: parse_series_key(s.key) for s in view.series}
    keys.update({o.series: parse_series_key(o.series) for o in view.peers})
    cells = {key: [parsed.get(c, "") for c in columns] for key, parsed in keys.items()}
    flags = vocab["flag"]
    bounds = vocab["bound"]
    rows: Iterable[Sequence[Cell]] = (  # made while the sheet is written, not held: see workbooks.workbook
        (
            o.period,
            *cells[o.series],
            o.value,
            unit,
            flags.get(o.flag, o.flag),
            o.note_in(lang),
            o.source,
            bounds[f"{o.bound}_name"] if o.bound else "",
            _peer_label(ind, o.territory, lang),
        )
        for o in view.downloadable
    )
    header = [
        _("Period"),
        *(labels.get(c, c) for c in columns),
        _("Value"),
        _("Unit"),
        _("Flag"),
        _("Note"),
        _("Source"),
        _("Bound"),
        _("Territory (blank: the indicator's own city)"),
    ]
    target = ind.target
    about: list[list[Cell]] = [
        [_("Indicator"), f"{ind.code} {localized(ind.name, lang)}".strip()],
        [_("Definition"), localized(ind.definition, lang)],
        [_("Unit"), f"{unit} ({vocab['unit'][ind.unit.kind]})"],
        [_("Direction"), vocab["direction"][ind.direction]],
        [_("Baseline"), ind.baseline.year if ind.baseline else None],
        [_("Target"), target.value if target else None],
        [_("Target year"), target.year if target else None],
        [_("Frequency"), vocab["frequency"][ind.frequency]],
        [_("Territory"), vocab["territory"][ind.territory]],
        [_("Source"), f"{ind.source.name} ({ind.source.url})"],
        [_("Data note"), localized(ind.data_note, lang) if ind.data_note else None],
    ]
    return workbook([(_("Data"), header, rows), (_("Definition"), [_("Field"), _("Value")], about)])


def scorecard_xlsx(ctx: SiteContext, lang: str) -> bytes:
    """One row per indicator: its objective, latest value, target and verdict (from the kept summaries, so
    an incremental build need not load every value)."""
    from tracker.site.i18n import category_words, localized, trend_words
    from tracker.site.workbooks import workbook

    _, vocab = _words(lang)
    rows = []
    for o in ctx.objectives:
        for v in o.indicators:
            ind, latest = v.ind, v.latest
            words = (
                trend_words(v.category, _) if v.trend_only and v.assessed else category_words(v.category, _)
            )
            rows.append(
                [
                    f"{o.objective.number}. {localized(o.objective.name, lang)}",
                    ind.code,
                    localized(ind.name, lang),
                    "%" if ind.unit.kind == "percent" else localized(ind.unit.label, lang),
                    latest.period if latest else None,
                    latest.value if latest else None,
                    ind.target.value if ind.target else None,
                    ind.target.year if ind.target else None,
                    words,
                    _num(v.assessment.score) if v.assessment else None,
                    vocab["status"][v.status],
                    vocab["bound"][f"{latest.bound}_name"] if latest and latest.bound else "",
                    f"{lang}/{v.path}",
                ]
            )
    header = [
        _("Objective"),
        _("Code"),
        _("Indicator"),
        _("Unit"),
        _("Latest period"),
        _("Latest value"),
        _("Target"),
        _("Target year"),
        _("Verdict"),
        _("Score"),
        _("Status"),
        _("The latest value is only a bound"),
        _("Page"),
    ]
    return workbook([(_("Scorecard"), header, rows)])


def shared_files(ctx: SiteContext) -> dict[str, bytes]:
    """The files that describe every indicator at once (and carry the build date): rewritten on every build."""
    files = {
        f"{DATA_DIR}/datapackage.json": orjson.dumps(datapackage(ctx), option=DUMP),
        "scorecard.json": orjson.dumps(scorecard(ctx), option=DUMP),
    }
    for lang in ctx.settings.config.languages:
        files[xlsx_path("scorecard", lang)] = scorecard_xlsx(ctx, lang)
    return files
