"""No secret in any log: one list of prefixes (``SECRET_PREFIXES``) drives the redaction of the
access log, gunicorn's error log, the app's log and the proxy's, deploy/nginx.conf."""

from __future__ import annotations

import io
import json
import logging
import re
import secrets
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from scoring_service.logs import Redactor, redact
from scoring_service.store.credentials import SECRET_PREFIXES

from .helpers import API, OPERATOR, ROOT, bearer, gunicorn


@pytest.mark.parametrize("prefix", SECRET_PREFIXES)
def test_every_prefix_is_redacted(prefix: str) -> None:
    secret = prefix + secrets.token_urlsafe(24)
    line = f"GET /x/{secret}?next=%2Fforms%2F{secret}&k={secret} {secret}"
    assert redact(line) == (
        f"GET /x/{prefix}[redacted]?next=%2Fforms%2F{prefix}[redacted]&k={prefix}[redacted] "
        f"{prefix}[redacted]"
    )


def test_a_prefix_inside_a_word_is_no_secret() -> None:
    line = 'batch_op.drop_column("role"); loop_count; task_admin_x'
    assert redact(line) == line


def test_the_redactor_takes_secrets_out_of_arguments_and_tracebacks() -> None:
    token = "inv_" + secrets.token_urlsafe(24)
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(Redactor())
    log = logging.getLogger("test_logs_secrets")
    log.addHandler(handler)
    try:
        try:
            raise ValueError(f"no such form: /forms/{token}")
        except ValueError:
            log.exception("Error handling request %s %s", "POST", f"/forms/{token}")
        log.error("%(n)s arguments that do not fit %s", {"n": 1}, token)
    finally:
        log.removeHandler(handler)
    written = out.getvalue()
    assert token[4:] not in written, written
    assert "Error handling request POST /forms/inv_[redacted]" in written
    assert "ValueError: no such form: /forms/inv_[redacted]" in written


def nginx_maps() -> list[tuple[str, str]]:
    """The regular expressions and values of the redacting maps of deploy/nginx.conf."""
    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    return [m for m in re.findall(r'"~(.*?)"\s+"(.*?)";', conf) if "[redacted]" in m[1]]


def nginx(regex: str, value: str, subject: str) -> str:
    """What nginx's ``map`` makes of ``subject``: PCRE's named groups in Python's spelling."""
    found = re.match(regex.replace("(?<", "(?P<"), subject)
    if found is None:
        return subject
    return re.sub(r"\$\{(\w+)\}", lambda m: found[m[1]], value)


def test_the_proxy_example_follows_the_list() -> None:
    maps = nginx_maps()
    assert len(maps) == 2  # the request URI and the Referer
    secret = secrets.token_urlsafe(24)
    for regex, value in maps:
        (listed,) = re.findall(r"\(\?<\w+>((?:\w+\|)+\w+)\)", regex)
        assert sorted(listed.split("|")) == sorted(SECRET_PREFIXES)
        for prefix in SECRET_PREFIXES:
            for head in ("/forms/", "https://p.example/?next=%2Fforms%2F"):
                subject = f"{head}{prefix}{secret}?lang=de&k={prefix}{secret}"
                assert nginx(regex, value, subject) == f"{head}{prefix}[redacted]"
            subject = f"/x?a=op_{secret}&b={prefix}{secret}"
            assert nginx(regex, value, subject) == "/x?a=op_[redacted]"  # from the first on
        kept = "/api/v1/alliances/drop_op_x/rounds"
        assert nginx(regex, value, kept) == kept


