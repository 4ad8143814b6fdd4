"""A verdict that compares values across a series break says so (SYNTHETIC project).

A value flagged ``break`` comes from another source or definition than the rest of its series: a verdict whose
two compared values span it (or rest on it) measures partly that difference, and the page must say which values."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.test_end_to_end import make_project
from tracker import config, pipeline

NOW = datetime(2026, 12, 2, 9, tzinfo=UTC)
HEADER = "period,value,source,note,flag\n"


def build(root: Path, waste_rows: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    make_project(root)
    (root / "indicators" / "environment" / "waste-sorted.csv").write_text(
        HEADER + waste_rows, encoding="utf-8"
    )
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{root / 'db.sqlite'}")
    pipeline.run(config.load(root), now=NOW, updates=False)
    return root / "site"


def page_text(site: Path, lang: str) -> str:
    raw = (site / lang / "indicators" / "waste-sorted.html").read_text(encoding="utf-8")
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", raw))


def test_a_break_between_the_compared_values_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = (
        "2010,30.0,https://example.org/s,synthetic,break\n"  # outside the headline window: not named
        "2019,50.0,https://example.org/s,synthetic,\n"
        "2021,55.0,https://example.org/s,synthetic,break\n"
        "2023,60.0,https://example.org/s,synthetic,\n"
    )
    site = build(tmp_path, rows, monkeypatch)
    en, it = page_text(site, "en"), page_text(site, "it")
    assert "From 50.0% (2019)" in en and "To 60.0% (2023)" in en
    assert "include one flagged as a break in series (2021)" in en
    assert "2010" not in en.split("break in series")[1].split(")")[0]
    assert "segnato come discontinuità nella serie (2021)" in it


def test_no_break_no_sentence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = (
        "2010,30.0,https://example.org/s,synthetic,break\n"
        "2019,50.0,https://example.org/s,synthetic,\n"
        "2023,60.0,https://example.org/s,synthetic,\n"
    )
    site = build(tmp_path, rows, monkeypatch)
    en = page_text(site, "en")
    assert "To 60.0% (2023)" in en  # assessed, so the sentence could appear
    assert "flagged as a break in series" not in en
    assert "discontinuità nella serie (" not in page_text(site, "it")
