"""Statistics Canada / Open SDG progress measure, replicating sdg-build's ``sdg/ProgressMeasure.py``.

Source: open-sdg/sdg-build ``sdg/ProgressMeasure.py`` (``SeriesProgress``: base year, ``methodology_1``/``_2``,
``get_progress_thresholds``, ``get_progress_status``, ``get_score``) and open-sdg/open-sdg
``docs/progress-methodology.md``. Behaviours kept on purpose, because they are the code's:

* base year = the configured one (default 2015) if it has data, else the first later year with data; the
  latest year is the last year with data (earlier years count for nothing);
* a target of 0 becomes 0.001 (also in the "target achieved" test); a base value of 0 becomes 0.001 after the
  thresholds and ``sign`` were set from the original 0;
* ``sign`` = -1 when the base value is negative; base and latest of opposite signs → not assessed;
* without a target: ``g = sign·d·CAGR`` against 1.5 % / 0.5 % / 0, all three multiplied by the natural-limit
  factor C (exponent 4.44; the code scales every threshold, the docs say only those > 0 — with the default low
  of 0 it is the same); C = 0 and g ≥ 0 scores +5;
* with a target: ``R = sign·d·CAGR_a / |CAGR_r|`` against 0.95 / 0.60 / 0; a limit is ignored;
* "target achieved" (latest at or beyond the target) wins regardless of the trend, even with one value;
* a required rate of 0 gives R = ±inf (numpy division), a negative ratio to a fractional power gives NaN,
  and NaN yields "not_available" with no score, as in the code.

* a range of years (``2014/2015``, ``2005-2007``, ``2017-18``) counts as its **first** year: the code reads the
  first four characters of ``Year`` (``filter_data``). Everywhere else the tracker dates a range by the year it
  ends in (:mod:`tracker.intake.periods`); this method re-dates it by its start (:func:`dated`), so base and
  current years, growth rates and scores are the platform's. Charts and labels keep the range as written.

What differs: the code's default direction is *negative* when unset; here the direction always comes from the
definition. Sub-annual data are reduced to one value per year first (the code would stop on duplicate years).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from tracker.assess.base import Assessment, Category, Point, Spec
from tracker.assess.growth import figure, first_from, insufficient, prepare, start_year
from tracker.assess.text import reason
from tracker.wording import Message, msg, words

METHOD = "opensdg"
EXPONENT = 4.44
ZERO = 0.001
DEFAULT_TARGET_YEAR = 2030
QUALITATIVE = {"high": 0.015, "med": 0.005, "low": 0.0}  # ProgressMeasure.get_progress_thresholds, method 1
QUANTITATIVE = {"high": 0.95, "med": 0.6, "low": 0.0}  # method 2

#: Status codes of the code, with the documented English labels and sdg-translations' Italian (it/status.yml).
LABELS: dict[str, Message] = {
    "target_achieved": msg("opensdg", "Target achieved"),
    "substantial_progress": msg("opensdg", "On track"),
    "moderate_progress": msg("opensdg", "Progress made but acceleration needed"),
    "limited_progress": msg("opensdg", "Limited progress"),
    "deterioration": msg("opensdg", "Deterioration"),
    "not_available": msg("opensdg", "Unable to assess"),
}
#: Without a target the code's ``substantial_progress`` is a trend, not a distance to a target: its own words
#: ("substantial progress"), never "on track" (the site words no-target verdicts as trends throughout).
TREND_LABELS: dict[str, Message] = {
    "substantial_progress": msg("opensdg", "Substantial progress"),
}
#: A status set by hand on the platform (``auto_progress_calculation: false`` and ``progress_status``).
MANUAL_SUFFIX = msg("opensdg", " (status set by the platform, not computed)")
CATEGORY = {
    "target_achieved": Category.ACHIEVED,
    "substantial_progress": Category.ON_TRACK,
    "moderate_progress": Category.MODERATE,
    "limited_progress": Category.LIMITED,
    "deterioration": Category.DETERIORATING,
    "not_available": Category.INSUFFICIENT_DATA,
}


def growth(val1: float, val2: float, t1: float, t2: float) -> float:
    """``growth_calculation``: ``(val1/val2) ** (1/(t1-t2)) - 1`` with numpy's NaN for a negative ratio."""
    ratio = val1 / val2
    exponent = 1.0 / (t1 - t2)
    if ratio < 0 and not exponent.is_integer():
        return math.nan
    return ratio**exponent - 1.0


