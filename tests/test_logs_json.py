"""Logs as JSON lines with a request id: the client's ``X-Request-ID`` when it is a plain token,
a new one otherwise, returned in the answer and present in every line the request caused (the
service's and gunicorn's access log alike); no secret and no e-mail address in any line."""

from __future__ import annotations

import json
import logging
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from scoring_service.logs import REDACTOR, RequestId, formatter

from .helpers import OPERATOR, gunicorn


def test_the_request_id_is_the_clients_or_a_new_one(client: FlaskClient) -> None:
    assert client.get("/livez", headers={"X-Request-ID": "abc.DEF_1-2"}).headers[
        "X-Request-ID"
    ] == ("abc.DEF_1-2")
    for bad in ("has space", "x" * 129, "ünï", "a\tb"):
        made = client.get("/livez", headers={"X-Request-ID": bad}).headers["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{32}", made), (bad, made)
    one, two = (client.get("/livez").headers["X-Request-ID"] for _ in range(2))
    assert one != two


def test_a_line_is_one_json_object_without_secrets_or_addresses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Through the filters every handler has (request id, redaction), then the format: JSON by
    default, plain text with ``SCORING_LOG_FORMAT=text``."""
    message = "sent inv_abcdef123456 to ann.lee@example.com, key sk_partner_Zz9"

    def line() -> str:
        record = logging.LogRecord("scoring", logging.WARNING, __file__, 1, message, (), None)
        assert RequestId().filter(record) and REDACTOR.filter(record)
        return formatter().format(record)

    found = json.loads(line())
    assert found["message"] == "sent inv_[redacted] to [e-mail], key sk_partner_[redacted]"
    assert found["request_id"] == "-" and found["level"] == "WARNING"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", found["time"])
    monkeypatch.setenv("SCORING_LOG_FORMAT", "text")
    text = line()
    assert text.endswith(
        "WARNING scoring [-]: sent inv_[redacted] to [e-mail], key sk_partner_[redacted]"
    )


@pytest.mark.slow
def test_every_line_of_a_request_carries_its_id(tmp_path: Path) -> None:
    """Under gunicorn: a write refused by its rate limit logs Flask-Limiter's line and the
    access line; both are JSON and both carry the request's id."""
    access = tmp_path / "access.log"
    settings = {
        "SCORING_INSTANCE_DIR": str(tmp_path),
        "SCORING_OPERATOR_TOKEN": OPERATOR,
        "SCORING_SECRET_KEY": "s" * 40,
        "SCORING_ACCESS_LOG": str(access),
        "SCORING_LIMIT_WRITES": "1 per minute",
        "LOG_LEVEL": "INFO",
    }
    log = tmp_path / "gunicorn.log"
    with gunicorn(log, **settings) as base:
        body = json.dumps(
            {
                "name": "A",
                "partners": [{"key": "a", "name": "A"}, {"key": "b", "name": "B"}],
                "survey": "alliance-objectives",
            }
        ).encode()
        headers = {"Authorization": f"Bearer {OPERATOR}", "Content-Type": "application/json"}
        for rid in ("first-write", "refused-write"):
            ask = urllib.request.Request(
                f"{base}/api/v1/alliances", body, {**headers, "X-Request-ID": rid}
            )
            try:
                with urllib.request.urlopen(ask, timeout=10) as answer:
                    status, echoed = answer.status, answer.headers["X-Request-ID"]
            except urllib.error.HTTPError as exc:
                status, echoed = exc.code, exc.headers["X-Request-ID"]
            assert echoed == rid
        assert status == 429
    lines = [json.loads(x) for f in (log, access) for x in f.read_text().splitlines() if x]
    caused = [x for x in lines if x.get("request_id") == "refused-write"]
    loggers = sorted({x["logger"] for x in caused})
    assert loggers == ["flask-limiter", "gunicorn.access"], caused
    access_line = next(x for x in caused if x["logger"] == "gunicorn.access")
    assert access_line["status"] == 429 and access_line["path"] == "/api/v1/alliances"
    assert all(OPERATOR not in json.dumps(x) for x in lines)
