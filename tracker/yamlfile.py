"""Safe YAML loading that keeps line numbers, and pydantic errors mapped back to them.

Config and indicator definitions are both YAML checked by pydantic models. Reporting every error at once
as ``file:line: key.path: message`` needs the position of each key, which ruamel.yaml's round-trip loader
keeps (YAML 1.2, so ``no``/``on`` stay strings; no arbitrary object construction).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from tracker.problems import Problem, ProblemsFound

M = TypeVar("M", bound=BaseModel)


def _plain(node: Any) -> Any:
    """Turn ruamel's commented containers into plain dicts and lists."""
    if isinstance(node, CommentedMap | dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, CommentedSeq | list):
        return [_plain(v) for v in node]
    return node


def read_tree(path: Path, label: str | None = None, *, positions: bool = True) -> Any:
    """Parse a YAML file; a syntax error becomes a located :class:`Problem`.

    With ``positions`` the round-trip loader keeps each key's line; without, the C-accelerated safe loader
    (7x faster) gives plain data. Both are YAML 1.2 and construct no arbitrary objects.
    """
    label = label or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ProblemsFound([Problem(label, f"not UTF-8 text ({exc.reason})", hint="save the file as UTF-8")]) from exc
    if not positions:
        try:
            return YAML(typ="safe").load(text)
        except MarkedYAMLError:
            pass  # libyaml is stricter than YAML 1.2 in places (``{url: a:b}``): the pure parser decides
    try:
        return YAML(typ="rt", pure=True).load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise ProblemsFound(
            [Problem(label, f"invalid YAML: {exc.problem or exc.context}", line=line, hint="check indentation and quoting")]
        ) from exc


def line_of(tree: Any, loc: Sequence[int | str]) -> int | None:
    """Best line for a pydantic error location: the deepest key that exists in the tree."""
    node, line = tree, None
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            line = node.lc.key(part)[0] + 1
            node = node[part]
        elif isinstance(node, CommentedSeq) and str(part).isdigit() and int(part) < len(node):
            line = node.lc.item(int(part))[0] + 1
            node = node[int(part)]
        else:
            break
    if line is None and isinstance(tree, CommentedMap | CommentedSeq):
        line = tree.lc.line + 1
    return line


def problems_from(error: ValidationError, tree: Any, label: str, prefix: Sequence[int | str] = ()) -> list[Problem]:
    """Every pydantic error of one validation, each with its line and dotted key path."""
    found = []
    for err in error.errors(include_url=False):
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        full = [*prefix, *loc]
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        elif err["type"] == "missing":
            msg = "required key is missing"
        found.append(Problem(label, msg, line=line_of(tree, full), key=".".join(str(p) for p in full)))
    return found


def load_model(model: type[M], path: Path, label: str | None = None) -> M:
    """Load ``path`` into ``model`` or raise :class:`ProblemsFound` listing every error at once, with lines.

    The fast loader reads valid files; only a file with errors is parsed again to find the lines.
    """
    label = label or str(path)
    data = read_tree(path, label, positions=False)
    try:
        return model.model_validate({} if data is None else data)
    except ValidationError as exc:
        tree = read_tree(path, label) or CommentedMap()
        raise ProblemsFound(problems_from(exc, tree, label)) from exc
