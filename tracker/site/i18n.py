"""Interface languages: locale-aware numbers and dates, the Jinja environment, and the catalogues' upkeep.

The words themselves are the gettext catalogues of :mod:`tracker.wording` (the package's
``locales/<lang>/LC_MESSAGES/messages.po`` and a project's own, compiled in memory at build time so no
binary ``.mo`` file lives in git). Source strings are English. ``python -m tracker.site.i18n`` re-extracts the
strings from the templates, this package, the assessment's and the digests' wordings, and merges them into
every catalogue (new ones arrive untranslated, obsolete ones are dropped); ``tracker translations LANG``
(:func:`project_catalogue`) does the same for a project's own catalogue.
"""

from __future__ import annotations

import logging
import math
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from types import CodeType

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.catalog import Catalog as PoCatalog
from babel.messages.catalog import Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po
from babel.numbers import format_decimal, format_percent, get_decimal_symbol, get_group_symbol
from jinja2 import (
    BytecodeCache,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    select_autoescape,
)
from jinja2.bccache import Bucket
from markupsafe import Markup

from tracker import __version__, wording
from tracker.assess.base import SYMBOL, Category
from tracker.config import Localized
from tracker.wording import DOMAIN
from tracker.wording import LOCALES as LOCALES  # the catalogues, re-exported: the site reads them from here
from tracker.wording import po_path as po_path
from tracker.wording import translations as translations

log = logging.getLogger(__name__)

NBSP = "\u00a0"
#: Percent patterns that differ from Babel's locale data: Italian style guides (and the scorecard's readers)
#: write a space before the sign, where CLDR has none. Other languages use Babel's (fr: ``63,5\u00a0%``).
PERCENT_PATTERN = {"it": "#,##0{d}\u00a0%", "en": "#,##0{d}%"}
Gettext = Callable[[str], str]


@lru_cache(maxsize=16)
def percent_pattern(lang: str) -> str:
    """The percent pattern of ``lang`` with ``{d}`` where the decimals go, e.g. ``#,##0{d}\u00a0%``."""
    if lang in PERCENT_PATTERN:
        return PERCENT_PATTERN[lang]
    pattern = str(Locale.parse(lang).percent_formats[None].pattern).split(";")[0]
    last = pattern.rindex("0") + 1
    return pattern[:last] + "{d}" + pattern[last:]


def separators(lang: str) -> str:
    """Plotly's ``layout.separators``: the decimal mark then the thousands separator of ``lang``."""
    marks = _symbols(lang)
    return marks.decimal + marks.group


@dataclass(frozen=True)
class _Symbols:
    """A locale's separators, looked up once: parsing the locale for every table cell cost most of a build."""

    group: str
    decimal: str

    def localize(self, text: str) -> str:
        """Python's ``1,234.5`` with the locale's marks (three ``replace`` are faster than ``translate``)."""
        if self.group == "," and self.decimal == ".":
            return text
        return text.replace(",", "\0").replace(".", self.decimal).replace("\0", self.group)


@lru_cache(maxsize=16)
def _symbols(lang: str) -> _Symbols:
    symbols = _Symbols(get_group_symbol(lang), get_decimal_symbol(lang))
    if set(symbols.group + symbols.decimal) & set("&<>\"'"):
        # tracker.site.tables inserts formatted numbers without escaping them
        raise ValueError(f"number marks of {lang!r} would need HTML escaping")
    return symbols


#: The plain-float path of Formatter.number holds while one unit in the last place of the value stays far
#: below the last decimal written (below 1e9, a float's ulp is under 1.2e-7).
_PLAIN = 1e9
_PLAIN_DECIMALS = 6


@lru_cache(maxsize=16)
def _quantum(decimals: int) -> Decimal:
    return Decimal(1).scaleb(-decimals)


@lru_cache(maxsize=4096)
def long_date(day: date, lang: str) -> str:
    """ "26 novembre 2026": Babel takes ~1 ms a call, and pages and digests repeat a few dates many times."""
    return format_date(day, format="long", locale=lang)


