"""Open SDG metadata for the importer: front matter, translation keys, HTML to plain text, progress options.

Open SDG keeps each indicator's metadata as YAML front matter in ``meta/<id>.md`` (overrides per language in
``meta/<lang>/<id>.md``) and lets data cells and headers be translation keys such as ``data.Geography``
resolved through ``translations/<lang>/data.yml``. The progress options and their defaults are those of
sdg-build's ``sdg/ProgressMeasure.py`` (``SeriesProgress.__init__``), so an imported indicator is assessed
as the platform assesses it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from tracker.problems import Problem

#: sdg-build's defaults (SeriesProgress.__init__): base year 2015, target year 2030, direction negative.
DEFAULT_BASE_YEAR = 2015
DEFAULT_TARGET_YEAR = 2030
DEFAULT_DIRECTION = "negative"
OPTION_KEYS = frozenset(
    {
        "series",
        "unit",
        "disaggregation",
        "direction",
        "target",
        "target_year",
        "base_year",
        "limit",
        "progress_thresholds",
        "group",
    }
)


def _yaml() -> YAML:
    """YAML 1.2 ("no"/"on" stay strings), no object construction; a repeated key keeps its first value
    (real translation files repeat keys such as ``Men+``, which Jekyll accepts)."""
    yaml = YAML(typ="safe", pure=True)
    yaml.allow_duplicate_keys = True
    return yaml


# ---------------------------------------------------------------------------------------------- front matter


@dataclass
class Meta:
    fields: dict[str, Any]
    body: str
    text: str  # the front matter as written, for its comments


def read_meta(path: Path, label: str) -> tuple[Meta | None, list[Problem]]:
    """Parse ``---``-delimited YAML front matter; a problem (located by line) instead of an exception."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [Problem(label, f"not UTF-8 text ({exc.reason})", hint="save the file as UTF-8")]
    except OSError as exc:
        return None, [Problem(label, f"cannot be read: {exc.strerror}")]
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return None, [Problem(label, "no YAML front matter", line=1, hint="start the file with a line '---'")]
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        return None, [Problem(label, "the front matter is not closed", hint="end it with a line '---'")]
    front = "\n".join(lines[1:end])
    try:
        data = _yaml().load(front) or {}
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 2 if mark is not None else None  # +1 for 0-based, +1 for the opening '---'
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, [
            Problem(
                label, f"invalid YAML front matter: {reason}", line=line, hint="check indentation and quoting"
            )
        ]
    if not isinstance(data, dict):
        return None, [Problem(label, "the front matter is not a mapping of fields", line=2)]
    return Meta({str(k): v for k, v in data.items()}, "\n".join(lines[end + 1 :]).strip(), front), []


def merged(base: Meta, override: Meta | None) -> Meta:
    """Language overrides replace the base fields they name (Open SDG's ``meta/<lang>/<id>.md``)."""
    if override is None:
        return base
    return Meta({**base.fields, **override.fields}, override.body or base.body, base.text)


def block_comments(front: str, key: str) -> list[str]:
    """Comments written inside the top-level ``key:`` block (YAML drops them; they often explain the options)."""
    found: list[str] = []
    inside = False
    for line in front.splitlines():
        if re.match(rf"{re.escape(key)}\s*:", line):
            inside = True
            continue
        if inside and line and not line[0].isspace() and not line.startswith(("-", "#")):
            break
        if inside:
            stripped = line.strip()
            if stripped.startswith("#"):
                found.append(stripped.lstrip("#").strip())
            elif "#" in stripped and not re.search(r"['\"]", stripped):
                found.append(stripped.split(" #", 1)[1].strip() if " #" in stripped else "")
    return [c for c in found if c]


def commented_out(front: str, key: str) -> bool:
    """Whether a top-level ``key:`` exists only as a comment (``#key:``): disabled on the platform."""
    return bool(re.search(rf"^#\s*{re.escape(key)}\s*:", front, re.MULTILINE))


# ---------------------------------------------------------------------------------------------- HTML


