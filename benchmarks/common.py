"""What every benchmark module shares: where the repository and the output are, the error that
stops a run, and how milliseconds are shown."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
LOCALHOST = "127.0.0.1"


class BenchError(RuntimeError):
    """The run cannot go on or its numbers cannot be trusted."""


def ms(x: float) -> str:
    """Milliseconds for a table: one decimal from 10 on, two below."""
    return f"{x:.1f}" if x >= 10 else f"{x:.2f}"
