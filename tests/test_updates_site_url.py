"""``site.base_url``: http(s) only (it becomes links in e-mails, chat messages, the feed and the updates page),
and a warning when subscriptions exist without it (their updates would carry no links)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_end_to_end import REPO, make_project, tracker
from tests.test_updates_changes import BIKES, open_project, record_run
from tracker import config
from tracker.assess.base import Category
from tracker.problems import ProblemsFound
from tracker.store import migrated_engine
from tracker.updates import deliver as dl

SUBSCRIBED = "updates:\n  subscriptions:\n    - {name: press, url: 'json://127.0.0.1:9/hook'}\n"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "JavaScript://example.org/%0Aalert(1)",
        "data:text/html,<script>x</script>",
        "ftp://example.org/site/",
        "//example.org/site/",
        "example.org/site",
        "https://",
        "https://exa mple.org/",
        'https://example.org/"onmouseover=alert(1)',
        "https://example.org/site/?x=1",
        "https://example.org/#top",
    ],
)
def test_base_url_other_than_http_or_https_is_refused(tmp_path: Path, url: str) -> None:
    (tmp_path / "config.yaml").write_text(
        f"city: {{name: Milano}}\nsite:\n  base_url: '{url}'\n", encoding="utf-8"
    )
    with pytest.raises(ProblemsFound) as found:
        config.load(tmp_path)
    (problem,) = found.value.problems
    assert str(problem).startswith("config.yaml:3: site.base_url: must be ")
    assert "http:// or https://" in str(problem) or "without ?query or #fragment" in str(problem)


@pytest.mark.parametrize(
    "url", ["https://example.org/scorecard/", "http://127.0.0.1:8000", "HTTPS://Example.org"]
)
def test_http_and_https_base_urls_are_accepted(tmp_path: Path, url: str) -> None:
    (tmp_path / "config.yaml").write_text(f"site: {{base_url: '{url}'}}\n", encoding="utf-8")
    assert config.load(tmp_path).config.site.base_url == url


def test_validate_refuses_a_javascript_base_url_and_warns_when_subscribers_get_no_links(
    tmp_path: Path,
) -> None:
    make_project(tmp_path)
    env = {"PYTHONPATH": str(REPO)}
    (tmp_path / "config.yaml").write_text("site: {base_url: 'javascript:alert(1)'}\n", encoding="utf-8")
    refused = tracker("validate", cwd=tmp_path, env=env)
    assert refused.returncode == 3 and "config.yaml:1: site.base_url" in refused.stderr

    (tmp_path / "config.yaml").write_text(SUBSCRIBED, encoding="utf-8")
    warned = tracker("validate", cwd=tmp_path, env=env)
    assert warned.returncode == 0, warned.stderr
    assert "warning: site.base_url is not set, so updates to subscriptions carry no links" in warned.stderr

    (tmp_path / "config.yaml").write_text(
        SUBSCRIBED + "site: {base_url: 'https://example.org/s/'}\n", encoding="utf-8"
    )
    quiet = tracker("validate", cwd=tmp_path, env=env)
    assert quiet.returncode == 0 and "base_url" not in quiet.stderr

    (tmp_path / "config.yaml").write_text("", encoding="utf-8")  # no subscribers: nothing to warn about
    assert "base_url" not in tracker("validate", cwd=tmp_path, env=env).stderr


def test_run_warns_when_subscribers_get_no_links(tmp_path: Path) -> None:
    make_project(tmp_path)
    (tmp_path / "config.yaml").write_text(SUBSCRIBED, encoding="utf-8")
    run = tracker("run", cwd=tmp_path, env={"PYTHONPATH": str(REPO)})
    assert "warning: site.base_url is not set" in run.stderr


def test_with_base_url_every_channel_links_to_the_site(tmp_path: Path) -> None:
    settings, cat, engine = open_project(tmp_path)
    (tmp_path / "config.yaml").write_text(
        "database: {url: sqlite:///var/test.sqlite}\nsite: {base_url: 'https://example.org/scorecard/'}\n"
        "updates:\n  subscriptions:\n    - {name: press, url: 'json://127.0.0.1:9/hook', language: en}\n",
        encoding="utf-8",
    )
    settings = config.load(tmp_path)
    engine.dispose()
    engine = migrated_engine(settings)
    record_run(engine, {"bike-trips": BIKES}, {"bike-trips": Category.MODERATE})
    (outcome,) = dl.deliver(settings, engine, cat, dry_run=True)
    engine.dispose()
    link = "https://example.org/scorecard/en/indicators/bike-trips.html"
    assert link in outcome.message.text and f'href="{link}"' in outcome.message.html
    assert outcome.message.chat.splitlines()[-1] == "https://example.org/scorecard/en/index.html"
