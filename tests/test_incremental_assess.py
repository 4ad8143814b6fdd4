"""KeptResult results (tracker.assess.cache) on a small SYNTHETIC catalogue: a run after one changed file assesses one
indicator, and what it publishes and saves is exactly what a full recomputation gives."""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tracker import config, pipeline
from tracker.assess import cache as kept_results
from tracker.bench import synthetic
from tracker.config import DATABASE_ENV
from tracker.store import make_engine, session_scope, snapshot_at
from tracker.store.models import AssessmentRow, Run

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
INDICATORS = 12


@pytest.fixture
def project(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    synthetic.generate(root, indicators=INDICATORS, years=8, series=3, seed=11)
    monkeypatch.setenv(DATABASE_ENV, db_url)
    return root


def run(root: Path, **kw: object) -> pipeline.RunReport:
    return pipeline.run(config.load(root), now=NOW, updates=False, **kw)


def tree(site: Path) -> dict[str, str]:
    """Every file's hash, the feeds included (dated by the run's clock, like everything else)."""
    site = Path(os.path.realpath(site))
    return {
        p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


def rows_of(root: Path, run_id: int) -> int:
    engine = make_engine(config.load(root).database_url)
    with session_scope(engine) as s:
        count = s.scalar(
            select(func.count()).select_from(AssessmentRow).where(AssessmentRow.run_id == run_id)
        )
    engine.dispose()
    return count


def test_one_changed_file_reassesses_one_indicator_and_matches_a_full_recomputation(project: Path) -> None:
    first = run(project)
    assert first.reassessed == INDICATORS
    changed = synthetic.change_one_value(project)
    second = run(project)
    assert second.reassessed == 1
    assert [f.indicator_id for f in second.files if f.status == "accepted"] == [changed.stem]
    incremental_site = tree(project / "site")

    # The reference: everything recomputed (kept results ignored) and every page rendered afresh.
    shutil.rmtree(os.path.realpath(project / "site"))
    (project / "site").unlink()
    third = run(project, force=True)
    assert third.reassessed == INDICATORS
    assert rows_of(project, third.run_id) == 0  # the snapshot the incremental run saved was already exact
    assert tree(project / "site") == incremental_site
    assert {k: (v.headline.category, v.headline.score) for k, v in third.results.items()} == {
        k: (v.headline.category, v.headline.score) for k, v in second.results.items()
    }


def test_kept_results_are_not_used_with_another_database(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(project)
    monkeypatch.setenv(DATABASE_ENV, f"sqlite:///{tmp_path / 'other.sqlite'}")
    again = run(project)  # same files, same ids in a new database: the kept results describe the old one
    assert again.reassessed == INDICATORS
    engine = make_engine(config.load(project).database_url)
    with session_scope(engine) as s:
        assert len({k[0] for k in snapshot_at(s, again.run_id)}) == INDICATORS
    engine.dispose()


def test_kept_results_of_an_older_run_are_not_used(project: Path) -> None:
    run(project)
    folder = config.load(project).path("cache") / kept_results.FOLDER
    saved = {p.name: p.read_bytes() for p in folder.iterdir()}
    synthetic.change_one_value(project)
    assert run(project).reassessed == 1
    for name, data in saved.items():  # put back the state of the first run (another machine ran since)
        (folder / name).write_bytes(data)
    synthetic.change_one_value(project)
    assert run(project).reassessed == INDICATORS


def test_a_kept_file_that_names_other_code_is_refused_and_reassessed(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    run(project)
    folder = config.load(project).path("cache") / kept_results.FOLDER
    victim = sorted(folder.glob("*.pickle"))[0]
    marker = project / "pwned"

    class Evil:
        def __reduce__(self) -> tuple:
            return (os.system, (f"touch {marker}",))

    victim.write_bytes(pickle.dumps(Evil()))
    synthetic.change_one_value(project)
    report = run(project)
    assert not marker.exists()
    assert "is not a kept result type" in caplog.text
    assert report.reassessed in (1, 2)  # the refused entry, plus the changed file's indicator if different
    assert victim.stem in {k for k, v in report.results.items()}


def test_an_indicator_removed_from_the_catalogue_leaves_the_snapshot(project: Path) -> None:
    run(project)
    gone = sorted((project / "indicators").rglob("syn-0003.*"))
    assert gone
    for path in gone:
        path.unlink()
    report = run(project)
    assert report.reassessed == 0
    engine = make_engine(config.load(project).database_url)
    with session_scope(engine) as s:
        snapshot = snapshot_at(s, report.run_id)
        removed = s.scalars(select(AssessmentRow.category).where(AssessmentRow.run_id == report.run_id)).all()
        last = s.scalar(select(func.max(Run.id)))
    engine.dispose()
    assert "syn-0003" not in {k[0] for k in snapshot}
    assert removed and set(removed) == {"removed"}
    assert last == report.run_id


def test_a_first_run_assesses_from_the_files_it_just_read(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Values merged into an empty series are exactly the current values: not read back from the database."""
    import tracker.pipeline

    asked: list[object] = []
    real = tracker.pipeline.current_observations

    def spy(session: object, indicator_ids: object = None) -> object:
        asked.append(sorted(indicator_ids) if indicator_ids is not None else "all")
        return real(session, indicator_ids)

    monkeypatch.setattr(tracker.pipeline, "current_observations", spy)
    first = run(project)
    assert first.reassessed == INDICATORS and asked == []
    # A file for an indicator that already has values: its current values are read back.
    changed = synthetic.change_one_value(project)
    run(project)
    assert asked[-1] == [changed.stem]


def test_a_kept_file_cannot_reach_other_code_through_a_tracker_module(project: Path) -> None:
    """``tracker.assess.cache`` imports ``os``: a dotted name such as ``os.system`` must not resolve through it."""
    run(project)
    folder = config.load(project).path("cache") / kept_results.FOLDER
    victim = sorted(folder.glob("*.pickle"))[0]
    marker = project / "pwned"
    command = f"touch {marker}".encode()
    module, name = b"tracker.assess.cache", b"os.system"
    # PROTO 4, module, name, STACK_GLOBAL, the command, TUPLE1, REDUCE, STOP
    victim.write_bytes(
        b"\x80\x04\x8c"
        + bytes([len(module)])
        + module
        + b"\x8c"
        + bytes([len(name)])
        + name
        + b"\x93\x8c"
        + bytes([len(command)])
        + command
        + b"\x85R."
    )
    synthetic.change_one_value(project)
    report = run(project)
    assert not marker.exists()
    assert victim.stem in report.results


def test_kept_results_are_not_used_with_a_recreated_database(project: Path) -> None:
    """Same URL, same run ids and file ids after the database is recreated: the run's time tells them apart."""
    from sqlalchemy import text

    from tracker.store.models import Base

    first = run(project)
    engine = make_engine(config.load(project).database_url)
    Base.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))
    engine.dispose()
    again = run(project)
    assert again.run_id == first.run_id  # the same id in the new database
    assert again.reassessed == INDICATORS


def test_a_kept_summary_that_does_not_match_the_stored_values_means_a_full_recomputation(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A brief that lies (the values changed behind the kept results' back) is caught before publishing."""
    import dataclasses

    first = run(project)
    folder = config.load(project).path("cache") / kept_results.FOLDER
    victim = sorted(folder.glob("*.pickle"))[0]
    kept = pickle.loads(victim.read_bytes())
    victim.write_bytes(
        pickle.dumps(dataclasses.replace(kept, brief=dataclasses.replace(kept.brief, values_hash="0" * 32)))
    )
    from datetime import timedelta

    report = pipeline.run(
        config.load(project), now=NOW + timedelta(days=1), updates=False
    )  # a new day: a build
    assert "differ from the summary kept" in caplog.text
    assert report.reassessed == INDICATORS  # everything assessed again, then published
    page = (project / "site" / "en" / "indicators" / f"{victim.stem}.html").read_text(encoding="utf-8")
    assert victim.stem in page and report.site_pages == first.site_pages
