"""config.yaml: defaults, every error at once with its line, env overrides, secrets kept out of the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker import config
from tracker.problems import ProblemsFound

REPO = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "config.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def test_repository_config_is_valid() -> None:
    settings = config.load(REPO)
    assert settings.config.timezone == "Europe/Rome"
    assert settings.config.languages == ["it", "en"]
    assert settings.path("site") == REPO / "site"


def test_missing_file_means_defaults(tmp_path: Path) -> None:
    settings = config.load(tmp_path)
    assert settings.config.city.name == "Milano"
    assert settings.database_url == f"sqlite:///{tmp_path.resolve()}/var/tracker.sqlite"


def test_all_errors_reported_at_once_with_lines(tmp_path: Path) -> None:
    write(
        tmp_path,
        "city:\n  name: Milano\n  colour: red\nlanguages: [it, xx]\ntimezone: Mars/Olympus\n"
        "schedule:\n  recompute: {cron: '0 6 * * 1'}\n  inbox: {cron: 'every minute'}\n",
    )
    with pytest.raises(ProblemsFound) as err:
        config.load(tmp_path)
    lines = [str(p) for p in err.value.problems]
    assert (
        "config.yaml:3: city.colour: unknown key (fix: remove it, or check its spelling; see the Configuration "
        "table in the README)" in lines
    )
    assert (
        "config.yaml:4: languages.1: Babel has no locale data for 'xx' (fix: see the Configuration table in the "
        "README)" in lines
    )
    assert any(s.startswith("config.yaml:5: timezone: unknown time zone 'Mars/Olympus'") for s in lines)
    assert any(
        s.startswith("config.yaml:7: schedule.recompute.cron: write the day of the week as a name")
        for s in lines
    )
    assert any(
        s.startswith("config.yaml:8: schedule.inbox.cron: a cron expression has 5 fields") for s in lines
    )
    assert len(lines) == 5


def test_wrong_type(tmp_path: Path) -> None:
    write(tmp_path, "assessment:\n  base_year: twenty\n")
    with pytest.raises(ProblemsFound) as err:
        config.load(tmp_path)
    assert [str(p) for p in err.value.problems] == [
        "config.yaml:2: assessment.base_year: Input should be a valid integer, unable to parse string as an integer "
        "(fix: see the Configuration table in the README)"
    ]


def test_yaml_syntax_error_is_located(tmp_path: Path) -> None:
    write(tmp_path, "city:\n  name: [unclosed\n")
    with pytest.raises(ProblemsFound) as err:
        config.load(tmp_path)
    assert str(err.value.problems[0]).startswith("config.yaml:3: invalid YAML")


def test_database_url_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(config.DATABASE_ENV, "postgresql+psycopg://tracker@127.0.0.1/tracker")
    assert config.load(tmp_path).database_url == "postgresql+psycopg://tracker@127.0.0.1/tracker"


def test_secret_in_subscription_url_rejected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(
        tmp_path,
        "updates:\n  subscriptions:\n    - name: press\n      url: 'mailtos://user:hunter2@smtp.example.org'\n",
    )
    with pytest.raises(ProblemsFound) as err:
        config.load(tmp_path)
    assert "put" not in str(err.value)
    assert "config.yaml:4: updates.subscriptions.0.url: the URL holds a password" in str(err.value)

    write(
        tmp_path,
        "updates:\n  subscriptions:\n    - name: press\n      url: 'mailtos://user:${SMTP_PW}@smtp.example.org'\n",
    )
    monkeypatch.setenv("SMTP_PW", "s3cret")
    sub = config.load(tmp_path).config.updates.subscriptions[0]
    assert sub.resolved_url() == "mailtos://user:s3cret@smtp.example.org"
