"""Render a digest of :class:`~tracker.updates.changes.Changes` in one language: an email (HTML and plain text)
and a short chat message, from the Jinja templates in ``templates/updates/``.

Category words come from the site's catalogues (:func:`tracker.site.i18n.category_words`), so an email says
exactly what the scorecard says; the few sentences only digests use are in :data:`WORDS` below. Templates
ending in ``.html``/``.xml`` are autoescaped, ``.txt`` ones are not (they are never read as markup).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from tracker.catalog import Catalog
from tracker.config import Settings
from tracker.resources import default_templates
from tracker.updates.changes import CategoryChange, Changes

REPO_TEMPLATES = default_templates() / "updates"
if TYPE_CHECKING:
    from jinja2 import Environment

CHAT_ITEMS = 5  # lines of a chat message before "and N more"

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "since": "{n} change since {date}|{n} changes since {date}",
        "first": "first update: {n} item|first update: {n} items",
        "title": "{site}: {what} (update {number}, {date}, {time})",
        "targets_reached": "Targets reached",
        "categories": "Progress changed",
        "new_data": "New data",
        "overdue": "Data overdue",
        "rejected": "Files rejected",
        "improved": "better",
        "worsened": "worse",
        "was": "was",
        "first_assessment": "first assessment",
        "values": "new values: {added}, revised: {revised}; latest period {period}",
        "values_bounds": " ({n} of them only a bound, published as 'more than' or 'less than' a figure: not "
        "assessed)| ({n} of them only bounds, published as 'more than' or 'less than' a figure: not assessed)",
        "overdue_detail": "latest period {period}; the next value was due by {date}",
        "rejected_detail": "nothing from this file was stored; the problems are listed beside it in {folder}",
        "unknown_indicator": "no indicator matches this file name",
        "objective": "Objective",
        "open_site": "Open the scorecard",
        "more": "and {n} more",
        "footer": "You receive this because the subscription “{name}” is set up in the tracker's config.yaml.",
        "updates": "Updates",
        "updates_intro": "What changed at each recompute, newest first. Subscribe to the feed:",
        "no_updates": "No updates yet.",
        "back": "Back to the scorecard",
    },
    "it": {
        "since": "{n} novità dal {date}|{n} novità dal {date}",
        "first": "primo aggiornamento: {n} novità|primo aggiornamento: {n} novità",
        "title": "{site}: {what} (aggiornamento n. {number}, {date} ore {time})",
        "targets_reached": "Obiettivi raggiunti",
        "categories": "Andamento cambiato",
        "new_data": "Nuovi dati",
        "overdue": "Dati in ritardo",
        "rejected": "File respinti",
        "improved": "in miglioramento",
        "worsened": "in peggioramento",
        "was": "prima",
        "first_assessment": "prima valutazione",
        "values": "valori nuovi: {added}, rivisti: {revised}; ultimo periodo {period}",
        "values_bounds": " (di cui {n} solo un limite, pubblicato come «oltre» o «meno di» un valore: non "
        "valutato)| (di cui {n} solo limiti, pubblicati come «oltre» o «meno di» un valore: non valutati)",
        "overdue_detail": "ultimo periodo {period}; il valore successivo era atteso entro il {date}",
        "rejected_detail": "nulla di questo file è stato salvato; i problemi sono elencati accanto al file in {folder}",
        "unknown_indicator": "nessun indicatore corrisponde al nome del file",
        "objective": "Obiettivo",
        "open_site": "Apri il quadro di valutazione",
        "more": "e altre {n}",
        "footer": "Ricevi questo messaggio perché l'iscrizione “{name}” è configurata nel config.yaml del tracker.",
        "updates": "Aggiornamenti",
        "updates_intro": "Che cosa è cambiato a ogni ricalcolo, dal più recente. Segui il feed:",
        "no_updates": "Ancora nessun aggiornamento.",
        "back": "Torna al quadro di valutazione",
    },
    "fr": {
        "since": "{n} changement depuis le {date}|{n} changements depuis le {date}",
        "first": "première mise à jour\u00a0: {n} élément|première mise à jour\u00a0: {n} éléments",
        "title": "{site}\u00a0: {what} (mise à jour n° {number}, {date}, {time})",
        "targets_reached": "Objectifs atteints",
        "categories": "Évolution modifiée",
        "new_data": "Nouvelles données",
        "overdue": "Données en retard",
        "rejected": "Fichiers refusés",
        "improved": "en amélioration",
        "worsened": "en dégradation",
        "was": "auparavant",
        "first_assessment": "première évaluation",
        "values": "nouvelles valeurs\u00a0: {added}, révisées\u00a0: {revised}\u202f; dernière période {period}",
        "values_bounds": " (dont {n} n’est qu’une borne, publiée comme «\u00a0plus de\u00a0» ou «\u00a0moins de\u00a0» "
        "un chiffre\u00a0: non évaluée)| (dont {n} ne sont que des bornes, publiées comme «\u00a0plus de\u00a0» ou "
        "«\u00a0moins de\u00a0» un chiffre\u00a0: non évaluées)",
        "overdue_detail": "dernière période {period}\u202f; la valeur suivante était attendue au plus tard le {date}",
        "rejected_detail": "rien de ce fichier n’a été enregistré\u202f; les problèmes sont indiqués à côté de lui dans {folder}",
        "unknown_indicator": "aucun indicateur ne correspond à ce nom de fichier",
        "objective": "Objectif",
        "open_site": "Ouvrir le tableau de bord",
        "more": "et {n} de plus",
        "footer": "Vous recevez ce message parce que l’abonnement «\u00a0{name}\u00a0» est configuré dans le config.yaml du tracker.",
        "updates": "Mises à jour",
        "updates_intro": "Ce qui a changé à chaque recalcul, du plus récent au plus ancien. Abonnez-vous au flux\u00a0:",
        "no_updates": "Aucune mise à jour pour l’instant.",
        "back": "Retour au tableau de bord",
    },
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
    """``t(key, **values)`` in one language; ``key`` with ``a|b`` picks the plural form by ``n``, by the
    language's own rule (Babel's plural rules: French says "0 changement", English "0 changes")."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.table = WORDS.get(lang, WORDS["en"])
        from babel import Locale  # imported when words are needed: a run where nothing changed loads no Babel

        self.plural = Locale.parse(lang).plural_form

    def __call__(self, key: str, **values: Any) -> str:
        text = self.table[key]
        if "|" in text:
            one, many = text.split("|", 1)
            text = one if self.plural(values.get("n", 0)) == "one" else many
        return text.format(**values)


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
