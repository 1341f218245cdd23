"""False alarms and power of the drift flags between two rounds, by simulation (issue 15;
docs/statistics.md 14).

Run from the project root::

    .venv/bin/python benchmarks/drift_calibration.py                      # 1,000 a cell, both cores
    .venv/bin/python benchmarks/drift_calibration.py --sims 200 --jobs 1  # a quick look

Each cell draws ``--sims`` alliances of two rounds from ``two_rounds`` of
``scoring_service/simulation/realistic.py`` (the families of docs/statistics.md 12; paired: the
same people answer both rounds, unpaired: new people in round 2), runs the real ``drift`` and
counts its flags. Printed as Markdown tables: the null families by size and design (any drift
flag, then each kind), then the power of ``dimension_decline`` to find a decline of one
dimension (``commitment``) in both partners, with the other flags raised in those alliances.
Every cell has its own seed, so the output does not depend on ``--jobs``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import scipy

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scoring_service.config import DEFAULT_SURVEYS  # noqa: E402
from scoring_service.scoring.drift import RoundData, drift  # noqa: E402
from scoring_service.simulation import realistic as G  # noqa: E402
from scoring_service.surveys import Survey, load_registry  # noqa: E402

SEED = 20261215
RESAMPLES = 999
DIMENSION = "commitment"
PARTNERS = ("acme", "globex")
KINDS = ("dimension_decline", "objective_drift", "alignment_decline")
DESIGNS = (True, False)  # paired, unpaired


def survey() -> Survey:
    """The default instrument."""
    return load_registry(DEFAULT_SURVEYS).get("alliance-objectives")


def flags(
    s: Survey, rounds: tuple[list[Any], list[Any]], resamples: int, only: str | None = None
) -> list[dict[str, Any]]:
    """The drift flags of one alliance's two rounds (``only``: one partner's own part)."""
    before, after = RoundData(1, s, rounds[0]), RoundData(2, s, rounds[1])
    entry = drift(before, after, PARTNERS, only=only, n_resamples=resamples)
    out: list[dict[str, Any]] = entry["flags"]
    return out


def run_null(
    args: tuple[str, int, bool, int, int, int],
) -> tuple[str, int, bool, dict[str, float], float]:
    """One null cell: the share of alliances with any drift flag, with each kind, with a high
    severity, with a flag in the first partner's own part (``only``: its declines a BH family
    of their own); and the cell's seconds."""
    family, n, paired, sims, seed, resamples = args
    started = time.time()
    s = survey()
    rng = np.random.default_rng(seed)
    model = G.NULLS[family]
    total = dict.fromkeys(("any", *KINDS, "high", "own"), 0)
    for _ in range(sims):
        rounds = G.two_rounds(s, rng, n, n, model, paired=paired)
        found = flags(s, rounds, resamples)
        total["own"] += bool(flags(s, rounds, resamples, only=PARTNERS[0]))
        kinds = {f["kind"] for f in found}
        total["any"] += bool(found)
        total["high"] += any(f["severity"] == "high" for f in found)
        for k in kinds:
            total[k] += 1
    return family, n, paired, {k: v / sims for k, v in total.items()}, time.time() - started


def run_power(
    args: tuple[str, float, int, bool, int, int, int],
) -> tuple[str, float, int, bool, dict[str, float], float]:
    """One power cell: both partners' ``commitment`` falls by ``decline`` points in round 2.
    ``hit``: a dimension_decline naming it; ``both``: naming both partners; ``other``: a
    dimension_decline of another dimension; and the other kinds."""
    base, decline, n, paired, sims, seed, resamples = args
    started = time.time()
    s = survey()
    rng = np.random.default_rng(seed)
    model = G.NULLS[base]
    total = dict.fromkeys(("hit", "both", "other", "objective_drift", "alignment_decline"), 0)
    for _ in range(sims):
        rounds = G.planted_decline(s, rng, n, decline, paired=paired, base=model)
        found = flags(s, rounds, resamples)
        mine = [
            f for f in found if f["kind"] == "dimension_decline" and f["dimensions"] == [DIMENSION]
        ]
        total["hit"] += bool(mine)
        total["both"] += any(sorted(f["partners"]) == list(PARTNERS) for f in mine)
        total["other"] += any(
            f["kind"] == "dimension_decline" and f["dimensions"] != [DIMENSION] for f in found
        )
        for kind in ("objective_drift", "alignment_decline"):
            total[kind] += any(f["kind"] == kind for f in found)
    rates = {k: v / sims for k, v in total.items()}
    return base, decline, n, paired, rates, time.time() - started


