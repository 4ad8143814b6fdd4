"""Import indicators from an Open SDG data repository (``data/indicator_<id>.csv`` + ``meta/<id>.md``).

Each indicator becomes ``<dest>/<objective>/<slug>.yaml`` (our definition, ``method: opensdg``) and
``<slug>.csv`` (``period,value,<disaggregations>,note,source``), so it is assessed as the platform assesses it:
direction, target, target year, base year and natural limit come from ``progress_calculation_options`` with
sdg-build's defaults (negative, 2030, 2015) whenever a key is unset. Every decision the importer had to take
(which unit or series, which row is the headline, a defaulted option) is written in the definition's
``data_note`` and the report; every problem is a :class:`Problem`, and a bad file never stops the others.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from tracker.intake import opensdg_data as data
from tracker.intake import opensdg_definition as definition
from tracker.intake.opensdg_meta import (
    Meta,
    ProgressOptions,
    Translations,
    merged,
    progress_options,
    read_meta,
)
from tracker.problems import Problem

log = logging.getLogger(__name__)


@dataclass
class Imported:
    """One indicator taken in (or, on a dry run, that would be)."""

    source_id: str  # Open SDG id, e.g. "1-1-1"
    indicator_id: str  # our slug
    definition_file: Path
    data_file: Path
    rows: int  # data rows written
    headline_rows: int
    status: str  # "created", "replaced" or "dry-run"
    notes: list[str] = field(default_factory=list)  # the decisions, in English (also in data_note)
    geocodes: dict[str, str] = field(default_factory=dict)  # GeoCode column (not imported): place -> code


@dataclass
class ImportReport:
    imported: list[Imported] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # source ids not imported (their problems say why)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def normalise_id(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z-]+", "-", text.strip().replace(".", "-")).strip("-").lower()


def discover(src: Path) -> tuple[Path, Path, list[str]]:
    """The data and meta folders of an Open SDG repository (or of a folder holding both), and the ids found."""
    data_dir = src / "data" if (src / "data").is_dir() else src
    meta_dir = src / "meta" if (src / "meta").is_dir() else src
    ids = {p.stem.removeprefix("indicator_") for p in data_dir.glob("indicator_*.csv")}
    ids |= {p.stem for p in meta_dir.glob("*.md") if re.fullmatch(r"[0-9A-Za-z]+(-[0-9A-Za-z]+)+", p.stem)}
    return (
        data_dir,
        meta_dir,
        sorted(ids, key=lambda i: [int(p) if p.isdigit() else 0 for p in i.split("-")] + [i]),
    )


def guess_origin(src: Path) -> str:
    """Where the repository came from: its git remote when it is a clone, else the folder name."""
    config = src / ".git" / "config"
    if config.is_file():
        found = re.search(r"url\s*=\s*(\S+)", config.read_text(encoding="utf-8", errors="replace"))
        if found:
            return re.sub(r"^git@github\.com:", "https://github.com/", found[1]).removesuffix(".git")
    return src.resolve().name


def import_opensdg(
    src: Path,
    dest_indicators: Path,
    objective: str,
    *,
    language: str = "en",
    ids: list[str] | None = None,
    prefix: str = "sdg-",
    origin: str | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Import every indicator of the Open SDG repository ``src`` (or only ``ids``) into ``objective``."""
    report = ImportReport(dry_run=dry_run)
    if not src.is_dir():
        report.problems.append(
            Problem(str(src), "not a folder", hint="pass the Open SDG data repository folder")
        )
        return report
    known = _objectives(dest_indicators, report)
    if known is not None and objective not in known:
        report.problems.append(
            Problem(
                str(dest_indicators / "objectives.yaml"),
                f"unknown objective {objective!r}",
                hint=f"use one of: {', '.join(sorted(known))}, or declare it first",
            )
        )
    if report.problems:
        return report
    data_dir, meta_dir, found = discover(src)
    wanted = [normalise_id(i) for i in ids] if ids else found
    for missing in sorted(set(wanted) - set(found)):
        report.problems.append(
            Problem(
                str(src),
                f"indicator {missing!r} not found",
                hint=f"ids here: {', '.join(found[:12])}{' ...' if len(found) > 12 else ''}",
            )
        )
        report.skipped.append(missing)
    origin = origin or guess_origin(src)
    context = _Context(
        src,
        data_dir,
        meta_dir,
        dest_indicators,
        objective,
        language,
        prefix,
        origin,
        dry_run,
        Translations(src, language),
        Translations(src, "it"),
    )
    taken = _existing_ids(dest_indicators, objective)
    for sid in (i for i in wanted if i in found):
        slug = definition.slug_for(sid, prefix)
        if slug in taken:
            report.problems.append(
                Problem(
                    str(taken[slug]),
                    f"indicator id {slug!r} already exists in another objective",
                    hint="pass another --prefix, or remove that indicator",
                )
            )
            report.skipped.append(sid)
            continue
        try:
            imported, problems = _import_one(context, sid, slug)
        except Exception as exc:  # one broken indicator must not stop the others
            log.exception("importing %s", sid)
            imported, problems = (
                None,
                [Problem(str(data_dir / f"indicator_{sid}.csv"), f"import failed: {exc}")],
            )
        report.problems += problems
        if imported is None:
            report.skipped.append(sid)
        else:
            report.imported.append(imported)
            taken[slug] = imported.definition_file
    for tr in (context.tr, context.tr_it):
        report.problems += [p for p in tr.problems if p not in report.problems]
    return report


