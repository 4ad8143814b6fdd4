"""A release a city can pin: the version written once has its own CHANGELOG entry."""

from __future__ import annotations

import re
from pathlib import Path

import tracker

ROOT = Path(__file__).resolve().parents[1]


def test_the_version_has_a_dated_changelog_entry() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?$", text, flags=re.MULTILINE)
    releases = {version: date for version, date in headings if version != "Unreleased"}
    assert tracker.__version__ in releases, f"add '## [{tracker.__version__}] - YYYY-MM-DD' to CHANGELOG.md"
    assert releases[tracker.__version__], "a release heading carries its date"
    # newest first, as Keep a Changelog orders them
    versions = [tuple(int(part) for part in v.split(".")) for v, _ in headings if v != "Unreleased"]
    assert versions == sorted(versions, reverse=True)
