"""Pure statistics for alignment scoring, on numpy and scipy, with no web or database code.

Agreement among raters (Krippendorff's alpha, intraclass correlations, r_wg, r_wg(J),
Kendall's W), effect sizes and profile similarities (Cliff's delta, weighted cosine, overlap,
Kendall's tau-b), and resampling (bootstrap percentile intervals, exact or Monte Carlo
permutation tests, Benjamini-Hochberg). Every function checks its arguments and raises
``TypeError``/``ValueError`` naming the bad one; when the input is valid but the statistic is
undefined it raises :class:`DegenerateInputError`, whose ``reason`` code the scoring layer
reports, instead of returning ``NaN``.
"""

from .agreement import kendall_w, krippendorff_alpha, rwg, rwg_j, rwg_j_groups
from .effects import cliffs_delta, cliffs_delta_columns, kendall_tau_b, overlap, weighted_cosine
from .errors import DegenerateInputError
from .groups import GroupTestResult, group_permutation_test, p_floor
from .icc import IccResult, icc
from .permutation import PermutationResult, benjamini_hochberg, permutation_pvalues
from .resampling import (
    bootstrap_indices,
    percentile_interval,
    percentile_intervals,
    percentile_intervals_repeated,
)
from .ttest import WelchResult, jackknife_se, logit_t_intervals, welch_columns

__all__ = [
    "DegenerateInputError",
    "GroupTestResult",
    "IccResult",
    "WelchResult",
    "PermutationResult",
    "benjamini_hochberg",
    "bootstrap_indices",
    "cliffs_delta",
    "cliffs_delta_columns",
    "group_permutation_test",
    "icc",
    "jackknife_se",
    "kendall_tau_b",
    "kendall_w",
    "krippendorff_alpha",
    "logit_t_intervals",
    "overlap",
    "p_floor",
    "percentile_interval",
    "percentile_intervals",
    "percentile_intervals_repeated",
    "permutation_pvalues",
    "rwg",
    "rwg_j",
    "rwg_j_groups",
    "weighted_cosine",
    "welch_columns",
]
