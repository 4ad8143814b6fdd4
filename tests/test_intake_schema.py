"""The pandera schema built from an indicator, used on its own (uniqueness included) on a parsed frame."""

from __future__ import annotations

import math

import pandas as pd
import pandera.pandas as pa
import pytest

from tests.conftest import make_indicator
from tracker.catalog import Indicator
from tracker.intake.schema import build_schema, problems_from


def indicator() -> Indicator:
    return make_indicator("count", values=("1", "2"))


def frame(rows: list[tuple[str, float, str, str, str]]) -> pd.DataFrame:
    period, value, municipio, flag, note = zip(*rows, strict=True)
    index = pd.Index(range(2, 2 + len(rows)), name="line")
    return pd.DataFrame(
        {
            "period": pd.Series(period, index=index, dtype=object),
            "time": [float(p[:4]) for p in period],
            "value": [float(v) for v in value],
            "municipio": pd.Series(municipio, index=index, dtype=object),
            "flag": pd.Series(flag, index=index, dtype=object),
            "note": pd.Series(note, index=index, dtype=object),
            **{
                name: pd.Series([""] * len(rows), index=index, dtype=object)
                for name in ("note_it", "note_en", "source", "remark", "bound", "territory")
            },
        },
        index=index,
    )


def test_schema_columns_follow_the_indicator() -> None:
    schema = build_schema(indicator())
    assert list(schema.columns) == [
        "period",
        "time",
        "value",
        "municipio",
        "flag",
        "bound",
        "territory",
        "note",
        "note_it",
        "note_en",
        "source",
        "remark",
    ]
    assert schema.unique == ["period", "territory", "municipio"]
    assert build_schema(indicator(), unique=False).unique is None


def test_valid_frame_passes() -> None:
    good = frame([("2015", 3, "", "", "ok"), ("2015", 1, "1", "break", ""), ("2016-Q1", 2, "2", "", "")])
    assert build_schema(indicator()).validate(good, lazy=True) is not None


def test_failures_become_problems() -> None:
    bad = frame([("2015", 3, "", "", ""), ("2015", -1, "", "maybe", "<b>x</b>"), ("2016", 2.5, "7", "", "")])
    with pytest.raises(pa.errors.SchemaErrors) as caught:
        build_schema(indicator()).validate(bad, lazy=True)
    raw = {
        "value": pd.Series(["3", "-1", "2,5"], index=bad.index),
        "flag": bad["flag"],
        "municipio": bad["municipio"],
    }
    problems = problems_from(caught.value, indicator(), "x.csv", raw, {"value": "Valore"})
    assert sorted(str(p) for p in problems) == [
        "x.csv:3:Valore: '-1' is below 0 (fix: a count cannot be negative)",
        "x.csv:3:flag: 'maybe' is not a flag (fix: use provisional, estimated or break, or leave it blank)",
        "x.csv:3:note: HTML tag '<b>' in text (fix: write plain text without <...> tags)",
        "x.csv:3:period: the same period and series appear on another line "
        "(fix: keep one value per period and series)",
        "x.csv:4:Valore: '2,5' is not a whole number (fix: a count has no decimals)",
        "x.csv:4:municipio: '7' is not a value of municipio (fix: use one of: 1, 2; leave it blank for the total)",
    ]


def test_unparsed_cells_are_null_and_not_reported_twice() -> None:
    parsed = frame([("2015", math.nan, "", "", "")])
    parsed.loc[2, "period"] = None
    assert build_schema(indicator()).validate(parsed, lazy=True) is not None