@dataclass
class _Context:
    src: Path
    data_dir: Path
    meta_dir: Path
    dest: Path
    objective: str
    language: str
    prefix: str
    origin: str
    dry_run: bool
    tr: Translations  # values and the "en" side, in the chosen language
    tr_it: Translations

    def label(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.src.parent))
        except ValueError:
            return str(path)


def _objectives(dest: Path, report: ImportReport) -> set[str] | None:
    from tracker.catalog import OBJECTIVES_FILE, ObjectivesFile
    from tracker.problems import ProblemsFound
    from tracker.yamlfile import load_model

    path = dest / OBJECTIVES_FILE
    if not path.is_file():
        report.problems.append(
            Problem(
                str(path),
                "file not found",
                hint="import into a project's indicators folder, which declares the objectives",
            )
        )
        return None
    try:
        return {o.id for o in load_model(ObjectivesFile, path, str(path)).objectives}
    except ProblemsFound as exc:
        report.problems += exc.problems
        return None


def _existing_ids(dest: Path, objective: str) -> dict[str, Path]:
    """Indicator ids already defined under other objectives (re-importing into the same one replaces)."""
    return {p.stem: p for p in dest.glob("*/*.yaml") if p.parent.name != objective}


def _meta_for(ctx: _Context, sid: str, language: str) -> tuple[Meta | None, list[Problem]]:
    path = ctx.meta_dir / language / f"{sid}.md"
    return read_meta(path, ctx.label(path)) if path.is_file() else (None, [])


