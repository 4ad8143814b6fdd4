"""Data flows one way: a room of the house never imports a room above it, at module level or inside a function.

config → catalog → intake → store → assess → site → updates, with the pipeline on top, the scheduler's jobs and
the benchmark over it and the CLI over everything; the foundation (problems, YAML reading, the observation
record, formula rule, process helpers) sits below them all. Read statically (``ast``), so an import hidden in a
function counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "tracker"
FOUNDATION = {
    "",
    "problems",
    "yamlfile",
    "observations",
    "gc_freeze",
    "forking",
    "formulas",
    "resources",
    "wording",
}
RANK = {
    "config": 1,
    "catalog": 2,
    "intake": 3,
    "store": 4,
    "assess": 5,
    "site": 6,
    "updates": 7,
    "pipeline": 8,
    "jobs": 9,
    "schedule": 9,
    "bench": 9,
    "scaffold": 9,
    "cli": 10,
    "__main__": 11,
}


def room(module: str) -> str:
    """``tracker.assess.cache`` → ``assess``; ``tracker`` itself → ``""`` (the foundation)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def rank(name: str) -> int:
    return 0 if name in FOUNDATION else RANK[name]


def module_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str) -> bool:
    return (PACKAGE / f"{name}.py").exists() or (PACKAGE / name / "__init__.py").exists()


def imports(path: Path) -> list[tuple[int, str]]:
    """Every ``tracker`` module ``path`` imports, with its line (``from tracker import x`` names ``tracker.x``)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if node.module == "tracker":  # a submodule, or a name defined in tracker/__init__.py
                found += [
                    (node.lineno, f"tracker.{a.name}" if _is_module(a.name) else "tracker")
                    for a in node.names
                ]
            else:
                found.append((node.lineno, node.module))
    return [(line, name) for line, name in found if name == "tracker" or name.startswith("tracker.")]


def test_every_module_belongs_to_a_known_room() -> None:
    rooms = {room(module_of(p)) for p in PACKAGE.rglob("*.py")}
    assert rooms <= FOUNDATION | set(RANK), rooms - FOUNDATION - set(RANK)


def test_no_room_imports_a_room_above_it() -> None:
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        me = room(module_of(path))
        for line, name in imports(path):
            other = room(name)
            if other != me and rank(other) > rank(me):
                upward.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {me or 'tracker'} imports {name}")
    assert upward == []


def test_the_check_catches_an_upward_import(tmp_path: Path) -> None:
    """The rule is not vacuous: a store module importing the site is reported."""
    bad = tmp_path / "tracker" / "store" / "bad.py"
    bad.parent.mkdir(parents=True)
    bad.write_text("def f():\n    from tracker.site import build\n", encoding="utf-8")
    ((line, name),) = imports(bad)
    assert line == 2 and rank(room(name)) > rank("store")
