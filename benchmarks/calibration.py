"""False-alarm rates and power of every flag, by simulation (issue 9; docs/statistics.md 12).

Run from the project root::

    .venv/bin/python benchmarks/calibration.py                      # 4,000 a cell, both cores
    .venv/bin/python benchmarks/calibration.py --sims 500 --jobs 1  # a quick look

Each cell draws ``--sims`` assessments from the generator of
``scoring_service/simulation/realistic.py`` (the same families the tests assert on), scores them
with the real engine and counts the flags. Printed as Markdown tables: null families by sizes
(any between-partner flag; objective_conflict; internal_conflict in either partner; any severity
high), then the power scenarios with each plant's true effect. Every cell has its own seed, so
the output does not depend on ``--jobs``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scoring_service.config import DEFAULT_SURVEYS  # noqa: E402
from scoring_service.scoring import score  # noqa: E402
from scoring_service.simulation import realistic as G  # noqa: E402
from scoring_service.surveys import Survey, load_registry  # noqa: E402

SEED = 20261130
BETWEEN = {"objective_conflict", "priority_divergence", "expectation_gap"}
PAIR = ["speed_to_market", "risk_control"]
PERMUTATIONS = 999


def survey() -> Survey:
    """The default instrument."""
    return load_registry(DEFAULT_SURVEYS).get("alliance-objectives")


def counts(flags: list[dict[str, Any]]) -> dict[str, bool]:
    """What a null cell counts in one assessment."""
    return {
        "between": any(f["kind"] in BETWEEN for f in flags),
        "conflict": any(f["kind"] == "objective_conflict" for f in flags),
        "internal": any(f["kind"] == "internal_conflict" for f in flags),
        "high": any(f["severity"] == "high" for f in flags),
    }


def null_maker(family: str, n_a: int, n_b: int) -> Callable[[np.random.Generator, Survey], Any]:
    """A draw of one null family at one size."""
    if family == "N5":
        return lambda rng, s: G.null_n5(s, rng, n_a, n_b)
    if family == "N6":
        return lambda rng, s: G.null_n6(s, rng, n_a, n_b)
    model = G.NULLS[family]
    return lambda rng, s: G.assessment(s, rng, n_a, n_b, model)


def run_null(args: tuple[str, int, int, int, int]) -> tuple[str, int, int, dict[str, float]]:
    """One null cell: the share of assessments with each kind of flag."""
    family, n_a, n_b, sims, seed = args
    s = survey()
    rng = np.random.default_rng(seed)
    make = null_maker(family, n_a, n_b)
    total = dict.fromkeys(("between", "conflict", "internal", "high"), 0)
    for _ in range(sims):
        for key, hit in counts(
            score(s, make(rng, s), n_resamples=PERMUTATIONS)["conflicts"]
        ).items():
            total[key] += hit
    return family, n_a, n_b, {k: v / sims for k, v in total.items()}


POWER: dict[str, tuple[str, Callable[[np.random.Generator, Survey], Any], Callable[..., bool]]] = {
    "conflict 3": (
        "30-50 points v 30-50 points on a conflicting pair, 3 a side (true pull about 32 points)",
        lambda rng, s: G.planted_conflict(s, rng, 3),
        lambda f: f["kind"] == "objective_conflict" and f["objectives"] == PAIR,
    ),
    "conflict 5": (
        "the same, 5 a side",
        lambda rng, s: G.planted_conflict(s, rng, 5),
        lambda f: f["kind"] == "objective_conflict" and f["objectives"] == PAIR,
    ),
    "conflict 3 N4": (
        "the same, 3 a side, sparse allocations elsewhere (Dirichlet 0.3-0.5)",
        lambda rng, s: G.planted_conflict(s, rng, 3, G.N4),
        lambda f: f["kind"] == "objective_conflict" and f["objectives"] == PAIR,
    ),
    "gap 1.5 at 8": (
        "a true gap of 1.5 points on commitment, 8 a side (N1)",
        lambda rng, s: G.planted_gap(s, rng, 8, 1.5),
        lambda f: f["kind"] == "expectation_gap" and f["dimensions"] == ["commitment"],
    ),
    "gap 1.0 at 15": (
        "a true gap of 1.0 point on commitment, 15 a side (N1)",
        lambda rng, s: G.planted_gap(s, rng, 15, 1.0),
        lambda f: f["kind"] == "expectation_gap" and f["dimensions"] == ["commitment"],
    ),
    "internal N1": (
        "two roles of 5 in acme, 1.5 points apart on 4 of 12 dimensions (N1)",
        lambda rng, s: G.planted_internal(s, rng, G.N1, G.INTERNAL_DIMS),
        lambda f: f["kind"] == "internal_conflict" and f["partners"] == ["acme"],
    ),
    "internal N3": (
        "the same under response styles (N3)",
        lambda rng, s: G.planted_internal(s, rng, G.N3, G.INTERNAL_DIMS),
        lambda f: f["kind"] == "internal_conflict" and f["partners"] == ["acme"],
    ),
}


def run_extra(args: tuple[str, int, int, int]) -> tuple[str, int, float]:
    """The other budgets: shared_concern at the midpoint (null) and 1 point below (power),
    random answers passing as agreement, N5 under each profile option."""
    from dataclasses import replace

    what, n, sims, seed = args
    s = survey()
    rng = np.random.default_rng(seed)
    hits = total = 0
    for _ in range(sims):
        if what.startswith("shared"):
            model = G.below_midpoint(s, 1.0) if what == "shared_power" else G.Model(p=G.MIDPOINT_P)
            flags = score(s, G.assessment(s, rng, n, n, model), n_resamples=PERMUTATIONS)
            hits += any(f["kind"] == "shared_concern" for f in flags["conflicts"])
            total += 1
        elif what == "random_agreement":
            doc = score(s, G.assessment(s, rng, n, n, G.Model(p=G.UNIFORM_P)), n_resamples=99)
            for block in doc["consensus"].values():
                tested = [d for d, p in block["rwg_j_p"].items() if p is not None]
                hits += len(set(tested) - set(block["weakly_supported"]))
                total += len(tested)
        else:
            profile = what.removeprefix("n5_")
            sv = replace(s, scoring=replace(s.scoring, profile=profile))
            flags = score(sv, G.null_n5(sv, rng, n, n), n_resamples=PERMUTATIONS)["conflicts"]
            hits += any(f["kind"] in BETWEEN for f in flags)
            total += 1
    return what, n, hits / max(total, 1)


EXTRA = {
    "shared_null": "shared_concern, every dimension at the midpoint (null)",
    "shared_power": "shared_concern, both partners 1 point below the midpoint (power)",
    "random_agreement": "dimensions passing as agreement (not weakly supported), random answers",
    "n5_role_means": "N5, any between-partner flag, profile = role_means",
    "n5_respondents": "N5, any between-partner flag, profile = respondents",
}


def run_power(args: tuple[str, int, int]) -> tuple[str, float]:
    """One power scenario: the share of assessments with the planted flag."""
    name, sims, seed = args
    s = survey()
    rng = np.random.default_rng(seed)
    _, make, hit = POWER[name]
    found = sum(
        any(hit(f) for f in score(s, make(rng, s), n_resamples=PERMUTATIONS)["conflicts"])
        for _ in range(sims)
    )
    return name, found / sims


def main() -> None:
    """Run every cell and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sims", type=int, default=4000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--families", default="N1,N2,N3,N4,N5,N6,ERS,STRAIGHT")
    parser.add_argument("--sizes", default=",".join(f"{a}v{b}" for a, b in G.SIZES))
    parser.add_argument("--no-power", action="store_true")
    args = parser.parse_args()
    sizes = [tuple(map(int, x.split("v"))) for x in args.sizes.split(",")]
    families = args.families.split(",")
    cells = [
        (f, a, b, args.sims, SEED + 1000 * k + i)
        for k, f in enumerate(families)
        for i, (a, b) in enumerate(sizes)
    ]
    started = time.time()
    extra_sizes = [3, 5, 8, 15, 30]
    with ProcessPoolExecutor(args.jobs) as pool:
        nulls = list(pool.map(run_null, cells))
        power = (
            []
            if args.no_power
            else list(
                pool.map(run_power, [(n, args.sims, SEED + 7 + k) for k, n in enumerate(POWER)])
            )
        )
        jobs = [
            (w, n, args.sims, SEED + 50 + 7 * k + n)
            for k, w in enumerate(EXTRA)
            for n in extra_sizes
        ]
        extra = [] if args.no_power else list(pool.map(run_extra, jobs))
    print(f"{date.today()}, {args.sims} assessments a cell, {time.time() - started:.0f} s\n")
    head = " | ".join(f"{a} v {b}" for a, b in sizes)
    for key, title in (
        ("between", "any between-partner flag"),
        ("conflict", "objective_conflict"),
        ("internal", "internal_conflict, either partner"),
        ("high", "any severity high"),
    ):
        print(f"**{title}**\n\n| family | {head} |\n|---|" + "---|" * len(sizes))
        for f in families:
            row = [r for fam, _, _, r in nulls if fam == f]
            print(f"| {f} | " + " | ".join(f"{100 * r[key]:.1f}%" for r in row) + " |")
        print()
    if power:
        print("| power scenario | found |\n|---|---|")
        for name, rate in power:
            print(f"| {POWER[name][0]} | {100 * rate:.1f}% |")
        head = " | ".join(f"{n} a side" for n in extra_sizes)
        print(f"\n| budget | {head} |\n|---|" + "---|" * len(extra_sizes))
        for what, title in EXTRA.items():
            row = [r for w, _, r in extra if w == what]
            print(f"| {title} | " + " | ".join(f"{100 * r:.1f}%" for r in row) + " |")


if __name__ == "__main__":
    main()
