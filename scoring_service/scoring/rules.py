"""Thresholds and minimum sample sizes of the engine, in one place (see docs/statistics.md).

They were chosen with the calibration simulations in ``tests/test_calibration.py``: with both
partners answering from one distribution, flags stay rare; planted conflicts and gaps are found.
"""

from __future__ import annotations

# Minimum respondents per partner.
MIN_N_CI = 5  # percentile bootstrap intervals (gaps, profiles, compatibility, alignment)
SMALL_N_WARNING = 8  # below this a side, intervals under-cover: say so
MIN_N_TEST = 6  # exact permutation tests + Benjamini-Hochberg (6 v 6 reaches p = 0.002)
MIN_N_CONSENSUS = 2  # rwg(j), Krippendorff's alpha, Kendall's W within a partner
MIN_N_ROLE = 3  # respondents per role before a role contrast is more than descriptive

FDR_Q = 0.05  # Benjamini-Hochberg level across dimensions, and across objectives
N_PERMUTATIONS = 9_999  # Monte Carlo permutations once exact enumeration exceeds MAX_EXACT
MAX_EXACT = 20_000  # enumerate every split up to this many (8 v 8 = 12,870)
NORMAL_FROM = 50  # beyond exact, from 50 a side: the normal limit of the permutation test

# expectation_gap, in fractions of the dimension's scale range (a 1-5 scale has range 4).
GAP_MIN = 0.125  # inferential flag: significant and at least half a point on 1-5
GAP_HIGH = 0.25  # high severity: a full point on 1-5 ...
DELTA_LARGE = 0.474  # ... and a large Cliff's delta (Romano et al. 2006)
LARGE_GAP_P = 0.01  # a large gap (GAP_HIGH, DELTA_LARGE) with unadjusted p below: effect_size
GAP_DESCRIPTIVE = 0.40  # below MIN_N_TEST: 1.6 points on 1-5 with complete separation

# priority_divergence, in shares of the allocation total.
DIVERGENCE_MIN = 0.10  # inferential flag: significant and 10 points of 100
DIVERGENCE_HIGH = 0.20
DIVERGENCE_DESCRIPTIVE = 0.25  # below MIN_N_TEST, with complete separation

# objective_conflict: asymmetric pull min(w_Ai - w_Bi, w_Bj - w_Aj) on a negative relation.
PULL_MIN = 0.12
PULL_HIGH = 0.20
SHARED_TENSION = 0.15  # both partners put at least this on both objectives: a warning

# internal_conflict within a partner.
INTERNAL_LEAN = 0.30  # on a `conflicts` relation, one role leans to i and another to j
INTERNAL_DIM_GAP = 0.50  # role means this far apart (fraction of range) ...
INTERNAL_DIM_COUNT = 4  # ... on at least this many dimensions
RWG_CUTOFF = 0.70  # below: the partner's mean on that dimension is weakly supported

SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}

# Means of Likert answers and of points sit on a lattice: a gap of exactly 1.6 must not flip
# with the order of a floating-point sum, so thresholds are reached within this tolerance.
TOLERANCE = 1e-9


def reaches(value: float, threshold: float) -> bool:
    """``value >= threshold`` up to rounding."""
    return bool(value >= threshold - TOLERANCE)