def _import_one(ctx: _Context, sid: str, slug: str) -> tuple[Imported | None, list[Problem]]:
    csv_path, meta_path = ctx.data_dir / f"indicator_{sid}.csv", ctx.meta_dir / f"{sid}.md"
    csv_label, meta_label = ctx.label(csv_path), ctx.label(meta_path)
    problems: list[Problem] = []
    if not meta_path.is_file():
        return None, [
            Problem(
                meta_label,
                "metadata file not found",
                hint="each indicator needs meta/<id>.md with its name and source",
            )
        ]
    if not csv_path.is_file():
        return None, [
            Problem(
                csv_label, "data file not found", hint="a non-statistical indicator has no data to import"
            )
        ]
    base, found = read_meta(meta_path, meta_label)
    problems += found
    if base is None:
        return None, problems
    chosen, found = _meta_for(ctx, sid, ctx.language)
    problems += found
    italian, found = _meta_for(ctx, sid, "it")
    problems += found
    meta = merged(base, chosen)
    opts, found = progress_options(meta, meta_label)
    problems += found
    ctx.tr.missing.clear()  # the keys this file lacks, for its own note
    table, found = data.read_table(csv_path, csv_label, ctx.tr)
    problems += found
    if table is None:
        return None, problems

    notes = definition.Notes()
    untranslated = sorted(ctx.tr.missing)
    if untranslated:
        shown = ", ".join(untranslated[:5]) + (" ..." if len(untranslated) > 5 else "")
        notes.add(
            f"{len(untranslated)} translation keys have no {ctx.language} translation and are shown without "
            f"their group prefix: {shown}.",
            f"Chiavi di traduzione senza traduzione ({ctx.language}), mostrate senza prefisso: "
            f"{len(untranslated)} ({shown}).",
        )
    rows, kept = _select(table, opts, notes, csv_label, problems)
    headline = _headline(table, rows, meta, opts, notes, csv_label, ctx.tr, problems)
    rows = _deduplicate(headline + [r for r in rows if r.origin == "value"], csv_label, problems)
    empty = sum(1 for r in rows if r.value is None)
    if empty:
        notes.add(
            f"{empty} rows with an empty Value were left out.",
            f"{empty} righe senza valore sono state escluse.",
        )
    rows = [r for r in rows if r.value is not None]
    if not rows:
        problems.append(
            Problem(csv_label, "no value left to import", hint="check the Value column and the options")
        )
        return None, problems
    if table.geocodes:
        notes.add(
            "GeoCode map codes were not imported.",
            "I codici GeoCode (per le mappe) non sono stati importati.",
        )

    built = definition.build(
        definition.Inputs(
            sid=sid,
            slug=slug,
            objective=ctx.objective,
            origin=ctx.origin,
            meta=meta,
            italian=italian,
            opts=opts,
            rows=rows,
            headers=table.headers,
            unit_text=kept.get("unit", ""),
            kept=kept,
            csv_name=csv_path.name,
            meta_name=f"{meta_path.parent.name}/{meta_path.name}",
            tr_values=ctx.tr,
            tr_it=ctx.tr_it,
            has_it=italian is not None,
        ),
        notes,
        meta_label,
    )
    problems += built.problems
    if built.indicator is None:
        return None, problems
    folder = ctx.dest / ctx.objective
    yaml_path, csv_out = folder / f"{slug}.yaml", folder / f"{slug}.csv"
    status = "dry-run" if ctx.dry_run else ("replaced" if yaml_path.exists() else "created")
    if not ctx.dry_run:
        folder.mkdir(parents=True, exist_ok=True)
        _write_atomic(yaml_path, built.yaml_text)
        _write_atomic(csv_out, built.csv_text)
    return Imported(
        sid,
        slug,
        yaml_path,
        csv_out,
        len(rows),
        sum(1 for r in rows if not any(r.dims.values())),
        status,
        notes.english(),
        dict(table.geocodes),
    ), problems


