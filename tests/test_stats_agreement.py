"""Agreement statistics against published worked examples, independent re-derivations and
properties (``scoring_service.stats.agreement``)."""

from __future__ import annotations

import itertools
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import stats as sps

from scoring_service.stats import (
    DegenerateInputError,
    icc,
    kendall_w,
    krippendorff_alpha,
    rwg,
    rwg_j,
    rwg_j_groups,
)
from scoring_service.stats.icc import _mean_squares

NAN = np.nan

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", section C: 4 observers
# (rows A-D) x 12 units, with missing values (None).
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]

# Shrout & Fleiss (1979), Table 2: 6 targets (rows) x 4 judges (columns).
SHROUT_FLEISS = np.array(
    [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]],
    dtype=float,
)

likert_matrix = hnp.arrays(
    np.float64,
    st.tuples(st.integers(2, 5), st.integers(2, 7)),
    elements=st.integers(1, 5).map(float),
)


def reason_of(excinfo: pytest.ExceptionInfo[DegenerateInputError]) -> str:
    return excinfo.value.reason


# --------------------------------------------------------------------------- errors


def test_degenerate_error_is_value_error_with_reason_and_pickles() -> None:
    err = DegenerateInputError("all_tied", "every rank is tied")
    assert isinstance(err, ValueError)
    clone = pickle.loads(pickle.dumps(err))
    assert (clone.reason, str(clone)) == ("all_tied", "every rank is tied")


def test_degenerate_error_rejects_unknown_reason() -> None:
    with pytest.raises(ValueError, match="reason must be one of"):
        DegenerateInputError("oops", "message")


# --------------------------------------------------------------------------- Krippendorff


def _alpha_by_hand(data: list[list[float | None]], level: str) -> float:
    """Independent coincidence-matrix implementation, written from Krippendorff (2011)."""
    x = np.array(data, dtype=float)
    values = np.unique(x[~np.isnan(x)])
    index = {v: i for i, v in enumerate(values)}
    o = np.zeros((values.size, values.size))
    for unit in x.T:
        coded = unit[~np.isnan(unit)]
        if coded.size < 2:
            continue
        for i, j in itertools.permutations(range(coded.size), 2):
            o[index[coded[i]], index[coded[j]]] += 1 / (coded.size - 1)
    n_c = o.sum(axis=1)
    n = n_c.sum()

    def delta2(c: int, k: int) -> float:
        vc, vk = values[c], values[k]
        if level == "nominal":
            return float(vc != vk)
        if level == "interval":
            return float((vc - vk) ** 2)
        if level == "ratio":
            return float(((vc - vk) / (vc + vk)) ** 2)
        lo, hi = min(c, k), max(c, k)  # ordinal
        return float((n_c[lo : hi + 1].sum() - (n_c[c] + n_c[k]) / 2) ** 2)

    d = np.array([[delta2(c, k) for k in range(values.size)] for c in range(values.size)])
    observed = (o * d).sum() / n
    expected = (np.outer(n_c, n_c) * d).sum() / (n * (n - 1))
    return float(1 - observed / expected)


@pytest.mark.parametrize(
    ("level", "published"),
    [
        # Krippendorff (2011), section C: alpha_nominal = 0.743, alpha_ordinal = 0.815,
        # alpha_interval = 0.849, alpha_ratio = 0.797.
        ("nominal", 0.743),
        ("ordinal", 0.815),
        ("interval", 0.849),
        ("ratio", 0.797),
    ],
)
def test_alpha_krippendorff_2011_example(level: str, published: float) -> None:
    ours = krippendorff_alpha(KRIPPENDORFF_2011, level)
    assert ours == pytest.approx(published, abs=5e-4)
    # Self-check against the coincidence-matrix formula written out by hand above.
    assert ours == pytest.approx(_alpha_by_hand(KRIPPENDORFF_2011, level), abs=1e-12)


