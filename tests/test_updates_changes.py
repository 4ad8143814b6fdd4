"""What changed between two runs' snapshots, on a real (SQLite) database written through the store's API.

``record_run`` is also used by the other updates tests: it stores data and verdicts the way a run does.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, update

from tests.test_end_to_end import make_project
from tracker import catalog, config
from tracker.assess.base import Assessment, Category, IndicatorResult, Point
from tracker.assess.snapshot import snapshot_records
from tracker.config import Settings
from tracker.observations import Observation
from tracker.store import db, merge, migrate, queries
from tracker.store.models import Run
from tracker.updates import changes as ch
from tracker.updates import digest


def open_project(root: Path) -> tuple[Settings, catalog.Catalog, Engine]:
    make_project(root)
    settings = config.load(root)
    migrate.upgrade(settings.database_url)
    return settings, catalog.load(settings.path("indicators")), db.make_engine(settings.database_url)


def record_run(
    engine: Engine,
    data: dict[str, list[tuple[str, float]]],
    verdicts: dict[str, Category],
    *,
    files: dict[str, str] | None = None,
    status: str = "ok",
    started: datetime | None = None,
) -> int:
    """A finished run as the pipeline leaves it: merged files, the verdict snapshot, the file statuses."""
    with db.session_scope(engine) as session:
        run_id = queries.start_run(session)
        for indicator_id, rows in data.items():
            observations = [
                Observation(indicator_id, period, float(period[:4]), value) for period, value in rows
            ]
            sha = hashlib.sha256(repr(rows).encode()).hexdigest()
            merge.merge_file(session, indicator_id, f"indicators/{indicator_id}.csv", sha, observations)
        results = {
            indicator_id: IndicatorResult(
                indicator_id,
                Assessment(
                    "eurostat",
                    "short",
                    category,
                    None if category == Category.INSUFFICIENT_DATA else 1.0,
                    {"it": "x", "en": "x"},
                    latest=Point(2020.0, 1.0, "2020"),
                ),
                others=[Assessment("linear", "base", Category.DETERIORATING, -2.0, {})],
            )
            for indicator_id, category in verdicts.items()
        }
        queries.save_assessments(session, run_id, snapshot_records(results))
        queries.finish_run(session, run_id, status, {"files": files or {}})
        if started is not None:
            session.execute(update(Run).where(Run.id == run_id).values(started_at=started))
    return run_id


BIKES = [("2013", 1_900_000.0), ("2016", 3_600_000.0)]
WASTE = [("2015", 52.7), ("2020", 62.6)]


def changes_between(
    settings: Settings, cat: catalog.Catalog, engine: Engine, first: int | None, last: int
) -> ch.Changes:
    with db.session_scope(engine) as session:
        start = ch.get_run(session, first) if first else None
        end = ch.get_run(session, last)
        assert end is not None
        return ch.compute(session, cat, start, end, settings.config.timezone)


def test_category_change_target_reached_and_new_data(tmp_path: Path) -> None:
    settings, cat, engine = open_project(tmp_path)
    first = record_run(
        engine,
        {"bike-trips": BIKES, "waste-sorted": WASTE},
        {
            "bike-trips": Category.MODERATE,
            "waste-sorted": Category.ON_TRACK,
            "pm10-days": Category.INSUFFICIENT_DATA,
        },
    )
    second = record_run(
        engine,
        {"bike-trips": [*BIKES[:1], ("2016", 3_700_000.0), ("2018", 4_300_000.0)]},
        {
            "bike-trips": Category.ON_TRACK,
            "waste-sorted": Category.ACHIEVED,
            "pm10-days": Category.INSUFFICIENT_DATA,
        },
    )
    found = changes_between(settings, cat, engine, first, second)
    assert found.new_data == (ch.NewData("bike-trips", added=1, revised=1, latest_period="2018"),)
    assert found.categories == (ch.CategoryChange("bike-trips", "moderate", "on_track"),)
    assert found.categories[0].improved is True
    assert found.targets_reached == (ch.CategoryChange("waste-sorted", "on_track", "achieved"),)
    assert found.overdue == ()  # both were already overdue at the first run: not news
    assert ch.Changes.from_payload(found.to_payload()) == found
    engine.dispose()


def test_nothing_changed_is_empty_and_a_reverted_change_is_not_reported(tmp_path: Path) -> None:
    settings, cat, engine = open_project(tmp_path)
    verdicts = {"bike-trips": Category.MODERATE, "waste-sorted": Category.ON_TRACK}
    first = record_run(engine, {"bike-trips": BIKES}, verdicts)
    record_run(engine, {}, {**verdicts, "bike-trips": Category.DETERIORATING})
    third = record_run(engine, {}, verdicts)
    assert not changes_between(settings, cat, engine, first, third)
    middle = changes_between(settings, cat, engine, first, first + 1)
    assert middle.categories[0].improved is False
    engine.dispose()


def test_first_update_reports_the_state_but_not_unassessed_indicators(tmp_path: Path) -> None:
    settings, cat, engine = open_project(tmp_path)
    run = record_run(
        engine,
        {"bike-trips": BIKES},
        {"bike-trips": Category.MODERATE, "pm10-days": Category.INSUFFICIENT_DATA},
    )
    found = changes_between(settings, cat, engine, None, run)
    assert found.categories == (ch.CategoryChange("bike-trips", None, "moderate"),)
    assert found.new_data == (ch.NewData("bike-trips", 2, 0, "2016"),)
    assert [o.indicator_id for o in found.overdue] == [
        "bike-trips"
    ]  # 2016 annual: 2017 was due by end of 2018
    assert found.overdue[0].due == "2018-12-31"
    engine.dispose()


def test_overdue_reported_once_when_its_date_passes_between_runs(tmp_path: Path) -> None:
    settings, cat, engine = open_project(tmp_path)
    verdicts = {"waste-sorted": Category.ON_TRACK}
    first = record_run(engine, {"waste-sorted": WASTE}, verdicts, started=datetime(2022, 6, 1, tzinfo=UTC))
    second = record_run(engine, {}, verdicts, started=datetime(2023, 1, 15, tzinfo=UTC))
    third = record_run(engine, {}, verdicts)
    assert changes_between(settings, cat, engine, first, second).overdue == (
        ch.Overdue("waste-sorted", "2020", "2022-12-31"),
    )
    assert changes_between(settings, cat, engine, second, third).overdue == ()
    engine.dispose()


def test_overdue_when_data_arrives_already_late_but_not_when_still_late(tmp_path: Path) -> None:
    settings, cat, engine = open_project(tmp_path)
    first = record_run(engine, {"waste-sorted": WASTE[:1]}, {"waste-sorted": Category.ON_TRACK})
    second = record_run(
        engine,
        {"waste-sorted": WASTE, "bike-trips": BIKES},
        {"waste-sorted": Category.ON_TRACK, "bike-trips": Category.MODERATE},
    )
    found = changes_between(settings, cat, engine, first, second)
    assert [o.indicator_id for o in found.overdue] == ["bike-trips"]  # no data before; the new data is old
    assert [n.indicator_id for n in found.new_data] == ["bike-trips", "waste-sorted"]
    engine.dispose()


def test_rejected_files_are_news_once_and_matched_to_their_indicator(tmp_path: Path) -> None:
    settings, cat, engine = open_project(tmp_path)
    verdicts = {"bike-trips": Category.MODERATE}
    bad = {
        "indicators/environment/waste-sorted.csv": "rejected",
        "indicators/mobility/bike-trips.csv": "accepted",
    }
    first = record_run(engine, {"bike-trips": BIKES}, verdicts)
    second = record_run(
        engine, {}, verdicts, files={**bad, "inbox/nobody.csv": "rejected"}, status="rejected"
    )
    third = record_run(engine, {}, verdicts, files=bad, status="rejected")
    found = changes_between(settings, cat, engine, first, second)
    assert found.rejected == (
        ch.RejectedFile("indicators/environment/waste-sorted.csv", "waste-sorted"),
        ch.RejectedFile("inbox/nobody.csv", ""),
    )
    assert changes_between(settings, cat, engine, second, third).rejected == ()  # still broken: told already
    only_mobility = found.only({"bike-trips"})
    assert only_mobility.rejected == (ch.RejectedFile("inbox/nobody.csv", ""),)
    assert not found.only({"bike-trips"}, unmatched_files=False)
    assert found.without_files().rejected == ()
    engine.dispose()


def test_latest_run_skips_running_and_failed_runs(tmp_path: Path) -> None:
    _, _, engine = open_project(tmp_path)
    done = record_run(engine, {}, {"bike-trips": Category.MODERATE}, status="rejected")
    record_run(engine, {}, {"bike-trips": Category.ON_TRACK}, status="failed")
    with db.session_scope(engine) as session:
        queries.start_run(session)  # still running
    with db.session_scope(engine) as session:
        latest = ch.latest_run(session)
    assert latest is not None and latest.id == done
    engine.dispose()


@pytest.mark.parametrize(
    "lang, words, was",
    [
        ("it", "In linea con l'obiettivo", "prima: ↗"),
        ("en", "On track", "was: ↗"),
    ],
)
def test_digest_words_symbols_and_escaping(tmp_path: Path, lang: str, words: str, was: str) -> None:
    settings, cat, engine = open_project(tmp_path)
    definition = settings.path("indicators") / "mobility" / "bike-trips.yaml"
    definition.write_text(
        definition.read_text(encoding="utf-8")
        .replace("Indicatore bike-trips", "Bici <b>&</b> 'treni'")
        .replace("Indicator bike-trips", "Bikes <b>&</b> 'trains'"),
        encoding="utf-8",
    )
    cat = catalog.load(settings.path("indicators"))
    first = record_run(engine, {"bike-trips": BIKES}, {"bike-trips": Category.MODERATE})
    second = record_run(engine, {}, {"bike-trips": Category.ON_TRACK})
    message = digest.render(
        settings, cat, changes_between(settings, cat, engine, first, second), lang, subscription="alice"
    )
    for body in (message.text, message.html, message.chat):
        assert "↑" in body and words.replace("'", "&#39;" if body is message.html else "'") in body
    assert was in message.text
    assert f'<html lang="{lang}">' in message.html
    assert "&lt;b&gt;&amp;&lt;/b&gt; &#39;" in message.html and "<b>&</b>" not in message.html  # autoescaped
    assert "<b>&</b> '" in message.text  # plain text is not escaped
    assert message.title.startswith(settings.config.city.title.get(lang))
    engine.dispose()
