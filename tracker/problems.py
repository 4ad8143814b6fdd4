"""The one way to describe something wrong with an input.

Every stage (config, catalogue, intake) reports through :class:`Problem`, so a data steward always sees
``file:line:column: message`` with a hint on how to fix it, and machines get the same facts as JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def visible(text: str) -> str:
    """``text`` on one line with control characters escaped (``\\n``, ``\\x1b``, ``\\u202e``): a file name or a
    cell holding a newline or a terminal escape must not print a forged line, or recolour the output; a file
    name's undecodable bytes (lone surrogates) would not even print."""
    return _CONTROL.sub(lambda m: repr(m.group(0))[1:-1], text)


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with one input, located as precisely as the input allows."""

    file: str
    message: str
    line: int | None = None
    column: str | None = None
    hint: str = ""
    key: str = ""  # dotted key path for YAML inputs, e.g. ``target.year``

    def __str__(self) -> str:
        return visible(self._text())

    def _text(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        if self.column:
            where += f":{self.column}"
        text = f"{where}: "
        if self.key:
            text += f"{self.key}: "
        text += self.message
        if self.hint:
            text += f" (fix: {self.hint})"
        return text

    def to_dict(self) -> dict[str, object]:
        """The facts as JSON-ready values (JSON escapes control characters itself; undecodable bytes of a file
        name are shown escaped)."""
        return {k: visible(v) if k == "file" else v for k, v in asdict(self).items() if v not in (None, "")}


class ProblemsFound(Exception):
    """Raised by a stage that found problems; carries all of them so none is hidden."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems, key=sort_key)
        super().__init__("\n".join(str(p) for p in self.problems))


def sort_key(problem: Problem) -> tuple[str, int, str, str]:
    return (problem.file, problem.line or 0, problem.column or "", problem.message)


def render(problems: Iterable[Problem], fmt: str = "text") -> str:
    """Render problems for people (``text``) or machines (``json``)."""
    items = sorted(problems, key=sort_key)
    if fmt == "json":
        return json.dumps([p.to_dict() for p in items], ensure_ascii=False, indent=2)
    return "\n".join(str(p) for p in items)
