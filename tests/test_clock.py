"""One clock for a run: everything a run records and shows reads the run's ``now``, never the wall clock or the
machine's time zone. The same SYNTHETIC scenario (a run; a changed file and an inbox file; a run again; a
forced full rebuild; a later run with nothing changed) is played at two dates years apart, on a machine whose
time zone is far from the city's, with the wall clock poisoned: the pages, feeds and database carry the given
dates, the incremental site equals a full rebuild byte for byte, and the two dates give the same verdicts."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tracker import config, pipeline
from tracker.bench import synthetic
from tracker.config import DATABASE_ENV
from tracker.store import make_engine, session_scope
from tracker.store.models import Digest, ObservationRow, Run, SourceFile

CITY = ZoneInfo("Europe/Rome")  # the synthetic project's default time zone
#: The second run's clock at each date. 10:30 UTC on 2 December is already 3 December on Kiritimati (UTC+14);
#: 23:30 UTC on 15 March is 16 March in Milan: a date taken in UTC or in the machine's zone shows.
DATES = [datetime(2026, 12, 2, 10, 30, tzinfo=UTC), datetime(2031, 3, 15, 23, 30, tzinfo=UTC)]
FIRST_BEFORE = timedelta(days=40)  # the first run, earlier: the digests count values between two runs' clocks
LATER = timedelta(days=3)  # a run with nothing changed
POISON = datetime(1911, 11, 11, 11, 11, tzinfo=UTC)  # what the wall clock says during the scenario
INDICATORS = 6


class _WallDatetime(datetime):
    @classmethod
    def now(cls, tz: Any = None) -> datetime:  # noqa: ANN401 - the signature of datetime.now
        return POISON.astimezone(tz) if tz is not None else POISON.replace(tzinfo=None)

    @classmethod
    def utcnow(cls) -> datetime:
        return POISON.replace(tzinfo=None)

    @classmethod
    def today(cls) -> datetime:
        return cls.now()


class _WallDate(date):
    def __new__(cls, *args: Any, **kwargs: Any) -> date:  # noqa: ANN401 - dates built from data stay plain dates
        return date(*args, **kwargs)

    @classmethod
    def today(cls) -> date:
        return POISON.date()


@pytest.fixture
def far_away_wall_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The machine's zone is Pacific/Kiritimati (UTC+14) and its clock says 1911 in every module that reads it
    during a run: a date from the wall clock would show as 1911 (and reject every period as in the future)."""
    import tracker.intake.periods
    import tracker.intake.validate
    import tracker.store.models
    import tracker.updates.feed

    for module in (tracker.store.models, tracker.pipeline, tracker.updates.feed):
        monkeypatch.setattr(module, "datetime", _WallDatetime)
    for module in (tracker.intake.periods, tracker.intake.validate):
        monkeypatch.setattr(module, "date", _WallDate)
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _run(root: Path, now: datetime, **kw: Any) -> pipeline.RunReport:  # noqa: ANN401
    report = pipeline.run(config.load(root), now=now, **kw)
    assert not report.rejected, [p.message for p in report.problems]
    return report


