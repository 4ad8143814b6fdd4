"""Render a digest of :class:`~tracker.updates.changes.Changes` in one language: an email (HTML and plain text)
and a short chat message, from the Jinja templates in ``templates/updates/``.

Category words come from the site's catalogues (:func:`tracker.site.i18n.category_words`), so an email says
exactly what the scorecard says; the few sentences only digests use are in :data:`WORDS` below, translated in
the same catalogues. Templates ending in ``.html``/``.xml`` are autoescaped, ``.txt`` ones are not (they are
never read as markup).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from tracker import wording
from tracker.catalog import Catalog
from tracker.config import Settings
from tracker.resources import default_templates
from tracker.updates.changes import CategoryChange, Changes

REPO_TEMPLATES = default_templates() / "updates"
if TYPE_CHECKING:
    from jinja2 import Environment

CHAT_ITEMS = 5  # lines of a chat message before "and N more"

#: The sentences only digests use (context ``digest`` in the catalogues), by the key templates call ``t`` with.
WORDS: dict[str, wording.Message] = {
    "since": wording.plural("digest", "%(n)s change since %(date)s", "%(n)s changes since %(date)s"),
    "first": wording.plural("digest", "first update: %(n)s item", "first update: %(n)s items"),
    "title": wording.msg("digest", "%(site)s: %(what)s (update %(number)s, %(date)s, %(time)s)"),
    "targets_reached": wording.msg("digest", "Targets reached"),
    "categories": wording.msg("digest", "Progress changed"),
    "new_data": wording.msg("digest", "New data"),
    "overdue": wording.msg("digest", "Data overdue"),
    "rejected": wording.msg("digest", "Files rejected"),
    "improved": wording.msg("digest", "better"),
    "worsened": wording.msg("digest", "worse"),
    "was": wording.msg("digest", "was"),
    "first_assessment": wording.msg("digest", "first assessment"),
    "values": wording.msg(
        "digest",
        "new values: %(added)s, revised: %(revised)s; latest period %(period)s",
    ),
    "values_bounds": wording.plural(
        "digest",
        " (%(n)s of them only a bound, published as 'more than' or 'less than' a figure: not assessed)",
        " (%(n)s of them only bounds, published as 'more than' or 'less than' a figure: not assessed)",
    ),
    "overdue_detail": wording.msg(
        "digest",
        "latest period %(period)s; the next value was due by %(date)s",
    ),
    "rejected_detail": wording.msg(
        "digest",
        "nothing from this file was stored; the problems are listed beside it in %(folder)s",
    ),
    "unknown_indicator": wording.msg("digest", "no indicator matches this file name"),
    "objective": wording.msg("digest", "Objective"),
    "open_site": wording.msg("digest", "Open the scorecard"),
    "more": wording.plural("digest", "and %(n)s more", "and %(n)s more"),
    "footer": wording.msg(
        "digest",
        "You receive this because the subscription “%(name)s” is set up in the tracker's config.yaml.",
    ),
    "updates": wording.msg("digest", "Updates"),
    "updates_intro": wording.msg(
        "digest",
        "What changed at each recompute, newest first. Subscribe to the feed:",
    ),
    "no_updates": wording.msg("digest", "No updates yet."),
    "back": wording.msg("digest", "Back to the scorecard"),
}


@dataclass(frozen=True)
class Message:
    language: str
    title: str  # the email subject, the chat title, the feed entry title
    text: str
    html: str  # a whole HTML email
    chat: str
    fragment: str = ""  # the changes as an HTML fragment (a feed entry, the updates page)

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256("\0".join((self.title, self.text, self.html, self.chat)).encode()).hexdigest()


class Words:
    """``t(key, **values)`` in one language, from its catalogue; a text that takes a count picks its form by
    ``n``, by the language's own rule (the catalogue's plural forms: French says "0 changement", English
    "0 changes"). The catalogue is read when words are needed: a run where nothing changed loads no Babel."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, key: str, **values: Any) -> str:
        return wording.text(WORDS[key], self.lang, values.get("n"), **values)


def environment(settings: Settings) -> Environment:
    """Templates from the city's ``<site.templates>/updates`` first (a project may restyle them), then the
    built-in ones."""
    return _environment(str(settings.root / settings.config.site.templates / "updates"))


@lru_cache(maxsize=4)
def _environment(project_templates: str) -> Environment:
    # Jinja is imported here, when a digest or feed is rendered: a run that renders none does not load it.
    from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=ChoiceLoader([FileSystemLoader(project_templates), FileSystemLoader(str(REPO_TEMPLATES))]),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True, default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def format_date(value: date | datetime, lang: str, timezone: str | None = None) -> str:
    from tracker.site.i18n import long_date

    if isinstance(value, datetime):
        value = value.astimezone(ZoneInfo(timezone)).date() if timezone else value.date()
    return long_date(value, lang)


