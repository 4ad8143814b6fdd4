"""Safe YAML loading that keeps line numbers, and pydantic errors mapped back to them.

Config and indicator definitions are both YAML checked by pydantic models. Reporting every error at once
as ``file:line: key.path: message`` needs the position of each key, which ruamel.yaml's round-trip loader
keeps (YAML 1.2, so ``no``/``on`` stay strings; no arbitrary object construction).
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from tracker.problems import Problem, ProblemsFound

M = TypeVar("M", bound=BaseModel)

#: Deepest nesting of mappings and lists accepted in a YAML file (``limits.yaml_depth`` for definitions).
#: A few thousand levels overflow the parsers' recursion (a RecursionError, or a crash in libyaml).
DEFAULT_YAML_DEPTH = 32
#: Most aliases (``*name``) accepted in one file (``limits.yaml_aliases``): aliases of aliases expand
#: exponentially when the tree is walked (the "billion laughs").
DEFAULT_YAML_ALIASES = 100
_OPENERS = (
    "BlockMappingStartToken",
    "BlockSequenceStartToken",
    "FlowMappingStartToken",
    "FlowSequenceStartToken",
)
_CLOSERS = ("BlockEndToken", "FlowMappingEndToken", "FlowSequenceEndToken")


def check_shape(
    text: str, label: str, max_depth: int = DEFAULT_YAML_DEPTH, max_aliases: int = DEFAULT_YAML_ALIASES
) -> None:
    """Refuse a YAML text nested deeper than ``max_depth`` or with more than ``max_aliases`` aliases, before
    any parser builds a tree from it.

    A cheap bound decides most files at once: nesting needs a ``[``/``{`` or a deeper indentation (or a
    compact ``- -``) per level. Only a file that might exceed it is scanned into tokens (the scanner loops,
    it does not recurse) and measured exactly.
    """
    indent = max((len(line) - len(line.lstrip(" -?:\t")) for line in text.splitlines()), default=0)
    flow = text.count("[") + text.count("{")
    if flow + 2 * (indent + 1) <= max_depth and "*" not in text:
        return
    from ruamel.yaml.error import YAMLError

    depth = aliases = 0
    hint = "flatten the structure: definitions and config.yaml need only a few levels"
    try:
        for token in YAML(typ="rt", pure=True).scan(text):
            kind = type(token).__name__
            if kind in _OPENERS:
                depth += 1
                if depth > max_depth:
                    raise ProblemsFound(
                        [
                            Problem(
                                label,
                                f"nested deeper than {max_depth} levels",
                                line=token.start_mark.line + 1,
                                hint=hint,
                            )
                        ]
                    )
            elif kind in _CLOSERS:
                depth -= 1
            elif kind == "AliasToken":
                aliases += 1
                if aliases > max_aliases:
                    raise ProblemsFound(
                        [
                            Problem(
                                label,
                                f"more than {max_aliases} aliases (*name)",
                                line=token.start_mark.line + 1,
                                hint="write the values out instead of repeating aliases",
                            )
                        ]
                    )
    except YAMLError:
        return  # a syntax error: the parser reports it with its line


def read_text(path: Path, label: str) -> tuple[bytes, str]:
    """The bytes and the text of a YAML file, or a :class:`Problem` when it cannot be read as UTF-8."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ProblemsFound(
            [
                Problem(
                    label,
                    f"cannot be read ({exc.strerror or exc})",
                    hint="check that the file exists and that the tracker may read it",
                )
            ]
        ) from None
    try:
        text = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")  # as read_text() would
    except UnicodeDecodeError as exc:
        raise ProblemsFound(
            [Problem(label, f"not UTF-8 text ({exc.reason})", hint="save the file as UTF-8")]
        ) from exc
    return raw, text


def _plain(node: Any) -> Any:
    """Turn ruamel's commented containers into plain dicts and lists."""
    if isinstance(node, CommentedMap | dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, CommentedSeq | list):
        return [_plain(v) for v in node]
    return node


_SAFE = YAML(typ="safe")  # one instance: building a loader per file costs more than parsing a small one


class _PlainUnpickler(pickle.Unpickler):
    """Reads back plain YAML data only (containers, scalars, dates): a tampered cache cannot name a class."""

    ALLOWED = {
        ("datetime", "date"),
        ("datetime", "datetime"),
        ("datetime", "timezone"),
        ("datetime", "timedelta"),
    }

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self.ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not plain YAML data")


class TreeCache:
    """Parsed YAML kept between runs, keyed by each file's content hash.

    Parsing 1,000 unchanged definitions costs ~0.6 s; hashing them ~10 ms. Only trees from the fast loader
    are kept (files that parsed); anything unreadable in the cache file means starting empty.
    """

    VERSION = 1

    def __init__(self, file: Path) -> None:
        self.file = file
        self.trees: dict[str, Any] = {}
        self.used: dict[str, Any] = {}
        try:
            data = _PlainUnpickler(io.BytesIO(file.read_bytes())).load()
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError):
            return
        if (
            isinstance(data, dict)
            and data.get("version") == self.VERSION
            and isinstance(data.get("trees"), dict)
        ):
            self.trees = data["trees"]

    @staticmethod
    def key(raw: bytes) -> str:
        return hashlib.blake2b(raw, digest_size=16).hexdigest()

    def get(self, key: str) -> tuple[bool, Any]:
        if key in self.trees:
            self.used[key] = self.trees[key]
            return True, self.trees[key]
        return False, None

    def put(self, key: str, tree: Any) -> None:
        self.used[key] = tree

    def save(self) -> None:
        """Keep the trees of this load only (deleted files drop out); written whole or not at all."""
        if self.used.keys() == self.trees.keys():
            return
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.file.with_name(f".{self.file.name}.{os.getpid()}.tmp")
            tmp.write_bytes(pickle.dumps({"version": self.VERSION, "trees": self.used}, protocol=5))
            os.replace(tmp, self.file)
        except OSError:
            pass  # a cache that cannot be written only costs time next run


