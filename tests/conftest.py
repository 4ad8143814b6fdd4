"""Shared fixtures and helpers.

Database fixtures: every database test runs on SQLite, and on PostgreSQL when ``TRACKER_TEST_PG_URL`` is set.
Start a throwaway server with ``export TRACKER_TEST_PG_URL=$(tests/pg.sh)``; each test then gets a fresh
database (``CREATE DATABASE test_<uuid>``), dropped afterwards.

Helpers the test modules share (import them: ``from tests.conftest import make_indicator, pts, only``):
a test indicator definition, a series of points, and the one assessment a method returns. The ``smtp`` and
``hook`` fixtures are a real SMTP server (aiosmtpd) and a webhook receiver on 127.0.0.1.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from tracker.assess.base import Assessment, Point, Spec
from tracker.catalog import Indicator

PG_ENV = "TRACKER_TEST_PG_URL"
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get(PG_ENV) else [])
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database on each configured backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tracker.sqlite'}"
        return
    admin_url = make_url(os.environ[PG_ENV])
    name = f"test_{uuid.uuid4().hex}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield admin_url.set(database=name).render_as_string(hide_password=False)
        with admin.connect() as conn:  # FORCE: a killed test process may have left a session behind
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on a database migrated to the latest revision."""
    from tracker.store import make_engine, upgrade

    eng = make_engine(db_url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def subprocess_env() -> dict[str, str]:
    """Environment for a child ``python`` that imports this checkout's ``tracker``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    return env


# --- real peers for the updates: an SMTP server and a webhook receiver on 127.0.0.1 ----------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Mailbox:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001 - aiosmtpd's hook signature
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]

    def wait(self, count: int, timeout: float = 30.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages


class Hook:
    """A webhook receiver recording the JSON of every POST."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, dict]] = []
        posts = self.posts

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                posts.append((self.path, json.loads(body)))
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def at(self, path: str) -> list[dict]:
        return [body for p, body in self.posts if p == path]

    def wait(self, path: str, count: int = 1, timeout: float = 30.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(self.at(path)) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.at(path)


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


@pytest.fixture
def hook() -> Iterator[Hook]:
    server = Hook()
    yield server
    server.server.shutdown()
    server.server.server_close()


# --- helpers shared by the test modules ----------------------------------------------------------------------


def make_indicator(
    kind: str = "percent",
    *,
    columns: Sequence[str] = ("municipio",),
    values: Sequence[str] = tuple(str(i) for i in range(1, 10)),
    frequency: str = "annual",
    **unit: Any,
) -> Indicator:
    """A valid test definition (id ``test-indicator``) of unit ``kind`` (``unit`` adds e.g. ``min``/``max``),
    with one disaggregation column per name in ``columns`` taking ``values``."""
    return Indicator.model_validate(
        {
            "id": "test-indicator",
            "objective": "mobility",
            "name": {"it": "Prova", "en": "Test"},
            "definition": {"it": "Prova", "en": "Test"},
            "unit": {"kind": kind, "label": {"it": "u", "en": "u"}, **unit},
            "direction": "increase",
            "frequency": frequency,
            "source": {"name": "Test", "url": "https://example.org"},
            "disaggregations": [
                {"column": c, "label": {"it": c.capitalize(), "en": c.capitalize()}, "values": list(values)}
                for c in columns
            ],
        }
    )


def pts(*pairs: tuple[float, float]) -> list[Point]:
    """Annual points from ``(year, value)`` pairs, labelled with their year."""
    return [Point(float(t), float(v), f"{t:g}") for t, v in pairs]


def only(
    assess: Callable[[Sequence[Point], Spec], list[Assessment]], method: str
) -> Callable[[list[Point], Spec], Assessment]:
    """``one(points, spec)`` for a method that returns a single "base" assessment (and checks that it does)."""

    def one(points: list[Point], spec: Spec) -> Assessment:
        (a,) = assess(points, spec)
        assert a.method == method and a.window == "base"
        return a

    return one


def build_milan(project: Path, now: Any) -> Any:
    """The real Milan catalogue copied to ``project`` and run there at the clock ``now`` (its own SQLite
    database); returns the run's report. The site is ``project / "site"``."""
    from tracker import config, pipeline

    shutil.copytree(REPO / "indicators", project / "indicators")
    shutil.copy(REPO / "config.yaml", project / "config.yaml")
    mp = pytest.MonkeyPatch()
    mp.setenv("TRACKER_DATABASE_URL", f"sqlite:///{project / 'db.sqlite'}")
    try:
        return pipeline.run(config.load(project), now=now, updates=False)
    finally:
        mp.undo()