class Formatter:
    """Numbers, percentages and dates written the way readers of ``lang`` expect.

    Numbers are written by a fast path that gives exactly what ``babel.numbers.format_decimal`` gives for the
    patterns used here (``#,##0.0``, signed or not, percent with the locale's spacing): the value goes through
    ``Decimal(str(value))`` (the shortest decimal that reads back as the float: the value as written in the
    data file) and is rounded half away from zero, as official statistics round (54.65 -> 54.7; babel, and
    floats, would give 54.6). Anything the fast path does not cover (non-finite numbers, other types) goes
    to babel itself, so errors and edge cases stay babel's.
    """

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._localize = _symbols(lang).localize
        pattern = percent_pattern(lang)
        self._percent_prefix = pattern[: pattern.index("#")]
        self._percent_suffix = pattern[pattern.index("{d}") + 3 :]

    @staticmethod
    def _digits(decimals: int) -> str:
        return "." + "0" * decimals if decimals > 0 else ""

    def _fixed(self, number: Decimal, decimals: int, signed: bool, suffix: str = "", prefix: str = "") -> str:
        """``number`` rounded half away from zero to ``decimals`` (the rule of official statistics, on the
        decimal value as written: 54.65 -> 54.7), grouped, with the locale's marks and a sign."""
        negative = number.is_signed()
        body = self._localize(format(abs(number).quantize(_quantum(decimals), rounding=ROUND_HALF_UP), ",f"))
        return ("\u2212" if negative else "+" if signed else "") + prefix + body + suffix

    def number(self, value: float | None, decimals: int = 1, signed: bool = False) -> str:
        if value is None:
            return "–"
        if type(value) is float and -_PLAIN < value < _PLAIN and decimals <= _PLAIN_DECIMALS:
            text = repr(value)  # the shortest decimal form, which is what babel rounds (via str)
            point = text.find(".")
            if "e" not in text and len(text) - point - 1 <= decimals:
                # Nothing to round: formatting the float itself gives the same digits, without Decimal.
                negative = text[0] == "-"
                body = self._localize(f"{-value if negative else value:,.{decimals}f}")
                return ("\u2212" if negative else "+" if signed else "") + body
        if isinstance(value, int | float) and math.isfinite(value) and decimals >= 0:
            return self._fixed(Decimal(str(value)), decimals, signed)
        body = "#,##0" + self._digits(decimals)
        pattern = f"+{body};-{body}" if signed else body
        return _minus(format_decimal(value, format=pattern, locale=self.lang))

    def percent(self, fraction: float | None, decimals: int = 1, signed: bool = False) -> str:
        """``0.631`` -> ``63,1 %`` (it, fr) / ``63.1%`` (en)."""
        if fraction is None:
            return "–"
        if isinstance(fraction, int | float) and math.isfinite(fraction) and decimals >= 0:
            return self._fixed(
                Decimal(str(fraction)).scaleb(2), decimals, signed, self._percent_suffix, self._percent_prefix
            )
        body = percent_pattern(self.lang).format(d=self._digits(decimals))
        pattern = f"+{body};-{body}" if signed else body
        return _minus(format_percent(fraction, format=pattern, locale=self.lang))

    def value(self, value: float | None, kind: str, label: str, decimals: int) -> str:
        """An indicator value with its unit, e.g. ``63,1 %`` or ``452,3 kg/ab.``."""
        if value is None:
            return "–"
        if kind == "percent":  # from the value as written (54.65), not from a float divided by 100
            if isinstance(value, int | float) and math.isfinite(value) and decimals >= 0:
                return self._fixed(
                    Decimal(str(value)), decimals, False, self._percent_suffix, self._percent_prefix
                )
            return self.percent(value / 100.0, decimals)
        text = self.number(value, decimals)
        return f"{text}{NBSP}{label}" if label else text

    def date(self, value: date | datetime | None) -> str:
        if value is None:
            return "–"
        return long_date(value.date() if isinstance(value, datetime) else value, self.lang)

    def datetime(self, value: datetime) -> str:
        return format_datetime(value, format="medium", locale=self.lang)

    def year(self, value: float | int | None) -> str:
        return "–" if value is None else str(int(round(value)))


def with_bound(text: str, bound: str, kind: str, words: Mapping[str, str]) -> str:
    """``text`` (a formatted value) as a published bound reads: "more than 63 %" / "oltre il 63 %"; unchanged
    for an exact value. ``words``: ``vocabulary(...)["bound"]``."""
    if not bound:
        return text
    if kind == "percent":
        return words[bound + "%"] % {"percent": text}
    return words[bound] % {"value": text}