class _PlainText(HTMLParser):
    BREAKS = frozenset(
        {"br", "p", "div", "li", "tr", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6"}
    )
    HIDDEN = frozenset({"script", "style", "template", "iframe", "object"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.links: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag in self.BREAKS:
            self.parts.append("\n- " if tag == "li" else "\n")
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self.links.append(href if re.match(r"https?://", href) else None)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in ("p", "div", "ul", "ol", "table"):
            self.parts.append("\n")
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href and href not in "".join(self.parts[-3:]):
                self.parts.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def plain_text(value: object) -> str:
    """Metadata HTML (``<p>``, ``<br>``, ``<em>``, links) as plain text: no markup survives.

    Tags become line breaks or nothing, entities are decoded, links keep their address in brackets, scripts
    and styles are dropped; a ``<`` that would still open a tag (from ``&lt;b&gt;``) is replaced by ``‹``.
    """
    if value is None:
        return ""
    parser = _PlainText()
    parser.feed(str(value))
    parser.close()
    text = "".join(parser.parts)
    lines = [re.sub(r"[ \t\r\f\v\u00a0]+", " ", line).strip() for line in text.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return re.sub(r"<(?=[A-Za-z/!?])", "‹", text)


def one_line(value: object) -> str:
    return re.sub(r"\s+", " ", plain_text(value)).strip()


# ---------------------------------------------------------------------------------------------- translations


class Translations:
    """Translation keys (``group.key``) of one language, read from ``translations/<lang>/<group>.yml`` on demand."""

    def __init__(self, root: Path, language: str) -> None:
        self.folder = root / "translations" / language
        self.language = language
        self.groups: dict[str, dict[str, str] | None] = {}
        self.problems: list[Problem] = []
        self.missing: set[str] = set()

    @property
    def available(self) -> bool:
        return self.folder.is_dir()

    def _group(self, name: str) -> dict[str, str] | None:
        if name not in self.groups:
            path = self.folder / f"{name}.yml"
            table: dict[str, str] | None = None
            if path.is_file():
                try:
                    raw = _yaml().load(path.read_text(encoding="utf-8-sig")) or {}
                    table = (
                        {str(k): str(v) for k, v in raw.items() if v is not None}
                        if isinstance(raw, dict)
                        else {}
                    )
                except (YAMLError, UnicodeDecodeError) as exc:
                    self.problems.append(
                        Problem(
                            str(path),
                            f"translations cannot be read: {exc}",
                            hint="fix the YAML, or pass another --language",
                        )
                    )
                    table = {}
            self.groups[name] = table
        return self.groups[name]

    def key_of(self, cell: str) -> tuple[str, str] | None:
        """``("data", "Geography")`` for ``data.Geography`` when ``data`` is a translation group, else None."""
        group, dot, key = cell.partition(".")
        if not dot or not key or not re.fullmatch(r"[A-Za-z0-9_-]+", group):
            return None
        return (group, key) if self._group(group) is not None else None

    def text(self, cell: str) -> str:
        """The translation of a key; the key without its group when the translation is missing; else the cell."""
        found = self.key_of(cell)
        if found is None:
            return cell
        group, key = found
        table = self._group(group) or {}
        if key in table:
            return table[key]
        self.missing.add(cell)
        return key


# ---------------------------------------------------------------------------------------------- progress options


@dataclass
class ProgressOptions:
    """A ``progress_calculation_options`` entry with sdg-build's defaults filled in, and what was defaulted; the
    first entry also carries the indicator-level facts (auto calculation, manual status, comments)."""

    auto: bool
    direction: str  # "positive" or "negative"
    base_year: int
    target_year: int
    target: float | None = None
    limit: float | None = None
    series: str | None = None
    unit: str | None = None
    disaggregation: list[tuple[str, str]] = field(default_factory=list)
    thresholds: dict[str, float] = field(default_factory=dict)
    defaulted: list[str] = field(default_factory=list)  # keys that took sdg-build's default
    entries: int = 0  # how many series the platform averages
    grouped: bool = False
    manual_status: str = ""
    comments: list[str] = field(default_factory=list)
    disabled_in_comments: bool = False
    unknown_keys: list[str] = field(default_factory=list)
    others: list[ProgressOptions] = field(default_factory=list)  # the later entries, each scored on its own


def progress_options(meta: Meta, label: str) -> tuple[ProgressOptions, list[Problem]]:
    """The first entry (with the indicator-level facts); each later entry in ``others``, parsed the same way."""
    problems: list[Problem] = []
    raw = meta.fields.get("progress_calculation_options")
    entries = raw if isinstance(raw, list) else ([raw] if isinstance(raw, dict) else [])
    if raw is not None and (not entries or not isinstance(entries[0], dict)):
        problems.append(
            Problem(
                label,
                "progress_calculation_options is not a list of options",
                key="progress_calculation_options",
                hint="write a list: '- direction: positive'",
            )
        )
    first: dict[str, Any] = {}
    grouped = False
    if entries and isinstance(entries[0], dict):
        first = entries[0]
        if isinstance(first.get("group"), list) and first["group"] and isinstance(first["group"][0], dict):
            first, grouped = first["group"][0], True
    opts = ProgressOptions(
        auto=meta.fields.get("auto_progress_calculation") is True,
        direction=DEFAULT_DIRECTION,
        base_year=DEFAULT_BASE_YEAR,
        target_year=DEFAULT_TARGET_YEAR,
        entries=len(entries),
        grouped=grouped,
        manual_status=str(meta.fields.get("progress_status") or ""),
        comments=block_comments(meta.text, "progress_calculation_options"),
        disabled_in_comments="progress_calculation_options" not in meta.fields
        and commented_out(meta.text, "progress_calculation_options"),
    )
    _entry(opts, first, label, 0, problems)
    if not grouped:
        for i, entry in enumerate(entries[1:], start=1):
            if not isinstance(entry, dict):
                problems.append(
                    Problem(
                        label,
                        f"progress_calculation_options entry {i + 1} is not a mapping",
                        key=f"progress_calculation_options.{i}",
                        hint="write '- direction: ...'",
                    )
                )
                continue
            other = ProgressOptions(
                auto=opts.auto,
                direction=DEFAULT_DIRECTION,
                base_year=DEFAULT_BASE_YEAR,
                target_year=DEFAULT_TARGET_YEAR,
            )
            _entry(other, entry, label, i, problems)
            opts.others.append(other)
    return opts, problems


def _entry(
    opts: ProgressOptions, entry: dict[str, Any], label: str, index: int, problems: list[Problem]
) -> None:
    """One ``progress_calculation_options`` entry into ``opts``, with sdg-build's defaults (SeriesProgress)."""
    opts.unknown_keys = sorted(str(k) for k in entry if k not in OPTION_KEYS)
    opts.direction = "positive" if entry.get("direction") == "positive" else DEFAULT_DIRECTION
    if entry.get("direction") not in ("positive", "negative"):
        opts.defaulted.append("direction")
        if entry.get("direction") is not None:
            problems.append(
                Problem(
                    label,
                    f"progress direction {entry['direction']!r} is neither positive nor "
                    "negative; Open SDG treats it as negative",
                    key="progress_calculation_options",
                    hint="write direction: positive or direction: negative",
                )
            )
    for key in ("base_year", "target_year"):
        value = _number(entry.get(key), label, key, problems, index)
        if value is None:
            opts.defaulted.append(key)
        else:
            setattr(opts, key, int(value))
    opts.target = _number(entry.get("target"), label, "target", problems, index)
    opts.limit = _number(entry.get("limit"), label, "limit", problems, index)
    opts.series = str(entry["series"]) if entry.get("series") is not None else None
    opts.unit = str(entry["unit"]) if entry.get("unit") is not None else None
    for item in entry.get("disaggregation") or []:
        if isinstance(item, dict) and "field" in item and "value" in item:
            opts.disaggregation.append((str(item["field"]), str(item["value"])))
    thresholds = entry.get("progress_thresholds") or {}
    if isinstance(thresholds, dict):
        opts.thresholds = {str(k): float(v) for k, v in thresholds.items() if isinstance(v, int | float)}


def _number(value: object, label: str, key: str, problems: list[Problem], index: int = 0) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        problems.append(
            Problem(
                label,
                f"progress option {key} {value!r} is not a number",
                key=f"progress_calculation_options.{index}.{key}",
                hint="write a plain number",
            )
        )
        return None


# ---------------------------------------------------------------------------------------------- units and names


def unit_kind(text: str) -> str:
    """Our unit kind from an Open SDG unit text (``computation_units`` or the ``Units`` value)."""
    t = text.lower()
    if re.match(r"amount\b", t):  # as `tracker export opensdg` writes an amount ("Amount (µg/m³)")
        return "amount"
    if re.search(r"\b(change|index|indice|score|coefficient|ratio)\b", t):
        return "index"
    if re.search(r"percent|pourcent|percentual|%", t):
        return "percent"
    if re.search(r"\b(number|count|nombre|numero|persons|people)\b", t):
        return "count"
    if re.search(r"\bper\b|\brate\b|\btaux\b|\btasso\b|/", t):
        return "rate"
    if re.search(r"dollar|euro|\$|€|£|tonne|joule|gram|litre|liter|metre|meter|watt|hectare|\bkm\b", t):
        return "amount"
    return "index"


def unit_label(text: str, kind: str) -> str:
    """What is printed after a value: ``%``, an abbreviation in brackets, the unit itself, or nothing."""
    if kind == "percent":
        return "%"
    clean = one_line(text)
    if m := re.search(r"\(([^()]{1,20})\)\s*$", clean):
        return m[1].strip()
    if clean.lower() in {
        "",
        "number",
        "count",
        "nombre",
        "numero",
        "index",
        "index value",
        "score",
        "rate",
        "amount",
        "indice",
        "tasso",
        "quantità",
    }:
        return ""
    return clean


def slugify(text: str, sep: str = "_") -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", sep, ascii_text.lower()).strip(sep)
