"""The parsed-definitions cache (tracker.yamlfile.TreeCache): same catalogue, fewer parses, nothing trusted blindly."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from tracker import catalog, yamlfile
from tracker.bench import synthetic
from tracker.problems import ProblemsFound


@pytest.fixture
def root(tmp_path: Path) -> Path:
    synthetic.generate(tmp_path / "p", indicators=6, years=3, series=1, seed=1)
    return tmp_path / "p"


def _count_parses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls = [0]
    real = yamlfile._SAFE.load

    def counted(text: str) -> object:
        calls[0] += 1
        return real(text)

    monkeypatch.setattr(yamlfile._SAFE, "load", counted)
    return calls


def test_unchanged_files_are_not_parsed_again_and_give_the_same_catalogue(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = root / "var" / "cache"
    first = catalog.load(root / "indicators", cache)
    calls = _count_parses(monkeypatch)
    second = catalog.load(root / "indicators", cache)
    assert calls[0] == 1  # objectives.yaml is read without the cache; the six definitions come from it
    assert [e.indicator for e in second.entries] == [e.indicator for e in first.entries]

    edited = sorted((root / "indicators").rglob("syn-0002.yaml"))[0]
    edited.write_text(
        edited.read_text(encoding="utf-8").replace("frequency: annual", "frequency: quarterly"),
        encoding="utf-8",
    )
    third = catalog.load(root / "indicators", cache)
    assert calls[0] == 3  # objectives.yaml again and the edited file only
    assert third.entry("syn-0002").indicator.frequency == "quarterly"


def test_an_invalid_file_is_reported_with_its_line_even_when_cached_before(root: Path) -> None:
    cache = root / "var" / "cache"
    catalog.load(root / "indicators", cache)
    broken = sorted((root / "indicators").rglob("syn-0003.yaml"))[0]
    broken.write_text(
        broken.read_text(encoding="utf-8")
        .replace("direction: increase", "direction: upwards")
        .replace("direction: decrease", "direction: upwards"),
        encoding="utf-8",
    )
    with pytest.raises(ProblemsFound) as found:
        catalog.load(root / "indicators", cache)
    [problem] = found.value.problems
    assert problem.key == "direction" and problem.line == 7


def test_a_cache_file_that_names_code_is_refused(root: Path, caplog: pytest.LogCaptureFixture) -> None:
    cache = root / "var" / "cache"
    catalog.load(root / "indicators", cache)
    marker = root / "pwned"

    class Evil:
        def __reduce__(self) -> tuple:
            return (os.system, (f"touch {marker}",))

    (cache / catalog.CACHE_FILE).write_bytes(pickle.dumps({"version": 1, "trees": {"x": Evil()}}))
    again = catalog.load(root / "indicators", cache)
    assert not marker.exists()
    assert len(again.entries) == 6


def test_keep_false_reads_the_cache_but_writes_nothing(root: Path) -> None:
    cache = root / "var" / "cache"
    catalog.load(root / "indicators", cache, keep=False)
    assert not cache.exists()
