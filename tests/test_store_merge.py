"""Merging data files: idempotence, revisions with history, rejected files, atomicity per file."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, insert, select, text
from sqlalchemy.exc import IntegrityError

from tracker.observations import Observation
from tracker.store import (
    current_observations,
    history,
    merge_file,
    record_rejected,
    session_scope,
)
from tracker.store import merge as store_merge
from tracker.store.models import ObservationRow, SourceFile

IND = "waste-recycling"


def obs(
    period: str, value: float, series: str = "", flag: str = "", line: int = 2, ind: str = IND
) -> Observation:
    return Observation(
        ind, period, float(period[:4]), value, series=series, flag=flag, source="https://x.test/d", line=line
    )


V1 = [
    obs("2013", 40.0),
    obs("2014", 45.0),
    obs("2015", 50.0, flag="provisional"),
    obs("2015", 48.0, series="municipio=1"),
]


def dump(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the tables a merge touches, to compare the whole database before and after."""
    with engine.connect() as conn:
        return {
            table: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {table} ORDER BY id"))]
            for table in ("source_files", "observations")
        }


def values(engine: Engine, ind: str = IND) -> dict[tuple[str, str], float]:
    with session_scope(engine) as s:
        return {(o.series, o.period): o.value for o in current_observations(s).get(ind, [])}


def test_first_merge_adds_everything(engine: Engine) -> None:
    before = datetime.now(UTC)
    with session_scope(engine) as s:
        result = merge_file(s, IND, "indicators/environment/waste-recycling.csv", "a" * 64, V1)
    after = datetime.now(UTC)
    assert (result.added, result.revised, result.unchanged, result.same_file) == (4, 0, 0, False)
    with session_scope(engine) as s:
        current = current_observations(s)
        file = s.get_one(SourceFile, result.file_id)
    assert current[IND] == sorted(V1, key=lambda o: (o.series, o.time))
    assert (file.status, file.rows, file.problems, file.path) == (
        "accepted",
        4,
        0,
        "indicators/environment/waste-recycling.csv",
    )
    assert (
        file.received_at.tzinfo is UTC and before <= file.received_at <= after
    )  # no run's clock: the wall clock


def test_merge_records_the_given_clock(engine: Engine) -> None:
    """A run passes its own ``now``: the file and its values carry it, whatever the wall clock says."""
    now = datetime(2031, 3, 15, 23, 30, tzinfo=UTC)
    with session_scope(engine) as s:
        result = merge_file(s, IND, "waste.csv", "a" * 64, V1, now=now)
    with session_scope(engine) as s:
        file = s.get_one(SourceFile, result.file_id)
        recorded = set(
            s.scalars(select(ObservationRow.recorded_at).where(ObservationRow.indicator_id == IND))
        )
    assert file.received_at == now and recorded == {now}


def test_same_file_twice_changes_nothing(engine: Engine) -> None:
    with session_scope(engine) as s:
        first = merge_file(s, IND, "w.csv", "a" * 64, V1)
    before = dump(engine)
    with session_scope(engine) as s:
        again = merge_file(s, IND, "w.csv", "a" * 64, V1)
    assert dump(engine) == before
    assert (again.added, again.revised, again.unchanged, again.same_file, again.file_id) == (
        0,
        0,
        4,
        True,
        first.file_id,
    )
    assert not again.changed


def test_new_file_with_same_values_adds_no_rows(engine: Engine) -> None:
    with session_scope(engine) as s:
        merge_file(s, IND, "w.csv", "a" * 64, V1)
    with session_scope(engine) as s:  # e.g. re-saved with other line endings: new hash, same data
        result = merge_file(
            s, IND, "w.csv", "b" * 64, [obs(o.period, o.value, o.series, o.flag, line=9) for o in V1]
        )
    assert (result.added, result.revised, result.unchanged, result.same_file) == (0, 0, 4, False)
    assert len(dump(engine)["observations"]) == 4
    assert len(dump(engine)["source_files"]) == 2


