"""The targets, their verdicts, and the Markdown report of a run of ``benchmarks/run.py``.

``r`` is the run's record: ``main`` fills it (arguments, machine, fingerprints, failures) and
each measurement adds its part (``http``, ``memory``, ``growth``, ``startup``, ``profile``,
``profile_large``); a section is shown when its part is there.
"""

from __future__ import annotations

from typing import Any

from benchmarks.common import ms
from benchmarks.workload import LARGE, MIDDLE, SEED, SURVEY, TYPICAL

THROUGHPUT_TARGET = 0.20  # score / bare requests per second, at least
GROWTH_TARGET = 30.0  # 2 x 500 / 2 x 5 in-process scoring time, at most


def missed(r: dict[str, Any]) -> bool:
    """Whether a measured target was missed (for ``--strict``)."""
    return ("http" in r and r["http"]["ratio_median"] < THROUGHPUT_TARGET) or (
        "growth" in r and r["growth"]["ratio"] > GROWTH_TARGET
    )


def report(r: dict[str, Any]) -> str:
    """The whole report: how and where it was measured, the targets, then each measurement."""
    out = _header(r) + _warnings(r) + _targets(r)
    if "http" in r:
        out += _http(r["http"])
    if "growth" in r:
        out += _growth(r["growth"])
    if "startup" in r or "memory" in r:
        out += ["### Start-up and memory", ""]
    if "startup" in r:
        out += _startup(r["startup"])
    if "memory" in r:
        out += _memory(r["memory"])
    if "profile" in r:
        out += _profile(r["profile"])
    if "profile_large" in r:
        out += _profile_large(r["profile_large"])
    return "\n".join(out)


def _header(r: dict[str, Any]) -> list[str]:
    """Title, command and settings, machine and code, the typical request."""
    a = r["args"]
    m = r["machine"]
    out = [f"## Benchmark run {m['date']}{' (quick)' if a.quick else ''}", ""]
    out.append(
        f"Command: `{r['command']}`. {a.rounds} alternating round(s) of {a.duration:g} s per app "
        f"after a {r['warmup']:g} s warm-up each; wrk {a.threads} thread(s), "
        f"{a.connections} connections, timeout 10 s; gunicorn `-c gunicorn.conf.py` with "
        f"{r['workers']} sync workers per app, access log to /dev/null."
    )
    out += [
        "",
        f"Machine: {m['nproc']} cores (nproc), {m['cpu']}, Linux {m['kernel']}; "
        f"Python {m['python']}, numpy {m['numpy']}, scipy {m['scipy']}, flask {m['flask']}, "
        f"flask-smorest {m['flask-smorest']}, marshmallow {m['marshmallow']}, "
        f"gunicorn {m['gunicorn']}, {m['wrk']}. Code: {m['git']}, sources "
        f"{r['code_start']}. "
        f"Load average at start {r['load_start']}, at end {r.get('load_end', '?')}.",
        "",
        f"Typical request: survey `{SURVEY}`, 2 partners x {TYPICAL} respondents, every item "
        f"the test model answers ({r['items']}), scoring_service/simulation/iid.py seed {SEED}, "
        f"{r['body_bytes']:,} bytes, 2,000 resamples (the service default).",
        "",
    ]
    return out


def _warnings(r: dict[str, Any]) -> list[str]:
    """Sources changed during the run; the run's failures."""
    out: list[str] = []
    if r.get("code_end", r["code_start"]) != r["code_start"]:
        out += [
            f"**Warning:** the service's sources changed during the run ({r['code_start']} -> "
            f"{r['code_end']}); the numbers may mix two versions. Run again.",
            "",
        ]
    if r.get("failures"):
        out += ["**RUN FAILED:**", ""] + [f"- {f}" for f in r["failures"]] + [""]
    return out


def _targets(r: dict[str, Any]) -> list[str]:
    """The table of targets and verdicts (and of what is only reported)."""
    out = ["### Targets", "", "| Measure | Result | Target | Verdict |", "|---|---:|---:|---|"]
    if "http" in r:
        h = r["http"]
        verdict = "met" if h["ratio_median"] >= THROUGHPUT_TARGET else "**missed**"
        out.append(
            f"| HTTP throughput, score / bare (median of per-round ratios) | "
            f"{h['ratio_median']:.3f} | >= {THROUGHPUT_TARGET:.2f} | {verdict} |"
        )
    if "growth" in r:
        g = r["growth"]
        verdict = "met" if g["ratio"] <= GROWTH_TARGET else "**missed**"
        out.append(
            f"| In-process `score`, 2 x {LARGE} / 2 x {TYPICAL} (median wall time; CPU time: "
            f"{g['cpu_ratio']:.1f}) | {g['ratio']:.1f} | <= {GROWTH_TARGET:g} | {verdict} |"
        )
    if "startup" in r:
        out.append(
            f"| Start-up, `create_app()` in a fresh interpreter (median of 3) | "
            f"{r['startup']['score']:.2f} s | reported | - |"
        )
    if "memory" in r and "score" in r["memory"]:
        mem = r["memory"]["score"]
        out.append(
            f"| RSS per warmed-up gunicorn worker (median) | {mem['rss_median']:.0f} MiB | "
            "reported | - |"
        )
    out.append("")
    return out


