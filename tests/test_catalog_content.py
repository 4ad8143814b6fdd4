"""Content checks on the real Milan catalogue in ``indicators/``.

The loader's own rules live in tracker/catalog.py; these tests guard what the catalogue says: seven
objectives, enough indicators for each, data files that a reader can trust (header, numbers, a source per
value, values inside the unit's range) and targets that point the right way.
"""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

import pandas as pd
import pytest

from tracker import catalog
from tracker.intake.periods import parse_period
from tracker.intake.schema import build_schema
from tracker.observations import BOUNDS, FLAGS

ROOT = Path(__file__).resolve().parents[1] / "indicators"
HEADER = ["period", "value", "source", "note_it", "note_en", "flag"]
#: Optional last columns: a value published only as a bound, and a peer territory's value (issue #16).
EXTRA = ["bound", "territory"]
OBJECTIVE_IDS = [
    "global-city",
    "mobility",
    "environment-energy",
    "social-inclusion",
    "well-being",
    "public-administration",
    "enterprise",
]
URL = re.compile(r"^https?://\S+$")
DATA_FILES = sorted(ROOT.rglob("*.csv"))


@pytest.fixture(scope="module")
def cat() -> catalog.Catalog:
    return catalog.load(ROOT)


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), f"{path.name}: remove the UTF-8 byte order mark"
    text = raw.decode("utf-8")
    reader = csv.reader(text.splitlines())
    header = next(reader)
    assert header in (HEADER, HEADER + EXTRA), f"{path.name}: header {header}"
    rows = []
    for number, fields in enumerate(reader, start=2):
        assert len(fields) == len(header), f"{path.name}:{number}: {len(fields)} fields, not {len(header)}"
        rows.append({"bound": "", "territory": "", **dict(zip(header, fields, strict=True))})
    return header, rows


def series(entry: catalog.Entry) -> list[tuple[str, float]]:
    """Milan's own exact values (no bound, no peer territory)."""
    if entry.data_file is None:
        return []
    return [
        (row["period"], float(row["value"]))
        for row in read_rows(entry.data_file)[1]
        if not row["bound"] and not row["territory"]
    ]


def year_of(period: str) -> int:
    return int(period[:4])


def test_seven_objectives_in_order(cat: catalog.Catalog) -> None:
    assert [o.id for o in cat.objectives] == OBJECTIVE_IDS
    assert [o.number for o in cat.objectives] == list(range(1, 8))
    for objective in cat.objectives:
        assert objective.name.it and objective.name.en
        assert len(objective.description.it) > 60 and len(objective.description.en) > 60, objective.id
        assert "http" in objective.source, f"{objective.id}: the source should name the article's address"


def test_enough_indicators_per_objective(cat: catalog.Catalog) -> None:
    assert len(cat.entries) >= 35
    for objective in cat.objectives:
        assert len(cat.of_objective(objective.id)) >= 5, objective.id


def test_codes_are_unique_and_follow_the_objective_number(cat: catalog.Catalog) -> None:
    numbers = {o.id: o.number for o in cat.objectives}
    codes = [i.code for i in cat.indicators]
    assert len(set(codes)) == len(codes)
    for indicator in cat.indicators:
        assert re.fullmatch(rf"{numbers[indicator.objective]}\.\d+", indicator.code), indicator.id


def test_every_data_file_belongs_to_an_indicator(cat: catalog.Catalog) -> None:
    assert DATA_FILES, "the catalogue should ship some real data"
    assert sorted(e.data_file for e in cat.entries if e.data_file) == DATA_FILES


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.stem)
def test_data_file_is_well_formed(cat: catalog.Catalog, path: Path) -> None:
    indicator = cat.entry(path.stem).indicator
    header, rows = read_rows(path)
    assert rows, f"{path.name}: a data file needs at least one value (else drop it and keep the data_note)"
    low, high = indicator.unit.bounds
    periods = [(row["territory"], row["period"]) for row in rows]
    assert len(set(periods)) == len(periods), f"{path.name}: duplicate periods"
    assert any(not row["territory"] for row in rows), (
        f"{path.name}: a data file holds Milan's own values, not only peers'"
    )
    for row in rows:
        where = f"{path.name} {row['period']}"
        period = parse_period(row["period"], frequency=indicator.frequency)
        assert period.label == row["period"], f"{where}: write the canonical period label {period.label}"
        value = float(row["value"])
        assert math.isfinite(value), where
        assert low <= value <= high, f"{where}: {value} outside {low}..{high}"
        assert URL.fullmatch(row["source"]), f"{where}: every value needs an http(s) source"
        assert row["flag"] in ("", *FLAGS), f"{where}: unknown flag {row['flag']!r}"
        assert row["bound"] in ("", *BOUNDS), f"{where}: unknown bound {row['bound']!r}"
        if row["territory"]:
            assert row["territory"] in indicator.peer_names, f"{where}: undeclared peer {row['territory']!r}"
            # a peer's value says whose it is, in each language's note a reader sees beside it
            peer = next(p for p in indicator.peers if p.name == row["territory"])
            names = {peer.name, peer.label_in("it")}
            assert any(n in row["note_it"] for n in names), f"{where}: the note should name one of {names}"
        limit = indicator.natural_limit
        if limit is not None:
            assert indicator.sign * (limit - value) >= 0, f"{where}: beyond the natural limit {limit}"


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.stem)
def test_data_file_passes_the_intake_schema(cat: catalog.Catalog, path: Path) -> None:
    indicator = cat.entry(path.stem).indicator
    records = []
    for row in read_rows(path)[1]:
        period = parse_period(row["period"], frequency=indicator.frequency)
        records.append(
            {
                "period": period.label,
                "time": period.time,
                "value": float(row["value"]),
                "flag": row["flag"],
                "note": "",
                "note_it": row["note_it"],
                "note_en": row["note_en"],
                "source": row["source"],
                "remark": "",
                "bound": row["bound"],
                "territory": row["territory"],
            }
        )
    frame = pd.DataFrame(records, index=range(2, len(records) + 2))
    build_schema(indicator).validate(frame, lazy=True)