def test_alpha_missing_policy_none_equals_nan_and_unpairable_units_do_not_count() -> None:
    as_nan = [[NAN if v is None else v for v in row] for row in KRIPPENDORFF_2011]
    assert krippendorff_alpha(as_nan, "ordinal") == krippendorff_alpha(KRIPPENDORFF_2011, "ordinal")
    # Unit 12 has a single value: dropping it, or adding a rater who coded nothing,
    # leaves alpha unchanged.
    dropped = [row[:11] for row in KRIPPENDORFF_2011]
    empty_rater = [*KRIPPENDORFF_2011, [None] * 12]
    for level in ("nominal", "ordinal", "interval", "ratio"):
        reference = krippendorff_alpha(KRIPPENDORFF_2011, level)
        assert krippendorff_alpha(dropped, level) == pytest.approx(reference, abs=1e-12)
        assert krippendorff_alpha(empty_rater, level) == pytest.approx(reference, abs=1e-12)


def test_alpha_perfect_agreement_is_one() -> None:
    assert krippendorff_alpha([[1, 2, 3, None], [1, 2, 3, 3]], "interval") == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ([[1, 2, 3]], "nothing_pairable"),
        ([[1, None, 3], [None, 2, None]], "nothing_pairable"),
        ([[2, 2, 5], [2, 2, None]], "no_variation"),  # the 5 is unpairable
    ],
)
def test_alpha_degenerate(data: list[list[float | None]], reason: str) -> None:
    with pytest.raises(DegenerateInputError) as excinfo:
        krippendorff_alpha(data)
    assert reason_of(excinfo) == reason


def test_alpha_argument_errors() -> None:
    with pytest.raises(ValueError, match="level"):
        krippendorff_alpha(KRIPPENDORFF_2011, "circular")
    with pytest.raises(ValueError, match="data must be 2-dimensional"):
        krippendorff_alpha([1, 2, 3])
    with pytest.raises(ValueError, match="non-negative"):
        krippendorff_alpha([[-1, 2], [1, 2]], "ratio")
    with pytest.raises(TypeError, match="data must be numeric"):
        krippendorff_alpha([["a", "b"], ["a", "c"]], "nominal")
    with pytest.raises(ValueError, match="infinite"):
        krippendorff_alpha([[1, np.inf], [1, 2]])
    with pytest.raises(ValueError, match="data must be a rectangular array"):
        krippendorff_alpha([[1, 2], [1]])


likert_with_missing = hnp.arrays(
    np.float64,
    st.tuples(st.integers(1, 5), st.integers(1, 7)),
    elements=st.one_of(st.integers(1, 5).map(float), st.just(NAN)),
)


@settings(max_examples=60, deadline=None)
@given(likert_with_missing)
def test_alpha_properties(data: np.ndarray) -> None:
    try:
        alpha = krippendorff_alpha(data, "interval")
    except DegenerateInputError as exc:
        assert exc.reason in {"no_variation", "nothing_pairable"}
        return
    assert alpha <= 1 + 1e-12
    rows = np.random.default_rng(0).permutation(data.shape[0])
    cols = np.random.default_rng(1).permutation(data.shape[1])
    assert krippendorff_alpha(data[rows][:, cols], "interval") == pytest.approx(alpha, abs=1e-12)


# --------------------------------------------------------------------------- ICC


@pytest.mark.parametrize(
    ("form", "published"),
    [
        # Shrout & Fleiss (1979), Table 4 (estimates for the Table 2 data):
        ("1,1", 0.17),  # ICC(1,1) = 0.17
        ("A,1", 0.29),  # ICC(2,1) = 0.29
        ("C,1", 0.71),  # ICC(3,1) = 0.71
        ("1,k", 0.44),  # ICC(1,4) = 0.44
        ("A,k", 0.62),  # ICC(2,4) = 0.62
        ("C,k", 0.91),  # ICC(3,4) = 0.91
    ],
)
def test_icc_shrout_fleiss_estimates(form: str, published: float) -> None:
    assert icc(SHROUT_FLEISS, form).statistic == pytest.approx(published, abs=5e-3)


def test_icc_shrout_fleiss_mean_squares() -> None:
    # Shrout & Fleiss (1979), Table 3: BMS = 11.24, WMS = 6.26, JMS = 32.49, EMS = 1.02.
    ms = _mean_squares(SHROUT_FLEISS)
    assert (ms.rows, ms.within, ms.cols, ms.error) == pytest.approx(
        (11.24, 6.26, 32.49, 1.02), abs=5e-3
    )