def _select(
    table: data.Table, opts: ProgressOptions, notes: definition.Notes, label: str, problems: list[Problem]
) -> tuple[list[data.Row], dict[str, str]]:
    """Keep one unit and one series (the configured ones, else the first), as the platform's progress does."""
    rows = table.rows
    kept_values: dict[str, str] = {}
    for attr, column, wanted, what_it in (
        ("unit", data.UNITS, opts.unit, "unità"),
        ("series", data.SERIES, opts.series, "serie"),
    ):
        several = list(
            dict.fromkeys(v for v in (getattr(o, attr) for o in [opts, *opts.others]) if v is not None)
        )
        if len(several) > 1:  # progress series in several units/series: each stays, in a column of its own
            rows = _as_column(table, rows, attr, column, several, label, problems)
            left = [v for v in dict.fromkeys(getattr(r, attr) for r in table.rows) if v and v not in several]
            if left:
                notes.add(
                    f"No progress series names the {column} {', '.join(map(repr, left))}: those rows were left "
                    "out.",
                    f"Nessuna serie di progresso indica {', '.join(map(repr, left))} ({column}): "
                    "quelle righe sono escluse.",
                )
            continue
        if opts.others and not several:  # as sdg-build: no entry names one, so no entry filters by it
            values = list(dict.fromkeys(getattr(r, attr) for r in rows if getattr(r, attr)))
            if len(values) > 1:
                notes.add(
                    f"The source has several {column} ({', '.join(map(repr, values))}); no progress series "
                    "names one, so none was left out.",
                    f"La fonte ha più {what_it} ({', '.join(map(repr, values))}); nessuna serie di progresso "
                    "ne indica una, quindi nessuna è esclusa.",
                )
            continue
        kept, values, found = data.pick(rows, attr, wanted)
        if wanted is not None and not found:
            problems.append(
                Problem(
                    label,
                    f"progress option {attr} {wanted!r} is not in the {column} column",
                    column=column,
                    hint=f"use one of: {', '.join(values)}",
                )
            )
        if len(values) > 1:
            why = (
                "chosen by the progress options" if wanted is not None and found else "the first in the file"
            )
            why_it = (
                "scelta dalle opzioni di progresso" if wanted is not None and found else "la prima del file"
            )
            others = ", ".join(repr(v) for v in values if v != kept)
            notes.add(
                f"The source has several {column} ({', '.join(repr(v) for v in values)}): only {kept!r} was "
                f"imported ({why}); rows in {others} were left out.",
                f"La fonte ha più {what_it} ({', '.join(repr(v) for v in values)}): è stata importata solo "
                f"{kept!r} ({why_it}); le righe in {others} sono escluse.",
            )
        if kept:
            rows = [r for r in rows if getattr(r, attr) == kept]
            kept_values[attr] = kept
    return rows, kept_values


def _as_column(
    table: data.Table,
    rows: list[data.Row],
    attr: str,
    column: str,
    wanted: list[str],
    label: str,
    problems: list[Problem],
) -> list[data.Row]:
    """Keep the rows of every ``Units``/``Series`` value a progress series names, that column becoming a
    disaggregation (the progress series then select by it, as sdg-build's ``filter_column`` does)."""
    values = list(dict.fromkeys(getattr(r, attr) for r in rows if getattr(r, attr)))
    for w in wanted:
        if w not in values:
            problems.append(
                Problem(
                    label,
                    f"progress option {attr} {w!r} is not in the {column} column",
                    column=column,
                    hint=f"use one of: {', '.join(values)}",
                )
            )
    kept = [r for r in rows if getattr(r, attr) in wanted]
    table.headers.append(column)
    for r in kept:
        r.raw[column] = r.dims[column] = getattr(r, attr)
    for r in table.rows:
        r.raw.setdefault(column, "")
        r.dims.setdefault(column, "")
    return kept