def call(url: str, method: str = "GET", body: Any = None, **headers: str) -> tuple[int, Any]:
    """Status and JSON body (or text) of one request."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as err:
        status, raw = err.code, err.read()
        err.close()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode("utf-8", "replace")


def wait_for(log: Path, text: str, seconds: float = 30) -> None:
    """Until ``log`` shows ``text``."""
    deadline = time.monotonic() + seconds
    while text not in log.read_text(encoding="utf-8", errors="replace"):
        assert time.monotonic() < deadline, f"{text!r} never logged: {log.read_text()[-3000:]}"
        time.sleep(0.2)


@pytest.mark.slow
def test_no_secret_in_any_log_when_a_form_post_stalls_past_the_timeout(tmp_path: Path) -> None:
    """The review's reproduction: a form POST whose body stops half way, so that the worker
    timeout cuts it short and gunicorn logs "Error handling request POST /forms/..." with a
    traceback; around it a form page read and a request with a bad admin key. Secrets sit
    where the access log's format prints them (path, query, Referer), as careless clients put
    them. No log may show one, and the redacted marker must show (an empty log cannot pass)."""
    access, errors = tmp_path / "access.log", tmp_path / "gunicorn.log"
    settings = {
        "SCORING_INSTANCE_DIR": str(tmp_path),
        "SCORING_OPERATOR_TOKEN": OPERATOR,
        "SCORING_TIMEOUT": "2",
        "SCORING_ACCESS_LOG": str(access),  # "-" would be stdout, which helpers.gunicorn drops
        "LOG_LEVEL": "DEBUG",  # gunicorn's debug line per request, with the path
    }
    bad_key = "sk_admin_" + secrets.token_urlsafe(24)
    with gunicorn(errors, **settings) as base:
        body = {
            "name": "Acme x Globex",
            "partners": [{"key": "acme", "name": "Acme"}, {"key": "globex", "name": "Globex"}],
            "survey": "alliance-objectives",
        }
        status, made = call(f"{base}{API}/alliances", "POST", body, **bearer(OPERATOR))
        assert status == 201, made
        alliance = f"{base}{API}/alliances/{made['id']}"
        admin = made["admin_key"]
        status, _ = call(f"{alliance}/rounds", "POST", {"label": "Q1"}, **bearer(admin))
        assert status == 201
        invite = {"partner": "acme", "role": "legal", "respondent": "lee"}
        status, invited = call(f"{alliance}/rounds/1/invitations", "POST", invite, **bearer(admin))
        assert status == 201, invited
        token = invited["token"]
        form = f"/forms/{token}"
        assert call(f"{base}{form}", Referer=f"https://portal.example.com/?l={form}")[0] == 200
        referer = f"https://ops.example.com/?op={OPERATOR}&admin={admin}"
        status, _ = call(f"{alliance}?key={bad_key}", **bearer(bad_key), Referer=referer)
        assert status == 401
        host = base.removeprefix("http://")
        name, port = host.rsplit(":", 1)
        with socket.create_connection((name, int(port)), timeout=30) as stalled:
            stalled.sendall(
                f"POST {form} HTTP/1.1\r\nHost: {host}\r\nReferer: {base}{form}\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n"
                "\r\naction=save&t1=".encode()
            )
            wait_for(errors, "Error handling request")
        assert call(f"{base}/livez")[0] == 200  # answered by a new worker
    logs = {"access": access.read_text(), "error": errors.read_text()}
    # Their random parts: a secret logged without its prefix would count too.
    hidden = [s.split("_", 2 if s.startswith("sk_") else 1)[-1] for s in (token, admin, bad_key)]
    hidden.append(OPERATOR.removeprefix("op_"))
    leaks = [
        f"{name}: {line}"
        for name, text in logs.items()
        for line in text.splitlines()
        if any(secret in line for secret in hidden)
    ]
    assert not leaks, "\n".join(leaks)
    assert "POST /forms/inv_[redacted]" in logs["access"]
    assert "Error handling request POST /forms/inv_[redacted]" in logs["error"]
    assert "GET /forms/inv_[redacted]" in logs["error"]  # gunicorn's debug line
    assert "sk_admin_[redacted]" in logs["access"] and "op_[redacted]" in logs["access"]
