"""``GET /metrics`` and the request metrics: every answer counted under its route's template.
``/metrics`` answers loopback and ``SCORING_METRICS_ALLOW`` addresses only (a 404 for anyone
else)."""

from __future__ import annotations

import ipaddress
import os
import time

from flask import Flask, Response, abort, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)

from ..metrics import DURATION, MULTIPROC, REQUESTS


def _start() -> None:
    g.metrics_started = time.perf_counter()


METHODS = frozenset(("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"))


def _record(response: Response) -> Response:
    """Count the answer under its route's template (``unmatched`` when no route matched: raw
    paths would let anyone mint label values)."""
    started = g.pop("metrics_started", None)
    route = request.url_rule.rule if request.url_rule is not None else "unmatched"
    method = request.method if request.method in METHODS else "other"  # no minted label values
    labels = (method, route, str(response.status_code))
    REQUESTS.labels(*labels).inc()
    if started is not None:
        DURATION.labels(*labels).observe(time.perf_counter() - started)
    return response


def _allowed(allow: tuple[str, ...]) -> bool:
    """Are the client and the peer it came through both loopback or in ``allow``? Behind
    trusted proxies the client address is forwarded (ProxyFix), and anyone reaching gunicorn
    directly could forward 127.0.0.1: the peer's own address must be allowed too."""
    peer = request.environ.get("werkzeug.proxy_fix.orig", {}).get("REMOTE_ADDR")
    return all(_one_allowed(a, allow) for a in {request.remote_addr or "", peer or ""} if a)


def _one_allowed(found: str, allow: tuple[str, ...]) -> bool:
    """Is ``found`` loopback, or in one of the ``allow`` networks?"""
    try:
        address = ipaddress.ip_address(found)
    except ValueError:
        return False
    if address.is_loopback:
        return True
    return any(address in ipaddress.ip_network(net, strict=False) for net in allow)


def _scrape(allow: tuple[str, ...]) -> Response:
    """The samples of every worker (multiprocess) or of this process."""
    if not _allowed(allow):
        abort(404)
    registry = REGISTRY
    if os.environ.get(MULTIPROC):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


def init_app(app: Flask, allow: tuple[str, ...]) -> None:
    """Time every request and serve ``GET /metrics`` to ``allow`` (and loopback)."""
    app.before_request(_start)
    app.after_request(_record)
    app.add_url_rule("/metrics", "metrics", lambda: _scrape(allow))