def _headline(
    table: data.Table,
    rows: list[data.Row],
    meta: Meta,
    opts: ProgressOptions,
    notes: definition.Notes,
    label: str,
    tr: Translations,
    problems: list[Problem],
) -> list[data.Row]:
    """The headline rows (all disaggregations blank). When the file has none, build the one the platform assesses."""
    headers = table.headers
    existing = [r for r in rows if all(v == "" for v in r.dims.values())]
    with_progress = [r for r in existing if r.progress is not None]
    if existing:
        if opts.disaggregation:
            notes.add(
                "The platform measures progress on "
                + _describe(opts.disaggregation)
                + ", not on the headline; "
                "here the headline is assessed.",
                "La piattaforma misura il progresso su "
                + _describe(opts.disaggregation)
                + ", non sulla serie "
                "principale; qui si valuta la serie principale.",
            )
        if with_progress:
            notes.add(
                "Headline values come from the Progress column, which the platform uses for its progress measure.",
                "I valori della serie principale vengono dalla colonna Progress, usata dalla piattaforma per il "
                "progresso.",
            )
            for r in existing:
                r.origin = "replaced"
            return [_as_headline(r, r.progress, "progress") for r in with_progress]
        for r in existing:
            r.origin = "headline"
        return existing
    picked = [
        (column, value)
        for column, value in ((data.UNITS, opts.unit), (data.SERIES, opts.series))
        if value is not None and column in headers
    ]
    candidates = [
        ("the progress options", [*picked, *((f, v) for f, v in opts.disaggregation)]),
        ("data_start_values", _start_values(meta)),
        ("its total values", list(data.total_like(rows, headers).items())),
    ]
    for source, pairs in candidates:
        selection: dict[str, str] = {}
        for field_name, value in pairs:
            header = data.header_for(field_name, headers, tr)
            if header is not None and header not in selection:
                selection[header] = value
        if not selection:
            continue
        chosen = data.matching(rows, headers, selection)
        use_progress = any(r.progress is not None for r in chosen)
        chosen = [r for r in chosen if (r.progress if use_progress else r.value) is not None]
        if not chosen or not data.unique_periods(chosen):
            continue
        described = _describe([(tr.text(h), v) for h, v in selection.items()])
        extra_en = ", using its Progress column values" if use_progress else ""
        extra_it = ", con i valori della colonna Progress" if use_progress else ""
        notes.add(
            f"The source has no headline row (all disaggregations blank): the headline is {described}, "
            f"chosen by {source}{extra_en}.",
            f"La fonte non ha una riga totale (tutte le disaggregazioni vuote): la serie principale è "
            f"{described}, scelta {_SOURCE_IT[source]}{extra_it}.",
        )
        if source == "its total values":  # "Total" means blank: those rows move to the headline, not copied
            for r in chosen:
                r.origin = "replaced"
        return [
            _as_headline(r, r.progress if use_progress else r.value, "progress" if use_progress else "copy")
            for r in chosen
        ]
    problems.append(
        Problem(
            label,
            "no headline series: no row has every disaggregation blank and no total could be chosen",
            hint="add total rows with blank disaggregations, or set "
            "progress_calculation_options: disaggregation in the metadata",
        )
    )
    notes.add(
        "The source has no headline series: only the disaggregated series were imported.",
        "La fonte non ha una serie principale: sono state importate solo le serie disaggregate.",
    )
    return []


_SOURCE_IT = {
    "the progress options": "dalle opzioni di progresso",
    "data_start_values": "da data_start_values",
    "its total values": "dai suoi valori totali",
}


def _describe(pairs: list[tuple[str, str]]) -> str:
    return ", ".join(f"{f} = {v}" for f, v in pairs)


def _start_values(meta: Meta) -> list[tuple[str, str]]:
    items = meta.fields.get("data_start_values") or []
    return [
        (str(i["field"]), str(i["value"]))
        for i in items
        if isinstance(items, list) and isinstance(i, dict) and "field" in i and "value" in i
    ]


def _as_headline(row: data.Row, value: float | None, origin: str) -> data.Row:
    return data.Row(
        line=row.line,
        period=row.period,
        value=value,
        progress=None,
        raw={h: "" for h in row.raw},
        dims={h: "" for h in row.dims},
        unit=row.unit,
        series=row.series,
        note=row.note,
        flag=row.flag,
        origin=origin,
    )


def _deduplicate(rows: list[data.Row], label: str, problems: list[Problem]) -> list[data.Row]:
    """One value per period and series: later duplicates are reported and left out."""
    seen: dict[tuple[str, tuple[str, ...]], int] = {}
    kept = []
    for r in rows:
        key = (r.period.label, tuple(r.dims.values()))
        if key in seen and r.value is not None:
            problems.append(
                Problem(
                    label,
                    f"a second value for {r.period.label} in the same series (first on line {seen[key]})",
                    line=r.line,
                    column=data.VALUE,
                    hint="keep one value per period and series",
                )
            )
            continue
        if r.value is not None:
            seen[key] = r.line
        kept.append(r)
    return kept


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8", newline="")
    os.replace(tmp, path)
