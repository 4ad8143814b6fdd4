"""The rows of an indicator's data table, written in Python rather than in Jinja.

A page lists every value of every series (300 rows at 30 years x 10 series), and each row cost about 50 µs in
the template: two macro calls, two ``gettext`` calls, a filter and a dictionary lookup. Here a row is one
f-string, a few µs. The markup is exactly what ``templates/_data_table.html`` used to produce per row, and
every text that comes from a data file or a definition goes through ``markupsafe.escape``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from tracker.site.i18n import NBSP, keep_numbers, with_bound

if TYPE_CHECKING:
    from tracker.observations import Observation
    from tracker.site.context import IndicatorView
    from tracker.site.i18n import Formatter

#: Most rows of an indicator page's data table. A longer series would make a page of hundreds of megabytes (a
#: million values: 200 MB of rows per language, too big for a browser and for the build's memory), so the table
#: then lists the latest values of each series, an equal share of this many, and says so: every value is in
#: the downloads (CSV, JSON, spreadsheet). Tables within the limit are unchanged.
TABLE_ROWS = 2_000


def table_share(view: IndicatorView) -> int | None:
    """How many of the latest values of each series the table lists; ``None``: every value (the usual case)."""
    series = view.series
    if sum(len(s.observations) for s in series) <= TABLE_ROWS:
        return None
    return max(1, TABLE_ROWS // len(series))


def table_extent(view: IndicatorView) -> tuple[int, int]:
    """(values listed in the table, values of the indicator): equal unless the table is cut (:data:`TABLE_ROWS`)."""
    total = sum(len(s.observations) for s in view.series)
    share = table_share(view)
    return (total if share is None else sum(min(share, len(s.observations)) for s in view.series)), total


def source_cell(text: str, word: str) -> str:
    """A web address becomes a link reading ``word``; a citation is shown as typed (never linked)."""
    if text.startswith(("https://", "http://")):
        return f'<a href="{escape(text)}" rel="external noopener">{word}</a>'
    return str(escape(text)) if text else ""


def data_rows(
    view: IndicatorView,
    lang: str,
    fmt: Formatter,
    gettext: Callable[[str], str],
    flags: Mapping[str, str],
    bounds: Mapping[str, str] | None = None,
) -> Markup:
    """One ``<tr>`` per value (the latest of each series when the table is cut: :func:`table_share`), series
    after series, joined by newlines (the template adds the indentation
    around the block). Translated words are inserted as the template inserts them: translations are trusted
    markup, as in Jinja's ``gettext`` with autoescape."""
    ind = view.ind
    kind, decimals = ind.unit.kind, ind.unit.decimals
    # Formatter.value, split so that only the unit label is escaped (once): digits and marks need no escaping.
    label = ind.unit.label.get(lang)
    suffix = f"{NBSP}{escape(keep_numbers(label))}" if label and kind != "percent" else ""
    several = len(view.series) > 1
    total, source_word = gettext("Total"), gettext("source")
    # Periods repeat in every series, notes, flags and sources across rows: each distinct text is escaped once.
    texts: dict[str, str] = {}
    sources: dict[str, str] = {}

    def esc(text: str) -> str:
        found = texts.get(text)
        if found is None:
            found = texts[text] = str(escape(text))
        return found

    borrowed_notes = lang not in ("it", "en")  # the data files' note columns

    def note_lang(o: Observation) -> str:
        """A note in another language than the page's (the English one where ``lang`` has none) is marked."""
        other = o.note_language(lang)
        return f' lang="{other}"' if other else ""

    rows: list[str] = []
    share = table_share(view)
    for series in view.series:
        name = f"<td>{total if not series.key else esc(series.labels[lang])}</td>" if several else ""
        for o in series.observations if share is None else series.observations[-share:]:
            source = sources.get(o.source)
            if source is None:
                source = sources[o.source] = source_cell(o.source, source_word)
            if o.value is None:
                value = "–"
            elif kind == "percent":
                value = fmt.value(o.value, kind, "", decimals)  # from the value as written: 54.65 -> 54,7 %
            else:
                value = fmt.number(o.value, decimals) + suffix
            if o.bound and bounds is not None:  # "more than 63 %": the words are trusted translations
                value = with_bound(value, o.bound, kind, bounds)
            rows.append(
                f'    <tr><th scope="row">{esc(o.period)}</th>{name}<td class="num">{value}</td>'
                f"<td>{esc(flags.get(o.flag, o.flag))}</td><td{note_lang(o) if borrowed_notes else ''}>{esc(keep_numbers(o.note_in(lang)))}</td><td>{source}</td></tr>"
            )
    return Markup("\n".join(rows))
