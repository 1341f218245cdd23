"""The database: one engine per process, SQLite tuned for durability, sessions for reads and writes.

SQLite is the embedded default; ``postgresql+psycopg://`` URLs run the same code on PostgreSQL.
Every SQLite connection gets WAL, a busy timeout, foreign keys and ``synchronous=FULL`` (a 2xx
promises the answer is on disk). Write transactions on SQLite start with ``BEGIN IMMEDIATE``,
so two writers queue on the busy timeout instead of failing when a read lock cannot be upgraded.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

BUSY_TIMEOUT_MS = 5000
CONNECT_TIMEOUT_S = 3
POOL_TIMEOUT_S = 5
PRIVATE = 0o600  # the database, its WAL and shared-memory files, the write lock: owner only


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Per-connection SQLite settings; the driver's own transaction handling is switched off."""
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see _sqlite_begin)
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        f"busy_timeout={BUSY_TIMEOUT_MS}",
        "foreign_keys=ON",
        "synchronous=FULL",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    """BEGIN IMMEDIATE for writers (they take the write lock up front), plain BEGIN for the ORM's
    reads, nothing for the autocommit reader (each statement its own snapshot, so a request
    holds no snapshot while it computes)."""
    options = connection.get_execution_options()
    if options.get("reader"):
        return
    connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get("write") else "BEGIN")


def make_engine(url: str, **options: Any) -> Engine:
    """An engine for ``url`` with the settings above (SQLite) or pool pre-ping (others)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}, **options)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # A database that does not answer costs at most CONNECT_TIMEOUT_S per connection attempt
    # and POOL_TIMEOUT_S waiting for a pooled one: far less than gunicorn's worker timeout, so
    # the request answers 503 instead of being killed.
    return create_engine(
        parsed,
        pool_pre_ping=True,
        pool_timeout=POOL_TIMEOUT_S,
        hide_parameters=True,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_S},
        **options,
    )


class Store:
    """The engine and its session factories; ``read()`` and ``write()`` are transactions."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        # Single-statement reads (credentials, rounds, cached results): a pool of autocommit
        # connections, so a read costs no BEGIN and ROLLBACK (round trips, on PostgreSQL).
        self.reader = make_engine(url, isolation_level="AUTOCOMMIT").execution_options(reader=True)
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        self._write_engine = self.engine.execution_options(write=True)
        self._writer = sessionmaker(self._write_engine, expire_on_commit=False)
        database = self.engine.url.database
        on_disk = self.dialect == "sqlite" and database and database != ":memory:"
        self._lock_path = f"{database}.write-lock" if on_disk else None
        self._thread_lock = threading.Lock()

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction (rolled back at the end)."""
        with self._reader() as session:  # autobegins; closing rolls back
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction: committed when the block ends, rolled back if it raises."""
        with self._write_lock(), self._writer() as session, session.begin():
            yield session

    @contextmanager
    def write_core(self) -> Iterator[Connection]:
        """A write transaction on a Core connection (the hot paths: no ORM session around it)."""
        with self._write_lock(), self._write_engine.begin() as conn:
            yield conn

    @contextmanager
    def _write_lock(self) -> Iterator[None]:
        """SQLite: one writer at a time across this host's processes, queued on a file lock.

        SQLite's own busy handler waits by sleeping (1, 2, 5, ... up to 100 ms) and retrying,
        so two gunicorn workers writing at once lose milliseconds each time they collide; a
        blocking ``flock`` wakes the next writer the moment the lock is released. PostgreSQL
        needs nothing of the kind.
        """
        if self._lock_path is None:
            yield
            return
        # Opened per write (microseconds): no descriptor outlives a fork or a test's app.
        with self._thread_lock:
            lock = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, PRIVATE)
            try:
                fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
                yield
            finally:
                os.close(lock)

    def make_folder(self) -> None:
        """Create the folder of a SQLite database file, and the file itself readable by its
        owner only (SQLite gives its WAL and shared-memory files the database file's mode);
        an existing file is made so too. Nothing for other databases."""
        database = self.engine.url.database
        if self.dialect == "sqlite" and database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(database, os.O_RDWR | os.O_CREAT, PRIVATE))
            for name in (database, f"{database}-wal", f"{database}-shm", self._lock_path):
                if name and os.path.exists(name):
                    os.chmod(name, PRIVATE)

    def ping(self) -> None:
        """One round trip to the database (``/readyz``): raises when it does not answer."""
        with self.reader.connect() as conn:
            conn.exec_driver_sql("SELECT 1")

    def dispose(self) -> None:
        """Close pooled connections (before gunicorn forks its workers, and at the end)."""
        self.engine.dispose()
        self.reader.dispose()
