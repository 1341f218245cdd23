"""The HTTP benchmark: the service's ``POST /api/v1/score`` and the bare app's ``POST /parse``
under gunicorn, loaded by wrk in alternating rounds."""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path
from typing import Any

from benchmarks.common import OUT, ms
from benchmarks.servers import Server
from benchmarks.wrk import LUA, WrkResult, run_wrk


def http_benchmark(args: argparse.Namespace, body: bytes, r: dict[str, Any]) -> None:
    """Both servers up, a checked request and a warm-up each, then alternating wrk rounds."""
    body_file = OUT / "typical_request.json"
    body_file.write_bytes(body)
    script = OUT / "post_json.lua"
    script.write_text(LUA % {"body": body_file})
    servers = [
        Server("score", "scoring_service:create_app()", "/api/v1/score", r["workers"]),
        Server("bare", "benchmarks.bare_app:create_app()", "/parse", r["workers"]),
    ]
    try:
        for s in servers:
            s.start()
        for s in servers:
            s.wait_live()
            s.check(body)
        rounds = alternate(servers, script, args, r)
        r["memory"] = {s.name: s.memory() for s in servers}
    finally:
        for s in servers:
            s.stop()
    r["http"] = summarise(servers, rounds)


def alternate(
    servers: list[Server], script: Path, args: argparse.Namespace, r: dict[str, Any]
) -> list[WrkResult]:
    """A warm-up of each server, then ``args.rounds`` rounds of each in turn (A, B, A, B, ...);
    every non-2xx answer is recorded as a failure in ``r``."""
    for s in servers:
        warm = run_wrk(s, script, r["warmup"], args.connections, args.threads, 0)
        _check_statuses(warm, r)
    rounds: list[WrkResult] = []
    for i in range(1, args.rounds + 1):
        for s in servers:
            w = run_wrk(s, script, args.duration, args.connections, args.threads, i)
            _check_statuses(w, r)
            rounds.append(w)
            print(
                f"  round {i} {s.name:5s} {w.rps:9.1f} req/s  p50 {ms(w.p50_ms)} ms  "
                f"p99 {ms(w.p99_ms)} ms  non-2xx {w.non2xx}",
                file=sys.stderr,
            )
    return rounds


def summarise(servers: list[Server], rounds: list[WrkResult]) -> dict[str, Any]:
    """score / bare per round, their median, the pooled ratio, and each app's medians."""
    by_app = {s.name: [w for w in rounds if w.app == s.name] for s in servers}
    ratios = [a.rps / b.rps for a, b in zip(by_app["score"], by_app["bare"], strict=True)]
    return {
        "rounds": rounds,
        "ratios": ratios,
        "ratio_median": statistics.median(ratios),
        "ratio_pooled": _pooled(by_app["score"]) / _pooled(by_app["bare"]),
        "summary": {
            s.name: {
                "path": s.path,
                "rps": statistics.median(w.rps for w in by_app[s.name]),
                "p50": statistics.median(w.p50_ms for w in by_app[s.name]),
                "p99": statistics.median(w.p99_ms for w in by_app[s.name]),
            }
            for s in servers
        },
    }


def _pooled(ws: list[WrkResult]) -> float:
    """Requests per second over all rounds: all requests over all time."""
    return sum(w.requests for w in ws) / sum(w.requests / w.rps for w in ws if w.rps)


def _check_statuses(w: WrkResult, r: dict[str, Any]) -> None:
    """Record 5xx or other non-2xx answers, or no completed request, as failures in ``r``."""
    where = f"{w.app} {'warm-up' if w.round == 0 else f'round {w.round}'}"
    if w.server_errors:
        r["failures"].append(f"{where}: {w.server_errors} 5xx answers ({w.statuses})")
    elif w.non2xx:
        r["failures"].append(f"{where}: {w.non2xx} non-2xx answers ({w.statuses})")
    if w.requests == 0:
        r["failures"].append(f"{where}: no request completed")