def read_tree(
    path: Path,
    label: str | None = None,
    *,
    positions: bool = True,
    cache: TreeCache | None = None,
    max_depth: int = DEFAULT_YAML_DEPTH,
    max_aliases: int = DEFAULT_YAML_ALIASES,
) -> Any:
    """Parse a YAML file; a syntax error, or nesting/aliases beyond the limits, becomes a located :class:`Problem`.

    With ``positions`` the round-trip loader keeps each key's line; without, the C-accelerated safe loader
    (7x faster) gives plain data, from ``cache`` when the file's content was parsed before. Both are YAML 1.2
    and construct no arbitrary objects.
    """
    label = label or str(path)
    raw, text = read_text(path, label)
    key = TreeCache.key(raw) if cache is not None else ""
    if cache is not None and not positions:
        hit, tree = cache.get(key)
        if hit:
            return tree  # checked when it was parsed
    check_shape(text, label, max_depth, max_aliases)
    if not positions:
        try:
            tree = _SAFE.load(text)
        except (MarkedYAMLError, ValueError):
            pass  # libyaml is stricter than YAML 1.2 in places (``{url: a:b}``): the pure parser decides
        else:
            if cache is not None:
                cache.put(key, tree)
            return tree
    try:
        return YAML(typ="rt", pure=True).load(text)
    except (
        ValueError
    ) as exc:  # a plain scalar shaped like a date that is none (2012-16-01) fails to construct
        raise ProblemsFound([_bad_timestamp(text, label, exc)]) from exc
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise ProblemsFound(
            [
                Problem(
                    label,
                    f"invalid YAML: {exc.problem or exc.context}",
                    line=line,
                    hint="check indentation and quoting",
                )
            ]
        ) from exc


_DATE_LIKE = re.compile(r"(?<![\w.:/-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\w.:/-])")


def _bad_timestamp(text: str, label: str, exc: ValueError) -> Problem:
    """The problem of a YAML value written like a date (``YYYY-MM-DD``) that is not a real date: YAML reads such a
    plain value as a date and cannot build it. Located at the first such value in the text."""
    import datetime as dt

    for number, line in enumerate(text.splitlines(), start=1):
        for found in _DATE_LIKE.finditer(line.split("#", 1)[0]):
            try:
                dt.date(int(found[1]), int(found[2]), int(found[3]))
            except ValueError as why:
                return Problem(
                    label,
                    f"{found[0]!r} is written like a date but is not one ({why})",
                    line=number,
                    hint="write a real date as YYYY-MM-DD (2012-01-16), or quote the text",
                )
    return Problem(
        label, f"a value could not be read ({exc})", hint="check the dates and numbers in the file"
    )


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
    if line is None and isinstance(tree, CommentedMap | CommentedSeq) and tree.lc.line is not None:
        line = tree.lc.line + 1
    return line


#: Separates a validator's message from its fix: ``raise ValueError(f"... is wrong{FIX}write ...")``.
FIX = " | fix: "


def problems_from(
    error: ValidationError, tree: Any, label: str, prefix: Sequence[int | str] = (), default_hint: str = ""
) -> list[Problem]:
    """Every pydantic error of one validation, each with its line and dotted key path; ``default_hint`` is the
    fix of the errors whose validator gave none (pydantic's own, such as a wrong type)."""
    found = []
    for err in error.errors(include_url=False):
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        full = [*prefix, *loc]
        msg = err["msg"].removeprefix("Value error, ")
        msg, _, hint = msg.partition(FIX)
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        elif err["type"] == "missing":
            msg = "required key is missing"
        if err["type"] == "extra_forbidden":
            hint = hint or f"remove it, or check its spelling; {default_hint}".rstrip("; ")
        found.append(
            Problem(
                label,
                msg,
                line=line_of(tree, full),
                key=".".join(str(p) for p in full),
                hint=hint or default_hint,
            )
        )
    return found


def load_model(
    model: type[M],
    path: Path,
    label: str | None = None,
    cache: TreeCache | None = None,
    *,
    context: dict[str, Any] | None = None,
    max_depth: int = DEFAULT_YAML_DEPTH,
    max_aliases: int = DEFAULT_YAML_ALIASES,
    hint: str = "",
) -> M:
    """Load ``path`` into ``model`` or raise :class:`ProblemsFound` listing every error at once, with lines.

    The fast loader reads valid files; only a file with errors is parsed again to find the lines.
    ``context`` goes to pydantic's validators (e.g. the project folder); ``hint`` is the fix of errors that
    come without one.
    """
    label = label or str(path)
    data = read_tree(path, label, positions=False, cache=cache, max_depth=max_depth, max_aliases=max_aliases)
    if data is None and any(f.is_required() for f in model.model_fields.values()):
        raise ProblemsFound(
            [Problem(label, "the file is empty", hint="write the keys the file needs (see the README)")]
        )
    if not isinstance(data, dict | None):
        raise ProblemsFound(
            [
                Problem(
                    label,
                    f"holds a {type(data).__name__}, not a mapping of keys",
                    line=1,
                    hint="write one key: value per line (see the README)",
                )
            ]
        )
    try:
        return model.model_validate({} if data is None else data, context=context)
    except ValidationError as exc:
        tree = read_tree(path, label, max_depth=max_depth, max_aliases=max_aliases) or CommentedMap()
        raise ProblemsFound(problems_from(exc, tree, label, default_hint=hint)) from exc
