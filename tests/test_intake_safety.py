"""Crash-safety corners and hostile strings of the intake (issue #13), unit by unit. SYNTHETIC data only."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from tests.test_end_to_end import make_project
from tests.test_intake_bad_inputs import indicator
from tracker import catalog, config, pipeline
from tracker.formulas import defuse, looks_like_formula
from tracker.intake.periods import PeriodError, parse_period
from tracker.intake.validate import read_observations
from tracker.problems import Problem, render
from tracker.store import migrated_engine

TODAY = date(2026, 6, 30)


@pytest.mark.parametrize(
    "text",
    [
        "=1+cmd|' /C calc'!A0",
        "-1+cmd|' /C calc'!A0",
        "=(cmd|' /C calc'!A0)",
        "+1+1",
        "@SUM(A1)",
        "\t=1",
        "\r=1",
        "-",
        "=",
        "-5% on 2015",
    ],
)
def test_owasp_formula_rule_refuses(text: str) -> None:
    assert looks_like_formula(text)
    assert defuse(text) == "'" + text


@pytest.mark.parametrize("text", ["-5", "+3.5", "-1,5", "-12%", "1e3", "note", "5 - 3", "", "a=b"])
def test_plain_numbers_and_text_pass(text: str) -> None:
    assert not looks_like_formula(text)
    assert defuse(text) == text


@pytest.mark.parametrize("cell", ["0000", "0000-03", "0000-Q1", "31/12/0000", "0000/0001"])
def test_year_zero_is_a_period_error(cell: str) -> None:
    with pytest.raises(PeriodError, match="outside the years"):
        parse_period(cell, today=TODAY)


def test_ambiguous_thousands_in_a_percent_column_names_the_separators(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("period;value\n2014;63,1\n2015;1.234\n", encoding="utf-8")
    _, problems = read_observations(path, indicator(), today=TODAY)
    assert [str(p) for p in problems] == [
        "data.csv:3:value: '1.234' is outside 0..100: it was read as 1234, with '.' as the thousands separator, "
        "because this file writes decimals with ',' (fix: if 1.234 is a decimal number, write it as 1,234, with the "
        "file's decimal separator; otherwise check the value or the unit)"
    ]


def test_problem_prints_on_one_line_with_control_characters_escaped() -> None:
    problem = Problem("inbox/a\nb.csv: all fine\x1b[0m", "bad\rvalue", hint="x\u202ey")
    assert str(problem) == "inbox/a\\nb.csv: all fine\\x1b[0m: bad\\rvalue (fix: x\\u202ey)"
    assert "\n" not in render([problem])


def _project(tmp_path: Path) -> tuple[config.Settings, catalog.Catalog]:
    project = make_project(tmp_path / "project")
    settings = config.load(project)
    return settings, catalog.load_project(settings)


def test_report_is_written_before_the_rejected_file_moves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kill between the two steps must leave the report, never a silent rejection."""
    settings, cat = _project(tmp_path)
    inbox = settings.path("inbox")
    inbox.mkdir()
    (inbox / "waste-sorted--bad.csv").write_text("period,value\n2015,abc\n", encoding="utf-8")
    engine = migrated_engine(settings)

    def killed(path: Path, target: Path) -> None:
        raise KeyboardInterrupt  # stands for a kill at that point

    monkeypatch.setattr(pipeline, "_move", killed)
    try:
        with pytest.raises(KeyboardInterrupt):
            pipeline.take_in_inbox(engine, settings, cat)
    finally:
        engine.dispose()
    reports = list(settings.path("rejected").rglob("*.problems.txt"))
    assert [r.name for r in reports] == ["waste-sorted--bad.csv.problems.txt"]
    assert "inbox/waste-sorted--bad.csv:2:value: 'abc' is not a number" in reports[0].read_text(
        encoding="utf-8"
    )


def test_unreadable_inbox_file_is_rejected_and_the_others_processed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, cat = _project(tmp_path)
    inbox = settings.path("inbox")
    inbox.mkdir()
    (inbox / "pm10-days--a.csv").write_text("period,value\n2015,20\n", encoding="utf-8")
    (inbox / "pm10-days--b.csv").write_text("period,value\n2016,21\n", encoding="utf-8")
    real = pipeline.sha256_of

    def denied(path: Path) -> str:  # the tests run as root, where chmod 000 does not deny reading
        if path.name.endswith("--a.csv"):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(pipeline, "sha256_of", denied)
    engine = migrated_engine(settings)
    try:
        outcomes = pipeline.take_in_inbox(engine, settings, cat)
    finally:
        engine.dispose()
    assert [(o.label, o.status) for o in outcomes] == [
        ("inbox/pm10-days--a.csv", "rejected"),
        ("inbox/pm10-days--b.csv", "accepted"),
    ]
    assert str(outcomes[0].problems[0]) == (
        "inbox/pm10-days--a.csv: cannot be read (Permission denied) (fix: check that the file exists and that the "
        "tracker may read it (permissions))"
    )


def test_leftover_temporary_files_are_removed_at_the_next_run(tmp_path: Path) -> None:
    settings, cat = _project(tmp_path)
    pipeline.run(settings, updates=False)
    dead = 2**22 + 12345  # above the default pid_max: no such process
    site = settings.path("site")
    leftovers = [
        settings.path("cache") / "results" / f".waste-sorted.pickle.{dead}.tmp",
        settings.path("cache") / f".definitions.pickle.{dead}.tmp",
        site / ".feed.xml.k2j3h4.tmp",
        settings.path("rejected") / "20260101T000000Z" / ".x.csv.problems.txt.tmp",
    ]
    for path in leftovers:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("partial", encoding="utf-8")
    link = site.parent / f".site.link-20260101T000000000000Z-{dead}"
    os.symlink("nowhere", link)
    kept = [
        settings.path("cache") / "results" / f".live.pickle.{os.getppid()}.tmp",  # a live process's file
        settings.path("cache") / "notes.tmp",
        site.parent / "keep.tmp",
    ]  # not the tracker's own names
    for path in kept:
        path.write_text("keep", encoding="utf-8")
    pipeline.run(settings, updates=False, force=True)
    assert [p for p in [*leftovers, link] if p.exists() or p.is_symlink()] == []
    assert all(p.exists() for p in kept)


def test_yml_definition_is_accepted_and_a_twin_is_refused(tmp_path: Path) -> None:
    settings, _ = _project(tmp_path)
    folder = settings.path("indicators") / "environment"
    (folder / "pm10-days.yaml").rename(folder / "pm10-days.yml")
    assert "pm10-days" in [i.id for i in catalog.load_project(settings).indicators]
    (folder / "pm10-days.yaml").write_text(
        (folder / "pm10-days.yml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    with pytest.raises(catalog.ProblemsFound, match="pm10-days.yaml and pm10-days.yml both define"):
        catalog.load_project(settings)


def test_csv_download_defuses_formula_text() -> None:
    from types import SimpleNamespace

    from tracker.observations import Observation
    from tracker.site.data import indicator_csv

    ind = indicator()
    obs = [Observation(ind.id, "2015", 2015.0, 1.0, "", "=1+cmd|' /C calc'!A0", "", "-src", 2)]
    view = SimpleNamespace(
        ind=ind,
        series_keys=[""],
        series=[SimpleNamespace(key="")],
        observations=obs,
        peers=(),
        downloadable=obs,
    )
    text = indicator_csv(view)  # type: ignore[arg-type]
    assert "'=1+cmd|' /C calc'!A0" in text and ",'-src" in text
