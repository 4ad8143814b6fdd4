"""Reading files ahead in forked workers (tracker.intake.pool) gives what a sequential run gives, in order."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tracker import config, pipeline
from tracker.bench import synthetic
from tracker.config import DATABASE_ENV
from tracker.intake import pool
from tracker.store import current_observations, make_engine, session_scope

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def _project(root: Path) -> Path:
    synthetic.generate(root, indicators=14, years=6, series=2, seed=3)
    broken = sorted((root / "indicators").rglob("syn-0007.csv"))[0]  # one rejected file in the middle
    broken.write_text(broken.read_text(encoding="utf-8").replace(",", ";", 3), encoding="utf-8")
    return root


def _run(root: Path, monkeypatch: pytest.MonkeyPatch, *, pooled: bool) -> tuple[list, dict]:
    monkeypatch.setenv(DATABASE_ENV, f"sqlite:///{root / 'var' / 'db.sqlite'}")
    forked: list[int] = []
    if pooled:
        real = pool.ProcessPoolExecutor

        class Counted(real):  # type: ignore[misc, valid-type]
            def __init__(self, *args: object, **kwargs: object) -> None:
                forked.append(1)
                super().__init__(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(pool, "POOL_MIN_FILES", 0)
        monkeypatch.setattr(pool, "ProcessPoolExecutor", Counted)
        monkeypatch.setattr("tracker.forking.can_fork", lambda: True)
    report = pipeline.run(config.load(root), now=NOW, updates=False)
    assert forked == ([1] if pooled else [])
    engine = make_engine(config.load(root).database_url)
    with session_scope(engine) as s:
        values = {
            k: [(o.series, o.period, o.value, o.line) for o in v] for k, v in current_observations(s).items()
        }
    engine.dispose()
    outcomes = [(f.label, f.status, f.added, [str(p) for p in f.problems]) for f in report.files]
    return outcomes, values


def test_files_read_by_workers_are_stored_as_a_sequential_run_stores_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = _project(tmp_path / "one")
    two = tmp_path / "two"
    shutil.copytree(one, two)
    sequential = _run(one, monkeypatch, pooled=False)
    pooled = _run(two, monkeypatch, pooled=True)
    assert pooled == sequential
    statuses = [status for _, status, _, _ in pooled[0]]
    assert statuses.count("rejected") == 1 and statuses.count("accepted") == 13
    assert "syn-0007" in pooled[0][statuses.index("rejected")][0]  # outcomes in catalogue order


def test_a_failing_worker_is_reported_in_the_parent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _project(tmp_path / "p")
    monkeypatch.setenv(DATABASE_ENV, f"sqlite:///{root / 'var' / 'db.sqlite'}")
    monkeypatch.setattr(pool, "POOL_MIN_FILES", 0)
    monkeypatch.setattr("tracker.forking.can_fork", lambda: True)

    def boom(path: Path, indicator: object, **kwargs: object) -> object:
        raise RuntimeError(f"cannot read {path.name}")

    monkeypatch.setattr("tracker.intake.validate.read_observations", boom)
    with pytest.raises(RuntimeError, match="cannot read syn-"):
        pipeline.run(config.load(root), now=NOW, updates=False)
