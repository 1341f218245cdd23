"""A request killed with its worker (kill -9 in the middle of a write) leaves its
``Idempotency-Key`` record running: the key is held for a lease of the worker timeout
(``SCORING_TIMEOUT``) plus 5 s, a retry meanwhile is a 409 saying when to come back
(``Retry-After``), and after it a retry takes the key over. On SQLite and PostgreSQL.

Time is moved by moving the record's timestamp back in the database, not by sleeping.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from scoring_service import create_app
from scoring_service.store.models import IdempotencyRecord
from scoring_service.surveys import Survey

from .helpers import World, answers, settings_for

KEY = {"Idempotency-Key": "put-ann"}


def killed(client: FlaskClient, url: str, body: dict[str, Any], headers: dict[str, str]) -> None:
    """A PUT whose worker dies after claiming its key: every hook before the view runs (the
    credential, the JSON check, the claim), then nothing (no view, no answer kept)."""
    app = client.application
    with app.test_request_context(url, method="PUT", json=body, headers=headers):
        assert app.preprocess_request() is None  # the key is claimed, the view would run next


def running(app: Flask) -> IdempotencyRecord:
    """The one running record (detached)."""
    with app.extensions["scoring"].store.write() as session:
        found = session.scalars(
            select(IdempotencyRecord).where(IdempotencyRecord.state == "running")
        )
        record: IdempotencyRecord = found.one()
        session.expunge(record)
    return record


def age(app: Flask, seconds: float) -> None:
    """Move the running record's claim ``seconds`` into the past (as if time had passed)."""
    with app.extensions["scoring"].store.write() as session:
        record = session.scalars(
            select(IdempotencyRecord).where(IdempotencyRecord.state == "running")
        ).one()
        record.created_at -= dt.timedelta(seconds=seconds)


def retry_after(resp: Any) -> int:
    """The 409 problem of a key still held, and its Retry-After in seconds."""
    assert resp.status_code == 409, resp.get_data(as_text=True)
    assert resp.mimetype == "application/problem+json"
    assert "still running" in resp.json["detail"]
    return int(resp.headers["Retry-After"])


def stored_refs(w: World) -> list[str]:
    """The respondents stored in round 1."""
    items = w.client.get(f"{w.base}/rounds/1/responses", headers=w.admin).json["items"]
    return sorted(r["respondent"] for r in items)


def setup(client: FlaskClient, survey: Survey) -> tuple[World, str, dict[str, Any], dict[str, str]]:
    """An alliance, and a PUT of acme's ann with an Idempotency-Key that was killed."""
    w = World(client)
    url = f"{w.base}/rounds/1/responses/ann"
    body = {"role": "legal", "answers": answers(survey, 1)}
    headers = {**w.keys["acme"], **KEY}
    killed(client, url, body, headers)
    assert stored_refs(w) == []  # the write never happened
    return w, url, body, headers


def test_a_killed_request_holds_its_key_for_the_lease(
    stored: FlaskClient, default_survey: Survey
) -> None:
    """The default SCORING_TIMEOUT is 30 s: a lease of 35 s, counted from the claim."""
    w, url, body, headers = setup(stored, default_survey)
    assert 33 <= retry_after(stored.put(url, json=body, headers=headers)) <= 35
    age(stored.application, 20)
    assert 13 <= retry_after(stored.put(url, json=body, headers=headers)) <= 15
    age(stored.application, 14)  # under a second left: still held, for at least 1 s
    claimed = running(stored.application).created_at
    assert retry_after(stored.put(url, json=body, headers=headers)) == 1
    assert running(stored.application).created_at == claimed  # a 409 extends nothing
    assert stored_refs(w) == []  # and runs nothing


def test_after_the_lease_a_retry_takes_the_key_over(
    stored: FlaskClient, default_survey: Survey
) -> None:
    """Past the lease the retry runs (once), its answer is kept, and the next retry replays."""
    w, url, body, headers = setup(stored, default_survey)
    age(stored.application, 36)
    first = stored.put(url, json=body, headers=headers)
    assert first.status_code == 200, first.get_data(as_text=True)
    assert "Idempotent-Replayed" not in first.headers
    assert stored_refs(w) == ["ann"]
    again = stored.put(url, json=body, headers=headers)
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_data() == first.get_data()  # the kept answer, not a second write


@pytest.fixture
def short_timeout_app(
    migrated_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Flask]:
    """The app on each database, migrated, started with SCORING_TIMEOUT=7 (as gunicorn's)."""
    monkeypatch.setenv("SCORING_TIMEOUT", "7")
    app = create_app(settings_for(migrated_url, tmp_path))
    yield app
    app.extensions["scoring"].store.dispose()


def test_the_lease_follows_the_worker_timeout(
    short_timeout_app: Flask, default_survey: Survey
) -> None:
    """SCORING_TIMEOUT=7: a lease of 12 s."""
    client = short_timeout_app.test_client()
    w, url, body, headers = setup(client, default_survey)
    assert 10 <= retry_after(client.put(url, json=body, headers=headers)) <= 12
    age(short_timeout_app, 11)
    assert retry_after(client.put(url, json=body, headers=headers)) == 1
    age(short_timeout_app, 1.5)  # 12.5 s after the claim: the lease has run out
    assert client.put(url, json=body, headers=headers).status_code == 200
    assert stored_refs(w) == ["ann"]