@pytest.mark.parametrize(
    ("form", "f", "df2", "pvalue", "ci"),
    [
        # R, psych::ICC(sf) on the same data (the example of the psych documentation), printed:
        #   type   ICC    F df1 df2       p lower bound upper bound
        #   ICC1  0.17  1.8   5  18 0.16477      -0.133        0.72
        #   ICC2  0.29 11.0   5  15 0.00013       0.019        0.76
        #   ICC3  0.71 11.0   5  15 0.00013       0.342        0.95
        #   ICC1k 0.44  1.8   5  18 0.16477      -0.884        0.91
        #   ICC2k 0.62 11.0   5  15 0.00013       0.071        0.93
        #   ICC3k 0.91 11.0   5  15 0.00013       0.676        0.99
        # (bounds to 3 decimals: 0.723, 0.761, 0.946, 0.912, 0.927, 0.986)
        ("1,1", 1.795, 18, 0.16477, (-0.133, 0.723)),
        ("A,1", 11.027, 15, 0.00013, (0.019, 0.761)),
        ("C,1", 11.027, 15, 0.00013, (0.342, 0.946)),
        ("1,k", 1.795, 18, 0.16477, (-0.884, 0.912)),
        ("A,k", 11.027, 15, 0.00013, (0.071, 0.927)),
        ("C,k", 11.027, 15, 0.00013, (0.676, 0.986)),
    ],
)
def test_icc_f_test_and_interval_match_r_psych(
    form: str, f: float, df2: int, pvalue: float, ci: tuple[float, float]
) -> None:
    result = icc(SHROUT_FLEISS, form)
    assert result.form == form
    assert result.f == pytest.approx(f, abs=5e-4)
    assert (result.df1, result.df2) == (5.0, float(df2))
    assert result.pvalue == pytest.approx(pvalue, abs=5e-6)
    assert result.ci == pytest.approx(ci, abs=5e-4)
    assert result.ci[0] < result.statistic < result.ci[1]


def test_icc_self_checks_spearman_brown_and_cronbach() -> None:
    k = SHROUT_FLEISS.shape[1]
    for single, average in (("1,1", "1,k"), ("A,1", "A,k"), ("C,1", "C,k")):
        r1 = icc(SHROUT_FLEISS, single).statistic
        assert icc(SHROUT_FLEISS, average).statistic == pytest.approx(k * r1 / (1 + (k - 1) * r1))
    # ICC(C,k) is Cronbach's alpha with the judges as items.
    item_var = SHROUT_FLEISS.var(axis=0, ddof=1).sum()
    total_var = SHROUT_FLEISS.sum(axis=1).var(ddof=1)
    cronbach = k / (k - 1) * (1 - item_var / total_var)
    assert icc(SHROUT_FLEISS, "C,k").statistic == pytest.approx(cronbach)


def test_icc_confidence_level_widens_interval() -> None:
    narrow = icc(SHROUT_FLEISS, "A,1", confidence=0.5).ci
    wide = icc(SHROUT_FLEISS, "A,1", confidence=0.99).ci
    assert wide[0] < narrow[0] < narrow[1] < wide[1]


def test_icc_perfect_agreement_and_perfect_consistency() -> None:
    perfect = np.repeat([[1.0], [3.0], [4.0]], 3, axis=1)
    for form in ("1,1", "A,1", "C,1", "1,k", "A,k", "C,k"):
        result = icc(perfect, form)
        assert (result.statistic, result.ci, result.pvalue) == (1.0, (1.0, 1.0), 0.0)
    shifted = perfect + np.array([0.0, 1.0, 2.0])  # every rater adds their own offset
    assert icc(shifted, "C,1").statistic == 1.0
    absolute = icc(shifted, "A,1")
    assert 0 < absolute.ci[0] < absolute.statistic < absolute.ci[1] < 1


@pytest.mark.parametrize(
    ("data", "form", "reason"),
    [
        ([[1.0, 2.0]], "A,1", "n_below_minimum"),
        ([[1.0], [2.0]], "A,1", "n_below_minimum"),
        ([[3.0, 3.0], [3.0, 3.0]], "1,1", "no_variation"),
        ([[1.0, 2.0], [1.0, 2.0]], "C,1", "no_variation"),  # raters differ, targets do not
        ([[1.0, 2.0], [1.0, 2.0]], "A,1", "no_variation"),
    ],
)
def test_icc_degenerate(data: list[list[float]], form: str, reason: str) -> None:
    with pytest.raises(DegenerateInputError) as excinfo:
        icc(data, form)
    assert reason_of(excinfo) == reason


