"""Folder settings (issue #13): whatever ``validate`` accepts keeps every role inside the project and apart from
the others, so ``run`` can only write where it is allowed to. A property test over generated layouts (relative,
absolute, ``.``, ``..``, nested, through symbolic links), checked by an independent rule on the real paths;
then ``tracker run`` on unusual but accepted layouts, with a sentinel folder beside the project.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from tests.test_end_to_end import make_project, tracker
from tests.test_hostile import listing
from tracker.config import DEFAULT_PATHS, PATH_ROLES, Config

# One project for every example: a folder with links inside (to a sibling) and out (to a folder beside it).
_BASE = Path(tempfile.mkdtemp(prefix="tracker-paths-")).resolve()
atexit.register(shutil.rmtree, _BASE, True)
ROOT = _BASE / "project"
(ROOT / "indicators").mkdir(parents=True)
(ROOT / "var").mkdir()
(_BASE / "elsewhere").mkdir()
os.symlink(_BASE / "elsewhere", ROOT / "out-link")
os.symlink("indicators", ROOT / "in-link")

PARTS = [".", "..", "a", "b", "var", "indicators", "site", "inbox", "cache", "out-link", "in-link", "x y", ""]
RELATIVE = st.lists(st.sampled_from(PARTS), min_size=1, max_size=4).map("/".join)
ODD = st.sampled_from(
    [
        "/",
        "/tmp/x",
        str(ROOT),
        str(ROOT / "site"),
        "~",
        "~/x",
        "C:/x",
        "./",
        "a/",
        "a//b",
        "\\\\server\\share",
        "a\\..\\..\\x",
    ]
)
LAYOUT = st.dictionaries(st.sampled_from(PATH_ROLES), st.one_of(RELATIVE, ODD), max_size=len(PATH_ROLES))
DATABASE = st.sampled_from(
    [
        "sqlite:///var/tracker.sqlite",
        "sqlite:///indicators/t.sqlite",
        "sqlite:///t.sqlite",
        "sqlite:///site/x/t.sqlite",
        "sqlite:///a/b.sqlite",
        f"sqlite:///{ROOT}/inbox/t.sqlite",
        "sqlite:///:memory:",
    ]
)


def real(role: str, value: str) -> str:
    """Where ``run`` writes for a role, by the OS's own resolution (the site link itself is replaced)."""
    path = ROOT / value
    if role == "site":
        return os.path.join(os.path.realpath(path.parent), path.name)
    return os.path.realpath(path)


def inside(path: str, folder: str) -> bool:
    return os.path.commonpath([path, folder]) == folder


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LAYOUT, DATABASE)
def test_validate_refuses_every_escaping_or_overlapping_layout(layout: dict[str, str], database: str) -> None:
    try:
        config = Config.model_validate(
            {"paths": layout, "database": {"url": database}}, context={"root": ROOT}
        )
    except ValidationError:
        return  # refused: run never starts
    chosen = {role: getattr(config.paths, role) for role in PATH_ROLES}
    assert chosen == {**DEFAULT_PATHS, **layout}
    folders = {role: real(role, value) for role, value in chosen.items()}
    root = str(ROOT)
    for role, folder in folders.items():
        assert folder != root and inside(folder, root), (role, chosen[role], folder)
        for other, theirs in folders.items():
            if other != role:
                assert not inside(folder, theirs), (role, other, chosen)
    if database.startswith("sqlite:///") and database != "sqlite:///:memory:":
        file = os.path.realpath(ROOT / database.removeprefix("sqlite:///"))
        assert not any(inside(file, folder) for folder in folders.values()), (database, chosen)


@pytest.mark.parametrize(
    "layout",
    [
        {
            "site": "public/site",
            "inbox": "drop",
            "archive": "store/archive",
            "rejected": "store/rejected",
            "cache": "tmp/cache",
        },
        {"site": "out", "inbox": "var/inbox"},
    ],
)
def test_run_on_an_accepted_layout_writes_only_its_folders(tmp_path: Path, layout: dict[str, str]) -> None:
    project = make_project(tmp_path / "project")
    sentinel = tmp_path / "sentinel"
    sentinel.mkdir()
    (sentinel / "keep.txt").write_text("untouched\n", encoding="utf-8")
    lines = "".join(f"  {k}: {v}\n" for k, v in layout.items())
    (project / "config.yaml").write_text(
        f"database:\n  url: sqlite:///var/test.sqlite\npaths:\n{lines}", encoding="utf-8"
    )
    inbox = project / layout["inbox"]
    inbox.mkdir(parents=True)
    (inbox / "pm10-days.csv").write_text("period,value\n2015,20\n", encoding="utf-8")
    (inbox / "waste-sorted--bad.csv").write_text("period,value\n2015,200\n", encoding="utf-8")
    definitions = listing(project / "indicators")
    outside = listing(sentinel)
    result = tracker("run", cwd=project)
    assert result.returncode == 1, result.stderr  # one rejected file
    assert listing(project / "indicators") == definitions
    assert listing(sentinel) == outside
    allowed = [project / layout.get(r, DEFAULT_PATHS[r]) for r in ("site", "archive", "rejected", "cache")]
    allowed += [
        project / "var",
        (project / layout["site"]).parent,
    ]  # the database; the site's builds beside it
    for path in project.rglob("*"):
        if path.is_file() and not path.is_symlink():
            assert (
                path.is_relative_to(project / "indicators")
                or path.name == "config.yaml"
                or any(path.is_relative_to(folder) for folder in allowed)
            ), path
    assert list(inbox.iterdir()) == []
    assert (project / layout.get("archive", "var/archive")).is_dir()
