"""deploy/nginx.conf for real: Debian's nginx, started by the test as the user it runs as, in
front of a real gunicorn of two workers. Ten slow clients holding partial requests (headers, or a
body) do not stop ``/livez`` from answering (gunicorn alone is blocked by two), a large POST goes
through, the request id travels, and the access log is JSON without secrets. And
deploy/compose.yaml is parsed (no Docker engine runs here)."""

from __future__ import annotations

import getpass
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from .helpers import OPERATOR, ROOT, free_port, gunicorn

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
REQUIRE_NGINX = os.environ.get("SCORING_REQUIRE_NGINX") == "1"
CONF = ROOT / "deploy" / "nginx.conf"
EXAMPLES = ROOT / "docs" / "examples"


@pytest.fixture
def proxied(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """gunicorn (two workers) behind deploy/nginx.conf: nginx's base URL and its folder."""
    if not Path(NGINX).exists():
        if REQUIRE_NGINX:
            pytest.fail("nginx is missing, and SCORING_REQUIRE_NGINX=1 requires it")
        pytest.skip("the nginx test needs Debian's nginx (apt-get install nginx-light)")
    settings = {
        "SCORING_INSTANCE_DIR": str(tmp_path),
        "SCORING_OPERATOR_TOKEN": OPERATOR,
        "SCORING_SECRET_KEY": "s" * 40,
        "WEB_CONCURRENCY": "2",
        "SCORING_TRUSTED_PROXIES": "1",
    }
    with gunicorn(tmp_path / "gunicorn.log", **settings) as upstream:
        folder = tmp_path / "nginx"
        for sub in ("logs", "tmp"):
            (folder / sub).mkdir(parents=True)
        port = free_port()
        text = CONF.read_text()
        assert "server 127.0.0.1:8000;" in text and "listen 8080;" in text
        text = text.replace("server 127.0.0.1:8000;", f"server {upstream.removeprefix('http://')};")
        text = text.replace("listen 8080;", f"listen 127.0.0.1:{port};")
        (folder / "nginx.conf").write_text(text)
        user = f" user {getpass.getuser()};" if os.geteuid() == 0 else ""  # else: as ourselves
        nginx = subprocess.Popen(
            [NGINX, "-p", str(folder), "-c", "nginx.conf", "-e", "logs/error.log"]
            + ["-g", f"daemon off;{user}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    assert nginx.poll() is None, (folder / "logs" / "error.log").read_text()
                    time.sleep(0.1)
            yield base, folder
        finally:
            nginx.send_signal(signal.SIGQUIT)
            try:
                nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                nginx.kill()
                nginx.wait()


def slow_clients(base: str, n: int, bodies_only: bool = False) -> list[socket.socket]:
    """``n`` connections that send half a request and stop: in the headers, or in a body that
    promises more than it sends (to /api/v1/score, which reads it)."""
    host, port = base.removeprefix("http://").rsplit(":", 1)
    held = []
    for k in range(n):
        sock = socket.create_connection((host, int(port)), timeout=5)
        if k % 2 and not bodies_only:
            sock.sendall(b"GET /livez HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        else:
            head = "POST /api/v1/score HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n"
            sock.sendall(f'{head}Content-Type: application/json\r\n\r\n{{"survey":'.encode())
        held.append(sock)
    return held


@pytest.mark.slow
def test_two_slow_clients_block_gunicorn_alone(tmp_path: Path) -> None:
    """The control: without the proxy, two half-sent bodies hold both workers."""
    settings = {
        "SCORING_INSTANCE_DIR": str(tmp_path),
        "SCORING_OPERATOR_TOKEN": OPERATOR,
        "SCORING_SECRET_KEY": "s" * 40,
        "WEB_CONCURRENCY": "2",
    }
    with gunicorn(tmp_path / "gunicorn.log", **settings) as base:
        held = slow_clients(base, 2, bodies_only=True)
        try:
            time.sleep(0.5)
            with pytest.raises((TimeoutError, urllib.error.URLError)):
                urllib.request.urlopen(f"{base}/livez", timeout=3)
        finally:
            for sock in held:
                sock.close()


@pytest.mark.slow
def test_slow_clients_do_not_block_the_service_behind_nginx(
    proxied: tuple[str, Path],
) -> None:
    base, folder = proxied
    held = slow_clients(base, 10)
    try:
        time.sleep(0.5)  # they are all waiting, inside nginx
        ask = urllib.request.Request(f"{base}/livez", headers={"X-Request-ID": "through-nginx"})
        with urllib.request.urlopen(ask, timeout=5) as answer:  # no worker is held
            assert answer.status == 200 and answer.headers["X-Request-ID"] == "through-nginx"
        # A large POST goes through whole: a valid request padded to 3.5 MB.
        body = (EXAMPLES / "score-request.json").read_bytes().rstrip() + b" " * 3_500_000
        big = urllib.request.Request(
            f"{base}/api/v1/score", body, {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(big, timeout=30) as answer:
            assert answer.status == 200 and json.loads(answer.read())["alignment"]
        for path in (f"/forms/inv_{'s' * 30}", "/x?e=ann%40example.com", "/metrics"):
            try:
                urllib.request.urlopen(f"{base}{path}", timeout=5)
            except urllib.error.HTTPError as exc:
                assert exc.code == 404  # /metrics too: for the scraper inside only
    finally:
        for sock in held:
            sock.close()
    time.sleep(0.3)  # nginx writes its access log line after the answer
    lines = [json.loads(x) for x in (folder / "logs" / "access.log").read_text().splitlines()]
    ours = next(x for x in lines if x["request_id"] == "through-nginx")
    assert ours["path"] == "/livez" and ours["status"] == 200
    forms = [x["path"] for x in lines if x["path"].startswith("/forms/")]
    assert forms == ["/forms/inv_[redacted]"]
    assert "/x?e=[e-mail]" in [x["path"] for x in lines]
    assert "s" * 30 not in (folder / "logs" / "access.log").read_text()


def test_the_compose_file_names_the_whole_deployment() -> None:
    """No Docker engine runs here: the file is parsed and checked against what it must say."""
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"app", "nginx", "db", "redis"}
    app = services["app"]["environment"]
    assert (
        app["DATABASE_URL"].startswith("postgresql+psycopg://")
        and "@db:5432/" in (app["DATABASE_URL"])
    )
    assert app["REDIS_URL"] == "redis://redis:6379/0" and app["SCORING_TRUSTED_PROXIES"] == "1"
    assert app["SCORING_BIND"] == "0.0.0.0:8000" and "ports" not in services["app"]
    nginx = services["nginx"]
    assert nginx["ports"] == ["8080:8080"] and "network_mode" not in nginx
    mounted = nginx["volumes"][0].split(":")[0]
    assert (ROOT / "deploy" / mounted).resolve() == CONF
    # The command points the configuration's upstream at the app's service name.
    assert "server 127.0.0.1:8000;" in CONF.read_text()
    assert "s/server 127.0.0.1:8000;/server app:8000;/" in " ".join(nginx["command"])
    assert "db upgrade" in " ".join(services["app"]["command"])