def test_icc_argument_errors() -> None:
    with pytest.raises(ValueError, match="form"):
        icc(SHROUT_FLEISS, "2,1")
    with pytest.raises(ValueError, match="missing"):
        icc([[1.0, NAN], [2.0, 3.0]])
    with pytest.raises(ValueError, match="confidence"):
        icc(SHROUT_FLEISS, confidence=1.0)


@settings(max_examples=40, deadline=None)
@given(likert_matrix)
def test_icc_properties(data: np.ndarray) -> None:
    for form in ("1,1", "A,1", "C,1"):
        try:
            result = icc(data, form)
        except DegenerateInputError:
            continue
        k = data.shape[1]
        assert result.statistic <= 1 + 1e-9
        if form != "A,1":  # ICC(A,1) has no fixed lower bound (MSC may be below MSE)
            assert result.statistic >= -1 / (k - 1) - 1e-9
        assert result.ci[0] <= result.ci[1]
        assert 0 <= result.pvalue <= 1
        flipped = icc(data[::-1, ::-1], form)
        assert flipped.statistic == pytest.approx(result.statistic, abs=1e-9)
        if form == "C,1":  # consistency ignores a constant added to one rater
            moved = data.copy()
            moved[:, 0] += 2.5
            assert icc(moved, form).statistic == pytest.approx(result.statistic, abs=1e-9)


# --------------------------------------------------------------------------- r_wg


def test_rwg_uniform_null_variance() -> None:
    # James, Demaree & Wolf (1984); LeBreton & Senter (2008): sigma_EU^2 = (A^2 - 1)/12,
    # i.e. 2.00 for a 5-point and 4.00 for a 7-point scale. Two ratings 1 and 2 have
    # s^2 = 0.5, so r_wg = 1 - 0.5/2 = 0.75 and 1 - 0.5/4 = 0.875.
    assert rwg([1, 2], options=5) == pytest.approx(0.75)
    assert rwg([1, 2], options=7) == pytest.approx(0.875)


def test_rwg_hand_computed() -> None:
    # No published r_wg table was at hand; worked by hand from the formula:
    # ratings 4, 5, 4, 4, 3 on 5 points: mean 4, squared deviations 0+1+0+0+1 = 2,
    # s^2 = 2/4 = 0.5, sigma_EU^2 = (25 - 1)/12 = 2, r_wg = 1 - 0.5/2 = 0.75.
    assert rwg([4, 5, 4, 4, 3], 5) == pytest.approx(0.75)
    # 4, 4, 5, 5 on 7 points: mean 4.5, SS = 4 * 0.25 = 1, s^2 = 1/3, sigma^2 = 48/12 = 4,
    # r_wg = 1 - (1/3)/4 = 11/12.
    assert rwg([4, 4, 5, 5], 7) == pytest.approx(11 / 12)
    # 1, 5 on 5 points: s^2 = 8 >= 2, truncated to 0 (LeBreton & Senter 2008).
    assert rwg([1, 5], 5) == 0.0


def test_rwg_omits_missing() -> None:
    assert rwg([4, None, 5, NAN, 4, 4, 3], 5) == rwg([4, 5, 4, 4, 3], 5)


def test_rwg_errors() -> None:
    with pytest.raises(DegenerateInputError) as excinfo:
        rwg([3, NAN], 5)
    assert reason_of(excinfo) == "n_below_minimum"
    with pytest.raises(ValueError, match="options"):
        rwg([1, 2], 1)
    with pytest.raises(TypeError, match="options"):
        rwg([1, 2], 4.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="options"):
        rwg([1, 2], True)
    with pytest.raises(ValueError, match="ratings must be 1-dimensional"):
        rwg([[1, 2]], 5)


