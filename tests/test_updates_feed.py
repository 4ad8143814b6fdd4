"""The public digests: Atom feed and updates page written into the site, and what follows a recompute."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import Hook, Mailbox
from tests.test_updates_changes import BIKES, WASTE, open_project, record_run
from tests.test_updates_delivery import setup_project
from tracker import catalog, config, updates
from tracker.assess.base import Category
from tracker.store import db
from tracker.updates import feed

ATOM = "{http://www.w3.org/2005/Atom}"


def test_feed_and_updates_page(tmp_path: Path) -> None:
    _, _, engine = open_project(tmp_path)
    (tmp_path / "config.yaml").write_text(
        "database: {url: sqlite:///var/test.sqlite}\nsite: {base_url: 'https://example.org/scorecard/'}\n",
        encoding="utf-8",
    )
    definition = tmp_path / "indicators" / "mobility" / "bike-trips.yaml"
    definition.write_text(
        definition.read_text(encoding="utf-8").replace("Indicator bike-trips", "Bikes & <trains>"),
        encoding="utf-8",
    )
    settings = config.load(tmp_path)
    cat = catalog.load(settings.path("indicators"))
    site = tmp_path / "site"
    (site / "en").mkdir(parents=True)

    record_run(
        engine,
        {"bike-trips": BIKES},
        {"bike-trips": Category.MODERATE},
        files={"inbox/nobody.csv": "rejected"},
        status="rejected",
    )
    assert len(feed.record_digests(settings, engine, cat)) == 2  # one per language
    assert feed.record_digests(settings, engine, cat) == []  # no new run
    record_run(engine, {}, {"bike-trips": Category.MODERATE})
    assert feed.record_digests(settings, engine, cat) == []  # a run that changed nothing
    record_run(
        engine, {"waste-sorted": WASTE}, {"bike-trips": Category.ON_TRACK, "waste-sorted": Category.ACHIEVED}
    )
    assert len(feed.record_digests(settings, engine, cat)) == 2
    written = feed.write_feed(settings, engine)
    assert {p.relative_to(site).as_posix() for p in written} == {
        "feed.xml",
        "it/feed.xml",
        "en/feed.xml",
        "it/updates.html",
        "en/updates.html",
    }

    root = ET.parse(site / "en" / "feed.xml").getroot()
    assert root.tag == f"{ATOM}feed" and root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 2
    newest = entries[0]
    assert newest.findtext(f"{ATOM}title").startswith("Milan Smart City scorecard: 4 changes since ")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", newest.findtext(f"{ATOM}updated"))
    assert newest.findtext(f"{ATOM}id").startswith("urn:uuid:")
    assert len({e.findtext(f"{ATOM}id") for e in entries}) == 2
    link = newest.find(f"{ATOM}link").get("href")
    assert re.fullmatch(r"https://example.org/scorecard/en/updates.html#digest-\d+", link)
    content = newest.find(f"{ATOM}content")
    assert content.get("type") == "html"
    assert "✔" in content.text and "Target achieved" in content.text and "↑" in content.text
    assert "Bikes &amp; &lt;trains&gt;" in content.text  # escaped once in the HTML, once more in the XML
    oldest = entries[1].find(f"{ATOM}content").text
    assert "nobody.csv" not in oldest  # rejected files are operations detail, not public news
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == "https://example.org/scorecard/en/feed.xml"
    assert ET.parse(site / "feed.xml").getroot().get("{http://www.w3.org/XML/1998/namespace}lang") == "it"

    page = (site / "it" / "updates.html").read_text(encoding="utf-8")
    assert '<html lang="it">' in page and 'href="../assets/site.css"' in page
    assert 'type="application/atom+xml"' in page and 'href="feed.xml"' in page
    assert page.count('<article id="digest-') == 2 and "Obiettivo raggiunto" in page
    assert 'href="../en/updates.html"' in page
    engine.dispose()


def test_no_site_no_feed(tmp_path: Path) -> None:
    settings, cat, engine = open_project(tmp_path)
    record_run(engine, {"bike-trips": BIKES}, {"bike-trips": Category.MODERATE})
    feed.record_digests(settings, engine, cat)
    assert feed.write_feed(settings, engine) == []
    assert not (tmp_path / "site").exists()
    engine.dispose()


def _site_files(site: Path) -> dict[str, tuple[bytes, int, int]]:
    return {
        p.relative_to(site).as_posix(): (p.read_bytes(), p.stat().st_ino, p.stat().st_mtime_ns)
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


def test_feed_files_already_written_are_kept_and_equal_the_plain_rendering(tmp_path: Path) -> None:
    """``write_feed`` skips rendering only when the files in the site are byte for byte what it would write."""
    from datetime import UTC, datetime

    settings, cat, engine = open_project(tmp_path)
    site = tmp_path / "site"
    (site / "en").mkdir(parents=True)
    record_run(engine, {"bike-trips": BIKES}, {"bike-trips": Category.MODERATE})
    feed.record_digests(settings, engine, cat)
    first = feed.write_feed(settings, engine)
    before = _site_files(site)
    plain = feed.feed_files(settings, engine)  # the plain path: rendered again from the database
    assert {name: text.encode("utf-8") for name, text in plain.items()} == {
        k: v[0] for k, v in before.items()
    }

    # Nothing changed (a later clock does not show: every language has a digest): not even rewritten.
    later = datetime(2031, 1, 1, tzinfo=UTC)
    assert feed.write_feed(settings, engine, now=later) == first
    assert _site_files(site) == before
    assert feed.feed_files(settings, engine, now=later) == plain

    # An edited file is written again from the plain rendering.
    (site / "en" / "updates.html").write_text("edited", encoding="utf-8")
    feed.write_feed(settings, engine, now=later)
    assert (site / "en" / "updates.html").read_bytes() == plain["en/updates.html"].encode("utf-8")

    # A new digest changes the inputs: rendered again, equal to the plain path.
    record_run(
        engine, {"waste-sorted": WASTE}, {"bike-trips": Category.ON_TRACK, "waste-sorted": Category.ACHIEVED}
    )
    feed.record_digests(settings, engine, cat)
    feed.write_feed(settings, engine)
    fresh = feed.feed_files(settings, engine)
    assert fresh != plain
    assert {k: v[0] for k, v in _site_files(site).items()} == {n: t.encode("utf-8") for n, t in fresh.items()}

    # Another site folder (a new build) has no feed yet: written there too.
    other = tmp_path / "other-site"
    other.mkdir()
    assert len(feed.write_feed(settings, engine, other)) == len(fresh)
    assert {k: v[0] for k, v in _site_files(other).items()} == {
        n: t.encode("utf-8") for n, t in fresh.items()
    }
    engine.dispose()


def test_feed_without_digests_follows_the_clock(tmp_path: Path) -> None:
    """A language without digests dates its feed by the clock, so a new clock renders it again."""
    from datetime import UTC, datetime

    settings, _, engine = open_project(tmp_path)
    site = tmp_path / "site"
    site.mkdir()
    feed.write_feed(settings, engine, now=datetime(2030, 1, 1, tzinfo=UTC))
    assert "2030-01-01T00:00:00Z" in (site / "feed.xml").read_text(encoding="utf-8")
    feed.write_feed(settings, engine, now=datetime(2031, 1, 1, tzinfo=UTC))
    text = (site / "feed.xml").read_text(encoding="utf-8")
    assert text == feed.feed_files(settings, engine, now=datetime(2031, 1, 1, tzinfo=UTC))["feed.xml"]
    assert "2031-01-01T00:00:00Z" in text
    engine.dispose()


def test_after_run_sends_on_change_only_and_the_digest_job_sends_the_rest(
    tmp_path: Path, smtp: tuple[Mailbox, int], hook: Hook, monkeypatch: pytest.MonkeyPatch
) -> None:
    box, port = smtp
    extra = (
        f'    - {{name: weekly, url: "json://127.0.0.1:{hook.port}/weekly", language: it, when: schedule}}\n'
    )
    settings, cat, engine = setup_project(tmp_path, port, hook.port, extra)
    monkeypatch.setenv("FLAKY_PORT", str(hook.port))
    (tmp_path / "site").mkdir()
    record_run(engine, {"bike-trips": BIKES}, {"bike-trips": Category.MODERATE})
    outcomes = updates.after_run(settings, engine, cat)
    assert {o.subscription: o.status for o in outcomes} == {
        "flaky": "sent",
        "alice": "sent",
        "bob": "sent",
        "hook": "sent",
    }
    assert hook.at("/weekly") == [] and (tmp_path / "site" / "feed.xml").is_file()
    assert updates.after_run(settings, engine, cat) and len(box.messages) == 2  # idempotent
    digest_job = updates.send_now(settings, when={"schedule"})
    assert [(o.subscription, o.status) for o in digest_job] == [("weekly", "sent")]
    (weekly,) = hook.at("/weekly")
    assert "↗" in weekly["message"] and "Progressi, serve accelerare" in weekly["message"]
    with db.session_scope(engine) as session:
        from tracker.updates.deliver import baseline

        assert baseline(session, "weekly") == baseline(session, "alice") == 1
    engine.dispose()
