"""Coverage of the reported intervals by simulation (issue 9; docs/statistics.md section 13).

A cell is a scenario (two answering models of ``realistic``) at one size a side. Each
simulated assessment is scored by the real engine and every reported interval is checked against
the TRUE value of its statistic, computed from the models, never from a sample:

- a gap: E_B[dimension score] - E_A[dimension score], each the mean over the dimension's items of
  the expected scored answer (a reversed item's is min + max - E[raw]), from the probit model;
- a profile share: alpha_k / sum(alpha) of the partner's Dirichlet (points are rounded to
  integers summing to 100; the bias that adds is below 0.001);
- compatibility: 50 (1 + C(w_A, w_B)) of the true profiles, C the survey's R-weighted cosine;
- the expectations component's mean |gap|: the mean over dimensions of |true gap| / range.

Extreme responders and straight-liners change the marginals the truths come from, so the
coverage scenarios use the families whose marginals are known: N1, N2 (skewed), N3 (styles),
N4 (sparse) and ``SHIFTED`` (interior truths for compatibility).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from .. import stats
from ..config import DEFAULT_SURVEYS
from ..scoring import score
from ..surveys import Survey, load_registry
from . import realistic as G

PERMUTATIONS = 99  # the role tests do not enter any interval

SHIFTED_A = G.Model(focus_alpha={"speed_to_market": 3.0})
SHIFTED_B = G.Model(
    rho=0.3,
    focus_alpha={"risk_control": 4.0, "innovation": 2.0},
    shifts={"strategic_fit": 0.3, "governance": -0.4, "pace": 0.6, "trust": 0.2},
)
SCENARIOS: dict[str, tuple[G.Model, G.Model]] = {
    "N1": (G.N1, G.N1),
    "N2": (G.N2, G.N2),
    "N3": (G.Model(rho=0.3), G.Model(rho=0.3)),
    "N4": (G.Model(alpha=0.4), G.Model(alpha=0.4)),
    "SHIFTED": (SHIFTED_A, SHIFTED_B),
}


def survey() -> Survey:
    """The default instrument."""
    return load_registry(DEFAULT_SURVEYS).get("alliance-objectives")


def true_profile(s: Survey, model: G.Model) -> NDArray[np.float64]:
    """The Dirichlet mean of a model's allocations."""
    alpha = model.alpha if isinstance(model.alpha, float) else float(np.mean(model.alpha))
    a = np.array([model.focus_alpha.get(o, alpha) for o in s.objective_ids], dtype=np.float64)
    return a / float(a.sum())


def true_dimensions(s: Survey, model: G.Model) -> NDArray[np.float64]:
    """Expected dimension scores of a model."""
    out: list[float] = []
    for dim in s.dimensions:
        shift = model.shifts.get(dim.id, 0.0)
        values = []
        for item_id in dim.items:
            item = next(i for i in s.items_of("likert") if i.id == item_id)
            if item.reverse:
                values.append(dim.scale.min + dim.scale.max - G.expected_answer(model.p, -shift))
            else:
                values.append(G.expected_answer(model.p, shift))
        out.append(float(np.mean(values)))
    return np.array(out, dtype=np.float64)


def truths(s: Survey, a: G.Model, b: G.Model) -> dict[str, Any]:
    """True gaps, profiles and compatibility of a scenario."""
    wa, wb = true_profile(s, a), true_profile(s, b)
    return {
        "gap": true_dimensions(s, b) - true_dimensions(s, a),
        "profiles": {"acme": wa, "globex": wb},
        "compatibility": 50.0 * (1.0 + float(stats.weighted_cosine(wa, wb, s.R))),
    }


def _inside(ci: list[float] | None, truth: float | None) -> float:
    """1 if the interval holds the truth, 0 if not, NaN if there is no interval. ``truth`` may be
    the document's own estimate, which is null only where its interval is null too."""
    if ci is None:
        return np.nan
    assert truth is not None, f"an interval {ci} without its estimate"
    return float(ci[0] <= truth <= ci[1])


def cell(scenario: str, n: int, sims: int, seed: int) -> dict[str, NDArray[np.float64]]:
    """Hits (1/0, NaN where no interval) of every interval in ``sims`` assessments at n a side:
    ``gap`` (sims, D), ``profiles`` (sims, 2K), ``compatibility`` and ``mean_gap`` (sims,);
    ``outside``, a 0-d integer count, is the number of intervals missing their own estimate."""
    s = survey()
    a, b = SCENARIOS[scenario]
    truth = truths(s, a, b)
    rng = np.random.default_rng(seed)
    ids = s.objective_ids
    outside = 0  # intervals that miss their own estimate: must stay 0
    gap = np.full((sims, len(s.dimensions)), np.nan)
    prof = np.full((sims, 2 * len(ids)), np.nan)
    compat = np.full(sims, np.nan)
    mean_gap = np.full(sims, np.nan)
    ranges = np.array([float(d.scale.range) for d in s.dimensions])
    true_mean_gap = float(np.mean(np.abs(truth["gap"]) / ranges))
    for k in range(sims):
        doc = score(s, G.assessment(s, rng, n, n, a, b), n_resamples=PERMUTATIONS)
        for d, dim in enumerate(doc["dimensions"]):
            gap[k, d] = _inside(dim["gap_ci"], truth["gap"][d])
            outside += _inside(dim["gap_ci"], dim["gap"]) == 0
        for p, key in enumerate(("acme", "globex")):
            profile = doc["objectives"]["profiles"][key]
            cis = profile["ci"] or {}
            weights = profile["weights"] or {}
            for j, o in enumerate(ids):
                prof[k, p * len(ids) + j] = _inside(cis.get(o), truth["profiles"][key][j])
                outside += _inside(cis.get(o), weights.get(o)) == 0
        objectives = doc["objectives"]
        compat[k] = _inside(objectives["compatibility_ci"], truth["compatibility"])
        outside += _inside(objectives["compatibility_ci"], objectives["compatibility"]) == 0
        expectations = doc["alignment"]["components"]["expectations"]
        mean_gap[k] = _inside(expectations["mean_gap_ci"], true_mean_gap)
        outside += _inside(expectations["ci"], expectations["value"]) == 0
    return {
        "gap": gap,
        "profiles": prof,
        "compatibility": compat,
        "mean_gap": mean_gap,
        "outside": np.array(outside),
    }


def summary(hits: NDArray[np.float64]) -> dict[str, float]:
    """Coverage averaged over the columns, its Monte Carlo standard error (of the per-assessment
    average, so that correlated columns are not counted as independent), the lowest column, and
    the number of assessments with intervals."""
    if hits.ndim == 1:
        hits = hits[:, None]
    rows = hits[~np.isnan(hits).all(axis=1)]
    if not len(rows):
        return {"coverage": float("nan"), "mcse": float("nan"), "lowest": float("nan"), "n": 0}
    with np.errstate(invalid="ignore"):
        per_row = np.nanmean(rows, axis=1)
    return {
        "coverage": float(np.mean(per_row)),
        "mcse": float(np.std(per_row, ddof=1) / np.sqrt(len(rows))),
        "lowest": float(np.nanmin(np.nanmean(rows, axis=0))),
        "n": len(rows),
    }