def site_url(settings: Settings, lang: str, page: str = "index.html") -> str | None:
    """Absolute link into the published site, or None when ``site.base_url`` is not configured."""
    base = settings.config.site.base_url.rstrip("/")
    return f"{base}/{lang}/{page}" if base else None


def render(
    settings: Settings,
    cat: Catalog,
    changes: Changes,
    lang: str,
    *,
    subscription: str | None = None,
) -> Message:
    """The digest of ``changes`` in ``lang`` (``subscription`` names the recipient in the email's footer)."""
    context = digest_context(settings, cat, changes, lang, subscription=subscription)
    env = environment(settings)
    return Message(
        language=lang,
        title=context["title"],
        text=env.get_template("email.txt").render(context).strip() + "\n",
        html=env.get_template("email.html").render(context),
        chat=env.get_template("chat.txt").render(context).strip(),
        fragment=env.get_template("_sections.html").render(context).strip(),
    )


def digest_context(
    settings: Settings, cat: Catalog, changes: Changes, lang: str, *, subscription: str | None = None
) -> dict[str, Any]:
    """Everything the templates show, already in words: the templates only lay it out."""
    from tracker.site.i18n import category_symbol, category_words, localized, translations

    gettext = translations(lang).gettext
    t = Words(lang)
    tz = settings.config.timezone
    names = {e.indicator.id: e for e in cat.entries}
    objectives = {o.id: o for o in cat.objectives}

    def indicator(indicator_id: str) -> dict[str, Any]:
        entry = names.get(indicator_id)
        if entry is None:
            return {"id": indicator_id, "code": "", "name": indicator_id, "objective": "", "url": None}
        ind = entry.indicator
        objective = objectives.get(ind.objective)
        return {
            "id": ind.id,
            "code": ind.code,
            "name": localized(ind.name, lang),
            "objective": localized(objective.name, lang) if objective else ind.objective,
            "url": site_url(settings, lang, f"indicators/{ind.id}.html"),
        }

    def verdict(change: CategoryChange) -> dict[str, Any]:
        trend = change.improved
        return {
            **indicator(change.indicator_id),
            "symbol": category_symbol(change.after),
            "words": category_words(change.after, gettext),
            "before_symbol": category_symbol(change.before) if change.before else "",
            "before_words": category_words(change.before, gettext)
            if change.before
            else t("first_assessment"),
            "trend": "" if trend is None else t("improved" if trend else "worsened"),
        }

    rejected_folder = settings.config.paths.rejected
    sections = [
        ("targets_reached", [verdict(c) for c in changes.targets_reached]),
        ("categories", [verdict(c) for c in changes.categories]),
        (
            "new_data",
            [
                {
                    **indicator(c.indicator_id),
                    "detail": t("values", added=c.added, revised=c.revised, period=c.latest_period)
                    + (t("values_bounds", n=c.bounds) if c.bounds else ""),
                }
                for c in changes.new_data
            ],
        ),
        (
            "overdue",
            [
                {
                    **indicator(c.indicator_id),
                    "detail": t(
                        "overdue_detail",
                        period=c.latest_period,
                        date=format_date(date.fromisoformat(c.due), lang),
                    ),
                }
                for c in changes.overdue
            ],
        ),
        (
            "rejected",
            [
                {
                    **(
                        indicator(c.indicator_id)
                        if c.indicator_id
                        else {
                            "id": "",
                            "code": "",
                            "name": t("unknown_indicator"),
                            "objective": "",
                            "url": None,
                        }
                    ),
                    "file": c.label,
                    "detail": t("rejected_detail", folder=rejected_folder),
                }
                for c in changes.rejected
            ],
        ),
    ]
    n = changes.count
    what = (
        t("since", n=n, date=format_date(changes.since, lang, tz))
        if changes.since is not None
        else t("first", n=n)
    )
    site_title = settings.config.city.title.get(lang)
    # Two digests of one day would otherwise share a subject: the run number and time tell them apart.
    title = t(
        "title",
        site=site_title,
        what=what,
        number=changes.to_run,
        date=format_date(changes.until, lang, tz),
        time=changes.until.astimezone(ZoneInfo(tz)).strftime("%H:%M"),
    )
    return {
        "lang": lang,
        "t": t,
        "title": title,
        "site_title": site_title,
        "what": what,
        "as_of": format_date(changes.until, lang, tz),
        "sections": [{"key": key, "heading": t(key), "items": items} for key, items in sections if items],
        "verdicts": sections[0][1] + sections[1][1],
        "count": n,
        "site_url": site_url(settings, lang),
        "subscription": subscription,
        "chat_items": CHAT_ITEMS,
    }
