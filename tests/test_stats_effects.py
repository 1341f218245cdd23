"""Effect sizes and similarities against worked examples, scipy identities and properties
(``scoring_service.stats.effects``)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import stats as sps

from scoring_service.stats import (
    DegenerateInputError,
    cliffs_delta,
    cliffs_delta_columns,
    kendall_tau_b,
    overlap,
    weighted_cosine,
)

NAN = np.nan

likert = st.integers(1, 5).map(float)
sample = hnp.arrays(np.float64, st.integers(1, 12), elements=likert)
small = st.floats(-10, 10, allow_nan=False).map(lambda v: round(v, 3))


def vectors(k: int) -> st.SearchStrategy[np.ndarray]:
    return hnp.arrays(np.float64, k, elements=small)


# --------------------------------------------------------------------------- Cliff's delta


def test_cliffs_delta_hand_computed() -> None:
    # Worked by hand (Cliff 1993, eq. for d): x = 1, 2, 3 against y = 2, 2, 4.
    #   x=1: below 2, 2, 4          -> 0 greater, 3 smaller
    #   x=2: ties 2, 2; below 4      -> 0 greater, 1 smaller
    #   x=3: above 2, 2; below 4     -> 2 greater, 1 smaller
    # delta = (2 - 5) / 9 = -1/3.
    assert cliffs_delta([1, 2, 3], [2, 2, 4]) == pytest.approx(-1 / 3)
    assert cliffs_delta([5, 6], [1, 2, 3]) == 1.0


@settings(max_examples=100, deadline=None)
@given(sample, sample)
def test_cliffs_delta_mann_whitney_identity_and_properties(x: np.ndarray, y: np.ndarray) -> None:
    delta = cliffs_delta(x, y)
    u = sps.mannwhitneyu(x, y).statistic  # U of x, ties counted 1/2
    assert delta == pytest.approx(2 * u / (x.size * y.size) - 1, abs=1e-12)
    assert -1.0 <= delta <= 1.0
    assert cliffs_delta(y, x) == pytest.approx(-delta, abs=1e-12)
    assert cliffs_delta(np.exp(x), np.exp(y)) == pytest.approx(delta, abs=1e-12)
    assert cliffs_delta(x[::-1], y[::-1]) == pytest.approx(delta, abs=1e-12)


def test_cliffs_delta_omits_missing_and_raises_on_empty() -> None:
    assert cliffs_delta([1, None, 2, 3], [NAN, 2, 2, 4]) == cliffs_delta([1, 2, 3], [2, 2, 4])
    with pytest.raises(DegenerateInputError) as excinfo:
        cliffs_delta([NAN, None], [1, 2])
    assert excinfo.value.reason == "n_below_minimum"
    with pytest.raises(ValueError, match="x must be 1-dimensional"):
        cliffs_delta([[1, 2]], [1])


missing_likert = st.one_of(likert, st.just(NAN))


def two_samples(d: int) -> st.SearchStrategy[tuple[np.ndarray, np.ndarray]]:
    """(n_x, d) and (n_y, d) Likert samples with missing values."""
    shape = st.tuples(st.integers(1, 8), st.just(d))
    side = hnp.arrays(np.float64, shape, elements=missing_likert)
    return st.tuples(side, side)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 4).flatmap(two_samples))
def test_cliffs_delta_columns_equals_column_by_column(pair: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = pair
    delta, defined = cliffs_delta_columns(x, y)
    assert delta.shape == defined.shape == (x.shape[1],)
    for j in range(x.shape[1]):
        try:
            expected = cliffs_delta(x[:, j], y[:, j])
        except DegenerateInputError:
            assert not defined[j]
            assert delta[j] == 0.0
        else:
            assert defined[j]
            assert delta[j] == pytest.approx(expected, abs=1e-12)


def test_cliffs_delta_columns_shape_error() -> None:
    with pytest.raises(ValueError, match="same number of columns"):
        cliffs_delta_columns(np.zeros((3, 2)), np.zeros((3, 3)))


# --------------------------------------------------------------------------- weighted cosine


def test_weighted_cosine_identity_is_plain_cosine() -> None:
    # Hand example: a = (1, 2, 2), b = (2, 0, 1): a.b = 2 + 0 + 2 = 4, |a| = 3, |b| = sqrt(5),
    # cos = 4 / (3 sqrt(5)) = 0.596285...
    assert weighted_cosine([1, 2, 2], [2, 0, 1], np.eye(3)) == pytest.approx(4 / (3 * np.sqrt(5)))


def test_weighted_cosine_soft_example() -> None:
    # Soft cosine (Sidorov et al. 2014): two orthogonal features with similarity 0.5.
    # a'Rb = 0.5, a'Ra = b'Rb = 1, so C = 0.5 (the plain cosine would be 0).
    r = np.array([[1.0, 0.5], [0.5, 1.0]])
    assert weighted_cosine([1, 0], [0, 1], r) == pytest.approx(0.5)
    # a = (1, 1), b = (1, 0): a'Rb = 1.5, a'Ra = 3, b'Rb = 1, C = 1.5 / sqrt(3) = sqrt(3)/2.
    assert weighted_cosine([1, 1], [1, 0], r) == pytest.approx(np.sqrt(3) / 2)


def _random_pd(rng: np.random.Generator, k: int) -> np.ndarray:
    m = rng.normal(size=(k, k))
    return m @ m.T + k * np.eye(k)


@settings(max_examples=60, deadline=None)
@given(vectors(4), vectors(4), st.integers(0, 2**32 - 1), st.floats(0.01, 100))
def test_weighted_cosine_properties(a: np.ndarray, b: np.ndarray, seed: int, c: float) -> None:
    assume(np.abs(a).sum() > 1e-3 and np.abs(b).sum() > 1e-3)
    r = _random_pd(np.random.default_rng(seed), 4)
    value = weighted_cosine(a, b, r)
    assert isinstance(value, float)
    assert -1.0 <= value <= 1.0
    assert weighted_cosine(a, a, r) == pytest.approx(1.0, abs=1e-12)
    assert weighted_cosine(b, a, r) == pytest.approx(value, abs=1e-12)
    assert weighted_cosine(c * a, b, r) == pytest.approx(value, abs=1e-9)


def test_weighted_cosine_broadcasts_bootstrap_rows() -> None:
    rng = np.random.default_rng(7)
    r = _random_pd(rng, 3)
    rows_a, rows_b = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    batch = weighted_cosine(rows_a, rows_b, r)
    assert isinstance(batch, np.ndarray)
    assert batch.shape == (5,)
    expected = [weighted_cosine(u, v, r) for u, v in zip(rows_a, rows_b, strict=True)]
    np.testing.assert_allclose(batch, expected, rtol=0, atol=1e-12)
    against_one = weighted_cosine(rows_a, rows_b[0], r)
    np.testing.assert_allclose(against_one, [weighted_cosine(u, rows_b[0], r) for u in rows_a])


def test_weighted_cosine_errors() -> None:
    with pytest.raises(DegenerateInputError) as excinfo:
        weighted_cosine([0, 0], [1, 2], np.eye(2))
    assert excinfo.value.reason == "zero_self_term"
    with pytest.raises(DegenerateInputError):  # R not positive definite along (1, -1)
        weighted_cosine([1, -1], [1, 2], np.ones((2, 2)))
    with pytest.raises(ValueError, match="symmetric"):
        weighted_cosine([1, 2], [1, 2], [[1, 0.2], [0.3, 1]])
    with pytest.raises(ValueError, match="to match R"):
        weighted_cosine([1, 2, 3], [1, 2], np.eye(2))
    with pytest.raises(ValueError, match="broadcast"):
        weighted_cosine(np.ones((3, 2)), np.ones((4, 2)), np.eye(2))
    with pytest.raises(ValueError, match="missing"):
        weighted_cosine([1, NAN], [1, 2], np.eye(2))


# --------------------------------------------------------------------------- overlap


def test_overlap_hand_computed() -> None:
    # a = (2, 1, 1) -> p = (.5, .25, .25); b = (1, 1, 2) -> q = (.25, .25, .5);
    # TV = (.25 + 0 + .25) / 2 = .25, overlap = .75.
    assert overlap([2, 1, 1], [1, 1, 2]) == pytest.approx(0.75)
    assert overlap([1, 0], [0, 3]) == 0.0


positive_profile = hnp.arrays(np.float64, 5, elements=st.integers(0, 20).map(float)).filter(
    lambda v: v.sum() > 0
)


@settings(max_examples=100, deadline=None)
@given(positive_profile, positive_profile, st.floats(0.1, 10))
def test_overlap_properties(a: np.ndarray, b: np.ndarray, c: float) -> None:
    value = overlap(a, b)
    assert 0.0 <= value <= 1.0
    assert overlap(b, a) == pytest.approx(value, abs=1e-12)
    assert overlap(c * a, b) == pytest.approx(value, abs=1e-12)
    assert overlap(a, c * a) == pytest.approx(1.0, abs=1e-12)
    same = np.allclose(a / a.sum(), b / b.sum())
    assert (value > 1 - 1e-12) == same
    assert value == pytest.approx(np.minimum(a / a.sum(), b / b.sum()).sum(), abs=1e-12)


@pytest.mark.parametrize(
    ("a", "b", "message"),
    [
        ([1, -1], [1, 1], "a must be non-negative"),
        ([1, 1], [0, 0], "b must have a positive sum"),
        ([1, 1], [1, 1, 1], "same length"),
        ([1, NAN], [1, 1], "missing"),
    ],
)
def test_overlap_errors(a: list[float], b: list[float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        overlap(a, b)


# --------------------------------------------------------------------------- Kendall's tau-b


def test_kendall_tau_b_scipy_documentation_example() -> None:
    # scipy.stats.kendalltau documentation example: x1 = [12, 2, 1, 12, 2],
    # x2 = [1, 4, 7, 1, 0] -> statistic -0.47140452079103173.
    assert kendall_tau_b([12, 2, 1, 12, 2], [1, 4, 7, 1, 0]) == pytest.approx(
        -0.47140452079103173, abs=1e-15
    )


def test_kendall_tau_b_hand_computed() -> None:
    # a = 1 2 3 4, b = 1 3 2 4: 6 pairs, only (2, 3) discordant: (5 - 1) / 6 = 2/3.
    assert kendall_tau_b([1, 2, 3, 4], [1, 3, 2, 4]) == pytest.approx(2 / 3)
    # a = 1 2 2 3, b = 1 2 3 4: P = 5, Q = 0, one pair tied in a only:
    # tau_b = 5 / sqrt((5 + 1) * 5) = 5 / sqrt(30).
    assert kendall_tau_b([1, 2, 2, 3], [1, 2, 3, 4]) == pytest.approx(5 / np.sqrt(30))


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(np.float64, st.integers(2, 10), elements=likert), st.data())
def test_kendall_tau_b_properties(a: np.ndarray, data: st.DataObject) -> None:
    b = data.draw(hnp.arrays(np.float64, a.size, elements=likert))
    assume(np.ptp(a) > 0 and np.ptp(b) > 0)
    tau = kendall_tau_b(a, b)
    assert -1.0 <= tau <= 1.0
    assert kendall_tau_b(b, a) == pytest.approx(tau, abs=1e-12)
    assert kendall_tau_b(a, a) == pytest.approx(1.0)
    assert kendall_tau_b(a, -a) == pytest.approx(-1.0)


def test_kendall_tau_b_degenerate_and_errors() -> None:
    with pytest.raises(DegenerateInputError) as excinfo:
        kendall_tau_b([1], [2])
    assert excinfo.value.reason == "n_below_minimum"
    with pytest.raises(DegenerateInputError) as excinfo:
        kendall_tau_b([3, 3, 3], [1, 2, 3])
    assert excinfo.value.reason == "all_tied"
    with pytest.raises(ValueError, match="same length"):
        kendall_tau_b([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="missing"):
        kendall_tau_b([1, NAN, 3], [1, 2, 3])


def test_cliffs_delta_columns_large_groups_use_ranks_and_agree() -> None:
    """Above 4,096 pairs the rank route (2U/(n_x n_y) - 1) gives the pairwise count's value."""
    rng = np.random.default_rng(4)
    x = rng.integers(1, 6, size=(80, 3)).astype(float)
    y = rng.integers(1, 6, size=(90, 3)).astype(float)
    x[5, 0] = np.nan
    y[7, 2] = np.nan
    delta, defined = cliffs_delta_columns(x, y)
    assert defined.all()
    for j in range(3):
        assert delta[j] == pytest.approx(cliffs_delta(x[:, j], y[:, j]), abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 5), min_size=2, max_size=12).flatmap(
        lambda xs: st.tuples(
            st.just(xs), st.lists(st.integers(0, 5), min_size=len(xs), max_size=len(xs))
        )
    )
)
def test_kendall_tau_b_short_path_equals_scipy(pair: tuple[list[int], list[int]]) -> None:
    x, y = (np.array(v, dtype=float) for v in pair)
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return
    expected = sps.kendalltau(x, y, variant="b").statistic
    assert kendall_tau_b(x, y) == pytest.approx(expected, abs=1e-12)
