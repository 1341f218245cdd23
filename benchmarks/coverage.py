"""Coverage of every interval the engine reports, by simulation (docs/statistics.md section 13).

Run from the project root::

    .venv/bin/python benchmarks/coverage.py                 # 4,000 a cell, both cores
    .venv/bin/python benchmarks/coverage.py --sims 500      # a quick look

The cells, the truths and the judgement are those of ``tests/test_coverage.py`` (the scenarios
and truths are documented in ``scoring_service/simulation/coverage.py``). Each cell of the tables
reads "coverage (lowest single dimension or objective)"; nominal 95%.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scoring_service.simulation import coverage as C  # noqa: E402

SEED = 20261201


def run(args: tuple[str, int, int, int]) -> tuple[str, int, dict[str, Any]]:
    """One cell: the summary of every interval."""
    scenario, n, sims, seed = args
    hits = C.cell(scenario, n, sims, seed)
    return scenario, n, {k: C.summary(v) for k, v in hits.items() if k != "outside"}


def main() -> None:
    """Run the cells and print one table per interval."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sims", type=int, default=4000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--sizes", default="3,5,8,15,20,30")
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    scenarios = list(C.SCENARIOS)
    cells = [
        (sc, n, args.sims, SEED + 100 * k + n) for k, sc in enumerate(scenarios) for n in sizes
    ]
    started = time.time()
    with ProcessPoolExecutor(args.jobs) as pool:
        results = {(sc, n): r for sc, n, r in pool.map(run, cells)}
    print(f"{date.today()}, {args.sims} assessments a cell, {time.time() - started:.0f} s\n")
    for key, title in (
        ("gap", "`dimensions[].gap_ci` (Welch t)"),
        ("profiles", "`objectives.profiles[p].ci` (logit t, from 20 a side)"),
        ("compatibility", "`objectives.compatibility_ci` (jackknife t on Fisher's z, from 5)"),
        ("mean_gap", "`alignment.components.expectations.mean_gap_ci` (from the gaps' intervals)"),
    ):
        head = " | ".join(f"n = {n}" for n in sizes)
        print(f"**{title}**\n\n| scenario | {head} |\n|---|" + "---|" * len(sizes))
        for sc in scenarios:
            row = []
            for n in sizes:
                s = results[(sc, n)][key]
                row.append(
                    "-" if not s["n"] else f"{100 * s['coverage']:.1f}% ({100 * s['lowest']:.1f}%)"
                )
            print(f"| {sc} | " + " | ".join(row) + " |")
        print()


if __name__ == "__main__":
    main()
