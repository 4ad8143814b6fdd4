"""The small pieces every page repeats (a verdict, a score, a value with its unit, a reporting status).

They were Jinja macros; a macro call costs ~20 µs and an indicator page makes a few hundred of them, so these
are plain functions that return the same markup, installed as template globals by ``make_environment``.
Their output is escaped exactly as the macros' was (the templates' autoescape rules).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markupsafe import Markup, escape

from tracker.assess.base import Category

STATUS_SYMBOLS = {"current": "✔", "overdue": "⚠", "no_data": "∅", "irregular": "–"}


def make_snippets(lang: str, fmt: Any, vocab: dict[str, dict[str, str]], gettext: Callable[..., Markup],
                  words: Callable[[Category | str], str], symbol: Callable[[Category | str], str],
                  localized: Callable[[object, str], str], trend: Callable[[Category | str], str]
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
                f'{escape(symbol(category))}</span> {escape(words(category))}</{escape(tag)}>')
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
        return Markup(f'<{escape(tag)} class="{classes}"><span class="symbol" aria-hidden="true">'
                      f'{escape(symbol(category))}</span> {escape(said)}{age}</{escape(tag)}>')

    def score(number: float | None) -> Markup:
        return Markup("–") if number is None else escape(fmt.number(number, 1, signed=True))

    def value(ind: Any, number: float) -> Markup:
        unit = ind.unit
        return escape(fmt.value(number, unit.kind, localized(unit.label, lang), unit.decimals))

    def latest(view: Any) -> Markup:
        obs = view.latest
        if obs:
            return Markup(f'{value(view.ind, obs.value)} <span class="period">({escape(obs.period)})</span>')
        return Markup(f'<span class="muted">{gettext("No data yet")}</span>')

    def status(name: str) -> Markup:
        return Markup(f'<span class="status status-{escape(name)}"><span class="symbol" aria-hidden="true">'
                      f'{escape(STATUS_SYMBOLS[name])}</span> {escape(vocab["status"][name])}</span>')

    return {"verdict": verdict, "badge": badge, "score": score, "value": value, "latest": latest, "status": status}