def _http(h: dict[str, Any]) -> list[str]:
    """Every wrk round, each app's medians, and the ratios."""
    out = [
        "### HTTP throughput (wrk, alternating)",
        "",
        "| Round | App | Requests/s | p50 ms | p90 ms | p99 ms | max ms | Requests | "
        "Non-2xx | Socket errors |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for w in h["rounds"]:
        errs = ", ".join(f"{k} {v}" for k, v in w.errors.items() if v and k != "status")
        out.append(
            f"| {w.round} | {w.app} | {w.rps:,.1f} | {ms(w.p50_ms)} | {ms(w.p90_ms)} | "
            f"{ms(w.p99_ms)} | {ms(w.max_ms)} | {w.requests:,} | {w.non2xx} | "
            f"{errs or '0'} |"
        )
    out += [
        "",
        "| App | Endpoint | Requests/s (median) | p50 ms (median) | p99 ms (median) |",
        "|---|---|---:|---:|---:|",
    ]
    for app, s in h["summary"].items():
        out.append(
            f"| {app} | `POST {s['path']}` | {s['rps']:,.1f} | {ms(s['p50'])} | {ms(s['p99'])} |"
        )
    ratios = ", ".join(f"{x:.3f}" for x in h["ratios"])
    out += [
        "",
        f"score / bare per round: {ratios}; median {h['ratio_median']:.3f}; "
        f"pooled (all requests / all time) {h['ratio_pooled']:.3f}.",
        "",
    ]
    return out


def _growth(g: dict[str, Any]) -> list[str]:
    """``score`` time by size, wall and CPU, against the typical request."""
    med, low, cpu = g["median_ms"], g["min_ms"], g["cpu_ms"]
    out = [
        f"### In-process growth (`scoring.score`, {g['reps']} interleaved repetitions)",
        "",
        "| Respondents | Wall ms (median) | Wall min | / typical | CPU ms (median) | / typical |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for n in (TYPICAL, MIDDLE, LARGE):
        out.append(
            f"| 2 x {n} | {ms(med[n])} | {ms(low[n])} | {med[n] / med[TYPICAL]:.1f} | "
            f"{ms(cpu[n])} | {cpu[n] / cpu[TYPICAL]:.1f} |"
        )
    out += [
        "",
        "CPU time counts every thread of the process (OpenBLAS's included), wall time "
        "includes waiting for a core; the verdict uses wall time.",
        "",
    ]
    return out


def _startup(s: dict[str, float]) -> list[str]:
    """Start-up times of fresh interpreters."""
    return [
        "| Fresh interpreter, median of 3 | Seconds |",
        "|---|---:|",
        f"| `python -c pass` | {s['python']:.2f} |",
        f"| bare app: import + `create_app()` | {s['bare']:.2f} |",
        f"| service: `import scoring_service; scoring_service.create_app()` | {s['score']:.2f} |",
        "",
    ]


def _memory(memory: dict[str, dict[str, float]]) -> list[str]:
    """Memory per gunicorn worker and master, by app."""
    out = [
        "| App | Workers | VmRSS/worker median (max) MiB | PSS/worker MiB | "
        "Private/worker MiB | Master VmRSS MiB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for app, mem in memory.items():
        out.append(
            f"| {app} | {mem['workers']} | {mem['rss_median']:.1f} ({mem['rss_max']:.1f}) | "
            f"{mem['pss_median']:.1f} | {mem['uss_median']:.1f} | {mem['master_rss']:.1f} |"
        )
    out += [
        "",
        "Read from /proc after the last round. VmRSS counts the pages shared with the "
        "preloading master (copy-on-write); PSS splits them among the sharers; private is "
        "what each further worker really adds.",
        "",
    ]
    return out


def _profile(p: dict[str, Any]) -> list[str]:
    """Where one typical request's time goes: phases, then cProfile's costliest functions."""
    out = [
        f"### Where one typical request's time goes (in-process, median of {p['reps']})",
        "",
        "| Phase | ms |",
        "|---|---:|",
    ]
    for k, v in p["phases"].items():
        out.append(f"| {k} | {ms(v)} |")
    ph = p["phases"]
    bare_ms = ph["bare app, whole POST /parse (Flask test client)"]
    score_ms = ph["whole request (Flask test client)"]
    out += [
        "",
        f"In-process, without HTTP or gunicorn, bare / score = {bare_ms / score_ms:.3f}; "
        "over HTTP each request also pays the socket, the HTTP parsing and the worker's "
        "loop, the same for both apps, which is why the HTTP ratio is higher.",
        "",
        f"Response: {p['response_bytes']:,} bytes. cProfile of {p['reps']} whole requests "
        "(times per request, inflated by the profiler), top self time:",
        "",
    ]
    return out + _profile_tables(p)


def _profile_tables(p: dict[str, Any]) -> list[str]:
    """A profile's top self time and top cumulative time inside the package."""
    out = _profile_table(p["top_self"])
    out += ["", "Top cumulative time inside scoring_service:", ""]
    out += _profile_table(p["top_cumulative"])
    out.append("")
    return out


def _profile_large(p: dict[str, Any]) -> list[str]:
    """cProfile of ``score`` on the large request."""
    out = [
        f"### What grows: cProfile of `score` on 2 x {LARGE} ({p['reps']} runs, per run)",
        "",
    ]
    return out + _profile_tables(p)


def _profile_table(rows: list[dict[str, Any]]) -> list[str]:
    """Functions with calls, self and cumulative milliseconds, as a Markdown table."""
    out = ["| Function | Calls | Self ms | Cumulative ms |", "|---|---:|---:|---:|"]
    for row in rows:
        out.append(
            f"| `{row['function']}` | {row['calls']:,.0f} | {ms(row['self_ms'])} | "
            f"{ms(row['cum_ms'])} |"
        )
    return out
