"""Engine, transaction boundary and the cross-process run lock.

SQLite connections get WAL (readers never block the one writer), foreign keys and a busy timeout; pysqlite's
own transaction handling is switched off so that SQLAlchemy emits ``BEGIN`` itself, which makes reads inside
a transaction consistent and SAVEPOINTs (per-file merges) work.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
_POLL_SECONDS = 0.1


class LockBusy(RuntimeError):
    """Another process (or thread) holds the lock and the caller chose not to wait (longer)."""

    def __init__(self, name: str, where: str) -> None:
        self.name = name
        self.where = where
        super().__init__(
            f"another tracker process is already running ({name!r} lock held on {where}); "
            "wait for it to finish, or retry with waiting enabled"
        )


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite files get WAL, foreign keys and a busy timeout on every connection."""
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # autocommit at driver level: SQLAlchemy emits BEGIN (below)
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL: a crash loses at most the last commit
    cursor.close()


_IMMEDIATE = "tracker_sqlite_immediate"  # execution option: BEGIN IMMEDIATE instead of BEGIN


def _sqlite_begin(connection: Any) -> None:
    immediate = connection.get_execution_options().get(_IMMEDIATE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def session_scope(engine: Engine, *, immediate: bool = True, **kwargs: Any) -> Iterator[Session]:
    """A session whose transaction commits when the block ends and rolls back if it raises.

    ``immediate`` (SQLite; ignored elsewhere): take the write lock at BEGIN, waiting up to the busy timeout,
    for a transaction that reads then writes. A deferred one would fail with "database is locked" if another
    process (a run beside the updates sender) committed after its first read. The default, since sessions are
    short; pass ``immediate=False`` for a long read-only session.
    """
    bind = (
        engine.execution_options(**{_IMMEDIATE: True})
        if immediate and engine.dialect.name == "sqlite"
        else engine
    )
    # A Session, not a sessionmaker: each sessionmaker builds a Session subclass and its event dispatch,
    # which cost 0.2 ms, as much as merging a small file (a run opens one session per data file).
    with Session(bind=bind, expire_on_commit=False, **kwargs) as session, session.begin():
        yield session


# --- the run lock -----------------------------------------------------------------------------------------

_memory_locks: dict[str, threading.Lock] = {}
_memory_guard = threading.Lock()


@contextmanager
def run_lock(engine: Engine, name: str = "run", wait: bool | float = False) -> Iterator[None]:
    """Hold an exclusive lock named ``name`` for this database, across processes, for the block.

    ``wait``: False fails at once with :class:`LockBusy`, True waits as long as needed, a number waits up to
    that many seconds. PostgreSQL uses a session advisory lock on a dedicated connection; a SQLite file uses
    ``flock`` on ``<database>.<name>.lock`` beside it. Both are released by the OS/server if the process dies.
    """
    dialect = engine.dialect.name
    if dialect == "postgresql":
        with _pg_lock(engine, name, wait):
            yield
    elif dialect == "sqlite":
        database = engine.url.database or ""
        if database in ("", ":memory:") or database.startswith("file::memory:"):
            with _memory_lock(f"{id(engine)}:{name}", wait):
                yield
        else:
            with _file_lock(Path(f"{database}.{name}.lock"), name, wait):
                yield
    else:
        raise NotImplementedError(f"no run lock for the {dialect!r} database backend")


def _deadline(wait: bool | float) -> float | None:
    """None: wait forever; otherwise the monotonic time after which to give up."""
    if wait is True:
        return None
    return time.monotonic() + (0.0 if wait is False else float(wait))


def _retry(try_once: Any, wait: bool | float, name: str, where: str) -> None:
    deadline = _deadline(wait)
    while not try_once():
        if deadline is not None and time.monotonic() >= deadline:
            raise LockBusy(name, where)
        time.sleep(
            _POLL_SECONDS if deadline is None else max(0.0, min(_POLL_SECONDS, deadline - time.monotonic()))
        )


def _pg_key(name: str) -> int:
    """A stable signed 64-bit key for ``pg_advisory_lock``, namespaced so other apps' keys don't collide."""
    digest = hashlib.blake2b(f"smartcity-tracker:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextmanager
def _pg_lock(engine: Engine, name: str, wait: bool | float) -> Iterator[None]:
    key = _pg_key(name)
    where = engine.url.render_as_string(hide_password=True)
    # Autocommit: the lock belongs to the session, and the connection must not sit "idle in transaction".
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if wait is True:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
        else:
            _retry(
                lambda: bool(conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar()),
                wait,
                name,
                where,
            )
        log.debug("run lock %r acquired on %s", name, where)
        try:
            yield
        finally:
            try:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
            except Exception:  # the connection is gone: the server has already released the lock
                log.warning("could not release run lock %r explicitly", name, exc_info=True)
                conn.invalidate()


@contextmanager
def _file_lock(path: Path, name: str, wait: bool | float) -> Iterator[None]:
    # The lock file is never deleted: unlinking it would let a new process lock a fresh inode while an old
    # one still holds the unlinked one.
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)

    def try_once() -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                return False
            raise
        return True

    try:
        if wait is True:
            fcntl.flock(fd, fcntl.LOCK_EX)
        else:
            _retry(try_once, wait, name, str(path))
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())  # for the operator: who holds it
        log.debug("run lock %r acquired on %s", name, path)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def _memory_lock(key: str, wait: bool | float) -> Iterator[None]:
    """An in-memory SQLite database lives in one process, so a thread lock is enough."""
    with _memory_guard:
        lock = _memory_locks.setdefault(key, threading.Lock())
    if wait is True:
        acquired = lock.acquire()
    elif wait is False:
        acquired = lock.acquire(blocking=False)
    else:
        acquired = lock.acquire(timeout=max(0.0, float(wait)))
    if not acquired:
        raise LockBusy(key.split(":", 1)[1], ":memory:")
    try:
        yield
    finally:
        lock.release()
