"""Drift between two rounds, by simulation (issue 15; docs/statistics.md 14).

The two-round generator (``realistic.two_rounds``) first: under the null a person's two rounds
are exchangeable, paired people correlate across rounds, unpaired ones are new people. Then
the flags of ``scoring.drift``, marked ``slow``: a seeded subset of the cells of
``benchmarks/drift_calibration.py`` (which prints them all at 1,000 alliances a cell for the
tables of docs/statistics.md), 400 alliances a cell, each count judged against a binomial
bound: a null cell's count of alliances with any drift flag at most the 99th percentile of
Binomial(400, 8%), the power's count at least the 1st percentile of Binomial(400, 80%).
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace

import numpy as np
import pytest
from scipy import stats

from scoring_service.config import DEFAULT_SURVEYS
from scoring_service.scoring.drift import RoundData, drift
from scoring_service.scoring.prepare import answer_arrays
from scoring_service.simulation import realistic as G
from scoring_service.surveys import Survey, load_registry

SEED = 20261215
SIMS = 400
# The permutation p-value is valid at any number of permutations (Phipson and Smyth 2010); 199
# keeps the module under 90 s on two cores (the benchmark uses 999).
RESAMPLES = 199
BUDGET = 0.08
FLOOR = 0.80
DIMENSION = "commitment"
PARTNERS = ("acme", "globex")


def _survey() -> Survey:
    return load_registry(DEFAULT_SURVEYS).get("alliance-objectives")


@pytest.fixture(scope="module")
def survey() -> Survey:
    return _survey()


def _scores(
    survey: Survey, family: str, paired: bool, alliances: int, seed: int, **kw: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Dimension scores and allocation shares of every respondent of both rounds, stacked over
    ``alliances`` alliances of 8 a side (rows of one person aligned when paired)."""
    rng = np.random.default_rng(seed)
    d1, d2, a1, a2 = [], [], [], []
    for _ in range(alliances):
        one, two = G.two_rounds(survey, rng, 8, 8, G.NULLS[family], paired=paired, **kw)
        for rows, d, a in ((one, d1, a1), (two, d2, a2)):
            _, D, A = answer_arrays(survey, rows)
            d.append(D)
            a.append(A)
    return np.vstack(d1), np.vstack(d2), np.vstack(a1), np.vstack(a2)


def test_ids_and_roles(survey: Survey) -> None:
    """Paired: the same ids and roles in both rounds; unpaired: new ids, the same role mix."""
    rng = np.random.default_rng(SEED)
    one, two = G.two_rounds(survey, rng, 5, 7, G.N3, paired=True)
    assert [(r.partner, r.respondent, r.role) for r in one] == [
        (r.partner, r.respondent, r.role) for r in two
    ]
    assert [r.partner for r in one].count("acme") == 5
    assert [r.partner for r in one].count("globex") == 7
    one, two = G.two_rounds(survey, rng, 5, 7, G.N3, paired=False)
    assert not {r.respondent for r in one} & {r.respondent for r in two}
    assert all(r.respondent.endswith("-r2") for r in two)
    assert [r.role for r in one] == [r.role for r in two]
    for rows in (one, two):
        assert all(sum((r.allocation or {}).values()) == survey.allocation_total for r in rows)


@pytest.mark.parametrize("family", ["N1", "N3", "N4", "STRAIGHT"])
@pytest.mark.parametrize("paired", [True, False])
def test_null_rounds_are_exchangeable(survey: Survey, family: str, paired: bool) -> None:
    """Without ``model_after`` both rounds have the same expectation and spread: every
    dimension's and objective's mean difference within 4 standard errors of 0, the SDs within
    10% of each other."""
    d1, d2, a1, a2 = _scores(survey, family, paired, 150, SEED + 1)
    for x, y in ((d1, d2), (a1, a2)):
        diff = y - x if paired else None
        for k in range(x.shape[1]):
            if diff is not None:
                se = diff[:, k].std(ddof=1) / np.sqrt(len(diff))
            else:
                se = np.sqrt((x[:, k].var(ddof=1) + y[:, k].var(ddof=1)) / len(x))
            assert abs(y[:, k].mean() - x[:, k].mean()) <= 4 * se, (k, family)
            assert 0.9 <= y[:, k].std() / x[:, k].std() <= 1.1, (k, family)


def test_paired_people_correlate_across_rounds(survey: Survey) -> None:
    """A person's dimension scores and shares correlate positively across rounds (more with a
    response style, which persists); unpaired people do not."""
    for family, low in (("N1", 0.3), ("N3", 0.6), ("N4", 0.3)):
        d1, d2, a1, a2 = _scores(survey, family, True, 60, SEED + 2)
        dims = [np.corrcoef(d1[:, k], d2[:, k])[0, 1] for k in range(d1.shape[1])]
        shares = [np.corrcoef(a1[:, k], a2[:, k])[0, 1] for k in range(a1.shape[1])]
        assert min(dims) >= low, (family, dims)
        assert min(shares) >= 0.5, (family, shares)
        d1, d2, a1, a2 = _scores(survey, family, False, 60, SEED + 3)
        unpaired = [np.corrcoef(d1[:, k], d2[:, k])[0, 1] for k in range(d1.shape[1])]
        assert max(abs(r) for r in unpaired) <= 0.15, (family, unpaired)


