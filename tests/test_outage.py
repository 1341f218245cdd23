"""A database that does not answer: 503 problem+json with Retry-After, never a 500; ``/readyz``
says so; the service recovers by itself when the database returns; no acknowledged write is
lost. PostgreSQL is reached through a TCP proxy the test cuts (refusing connections, then
accepting and never answering); SQLite is held locked past its busy timeout. And the SQLite
files are the owner's only."""

from __future__ import annotations

import os
import socket
import sqlite3
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from scoring_service import create_app
from scoring_service.store import migrate
from scoring_service.store.db import make_engine
from scoring_service.surveys import Survey

from .helpers import World, answers, settings_for


class Proxy:
    """A TCP proxy to ``upstream`` on a free port of 127.0.0.1 that a test can cut:
    ``refuse()`` (nothing listens: connections are refused), ``black_hole()`` (connections are
    accepted and never answered), ``up()`` (forwarded again). A cut also drops the connections
    open through it, as a database restart or a network cut does."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.mode = "up"
        self.links: list[socket.socket] = []
        self.lock = threading.Lock()
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.listener: socket.socket | None = None
        self._listen()

    def _listen(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # the listener was closed
            with self.lock:
                self.links.append(client)
                if self.mode == "black_hole":
                    continue  # held open, never read, never answered
                server = socket.create_connection(self.upstream)
                self.links.append(server)
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _drop_links(self) -> None:
        with self.lock:
            for s in self.links:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
            self.links.clear()

    def refuse(self) -> None:
        self.mode = "refuse"
        if self.listener is not None:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() blocked on it
            self.listener.close()
            self.listener = None
        self._drop_links()

    def black_hole(self) -> None:
        self.mode = "black_hole"
        self._drop_links()
        if self.listener is None:
            self._listen()

    def up(self) -> None:
        self._drop_links()  # the held, never-answered connections
        self.mode = "up"
        if self.listener is None:
            self._listen()

    def close(self) -> None:
        self.refuse()


def through(url: str, port: int) -> str:
    """``url`` with its host and port replaced by the proxy's."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)
    user = f"{netloc[0]}@" if len(netloc) == 2 else ""
    return urlunsplit(parts._replace(netloc=f"{user}127.0.0.1:{port}"))


@pytest.fixture
def proxied(database_url: str, tmp_path: Path) -> Iterator[tuple[FlaskClient, Proxy, str]]:
    """The app on PostgreSQL through a proxy: its client, the proxy, the direct URL."""
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    engine.dispose()
    parts = urlsplit(database_url)
    proxy = Proxy((parts.hostname or "127.0.0.1", parts.port or 5432))
    app = create_app(settings_for(through(database_url, proxy.port), tmp_path))
    try:
        yield app.test_client(), proxy, database_url
    finally:
        proxy.close()
        app.extensions["scoring"].store.dispose()


def unavailable(answer: Any) -> bool:
    """A 503 problem with Retry-After (the answer of an outage)."""
    return (
        answer.status_code == 503
        and answer.mimetype == "application/problem+json"
        and int(answer.headers["Retry-After"]) >= 1
    )


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_postgresql_outage_is_a_503_and_passes_by_itself(
    proxied: tuple[FlaskClient, Proxy, str], default_survey: Survey
) -> None:
    client, proxy, direct = proxied
    w = World(client)
    acknowledged: list[str] = []

    def write(ref: str) -> Any:
        body = {"role": "it", "answers": answers(default_survey, len(acknowledged))}
        got = client.put(f"{w.base}/rounds/1/responses/{ref}", json=body, headers=w.keys["acme"])
        if got.status_code == 200:
            acknowledged.append(ref)
        return got

    assert all(write(f"before-{k}").status_code == 200 for k in range(5))
    assert client.get("/readyz").status_code == 200
    results = f"{w.base}/rounds/1/results"
    for cut in (proxy.refuse, proxy.black_hole):
        cut()
        started = time.monotonic()
        seen = [write(f"{cut.__name__}-{k}") for k in range(3)]
        seen += [client.get(results, headers=w.admin), client.get("/readyz")]
        # The bound is the feature: every answer comes well within gunicorn's 30 s worker
        # timeout (3 s to connect at most per attempt), so no worker is killed mid-request.
        elapsed = time.monotonic() - started
        assert [a.status_code for a in seen if not unavailable(a)] == [], cut.__name__
        assert elapsed < 5 * 10, elapsed
    form = client.get("/forms/inv_whatever")  # the respondent's page says so too
    assert form.status_code == 503 and form.headers.get("Retry-After")
    proxy.up()
    for _ in range(40):  # back by itself, within seconds
        if client.get("/readyz").status_code == 200:
            break
        time.sleep(0.25)
    assert all(write(f"after-{k}").status_code == 200 for k in range(5))
    engine = sa.create_engine(direct)
    with engine.connect() as conn:
        query = "SELECT s.ref FROM responses r JOIN stakeholders s ON s.id = r.stakeholder_id"
        stored = sorted(conn.execute(sa.text(query)).scalars())
    engine.dispose()
    assert stored == sorted(acknowledged) and len(acknowledged) == 10


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sqlite_locked_past_its_busy_timeout_is_a_503(
    stored: FlaskClient, default_survey: Survey, tmp_path: Path
) -> None:
    """Another process holds the write lock longer than the 5 s busy timeout."""
    w = World(stored)
    database = tmp_path / "scoring.db"
    holder = sqlite3.connect(database, isolation_level=None)
    body = {"role": "it", "answers": answers(default_survey, 1)}
    url = f"{w.base}/rounds/1/responses/locked"
    try:
        holder.execute("BEGIN IMMEDIATE")
        assert unavailable(stored.put(url, json=body, headers=w.keys["acme"]))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert stored.put(url, json=body, headers=w.keys["acme"]).status_code == 200


def test_the_sqlite_files_are_the_owners_only(tmp_path: Path, default_survey: Survey) -> None:
    """They were 0644 while the secrets beside them are 0600; an older file is made so too."""
    database = tmp_path / "scoring.db"
    database.touch(mode=0o644)
    os.chmod(database, 0o644)
    app = create_app(settings_for(f"sqlite:///{database}", tmp_path))
    w = World(app.test_client())  # writes: the WAL, its index and the write lock appear
    assert w.put("acme", "ann", answers(default_survey, 1)).status_code == 200
    files = [database, *(tmp_path / f"scoring.db{s}" for s in ("-wal", "-shm", ".write-lock"))]
    modes = {f.name: oct(stat.S_IMODE(f.stat().st_mode)) for f in files}
    app.extensions["scoring"].store.dispose()
    assert modes == {f.name: "0o600" for f in files}
