"""A first run merges the catalogue's files in groups, one transaction per group (``pipeline.store_reads``): the
database it leaves is, table by table and row by row, the one a transaction per file (``store_read``) leaves,
and a failure inside a group leaves none of that group's files."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from tracker import catalog, config, pipeline
from tracker.bench import synthetic
from tracker.store import make_engine, session_scope, upgrade
from tracker.store import merge as store_merge

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
TABLES = ("source_files", "observations")


def _project(root: Path) -> Path:
    synthetic.generate(root, indicators=12, years=5, series=3, seed=11)
    broken = sorted((root / "indicators").rglob("syn-0005.csv"))[0]  # one rejected file inside a group
    broken.write_text(broken.read_text(encoding="utf-8").replace(",", ";", 3), encoding="utf-8")
    return root


def _dump(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    with engine.connect() as conn:
        return {t: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {t} ORDER BY id"))] for t in TABLES}


def _engine(root: Path, name: str) -> Engine:
    engine = make_engine(f"sqlite:///{root / name}")
    upgrade(engine)
    return engine


def _per_file(engine: Engine, settings: config.Settings, cat: catalog.Catalog) -> list[tuple[str, str, int]]:
    """The plain path: each file read, then merged (or its rejection noted) in a transaction of its own."""
    out = []
    for entry in cat.entries:
        assert entry.data_file is not None
        label = pipeline.relative_label(entry.data_file, settings.root)
        read = pipeline.read_file(
            entry.data_file, entry.indicator, label, today=NOW.date(), limits=settings.limits
        )
        digest = pipeline.sha256_of(entry.data_file)
        outcome = pipeline.store_read(engine, entry.indicator, label, digest, read, now=NOW)
        out.append((outcome.label, outcome.status, outcome.added))
    return out


def test_files_merged_in_groups_store_what_a_transaction_per_file_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path / "p")
    settings = config.load(root)
    cat = catalog.load_project(settings)
    sizes = [e.data_file.stat().st_size for e in cat.entries if e.data_file is not None]
    monkeypatch.setattr(pipeline, "GROUP_BYTES", 3 * max(sizes))  # groups of about three files, not one
    groups: list[int] = []
    real = pipeline.store_reads

    def counted(engine: Engine, reads: list, *args: object, **kwargs: object) -> list:
        groups.append(len(reads))
        return real(engine, reads, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "store_reads", counted)
    grouped_engine, plain_engine = _engine(tmp_path, "grouped.sqlite"), _engine(tmp_path, "plain.sqlite")
    grouped = pipeline.take_in_catalog(grouped_engine, settings, cat, now=NOW)
    assert len(groups) >= 3 and max(groups) > 1 and sum(groups) == 12
    monkeypatch.setattr(pipeline, "store_reads", real)
    plain = _per_file(plain_engine, settings, cat)

    assert [(o.label, o.status, o.added) for o in grouped] == plain
    assert [status for _, status, _ in plain].count("rejected") == 1
    assert _dump(grouped_engine) == _dump(plain_engine)
    assert len(_dump(grouped_engine)["observations"]) == 11 * 5 * 3
    grouped_engine.dispose()
    plain_engine.dispose()


def test_a_failure_inside_a_group_leaves_none_of_its_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path / "p")
    settings = config.load(root)
    cat = catalog.load_project(settings)
    sizes = [e.data_file.stat().st_size for e in cat.entries if e.data_file is not None]
    monkeypatch.setattr(pipeline, "GROUP_BYTES", 3 * max(sizes))
    order = [e.indicator.id for e in cat.entries]
    victim = order[7]
    real = store_merge.merge_file

    def failing(session: object, indicator_id: str, *args: object, **kwargs: object) -> object:
        if indicator_id == victim:
            raise RuntimeError("disk on fire")
        return real(session, indicator_id, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "merge_file", failing)
    engine = _engine(tmp_path, "db.sqlite")
    with pytest.raises(RuntimeError, match="disk on fire"):
        pipeline.take_in_catalog(engine, settings, cat, now=NOW)
    with session_scope(engine) as s:
        stored = [r[0] for r in s.execute(text("SELECT indicator_id FROM source_files ORDER BY id"))]
    engine.dispose()
    todo = [(k, e.indicator, "", "", e.data_file) for k, e in enumerate(cat.entries)]
    groups = [[item[1].id for item in group] for group in pipeline._groups(todo)]  # type: ignore[arg-type]
    before = next(k for k, group in enumerate(groups) if victim in group)
    assert before > 0 and len(groups[before]) > 1  # the failing file shares its transaction with another
    # Every file of the groups before the failing one is kept (the rejected one noted), none of its group.
    assert stored == [i for group in groups[:before] for i in group]
