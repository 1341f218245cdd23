"""Prometheus metrics: requests by method, route template and status (``unmatched`` for what no
route matched), the engine's time, rate-limit refusals; ``/metrics`` for loopback and configured
networks only; and, under gunicorn with two workers, every request counted once."""

from __future__ import annotations

import shutil
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from prometheus_client import CollectorRegistry, generate_latest, multiprocess
from prometheus_client.parser import text_string_to_metric_families

from scoring_service import create_app

from .helpers import OPERATOR, World, bearer, gunicorn, settings_for


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape, by name and sorted labels."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def count(scrape: dict[tuple[str, tuple[tuple[str, str], ...]], float], **labels: str) -> float:
    key = ("http_requests_total", tuple(sorted(labels.items())))
    return scrape.get(key, 0.0)


def test_requests_are_counted_by_route_template(client: FlaskClient) -> None:
    before = samples(client.get("/metrics").get_data(as_text=True))
    w = World(client)
    client.get(f"/forms/inv_{'x' * 20}")  # a token: counted under /forms/<token>, never itself
    client.get("/no/such/page")
    client.post("/api/v1/score", json={"survey": "alliance-objectives", "responses": []})
    after = samples(client.get("/metrics").get_data(as_text=True))
    route = {"method": "GET", "route": "/forms/<token>", "status": "404"}
    assert count(after, **route) - count(before, **route) == 1
    unmatched = {"method": "GET", "route": "unmatched", "status": "404"}
    assert count(after, **unmatched) - count(before, **unmatched) == 1
    made = {"method": "POST", "route": "/api/v1/alliances", "status": "201"}
    assert count(after, **made) - count(before, **made) == 1
    text = client.get("/metrics").get_data(as_text=True)
    assert "inv_x" not in text and w.id not in text  # no raw path in any label
    assert "http_request_duration_seconds_bucket" in text
    assert "scoring_engine_duration_seconds" in text


def test_metrics_answer_loopback_and_configured_networks_only(tmp_path: Path) -> None:
    app = create_app(
        settings_for(f"sqlite:///{tmp_path / 'm.db'}", tmp_path, metrics_allow=("10.1.0.0/16",))
    )
    client = app.test_client()
    assert client.get("/metrics").status_code == 200  # the test client is 127.0.0.1
    inside = client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    outside = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert inside.status_code == 200 and outside.status_code == 404
    app.extensions["scoring"].store.dispose()


def test_a_forwarded_loopback_address_does_not_open_metrics(tmp_path: Path) -> None:
    """Behind a trusted proxy, anyone reaching gunicorn directly could forward 127.0.0.1."""
    app = create_app(settings_for(f"sqlite:///{tmp_path / 'm.db'}", tmp_path, trusted_proxies=1))
    client = app.test_client()
    forged = client.get(
        "/metrics",
        headers={"X-Forwarded-For": "127.0.0.1"},
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )
    assert forged.status_code == 404
    assert client.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 200
    app.extensions["scoring"].store.dispose()


def test_a_made_up_method_is_counted_as_other(client: FlaskClient) -> None:
    """Methods are anyone's to make up: a label value each would let anyone fill the series."""
    client.open("/livez", method="XYZW1")
    text = client.get("/metrics").get_data(as_text=True)
    assert "XYZW1" not in text and 'method="other",route="unmatched",status="405"' in text


def test_refusals_of_a_rate_limit_are_counted(tmp_path: Path) -> None:
    app = create_app(
        settings_for(f"sqlite:///{tmp_path / 'm.db'}", tmp_path, limit_failures="1 per minute")
    )
    client = app.test_client()
    key = ("rate_limit_refusals_total", (("limit", "failures"),))
    before = samples(client.get("/metrics").get_data(as_text=True)).get(key, 0.0)
    wrong = bearer("sk_admin_" + "x" * 32)
    statuses = [client.get("/api/v1/alliances/x", headers=wrong).status_code for _ in range(3)]
    assert statuses == [401, 429, 429]
    after = samples(client.get("/metrics").get_data(as_text=True)).get(key, 0.0)
    assert after - before == 2
    app.extensions["scoring"].store.dispose()


def livez_in(samples_file: Path, tmp: Path) -> float:
    """The /livez answers one process's samples file holds (read alone, the public way)."""
    alone = tmp / f"alone-{samples_file.stem}"
    alone.mkdir()
    shutil.copy(samples_file, alone / samples_file.name)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(alone))
    scraped = samples(generate_latest(registry).decode())
    return count(scraped, method="GET", route="/livez", status="200")


@pytest.mark.slow
def test_two_workers_count_every_request_once(tmp_path: Path) -> None:
    """Requests spread over two gunicorn workers (the samples folder holds both workers' files),
    each counted once in every scrape, whichever worker answers it."""
    folder = tmp_path / "metrics"
    settings = {
        "SCORING_INSTANCE_DIR": str(tmp_path),
        "SCORING_OPERATOR_TOKEN": OPERATOR,
        "SCORING_SECRET_KEY": "s" * 40,
        "WEB_CONCURRENCY": "2",
        "PROMETHEUS_MULTIPROC_DIR": str(folder),
    }
    folder.mkdir()
    (folder / "counter_1.db").write_bytes(b"stale")  # a previous run's: emptied at start
    with gunicorn(tmp_path / "gunicorn.log", **settings) as base:

        def scrape() -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
            with urllib.request.urlopen(f"{base}/metrics", timeout=10) as answer:
                return samples(answer.read().decode())

        first = scrape()  # after the helper's own /livez probes
        first_livez = count(first, method="GET", route="/livez", status="200")

        def hit(n: int) -> None:
            for _ in range(n):
                with urllib.request.urlopen(f"{base}/livez", timeout=10) as answer:
                    assert answer.status == 200

        threads = [threading.Thread(target=hit, args=(25,)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        for _ in range(3):
            try:
                urllib.request.urlopen(f"{base}/no/such/page", timeout=10)
            except urllib.error.HTTPError as exc:
                assert exc.code == 404
        scrapes = [scrape() for _ in range(4)]  # whichever worker answers, the same sums
        served = [n for f in sorted(folder.glob("counter_*.db")) if (n := livez_in(f, tmp_path))]
    live = {"method": "GET", "route": "/livez", "status": "200"}
    unmatched = {"method": "GET", "route": "unmatched", "status": "404"}
    assert [count(s, **live) - count(first, **live) for s in scrapes] == [100.0] * 4
    assert [count(s, **unmatched) for s in scrapes] == [3.0] * 4
    assert len(served) == 2 and sum(served) == first_livez + 100, served  # both workers answered
    assert not (folder / "counter_1.db").exists()  # the stale file went at start