def coefficient(base_value: float, limit: float) -> float:
    """The natural-limit factor C (``get_progress_thresholds``); C = 1 when base and limit are both 0."""
    base, lim = abs(base_value), abs(limit)
    if base >= 2 * lim:
        return 1.0
    if base <= lim:
        return 1.0 - (base / lim) ** EXPONENT
    return 1.0 - ((2 * lim - base) / lim) ** EXPONENT


def thresholds(
    target: float | None, user: dict[str, float], base_value: float, limit: float | None
) -> dict[str, float]:
    """Effective thresholds: defaults, updated by the user's, scaled by C (no target and a limit only)."""
    if target is None:
        result = {**QUALITATIVE, **user}
        if limit is not None:
            c = coefficient(base_value, limit)
            result = {key: result[key] * c for key in ("high", "med", "low")} | {"coefficient": c}
        return result
    return {**QUANTITATIVE, **user}


def status(value: float | None, limits: dict[str, float], target_achieved: bool = False) -> str:
    """``get_progress_status``: lower-inclusive cut-offs; NaN or None → not_available."""
    if target_achieved:
        return "target_achieved"
    if value is not None:
        if value >= limits["high"]:
            return "substantial_progress"
        if limits["med"] <= value < limits["high"]:
            return "moderate_progress"
        if limits["low"] <= value < limits["med"]:
            return "limited_progress"
        if value < limits["low"]:
            return "deterioration"
    return "not_available"


def quantitative_score(r: float, med: float = QUANTITATIVE["med"]) -> float:
    """``get_score`` for a target (its rounded coefficients): R = 1.30 → +5, R = 0.6 → 0, R = -0.60 → -5.

    The code switches line at the ``med`` threshold (a user-set one too), while the lines stay those drawn for
    the defaults.
    """
    if r >= med:
        return float(min(7.1429 * r - 4.2857, 5))
    return float(max(4.1667 * r - 2.5, -5))


def score(
    value: float | None, limits: dict[str, float], has_target: bool, target_achieved: bool
) -> float | None:
    """``get_score``: the hard-coded score lines (they assume the default thresholds)."""
    if target_achieved:
        return 5.0
    if value is None or math.isnan(value):
        return None
    if has_target:
        return quantitative_score(value, limits["med"])
    coeff = limits.get("coefficient", 1.0)
    if value < limits["low"]:
        return max(125 * value - 2.5, -5.0)
    if coeff == 0:
        return 5.0
    if value >= limits["high"]:
        return min(500 * value / coeff - 5, 5.0)
    if value >= limits["med"]:
        return 250 * value / coeff - 1.25
    return 500 * value / coeff - 2.5


def status_from_score(value: float | None, target_achieved: bool = False) -> str:
    """``get_progress_status_from_score``: the indicator/goal status from a mean score."""
    if target_achieved:
        return "target_achieved"
    if value is None:
        return "not_available"
    if 2.5 <= value <= 5:
        return "substantial_progress"
    if 0 <= value < 2.5:
        return "moderate_progress"
    if -2.5 <= value < 0:
        return "limited_progress"
    return "deterioration"


def dated(point: Point) -> Point:
    """A range of years (canonical label ``2014/2015``) timed at its first year, as sdg-build reads ``Year``.

    Other labels start with their calendar year already (``2015``, ``2015-Q4``, ``2015-03``, ``2015-03-31``), and
    :func:`tracker.assess.growth.annual` takes each value's calendar year from its time.
    """
    label = point.period
    if "/" in label and label[:4].isdigit():
        return Point(float(label[:4]), point.value, label)
    return point


