"""Levels, minimum effects and minimum sample sizes of the engine, in one place.

Every flag is a test decision at a declared level plus a minimum effect (docs/statistics.md,
section 8, "the error budget"); the simulations of ``tests/test_calibration.py`` prove the
false-alarm rates and the power under realistic answers
(``scoring_service/simulation/realistic.py``).
"""

from __future__ import annotations

# Levels of the flag families.
FDR_Q = 0.04  # Benjamini-Hochberg across dimensions (gaps), and across objectives (divergences);
# two families at 0.04 leave room for the objective conflicts within 8% of null assessments
CONFLICT_ALPHA = 0.05  # each one-sided Welch test of a pull's two differences (intersection-union)
INTERNAL_ALPHA = 0.025  # per partner (both partners: at most 5%), split over its two tests
SHARED_ALPHA = 0.05  # shared_concern: each partner's one-sided t bound

# Minimum sample sizes (the rest follows from the n at hand: a test whose smallest attainable
# p-value exceeds its level is not run, and says so).
MIN_N_WELCH = 2  # a Welch test and interval need a variance on each side
MIN_N_PROFILE_CI = 20  # logit-t intervals of priority shares (sparse allocations: 92.7-93.4% at 15)
MIN_N_COMPAT_CI = 5  # jackknife-t interval of compatibility
MIN_N_CONSENSUS = 2  # rwg(j), Krippendorff's alpha, Kendall's W within a partner
MIN_N_ROLE = 3  # a role pair's compatibility below it is marked descriptive

# Minimum effects, in fractions of the dimension's scale range (a 1-5 scale has range 4).
GAP_MIN = 0.125  # expectation_gap: half a point on 1-5
GAP_HIGH = 0.25  # high severity: a full point on 1-5
SHARED_MIN = 0.125  # shared_concern / strength: both means half a point from the midpoint

# ... and in shares of the allocation total.
DIVERGENCE_MIN = 0.10  # priority_divergence: 10 points of 100
DIVERGENCE_HIGH = 0.20
PULL_MIN = 0.12  # objective_conflict: the asymmetric pull min(w_Ai - w_Bi, w_Bj - w_Aj)
PULL_HIGH = 0.20
# Each difference of the pull is tested against this margin, not 0: when one partner alone leans
# (the other neutral), closure makes the other look as if it leans everywhere else by a few
# points (3.6 with 9 objectives and 30-50 points on one), which is no conflict.
PULL_MARGIN = 0.06
SHARED_TENSION = 0.15  # both partners put at least this on both objectives: a warning

# internal_conflict: the roles the test names must differ by this much.
INTERNAL_DIM_MIN = 0.25  # a full point on 1-5, on at least one dimension (centred scores)
RWG_ALPHA = 0.05  # r_wg(J) not significantly above random answering: weakly supported
MIN_N_RELIABILITY = 5  # Cronbach's alpha of a dimension needs 5 complete respondents

# Drift between two rounds (scoring/drift.py; docs/statistics.md, section 14). Three families
# whose levels add up to the 8% budget of a two-round alliance without any change.
DRIFT_FDR_Q = 0.04  # dimension_decline: BH across partners x dimensions, one-sided p of a fall
DRIFT_ALIGNMENT_ALPHA = 0.02  # alignment_decline: one-sided permutation test of the rounds
DRIFT_OBJECTIVE_ALPHA = 0.02  # objective_drift: Bonferroni over the candidates, one-sided
DECLINE_MIN = 0.0625  # a dimension's fall, of its scale's range: a quarter point on 1-5
ALIGNMENT_DECLINE_MIN = 5.0  # points of the 0-100 index
DRIFT_OBJECTIVE_MIN = 0.05  # a share's growth: 5 points of 100

SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}

# Means of Likert answers and of points sit on a lattice: a gap of exactly 1.6 must not flip
# with the order of a floating-point sum, so thresholds are reached within this tolerance.
TOLERANCE = 1e-9


def reaches(value: float, threshold: float) -> bool:
    """``value >= threshold`` up to rounding."""
    return bool(value >= threshold - TOLERANCE)