def _minus(text: str) -> str:
    """Negative figures use the typographic minus, as Plotly's axes and the "−5 to +5" scale do."""
    return "\u2212" + text[1:] if text.startswith("-") else text


_GROUPS = re.compile(r"(?<=\d) (?=\d{3}(?!\d))")


def keep_numbers(text: str) -> str:
    """Digit groups written with a space ("100 000") joined by a no-break space, so no line breaks a number."""
    return _GROUPS.sub(NBSP, text) if " " in text else text


def localized(value: object, lang: str) -> str:
    """Text of a :class:`Localized`, an ``{"it": .., "en": ..}`` dict, or a plain string."""
    if value is None:
        return ""
    if isinstance(value, Localized):
        return value.get(lang)
    if isinstance(value, dict):
        return str(value.get(lang) or value.get("en") or next(iter(value.values()), ""))
    return str(value)


def category_words(category: Category | str, _: Gettext) -> str:
    """The common category in plain words (shown with its symbol, never by colour alone)."""
    words = {
        Category.ACHIEVED: _("Target achieved"),
        Category.ON_TRACK: _("On track"),
        Category.MODERATE: _("Progress, acceleration needed"),
        Category.LIMITED: _("Limited progress"),
        Category.DETERIORATING: _("Moving away from the target"),
        Category.INSUFFICIENT_DATA: _("Too little data to assess"),
    }
    return words[Category(category)]


def trend_words(category: Category | str, _: Gettext) -> str:
    """Eurostat's words for an indicator without a quantified target: a trend, never "on track"."""
    words = {
        Category.ON_TRACK: _("Significant progress"),
        Category.MODERATE: _("Moderate progress"),
        Category.LIMITED: _("Moderate movement away"),
        Category.DETERIORATING: _("Significant movement away"),
    }
    category = Category(category)
    return words[category] if category in words else category_words(category, _)


def category_symbol(category: Category | str) -> str:
    return SYMBOL[Category(category)]


def vocabulary(_: Gettext) -> dict[str, dict[str, str]]:
    """Words for the closed vocabularies of the catalogue, looked up by the templates."""
    return {
        "direction": {"increase": _("Higher is better"), "decrease": _("Lower is better")},
        "frequency": {
            "monthly": _("Monthly"),
            "quarterly": _("Quarterly"),
            "annual": _("Annual"),
            "biennial": _("Every two years"),
            "irregular": _("Irregular"),
        },
        "basis": {"policy": _("Policy target"), "proposal": _("Proposed target")},
        "window": {
            "short": _("Short term (last 5 years)"),
            "long": _("Long term (last 15 years)"),
            "base": _("Since the base year"),
        },
        "flag": {"provisional": _("provisional"), "estimated": _("estimated"), "break": _("break in series")},
        # A published bound around a formatted value; percentages have their own words ("oltre il 63 %").
        "bound": {
            "lower": _("more than %(value)s"),
            "upper": _("less than %(value)s"),
            "lower%": _("more than %(percent)s"),
            "upper%": _("less than %(percent)s"),
            "lower_name": _("lower bound (“more than”)"),
            "upper_name": _("upper bound (“less than”)"),
        },
        "unit": {
            "percent": _("Percentage"),
            "count": _("Count"),
            "rate": _("Rate"),
            "amount": _("Amount"),
            "index": _("Index"),
        },
        "status": {
            "current": _("Up to date"),
            "overdue": _("Overdue"),
            "no_data": _("No data yet"),
            "irregular": _("No fixed schedule"),
        },
        "method": {
            "eurostat": _("Eurostat (compound annual growth)"),
            "opensdg": _("Statistics Canada / Open SDG"),
            "unsd": _("UN Statistics Division progress chart"),
            "escap": _("UN ESCAP anticipated progress"),
            "linear": _("Linear trend"),
        },
        "territory": {
            "comune": _("Municipality"),
            "città metropolitana": _("Metropolitan city"),
            "provincia": _("Province"),
            "regione": _("Region"),
        },
        "figure": {
            "actual_growth": _("Actual growth per year"),
            "required_growth": _("Growth per year needed to reach the target"),
            "adjusted_growth": _("Growth per year in the desired direction"),
            "relative_change": _("Change per year relative to the base value"),
            "actual_change": _("Actual change per year"),
            "required_change": _("Change per year needed to reach the target"),
            "ratio": _("Actual progress compared with the progress needed"),
            "current_status": _("Share of the required progress made so far"),
            "expected_share": _("Share of the time to the target elapsed"),
            "status_ratio": _("Progress made compared with time elapsed"),
            "gap_ratio": _("Anticipated gap to the target (share of the required progress)"),
            "projected_value": _("Value the method extrapolates to the target year"),
            "c_factor": _("Natural-limit scaling factor"),
            "span_years": _("Years between the values compared"),
        },
    }