def assess(points: Sequence[Point], spec: Spec) -> list[Assessment]:
    """One assessment, window "base": from the base year to the latest year."""
    series = prepare([dated(p) for p in points], spec)
    if not series:
        return [insufficient(METHOD, "base", words(LABELS["not_available"]), "no_data")]
    latest = series[-1]
    year = start_year(spec)
    base = first_from(series, year)
    if base is None:
        return [
            insufficient(
                METHOD, "base", words(LABELS["not_available"]), "no_base", year=year, latest=latest.time
            )
        ]

    target = spec.target_value
    if target == 0:
        target = ZERO
    target_year = float(spec.target_year) if spec.target_year is not None else float(DEFAULT_TARGET_YEAR)
    d = spec.sign
    base_value = base.value
    sign = -1 if base_value < 0 else 1
    limits = thresholds(
        target, dict(spec.thresholds), base_value, spec.natural_limit if target is None else None
    )
    achieved = target is not None and (
        (d == -1 and latest.value <= target) or (d == 1 and latest.value >= target)
    )

    progress: float | None = None
    actual = required = None
    why: tuple[str, dict[str, object]] | None = None
    if base_value == 0:
        base_value = ZERO
    if (base_value > 0 and latest.value < 0) or (base_value < 0 and latest.value > 0):
        why = (
            "sign",
            {"base": base.value, "base_year": base.time, "latest": latest.value, "latest_year": latest.time},
        )
    elif latest.time - base.time < 1:
        why = ("base_is_latest", {"year": year, "latest": latest.time})
    else:
        actual = growth(latest.value, base_value, latest.time, base.time)
        if target is None:
            progress = sign * d * actual
        else:
            required = growth(target, base_value, target_year, base.time)
            progress = _divide(sign * d * actual, abs(required))

    code = status(progress, limits, achieved)
    if code == "not_available" and why is None and progress is not None:
        why = ("undefined", {"base": base.value, "latest": latest.value, "target": spec.target_value})
    figures: dict[str, float | None] = {
        "base_value": base.value,
        "base_year": base.time,
        "latest_value": latest.value,
        "latest_year": latest.time,
        "target_value": spec.target_value,
        "target_year": target_year if target is not None else spec.target_year,
        "actual_growth": figure(actual),
        "required_growth": figure(required),
        "progress_value": figure(progress),
        "ratio": figure(progress) if target is not None else None,
        "sign": float(sign),
        "threshold_high": limits["high"],
        "threshold_med": limits["med"],
        "threshold_low": limits["low"],
        "c_factor": limits.get("coefficient"),
    }
    return [
        Assessment(
            method=METHOD,
            window="base",
            category=CATEGORY[code],
            score=score(progress, limits, target is not None, achieved),
            label=words((TREND_LABELS.get(code) if target is None else None) or LABELS[code]),
            base=base,
            latest=latest,
            figures=figures,
            reason={} if code != "not_available" or why is None else reason(why[0], **why[1]),
        )
    ]


def _divide(a: float, b: float) -> float:
    """numpy float division: x/0 → ±inf, 0/0 → NaN (the code divides numpy floats)."""
    if b != 0:
        return a / b
    if a == 0 or math.isnan(a):
        return math.nan
    return math.copysign(math.inf, a)


def manual(status: str | None) -> Assessment:
    """No automatic verdict (``auto_progress_calculation: false``): the platform's manual status, shown as such,
    or none at all. sdg-build publishes the meta's ``progress_status`` with no score (``get_indicator_progress``)."""
    if status is None or status.startswith("not_available"):
        return insufficient(
            METHOD,
            "base",
            words(LABELS["not_available"]),
            "manual_none" if status is None else "manual_not_available",
            status=status or "",
        )
    suffix = words(MANUAL_SUFFIX)
    label = {lang: text + suffix[lang] for lang, text in words(LABELS[status]).items()}
    return Assessment(
        method=METHOD,
        window="base",
        category=CATEGORY[status],
        score=None,
        label=label,
        notes=[reason("note_manual", status=status)],
    )


def combined(parts: Sequence[Assessment], trend_only: bool) -> Assessment:
    """The indicator's verdict from its progress series (``IndicatorProgress.get_indicator_progress``): the mean
    of the scores that exist, its status by the score bands; "target achieved" only when every scored series
    achieved its target. No score at all: not assessed (the code publishes an empty status)."""
    scores = [a.score for a in parts if a.score is not None]
    if not scores:
        return insufficient(METHOD, "base", words(LABELS["not_available"]), "several_none", count=len(parts))
    mean = sum(scores) / len(scores)  # numpy.mean of a few floats: the plain sum, divided
    achieved = all(a.category is Category.ACHIEVED for a in parts if a.score is not None)
    code = status_from_score(mean, achieved)
    return Assessment(
        method=METHOD,
        window="base",
        category=CATEGORY[code],
        score=mean,
        label=words((TREND_LABELS.get(code) if trend_only else None) or LABELS[code]),
        figures={"series_count": float(len(parts)), "series_assessed": float(len(scores))},
        notes=[reason("note_several", count=len(parts), assessed=len(scores))],
        trend_only=trend_only,
        projection_note=reason("projection_several"),
    )
