"""Benjamini-Hochberg against its published example and the step-up formula."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from scoring_service.stats import benjamini_hochberg

NAN = np.nan


def test_benjamini_hochberg_published_example() -> None:
    # Benjamini & Hochberg (1995), section 4 (Neuhaus et al. 1992 trial, 15 p-values): at
    # q = 0.05 the procedure rejects the 4 smallest (Bonferroni only 3).
    ps = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240,
          0.4262, 0.5719, 0.6528, 0.7590, 1.000]  # fmt: skip
    adjusted = benjamini_hochberg(ps)
    assert (adjusted <= 0.05).sum() == 4
    # Self-check with the step-up formula written out: min over j >= i of m p_(j) / j.
    m = len(ps)
    by_hand = np.minimum.accumulate((m * np.array(ps) / np.arange(1, m + 1))[::-1])[::-1]
    np.testing.assert_allclose(adjusted, np.minimum(by_hand, 1.0))


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(np.float64, st.integers(1, 20), elements=st.floats(0, 1)))
def test_benjamini_hochberg_properties(p: np.ndarray) -> None:
    q = benjamini_hochberg(p)
    assert q.shape == p.shape
    assert (q >= p - 1e-15).all() and (q <= 1).all()
    order = np.argsort(p, kind="stable")
    assert (np.diff(q[order]) >= -1e-15).all()


def test_benjamini_hochberg_empty_and_errors() -> None:
    assert benjamini_hochberg([]).shape == (0,)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        benjamini_hochberg([0.2, 1.2])
    with pytest.raises(ValueError, match="missing"):
        benjamini_hochberg([0.2, NAN])