class _CompiledTemplates(BytecodeCache):
    """Compiled templates shared by every environment this module makes (one per language and build).

    The environments differ only in their globals, so a template compiled for Italian serves English too:
    compiling the dozen templates takes ~0.1 s, as much as an incremental build spends on a shared page.
    Entries are keyed by template file and checked against the source's checksum, as Jinja's own caches are.
    """

    def __init__(self) -> None:
        self.code: dict[str, tuple[str | None, CodeType | None]] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        checksum, code = self.code.get(bucket.key, (None, None))
        if code is not None and checksum == bucket.checksum:
            bucket.code = code

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = (bucket.checksum, bucket.code)


_COMPILED = _CompiledTemplates()


def make_environment(templates: Path | Sequence[Path], lang: str) -> Environment:
    """A Jinja environment for one language: autoescape on everywhere, undefined names are errors.

    ``templates`` may be several folders, searched in order (the city's own first, then the defaults): a city
    overrides one template, or extends the default one and replaces a block (``{% extends "_base.html" %}`` in
    a city's ``_base.html`` finds the default only through the ``default/`` prefix, see the README).
    """
    folders = [templates] if isinstance(templates, Path) else list(templates)
    loader = FileSystemLoader([str(f) for f in folders])
    defaults = FileSystemLoader(str(folders[-1]))
    env = Environment(
        loader=ChoiceLoader([loader, PrefixLoader({"default": defaults})]),
        autoescape=select_autoescape(["html", "htm", "xml", "svg"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # one build never sees a template change: skip a stat() per include and import
        bytecode_cache=_COMPILED,
    )
    trans = translations(lang)
    # The i18n extension adds this method to the Environment at run time: jinja2's types do not declare it.
    env.install_gettext_translations(trans, newstyle=True)  # type: ignore[attr-defined]
    from tracker.site.data import observations_file
    from tracker.site.snippets import make_snippets
    from tracker.site.tables import data_rows, table_extent

    fmt = Formatter(lang)
    vocab = vocabulary(trans.gettext)
    gettext = fast_gettext(trans.gettext)

    def words(category: Category | str) -> str:
        return category_words(category, trans.gettext)

    def trend(category: Category | str) -> str:
        return trend_words(category, trans.gettext)

    env.globals.update(
        lang=lang,
        fmt=fmt,
        vocab=vocab,
        category_words=words,
        trend_words=trend,
        category_symbol=category_symbol,
        data_rows=lambda view: data_rows(view, lang, fmt, trans.gettext, vocab["flag"], vocab["bound"]),
        table_extent=table_extent,
        observations_file=observations_file,
    )
    env.globals["_"] = gettext
    env.globals.update(make_snippets(lang, fmt, vocab, gettext, words, category_symbol, localized, trend))
    env.filters["loc"] = lambda value: keep_numbers(localized(value, lang))
    return env


def fast_gettext(gettext: Gettext) -> Callable[..., Markup]:
    """``_()`` for the templates, as Jinja's new-style ``gettext`` with autoescape behaves, in one call.

    Jinja's ``_`` goes through three context calls per string, and a page has about 80 of them. This gives
    the same result: the translation is trusted markup, always %-formatted with its (escaped) variables.
    ``{% trans %}`` blocks still use Jinja's own functions.
    """
    translated: dict[str, Markup] = {}
    plain: dict[str, Markup] = {}

    def _(string: str, **variables: object) -> Markup:
        if not variables:
            found = plain.get(string)
            if found is None:
                found = plain[string] = Markup(gettext(string)) % {}
            return found
        markup = translated.get(string)
        if markup is None:
            markup = translated[string] = Markup(gettext(string))
        return markup % variables

    return _


# --- maintenance: keep the catalogues in step with the sources -------------------------------------------


#: The folders of the package whose Python sources hold strings: the site's, the assessment's wordings
#: (reasons, methods' labels) and the digests' (``tracker.wording.msg`` and ``plural`` mark them).
SOURCES = ("site", "assess", "updates")


def extract(templates: Path | Sequence[Path]) -> PoCatalog:
    """Every interface string in the templates (the top level of each folder and a city's extra ``pages/``:
    ``updates/`` holds templates that take their words from the code) and in the package, as a template
    catalogue."""
    template = PoCatalog(domain=DOMAIN, project="smartcity-tracker")
    package = Path(__file__).parent.parent
    folders = [templates] if isinstance(templates, Path) else list(templates)
    jinja = "jinja2.ext:babel_extract"
    sources = [(f, [("*.html", jinja), ("pages/*.html", jinja)]) for f in folders if f.is_dir()]
    sources += [(package / name, [("**.py", "python")]) for name in SOURCES]
    jinja_options = {"extensions": "jinja2.ext.i18n", "trimmed": "true"}
    options = {"*.html": jinja_options, "pages/*.html": jinja_options}
    keywords = {**DEFAULT_KEYWORDS, **wording.KEYWORDS}
    for folder, method_map in sources:
        for filename, lineno, message, comments, context in extract_from_dir(
            str(folder), method_map, options_map=options, keywords=keywords
        ):
            template.add(
                message,
                None,
                [(f"{folder.name}/{filename}", lineno)],
                auto_comments=comments,
                context=context,
            )
    return template


def catalog_languages() -> tuple[str, ...]:
    """The languages that have a catalogue, the package's or the project's: the site can be built in these."""
    return wording.languages()


def merge_catalog(path: Path, lang: str, template: PoCatalog) -> int:
    """Merge ``template``'s strings into the catalogue at ``path`` (created when missing: every string
    untranslated); returns the number of strings left untranslated."""
    if path.exists():
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=lang, domain=DOMAIN)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        catalog = PoCatalog(locale=lang, domain=DOMAIN, project="smartcity-tracker")
    catalog.update(template, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    catalog.fuzzy = False
    catalog.project, catalog.version = "smartcity-tracker", __version__
    catalog.copyright_holder = "Smart City Tracker contributors"
    catalog.msgid_bugs_address = ""
    with path.open("wb") as fh:
        write_po(fh, catalog, width=110, omit_header=False, sort_output=False, include_lineno=False)
    wording.clear()
    return len(untranslated(catalog))


def untranslated(catalog: PoCatalog) -> list[Message]:
    """The entries of ``catalog`` without a translation (a fuzzy one counts as none, as at build time)."""
    missing = []
    for m in catalog:
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        if m.id and (m.fuzzy or not all(strings)):
            missing.append(m)
    return missing


def update_catalogs(templates: Path, languages: Sequence[str] = ()) -> dict[str, int]:
    """Merge freshly extracted strings into each of the package's ``.po`` (every existing catalogue, and a
    new one for each of ``languages`` that has none yet); returns the number of untranslated strings per
    language."""
    shipped = tuple(sorted(p.parent.parent.name for p in LOCALES.glob(f"*/LC_MESSAGES/{DOMAIN}.po")))
    template = extract(templates)
    return {
        lang: merge_catalog(wording.shipped_po(lang), lang, template)
        for lang in dict.fromkeys([*shipped, *languages])
    }


def project_catalogue(templates: Sequence[Path], folder: Path, lang: str) -> tuple[Path, int]:
    """Create or update a project's own catalogue of ``lang`` in ``folder`` (``site.translations``) with every
    string of the package and of the city's ``templates``; returns its path and how many strings are left to
    translate. A new catalogue of a language the package ships starts from the package's translations."""
    path = wording.project_po(lang, folder)
    assert path is not None
    shipped = wording.shipped_po(lang)
    if not path.exists() and shipped.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(shipped.read_bytes())
    return path, merge_catalog(path, lang, extract(templates))


if __name__ == "__main__":  # pragma: no cover - maintainer tool
    from tracker.resources import default_templates

    # python -m tracker.site.i18n [LANG ...]: update every catalogue, creating one for each LANG given
    print(update_catalogs(default_templates(), sys.argv[1:]), file=sys.stderr)
