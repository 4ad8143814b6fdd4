"""The small pieces every page repeats (a verdict, a score, a value with its unit, a reporting status).

They were Jinja macros; a macro call costs ~20 µs and an indicator page makes a few hundred of them, so these
are plain functions that return the same markup, installed as template globals by ``make_environment``.
Their output is escaped exactly as the macros' was (the templates' autoescape rules).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from markupsafe import Markup, escape

from tracker.assess.base import Category
from tracker.site.i18n import with_bound

STATUS_SYMBOLS = {"current": "✔", "overdue": "⚠", "no_data": "∅", "irregular": "–"}
_DIGIT_SPACE = re.compile(r"(?<=\d) (?=\d)|(?<=\d) | (?=\d)")


def unit_markup(label: str) -> str:
    """A unit label that a narrow column breaks only where a reader expects it: after a slash
    ("veicoli/" | "100 000 ab."), or at a space between words, never inside a number ("100 000")."""
    text = _DIGIT_SPACE.sub("\u00a0", str(escape(label)))
    return text.replace("/", "/<wbr>")


def value_markup(number: str, label: str) -> str:
    """A formatted number (one unbreakable piece) and its unit: kept on one line with a short unit ("12,5 km"),
    allowed onto the next line before a word ("4.285.009" | "prelievi") rather than break the word."""
    if not label:
        return f'<span class="nw">{number}</span>'
    glue = "\u00a0" if len(label) <= 4 else " "
    return f'<span class="nw">{number}</span>{glue}{unit_markup(label)}'


def make_snippets(
    lang: str,
    fmt: Any,
    vocab: dict[str, dict[str, str]],
    gettext: Callable[..., Markup],
    words: Callable[[Category | str], str],
    symbol: Callable[[Category | str], str],
    localized: Callable[[object, str], str],
    trend: Callable[[Category | str], str],
) -> dict[str, Callable[..., Markup]]:
    """The template globals ``verdict``, ``badge``, ``score``, ``value``, ``latest`` and ``status`` for one
    language."""
    verdicts: dict[tuple[str, str], Markup] = {}

    def verdict(category: Category | str, tag: str = "span") -> Markup:
        key = (str(category), tag)
        found = verdicts.get(key)
        if found is None:
            found = verdicts[key] = Markup(
                f'<{escape(tag)} class="verdict verdict-{escape(category)}"><span class="symbol" aria-hidden="true">'
                f"{escape(symbol(category))}</span> {escape(words(category))}</{escape(tag)}>"
            )
        return found

    def badge(view: Any, tag: str = "span") -> Markup:
        """An indicator's verdict as a reader must quote it: trend words when it has no target, and the age of
        its data, drawn muted, when that data is stale ("On track — data from 2017"); "no automatic verdict"
        where the definition turns automatic progress off and gives no manual status."""
        category = view.category
        said = trend(category) if view.trend_only else words(category)
        if not view.ind.automatic_progress and category is Category.INSUFFICIENT_DATA:
            said = gettext("No automatic verdict")  # the data may be ample: the platform computes none
        stale = view.stale and view.assessed
        age = ""
        if stale:
            when = gettext("data from %(period)s", period=view.data_period)
            age = f' <span class="age">— {when}</span>'
        classes = f"verdict verdict-{escape(category)}" + (" verdict-stale" if stale else "")
        return Markup(
            f'<{escape(tag)} class="{classes}"><span class="symbol" aria-hidden="true">'
            f"{escape(symbol(category))}</span> {escape(said)}{age}</{escape(tag)}>"
        )

    def score(number: float | None) -> Markup:
        return (
            Markup("–")
            if number is None
            else Markup(f'<span class="nw">{escape(fmt.number(number, 1, signed=True))}</span>')
        )

    def value(ind: Any, number: float, bound: str = "") -> Markup:
        """A value with its unit; ``bound`` ("lower"/"upper") writes a published bound: "more than 63 %"."""
        unit = ind.unit
        if number is None:
            return Markup("–")
        if unit.kind == "percent":
            shown = f'<span class="nw">{escape(fmt.value(number, unit.kind, "", unit.decimals))}</span>'
        else:
            shown = value_markup(str(escape(fmt.number(number, unit.decimals))), localized(unit.label, lang))
        return Markup(
            with_bound(shown, bound, unit.kind, vocab["bound"])
        )  # the words are trusted translations

    def latest(view: Any) -> Markup:
        obs = view.latest
        if obs:
            return Markup(
                f'{value(view.ind, obs.value, obs.bound)} <span class="period">({escape(obs.period)})</span>'
            )
        return Markup(f'<span class="muted">{gettext("No data yet")}</span>')

    def status(name: str) -> Markup:
        return Markup(
            f'<span class="status status-{escape(name)}"><span class="symbol" aria-hidden="true">'
            f"{escape(STATUS_SYMBOLS[name])}</span> {escape(vocab['status'][name])}</span>"
        )

    return {
        "verdict": verdict,
        "badge": badge,
        "score": score,
        "value": value,
        "latest": latest,
        "status": status,
    }