def machine() -> str:
    """CPU, cores, versions, the commit (read only) and a fingerprint of the engine's sources."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        head = "?"
    return (
        f"{cpu}, {len(os.sched_getaffinity(0))} cores, "
        f"Python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"commit {head or '?'}, sources {fingerprint()}"
    )


def fingerprint() -> str:
    """A hash of the engine's sources (others edit the tree: a change during the run shows)."""
    digest = hashlib.sha256()
    for f in sorted((ROOT / "scoring_service").rglob("*.py")):
        digest.update(str(f.relative_to(ROOT)).encode())
        digest.update(f.read_bytes())
    return digest.hexdigest()[:12]


def column(n: int, paired: bool) -> str:
    return f"{n}, {'paired' if paired else 'unpaired'}"


def main() -> None:
    """Run every cell and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sims", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--families", default=",".join(G.NULLS))
    parser.add_argument("--sizes", default="5,8,15")
    parser.add_argument("--declines", default="0.5,1.0,1.5")
    parser.add_argument("--power-bases", default="N1,N3")
    parser.add_argument("--resamples", type=int, default=RESAMPLES)
    parser.add_argument("--no-power", action="store_true")
    parser.add_argument("--no-null", action="store_true")
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    families = [] if args.no_null else args.families.split(",")
    declines = [float(x) for x in args.declines.split(",")]
    bases = [] if args.no_power else args.power_bases.split(",")
    R = args.resamples
    null_cells = [
        (f, n, p, args.sims, SEED + 1000 * k + 10 * n + p, R)
        for k, f in enumerate(families)
        for n in sizes
        for p in DESIGNS
    ]
    power_cells = [
        (b, d, n, p, args.sims, SEED + 100_000 * (1 + j) + 1000 * int(10 * d) + 10 * n + p, R)
        for j, b in enumerate(bases)
        for d in declines
        for n in sizes
        for p in DESIGNS
    ]
    started, before = time.time(), fingerprint()
    with ProcessPoolExecutor(args.jobs) as pool:
        nulls = list(pool.map(run_null, null_cells))
        power = list(pool.map(run_power, power_cells))
    seconds = time.time() - started
    cells = len(nulls) + len(power)
    print(
        f"{date.today()}, {args.sims} alliances a cell, {R} resamples, {cells} cells in "
        f"{seconds:.0f} s on {args.jobs} processes "
        f"({sum(r[-1] for r in nulls + power) / max(cells, 1):.0f} s of one process a cell)"
    )
    print(f"Machine: {machine()}")
    if fingerprint() != before:
        print(f"WARNING: the sources changed during the run (from {before})")
    print()
    head = " | ".join(column(n, p) for n in sizes for p in DESIGNS)
    rule = "|---|" + "---|" * (len(sizes) * len(DESIGNS))
    if nulls:
        by = {(f, n, p): r for f, n, p, r, _ in nulls}
        for key, title in (
            ("any", "any drift flag"),
            ("dimension_decline", "dimension_decline"),
            ("objective_drift", "objective_drift"),
            ("alignment_decline", "alignment_decline"),
            ("high", "any severity high"),
            ("own", f"any flag in {PARTNERS[0]}'s own part (`only`)"),
        ):
            print(f"**{title}** (null)\n\n| family | {head} |\n{rule}")
            for f in families:
                row = [by[(f, n, p)][key] for n in sizes for p in DESIGNS]
                print(f"| {f} | " + " | ".join(f"{100 * r:.1f}%" for r in row) + " |")
            print()
    if power:
        pw = {(b, d, n, p): r for b, d, n, p, r, _ in power}
        for key, title in (
            ("hit", f"dimension_decline naming {DIMENSION} (power)"),
            ("both", f"... naming {DIMENSION} in both partners"),
            ("other", "dimension_decline of another dimension (the rest is null)"),
            ("objective_drift", "objective_drift (null: allocations unchanged)"),
            ("alignment_decline", "alignment_decline (both partners fell alike)"),
        ):
            print(f"**{title}**\n\n| family, decline | {head} |\n{rule}")
            for b in bases:
                for d in declines:
                    row = [pw[(b, d, n, p)][key] for n in sizes for p in DESIGNS]
                    print(
                        f"| {b}, {d:.1f} point{'s' if d != 1 else ''} | "
                        + " | ".join(f"{100 * r:.1f}%" for r in row)
                        + " |"
                    )
            print()
    times = [r[-1] for r in nulls + power]
    if times:
        print(
            f"Seconds of one process a cell: {min(times):.0f}-{max(times):.0f} "
            f"(median {float(np.median(times)):.0f})"
        )


if __name__ == "__main__":
    main()
