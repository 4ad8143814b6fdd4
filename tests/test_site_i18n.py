"""Interface languages: complete catalogues, locale-aware numbers, a safe and strict Jinja environment."""

from __future__ import annotations

from datetime import date

import pytest
from babel.messages.pofile import read_po
from jinja2 import UndefinedError

from tracker.assess.base import Category
from tracker.site.build import REPO_TEMPLATES
from tracker.site.i18n import Formatter, category_words, extract, make_environment, po_path, translations


@pytest.mark.parametrize("lang", ["it", "fr"])
def test_every_interface_string_has_a_translation(lang: str) -> None:
    template = extract(REPO_TEMPLATES)
    ids = {m.id for m in template if m.id}
    assert len(ids) > 150  # templates and Python sources were both scanned
    assert "Skip to main content" in ids and "Projection of the recent trend" in ids and "On track" in ids
    with po_path(lang).open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    translated = {
        m.id
        for m in catalog
        if m.id and not m.fuzzy and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    assert sorted(ids - translated, key=str) == []
    plurals = [m for m in catalog if isinstance(m.id, tuple)]
    assert len(plurals) >= 4 and all(len(m.string) == catalog.num_plurals for m in plurals)


def test_catalogues_are_consistent() -> None:
    """Placeholders match between msgid and msgstr (babel's python-format checker)."""
    for lang in ("it", "en", "fr"):
        with po_path(lang).open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        problems = [(m.id, [str(e) for e in errors]) for m, errors in catalog.check()]
        assert problems == []


def test_english_is_the_source_language() -> None:
    assert translations("en").gettext("On track") == "On track"
    assert translations("it").gettext("On track") == "In linea con l'obiettivo"
    assert (
        category_words(Category.DETERIORATING, translations("it").gettext)
        == "In allontanamento dall'obiettivo"
    )


@pytest.mark.parametrize(
    ("lang", "percent", "number", "signed", "day"),
    [
        ("it", "63,1\u00a0%", "12.345,7", "\u22121,5", "3 marzo 2025"),
        ("en", "63.1%", "12,345.7", "\u22121.5", "March 3, 2025"),
        ("fr", "63,1\u00a0%", "12\u202f345,7", "\u22121,5", "3 mars 2025"),
    ],
)
def test_numbers_and_dates_per_locale(lang: str, percent: str, number: str, signed: str, day: str) -> None:
    fmt = Formatter(lang)
    assert fmt.percent(0.631) == percent
    assert fmt.value(63.1, "percent", "%", 1) == percent
    assert fmt.number(12345.678) == number
    assert fmt.number(-1.5, 1, signed=True) == signed
    assert fmt.number(2.9, 1, signed=True).startswith("+")
    assert fmt.date(date(2025, 3, 3)) == day
    assert fmt.value(None, "count", "x", 0) == "–"


def test_environment_escapes_everything_and_rejects_unknown_names() -> None:
    env = make_environment(REPO_TEMPLATES, "en")
    assert env.from_string("{{ x }}").render(x="<script>") == "&lt;script&gt;"
    assert env.autoescape("page.html") is True
    assert env.autoescape("data.txt") is True  # default=True: even other extensions are escaped
    with pytest.raises(UndefinedError):
        env.from_string("{{ missing }}").render()
    it = make_environment(REPO_TEMPLATES, "it")
    assert (
        it.from_string('{{ _("Objective %(number)s", number=n) }}').render(n="<3>") == "Obiettivo &lt;3&gt;"
    )


def _babel(lang: str, value: float, decimals: int, signed: bool, percent: bool) -> str:
    """What babel writes with the rounding official statistics use (half away from zero, issue #15): the
    reference. Babel rounds in the decimal context."""
    from decimal import ROUND_HALF_UP, localcontext

    from babel.numbers import format_decimal, format_percent

    from tracker.site.i18n import PERCENT_PATTERN

    digits = "." + "0" * decimals if decimals else ""
    body = PERCENT_PATTERN[lang].format(d=digits) if percent else "#,##0" + digits
    pattern = f"+{body};-{body}" if signed else body
    with localcontext(rounding=ROUND_HALF_UP):
        text = (format_percent if percent else format_decimal)(value, format=pattern, locale=lang)
    return "\u2212" + text[1:] if text.startswith("-") else text


def test_fast_number_formatting_matches_babel_exactly() -> None:
    """Half-up rounding of the shortest decimal form (2.675 -> 2.68, 0.25 -> 0.3), negative zero, grouping,
    the percent sign's spacing: every case babel writes one way is written the same way, on a seeded random
    sample."""
    import random

    rng = random.Random(20251126)
    values: list[float] = [
        0,
        0.0,
        -0.0,
        0.05,
        0.25,
        0.35,
        2.675,
        -2.675,
        -0.04,
        999.95,
        999_999.5,
        1e-5,
        1e15,
        123_456_789.123456,
        999_999_999.9999999,
        0.1 + 0.2,
        5,
        -5,
        12_345_678_901_234_567,
    ]
    for _ in range(1500):
        values += [
            round(rng.uniform(-1, 1) * 10 ** rng.randint(-3, 9), rng.randint(0, 6)),
            rng.uniform(-1e6, 1e6),
        ]
    for lang in ("it", "en"):
        fmt = Formatter(lang)
        for value in values:
            for decimals in (0, 1, 2, 3, 7):
                for signed in (False, True):
                    assert fmt.number(value, decimals, signed) == _babel(lang, value, decimals, signed, False)
                    assert fmt.percent(value / 100, decimals, signed) == _babel(
                        lang, value / 100, decimals, signed, True
                    )
    it = Formatter("it")
    assert it.value(54.65, "percent", "%", 1) == "54,7\u00a0%"  # Milan's turnout 2016, not "54,6 %"
    assert it.number(0.25, 1) == "0,3" and it.number(-0.25, 1) == "\u22120,3" and it.number(2.5, 0) == "3"
    assert Formatter("en").value(54.65, "percent", "%", 1) == "54.7%"
    with pytest.raises(ArithmeticError):  # what is not a number still fails as babel fails
        Formatter("en").number("n/a")  # type: ignore[arg-type]
    assert Formatter("it").number(float("inf")) == "∞"


def test_fast_gettext_behaves_like_jinja_newstyle_gettext() -> None:
    it = make_environment(REPO_TEMPLATES, "it")
    template = it.from_string(
        '{{ _("Objective %(number)s", number=n) }}|{{ _("On track") }}|{{ gettext("On track") }}'
    )
    assert template.render(n="<b>") == "Obiettivo &lt;b&gt;|In linea con l'obiettivo|In linea con l'obiettivo"
    assert it.from_string('{{ _("100%% synthetic") }}').render() == "100% synthetic"  # always %-formatted
