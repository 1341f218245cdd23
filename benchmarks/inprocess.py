"""In-process measurements: ``scoring.score`` growth with the number of respondents, start-up in
fresh interpreters, and where one typical request's time goes (phases and cProfile)."""

from __future__ import annotations

import cProfile
import pstats
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from benchmarks.common import ROOT, BenchError
from benchmarks.servers import clean_env
from benchmarks.workload import LARGE, MIDDLE, SEED, TYPICAL, raw_responses


def timed(fn: Callable[[], object]) -> float:
    """Wall time of one call, in seconds."""
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def growth(survey: Any, reps: int) -> dict[str, Any]:
    """``score`` on 2 x 5, 2 x 50 and 2 x 500 respondents, interleaved; medians in ms.

    The verdict uses wall time. The process's CPU time is kept as a cross-check: it leaves out
    the time spent waiting for a core on a shared machine, but counts every thread (OpenBLAS
    uses several for the large matrix products, and its idle threads spin), so it is not a
    cleaner measure, only a second one.
    """
    from scoring_service.answers import parse_responses
    from scoring_service.scoring import score

    sizes = (TYPICAL, MIDDLE, LARGE)
    data = {n: parse_responses(raw_responses(survey, n, SEED + n), survey) for n in sizes}
    wall: dict[int, list[float]] = {n: [] for n in sizes}
    cpu: dict[int, list[float]] = {n: [] for n in sizes}
    for n in sizes:  # warm-up: imports, caches
        score(survey, data[n], n_resamples=2000, confidence=0.95)
    for _ in range(reps):
        for n in sizes:
            w0, c0 = time.perf_counter(), time.process_time()
            score(survey, data[n], n_resamples=2000, confidence=0.95)
            cpu[n].append((time.process_time() - c0) * 1000)
            wall[n].append((time.perf_counter() - w0) * 1000)
    med_wall = {n: statistics.median(t) for n, t in wall.items()}
    med_cpu = {n: statistics.median(t) for n, t in cpu.items()}
    return {
        "reps": reps,
        "median_ms": med_wall,
        "min_ms": {n: min(t) for n, t in wall.items()},
        "cpu_ms": med_cpu,
        "ratio": med_wall[LARGE] / med_wall[TYPICAL],
        "cpu_ratio": med_cpu[LARGE] / med_cpu[TYPICAL],
    }


def startup(reps: int = 3) -> dict[str, float]:
    """Fresh interpreters, interleaved; medians in seconds."""
    snippets = {
        "python": "pass",
        "bare": "import benchmarks.bare_app as b; b.create_app()",
        "score": "import scoring_service; scoring_service.create_app()",
    }
    times: dict[str, list[float]] = {k: [] for k in snippets}
    for _ in range(reps):
        for key, code in snippets.items():
            t0 = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-c", code], cwd=ROOT, env=clean_env(), capture_output=True
            )
            elapsed = time.perf_counter() - t0
            if done.returncode != 0:
                raise BenchError(f"start-up of {key} failed: {done.stderr.decode()[-500:]}")
            times[key].append(elapsed)
    return {k: statistics.median(v) for k, v in times.items()}


def profile_request(body: bytes, reps: int) -> dict[str, Any]:
    """Phases of one typical request (medians, ms) and a cProfile of whole requests."""
    from benchmarks.bare_app import create_app as create_bare
    from scoring_service import create_app

    app = create_app()
    full = _poster(app.test_client(), "/api/v1/score", body)
    bare_request = _poster(create_bare().test_client(), "/parse", body)
    for _ in range(3):
        full()
        bare_request()
    steps, result = _steps(app, body)
    phases: dict[str, Callable[[], object]] = {
        "whole request (Flask test client)": full,
        "bare app, whole POST /parse (Flask test client)": bare_request,
        **steps,
    }
    times: dict[str, list[float]] = {k: [] for k in phases}
    for _ in range(reps):
        for key, fn in phases.items():
            times[key].append(timed(fn) * 1000)
    medians = {k: statistics.median(v) for k, v in times.items()}

    prof = cProfile.Profile()
    prof.enable()
    for _ in range(reps):
        full()
    prof.disable()
    return {
        "phases": medians,
        "response_bytes": len(app.json.dumps(result)),
        "top_self": top_functions(prof, reps, "tottime", 12),
        "top_cumulative": top_functions(prof, reps, "cumtime", 12, only="scoring_service"),
        "reps": reps,
    }


