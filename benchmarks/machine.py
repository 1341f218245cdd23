"""What was measured, where: the machine and package versions, the git state, a fingerprint of the
service's sources (to tell if they changed during a run) and the load average."""

from __future__ import annotations

import datetime as dt
import hashlib
import platform
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np

from benchmarks.common import ROOT
from benchmarks.servers import cores


def machine() -> dict[str, str]:
    """Date, CPU, kernel, Python, package and wrk versions, and the git state."""
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    except OSError:
        nproc = str(cores())
    try:
        wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
        wrk_version = (wrk.stdout or wrk.stderr).splitlines()[0].split(" Copyright")[0]
    except (OSError, IndexError):
        wrk_version = "wrk (not found)"

    def pkg(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "?"

    return {
        "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "nproc": nproc,
        "cpu": model,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": pkg("scipy"),
        "flask": pkg("flask"),
        "flask-smorest": pkg("flask-smorest"),
        "marshmallow": pkg("marshmallow"),
        "gunicorn": pkg("gunicorn"),
        "wrk": wrk_version,
        "git": git_state(),
    }


def code_fingerprint() -> str:
    """A hash of the service's sources and surveys, to tell if they changed during the run."""
    digest = hashlib.sha256()
    for base in (ROOT / "scoring_service", ROOT / "surveys", ROOT / "gunicorn.conf.py"):
        files = sorted(base.rglob("*")) if base.is_dir() else [base]
        for f in files:
            if f.is_file() and f.suffix in (".py", ".toml") and "__pycache__" not in f.parts:
                digest.update(str(f.relative_to(ROOT)).encode())
                digest.update(f.read_bytes())
    return digest.hexdigest()[:12]


def git_state() -> str:
    """The commit measured, and how many paths differ from it (others edit the tree)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = [
            line
            for line in subprocess.run(
                ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True
            ).stdout.splitlines()
            if not line[3:].startswith(("benchmarks/", "docs/benchmarks.md"))  # this tool's own
        ]
    except OSError:
        return "git: unknown"
    state = f" + {len(dirty)} uncommitted paths" if dirty else " (clean apart from benchmarks/)"
    return f"commit {head or '?'}{state}"


def loadavg() -> str:
    """The 1, 5 and 15 minute load averages."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"
