"""The whole Milan site, built on fixed dates: every verdict, sentence and projection obeys the publishing rules.

Rules (issue #12): a projection starts at the latest value and stays in the unit's bounds; "reached in" only
for a year after the latest value; an indicator without a target never reads "on track" or "towards the
target"; a verdict on stale data says its age in the badge; where the method says "on track" but the trend
arrives late, a note says so; an objective publishes a verdict only with enough indicators on current data.
The same scenario on two dates must give results consistent with each date.
"""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tests.conftest import build_milan
from tracker import config, pipeline
from tracker.assess.base import Category
from tracker.intake.periods import is_stale

REPO = Path(__file__).resolve().parent.parent
DATES = [datetime(2026, 12, 2, 9, tzinfo=UTC), datetime(2025, 12, 1, 9, tzinfo=UTC)]


@pytest.fixture(scope="module", params=DATES, ids=lambda d: d.date().isoformat())
def milan(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[pipeline.RunReport, Path, date]:
    now: datetime = request.param
    project = tmp_path_factory.mktemp("milano")
    return build_milan(project, now), project, now.date()


def _indicators(project: Path) -> dict[str, dict]:
    scorecard = json.loads((project / "site" / "scorecard.json").read_text(encoding="utf-8"))
    return {i["id"]: i | {"objective": o["id"]} for o in scorecard["objectives"] for i in o["indicators"]}


def test_projections_start_at_the_latest_value_stay_in_bounds_and_never_claim_the_past(milan) -> None:
    report, project, today = milan
    cat = config.load(project)
    shown = _indicators(project)
    checked = 0
    for indicator_id, result in report.results.items():
        a = result.headline
        p = a.projection
        if p is None:
            continue
        checked += 1
        latest = shown[indicator_id]["latest"]
        assert p.points[0].value == latest["value"], indicator_id
        assert p.points[0].period == latest["period"], indicator_id
        for value in (*(q.value for q in p.points), *p.low, *p.high):
            assert math.isfinite(value)
            assert value >= 0, indicator_id  # every Milan unit is non-negative
        if p.year_reached is not None:
            assert p.year_reached > int(latest["period"][:4]), indicator_id
            assert p.year_reached > today.year - 1 or not is_stale(latest["period"], "annual", today)
        assert all(lo <= q.value <= hi for q, lo, hi in zip(p.points, p.low, p.high, strict=True))
    assert checked >= 0 and cat is not None


def test_no_target_never_reads_on_track_and_stale_verdicts_say_their_age(milan) -> None:
    report, project, today = milan
    shown = _indicators(project)
    for lang, on_track, towards in (
        ("en", "On track", "towards the target"),
        ("it", "In linea", "verso l'obiettivo"),
    ):
        for indicator_id, item in shown.items():
            page = (project / "site" / lang / "indicators" / f"{indicator_id}.html").read_text(
                encoding="utf-8"
            )
            badge = re.search(r'<p class="verdict-line">(.*?)</p>', page, re.S)
            assert badge, indicator_id
            a = report.results[indicator_id].headline
            if item["target"] is None:
                assert a.trend_only
                assert on_track not in badge[1] and towards not in badge[1], (lang, indicator_id)
            stale = a.category is not Category.INSUFFICIENT_DATA and item["reporting"]["status"] == "overdue"
            if stale:
                assert "verdict-stale" in badge[1], (lang, indicator_id)
                assert ("data from" if lang == "en" else "dati del") in badge[1], (lang, indicator_id)
                assert a.projection is None  # nothing projected from overdue data


def test_on_track_with_a_late_trend_is_explained(milan) -> None:
    report, _, _ = milan
    for result in report.results.values():
        a = result.headline
        p = a.projection
        target_year = a.figures.get("target_year")
        late = p is not None and target_year is not None and (p.year_reached or math.inf) > target_year
        if a.category is Category.ON_TRACK and late:
            assert a.notes, result.indicator_id


def test_objectives_publish_a_verdict_only_on_enough_current_data(milan) -> None:
    report, project, _ = milan
    for summary in report.summaries.values():
        if summary.category is not Category.INSUFFICIENT_DATA:
            assert summary.current >= summary.min_coverage * summary.total
        elif summary.assessed:
            page = (project / "site" / "en" / "objectives" / f"{summary.objective_id}.html").read_text(
                "utf-8"
            )
            assert (
                "No verdict for the objective" in page
                and f"{summary.current} of them on current data" in page
            )


def test_two_dates_judge_age_differently(milan) -> None:
    """International students (annual, latest 2023-24) are current on 1 December 2025 and overdue a year later.

    (Tourist arrivals played this part until their 2024 value was loaded, issue #16.)"""
    report, project, today = milan
    students = report.results["foreign-students"].headline
    page = (project / "site" / "en" / "indicators" / "foreign-students.html").read_text(encoding="utf-8")
    badge = re.search(r'<p class="verdict-line">(.*?)</p>', page, re.S)
    assert badge and students.latest is not None and students.latest.period == "2023"
    if today == date(2025, 12, 1):
        assert "verdict-stale" not in badge[1] and "data from" not in badge[1]
    else:
        assert "verdict-stale" in badge[1] and "data from 2023" in badge[1]
    arrivals = report.results["tourist-arrivals"].headline
    assert arrivals.latest is not None and arrivals.latest.period == "2024"
