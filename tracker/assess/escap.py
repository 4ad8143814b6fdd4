"""UN ESCAP — Current Status Index and Anticipated Progress Index (Asia-Pacific SDG Progress Report).

Sources: ESCAP "Progress assessment methodology" and dataviz technical notes (data.unescap.org), UNECE and
ECA technical notes and dashboard legends; Bidarbakht Nia (2017), ESCAP SD working papers 04/05
(methodology.md 1.3). Both measures need a numeric target (ESCAP's eligibility rule).

* Current status (structure V, formula R): ``CS = d·(I_cv − I_b)/|TV − I_b|``, the share of the required
  progress made since the base year, compared with the share of time elapsed, ``(t − b)/(T − b)``.
* Anticipated progress: the value expected in the target year, ``Î``, and the gap ratio
  ``G = (TV − Î)/(TV − I_b)``, computed as ``1 − d·(Î − I_b)/|TV − I_b|`` so that it stays right when the base
  already lies beyond the target. ESCAP estimates Î by a time-weighted regression ("recent data are given
  more weight"); its weights are not published in what we could read, so Î here is the CAGR extrapolation
  used in methodology.md's examples (E1: Î = 70.25), capped at the natural bounds, and a linear one when the
  values are not all of one sign (a growth rate is then undefined). When the target year has passed, the
  latest value stands for Î.

Dashboard classes (V) and their mapping: G ≤ 0 "Maintain progress to achieve target" → on_track;
0 < G ≤ 1 "Accelerate progress to achieve target" → moderate when G ≤ 0.5, limited above (ESCAP has one
class here; the split at half the required progress is ours, so the common categories keep their meaning);
G > 1 "Reverse trend to achieve target" → deteriorating. A latest value at or beyond the target is achieved.
Score: the Open SDG band shape on the anticipated share ``1 − G``: −0.6 → −5, 0 → −2.5, 0.5 → 0, 1 → 2.5,
1.3 → 5.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from tracker.assess.base import Assessment, Category, Point, Spec
from tracker.assess.growth import (
    achieved,
    band_score,
    base_figures,
    base_window,
    cagr,
    extrapolated,
    figure,
    fit_to_band,
    insufficient,
    meets,
    prepare,
    same_sign,
)
from tracker.wording import Message, msg, words

METHOD = "escap"
THRESHOLDS = {"high": 1.0, "med": 0.5, "low": 0.0}  # on the anticipated share 1 − G

LABELS: dict[str, Message] = {
    "achieved": msg("escap", "Target achieved"),
    "maintain": msg("escap", "Maintain progress to achieve target"),
    "accelerate": msg("escap", "Accelerate progress to achieve target"),
    "reverse": msg("escap", "Reverse trend to achieve target"),
    "insufficient": msg("escap", "Insufficient data"),
}


def classify(share: float, limits: dict[str, float] = THRESHOLDS) -> tuple[Category, str]:
    """Anticipated share of the required progress (1 − G), lower bound inclusive."""
    if share >= limits["high"]:
        return Category.ON_TRACK, "maintain"
    if share >= limits["med"]:
        return Category.MODERATE, "accelerate"
    if share >= limits["low"]:
        return Category.LIMITED, "accelerate"
    return Category.DETERIORATING, "reverse"


def assess(points: Sequence[Point], spec: Spec) -> list[Assessment]:
    """One assessment, window "base"; the current status travels in its figures."""
    return [_assess(prepare(points, spec), spec)]


def _assess(series: list[Point], spec: Spec) -> Assessment:
    label = words(LABELS["insufficient"])
    if spec.target_value is None:
        return insufficient(METHOD, "base", label, "no_target")
    if series and meets(series[-1].value, spec):
        return achieved(METHOD, series, spec, words(LABELS["achieved"]))
    window = base_window(METHOD, series, spec, label)
    if isinstance(window, Assessment):
        return window
    base, latest = window
    if spec.target_year is None or spec.target_year <= base.time:
        return insufficient(
            METHOD, "base", label, "target_year", target_year=spec.target_year, base_year=base.time
        )

    target, target_year, d = spec.target_value, float(spec.target_year), spec.sign
    needed = abs(target - base.value)
    elapsed = (latest.time - base.time) / (target_year - base.time)
    if same_sign(base.value, latest.value):
        rate = cagr(base.value, latest.value, base.time, latest.time)
        assert rate is not None
        projected = extrapolated(latest, spec, rate=rate)
        figures_extra: dict[str, float | None] = {"actual_growth": rate}
    else:
        slope = (latest.value - base.value) / (latest.time - base.time)
        projected = extrapolated(latest, spec, slope=slope)
        figures_extra = {"actual_change": slope}
    expected = projected if projected is not None else latest.value

    made = d * (latest.value - base.value)
    anticipated = d * (expected - base.value)
    if needed == 0:
        status = math.nan
        share = math.inf if meets(expected, spec) else -math.inf
    else:
        status = made / needed
        share = anticipated / needed
    gap = 1 - share
    limits = THRESHOLDS | dict(spec.thresholds)
    category, key = classify(share, limits)
    score = fit_to_band(
        band_score(share, (-0.6, limits["low"], limits["med"], limits["high"], 1.3)), category
    )
    figures = (
        base_figures(base, latest, spec)
        | figures_extra
        | {
            "current_status": figure(status),
            "expected_share": elapsed,
            "status_ratio": figure(status / elapsed) if elapsed > 0 and math.isfinite(status) else None,
            "projected_value": expected,
            "gap_ratio": figure(gap),
            "ratio": figure(share),
        }
    )
    return Assessment(
        METHOD, "base", category, score, words(LABELS[key]), base=base, latest=latest, figures=figures
    )