def test_revision_supersedes_and_keeps_history(engine: Engine) -> None:
    with session_scope(engine) as s:
        v1 = merge_file(s, IND, "w-v1.csv", "a" * 64, V1)
    v2_rows = [
        obs("2013", 40.0),
        obs("2014", 46.5),
        obs("2015", 50.0),
        obs("2015", 48.0, series="municipio=1"),
        obs("2016", 52.0),
    ]
    with session_scope(engine) as s:
        v2 = merge_file(s, IND, "w-v2.csv", "b" * 64, v2_rows)
    # 2014 value changed, 2015 lost its "provisional" flag (also a new version), 2016 is new.
    assert (v2.added, v2.revised, v2.unchanged) == (1, 2, 2)
    assert values(engine) == {
        ("", "2013"): 40.0,
        ("", "2014"): 46.5,
        ("", "2015"): 50.0,
        ("municipio=1", "2015"): 48.0,
        ("", "2016"): 52.0,
    }

    with session_scope(engine) as s:
        old = (
            s.execute(
                select(ObservationRow)
                .where(ObservationRow.period == "2014", ObservationRow.series == "")
                .order_by(ObservationRow.id)
            )
            .scalars()
            .all()
        )
        assert [(r.value, r.file_id) for r in old] == [(45.0, v1.file_id), (46.5, v2.file_id)]
        assert old[0].superseded_by == old[1].id and old[0].superseded_at is not None
        assert old[0].superseded_at.tzinfo is UTC and old[1].superseded_at is None
        changes = history(s, IND, revisions_only=True)
        everything = history(s, IND)
    assert [(c.period, c.old_value, c.new_value, c.file_path) for c in changes] == [
        ("2014", 45.0, 46.5, "w-v2.csv"),
        ("2015", 50.0, 50.0, "w-v2.csv"),
    ]
    assert changes[1].flag == "" and changes[0].current
    assert len(everything) == 7  # 5 current + 2 superseded
    first_2014 = next(r for r in everything if r.period == "2014" and r.old_value is None)
    assert (first_2014.new_value, first_2014.file_sha256, first_2014.current) == (45.0, "a" * 64, False)


def test_value_missing_from_a_new_version_is_kept(engine: Engine) -> None:
    with session_scope(engine) as s:
        merge_file(s, IND, "w.csv", "a" * 64, V1)
    with session_scope(engine) as s:
        result = merge_file(s, IND, "w.csv", "b" * 64, [obs("2014", 45.0)])
    assert (result.added, result.revised, result.unchanged) == (0, 0, 1)
    assert len(values(engine)) == 4  # 2013, 2015 and municipio=1 were not in the new file: never deleted


def test_an_older_version_sent_again_reverts_the_values(engine: Engine) -> None:
    with session_scope(engine) as s:
        merge_file(s, IND, "w.csv", "a" * 64, [obs("2014", 45.0)])
        merge_file(s, IND, "w.csv", "b" * 64, [obs("2014", 99.0)])
        back = merge_file(s, IND, "w.csv", "a" * 64, [obs("2014", 45.0)])
    assert (back.revised, back.same_file) == (1, False)
    assert values(engine) == {("", "2014"): 45.0}
    with session_scope(engine) as s:
        assert [(r.old_value, r.new_value) for r in history(s, IND)] == [
            (None, 45.0),
            (45.0, 99.0),
            (99.0, 45.0),
        ]


def test_rejected_file_changes_no_observation(engine: Engine) -> None:
    with session_scope(engine) as s:
        merge_file(s, IND, "w.csv", "a" * 64, V1)
    before = dump(engine)
    with session_scope(engine) as s:
        file_id = record_rejected(s, IND, "w.csv", "c" * 64, problems=3, rows=4)
    after = dump(engine)
    assert after["observations"] == before["observations"]
    assert len(after["source_files"]) == len(before["source_files"]) + 1
    with session_scope(engine) as s:
        rejected = s.get_one(SourceFile, file_id)
        assert (rejected.status, rejected.problems, rejected.rows) == ("rejected", 3, 4)
        # A rejected delivery is not "the latest accepted version": the same content can still be merged.
        result = merge_file(s, IND, "w.csv", "c" * 64, [obs("2014", 47.0)])
    assert result.revised == 1


