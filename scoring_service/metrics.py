"""Prometheus metrics (prometheus_client): requests by method, route template and status, their
duration, the engine's scoring time, database outages and rate-limit refusals.

Under gunicorn, ``gunicorn.conf.py`` sets ``PROMETHEUS_MULTIPROC_DIR`` (emptied at start) before
anything imports prometheus_client, so every worker writes its samples there and ``/metrics``
adds them up, whichever worker answers; a worker that exits is marked dead. Elsewhere (tests,
the CLI) the metrics live in the process. ``api.metrics`` counts the requests and serves them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import Counter, Histogram

MULTIPROC = "PROMETHEUS_MULTIPROC_DIR"
if os.environ.get(MULTIPROC):  # set but missing (outside gunicorn): made, not a crash at import
    os.makedirs(os.environ[MULTIPROC], exist_ok=True)

REQUESTS = Counter("http_requests_total", "HTTP requests answered", ["method", "route", "status"])
DURATION = Histogram(
    "http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
ENGINE = Histogram(
    "scoring_engine_duration_seconds",
    "Time the engine took to score one set of responses",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
DATABASE_ERRORS = Counter(
    "database_errors_total", "Requests answered 503 because the database did not answer"
)
REFUSALS = Counter("rate_limit_refusals_total", "Requests refused by a rate limit (429)", ["limit"])


@contextmanager
def scoring() -> Iterator[None]:
    """Time one run of the engine."""
    started = time.perf_counter()
    try:
        yield
    finally:
        ENGINE.observe(time.perf_counter() - started)
