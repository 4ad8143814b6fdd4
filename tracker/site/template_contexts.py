"""The template context: what every page template receives, documented for cities that bring their own templates.

A city's template folder (``site.templates``, default ``templates/``) is searched before the defaults: a template
there replaces the default of the same name (or extends ``default/<name>`` and replaces its blocks), and every
template can rely on exactly the names below, no more. ``tests/test_template_contexts.py`` renders the sample site and checks that
each template receives these names and only these (as datasette's ``template_contexts.py`` and its test do), and
``docs/templates.md`` is generated from this module: ``python -m tracker.site.template_contexts > docs/templates.md``.
"""

from __future__ import annotations

import sys

#: Given to every page by :class:`tracker.site.render.Renderer`.
COMMON: dict[str, str] = {
    "ctx": "the whole site (`tracker.site.context.SiteContext`): `objectives` (each an `ObjectiveView` with "
    "`objective`, `summary`, `indicators`), `indicators`, `counts`, `trend_counts`, `stale_counts`, "
    "`assessed`, `assessed_current`, `with_data`, `overdue`, `generated_at`, `settings`, `catalog`",
    "cfg": "the validated `config.yaml` (`tracker.config.Config`): `city`, `languages`, `site.base_url`, ...",
    "categories": "the verdict categories in display order, best first, then 'insufficient data'",
    "figure_kind": "`figure_kind(key)`: how a figure of an assessment is written (rate, percent, change, unit...)",
    "site_title": "the city's scorecard title in the page's language",
    "strategy": "the name of the city's strategy in the page's language",
    "languages": "the site's languages, e.g. `['it', 'en']`",
    "page": "the page's path inside its language folder, e.g. `indicators/pm10.html`",
    "rel": "`rel(path)`: a link relative to this page to a file of the site (`assets/site.css`)",
    "url": "`url(page)`: a link relative to this page to a page of the same language (`objectives/x.html`)",
    "alternates": "the same page in each language: dicts with `lang`, `name`, `href`, `current`",
    "theme": "the city's look from `config.yaml` `site`: `logo` (its path in the site, e.g. `assets/logo.svg`, "
    "or ''), `colors` (sorted `(name, #rrggbb)` pairs of site.css custom properties), `pages` (the extra pages: "
    "dicts with `file` and `title` in the page's language)",
}

#: Installed on the Jinja environment of each language by :func:`tracker.site.i18n.make_environment`.
GLOBALS: dict[str, str] = {
    "lang": "the page's language code",
    "fmt": "number and date formatting in the page's locale (`Formatter`: `number`, `percent`, `value`, "
    "`date`, `datetime`, `year`)",
    "vocab": "words for the catalogue's closed vocabularies: `direction`, `frequency`, `basis`, `window`, "
    "`flag`, `bound`, `unit`, `status`, `method`, `territory`, `figure`",
    "_": "`_(text, **values)`: the translation of an interface string, %-formatted with escaped values",
    "category_words": "`category_words(category)`: a verdict category in words",
    "trend_words": "`trend_words(category)`: the words of a trend-only verdict (an indicator without a target)",
    "category_symbol": "`category_symbol(category)`: its symbol (↑ ↗ → ↓ ✔ …)",
    "data_rows": "`data_rows(view)`: the rows of an indicator's data table, formatted",
    "observations_file": "`observations_file(view)`: path of its compressed values (`.json.gz`), or none",
    "table_extent": "`table_extent(view)`: (values listed in the data table, values of the indicator)",
    "verdict": "`verdict(category)`: a category's badge (symbol and words)",
    "badge": "`badge(view)`: an indicator's verdict as a reader must quote it (trend words, age when stale)",
    "score": "`score(number)`: a score from −5 to +5",
    "value": "`value(indicator, number, bound='')`: a value with the indicator's unit; with `bound` (`lower`, "
    "`upper`) as a published bound reads ('more than 63 %', 'oltre il 63 %')",
    "latest": "`latest(view)`: an indicator's latest value with its period (a bound in words), or 'no data yet'",
    "status": "`status(name)`: a reporting status (current, overdue, no data, irregular) with its symbol",
}

