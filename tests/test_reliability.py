"""Stored answers under load and under a crash: real gunicorn, 2 workers, both databases.

- 60 concurrent writes from both partners: every acknowledged response is stored exactly once.
- ``kill -9`` of the whole server while responses are being written: after a restart every
  response acknowledged with 2xx is there, whole, and SQLite's integrity check says ok.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa

from scoring_service.simulation import iid as sim
from scoring_service.store import migrate
from scoring_service.store.db import make_engine
from scoring_service.surveys import Survey

from .helpers import GUNICORN, OPERATOR, ROOT, env, free_port

pytestmark = pytest.mark.slow


@contextmanager
def server(database_url: str, instance: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """gunicorn with 2 workers on ``database_url``; stopped (or found killed) at the end."""
    port = free_port()
    log = instance / f"gunicorn-{port}.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            GUNICORN,
            cwd=ROOT,
            env=env(
                SCORING_BIND=f"127.0.0.1:{port}",
                SCORING_INSTANCE_DIR=str(instance),
                SCORING_OPERATOR_TOKEN=OPERATOR,
                SCORING_SECRET_KEY="r" * 40,
                DATABASE_URL=database_url,
                WEB_CONCURRENCY="2",
                SCORING_BOOTSTRAP_RESAMPLES="200",
            ),
            stdout=subprocess.DEVNULL,
            stderr=sink,
            start_new_session=True,  # its own process group: kill -9 takes the workers too
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/livez", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"gunicorn did not start: {log.read_text()[-2000:]}")
                time.sleep(0.2)
        yield base, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def call(method: str, url: str, key: str, body: Any = None) -> tuple[int, Any]:
    """One HTTP request; (status, parsed body). A dropped connection is status 0."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", f"Bearer {key}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError):
        return 0, None  # the server went away mid-answer (killed): not acknowledged


def prepare(base: str) -> tuple[str, str, dict[str, str]]:
    """An alliance with a key per partner and round 1 open: (alliance url, admin key, keys)."""
    status, made = call(
        "POST",
        f"{base}/api/v1/alliances",
        OPERATOR,
        {
            "name": "load",
            "survey": "alliance-objectives",
            "partners": [{"key": "acme", "name": "Acme"}, {"key": "globex", "name": "Globex"}],
        },
    )
    assert status == 201, made
    url, admin = f"{base}/api/v1/alliances/{made['id']}", made["admin_key"]
    keys = {
        p: call("POST", f"{url}/partners/{p}/keys", admin)[1]["key"] for p in ("acme", "globex")
    }
    assert call("POST", f"{url}/rounds", admin, {"label": "r"})[0] == 201
    return url, admin, keys


def bodies(survey: Survey, count: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(count)
    return [
        {"role": "legal", "answers": sim.respondent(survey, rng, "x", "legal", "x")["answers"]}
        for _ in range(count)
    ]


def stored_rows(database_url: str) -> list[tuple[str, str, dict[str, Any], bool]]:
    """(partner, respondent, answers, complete) of every stored response, read directly."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT p.key, s.ref, r.answers, r.complete FROM responses r "
                    "JOIN stakeholders s ON s.id = r.stakeholder_id "
                    "JOIN partners p ON p.id = s.partner_id"
                )
            ).all()
    finally:
        engine.dispose()
    return [(k, ref, a if isinstance(a, dict) else json.loads(a), bool(c)) for k, ref, a, c in rows]


def migrated(database_url: str) -> str:
    if not database_url.startswith("sqlite"):
        engine = make_engine(database_url)
        migrate.upgrade(engine)
        engine.dispose()
    return database_url


def test_concurrent_writes_are_stored_exactly_once(
    database_url: str, tmp_path: Path, default_survey: Survey
) -> None:
    url = migrated(database_url)
    with server(url, tmp_path) as (base, _proc):
        alliance, _admin, keys = prepare(base)
        work = [
            (p, f"{p}-{k}", body)
            for p in ("acme", "globex")
            for k, body in enumerate(bodies(default_survey, 30))
        ]
        work += [(p, ref, body) for p, ref, body in work[::5]]  # 12 repeated writes (upserts)

        def put(item: tuple[str, str, dict[str, Any]]) -> tuple[int, str, str]:
            partner, ref, body = item
            status, _ = call("PUT", f"{alliance}/rounds/1/responses/{ref}", keys[partner], body)
            return status, partner, ref

        with ThreadPoolExecutor(max_workers=16) as pool:
            results = list(pool.map(put, work))
    assert len(work) >= 60
    assert {s for s, _, _ in results} == {200}
    rows = stored_rows(url)
    acknowledged = {(p, ref) for _, p, ref in results}
    assert len(rows) == len(acknowledged) == 60  # once each, the repeats included
    assert {(p, ref) for p, ref, _, _ in rows} == acknowledged


def test_a_killed_server_keeps_every_acknowledged_response(
    database_url: str, tmp_path: Path, default_survey: Survey
) -> None:
    url = migrated(database_url)
    sent = {f"k-{k}": body for k, body in enumerate(bodies(default_survey, 400))}
    acked: list[str] = []
    with server(url, tmp_path) as (base, proc):
        alliance, admin, keys = prepare(base)
        stop = threading.Event()

        def writer(refs: list[str]) -> None:
            for ref in refs:
                if stop.is_set():
                    return
                status, _ = call(
                    "PUT", f"{alliance}/rounds/1/responses/{ref}", keys["acme"], sent[ref]
                )
                if status == 200:
                    acked.append(ref)
                elif status == 0:
                    return  # the server is gone

        refs = list(sent)
        threads = [threading.Thread(target=writer, args=(refs[k::8],)) for k in range(8)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 30
        while len(acked) < 40 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)  # master and workers, mid-write
        proc.wait()
        stop.set()
        for t in threads:
            t.join(timeout=60)
    assert len(acked) >= 40
    with server(url, tmp_path) as (base, _proc):
        path = alliance.split("/api/", 1)[1]
        status, _ = call("GET", f"{base}/api/{path}", admin)
        assert status == 200  # the restarted service answers from the same data
    rows = {ref: (answers, complete) for _p, ref, answers, complete in stored_rows(url)}
    missing = [ref for ref in acked if ref not in rows]
    assert missing == []
    for ref, (answers, complete) in rows.items():  # whole responses only, acknowledged or not
        assert complete and answers == sent[ref]["answers"]
    if url.startswith("sqlite"):
        engine = make_engine(url)
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        engine.dispose()