def test_lower_bounds_are_said_in_the_note() -> None:
    for path in DATA_FILES:
        for row in read_rows(path)[1]:
            if ">" in row["note_en"] or ">" in row["note_it"] or row["bound"] == "lower":
                assert "lower bound" in row["note_en"], f"{path.name} {row['period']}"
                assert "limite inferiore" in row["note_it"], f"{path.name} {row['period']}"


def test_indicators_without_data_explain_why(cat: catalog.Catalog) -> None:
    empty = [e.indicator for e in cat.entries if e.data_file is None]
    assert empty, "some candidates have no published figure yet"
    for indicator in empty:
        assert indicator.data_note is not None, indicator.id
        assert indicator.data_note.it.strip() and indicator.data_note.en.strip(), indicator.id


def test_baseline_value_is_in_the_series(cat: catalog.Catalog) -> None:
    for entry in cat.entries:
        baseline = entry.indicator.baseline
        points = series(entry)
        if baseline is None or not points:
            continue
        in_year = [v for p, v in points if year_of(p) == baseline.year]
        assert in_year, f"{entry.indicator.id}: no data in the baseline year {baseline.year}"
        if baseline.value is not None:
            assert baseline.value in in_year, f"{entry.indicator.id}: baseline differs from its year's data"


def test_targets_point_the_right_way(cat: catalog.Catalog) -> None:
    checked = 0
    for entry in cat.entries:
        indicator, target = entry.indicator, entry.indicator.target
        if target is None:
            continue
        if target.basis == "policy":
            assert target.url, f"{indicator.id}: a policy target needs the policy's address"
        else:
            assert "roposal" in target.reference.en and "ropost" in target.reference.it, indicator.id
        base = None
        if indicator.baseline is not None:
            base = indicator.baseline.value
            if base is None:
                base = next((v for p, v in series(entry) if year_of(p) == indicator.baseline.year), None)
        if base is None:
            continue
        assert indicator.sign * (target.value - base) > 0, f"{indicator.id}: target {target.value} vs {base}"
        checked += 1
    assert checked >= 20


def test_indicators_with_data_have_a_baseline_or_say_why_not(cat: catalog.Catalog) -> None:
    for entry in cat.entries:
        if entry.data_file is not None and entry.indicator.baseline is None:
            assert entry.indicator.data_note is not None, entry.indicator.id


def test_territories_are_not_mixed(cat: catalog.Catalog) -> None:
    territories = {i.id: i.territory for i in cat.indicators}
    assert territories["innovative-startups-province"] == "provincia"
    assert territories["innovative-startups-city"] == "comune"
    for indicator_id, territory in territories.items():
        if indicator_id.endswith("-province"):
            assert territory == "provincia", indicator_id
        if indicator_id.endswith("-city"):
            assert territory == "comune", indicator_id


def test_peer_values_cover_three_indicators_with_four_territories(cat: catalog.Catalog) -> None:
    """Issue #16: comparison values loaded from indicators/peers.md, each peer declared with a note."""
    rich = []
    for path in DATA_FILES:
        territories = {row["territory"] for row in read_rows(path)[1]} - {""}
        indicator = cat.entry(path.stem).indicator
        assert set(indicator.peer_names) >= territories
        assert all(p.note is not None for p in indicator.peers), indicator.id
        if len(territories) >= 4:
            rich.append(path.stem)
    assert len(rich) >= 3, rich
