"""Pure statistics for alignment scoring, on numpy and scipy, with no web or database code.

Agreement among raters (Krippendorff's alpha, intraclass correlations, r_wg, r_wg(J),
Kendall's W), effect sizes and profile similarities (Cliff's delta, weighted cosine, overlap,
Kendall's tau-b), tests and intervals (Welch's t, the partially overlapping samples t, logit
t, the two-sample jackknife, permutation tests of group labels, Benjamini-Hochberg) and
within-group agreement and reliability. Every function checks its arguments and raises
``TypeError``/``ValueError`` naming the bad one; when the input is valid but the statistic is
undefined it raises :class:`DegenerateInputError`, whose ``reason`` code the scoring layer
reports, instead of returning ``NaN``.
"""

from .agreement import kendall_w, krippendorff_alpha, rwg, rwg_j, rwg_j_groups
from .consensus import (
    cronbach_alpha,
    mean_item_variance,
    null_variance,
    rwg_j_from_variance,
    rwg_j_pvalue,
    rwg_star_j,
)
from .effects import cliffs_delta, cliffs_delta_columns, kendall_tau_b, overlap, weighted_cosine
from .errors import DegenerateInputError
from .groups import GroupTestResult, group_permutation_test, p_floor
from .icc import IccResult, icc
from .multiplicity import benjamini_hochberg
from .overlapping import OverlapResult, overlap_t_columns
from .ttest import (
    WelchResult,
    jackknife_se,
    logit_t_intervals,
    mean_se_columns,
    stratified_welch_columns,
    welch_columns,
)

__all__ = [
    "DegenerateInputError",
    "GroupTestResult",
    "IccResult",
    "OverlapResult",
    "WelchResult",
    "benjamini_hochberg",
    "cliffs_delta",
    "cliffs_delta_columns",
    "cronbach_alpha",
    "group_permutation_test",
    "icc",
    "jackknife_se",
    "kendall_tau_b",
    "kendall_w",
    "krippendorff_alpha",
    "logit_t_intervals",
    "mean_item_variance",
    "mean_se_columns",
    "overlap_t_columns",
    "null_variance",
    "overlap",
    "p_floor",
    "rwg",
    "rwg_j",
    "rwg_j_from_variance",
    "rwg_j_groups",
    "rwg_j_pvalue",
    "rwg_star_j",
    "stratified_welch_columns",
    "weighted_cosine",
    "welch_columns",
]
