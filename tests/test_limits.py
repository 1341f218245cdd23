"""Rate limits: failed attempts per client address (429 with Retry-After after the documented
number, a valid credential from the same address still passing), writes per credential, in
Redis (the real server, keys of this test's own prefix, never FLUSHDB) and in memory; a Redis
that does not answer lets requests pass with a warning; the client address from trusted proxies
only."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from scoring_service import create_app

from .helpers import World, bearer, free_port, settings_for

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
REQUIRE_REDIS = os.environ.get("SCORING_REQUIRE_REDIS") == "1"
WRONG = bearer("sk_admin_" + "x" * 32)


def redis_or_skip() -> Any:
    """A client of the test Redis, or a skip (a failure when SCORING_REQUIRE_REDIS=1)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        if REQUIRE_REDIS:
            pytest.fail(f"Redis at {REDIS_URL} does not answer: {exc}")
        pytest.skip(f"Redis at {REDIS_URL} does not answer: {exc}")
    return client


@pytest.fixture(params=["memory", "redis"])
def limited(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """An app with 3 failures a minute per address and 4 writes a minute per credential,
    counted in memory or in Redis under a prefix of its own (its keys deleted afterwards)."""
    limits: dict[str, Any] = {"limit_failures": "3 per minute", "limit_writes": "4 per minute"}
    if request.param == "redis":
        redis = redis_or_skip()
        prefix = f"scoring-test-{secrets.token_hex(4)}"
        limits |= {"redis_url": REDIS_URL, "limit_prefix": prefix}
    app = create_app(settings_for(f"sqlite:///{tmp_path / 'l.db'}", tmp_path, **limits))
    yield app
    app.extensions["scoring"].store.dispose()
    if request.param == "redis":
        keys = list(redis.scan_iter(f"*/{prefix}/*"))  # the limits library's own prefix first
        if keys:
            redis.delete(*keys)
        redis.close()
        assert keys, "nothing was counted in Redis"


def too_many(answer: Any) -> bool:
    return (
        answer.status_code == 429
        and answer.mimetype == "application/problem+json"
        and 1 <= int(answer.headers["Retry-After"]) <= 60
    )


def test_failures_past_the_limit_are_a_429_but_a_valid_credential_passes(
    limited: Flask,
) -> None:
    client = limited.test_client()
    w = World(client)
    statuses = [client.get(w.base, headers=WRONG).status_code for _ in range(3)]
    assert statuses == [401, 401, 401]
    assert too_many(client.get(w.base, headers=WRONG))
    assert too_many(client.get(f"{w.base}/rounds", headers={}))  # no credential is a failure
    assert client.get(w.base, headers=w.admin).status_code == 200  # an office shares one address
    assert client.get(f"{w.base}/rounds/1", headers=w.keys["acme"]).status_code == 200
    other = {"REMOTE_ADDR": "10.0.0.2"}  # another address has its own count
    assert client.get(w.base, headers=WRONG, environ_base=other).status_code == 401


def test_writes_per_credential_have_a_ceiling(limited: Flask) -> None:
    client = limited.test_client()
    w = World(client)  # the admin key made keys and a round: writes of its own
    body = {"role": "it", "answers": {}, "complete": False}
    url = f"{w.base}/rounds/1/responses"
    acme = [client.put(f"{url}/a{k}", json=body, headers=w.keys["acme"]) for k in range(5)]
    assert [a.status_code for a in acme[:4]] == [200] * 4 and too_many(acme[4])
    assert client.get(f"{url}?partner=acme", headers=w.keys["acme"]).status_code == 200  # reads
    assert client.put(f"{url}/g0", json=body, headers=w.keys["globex"]).status_code == 200
    score = {"survey": "alliance-objectives", "responses": []}  # no credential: not counted
    assert all(client.post("/api/v1/score", json=score).status_code == 422 for _ in range(6))


def test_a_redis_that_does_not_answer_lets_requests_pass(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    nobody = f"redis://127.0.0.1:{free_port()}/0"
    settings = settings_for(
        f"sqlite:///{tmp_path / 'l.db'}", tmp_path, redis_url=nobody, limit_failures="1/minute"
    )
    app = create_app(settings)
    client = app.test_client()
    w = World(client)
    with caplog.at_level(logging.WARNING):
        statuses = [client.get(w.base, headers=WRONG).status_code for _ in range(3)]
    assert statuses == [401, 401, 401]
    assert "rate limits not counted" in caplog.text
    app.extensions["scoring"].store.dispose()


@pytest.mark.parametrize(("proxies", "separate"), [(0, False), (1, True)])
def test_the_address_comes_from_trusted_proxies_only(
    tmp_path: Path, proxies: int, separate: bool
) -> None:
    """Without a trusted proxy, X-Forwarded-For is anyone's to send: it changes nothing."""
    settings = settings_for(
        f"sqlite:///{tmp_path / 'l.db'}",
        tmp_path,
        limit_failures="2 per minute",
        trusted_proxies=proxies,
    )
    app = create_app(settings)
    client: FlaskClient = app.test_client()
    w = World(client)
    for k in range(2):
        forwarded = {**WRONG, "X-Forwarded-For": f"198.51.100.{k}"}
        assert client.get(w.base, headers=forwarded).status_code == 401
    third = client.get(w.base, headers={**WRONG, "X-Forwarded-For": "198.51.100.9"})
    assert third.status_code == (401 if separate else 429)
    app.extensions["scoring"].store.dispose()


def test_unknown_form_links_are_failures_too(limited: Flask) -> None:
    """Guessing invitation links: past the limit, a 429 page in the respondent's language, and
    a real link from the same address still opens."""
    client = limited.test_client()
    w = World(client)
    made = client.post(
        f"{w.base}/rounds/1/invitations", json={"role": "it"}, headers=w.keys["acme"]
    ).json
    guesses = [client.get(f"/forms/inv_guess{k}").status_code for k in range(3)]
    assert guesses == [404, 404, 404]
    page = client.get("/forms/inv_guess9", headers={"Accept-Language": "de"})
    assert page.status_code == 429 and 1 <= int(page.headers["Retry-After"]) <= 60
    assert "Zu viele Versuche" in page.get_data(as_text=True)
    assert client.get(f"/forms/{made['token']}").status_code == 200


def test_unknown_report_links_are_failures_too(limited: Flask) -> None:
    """Guessing report links: past the limit, a 429 page; a real link still opens."""
    client = limited.test_client()
    w = World(client)
    url = client.post(f"{w.base}/report-links", json={}, headers=w.admin).json["url"]
    guesses = [client.get(f"/reports/rep_guess{k}").status_code for k in range(3)]
    assert guesses == [404, 404, 404]
    page = client.get("/reports/rep_guess9")
    assert page.status_code == 429 and 1 <= int(page.headers["Retry-After"]) <= 60
    assert page.mimetype == "text/html" and "Too many attempts" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert client.get(url.removeprefix("http://localhost")).status_code == 200
