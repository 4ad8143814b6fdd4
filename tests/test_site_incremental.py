"""Incremental builds (SYNTHETIC catalogue): only what changed is rendered, the rest is hard-linked from the
previous build, and the result is byte for byte what a build from scratch gives."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tracker import wording
from tracker.assess.base import IndicatorResult
from tracker.assess.outcome import Outcome
from tracker.site import indicators
from tracker.site.build import REPO_TEMPLATES, SiteReport, build_site
from tracker.site.incremental import MANIFEST, read_manifest
from tracker.site.publish import builds_folder
from tracker.site.sample import Sample, build_sample

CHANGED = "separate-waste"
HISTORY = {CHANGED: [{"at": "2025-06-01", "category": "moderate", "score": 1.5, "note": "earlier"}]}
#: When the indicators' values last changed in the database (what their pages call "last updated").
CHANGED_AT = {
    CHANGED: datetime(2025, 6, 1, 8, 0, tzinfo=UTC),
    "pm10-days": datetime(2025, 5, 20, 8, 0, tzinfo=UTC),
}
#: Rendered on every build: they list every indicator or show the build date (13 in the sample catalogue).
SHARED = {
    *(
        f"{lang}/{page}"
        for lang in ("it", "en")
        for page in ("index.html", "indicators.html", "status.html", "methodology.html", "guide.html")
    ),
    "index.html",
    "scorecard.json",
    "data/datapackage.json",
    "data/it/scorecard.xlsx",
    "data/en/scorecard.xlsx",
}
SHARED_FILES = {"scorecard.json", "data/datapackage.json", "data/it/scorecard.xlsx", "data/en/scorecard.xlsx"}
INDICATOR_PAGES = 20  # 5 indicators x 2 languages x (page + embeddable card)
#: Reused while their indicators are unchanged; the changed indicator is in "environment".
OBJECTIVE_PAGES = 12  # 3 objectives x 2 languages x (page + embeddable card)
CHANGED_OBJECTIVE = {
    f"{lang}/{embed}objectives/environment.html" for lang in ("it", "en") for embed in ("", "embed/")
}


def _build(
    s: Sample,
    out: Path,
    *,
    generated_at: datetime | None = None,
    results: dict[str, IndicatorResult] | None = None,
) -> SiteReport:
    outcome = Outcome(results or s.results, s.summaries, s.observations, history=HISTORY, changed=CHANGED_AT)
    return build_site(s.settings, s.catalog, outcome, generated_at=generated_at or s.generated_at, out=out)


def _files(root: Path) -> dict[str, Path]:
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}


def _own_files(ind: str) -> set[str]:
    """The pages, cards and downloads of one indicator."""
    return (
        {f"{lang}/{embed}indicators/{ind}.html" for lang in ("it", "en") for embed in ("", "embed/")}
        | {f"data/{ind}.{ext}" for ext in ("csv", "json")}
        | {f"data/{lang}/{ind}.xlsx" for lang in ("it", "en")}
    )


def _with_changed_value(s: Sample) -> Sample:
    """One value of one indicator revised, as after a corrected data file."""
    rows = list(s.observations[CHANGED])
    rows[-1] = replace(rows[-1], value=rows[-1].value - 0.1)
    return replace(s, observations={**s.observations, CHANGED: rows})


def _same_file(a: Path, b: Path) -> bool:
    return os.stat(a).st_ino == os.stat(b).st_ino


def test_one_changed_indicator_re_renders_only_its_files_and_the_shared_ones(tmp_path: Path) -> None:
    s = build_sample(tmp_path / "project")
    first = _build(s, tmp_path / "site")
    assert (first.rendered, first.reused, first.files_reused) == (first.pages, 0, 0)
    before = Path(os.path.realpath(first.path))
    changed = _with_changed_value(s)
    second = _build(changed, tmp_path / "site")
    after = Path(os.path.realpath(second.path))
    assert after != before and before.is_dir()  # a new tree, the previous one kept for a roll-back

    old, new = _files(before), _files(after)
    assert new.keys() == old.keys()
    rendered = {rel for rel, path in new.items() if not _same_file(path, old[rel])}
    # Exactly: the changed indicator's pages and downloads, the shared pages and files, and the manifest.
    assert rendered == _own_files(CHANGED) | SHARED | CHANGED_OBJECTIVE | {MANIFEST}
    assert (second.rendered, second.reused) == (
        len(SHARED - SHARED_FILES) + 8,
        INDICATOR_PAGES - 4 + OBJECTIVE_PAGES - 4,
    )
    assert second.files_reused == len(new) - len(rendered)  # other pages, downloads and the four assets
    assert _same_file(new["assets/plotly.min.js"], old["assets/plotly.min.js"])
    assert (
        old["en/indicators/separate-waste.html"].read_bytes()  # the previous build was not touched
        != new["en/indicators/separate-waste.html"].read_bytes()
    )

    # The tree equals a build from scratch of the same inputs, byte for byte (the manifest included).
    scratch = _build(changed, tmp_path / "scratch")
    assert scratch.reused == 0
    fresh = _files(scratch.path.resolve())
    assert fresh.keys() == new.keys()
    assert [rel for rel in new if new[rel].read_bytes() != fresh[rel].read_bytes()] == []
    assert (second.pages, second.files, second.bytes) == (scratch.pages, scratch.files, scratch.bytes)


def test_a_real_site_folder_is_reused_too(tmp_path: Path) -> None:
    """A published ``site`` that is a plain folder (made by hand or by an older version) is exchanged whole;
    its files are still the previous build to link from, and survive its removal through the links."""
    s = build_sample(tmp_path / "project")
    site = tmp_path / "site"
    site.mkdir()
    first = _build(s, site)
    assert not site.is_symlink() and first.reused == 0
    inode = (site / "en" / "indicators" / "turnout.html").stat().st_ino
    second = _build(_with_changed_value(s), site)
    assert not site.is_symlink() and second.reused == INDICATOR_PAGES - 4 + OBJECTIVE_PAGES - 4
    page = site / "en" / "indicators" / "turnout.html"
    assert page.stat().st_ino == inode and page.stat().st_nlink == 1  # the old tree is gone, the page is not
    assert list(builds_folder(site).iterdir()) == []


def test_a_later_day_with_no_change_reuses_every_indicator_page(tmp_path: Path) -> None:
    """The build date is on the shared pages only: a daily run rewrites neither indicator nor objective pages."""
    s = build_sample(tmp_path / "project")
    first = _build(s, tmp_path / "site")
    second = _build(s, tmp_path / "site", generated_at=s.generated_at + timedelta(days=1))
    reused = INDICATOR_PAGES + OBJECTIVE_PAGES
    assert (second.rendered, second.reused) == (first.pages - reused, reused)
    objective = (second.path / "en" / "objectives" / "environment.html").read_text(encoding="utf-8")
    assert "Data last updated on June 1, 2025." in objective and "Page built on" not in objective
    page = (second.path / "en" / "indicators" / "separate-waste.html").read_text(encoding="utf-8")
    assert "Data last updated on June 1, 2025." in page and "November" not in page
    assert "Page built on November 27, 2025." in (second.path / "en" / "index.html").read_text(
        encoding="utf-8"
    )


def test_a_template_change_re_renders_every_page(tmp_path: Path) -> None:
    s = build_sample(tmp_path / "project")
    shutil.copytree(REPO_TEMPLATES, s.settings.root / "templates")  # the project's own copy is used
    first = _build(s, tmp_path / "site")
    old = _files(first.path.resolve())
    definition = s.settings.root / "templates" / "_definition.html"
    definition.write_text(
        definition.read_text(encoding="utf-8") + "{# edited #}\n<!-- edited -->\n", encoding="utf-8"
    )
    second = _build(s, tmp_path / "site")
    assert (second.rendered, second.reused) == (first.pages, 0)
    new = _files(second.path.resolve())
    pages = [rel for rel in new if rel.endswith(".html")]
    assert not any(_same_file(new[rel], old[rel]) for rel in pages)
    assert "<!-- edited -->" in new["it/indicators/turnout.html"].read_text(encoding="utf-8")
    # The downloads are made without templates: they are still reused.
    assert all(
        _same_file(new[rel], old[rel]) for rel in new if rel.startswith("data/") and rel not in SHARED_FILES
    )


@pytest.mark.parametrize(
    ("template", "page", "still_reused"),
    [
        ("indicator.html", "indicators/turnout.html", OBJECTIVE_PAGES + INDICATOR_PAGES // 2),  # + the cards
        ("objective.html", "objectives/environment.html", INDICATOR_PAGES + OBJECTIVE_PAGES // 2),
    ],
)
def test_pages_that_show_site_wide_data_are_never_reused(
    tmp_path: Path, template: str, page: str, still_reused: int
) -> None:
    """A project's own templates may show the build date on every page (as older ones did): such pages are
    rendered on every build rather than reused with a stale date; the other kind is still reused."""
    s = build_sample(tmp_path / "project")
    shutil.copytree(REPO_TEMPLATES, s.settings.root / "templates")
    source = s.settings.root / "templates" / template
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    source.write_text(
        "".join(line for line in lines if "{% block generated %}" not in line), encoding="utf-8"
    )
    _build(s, tmp_path / "site")
    second = _build(s, tmp_path / "site", generated_at=s.generated_at + timedelta(days=1))
    assert second.reused == still_reused
    assert "Page built on November 27, 2025." in (second.path / "en" / page).read_text(encoding="utf-8")


def test_a_warning_names_indicator_pages_that_cannot_be_reused(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    s = build_sample(tmp_path / "project")
    shutil.copytree(REPO_TEMPLATES, s.settings.root / "templates")
    source = s.settings.root / "templates" / "indicator.html"
    source.write_text(
        source.read_text(encoding="utf-8").replace("{% block generated %}", "{% block unused %}", 1),
        encoding="utf-8",
    )
    _build(s, tmp_path / "site")
    assert "cannot reuse them" in caplog.text


@pytest.fixture
def edited_translations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201 - a generator fixture
    """A copy of the catalogues with one Italian wording changed, used in place of the real ones."""
    copy = tmp_path / "locales"
    shutil.copytree(wording.LOCALES, copy)

    def edit() -> None:
        po = copy / "it" / "LC_MESSAGES" / "messages.po"
        text = po.read_text(encoding="utf-8")
        assert 'msgstr "Ultimo aggiornamento dei dati"' in text
        po.write_text(
            text.replace('msgstr "Ultimo aggiornamento dei dati"', 'msgstr "Aggiornato l\'ultima volta"'),
            encoding="utf-8",
        )
        wording.clear()

    monkeypatch.setattr(wording, "LOCALES", copy)
    wording.clear()
    yield edit
    monkeypatch.undo()
    wording.clear()


def test_a_translation_change_re_renders_every_page(tmp_path: Path, edited_translations) -> None:  # noqa: ANN001
    s = build_sample(tmp_path / "project")
    first = _build(s, tmp_path / "site")
    edited_translations()
    second = _build(s, tmp_path / "site")
    assert (second.rendered, second.reused) == (first.pages, 0)
    page = (second.path / "it" / "indicators" / "pm10-days.html").read_text(encoding="utf-8")
    assert "<dt>Aggiornato l'ultima volta</dt>" in page


def _broken(s: Sample, ind: str) -> dict[str, IndicatorResult]:
    """A score that is not a number: the template fails midway through the build."""
    good = s.results[ind]
    return {
        **s.results,
        ind: IndicatorResult(good.indicator_id, replace(good.headline, score="n/a"), good.others),
    }


def _snapshot(root: Path) -> dict[str, tuple[int, int, bytes]]:
    return {rel: (p.stat().st_ino, p.stat().st_nlink, p.read_bytes()) for rel, p in _files(root).items()}


@pytest.mark.parametrize("pool", [False, True], ids=["in-process", "worker-pool"])
def test_a_failed_build_leaves_the_published_build_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pool: bool
) -> None:
    if pool:
        monkeypatch.setattr(indicators, "POOL_MIN_PAGES", 0)
        monkeypatch.setattr("tracker.forking.can_fork", lambda: True)
    s = build_sample(tmp_path / "project")
    first = _build(s, tmp_path / "site")
    published = first.path.resolve()
    before = _snapshot(published)
    changed = _with_changed_value(s)  # separate-waste is rendered again, the other pages are linked first
    with pytest.raises(ArithmeticError):  # babel cannot format "n/a" as a number
        _build(changed, tmp_path / "site", results=_broken(changed, CHANGED))
    assert first.path.resolve() == published
    assert _snapshot(published) == before  # same files, same inodes, no link left over, same bytes
    assert [p.name for p in builds_folder(first.path).iterdir()] == [published.name]
    assert read_manifest(published)  # still readable: the next build reuses it
    assert _build(changed, tmp_path / "site").reused == INDICATOR_PAGES - 4 + OBJECTIVE_PAGES - 4


def test_the_worker_pool_gives_the_same_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s = build_sample(tmp_path / "project")
    in_process = _build(s, tmp_path / "one")
    pools: list[object] = []

    class CountedPool(indicators.ProcessPoolExecutor):
        def __init__(self, *args: object, **kwargs: object) -> None:
            pools.append(self)
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(indicators, "POOL_MIN_PAGES", 0)
    monkeypatch.setattr("tracker.forking.can_fork", lambda: True)
    monkeypatch.setattr(indicators, "ProcessPoolExecutor", CountedPool)
    pooled = _build(s, tmp_path / "two")
    assert len(pools) == 1
    one, two = _files(in_process.path.resolve()), _files(pooled.path.resolve())
    assert one.keys() == two.keys()
    assert [rel for rel in one if one[rel].read_bytes() != two[rel].read_bytes()] == []
    assert (pooled.pages, pooled.largest_indicator_page) == (
        in_process.pages,
        in_process.largest_indicator_page,
    )


def test_a_manifest_that_cannot_be_trusted_means_a_full_build(tmp_path: Path) -> None:
    s = build_sample(tmp_path / "project")
    first = _build(s, tmp_path / "site")
    manifest = first.path.resolve() / MANIFEST
    manifest.unlink()
    manifest.write_text("{not json", encoding="utf-8")
    assert read_manifest(first.path.resolve()) == {}
    assert _build(s, tmp_path / "site").reused == 0
    # A file the manifest lists but that is gone is rendered again rather than missing.
    third_input = _build(s, tmp_path / "site")
    assert third_input.reused == INDICATOR_PAGES + OBJECTIVE_PAGES
    (third_input.path.resolve() / "en" / "indicators" / "turnout.html").unlink()
    fourth = _build(s, tmp_path / "site")
    assert (fourth.reused, (fourth.path / "en" / "indicators" / "turnout.html").is_file()) == (
        INDICATOR_PAGES - 1 + OBJECTIVE_PAGES,
        True,
    )


def test_a_small_build_renders_its_shared_pages_in_a_child_and_gives_the_same_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The objective, list and status pages made by a forked child are the pages an in-process build makes."""
    s = build_sample(tmp_path / "project")
    changed = _with_changed_value(s)
    _build(s, tmp_path / "one")
    in_process = _build(changed, tmp_path / "one")
    forks: list[object] = []

    class CountedPool(indicators.ProcessPoolExecutor):
        def __init__(self, *args: object, **kwargs: object) -> None:
            forks.append(self)
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("tracker.forking.can_fork", lambda: True)
    monkeypatch.setattr(indicators, "ProcessPoolExecutor", CountedPool)
    _build(s, tmp_path / "two")
    forked = _build(changed, tmp_path / "two")
    assert len(forks) == 2  # one child per build, none for the indicator pages (a small build)
    one, two = _files(in_process.path.resolve()), _files(forked.path.resolve())
    assert one.keys() == two.keys()
    assert [rel for rel in one if one[rel].read_bytes() != two[rel].read_bytes()] == []
    assert (forked.rendered, forked.reused) == (in_process.rendered, in_process.reused)