#: Jinja filters added to the defaults.
FILTERS: dict[str, str] = {
    "loc": "`text|loc`: the page's language of an `{it, en}` text",
}

#: The names each page template receives beyond :data:`COMMON` (``ctx`` on an indicator or objective page is the
#: same site context, watched: a page that uses it is rebuilt on every run instead of being reused).
PAGES: dict[str, dict[str, str]] = {
    "home.html": {},
    "objective.html": {
        "view": "the objective (`ObjectiveView`): `objective`, `summary` (mean score, category, counts, "
        "coverage, `current`, `min_coverage`, `withheld`, `trend_counts`), `indicators`, `overdue`, "
        "`updated`",
        "ctx": "as in every page, watched",
    },
    "indicator.html": {
        "view": "the indicator (`IndicatorView`): `ind` (its definition), `objective`, `result` (headline, "
        "others, subseries), `assessment`, `category`, `assessed`, `trend_only`, `stale`, `data_period`, "
        "`series`, `observations`, `baseline`, `latest`, `latest_exact` (the latest value that is not a bound), "
        "`status`, `due`, `updated`, `history`, `events` (of events.yaml), `peers` (peer territories' values), "
        "`peer_territories`, `peer_notes`, `ranking` (`RankRow`s: `territory`, `observation`, `own`, `rank`, None "
        "for a row without one, and `unranked`, why: `bound` or `definition`), `unranked_reasons`, "
        "`ranking_periods_differ`, `downloadable`",
        "chart": "the Plotly spec of its chart as inert JSON for a `<script type=\"application/json\">` (or '')",
        "facts": "what the chart shows beyond its values (`ChartFacts`: `y_range`, `gaps`, `band`, `clipped`, "
        "`end_year`, `end_value`, `end_low`, `end_high`, `limit`, `x_span`, `events_drawn`: the numbers of the "
        "events marked on the chart), for the caption; None without data",
        "ctx": "as in every page, watched",
    },
    "indicators.html": {
        "search_index_json": "the offline search index of this language, as inert JSON",
        "search_scripts": "the search library's scripts in `assets/vendor/` to load, in order (lunr, then a "
        "stemmer for each language that has one)",
    },
    "embed.html": {
        "kind": "`indicator` or `objective`: which card this is (a small self-contained page for an iframe)",
        "view": "the `IndicatorView` or `ObjectiveView` the card shows",
        "ctx": "as in every page, watched",
    },
    "status.html": {},
    "methodology.html": {},
    "guide.html": {},
    "redirect.html": {},
}


def markdown() -> str:
    """``docs/templates.md``: the tables above, for a city's web designers."""
    lines = [
        "# The template context",
        "",
        "Generated from `tracker/site/template_contexts.py` (`python -m tracker.site.template_contexts`); "
        "checked by `tests/test_template_contexts.py`.",
        "",
        "A city's own template folder (`site.templates` in `config.yaml`, default `templates/`) is searched "
        "before the defaults: a file there replaces the default of the same name, or extends `default/<name>` "
        "and replaces only its blocks (`_base.html`: `title`, `description`, `head`, `scripts`, `brand`, "
        "`breadcrumb`, `main`, `generated`, `footer`). An extra page (`site.pages`) is the template "
        "`pages/<id>.html` of that folder and receives what every page receives. "
        "Every page receives the names of *Every page*, the environment's globals and filters, and those "
        "of its own template.",
        "",
    ]
    for title, names in (("Every page", COMMON), ("Globals", GLOBALS), ("Filters", FILTERS)):
        lines += [f"## {title}", "", "| name | what it is |", "|---|---|"]
        lines += [f"| `{name}` | {text} |" for name, text in names.items()]
        lines.append("")
    lines += ["## Each page", ""]
    for template, names in PAGES.items():
        lines += [f"### `{template}`", ""]
        if names:
            lines += ["| name | what it is |", "|---|---|", *(f"| `{n}` | {t} |" for n, t in names.items())]
        else:
            lines.append("Nothing beyond every page's names.")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(markdown())
