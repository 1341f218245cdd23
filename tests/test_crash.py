"""``kill -9`` during writes loses no acknowledged write: real gunicorn, 2 workers, both databases
(the re-run of an independent review's measurement).

Four client threads PUT about 300 complete responses, each of a distinct respondent, through the
API. While they run: ``kill -9`` of one worker, later of another, then of the master and all its
workers (its process group); a new gunicorn then starts on the same database and the writes go
on. Every write the client saw acknowledged (a 200 naming its respondent) must be stored, listed
through the API (paginated, admin key) and read directly from the database (responses joined to
stakeholders), and the two listings must agree. Errors and dropped connections are not
acknowledged: they may or may not have been stored. The summary line (``pytest -s``) gives the
counts.
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
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from scoring_service.store.db import make_engine
from scoring_service.surveys import Survey

from .helpers import GUNICORN, OPERATOR, ROOT, answers, env, free_port

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds workers in /proc"),
]

WRITES = 300
THREADS = 4
WORKERS = 2
# Completed writes after which each kill comes: a worker, another worker, the master and all.
KILL_AT = (50, 110, 180)
REQUEST_TIMEOUT = 10  # seconds per request
START_TIMEOUT = 30  # seconds for a server to answer /livez with all its workers up
PHASE_TIMEOUT = 30  # seconds for the writes to reach the next kill (or their end)
PAGE = 50  # listing page size: 300 responses take several pages


def children(pid: int) -> list[int]:
    """Live (not zombie) child processes of ``pid``: a gunicorn master's workers."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]  # the name may hold spaces or ')'
        if int(ppid) == pid and state not in ("Z", "X"):
            found.append(int(entry.name))
    return sorted(found)


def tail(log: Path) -> str:
    return log.read_text(errors="replace")[-2000:] if log.exists() else ""


@dataclass
class Server:
    base: str
    proc: subprocess.Popen[bytes]
    log: Path


def start(url: str, instance: Path, servers: list[Server]) -> Server:
    """gunicorn (``make run``'s command) with 2 workers on a free port of 127.0.0.1, in its own
    process group; appended to ``servers`` (stopped by the caller's ``finally``) before it is
    waited for: returned once ``/livez`` answers and both workers run."""
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
                SCORING_SECRET_KEY="s" * 40,
                SCORING_BOOTSTRAP_RESAMPLES="200",
                DATABASE_URL=url,
                WEB_CONCURRENCY=str(WORKERS),
            ),
            stdout=subprocess.DEVNULL,
            stderr=sink,
            start_new_session=True,  # its own process group: kill -9 of it takes the workers
        )
    server = Server(f"http://127.0.0.1:{port}", proc, log)
    servers.append(server)
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            with urllib.request.urlopen(f"{server.base}/livez", timeout=2) as resp:
                if resp.status == 200 and len(children(proc.pid)) == WORKERS:
                    return server
        except (urllib.error.URLError, OSError, http.client.HTTPException):
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"gunicorn did not start: {tail(log)}")
        time.sleep(0.1)


