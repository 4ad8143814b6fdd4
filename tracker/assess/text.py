"""Plain-words reasons for an assessment that could not be made, and the notes beside a verdict.

One table for all methods, so the same gap in the data is explained the same way on every page. Values are
formatted with ``:g``-style numbers so a reason never shows 15 decimals. The texts are gettext messages
(context ``reason``), translated in the catalogues with the site's strings (:mod:`tracker.wording`): each
result carries its words in every language with a catalogue, since results are kept (``cache.py``) and
compared as data.
"""

from __future__ import annotations

from tracker.wording import Message, msg, plural, words

REASONS: dict[str, Message] = {
    "no_data": msg("reason", "No exact values yet."),
    "one_value": msg(
        "reason",
        "Needs at least two values at least one year apart; there is only one (%(period)s).",
    ),
    "no_base": msg(
        "reason",
        "No value in or after the base year %(year)s; the latest value is from %(latest)s.",
    ),
    "base_is_latest": msg(
        "reason",
        "Needs at least two values at least one year apart from the base year %(year)s on; only "
        "%(latest)s has a value.",
    ),
    "short_span": plural(
        "reason",
        "The %(window_name)s trend needs values at least %(need)s years apart within the last %(length)s "
        "years; the values available there span %(span)s year (%(first)s–%(last)s).",
        "The %(window_name)s trend needs values at least %(need)s years apart within the last %(length)s "
        "years; the values available there span %(span)s years (%(first)s–%(last)s).",
    ),
    "window_one": msg(
        "reason",
        "The %(window_name)s trend needs values at least %(need)s years apart within the last %(length)s "
        "years (%(first)s–%(last)s); only %(last)s has a value there.",
    ),
    "sign": msg(
        "reason",
        "A growth rate needs values of the same sign and not zero: base %(base)s (%(base_year)s), latest "
        "%(latest)s (%(latest_year)s). The linear method can assess this series.",
    ),
    "target_sign": msg(
        "reason",
        "The target %(target)s and the base value %(base)s have opposite signs, so no growth rate leads "
        "from one to the other.",
    ),
    "target_year": msg(
        "reason",
        "The target year %(target_year)s is not after the base year %(base_year)s, so no pace is required.",
    ),
    "no_target": msg(
        "reason",
        "This method compares progress with a numeric target, and the indicator has none.",
    ),
    "zero_base": msg(
        "reason",
        "Without a target the change is measured against the base value, which is 0 in %(base_year)s.",
    ),
    "undefined": msg(
        "reason",
        "The method's ratio is undefined for these values (base %(base)s, latest %(latest)s, target "
        "%(target)s).",
    ),
    "no_headline": plural(
        "reason",
        "There is no total series, only %(count)s disaggregated series; each is assessed on its own.",
        "There is no total series, only %(count)s disaggregated series; each is assessed on its own.",
    ),
    "manual_none": msg(
        "reason",
        "The platform this indicator comes from publishes no automatic verdict for it (automatic "
        "progress calculation is off), so none is shown here.",
    ),
    "manual_not_available": msg(
        "reason",
        "The platform this indicator comes from publishes no automatic verdict for it; its status, set "
        "by hand, is “not available” (%(status)s).",
    ),
    "note_manual": msg(
        "reason",
        "This status was set by hand on the platform the indicator comes from (%(status)s); it is not "
        "computed from the values.",
    ),
    "several_none": plural(
        "reason",
        "None of the indicator's %(count)s progress series could be assessed (see each series below).",
        "None of the indicator's %(count)s progress series could be assessed (see each series below).",
    ),
    "note_several": plural(
        "reason",
        "The verdict is the mean of the scores of the indicator's progress series (%(assessed)s of "
        "%(count)s assessed), as Open SDG computes it; each series' verdict is in the table “Verdict by "
        "series”.",
        "The verdict is the mean of the scores of the indicator's progress series (%(assessed)s of "
        "%(count)s assessed), as Open SDG computes it; each series' verdict is in the table “Verdict by "
        "series”.",
    ),
    "projection_several": msg(
        "reason",
        "No projection for the indicator as a whole: its verdict averages several series, each projected "
        "on its own.",
    ),
    "projection_no_target": msg(
        "reason",
        "No projection: the indicator has no quantified target to project towards.",
    ),
    "projection_stale": msg(
        "reason",
        "No projection: the latest value (%(period)s) is older than the indicator's update frequency "
        "allows, so a projection would guess years that have already happened.",
    ),
    "projection_past": msg(
        "reason",
        "No projection: the target year %(target_year)s is not after the latest value (%(period)s).",
    ),
    "projection_short": plural(
        "reason",
        "No projection: a trend with its uncertainty needs at least %(need)s values spanning at least "
        "%(span)s years within the last %(years)s years of data; there is %(count)s (%(periods)s).",
        "No projection: a trend with its uncertainty needs at least %(need)s values spanning at least "
        "%(span)s years within the last %(years)s years of data; there are %(count)s (%(periods)s).",
    ),
    "note_slower": msg(
        "reason",
        "The verdict rates the pace from %(base)s to %(latest)s; the trend of the values from %(first)s "
        "to %(last)s is slower and reaches the target %(when)s, after %(target_year)s.",
    ),
    "note_tolerance": msg(
        "reason",
        "The method counts a pace of at least %(share)s of the pace needed as on track, so an indicator "
        "can be on track and still arrive somewhat late.",
    ),
    "note_faster": msg(
        "reason",
        "The verdict rates the pace from %(base)s to %(latest)s; the values from %(first)s to %(last)s "
        "move faster, and at their trend the target is reached in %(year)s.",
    ),
    "note_achieved_stale": msg(
        "reason",
        "The latest value (%(period)s) met the target; no newer value shows whether it still does.",
    ),
}
#: The value whose count picks the plural form of a reason that takes one.
COUNTS = {
    "short_span": "span",
    "projection_short": "count",
    "no_headline": "count",
    "several_none": "count",
    "note_several": "count",
}

#: How a note says when the trend reaches the target.
WHEN: dict[str, Message] = {
    "in": msg("when", "in %(year)s"),
    "not_before": msg("when", "not before %(year)s"),
    "never": msg("when", "not at all at this trend"),
}


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def reason(key: str, **values: object) -> dict[str, str]:
    """The reason ``key`` in each language, with ``values`` filled in; a value given as a ``{lang: text}``
    dict (a window's name, a "when") is filled in with its own language's text."""
    count = values.get(COUNTS[key]) if key in COUNTS else None
    shown = {k: v if isinstance(v, dict) else _fmt(v) for k, v in values.items()}
    return words(REASONS[key], int(count) if isinstance(count, int | float) else None, **shown)


def when(kind: str, year: int | None = None) -> dict[str, str]:
    """How a note says when the trend reaches the target (``kind``: a key of :data:`WHEN`), in each language."""
    return words(WHEN[kind], year=year) if year is not None else words(WHEN[kind])