def test_rwg_j_hand_computed() -> None:
    # Worked by hand (no published table at hand): 5 respondents x 3 items, 5-point scale.
    #   item 1: 4 5 4 4 3  -> s^2 = 2/4 = 0.5
    #   item 2: 2 3 4 3 3  -> mean 3, SS = 1 + 0 + 1 + 0 + 0 = 2, s^2 = 0.5
    #   item 3: 5 5 4 5 5  -> mean 4.8, SS = 4 * 0.04 + 0.64 = 0.8, s^2 = 0.2
    # mean s^2 = 1.2/3 = 0.4, ratio = 0.4/2 = 0.2, J = 3:
    # r_wg(J) = 3 * 0.8 / (3 * 0.8 + 0.2) = 2.4/2.6 = 12/13.
    table = np.array([[4, 2, 5], [5, 3, 5], [4, 4, 4], [4, 3, 5], [3, 3, 5]], dtype=float)
    assert rwg_j(table, 5) == pytest.approx(12 / 13)


def test_rwg_j_is_spearman_brown_of_rwg() -> None:
    # James et al. (1984): r_wg(J) is the Spearman-Brown formula applied to r_wg.
    item = np.array([4, 5, 4, 4, 3], dtype=float)
    single = rwg(item, 5)
    assert rwg_j(item[:, None], 5) == pytest.approx(single)
    for j in (2, 5, 10):
        expected = j * single / (1 + (j - 1) * single)
        assert rwg_j(np.tile(item[:, None], (1, j)), 5) == pytest.approx(expected)


def test_rwg_j_missing_and_truncation() -> None:
    table = np.array([[4, 2, 1], [5, 3, NAN], [4, 4, NAN], [4, 3, NAN], [3, 3, NAN]])
    # The third item has a single rating: it is dropped.
    assert rwg_j(table, 5) == pytest.approx(rwg_j(table[:, :2], 5))
    assert rwg_j([[1, 5], [5, 1], [1, 5], [5, 1]], 5) == 0.0  # mean s^2 >= sigma_EU^2
    with pytest.raises(DegenerateInputError) as excinfo:
        rwg_j([[1, NAN], [NAN, 2]], 5)
    assert reason_of(excinfo) == "n_below_minimum"


@settings(max_examples=60, deadline=None)
@given(likert_matrix)
def test_rwg_properties(data: np.ndarray) -> None:
    value = rwg_j(data, 5)
    assert 0.0 <= value <= 1.0
    assert rwg_j(data[::-1, ::-1], 5) == pytest.approx(value, abs=1e-12)
    assert rwg_j(data + 1.0, 6) == pytest.approx(rwg_j(data, 6), abs=1e-12)  # shift-invariant
    column = rwg(data[:, 0], 5)
    assert 0.0 <= column <= 1.0


# --------------------------------------------------------------------------- Kendall's W


def test_kendall_w_siegel_1956_example() -> None:
    # Siegel (1956), Nonparametric Statistics for the Behavioral Sciences, ch. 9: three
    # executives rank six applicants; R_j = 8, 14, 11, 11, 11, 8, s = 25.5, W = 0.16.
    ranks = [[1, 6, 3, 2, 5, 4], [1, 5, 6, 4, 2, 3], [6, 3, 2, 5, 4, 1]]
    assert kendall_w(ranks) == pytest.approx(0.16, abs=5e-3)
    assert kendall_w(ranks) == pytest.approx(12 * 25.5 / (3**2 * (6**3 - 6)))


def test_kendall_w_ties_hand_computed_and_friedman() -> None:
    # Worked by hand: 3 raters x 4 objects with ties.
    #   rater 1 scores 1 2 3 4 -> ranks 1 2 3 4
    #   rater 2 scores 1 2 2 4 -> ranks 1 2.5 2.5 4    (one tie of 2: t^3 - t = 6)
    #   rater 3 scores 2 1 3 3 -> ranks 2 1 3.5 3.5    (one tie of 2: t^3 - t = 6)
    # R_j = 4, 5.5, 9, 11.5; mean m(n+1)/2 = 7.5; S = 12.25 + 4 + 2.25 + 16 = 34.5; T = 12.
    # W = 12 * 34.5 / (9 * 60 - 3 * 12) = 414/504 = 23/28; uncorrected 414/540 = 23/30.
    scores = np.array([[1, 2, 3, 4], [1, 2, 2, 4], [2, 1, 3, 3]], dtype=float)
    assert kendall_w(scores) == pytest.approx(23 / 28)
    assert kendall_w(scores, correct_ties=False) == pytest.approx(23 / 30)
    # Friedman's tie-corrected chi-square (scipy) = m (n - 1) W.
    chi2 = sps.friedmanchisquare(*scores.T).statistic
    assert chi2 == pytest.approx(3 * (4 - 1) * kendall_w(scores))


