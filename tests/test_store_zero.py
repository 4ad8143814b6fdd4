"""One representation of zero: a -0.0 in a data file is stored, assessed and published as 0.0 on every backend,
so the first run (which publishes the parsed values) and later ones (which read them back) agree."""

from __future__ import annotations

import math
import re
from pathlib import Path

from sqlalchemy import Engine, select

from tests.test_end_to_end import make_project, tracker
from tracker.observations import Observation, one_zero
from tracker.store import db, merge_file
from tracker.store.models import ObservationRow

NEGATIVE_ZERO = re.compile(rb"(?<![\w.-])-0(\.0*)?(?![\d.])")


def test_negative_zero_is_stored_as_zero(engine: Engine) -> None:
    rows = [Observation("w", "2015", 2015.0, -0.0), Observation("w", "2016", 2016.0, 1.5)]
    with db.session_scope(engine) as session:
        merge_file(session, "w", "w.csv", "a" * 64, rows)
    with db.session_scope(engine) as session:
        values = dict(session.execute(select(ObservationRow.period, ObservationRow.value)).all())
    assert values == {"2015": 0.0, "2016": 1.5} and math.copysign(1.0, values["2015"]) == 1.0
    with db.session_scope(engine) as session:  # the same value written as 0.0 is no revision
        result = merge_file(session, "w", "w2.csv", "b" * 64, [Observation("w", "2015", 2015.0, 0.0)])
    assert (result.added, result.revised, result.unchanged) == (0, 0, 1)


def test_one_zero_keeps_the_list_when_there_is_no_zero() -> None:
    rows = [Observation("w", "2015", 2015.0, 2.0)]
    assert one_zero(rows) is rows
    fixed = one_zero([Observation("w", "2015", 2015.0, -0.0, note="n", line=3)])
    assert [str(o.value) for o in fixed] == ["0.0"] and fixed[0].note == "n" and fixed[0].line == 3


def test_first_and_later_runs_publish_the_same_zero(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    data = project / "indicators" / "environment" / "waste-sorted.csv"
    data.write_text(
        "period,value,source,note,flag\n2012,-0.0,https://example.org/s,,\n"
        "2015,52.7,https://example.org/s,,\n2020,62.6,https://example.org/s,,\n",
        encoding="utf-8",
    )
    first = tracker("run", cwd=project)
    assert first.returncode == 0, first.stderr
    published = {p.name: p.read_bytes() for p in (project / "site" / "data").glob("waste-sorted.*")}
    assert published and not any(NEGATIVE_ZERO.search(content) for content in published.values())
    again = tracker("run", "--force", cwd=project)  # values read back from the database this time
    assert again.returncode == 0, again.stderr
    assert {p.name: p.read_bytes() for p in (project / "site" / "data").glob("waste-sorted.*")} == published
