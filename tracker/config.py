"""Typed settings from ``config.yaml``, validated at start with every error reported at once.

Errors read ``config.yaml:LINE: key.path: message``. The database URL can be overridden by the
``TRACKER_DATABASE_URL`` environment variable (secrets never live in the file).
"""

from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path, PurePosixPath
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    FiniteFloat,
    ValidationInfo,
    field_validator,
    model_validator,
)

from tracker import wording
from tracker.problems import Problem, ProblemsFound
from tracker.yamlfile import DEFAULT_YAML_DEPTH, load_model

CONFIG_FILE = "config.yaml"
CONFIG_HINT = "see the Configuration table in the README"
DATABASE_ENV = "TRACKER_DATABASE_URL"


def _babel_language(value: str) -> str:
    """A language code Babel has locale data for (numbers, dates, plural rules): ``it``, ``en``, ``fr``, ``es``..."""
    from babel import Locale, UnknownLocaleError

    if not re.fullmatch(r"[a-z]{2,3}", value):
        raise ValueError(f"{value!r} is not a language code (two or three lower-case letters, e.g. fr)")
    try:
        Locale.parse(value)
    except (UnknownLocaleError, ValueError) as exc:
        raise ValueError(f"Babel has no locale data for {value!r}") from exc
    return value


#: An interface language: any code Babel knows; the site also needs its catalogue (see 'Adding a language').
Language = Annotated[str, AfterValidator(_babel_language)]
_SECRET_IN_URL = re.compile(r"^[a-z0-9+]+://[^/?#@\s]*:(?!\$\{)[^@/?#\s]+@", re.IGNORECASE)
_ENV_REF = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)\}")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Localized(BaseModel):
    """A text in each interface language: ``{it: ..., en: ..., fr: ...}``.

    Any language code is a key; which ones must be there depends on ``languages`` in ``config.yaml``, so the
    check is :func:`missing_texts`, run once the configuration is known.
    """

    model_config = ConfigDict(extra="allow", frozen=True)
    __pydantic_extra__: dict[str, str]

    it: str = ""
    en: str = ""

    @model_validator(mode="after")
    def _language_keys(self) -> Localized:
        for key in self.__pydantic_extra__ or {}:
            if not re.fullmatch(r"[a-z]{2,3}", key):
                raise ValueError(f"{key!r} is not a language code (two or three lower-case letters, e.g. fr)")
        return self

    def texts(self) -> dict[str, str]:
        """The languages that have a text, and their texts."""
        return {lang: text for lang, text in self.model_dump().items() if text}

    def get(self, lang: str) -> str:
        """The text in ``lang``; English, or any text, where it has none (the catalogue check forbids that
        for a configured language)."""
        text = self.__dict__.get(lang) or (self.__pydantic_extra__ or {}).get(lang) or self.en
        return str(text or next(iter(self.texts().values()), ""))


def missing_texts(model: object, languages: list[str], prefix: str = "") -> list[tuple[str, str]]:
    """``(key, language)`` of every :class:`Localized` text of ``model`` that lacks a configured language.

    A page shows each text in each language: a missing one would silently fall back to another language."""
    missing: list[tuple[str, str]] = []

    def walk(value: object, key: str) -> None:
        if isinstance(value, Localized):
            have = value.model_fields_set | set(value.__pydantic_extra__ or {})  # given, even if empty ("")
            missing.extend((key, lang) for lang in languages if lang not in have)
        elif isinstance(value, BaseModel):
            for name in type(value).model_fields:
                walk(getattr(value, name), f"{key}.{name}" if key else name)
        elif isinstance(value, list | tuple):
            for i, item in enumerate(value):
                walk(item, f"{key}.{i}")

    walk(model, prefix)
    return missing