class _CrashingWriter:
    """Fault injection: retires the old rows, inserts half of the new ones, then fails."""

    def __init__(self, real: store_merge._Writer) -> None:
        self.real = real

    def allocate_ids(self, conn, count):  # type: ignore[no-untyped-def]
        return self.real.allocate_ids(conn, count)

    def retire(self, conn, links, now):  # type: ignore[no-untyped-def]
        self.real.retire(conn, links, now)

    def insert(self, conn, rows, now):  # type: ignore[no-untyped-def]
        rows = list(rows)  # an iterator of rows, made a chunk at a time by the real writers
        self.real.insert(conn, rows[: len(rows) // 2], now)
        raise RuntimeError("disk on fire")


def test_crash_in_the_middle_of_a_merge_leaves_the_database_as_before(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with session_scope(engine) as s:
        merge_file(s, IND, "w.csv", "a" * 64, V1)
    before = dump(engine)
    dialect = engine.dialect.name
    monkeypatch.setitem(store_merge._WRITERS, dialect, _CrashingWriter(store_merge._WRITERS[dialect]))
    v2 = [obs(o.period, o.value + 1, o.series) for o in V1] + [obs(str(y), 1.0) for y in range(1990, 2010)]
    with pytest.raises(RuntimeError, match="disk on fire"), session_scope(engine) as s:
        merge_file(s, IND, "w.csv", "b" * 64, v2)
    assert dump(engine) == before


def test_a_failed_file_leaves_the_other_files_of_the_transaction_alone(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Per-file all or nothing even when the caller merges several files in one transaction (SAVEPOINT)."""
    dialect = engine.dialect.name
    real = store_merge._WRITERS[dialect]
    with session_scope(engine) as s:
        merge_file(s, IND, "w.csv", "a" * 64, V1)
        monkeypatch.setitem(store_merge._WRITERS, dialect, _CrashingWriter(real))
        with pytest.raises(RuntimeError):
            merge_file(
                s, "other", "o.csv", "d" * 64, [obs(str(y), 1.0, ind="other") for y in range(2000, 2010)]
            )
        monkeypatch.setitem(store_merge._WRITERS, dialect, real)
        merge_file(s, "third", "t.csv", "e" * 64, [obs("2015", 3.0, ind="third")])
    with session_scope(engine) as s:
        current = current_observations(s)
        files = s.execute(select(SourceFile.indicator_id).order_by(SourceFile.id)).scalars().all()
    assert sorted(current) == sorted([IND, "third"]) and len(current[IND]) == 4
    assert files == [IND, "third"]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([obs("2014", 1.0), obs("2014", 2.0)], "repeated"),
        ([obs("2014", 1.0, ind="other")], "other"),
        ([obs("2014", math.nan)], "NaN"),
    ],
)
def test_bad_input_is_refused_before_writing(engine: Engine, rows: list[Observation], message: str) -> None:
    before = dump(engine)
    with pytest.raises(ValueError, match=message), session_scope(engine) as s:
        merge_file(s, IND, "w.csv", "a" * 64, rows)
    assert dump(engine) == before


def test_database_refuses_a_second_current_row(engine: Engine) -> None:
    with session_scope(engine) as s:
        file_id = merge_file(s, IND, "w.csv", "a" * 64, [obs("2014", 45.0)]).file_id
    row = {
        "indicator_id": IND,
        "series": "",
        "period": "2014",
        "time": 2014.0,
        "value": 1.0,
        "note": "",
        "flag": "",
        "source": "",
        "file_id": file_id,
        "line": 3,
        "recorded_at": datetime.now(UTC),
    }
    with pytest.raises(IntegrityError), session_scope(engine) as s:
        s.execute(insert(ObservationRow), [row])
    superseded = {**row, "superseded_at": datetime.now(UTC)}
    with session_scope(engine) as s:  # a superseded (non-current) row of the same key is fine
        s.execute(insert(ObservationRow), [superseded])


def test_current_observations_filters_by_indicator(engine: Engine) -> None:
    with session_scope(engine) as s:
        merge_file(s, IND, "w.csv", "a" * 64, V1)
        merge_file(s, "other", "o.csv", "b" * 64, [obs("2020", 7.0, ind="other")])
    with session_scope(engine) as s:
        assert list(current_observations(s, ["other"])) == ["other"]
        assert sorted(current_observations(s)) == sorted([IND, "other"])
        assert current_observations(s, ["missing"]) == {}


def test_rows_made_a_statement_at_a_time_store_what_a_list_stores(engine: Engine) -> None:
    """The writers take an iterator (rows made per statement, bounded memory): what a list of the same rows
    stores, across several statements (1,500 rows: three SQLite INSERTs of 500)."""
    rows = [obs(f"{2000 + i // 36}-{i // 3 % 12 + 1:02d}", float(i), f"zona=z{i % 3}") for i in range(1500)]
    with session_scope(engine) as s:
        merge_file(s, IND, "w.csv", "a" * 64, iter(rows))
    assert values(engine) == {(o.series, o.period): o.value for o in rows}
    ids = [r[0] for r in dump(engine)["observations"]]
    assert len(ids) == 1500 and ids == sorted(set(ids))
