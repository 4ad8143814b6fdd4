"""Spreadsheet formula injection (CSV injection), the OWASP rule, in one place for intake and the downloads.

A spreadsheet opening a CSV runs any cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (and tab or
carriage return are stripped first by some), e.g. ``=1+cmd|' /C calc'!A0``. OWASP's advice: treat every such
cell as dangerous unless it is a plain number. Intake refuses them in text columns; the published CSV files
prefix any that got through (older data) with ``'`` so that a spreadsheet shows it as text.

Pure Python, so the catalogue can import it cheaply.
"""

from __future__ import annotations

import re

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d+)*|[.,]\d+)(?:[eE][+-]?\d+)?%?")
FORMULA_HINT = "start the text with a letter or a digit: a spreadsheet would run it as a formula"


def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet could run ``text`` as a formula: a trigger first, and not a plain number."""
    return text.startswith(TRIGGERS) and not _PLAIN_NUMBER.fullmatch(text.strip())


def defuse(text: str) -> str:
    """``text`` as it is safe to publish in a CSV cell: prefixed with ``'`` when it looks like a formula."""
    return "'" + text if looks_like_formula(text) else text