def stop(server: Server) -> None:
    """Stop a server (or make sure a killed one is gone), workers included; waited for."""
    proc = server.proc
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    try:  # a worker left behind by its master (the group is the one we started)
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def call(method: str, url: str, key: str, body: Any = None) -> tuple[int, Any]:
    """One HTTP request, bounded in time: (status, parsed body). A dropped or refused connection,
    a timeout or an unreadable answer is status 0."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", f"Bearer {key}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as err:
        with err:
            try:
                return err.code, json.loads(err.read() or b"null")
            except (OSError, http.client.HTTPException, ValueError):
                return err.code, None
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError):
        return 0, None


def must(status: int, doc: Any, expected: int, what: str) -> Any:
    assert status == expected, f"{what}: {status} {doc}"
    return doc


def set_up(base: str) -> tuple[str, str, dict[str, str]]:
    """An alliance, a key per partner and round 1 open, through the API: (alliance path, admin
    key, partner keys)."""
    made = must(
        *call(
            "POST",
            f"{base}/api/v1/alliances",
            OPERATOR,
            {
                "name": "Crash",
                "survey": "alliance-objectives",
                "partners": [{"key": "acme", "name": "Acme"}, {"key": "globex", "name": "Globex"}],
            },
        ),
        201,
        "create the alliance",
    )
    path, admin = f"/api/v1/alliances/{made['id']}", made["admin_key"]
    keys = {
        p: must(*call("POST", f"{base}{path}/partners/{p}/keys", admin), 201, f"{p} key")["key"]
        for p in ("acme", "globex")
    }
    must(*call("POST", f"{base}{path}/rounds", admin, {"label": "Q1"}), 201, "open round 1")
    return path, admin, keys


@dataclass
class Write:
    ref: str
    partner: str
    body: dict[str, Any]
    status: int | None = None  # None: not sent; 0: no answer
    acked: bool = False
    phase: int = 0  # kills before it was sent


class Writers:
    """Four threads writing the planned responses in turn, against the server of the moment;
    ``up`` is cleared while the server is being replaced, so the writes wait instead of
    spending respondents on a port nobody listens on."""

    def __init__(self, plan: list[Write], keys: dict[str, str], path: str) -> None:
        self.plan, self.keys, self.path = plan, keys, path
        self.base = ""
        self.phase = 0
        self.up = threading.Event()
        self.lock = threading.Lock()
        self.next = 0
        self.done = 0
        self.faults: list[str] = []
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(THREADS)]

    def take(self) -> Write | None:
        with self.lock:
            if self.next == len(self.plan):
                return None
            self.next += 1
            return self.plan[self.next - 1]

    def run(self) -> None:
        try:
            while (write := self.take()) is not None:
                if not self.up.wait(timeout=START_TIMEOUT + 10):
                    write.status = -1  # the server never came back: the test fails below
                else:
                    write.phase = self.phase
                    url = f"{self.base}{self.path}/rounds/1/responses/{write.ref}"
                    write.status, doc = call("PUT", url, self.keys[write.partner], write.body)
                    write.acked = (
                        write.status == 200
                        and isinstance(doc, dict)
                        and doc.get("respondent") == write.ref
                    )
                with self.lock:
                    self.done += 1
        except Exception as exc:  # noqa: BLE001 (reported by the test, not lost in a thread)
            self.faults.append(repr(exc))

    def reach(self, count: int) -> None:
        """Wait, bounded, until ``count`` writes have been answered (or have failed)."""
        deadline = time.monotonic() + PHASE_TIMEOUT
        while self.done < count:
            assert not self.faults, self.faults
            assert time.monotonic() < deadline, f"writes stalled at {self.done} of {count}"
            time.sleep(0.005)


def kill_worker(server: Server, spared: set[int]) -> int:
    """``kill -9`` of one running worker of ``server``, not one killed before: its pid."""
    deadline = time.monotonic() + 10
    while not (workers := [w for w in children(server.proc.pid) if w not in spared]):
        assert time.monotonic() < deadline, f"no worker to kill: {tail(server.log)}"
        time.sleep(0.05)
    os.kill(workers[0], signal.SIGKILL)
    return workers[0]


def listed_by_api(base: str, path: str, admin: str) -> list[dict[str, Any]]:
    """Every stored response of round 1, page by page (admin key), following ``next_cursor``."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(WRITES // PAGE + 5):
        query = {"limit": PAGE} | ({"cursor": cursor} if cursor else {})
        url = f"{base}{path}/rounds/1/responses?{urllib.parse.urlencode(query)}"
        doc = must(*call("GET", url, admin), 200, "list responses")
        items += doc["items"]
        cursor = doc["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError(f"the listing did not end after {len(items)} items")


def listed_in_database(url: str, alliance_id: str) -> list[tuple[str, str]]:
    """(partner, respondent) of every stored response of round 1, read directly."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT p.key, s.ref FROM responses r "
                    "JOIN stakeholders s ON s.id = r.stakeholder_id "
                    "JOIN partners p ON p.id = s.partner_id "
                    "JOIN rounds ro ON ro.id = r.round_id "
                    "WHERE ro.alliance_id = :alliance AND ro.n = 1"
                ),
                {"alliance": alliance_id},
            ).all()
            integrity = (
                conn.exec_driver_sql("PRAGMA integrity_check").scalar()
                if url.startswith("sqlite")
                else "ok"
            )
    finally:
        engine.dispose()
    assert integrity == "ok", integrity
    return [(str(p), str(ref)) for p, ref in rows]


def test_kill_9_during_writes_loses_no_acknowledged_write(
    migrated_url: str, tmp_path: Path, default_survey: Survey
) -> None:
    db = "sqlite" if migrated_url.startswith("sqlite") else "postgresql"
    started = time.monotonic()
    plan = [
        Write(
            f"c-{k:03d}",
            ("acme", "globex")[k % 2],
            {"role": "legal", "answers": answers(default_survey, k), "complete": True},
        )
        for k in range(WRITES)
    ]
    servers: list[Server] = []
    killed: list[str] = []
    writers: Writers | None = None
    try:
        first = start(migrated_url, tmp_path, servers)
        path, admin, keys = set_up(first.base)
        writers = Writers(plan, keys, path)
        writers.base = first.base
        writers.up.set()
        for t in writers.threads:
            t.start()
        # kill -9 of one worker, then of another (not the one killed before).
        writers.reach(KILL_AT[0])
        one = kill_worker(first, set())
        writers.phase = 1
        killed.append(f"worker {one} after {writers.done} writes")
        writers.reach(KILL_AT[1])
        two = kill_worker(first, {one})
        writers.phase = 2
        killed.append(f"worker {two} after {writers.done} writes")
        # kill -9 of the master and all its workers (the process group), then a new server.
        writers.reach(KILL_AT[2])
        writers.up.clear()
        pids = [first.proc.pid, *children(first.proc.pid)]
        os.killpg(first.proc.pid, signal.SIGKILL)
        first.proc.wait(timeout=10)
        killed.append(f"master and workers {pids} after {writers.done} writes")
        second = start(migrated_url, tmp_path, servers)
        writers.base = second.base
        writers.phase = 3
        writers.up.set()
        for t in writers.threads:
            t.join(timeout=PHASE_TIMEOUT)
        assert not any(t.is_alive() for t in writers.threads), "writes stalled"
        assert not writers.faults, writers.faults
        items = listed_by_api(second.base, path, admin)
        stored_db = listed_in_database(migrated_url, path.rsplit("/", 1)[1])
    finally:
        if writers is not None:
            writers.up.set()  # no writer waits for a server that will not come
        for server in servers:
            stop(server)
        if writers is not None:
            for t in writers.threads:
                t.join(timeout=REQUEST_TIMEOUT + 5)
    elapsed = time.monotonic() - started

    sent = {w.ref: w for w in plan}
    acked = {w.ref for w in plan if w.acked}
    stored_api = [(i["partner"], i["respondent"]) for i in items]
    refs_api = {ref for _, ref in stored_api}
    lost = sorted(acked - refs_api)
    lost_db = sorted(acked - {ref for _, ref in stored_db})
    refused = Counter(w.status for w in plan if not w.acked)
    unacked_stored = len(refs_api - acked)
    by_phase = Counter(w.phase for w in plan if w.acked)
    summary = (
        f"crash {db}: {len(plan)} writes, {len(acked)} acknowledged, {len(lost)} lost, "
        f"{sum(refused.values())} refused; {len(killed)} kills; "
        f"{len(refs_api)} stored ({unacked_stored} unacknowledged); "
        f"refusals by status {dict(sorted(refused.items()))}; "
        f"acknowledged by phase {dict(sorted(by_phase.items()))}; {elapsed:.1f} s"
    )
    print(f"\n{summary}")
    context = f"{summary}\nkills: {killed}\nlogs:\n" + "\n".join(
        f"{s.log.name}: {tail(s.log)}" for s in servers
    )
    # Every acknowledged write is stored: listed through the API and read from the database.
    assert lost == [], f"acknowledged but not listed by the API: {lost}\n{context}"
    assert lost_db == [], f"acknowledged but not in the database: {lost_db}\n{context}"
    # The two listings agree: same (partner, respondent) pairs, each once.
    assert len(stored_api) == len(set(stored_api)), f"listed twice by the API\n{context}"
    assert sorted(stored_api) == sorted(stored_db), context
    # Only what was sent, by the partner that sent it, whole (acknowledged or not).
    for item in items:
        write = sent.get(item["respondent"])
        assert write is not None, f"unknown respondent stored: {item['respondent']}"
        assert item["partner"] == write.partner, item
        assert item["complete"] and item["answers"] == write.body["answers"], item
    # The run did what it claims: three kills, writes acknowledged in every phase (the new
    # server included), every planned write sent.
    assert len(killed) == 3, killed
    assert all(w.status is not None and w.status >= 0 for w in plan), context
    assert set(by_phase) == {0, 1, 2, 3}, context
