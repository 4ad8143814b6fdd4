"""Typed settings from ``config.yaml``, validated at start with every error reported at once.

Errors read ``config.yaml:LINE: key.path: message``. The database URL can be overridden by the
``TRACKER_DATABASE_URL`` environment variable (secrets never live in the file).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tracker.yamlfile import load_model

CONFIG_FILE = "config.yaml"
DATABASE_ENV = "TRACKER_DATABASE_URL"
Language = Literal["it", "en"]
_SECRET_IN_URL = re.compile(r"^[a-z0-9+]+://[^/?#@\s]*:(?!\$\{)[^@/?#\s]+@", re.IGNORECASE)
_ENV_REF = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)\}")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Localized(Strict):
    """A text in each interface language."""

    it: str
    en: str

    def get(self, lang: str) -> str:
        return str(getattr(self, lang, "") or self.en)


class City(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")] = "milano"
    name: str = "Milano"
    title: Localized = Localized(it="Milano Smart City — quadro di valutazione", en="Milan Smart City scorecard")
    strategy: Localized = Localized(
        it="Linee guida Milano Smart City (2013–2016)", en="Milan Smart City guidelines (2013–2016)"
    )


class Database(Strict):
    url: str = "sqlite:///var/tracker.sqlite"


class Paths(Strict):
    indicators: str = "indicators"
    site: str = "site"
    inbox: str = "inbox"
    archive: str = "var/archive"
    rejected: str = "var/rejected"
    cache: str = "var/cache"  # parsed definitions and per-indicator results kept between runs; safe to delete


class SiteSettings(Strict):
    base_url: str = ""  # absolute URL where the site is published: the feed's and the updates' links; optional
    base_year: int = 2015

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        """Only http(s): the value becomes links in e-mails, chat messages, the feed and the updates page, where
        a ``javascript:`` or ``data:`` address would run in a reader's browser."""
        if not value:
            return value
        parts = urlsplit(value)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname or re.search(r"[\s\x00-\x1f<>\"]", value):
            raise ValueError(f"must be an http:// or https:// address such as https://example.org/scorecard/, "
                             f"not {value[:80]!r}")
        if parts.query or parts.fragment:
            raise ValueError("must be the address of the site's folder, without ?query or #fragment")
        return value


class MethodThresholds(Strict):
    """Overrides for one method's cut-offs; unset values keep the method's published defaults."""

    high: float | None = None
    med: float | None = None
    low: float | None = None


class Assessment(Strict):
    default_method: str | None = None  # None: by unit (see tracker.assess.registry)
    base_year: int = 2015
    thresholds: dict[str, MethodThresholds] = {}
    #: An objective publishes a roll-up verdict only when at least this share of its indicators is assessed
    #: on current data (not overdue); otherwise its page says how many are.
    rollup_min_coverage: float = Field(default=0.5, gt=0, le=1)


CRON = Annotated[str, Field(min_length=9)]


class Job(Strict):
    cron: CRON
    enabled: bool = True

    @field_validator("cron")
    @classmethod
    def _five_fields(cls, value: str) -> str:
        fields = value.split()
        if len(fields) != 5:
            raise ValueError("a cron expression has 5 fields: minute hour day month day-of-week")
        if re.search(r"\d", fields[4]):
            raise ValueError(
                "write the day of the week as a name (mon, tue-fri): APScheduler 3 counts numbers from "
                "Monday=0, unlike crontab, so a number would fire on the wrong day"
            )
        return value


class Schedule(Strict):
    recompute: Job = Job(cron="0 6 * * *")
    inbox: Job = Job(cron="*/15 * * * *")
    digest: Job = Job(cron="0 8 * * mon")
    misfire_grace_seconds: int = Field(3600, ge=1)


class Subscription(Strict):
    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
    url: str  # an Apprise URL; ${VAR} is replaced by the environment variable VAR
    language: Language = "it"
    objectives: list[str] = []  # empty: all objectives
    when: Literal["on_change", "schedule"] = "on_change"

    @field_validator("url")
    @classmethod
    def _no_inline_secret(cls, value: str) -> str:
        if _SECRET_IN_URL.match(value):
            raise ValueError("the URL holds a password: write it as ${ENV_VAR} and set that variable")
        return value

    def resolved_url(self) -> str:
        """The URL with ``${VAR}`` references filled from the environment (missing ones raise KeyError)."""
        return _ENV_REF.sub(lambda m: os.environ[m.group(1)], self.url)


class Updates(Strict):
    sender: str = "tracker@localhost"
    operations_url: str = ""  # Apprise URL for job failures; ${VAR} allowed
    subscriptions: list[Subscription] = []

    @model_validator(mode="after")
    def _unique_names(self) -> Updates:
        names = [s.name for s in self.subscriptions]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"subscription names must be unique: {', '.join(dupes)}")
        return self


class Config(Strict):
    city: City = City()
    languages: list[Language] = ["it", "en"]
    default_language: Language = "it"
    timezone: str = "Europe/Rome"
    database: Database = Database()
    paths: Paths = Paths()
    site: SiteSettings = SiteSettings()
    assessment: Assessment = Assessment()
    schedule: Schedule = Schedule()
    updates: Updates = Updates()

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Europe/Rome)") from exc
        return value

    @model_validator(mode="after")
    def _default_language_listed(self) -> Config:
        if self.default_language not in self.languages:
            raise ValueError("default_language must be one of languages")
        return self


class Settings:
    """A validated config bound to its project folder, with paths resolved."""

    def __init__(self, config: Config, root: Path) -> None:
        self.config = config
        self.root = root.resolve()

    def path(self, name: str) -> Path:
        """A configured folder as an absolute path; symlinks are kept (the published site is one)."""
        return Path(os.path.abspath(self.root / getattr(self.config.paths, name)))

    @property
    def database_url(self) -> str:
        url = os.environ.get(DATABASE_ENV) or self.config.database.url
        if url.startswith("sqlite:///") and not url.startswith("sqlite:////") and url != "sqlite:///:memory:":
            file = self.root / url.removeprefix("sqlite:///")
            file.parent.mkdir(parents=True, exist_ok=True)
            url = f"sqlite:///{file}"
        return url


def load(root: Path, file: str = CONFIG_FILE) -> Settings:
    """Read ``root/config.yaml``; a missing file means all defaults (the Milan catalogue, SQLite)."""
    path = root / file
    config = load_model(Config, path, label=file) if path.exists() else Config()
    return Settings(config, root)
