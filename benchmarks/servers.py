"""The servers under test: gunicorn masters on free ports of 127.0.0.1, each in its own process
group, started with the service's defaults, waited for, checked, measured (memory) and stopped."""

from __future__ import annotations

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.common import LOCALHOST, OUT, ROOT, BenchError


def cores() -> int:
    """What ``nproc`` says: the CPUs this process may run on."""
    return len(os.sched_getaffinity(0))


def clean_env() -> dict[str, str]:
    """The caller's environment without the service's and gunicorn's settings (defaults only),
    with the instance folder (SQLite file, secrets) under benchmarks/out."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SCORING_", "GUNICORN_"))
        and k not in ("WEB_CONCURRENCY", "LOG_LEVEL", "DATABASE_URL")
    }
    env["SCORING_INSTANCE_DIR"] = str(OUT / "instance")
    return env


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on (now)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOCALHOST, 0))
        return int(s.getsockname()[1])


def children(pid: int) -> list[int]:
    """The direct children of ``pid`` (gunicorn's workers, for its master)."""
    out: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            out += [int(c) for c in (task / "children").read_text().split()]
    except OSError:
        return []
    return sorted(set(out))


@dataclass
class Server:
    """One gunicorn master serving ``app``, benchmarked on ``path``."""

    name: str  # "score" or "bare"
    app: str  # gunicorn's APP_MODULE
    path: str  # the benchmarked endpoint
    workers: int
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    log: Path | None = None
    env: dict[str, str] = field(default_factory=dict)  # more settings for this server

    @property
    def base(self) -> str:
        return f"http://{LOCALHOST}:{self.port}"

    def start(self) -> None:
        self.port = free_port()
        env = clean_env()
        env.update(
            SCORING_BIND=f"{LOCALHOST}:{self.port}",
            WEB_CONCURRENCY=str(self.workers),
            SCORING_ACCESS_LOG="/dev/null",
        )
        env.update(self.env)
        self.log = OUT / f"gunicorn-{self.name}.log"
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", self.app],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped as a whole
            )

    def wait_live(self, timeout: float = 90.0) -> None:
        """Until /livez answers 200 and every worker has forked."""
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(
                    f"{self.name}: gunicorn exited ({self.proc.returncode}); {self.tail()}"
                )
            try:
                with urllib.request.urlopen(self.base + "/livez", timeout=2) as r:
                    if r.status == 200 and len(children(self.proc.pid)) >= self.workers:
                        return
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.2)
        raise BenchError(f"{self.name}: /livez not answering after {timeout:.0f} s; {self.tail()}")

    def tail(self, lines: int = 15) -> str:
        if self.log is None or not self.log.exists():
            return "no log"
        text = self.log.read_text(errors="replace").splitlines()[-lines:]
        return f"last lines of {self.log}:\n" + "\n".join(text)

    def stop(self) -> None:
        """SIGTERM to the process group, SIGKILL if it is still there after 30 s."""
        if self.proc is None or self.proc.poll() is not None:
            return
        pgid = self.proc.pid  # start_new_session: the master leads its own group
        try:
            os.killpg(pgid, signal.SIGTERM)
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(pgid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        except ProcessLookupError:
            pass

    def check(self, body: bytes) -> None:
        """One request by hand: 200 and, for the service, a result document."""
        req = urllib.request.Request(
            self.base + self.path,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                answer = json.loads(r.read())
        except urllib.error.HTTPError as e:
            raise BenchError(
                f"{self.name}: POST {self.path} answered {e.code}: {e.read()[:300]!r}"
            ) from None
        if self.name == "score" and "alignment" not in answer:
            raise BenchError(f"score: unexpected answer {str(answer)[:300]}")

    def memory(self) -> dict[str, float]:
        """Per worker, in MiB: VmRSS (median, max), PSS and private (unique) memory (medians)."""
        assert self.proc is not None
        rss, pss, uss = [], [], []
        for pid in children(self.proc.pid):
            status = _kv(Path(f"/proc/{pid}/status"))
            rollup = _kv(Path(f"/proc/{pid}/smaps_rollup"))
            if "VmRSS" in status:
                rss.append(status["VmRSS"] / 1024)
            if "Pss" in rollup:
                pss.append(rollup["Pss"] / 1024)
                uss.append((rollup["Private_Clean"] + rollup["Private_Dirty"]) / 1024)
        master = _kv(Path(f"/proc/{self.proc.pid}/status")).get("VmRSS", float("nan")) / 1024
        return {
            "workers": len(rss),
            "rss_median": statistics.median(rss) if rss else float("nan"),
            "rss_max": max(rss) if rss else float("nan"),
            "pss_median": statistics.median(pss) if pss else float("nan"),
            "uss_median": statistics.median(uss) if uss else float("nan"),
            "master_rss": master,
        }


def _kv(path: Path) -> dict[str, float]:
    """``Key:   123 kB`` lines of a /proc file as {key: kB}."""
    out: dict[str, float] = {}
    try:
        for line in path.read_text().splitlines():
            key, _, rest = line.partition(":")
            parts = rest.split()
            if parts and parts[0].isdigit():
                out[key.strip()] = float(parts[0])
    except OSError:
        pass
    return out