class City(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")] = "milano"
    name: str = "Milano"
    title: Localized = Localized(
        it="Milano Smart City — quadro di valutazione", en="Milan Smart City scorecard"
    )
    strategy: Localized = Localized(
        it="Linee guida Milano Smart City (2013–2016)", en="Milan Smart City guidelines (2013–2016)"
    )


#: The database backends the run lock and the migrations support.
DIALECTS = ("sqlite", "postgresql")


def check_database_url(url: str) -> str:
    """Refuse a URL ``run`` could not open: unparsable, an unknown dialect or driver, or a missing driver.

    Uses SQLAlchemy's own parser and plugin loader, so the rule is the library's.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    example = " | fix: write sqlite:///var/tracker.sqlite or postgresql+psycopg://user@host/dbname"
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise ValueError(f"{_shown(url)} is not a database URL{example}") from None
    if parsed.get_backend_name() not in DIALECTS:
        raise ValueError(
            f"unsupported database {parsed.get_backend_name()!r}: the tracker runs on "
            f"{' or '.join(DIALECTS)}{example}"
        )
    try:
        dialect = parsed.get_dialect()
    except NoSuchModuleError:
        raise ValueError(f"unknown database driver {parsed.drivername!r}{example}") from None
    try:
        dialect.import_dbapi()
    except ImportError:
        raise ValueError(
            f"the driver of {parsed.drivername!r} is not installed | fix: for PostgreSQL, "
            "pip install -e '.[postgres]'"
        ) from None
    return url


def sqlite_file(url: str) -> PurePosixPath | None:
    """The file of a SQLite URL as written (relative to the project unless absolute); None for other URLs."""
    if not url.startswith("sqlite:///") or url == "sqlite:///:memory:":
        return None
    return PurePosixPath(url.removeprefix("sqlite:///").split("?", 1)[0])


def _shown(text: str) -> str:
    """A URL in a message, without a password that may follow ``user:``."""
    return repr(re.sub(r"(://[^/:@]*:)[^@/]*@", r"\1***@", text))


class Database(Strict):
    url: str = "sqlite:///var/tracker.sqlite"

    @field_validator("url")
    @classmethod
    def _openable(cls, value: str) -> str:
        return check_database_url(value)


#: The folder settings (``paths.<role>``); each one is written, moved or deleted by ``tracker run``.
PATH_ROLES = ("indicators", "site", "inbox", "archive", "rejected", "cache")
DEFAULT_PATHS = {
    "indicators": "indicators",
    "site": "site",
    "inbox": "inbox",
    "archive": "var/archive",
    "rejected": "var/rejected",
    "cache": "var/cache",
}
_PATHS_HINT = (
    " | fix: give each folder its own place inside the project, relative to it, e.g. the defaults: "
    + ", ".join(f"{k}: {v}" for k, v in DEFAULT_PATHS.items())
)


def _relative(value: str) -> PurePosixPath:
    """A folder setting as a normalized path relative to the project; raise when it is not one."""
    if not value.strip() or "\x00" in value:
        raise ValueError(f"{value!r} is not a folder name{_PATHS_HINT}")
    if value.startswith(("/", "~", "\\")) or re.match(r"[A-Za-z]:", value):
        raise ValueError(f"{value!r} is not inside the project (write a folder relative to it){_PATHS_HINT}")
    if ".." in value.replace("\\", "/").split("/"):
        # A symbolic link before ``..`` moves it (``link/../x`` is beside the link's target, not the link):
        # only the file system could tell where it leads, so a folder setting is written plainly.
        raise ValueError(f"{value!r} contains '..' | fix: write the folder plainly, relative to the project")
    norm = posixpath.normpath(value.replace("\\", "/"))
    if norm == ".":
        raise ValueError(f"{value!r} is the project folder itself{_PATHS_HINT}")
    if norm == ".." or norm.startswith("../"):
        raise ValueError(f"{value!r} leads outside the project{_PATHS_HINT}")
    return PurePosixPath(norm)


def _clash(mine: PurePosixPath, theirs: PurePosixPath) -> str | None:
    """How two folders overlap, or None when they are apart."""
    if mine == theirs:
        return "is the same folder as"
    if theirs in mine.parents:
        return "is inside"
    if mine in theirs.parents:
        return "contains"
    return None


def _resolved(root: Path, role: str, folder: PurePosixPath) -> PurePosixPath:
    """Where ``folder`` really is, relative to the resolved project; raise when a symlink leads outside.

    The site is itself a link that each publish replaces: only the folder holding it is resolved.
    """
    base = root.resolve()
    path = root / folder
    real = (path.parent.resolve() / path.name) if role == "site" else path.resolve()
    try:
        return PurePosixPath(real.relative_to(base).as_posix())
    except ValueError:
        raise ValueError(
            f"{str(folder)!r} is a symbolic link (or inside one) to {str(real)!r}, outside the "
            f"project{_PATHS_HINT}"
        ) from None


class Paths(Strict):
    """Folders relative to the project. Each must be inside it and apart from the others, since ``run``
    moves files out of the inbox, replaces the site and deletes leftovers in the cache: two roles on one
    folder, or one outside the project, would move or delete the other's files."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    indicators: str = "indicators"
    site: str = "site"
    inbox: str = "inbox"
    archive: str = "var/archive"
    rejected: str = "var/rejected"
    cache: str = "var/cache"  # parsed definitions and per-indicator results kept between runs; safe to delete

    @field_validator(*PATH_ROLES)
    @classmethod
    def _inside_and_apart(cls, value: str, info: ValidationInfo) -> str:
        """Checked in declaration order, so each folder is compared with the ones above it."""
        role = info.field_name or ""  # always set for a field validator
        mine = _relative(value)
        root = (info.context or {}).get("root")
        real = _resolved(Path(root), role, mine) if root else None
        for other in PATH_ROLES[: PATH_ROLES.index(role)]:
            if other not in info.data:
                continue  # reported on its own line already
            theirs = _relative(info.data[other])
            how = _clash(mine, theirs)
            if how is None and real is not None and root:
                how = _clash(real, _resolved(Path(root), other, theirs))
                how = how and f"(through a symbolic link) {how}"
            if how:
                raise ValueError(f"{value!r} {how} paths.{other} ({info.data[other]!r}){_PATHS_HINT}")
        return value

    def holding(self, file: PurePosixPath, root: Path | None = None) -> str | None:
        """The role whose folder holds ``file`` (relative to the project, or absolute with ``root``).

        With ``root`` both are resolved through the file system, so a folder reached through a symbolic link
        (``paths.indicators: in-link`` → ``indicators``) still holds a file written under its real name.
        """
        plain = PurePosixPath(posixpath.normpath(str(file)))
        for role in PATH_ROLES:
            folder = PurePosixPath(posixpath.normpath(getattr(self, role)))
            targets = [plain]
            if root is not None:
                base = Path(root).resolve()
                try:
                    folder = PurePosixPath(base.as_posix()) / _resolved(Path(root), role, folder)
                except ValueError:
                    continue  # a folder outside the project: refused by its own check
                # as written (the published site is a link a publish replaces) and as the file system has it
                targets = [
                    PurePosixPath(base.as_posix()) / plain,
                    PurePosixPath((base / plain).resolve().as_posix()),
                ]
            elif plain.is_absolute():
                continue
            if any(folder == target or folder in target.parents for target in targets):
                return role
        return None


#: The colours of ``tracker/site/assets/site.css`` a city may change, with their defaults.
DEFAULT_COLORS = {
    "text": "#1a1a1a",
    "muted": "#4d4d4d",
    "bg": "#ffffff",
    "soft": "#f3f5f7",
    "line": "#c9ced4",
    "link": "#005a8c",
    "link-visited": "#5b3a8c",
    "focus-ring": "#ffbf47",
}
ColorName = Literal["text", "muted", "bg", "soft", "line", "link", "link-visited", "focus-ring"]
LOGO_TYPES = frozenset({".svg", ".png", ".jpg", ".jpeg", ".webp"})
LOGO_BYTES = 1_000_000
_SVG_ACTIVE = re.compile(r"<\s*script|\bon[a-z]+\s*=|javascript:|<\s*foreignObject", re.IGNORECASE)
#: Pages the site writes itself: an extra page may not take their place.
RESERVED_PAGES = {
    "index",
    "indicators",
    "status",
    "methodology",
    "guide",
    "updates",
    "feed",
    "objectives",
    "embed",
}


def contrast(foreground: str, background: str) -> float:
    """The WCAG 2.1 contrast ratio of two ``#rrggbb`` colours (1 to 21)."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


class ExtraPage(Strict):
    """A page of the city's own (``<site.templates>/pages/<id>.html``), linked from every page's menu."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    title: Localized  # the menu's link and the page's title


class SiteSettings(Strict):
    base_url: str = (
        ""  # absolute URL where the site is published: the feed's and the updates' links; optional
    )
    templates: str = "templates"  # the city's own templates, looked up before the defaults
    translations: str = "translations"  # the city's own catalogues: <lang>/LC_MESSAGES/messages.po
    logo: str = ""  # an image file of the project shown in every page's header
    colors: dict[ColorName, str] = {}  # CSS custom properties of site.css, e.g. {link: "#005a8c"}
    pages: list[ExtraPage] = []  # extra pages, each the template pages/<id>.html of the city's folder

    @field_validator("templates", "translations")
    @classmethod
    def _inside_project(cls, value: str) -> str:
        _relative(value)
        return value

    @field_validator("logo")
    @classmethod
    def _logo_file(cls, value: str, info: ValidationInfo) -> str:
        """An image the pages show with ``<img>``; an SVG with script is refused, since the file is also
        published on its own (``assets/logo.svg``), where a browser opening it would run the script."""
        if not value:
            return value
        relative = _relative(value)
        suffix = relative.suffix.lower()
        if suffix not in LOGO_TYPES:
            raise ValueError(f"{value!r}: the logo must be one of {', '.join(sorted(LOGO_TYPES))}")
        root = (info.context or {}).get("root")
        if root is None:
            return value
        _resolved(Path(root), "logo", relative)  # a symbolic link out of the project would publish its target
        path = Path(root) / relative
        if not path.is_file():
            raise ValueError(f"{value!r}: no such file in the project")
        if path.stat().st_size > LOGO_BYTES:
            raise ValueError(f"{value!r}: larger than {LOGO_BYTES:,} bytes")
        if suffix == ".svg" and _SVG_ACTIVE.search(path.read_text(encoding="utf-8", errors="replace")):
            raise ValueError(f"{value!r}: the SVG holds script, an event handler or a link to one; remove it")
        return value

    @field_validator("colors")
    @classmethod
    def _readable(cls, value: dict[str, str]) -> dict[str, str]:
        """WCAG 2.1 AA: every text colour keeps 4.5:1 against both backgrounds it is drawn on."""
        for name, colour in value.items():
            if not re.fullmatch(r"#[0-9a-fA-F]{6}", colour):
                raise ValueError(f"{name}: {colour!r} is not a colour written as #rrggbb")
        merged = {**DEFAULT_COLORS, **value}
        for text in ("text", "muted", "link", "link-visited"):
            for background in ("bg", "soft"):
                ratio = contrast(merged[text], merged[background])
                if ratio < 4.5:
                    raise ValueError(
                        f"{text} {merged[text]} on {background} {merged[background]} has a contrast of "
                        f"{ratio:.2f}:1, below WCAG AA's 4.5:1 | fix: a darker text or a lighter background"
                    )
        return value

    @field_validator("pages")
    @classmethod
    def _unique_pages(cls, value: list[ExtraPage]) -> list[ExtraPage]:
        ids = [p.id for p in value]
        clash = sorted({i for i in ids if ids.count(i) > 1} | ({i for i in ids} & RESERVED_PAGES))
        if clash:
            raise ValueError(
                f"page ids must be unique and not those of the site's own pages: {', '.join(clash)}"
            )
        return value

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        """Only http(s): the value becomes links in e-mails, chat messages, the feed and the updates page, where
        a ``javascript:`` or ``data:`` address would run in a reader's browser."""
        if not value:
            return value
        parts = urlsplit(value)
        if (
            parts.scheme.lower() not in ("http", "https")
            or not parts.hostname
            or re.search(r"[\s\x00-\x1f<>\"]", value)
        ):
            raise ValueError(
                f"must be an http:// or https:// address such as https://example.org/scorecard/, "
                f"not {value[:80]!r}"
            )
        if parts.query or parts.fragment:
            raise ValueError("must be the address of the site's folder, without ?query or #fragment")
        return value


class MethodThresholds(Strict):
    """Overrides for one method's cut-offs; unset values keep the method's published defaults."""

    high: FiniteFloat | None = None
    med: FiniteFloat | None = None
    low: FiniteFloat | None = None


#: The progress methods a definition or ``assessment.default_method`` may name; ``tracker.assess.registry``
#: maps each to its module (and checks at import that both lists agree), so configuration and catalogue
#: validate names without importing the methods above them.
METHOD_NAMES = ("escap", "eurostat", "linear", "opensdg", "unsd")


def _method_names() -> list[str]:
    return list(METHOD_NAMES)


class AssessmentSettings(Strict):
    default_method: str | None = None  # None: by unit (see tracker.assess.registry)
    base_year: int = 2015
    thresholds: dict[str, MethodThresholds] = {}
    #: An objective publishes a roll-up verdict only when at least this share of its indicators is assessed
    #: on current data (not overdue); otherwise its page says how many are.
    rollup_min_coverage: float = Field(default=0.5, gt=0, le=1)

    @field_validator("default_method")
    @classmethod
    def _known_method(cls, value: str | None) -> str | None:
        if value is not None and value not in (names := _method_names()):
            raise ValueError(
                f"unknown method {value!r} | fix: use one of {', '.join(names)}, or leave it out "
                "(the default by unit)"
            )
        return value

    @field_validator("thresholds")
    @classmethod
    def _known_methods(cls, value: dict[str, MethodThresholds]) -> dict[str, MethodThresholds]:
        if value and (unknown := sorted(set(value) - set(names := _method_names()))):
            raise ValueError(f"unknown method(s) {', '.join(unknown)} | fix: use {', '.join(names)}")
        return value


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
        from apscheduler.triggers.cron import CronTrigger  # the scheduler's own parser decides

        try:
            CronTrigger.from_crontab(value, timezone="UTC")
        except ValueError as exc:
            raise ValueError(
                f"{value!r} is not a valid cron expression: {exc} | fix: fields are minute 0-59, "
                "hour 0-23, day 1-31, month 1-12, day of week mon-sun; a range runs forward (mon-fri)"
            ) from None
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


class Limits(Strict):
    """Resource limits on every input, so that a hostile or broken file is refused with a message instead of
    exhausting memory or time. Each is documented in the README's configuration table."""

    file_bytes: int = Field(200_000_000, ge=1)  # a data file; for an XLSX also its unpacked content
    line_bytes: int = Field(1_000_000, ge=100)  # one line of a CSV file
    columns: int = Field(200, ge=2)  # columns of a data file (header cells, or cells of an XLSX row)
    cells: int = Field(20_000_000, ge=1)  # rows x columns of an XLSX sheet
    cell_chars: int = Field(10_000, ge=10)  # the text of one cell (a note, a source)
    yaml_depth: int = Field(DEFAULT_YAML_DEPTH, ge=4, le=200)  # nesting in indicator definitions
    yaml_aliases: int = Field(100, ge=0)  # YAML aliases (*name) in one definition


class Config(Strict):
    city: City = City()
    languages: list[Language] = ["it", "en"]
    default_language: Language = "it"
    timezone: str = "Europe/Rome"
    # Validated even when absent (a dict default), so that the folders are checked against the project too.
    paths: Paths = Field(default_factory=dict, validate_default=True)
    database: Database = Field(default_factory=dict, validate_default=True)
    site: SiteSettings = SiteSettings()
    assessment: AssessmentSettings = AssessmentSettings()
    schedule: Schedule = Schedule()
    updates: Updates = Updates()
    limits: Limits = Limits()

    @field_validator("database")
    @classmethod
    def _database_apart(cls, value: Database, info: ValidationInfo) -> Database:
        """A SQLite file inside a folder that ``run`` moves or replaces would be moved or deleted with it."""
        paths: Paths | None = info.data.get("paths")
        file = sqlite_file(value.url)
        if paths is not None and file is not None:
            role = paths.holding(file, (info.context or {}).get("root"))
            if role:
                raise ValueError(
                    f"url: the SQLite file {str(file)!r} is inside paths.{role} "
                    f"({getattr(paths, role)!r}), whose files the tracker moves or replaces"
                    " | fix: keep the database apart, e.g. sqlite:///var/tracker.sqlite"
                )
        return value

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

    @model_validator(mode="after")
    def _texts_in_every_language(self) -> Config:
        missing = missing_texts(self, list(self.languages))
        if missing:
            raise ValueError(
                "; ".join(f"{key}: no {lang!r} text" for key, lang in missing)
                + f" (languages: {', '.join(self.languages)}) | fix: add the text under each language code"
            )
        return self


class Settings:
    """A validated config bound to its project folder, with paths resolved."""

    def __init__(self, config: Config, root: Path) -> None:
        self.config = config
        self.root = root.resolve()
        # The project's own catalogues (a language the package does not ship) are where words are looked up.
        wording.use_project(self.root / config.site.translations)

    def path(self, name: str) -> Path:
        """A configured folder as an absolute path; symlinks are kept (the published site is one)."""
        return Path(os.path.abspath(self.root / getattr(self.config.paths, name)))

    @property
    def limits(self) -> Limits:
        return self.config.limits

    @property
    def database_url(self) -> str:
        url = os.environ.get(DATABASE_ENV) or self.config.database.url
        if url.startswith("sqlite:///") and not url.startswith("sqlite:////") and url != "sqlite:///:memory:":
            file = self.root / url.removeprefix("sqlite:///")
            file.parent.mkdir(parents=True, exist_ok=True)
            url = f"sqlite:///{file}"
        return url


def load(root: Path, file: str = CONFIG_FILE) -> Settings:
    """Read ``root/config.yaml``; a missing file means all defaults (the Milan catalogue, SQLite).

    The folders are checked against the real project (symbolic links included), and so is a database URL
    given by ``TRACKER_DATABASE_URL``, so that ``validate`` refuses whatever ``run`` would.
    """
    path = root / file
    context: dict[str, Any] = {"root": root}
    if path.exists() or path.is_symlink():
        config = load_model(Config, path, label=file, context=context, hint=CONFIG_HINT)
    else:
        config = Config.model_validate({}, context=context)
    env_url = os.environ.get(DATABASE_ENV)
    if env_url:
        try:
            check_database_url(env_url)
        except ValueError as exc:
            message, _, hint = str(exc).partition(" | fix: ")
            raise ProblemsFound(
                [Problem(DATABASE_ENV, message, hint=f"set the variable right or unset it; {hint}")]
            ) from None
    return Settings(config, root)
