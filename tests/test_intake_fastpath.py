"""The fast path of intake gives the same verdicts and the same problems as the pandera schema and the streamed reader.

``schema.Rules`` runs the schema's rules on plain arrays and pandera runs only when one fails; small CSV files are
read once and parsed in memory. These tests hold both shortcuts to the slow path they stand in for.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pytest

from tests.conftest import make_indicator
from tracker.catalog import Indicator, Peer
from tracker.intake import readers
from tracker.intake.readers import open_table
from tracker.intake.schema import Rules, build_schema, rules_for, schema_for
from tracker.intake.validate import check_file, read_observations

TODAY = date(2026, 6, 30)


def indicator(kind: str = "count", columns: tuple[str, ...] = ("municipio",), **unit: Any) -> Indicator:
    ind = make_indicator(kind, columns=columns, values=("1", "2"), **unit)
    return ind.model_copy(update={"peers": [Peer(name="Roma")]})


def typed_frame(rows: list[dict[str, Any]], ind: Indicator) -> dict[str, np.ndarray]:
    """Columns as the validator hands them over: object arrays, floats for ``time`` and ``value``."""
    names = [
        "period",
        "time",
        "value",
        *(d.column for d in ind.disaggregations),
        "note",
        "note_it",
        "note_en",
        "flag",
        "source",
        "remark",
        "bound",
        "territory",
    ]
    default = {"period": "2015", "time": 2015.0, "value": 1.0}
    typed = {}
    for name in names:
        cells = [row.get(name, default.get(name, "")) for row in rows]
        typed[name] = np.array(cells, dtype=float if name in ("time", "value") else object)
    return typed


def schema_passes(typed: dict[str, np.ndarray], ind: Indicator) -> bool:
    index = pd.Index(range(2, 2 + len(typed["period"])), name="line")
    frame = pd.DataFrame(
        {k: pd.Series(v, index=index, dtype=object if v.dtype == object else float) for k, v in typed.items()}
    )
    try:
        build_schema(ind, unique=False).validate(frame, lazy=True)
    except pa.errors.SchemaErrors:
        return False
    return True


CASES: list[tuple[str, str, dict[str, Any], list[dict[str, Any]]]] = [
    # (id, unit kind, unit options, rows)
    ("clean", "count", {}, [{}, {"period": "2016-Q1", "value": 3.0, "municipio": "1", "flag": "break"}]),
    ("unparsed-cells-are-null", "count", {}, [{"period": None, "time": np.nan, "value": np.nan}]),
    ("negative-count", "count", {}, [{"value": -1.0}]),
    ("decimal-count", "count", {}, [{"value": 2.5}]),
    ("percent-bounds-included", "percent", {}, [{"value": 0.0}, {"value": 100.0}]),
    ("percent-above", "percent", {}, [{"value": 100.5}]),
    ("index-custom-min", "index", {"min": -5}, [{"value": -5.0}, {"value": 9e9}]),
    ("index-below-custom-min", "index", {"min": -5}, [{"value": -5.5}]),
    ("index-custom-max", "index", {"max": 10}, [{"value": 10.5}]),
    ("index-unbounded", "index", {}, [{"value": -1e300}]),
    ("undeclared-disaggregation", "rate", {}, [{"municipio": "3"}]),
    ("unstripped-disaggregation", "rate", {}, [{"municipio": " 1"}]),
    ("upper-case-flag", "rate", {}, [{"flag": "Break"}]),
    ("bad-flag", "rate", {}, [{"flag": "maybe"}]),
    ("html-note", "rate", {}, [{"note": "a <b>bold</b> claim"}]),
    ("less-than-note", "rate", {}, [{"note": "a < b and c > d"}]),
    ("formula-note", "rate", {}, [{"note": "=SUM(A1)"}]),
    ("minus-number-note", "rate", {}, [{"note": "-5 on last year"}]),
    ("javascript-source", "rate", {}, [{"source": "javascript:alert(1)"}]),
    ("citation-source", "rate", {}, [{"source": "ISTAT, 2020"}, {"source": "https://example.org/x"}]),
    ("non-canonical-label", "rate", {}, [{"period": "15"}]),
    ("null-note", "rate", {}, [{"note": None}]),
    ("null-disaggregation", "rate", {}, [{"municipio": np.nan}]),
]


@pytest.mark.parametrize(("kind", "unit", "rows"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rules_give_the_schema_verdict(kind: str, unit: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    ind = indicator(kind, **unit)
    typed = typed_frame(rows, ind)
    assert Rules.of(ind).passes(typed) == schema_passes(typed, ind)


def test_rules_give_the_schema_verdict_on_random_frames() -> None:
    rng = random.Random(2024)
    pools: dict[str, list[Any]] = {
        "period": ["2015", "2015-Q4", "2015-03", "2015-03-31", "2014/2015", None, "15", "2015-3"],
        "value": [0.0, 1.0, 2.5, -1.0, 100.0, 100.5, np.nan, 1e9],
        "municipio": ["", "1", "2", "3", " 1"],
        "zona": ["", "1", "x"],
        "note": ["", "ok", "<i>", "=A1", "@home", "a<b", "-x"],
        "flag": ["", "break", "estimated", "BREAK", "no"],
        "source": ["", "https://example.org", "data:x", " javascript:x", "ISTAT"],
        "bound": ["", "lower", "upper", "more"],
        "territory": ["", "Roma", "Atlantis"],
    }
    agree = passing = 0
    for _ in range(400):
        ind = indicator(
            rng.choice(["count", "percent", "rate", "amount", "index"]), columns=("municipio", "zona")
        )
        rows = [
            {
                k: rng.choice(v) if rng.random() < 0.15 else v[0] if k != "period" else "2015"
                for k, v in pools.items()
            }
            for _ in range(rng.randint(1, 6))
        ]
        typed = typed_frame(rows, ind)
        fast, slow = Rules.of(ind).passes(typed), schema_passes(typed, ind)
        assert fast == slow, rows
        agree += 1
        passing += fast
    assert 50 < passing < agree - 50  # both verdicts were met often


def test_unusual_columns_leave_the_verdict_to_the_schema() -> None:
    assert Rules.of(indicator(columns=("time",))) is None  # would replace the parsed time column
    ind = indicator()
    typed = typed_frame([{}], ind)
    assert Rules.of(ind).passes({**typed, "extra": typed["note"]}) is False  # strict: an unknown column
    assert Rules.of(ind).passes({**typed, "value": typed["value"].astype(np.float32)}) is False


def test_schema_and_rules_are_built_once_per_definition() -> None:
    ind = indicator()
    assert schema_for(ind) is schema_for(ind.model_copy(deep=True))
    assert rules_for(ind) is rules_for(ind.model_copy(deep=True))
    assert schema_for(indicator(columns=("zona",))) is not schema_for(ind)
    assert schema_for(indicator(kind="percent")) is not schema_for(ind)
    assert schema_for(ind).unique is None  # uniqueness is checked across chunks by the validator


def test_a_clean_file_does_not_run_pandera(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "good.csv"
    path.write_text("period,municipio,value,flag,note\n2015,,3,,ok\n2015,1,2,Break,\n2016,2,1,,\n")

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("pandera ran on a clean file")

    monkeypatch.setattr(pa.DataFrameSchema, "validate", refuse)
    observations, problems = read_observations(path, indicator(), today=TODAY)
    assert problems == []
    assert [(o.period, o.series, o.value, o.flag) for o in observations] == [
        ("2015", "", 3.0, ""),
        ("2015", "municipio=1", 2.0, "break"),
        ("2016", "municipio=2", 1.0, ""),
    ]


def test_a_bad_file_is_reported_by_pandera(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("period,municipio,value\n2015,,3\n2016,7,2.5\n")
    calls = []
    validate = pa.DataFrameSchema.validate

    def spy(self: pa.DataFrameSchema, *args: Any, **kwargs: Any) -> Any:
        calls.append(self.name)
        return validate(self, *args, **kwargs)

    monkeypatch.setattr(pa.DataFrameSchema, "validate", spy)
    assert [str(p) for p in check_file(path, indicator(), today=TODAY)] == [
        "bad.csv:3:municipio: '7' is not a value of municipio (fix: use one of: 1, 2; leave it blank for the total)",
        "bad.csv:3:value: '2.5' is not a whole number (fix: a count has no decimals)",
    ]
    assert calls == ["test-indicator"]


FILES: list[tuple[str, bytes]] = [
    ("plain", b"period,municipio,value,note\n2015,,1,a\n2016,1,2,b\n"),
    ("bom-crlf", b"\xef\xbb\xbfperiod;valore;nota\r\n2015;1,5;x\r\n2016;2,5;y\r\n"),
    ("cp1252", b"period,value,note\n2015,1,citt\xe0\n2016,2,\x80 5\n"),
    ("cr-only", b"period,value\r2015,1\r2016,2"),
    (
        "quoted-line-breaks",
        b'period,value,note\n2015,1,"two\nlines"\n2016,2,"three\r\nlines\nhere"\n2016,3,x\n',
    ),
    ("blank-lines-first", b"\n \n,\nperiod,value\n\n2015,1\n"),
    ("extra-cells", b"period,value\n2015,1,,\n2016,2,x\n"),
    ("unterminated-quote", b'period,value,note\n2015,1,ok\n2016,2,"open\n2017,3,x\n'),
    ("mixed-encodings", b"period,value,note\n2015,1,citt\xc3\xa0\n2016,2,citt\xe0\n"),
    ("binary", b"period,value\n2015,1\n\x00\x01"),
    ("repeated-period", b"period,value\n2015,1\n2016,2\n2015,3\n"),
]


@pytest.mark.parametrize("content", [f[1] for f in FILES], ids=[f[0] for f in FILES])
@pytest.mark.parametrize("chunk_rows", [1, 2, 50_000])
def test_small_files_read_in_memory_as_when_streamed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes, chunk_rows: int
) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(content)
    ind = indicator("index", columns=("municipio",))
    in_memory = read_observations(path, ind, today=TODAY, chunk_rows=chunk_rows)
    monkeypatch.setattr(readers, "IN_MEMORY_BYTES", -1)
    assert read_observations(path, ind, today=TODAY, chunk_rows=chunk_rows) == in_memory


def test_chunks_keep_their_frame(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("period,value\n2015, 1\n\n2016,2\n")
    table = open_table(path, path.name)
    chunk = next(table.chunks)
    assert [c.tolist() for c in chunk.columns] == [["2015", "", "2016"], [" 1", "", "2"]]
    assert chunk.lines.tolist() == [2, 3, 4]
    assert chunk.frame[1].tolist() == [" 1", "", "2"]
    assert chunk.frame.index.tolist() == [2, 3, 4] and chunk.frame.index.name == "line"