def _poster(client: Any, path: str, body: bytes) -> Callable[[], None]:
    """One in-process ``POST path`` of ``body`` through a Flask test client; 200 or BenchError."""

    def post() -> None:
        r = client.post(path, data=body, content_type="application/json")
        if r.status_code != 200:
            raise BenchError(f"in-process POST {path} answered {r.status_code}")

    return post


def _steps(app: Any, body: bytes) -> tuple[dict[str, Callable[[], object]], Any]:
    """The service's steps of one request, each alone (by name), and the result document."""
    from scoring_service.answers import parse_responses
    from scoring_service.schemas.score import ScoreRequestSchema
    from scoring_service.scoring import score

    ext = app.extensions["scoring"]
    parsed = app.json.loads(body)
    loaded = ScoreRequestSchema().load(parsed)
    survey = ext.registry.get(loaded["survey"])
    responses = parse_responses(loaded["responses"], survey)
    result = score(survey, responses, n_resamples=ext.settings.bootstrap_resamples)
    steps: dict[str, Callable[[], object]] = {
        "JSON parse of the body": lambda: app.json.loads(body),
        "ScoreRequestSchema load (marshmallow)": lambda: ScoreRequestSchema().load(parsed),
        "parse_responses (validation)": lambda: parse_responses(loaded["responses"], survey),
        "scoring.score (2,000 resamples)": lambda: score(
            survey, responses, n_resamples=ext.settings.bootstrap_resamples
        ),
        "JSON dump of the result": lambda: app.json.dumps(result),
    }
    return steps, result


def profile_large(survey: Any, reps: int) -> dict[str, Any]:
    """cProfile of ``score`` on 2 x 500: what grows with the number of respondents."""
    from scoring_service.answers import parse_responses
    from scoring_service.scoring import score

    responses = parse_responses(raw_responses(survey, LARGE, SEED + LARGE), survey)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(reps):
        score(survey, responses, n_resamples=2000)
    prof.disable()
    return {
        "top_self": top_functions(prof, reps, "tottime", 10),
        "top_cumulative": top_functions(prof, reps, "cumtime", 10, only="scoring_service"),
        "reps": reps,
    }


def top_functions(
    prof: cProfile.Profile, reps: int, key: str, n: int, only: str | None = None
) -> list[dict[str, Any]]:
    """The ``n`` costliest functions per request: calls, self ms, cumulative ms."""
    stats = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    rows = []
    for (filename, line, func), (_cc, calls, tottime, cumtime, _callers) in stats.items():
        where = _short(filename)
        if only and only not in filename:
            continue
        if only and func in ("<lambda>", "<genexpr>", "<listcomp>", "<dictcomp>"):
            continue
        rows.append(
            {
                "function": f"{where}:{line}({func})" if line else func,
                "calls": calls / reps,
                "self_ms": tottime * 1000 / reps,
                "cum_ms": cumtime * 1000 / reps,
            }
        )
    sort = "self_ms" if key == "tottime" else "cum_ms"
    rows.sort(key=lambda r: r[sort], reverse=True)
    return rows[:n]


def _short(filename: str) -> str:
    """A path from the package or site-packages on, e.g. ``scoring_service/scoring/x.py``."""
    for marker in ("site-packages/", str(ROOT) + "/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return re.sub(r"^.*/lib/python3\.\d+/", "", filename)
