"""The service as `make run` starts it: gunicorn with gunicorn.conf.py, on a free local port."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from scoring_service.config import bind_in_use

from .helpers import GUNICORN, ROOT, env, free_port, gunicorn

pytestmark = pytest.mark.slow


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """A gunicorn master with one worker; stopped (and waited for) by this fixture."""
    with gunicorn(tmp_path / "gunicorn.log", SCORING_INSTANCE_DIR=str(tmp_path)) as base:
        yield base


def post(url: str, data: bytes, content_type: str = "application/json") -> tuple[int, str, dict]:  # type: ignore[type-arg]
    request = urllib.request.Request(url, data=data, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            return resp.status, resp.headers["Content-Type"], json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, err.headers["Content-Type"], json.loads(err.read())


def test_scores_the_readme_example_over_http(server: str) -> None:
    body = (ROOT / "docs" / "examples" / "score-request.json").read_bytes()
    status, ctype, doc = post(f"{server}/api/v1/score", body)
    assert status == 200 and ctype == "application/json"
    assert round(doc["alignment"]["score"], 2) == 61.12  # the figure the README shows
    assert doc["conflicts"][0]["id"] == "objective_conflict:speed_to_market:risk_control"
    status, ctype, doc = post(f"{server}/api/v1/score", b"{nope")
    assert (status, ctype) == (400, "application/problem+json")
    with urllib.request.urlopen(f"{server}/api/v1/docs", timeout=5) as resp:
        assert resp.status == 200


def test_a_bad_setting_stops_start_up_naming_it() -> None:
    run = subprocess.run(
        GUNICORN,
        cwd=ROOT,
        env=env(SCORING_BIND=f"127.0.0.1:{free_port()}", SCORING_TIMEOUT="soon"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode != 0
    assert "SCORING_TIMEOUT='soon': must be an integer" in run.stderr


def test_a_port_in_use_is_one_clear_line() -> None:
    """Something already listens on SCORING_BIND: gunicorn stops at once, saying so in one line
    (no retries, no traceback)."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        run = subprocess.run(
            GUNICORN,
            cwd=ROOT,
            env=env(SCORING_BIND=f"127.0.0.1:{port}"),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert run.returncode != 0
    lines = run.stderr.strip().splitlines()
    assert lines == [
        f"SCORING_BIND=127.0.0.1:{port}: that address is already in use (another server "
        f"running?); stop it, or choose another, e.g. SCORING_BIND=127.0.0.1:{port + 1}"
    ], run.stderr
    assert bind_in_use(f"127.0.0.1:{free_port()}") is None


def test_the_access_log_never_shows_an_invitation_token(tmp_path: Path) -> None:
    """Form links carry the token in the path; gunicorn's access log must not keep it."""
    port = free_port()
    access = tmp_path / "access.log"
    errors = tmp_path / "error.log"
    settings = env(
        SCORING_BIND=f"127.0.0.1:{port}",
        SCORING_INSTANCE_DIR=str(tmp_path),
        SCORING_ACCESS_LOG=str(access),
        LOG_LEVEL="DEBUG",  # gunicorn then logs every request line in its error log too
    )
    with errors.open("wb") as sink:
        proc = subprocess.Popen(GUNICORN, cwd=ROOT, env=settings, stderr=sink)
    token = "inv_" + "Secret-Token_" * 3
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/livez", timeout=2).close()
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        for path in (f"/forms/{token}", f"/forms/{token}?lang=de"):
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}{path}",
                headers={"Referer": f"https://portal.example.com/x?link=/forms/{token}"},
            )
            with pytest.raises(urllib.error.HTTPError) as answer:
                urllib.request.urlopen(request, timeout=10)
            assert answer.value.code == 404
            answer.value.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    logged = access.read_text()
    assert logged.count("/forms/inv_[redacted]") >= 2, logged
    assert "Secret-Token" not in logged
    debug = errors.read_text()
    assert "GET /forms/inv_[redacted]" in debug and "Secret-Token" not in debug