def test_persistence_ends(survey: Survey) -> None:
    """``persistence`` 1: a person's Likert answers repeat exactly; 0 (and no response style):
    the two rounds of a person are independent."""
    d1, d2, _, _ = _scores(survey, "N3", True, 10, SEED + 4, persistence=1.0)
    assert np.array_equal(d1, d2)
    d1, d2, _, _ = _scores(survey, "N1", True, 60, SEED + 5, persistence=0.0)
    assert max(abs(np.corrcoef(d1[:, k], d2[:, k])[0, 1]) for k in range(d1.shape[1])) <= 0.15


def test_planted_decline_moves_one_dimension(survey: Survey) -> None:
    """A planted decline of 1 point moves commitment's mean by 1 point in both partners and
    leaves the other dimensions where they were."""
    rng = np.random.default_rng(SEED + 6)
    names = [d.id for d in survey.dimensions]
    change = []
    for _ in range(150):
        one, two = G.planted_decline(survey, rng, 8, 1.0, paired=True)
        change.append(answer_arrays(survey, two)[1] - answer_arrays(survey, one)[1])
    mean = np.vstack(change).mean(axis=0)
    k = names.index(DIMENSION)
    assert mean[k] == pytest.approx(-1.0, abs=0.06)
    assert np.abs(np.delete(mean, k)).max() <= 0.06


def test_model_after_may_change_the_scale_and_shifts_only(survey: Survey) -> None:
    rng = np.random.default_rng(SEED)
    with pytest.raises(ValueError, match="model_after"):
        G.two_rounds(survey, rng, 5, 5, G.N1, replace(G.N1, rho=0.3), paired=True)
    with pytest.raises(ValueError, match="persistence"):
        G.two_rounds(survey, rng, 5, 5, G.N1, paired=True, persistence=1.5)


def _flags(args: tuple[str, int, bool, float, int]) -> int:
    """How many of SIMS alliances carry a flag: any drift flag under the null (``decline`` 0),
    a dimension_decline naming the shifted dimension under a planted decline (N1 base)."""
    family, n, paired, decline, seed = args
    s = _survey()
    rng = np.random.default_rng(seed)
    count = 0
    for _ in range(SIMS):
        if decline:
            rounds = G.planted_decline(s, rng, n, decline, paired=paired, base=G.NULLS[family])
        else:
            rounds = G.two_rounds(s, rng, n, n, G.NULLS[family], paired=paired)
        found = drift(
            RoundData(1, s, rounds[0]), RoundData(2, s, rounds[1]), PARTNERS, n_resamples=RESAMPLES
        )["flags"]
        if decline:
            found = [
                f
                for f in found
                if f["kind"] == "dimension_decline" and f["dimensions"] == [DIMENSION]
            ]
        count += bool(found)
    return count


NULL_CELLS = [(f, n, p, 0.0) for f in ("N3", "N4", "ERS") for n in (5, 8) for p in (True, False)]
POWER_CELLS = [("N1", 8, False, 1.5)]


@pytest.fixture(scope="module")
def counts() -> dict[tuple[str, int, bool, float], int]:
    """Every cell on both cores, each with its own seed (the power cell first: the longest)."""
    cells = POWER_CELLS + NULL_CELLS
    args = [(*c, SEED + 100 * k) for k, c in enumerate(cells)]
    with ProcessPoolExecutor(2) as pool:
        return dict(zip(cells, pool.map(_flags, args), strict=True))


@pytest.mark.slow
@pytest.mark.parametrize("cell", NULL_CELLS, ids=lambda c: f"{c[0]}-{c[1]}-{'p' if c[2] else 'u'}")
def test_null_drift_stays_within_the_budget(
    counts: dict[tuple[str, int, bool, float], int], cell: tuple[str, int, bool, float]
) -> None:
    """Two rounds from one model: any drift flag in at most 8% of alliances (binomial bound)."""
    bound = stats.binom.ppf(0.99, SIMS, BUDGET)
    assert counts[cell] <= bound, (cell, counts[cell] / SIMS, bound / SIMS)


@pytest.mark.slow
def test_a_decline_of_one_and_a_half_points_is_found(
    counts: dict[tuple[str, int, bool, float], int],
) -> None:
    """Both partners' commitment 1.5 points lower, 8 a side, new people in round 2: found in
    at least 80% of alliances (binomial bound)."""
    cell = POWER_CELLS[0]
    bound = stats.binom.ppf(0.01, SIMS, FLOOR)
    assert counts[cell] >= bound, (counts[cell] / SIMS, bound / SIMS)