@pytest.mark.parametrize(
    ("scores", "reason"),
    [
        ([[1, 2, 3]], "n_below_minimum"),
        ([[1], [2]], "n_below_minimum"),
        ([[2, 2, 2], [5, 5, 5]], "all_tied"),
    ],
)
def test_kendall_w_degenerate(scores: list[list[float]], reason: str) -> None:
    with pytest.raises(DegenerateInputError) as excinfo:
        kendall_w(scores)
    assert reason_of(excinfo) == reason


def test_kendall_w_uncorrected_all_tied_is_zero_and_errors() -> None:
    assert kendall_w([[2, 2, 2], [5, 5, 5]], correct_ties=False) == 0.0
    with pytest.raises(ValueError, match="missing"):
        kendall_w([[1, 2, NAN], [1, 2, 3]])
    with pytest.raises(TypeError, match="correct_ties"):
        kendall_w([[1, 2], [2, 1]], correct_ties="yes")  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(likert_matrix)
def test_kendall_w_properties(data: np.ndarray) -> None:
    try:
        w = kendall_w(data)
    except DegenerateInputError as exc:
        assert exc.reason == "all_tied"
        return
    assert 0.0 <= w <= 1.0
    assert kendall_w(data[::-1, ::-1]) == pytest.approx(w, abs=1e-12)
    assert kendall_w(np.exp(data)) == pytest.approx(w, abs=1e-12)  # only ranks matter
    if data.shape[1] >= 3:
        chi2 = sps.friedmanchisquare(*data.T).statistic
        assert chi2 == pytest.approx(data.shape[0] * (data.shape[1] - 1) * w, abs=1e-9)
    if np.ptp(data[0]) > 0:
        assert kendall_w(np.tile(data[:1], (3, 1))) == pytest.approx(1.0)


@settings(max_examples=50, deadline=None)
@given(
    hnp.arrays(
        np.float64,
        st.tuples(st.integers(1, 7), st.integers(1, 8)),
        elements=st.one_of(st.just(np.nan), st.integers(1, 5).map(float)),
    ),
    st.data(),
)
def test_rwg_j_groups_equals_rwg_j_per_group(ratings: np.ndarray, data: st.DataObject) -> None:
    """The one-pass version gives rwg_j of each group, and says where rwg_j would raise."""
    items = ratings.shape[1]
    groups = data.draw(
        st.lists(
            st.lists(st.integers(0, items - 1), min_size=1, max_size=4, unique=True),
            min_size=1,
            max_size=4,
        )
    )
    options = [5 if k % 2 else 7 for k in range(len(groups))]
    values, defined = rwg_j_groups(ratings, groups, options)
    for k, (columns, points) in enumerate(zip(groups, options, strict=True)):
        try:
            expected = rwg_j(ratings[:, columns], points)
        except DegenerateInputError:
            assert not defined[k]
            continue
        assert defined[k] and values[k] == pytest.approx(expected, abs=1e-12)


def test_icc_ak_bounds_that_cross_are_no_interval() -> None:
    """ICC(A,k) of 3 targets x 3 raters with rater variance above the residual's: the McGraw &
    Wong bounds cross (engine 1 sorted them into (0.96, 7.75), above 1); now too few targets."""
    with pytest.raises(DegenerateInputError) as info:
        icc([[4, 5, 4], [4, 3, 3], [5, 2, 5]], "A,k")
    assert info.value.reason == "n_below_minimum"


@settings(max_examples=200, deadline=None)
@given(st.integers(2, 5), st.integers(2, 3), st.integers(0, 2**32 - 1))
def test_icc_interval_is_ordered_and_at_most_one(n: int, k: int, seed: int) -> None:
    x = np.random.default_rng(seed).integers(1, 6, size=(n, k)).astype(float)
    for form in ("1,1", "1,k", "A,1", "A,k", "C,1", "C,k"):
        try:
            result = icc(x, form)
        except DegenerateInputError:
            continue
        low, high = result.ci
        assert low <= high <= 1 + 1e-9