def _tree(site: Path) -> dict[str, str]:
    site = Path(os.path.realpath(site))
    return {
        p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


def _long(day: date) -> str:
    """A date as the English pages write it ("December 2, 2026")."""
    return f"{day.strftime('%B')} {day.day}, {day.year}"


def _scenario(root: Path, db_url: str, second: datetime, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Play the scenario; return what the checks need."""
    monkeypatch.setenv(DATABASE_ENV, db_url)
    synthetic.generate(root, indicators=INDICATORS, years=6, series=2, seed=5)
    first = second - FIRST_BEFORE
    _run(root, first)

    changed = synthetic.change_one_value(root).stem  # a data file edited in place
    dropped = sorted((root / "indicators").rglob("*.csv"))[0]  # and a corrected copy of another in the inbox
    lines = dropped.read_text(encoding="utf-8").splitlines()
    row = lines[1].split(",")
    row[1] = f"{float(row[1]) + 1:.{len(row[1].split('.')[1]) if '.' in row[1] else 0}f}"
    (root / "inbox").mkdir()
    (root / "inbox" / f"{dropped.stem}--correction.csv").write_text(
        "\n".join([lines[0], ",".join(row)]) + "\n", encoding="utf-8"
    )
    report = _run(root, second)
    accepted = sorted(f.indicator_id for f in report.files if f.status == "accepted")
    assert accepted == sorted({changed, dropped.stem})
    incremental = _tree(root / "site")
    pages = {
        p: (root / "site" / p).read_text(encoding="utf-8")
        for p in (
            "en/index.html",
            "it/index.html",
            f"en/indicators/{changed}.html",
            f"en/indicators/{dropped.stem}.html",
            "feed.xml",
            "scorecard.json",
        )
    }

    # The reference: kept results ignored, every page rendered afresh, at the same clock.
    shutil.rmtree(os.path.realpath(root / "site"))
    (root / "site").unlink()
    _run(root, second, force=True)
    full = _tree(root / "site")

    later = _run(root, second + LATER)  # a later day, no data changed: a build (the date is an input)
    later_pages = {
        p: (root / "site" / p).read_text(encoding="utf-8")
        for p in ("en/index.html", f"en/indicators/{changed}.html", "scorecard.json")
    }

    engine = make_engine(config.load(root).database_url)
    with session_scope(engine) as s:
        runs = [(r.started_at, r.finished_at) for r in s.scalars(select(Run).order_by(Run.id))]
        received = {f.received_at for f in s.scalars(select(SourceFile))}
        recorded = {(o.indicator_id, o.recorded_at) for o in s.scalars(select(ObservationRow))}
        digests = {d.created_at for d in s.scalars(select(Digest))}
    engine.dispose()
    return {
        "first": first,
        "changed": changed,
        "dropped": dropped.stem,
        "incremental": incremental,
        "full": full,
        "pages": pages,
        "later": later,
        "later_pages": later_pages,
        "runs": runs,
        "received": received,
        "recorded": recorded,
        "digests": digests,
        "root": root,
    }


@pytest.mark.parametrize("second", DATES, ids=lambda d: d.date().isoformat())
def test_a_run_records_and_shows_its_own_clock(
    tmp_path: Path, db_url: str, second: datetime, monkeypatch: pytest.MonkeyPatch, far_away_wall_clock: None
) -> None:
    out = _scenario(tmp_path / "project", db_url, second, monkeypatch)
    first, changed, dropped = out["first"], out["changed"], out["dropped"]
    day, first_day, later_day = (t.astimezone(CITY).date() for t in (second, first, second + LATER))

    # The database: runs, files, values and digests carry the runs' clocks, nothing else.
    assert out["runs"] == [
        (first, first),
        (second, second),
        (second, second),
        (second + LATER, second + LATER),
    ]
    assert out["received"] == {first, second}
    assert {at for _, at in out["recorded"]} == {first, second}
    assert {i for i, at in out["recorded"] if at == second} == {changed, dropped}
    assert out["digests"] and out["digests"] <= {first, second}
    stamp = second.strftime("%Y%m%dT%H%M%SZ")
    assert [p.name for p in (out["root"] / "var" / "archive").iterdir()] == [stamp]

    # The pages: the build date only as "page built on", each indicator's data date as "last updated".
    pages = out["pages"]
    assert f"Page built on {_long(day)}." in pages["en/index.html"]
    assert f"Data last updated on {_long(day)}." in pages[f"en/indicators/{changed}.html"]
    assert f"<dt>Data last updated</dt><dd>{_long(day)}</dd>" in pages[f"en/indicators/{dropped}.html"]
    assert "Page built on" not in pages[f"en/indicators/{changed}.html"]
    scorecard = json.loads(pages["scorecard.json"])
    assert scorecard["generated_at"] == second.isoformat()
    updated = {i["id"]: i["reporting"]["updated"] for o in scorecard["objectives"] for i in o["indicators"]}
    assert updated == {i: (day if i in {changed, dropped} else first_day).isoformat() for i in updated}
    assert len(updated) == INDICATORS
    assert f"<updated>{second.strftime('%Y-%m-%dT%H:%M:%SZ')}</updated>" in pages["feed.xml"]
    for text in pages.values():
        assert not re.search(r"(?<![\d.])1911(?!\d)", text)  # the wall clock's year (not digits of a number)

    # An incremental run publishes exactly what a full rebuild does, feeds included.
    assert out["full"] == out["incremental"]

    # A later day with no data changed: the data's dates stay, only "page built on" moves.
    assert out["later"].reassessed == 0
    later = out["later_pages"]
    assert f"Page built on {_long(later_day)}." in later["en/index.html"]
    assert f"Data last updated on {_long(day)}." in later[f"en/indicators/{changed}.html"]
    assert _long(later_day) not in later[f"en/indicators/{changed}.html"]
    assert {
        i["id"]: i["reporting"]["updated"]
        for o in json.loads(later["scorecard.json"])["objectives"]
        for i in o["indicators"]
    } == updated


def test_two_dates_years_apart_give_the_same_verdicts_and_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, far_away_wall_clock: None
) -> None:
    """Only the dates, and what they decide, differ between the two dates: the methods' verdicts are the same;
    on the later date every value is overdue, so no projection is drawn and every verdict says its data's age."""
    found = []
    projected = 0
    for k, second in enumerate(DATES):
        out = _scenario(
            tmp_path / f"project-{k}", f"sqlite:///{tmp_path / f'db-{k}.sqlite'}", second, monkeypatch
        )
        card = json.loads(out["pages"]["scorecard.json"])
        indicators = [i for o in card["objectives"] for i in o["indicators"]]
        verdicts = {i["id"]: (i["category"], i["score"], i["assessment"]["figures"]) for i in indicators}
        found.append((set(out["full"]), verdicts, out["changed"], out["dropped"]))
        for i in indicators:
            a = i["assessment"]
            if k == 0 and a["projection"]:
                projected += 1
                assert a["projection"]["points"][0]["value"] == i["latest"]["value"]
            if k == 1 and i["latest"]:
                assert a["projection"] is None and "older than" in a["projection_note"]["en"], i["id"]
                page = (out["root"] / "site" / "en" / "indicators" / f"{i['id']}.html").read_text(
                    encoding="utf-8"
                )
                assert "verdict-stale" in page or a["category"] == "insufficient_data"
    assert found[0] == found[1]
    assert projected > 0  # on the first date the recent data are current and projected


def test_the_run_date_decides_which_periods_are_in_the_future(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch, far_away_wall_clock: None
) -> None:
    """A value for 2027 is refused by a run on 2 December 2026 (in the city's time zone) and taken a year later."""
    monkeypatch.setenv(DATABASE_ENV, db_url)
    root = tmp_path / "project"
    synthetic.generate(root, indicators=2, years=3, series=1, seed=1)
    data = sorted((root / "indicators").rglob("*.csv"))[0]
    header, *_ = data.read_text(encoding="utf-8").splitlines()
    inbox = root / "inbox"
    inbox.mkdir()
    (inbox / f"{data.stem}--next-year.csv").write_text(
        f"{header}\n2027,1.5,https://example.org,,\n", encoding="utf-8"
    )
    refused = pipeline.run(config.load(root), now=DATES[0], updates=False)
    assert [re.sub(r"\s+", " ", p.message) for p in refused.problems] == ["period '2027' is in the future"]
    assert "today is 2026-12-02" in refused.problems[0].hint
    shutil.move(next((root / "var" / "rejected").rglob("*.csv")), inbox / f"{data.stem}--next-year.csv")
    taken = pipeline.run(config.load(root), now=DATES[0] + timedelta(days=365), updates=False)
    assert [f.status for f in taken.files if "inbox" in f.label] == ["accepted"]
