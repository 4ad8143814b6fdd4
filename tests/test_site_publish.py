"""Atomic publishing: a crash while building leaves the old site whole; a success swaps in the new one."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from tracker.assess.base import IndicatorResult
from tracker.assess.outcome import Outcome
from tracker.site.build import build_site
from tracker.site.publish import builds_folder, publish
from tracker.site.sample import build_sample


def _write(text: str):
    def write(folder: Path) -> str:
        (folder / "index.html").write_text(text, encoding="utf-8")
        (folder / "sub").mkdir()
        (folder / "sub" / "page.html").write_text(text, encoding="utf-8")
        return text

    return write


def _fail_halfway(folder: Path) -> None:
    (folder / "index.html").write_text("half", encoding="utf-8")
    raise RuntimeError("disk full (simulated)")


def test_first_publish_makes_a_relative_symlink(tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert publish(site, _write("one")) == "one"
    assert site.is_symlink() and not os.readlink(site).startswith("/")
    assert (site / "index.html").read_text() == "one"
    assert Path(os.path.realpath(site)).parent == builds_folder(site) == tmp_path / ".site-builds"


def test_republish_swaps_and_keeps_one_previous_build(tmp_path: Path) -> None:
    site = tmp_path / "site"
    for text in ("one", "two", "three"):
        publish(site, _write(text))
    assert (site / "sub" / "page.html").read_text() == "three"
    builds = sorted(p.name for p in builds_folder(site).iterdir())
    assert len(builds) == 2  # the current one and the one before, for a roll-back
    assert Path(os.path.realpath(site)).name == builds[-1]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site.link")] == []


def test_a_crash_during_the_build_leaves_the_old_site(tmp_path: Path) -> None:
    site = tmp_path / "site"
    publish(site, _write("old"))
    before = os.readlink(site)
    with pytest.raises(RuntimeError, match="disk full"):
        publish(site, _fail_halfway)
    assert os.readlink(site) == before and (site / "index.html").read_text() == "old"
    assert len(list(builds_folder(site).iterdir())) == 1  # the unfinished tree was removed


def test_a_real_directory_is_exchanged_whole(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "stale.html").write_text("stale", encoding="utf-8")
    with pytest.raises(RuntimeError):
        publish(site, _fail_halfway)
    assert (site / "stale.html").read_text() == "stale" and not site.is_symlink()
    publish(site, _write("fresh"))
    assert site.is_dir() and not site.is_symlink()
    assert (site / "index.html").read_text() == "fresh" and not (site / "stale.html").exists()
    assert list(builds_folder(site).iterdir()) == []


def test_a_file_in_the_way_is_refused(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.write_text("not a folder", encoding="utf-8")
    with pytest.raises(NotADirectoryError):
        publish(site, _write("x"))
    assert site.read_text() == "not a folder"


def test_build_site_failing_on_bad_input_keeps_the_published_site(tmp_path: Path) -> None:
    s = build_sample(tmp_path)
    first = build_site(s.settings, s.catalog, s.outcome, generated_at=s.generated_at)
    page = first.path / "en" / "indicators" / "separate-waste.html"
    before = page.read_bytes()
    good = s.results["separate-waste"]
    broken = dict(s.results)
    # a score that is not a number makes the template fail midway through the indicator pages
    broken["separate-waste"] = IndicatorResult(
        good.indicator_id, replace(good.headline, score="n/a"), good.others
    )
    with pytest.raises(ArithmeticError):  # babel cannot format "n/a" as a number
        build_site(
            s.settings, s.catalog, Outcome(broken, s.summaries, s.observations), generated_at=s.generated_at
        )
    assert page.read_bytes() == before
    assert len(list(builds_folder(first.path).iterdir())) == 1
    assert sorted(p.name for p in first.path.iterdir()) == [
        ".manifest.json",
        "assets",
        "data",
        "en",
        "index.html",
        "it",
        "scorecard.json",
    ]


def test_the_resolved_build_folder_is_refused_as_a_target(tmp_path: Path) -> None:
    site = tmp_path / "site"
    publish(site, _write("one"))
    with pytest.raises(ValueError, match="build folder"):
        publish(site.resolve(), _write("two"))
    assert (site / "index.html").read_text() == "one"
