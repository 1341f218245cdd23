"""Helpers shared by several test modules (test modules never import one another).

- Real servers: the gunicorn command line ``make run`` uses, a free local port and its
  environment (test_server, test_reliability).
- Stored resources through the Flask test client: credentials and a ready alliance
  (test_store_api, test_access_matrix).
- The settings of a test app (``settings_for``) and a mini-survey response.
- A real gunicorn server for a block (``gunicorn``).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from flask.testing import FlaskClient

from scoring_service.simulation import iid
from scoring_service.surveys import Survey

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
OPERATOR = "op_" + "t" * 40
API = "/api/v1"

# The service as `make run` starts it: gunicorn with gunicorn.conf.py (run from ROOT).
GUNICORN = [
    sys.executable,
    "-m",
    "gunicorn",
    "-c",
    "gunicorn.conf.py",
    "scoring_service:create_app()",
]


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on (now)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# Tests send many failed credentials and writes on purpose: limits out of their way, but in
# tests/test_limits.py. Redis is left to the tests that name it.
UNLIMITED = {"SCORING_LIMIT_FAILURES": "100000 per minute", "SCORING_LIMIT_WRITES": "100000/minute"}


def env(**extra: str) -> dict[str, str]:
    """The caller's environment without the service's settings: one worker, no access log, no
    rate limits in the way, then ``extra``."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("SCORING_")}
    base.pop("WEB_CONCURRENCY", None)
    base.pop("REDIS_URL", None)
    return {**base, "WEB_CONCURRENCY": "1", "SCORING_ACCESS_LOG": "/dev/null", **UNLIMITED, **extra}


def bearer(key: str) -> dict[str, str]:
    """The Authorization header of a key or token."""
    return {"Authorization": f"Bearer {key}"}


def new_alliance(client: FlaskClient, **extra: Any) -> dict[str, Any]:
    """A new alliance of acme and globex on the default survey, created by the operator."""
    body = {
        "name": "Acme x Globex",
        "partners": [{"key": "acme", "name": "Acme"}, {"key": "globex", "name": "Globex"}],
        "survey": "alliance-objectives",
        "frame_ancestors": ["https://portal.example.com"],
        **extra,
    }
    resp = client.post(f"{API}/alliances", json=body, headers=bearer(OPERATOR))
    assert resp.status_code == 201, resp.get_data(as_text=True)
    doc: dict[str, Any] = resp.get_json()
    return doc


class World:
    """An alliance with its admin key, a key per partner and round 1 open."""

    def __init__(self, client: FlaskClient, **extra: Any) -> None:
        self.client = client
        made = new_alliance(client, **extra)
        self.id = made["id"]
        self.base = f"{API}/alliances/{self.id}"
        self.admin = bearer(made["admin_key"])
        self.keys = {
            p: bearer(client.post(f"{self.base}/partners/{p}/keys", headers=self.admin).json["key"])
            for p in ("acme", "globex")
        }
        assert (
            client.post(f"{self.base}/rounds", json={"label": "Q1"}, headers=self.admin).status_code
            == 201
        )

    def put(self, key: str, ref: str, answers: dict[str, Any], **extra: Any) -> Any:
        """PUT a response of respondent ``ref`` with partner ``key``'s key."""
        body = {"role": extra.pop("role", "legal"), "answers": answers, **extra}
        return self.client.put(
            f"{self.base}/rounds/1/responses/{ref}", json=body, headers=self.keys[key]
        )


def settings_for(database_url: str, instance: Path, **more: Any) -> dict[str, Any]:
    """Settings of a test app on ``database_url``, secrets fixed, nothing outside tmp."""
    return {
        "database_url": database_url,
        "instance_dir": instance,
        "operator_token": OPERATOR,
        "secret_key": "s" * 40,
        "bootstrap_resamples": 500,
        "limit_failures": UNLIMITED["SCORING_LIMIT_FAILURES"],
        "limit_writes": UNLIMITED["SCORING_LIMIT_WRITES"],
    } | more


def mini_response(
    partner: str, respondent: str, role: str = "legal", **answers: Any
) -> dict[str, Any]:
    """A complete mini-survey response; keyword arguments override answers."""
    base: dict[str, Any] = {
        "t1": 4,
        "t2": 2,
        "t3": 4,
        "g1": 3,
        "g2": 4,
        "g3": 3,
        "priorities": {"speed": 25, "risk": 25, "revenue": 25, "cost": 25},
    }
    base.update(answers)
    return {"partner": partner, "role": role, "respondent": respondent, "answers": base}


def answers(survey: Survey, seed: int) -> dict[str, Any]:
    """A complete, valid response of ``survey`` (every item, drawn with ``seed``)."""
    raw = iid.respondent(survey, np.random.default_rng(seed), "x", "legal", "x")
    return dict(raw["answers"])


@contextmanager
def gunicorn(log: Path, **settings: str) -> Iterator[str]:
    """A real gunicorn server (``make run``'s command, one worker) on a free port of 127.0.0.1
    with ``settings`` in its environment: its base URL once ``/livez`` answers. Stopped, and
    waited for, when the block ends; its stderr goes to ``log`` (a file: a full pipe would stall
    the server)."""
    port = free_port()
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            GUNICORN,
            cwd=ROOT,
            env=env(SCORING_BIND=f"127.0.0.1:{port}", **settings),
            stdout=subprocess.DEVNULL,
            stderr=sink,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/livez", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(
                        f"gunicorn did not start: {log.read_text()[-2000:]}"
                    ) from None
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
