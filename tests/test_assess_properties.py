"""Properties every method must keep, checked with hypothesis.

* RANK: with everything else fixed, a better latest value (in the desired direction) never yields a worse
  category. Compared only when both are assessed (insufficient data has no rank).
* Mirror: negating every value (series, target, baseline, natural limit, bounds swapped) and flipping the
  direction describes the same story, so the verdict must be identical. This is exact for the geometric
  methods too because they work on ratios of values: ``(−v1)/(−v0) = v1/v0``, and Open SDG's ``sign`` (−1 for
  a negative base) cancels the flipped direction. (The naive mirror ``v → −v`` with positive values would
  leave the geometric methods without a growth rate; the reciprocal ``v → 1/v`` is not exact for CAGR cut-offs,
  since ``1/(1+g) − 1 ≠ −g``.) UNSD's "within 1 point of a 0 %/100 % target" rule is tied to the 0–100 unit
  and is left out by using unbounded specs.
* Scale: multiplying every value, target and limit by k > 0 changes nothing — all five methods compare
  relative quantities (growth rates, shares of the required change). k is a power of two, which scales
  floating-point numbers exactly; any other k could move a value sitting exactly on a cut-off by one ulp.
* Scores lie in [−5, 5] and, for the methods whose bands we set, fall in their category's band.
"""

from __future__ import annotations

import dataclasses
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.assess import escap, eurostat, linear, opensdg, unsd
from tracker.assess.base import RANK, Category, Point, Spec
from tracker.assess.growth import BANDS
from tracker.assess.projection import cap

MODULES = [eurostat, opensdg, unsd, escap, linear]
values = st.floats(min_value=1.0, max_value=1000.0, allow_nan=False)
signs = st.sampled_from([1, -1])
methods = st.sampled_from(MODULES)


@st.composite
def cases(draw: st.DrawFn) -> tuple[list[Point], Spec]:
    """A short positive series with values near the base (so every category occurs), maybe a target and limit."""
    base_year = draw(st.integers(2005, 2016))
    latest_year = draw(st.integers(base_year + 1, 2024))
    base = draw(values)
    rates = st.floats(min_value=-0.06, max_value=0.06)

    def at(year: int) -> float:
        return base * (1 + draw(rates)) ** (year - base_year)

    series = {base_year: base, latest_year: at(latest_year)}
    for year in draw(st.lists(st.integers(base_year + 1, latest_year), max_size=3)):
        series.setdefault(year, at(year))
    has_target = draw(st.booleans())
    far = st.floats(min_value=0.2, max_value=5.0).map(lambda f: base * f)
    spec = Spec(
        sign=draw(signs),
        target_value=draw(far) if has_target else None,
        target_year=2030 if has_target else None,
        natural_limit=draw(st.one_of(st.none(), far)),
        base_year=base_year,
    )
    return [Point(float(y), v, str(y)) for y, v in sorted(series.items())], spec


def mirror(points: list[Point], spec: Spec) -> tuple[list[Point], Spec]:
    def neg(x: float | None) -> float | None:
        return None if x is None else -x

    return (
        [Point(p.time, -p.value, p.period) for p in points],
        dataclasses.replace(
            spec,
            sign=-spec.sign,
            target_value=neg(spec.target_value),
            baseline_value=neg(spec.baseline_value),
            natural_limit=neg(spec.natural_limit),
            lower_bound=neg(spec.upper_bound),
            upper_bound=neg(spec.lower_bound),
        ),
    )


def scale(points: list[Point], spec: Spec, k: float) -> tuple[list[Point], Spec]:
    def mul(x: float | None) -> float | None:
        return None if x is None else x * k

    return (
        [Point(p.time, p.value * k, p.period) for p in points],
        dataclasses.replace(spec, target_value=mul(spec.target_value), natural_limit=mul(spec.natural_limit)),
    )


def same_verdict(a, b) -> None:
    assert a.category is b.category
    if a.score is None or b.score is None:
        assert a.score is b.score
    else:
        assert math.isclose(a.score, b.score, rel_tol=1e-6, abs_tol=1e-6)


@settings(max_examples=300, deadline=None)
@given(module=methods, case=cases(), better=st.floats(min_value=1.0001, max_value=1.5))
def test_better_latest_never_worse_category(module, case, better: float) -> None:
    points, spec = case
    last = points[-1]
    improved = [*points[:-1], Point(last.time, last.value * better**spec.sign, last.period)]
    for before, after in zip(module.assess(points, spec), module.assess(improved, spec), strict=True):
        if Category.INSUFFICIENT_DATA in (before.category, after.category):
            continue
        assert RANK[after.category] >= RANK[before.category], (before, after)


@settings(max_examples=300, deadline=None)
@given(module=methods, case=cases())
def test_mirrored_series_gives_the_same_verdict(module, case) -> None:
    points, spec = case
    for a, b in zip(module.assess(points, spec), module.assess(*mirror(points, spec)), strict=True):
        same_verdict(a, b)
        if a.projection is not None and a.projection.value_at_target_year is not None:
            assert math.isclose(
                a.projection.value_at_target_year,
                -b.projection.value_at_target_year,
                rel_tol=1e-9,
                abs_tol=1e-9,
            )


@settings(max_examples=200, deadline=None)
@given(module=methods, case=cases(), power=st.integers(-8, 8).filter(bool))
def test_scale_free(module, case, power: int) -> None:
    points, spec = case
    k = 2.0**power  # a power of two scales floats exactly, so cut-offs are met identically
    for a, b in zip(module.assess(points, spec), module.assess(*scale(points, spec, k)), strict=True):
        same_verdict(a, b)


@settings(max_examples=300, deadline=None)
@given(module=methods, case=cases())
def test_scores_bounded_and_in_band(module, case) -> None:
    points, spec = case
    for a in module.assess(points, spec):
        if a.category is Category.INSUFFICIENT_DATA:
            assert a.score is None and a.reason["en"] and a.reason["it"]
            continue
        assert -5 <= a.score <= 5
        assert a.label["en"] and a.label["it"]
        if module is not opensdg:  # Open SDG's rounded score lines are replicated as they are
            low, high = BANDS[a.category]
            assert low <= a.score <= high
            if a.category not in (Category.ON_TRACK, Category.ACHIEVED):
                assert a.score < high


@settings(max_examples=200, deadline=None)
@given(module=methods, case=cases(), bounded=st.booleans())
def test_projection_stays_within_bounds(module, case, bounded: bool) -> None:
    points, spec = case
    if bounded:
        spec = dataclasses.replace(
            spec, lower_bound=0.0, upper_bound=1000.0, natural_limit=1000.0 if spec.sign > 0 else 0.0
        )
    for a in module.assess(points, spec):
        if a.projection is None:
            continue
        for p in a.projection.points[1:]:
            assert p.value == cap(p.value, spec)
            if bounded:
                assert 0.0 <= p.value <= 1000.0
