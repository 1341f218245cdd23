"""Benchmarks of the scoring service; every target is a ratio measured side by side in one run.

    .venv/bin/python benchmarks/run.py            # full: 3 alternating rounds of 10 s per app
    .venv/bin/python benchmarks/run.py --quick    # a smoke run: 1 round of 3 s
    make bench

1. HTTP: ``POST /api/v1/score`` (the typical request) against a bare Flask ``POST /parse``
   (benchmarks/bare_app.py) that only parses the same body, both under gunicorn with
   ``-c gunicorn.conf.py`` (sync workers, one per core), loaded by ``wrk`` in alternation
   (A, B, A, B, ...). Target: score / bare throughput >= 0.20. Any 5xx (or other non-2xx)
   fails the run.
2. In-process growth: ``scoring.score`` on 2 x 500 respondents against the typical 2 x 5,
   medians of interleaved repetitions. Target: ratio <= 30.
3. Start-up of ``create_app()`` in a fresh interpreter and RSS per warmed-up gunicorn worker.
4. Where the time of one typical request goes (phases and cProfile, in-process).

Stdlib + numpy only (plus the service and scoring_service.simulation). Only 127.0.0.1; every
request loop is bounded in time; both servers are stopped at the end, also on error. The report
is printed and written to benchmarks/out/latest.md (git-ignored). Exit status: 0 done, 1 the run
failed (a server, wrk, or a non-2xx answer), 2 wrk is missing, 3 a target was missed with
--strict.

This module is the entry point; the parts, by concern (``benchmarks/store.py`` shares the first
five):

- ``common``: paths, ``BenchError``, number formatting;
- ``workload``: the typical request (survey, seed, sizes, answers of the test model);
- ``servers``: gunicorn masters under test (start, wait, check, memory, stop);
- ``wrk``: the load generator's script, run and output;
- ``machine``: machine, versions, git state, source fingerprint, load average;
- ``http_bench``: score against bare over HTTP, alternating;
- ``inprocess``: growth, start-up, phases and cProfile;
- ``report``: the targets, their verdicts and the Markdown report.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: the repository first, for ``benchmarks``
    sys.path.insert(0, str(ROOT))

from benchmarks.common import OUT, BenchError  # noqa: E402
from benchmarks.http_bench import http_benchmark  # noqa: E402
from benchmarks.inprocess import growth, profile_large, profile_request, startup  # noqa: E402
from benchmarks.machine import code_fingerprint, loadavg, machine  # noqa: E402
from benchmarks.report import missed, report  # noqa: E402
from benchmarks.servers import cores  # noqa: E402
from benchmarks.workload import load_survey, request_body  # noqa: E402


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line; durations, rounds and connections defaulted (``--quick`` shortens)."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--duration", type=float, help="seconds per wrk round (default 10, quick 3)")
    p.add_argument("--rounds", type=int, help="alternating rounds per app (default 3, quick 1)")
    p.add_argument(
        "--connections", type=int, help="wrk connections (default 2 per core, at least 2)"
    )
    p.add_argument("--threads", type=int, default=1, help="wrk threads (default 1)")
    p.add_argument("--quick", action="store_true", help="a short smoke run")
    p.add_argument("--strict", action="store_true", help="exit 3 when a target is missed")
    p.add_argument("--no-http", action="store_true", help="in-process measurements only")
    args = p.parse_args(argv)
    args.duration = args.duration or (3.0 if args.quick else 10.0)
    args.rounds = args.rounds or (1 if args.quick else 3)
    args.connections = args.connections or max(2, 2 * cores())
    if args.connections < args.threads:
        p.error("--connections must be at least --threads")
    return args


def measure(args: argparse.Namespace, r: dict[str, Any]) -> None:
    """Every measurement in turn, each adding its part to ``r``."""
    r["machine"] = machine()
    survey = load_survey()
    kinds = [i.type for i in survey.items]
    r["items"] = ", ".join(f"{kinds.count(k)} {k}" for k in sorted(set(kinds)))
    body = request_body(survey)
    r["body_bytes"] = len(body)
    if not args.no_http:
        print("HTTP: score vs bare, alternating ...", file=sys.stderr)
        http_benchmark(args, body, r)
    print("In-process growth ...", file=sys.stderr)
    r["growth"] = growth(survey, 3 if args.quick else 7)
    print("Start-up ...", file=sys.stderr)
    r["startup"] = startup(3)
    print("Profile of one request ...", file=sys.stderr)
    r["profile"] = profile_request(body, 5 if args.quick else 20)
    r["profile_large"] = profile_large(survey, 1 if args.quick else 3)


def main(argv: list[str] | None = None) -> int:
    """Measure, print and write the report; the exit status of the module's docstring."""
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that `finally` stops servers
    if shutil.which("wrk") is None and not args.no_http:
        print(
            "wrk is not installed: `apt-get install -y wrk` (Debian's package), then run again.",
            file=sys.stderr,
        )
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    shown = " ".join(argv if argv is not None else sys.argv[1:])
    r: dict[str, Any] = {
        "args": args,
        "command": f".venv/bin/python benchmarks/run.py {shown}".strip(),
        "workers": cores(),
        "warmup": 1.0 if args.quick else 2.0,
        "failures": [],
        "load_start": loadavg(),
        "code_start": code_fingerprint(),
    }
    try:
        measure(args, r)
    except BenchError as e:
        r["failures"].append(str(e))
    finally:
        r["load_end"] = loadavg()
        r["code_end"] = code_fingerprint()
    r.setdefault("machine", machine())
    r.setdefault("items", "?")
    r.setdefault("body_bytes", 0)
    text = report(r)
    print(text)
    (OUT / "latest.md").write_text(text + "\n")
    print(f"\nWritten to {OUT / 'latest.md'}", file=sys.stderr)
    if r["failures"]:
        print("RUN FAILED:\n" + "\n".join(r["failures"]), file=sys.stderr)
        return 1
    return 3 if args.strict and missed(r) else 0


if __name__ == "__main__":
    sys.exit(main())
