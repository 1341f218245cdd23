"""Within-partner agreement and reliability, and what both partners see alike."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from scoring_service import stats
from scoring_service.answers import parse_responses
from scoring_service.scoring import score
from scoring_service.surveys import Survey


def test_null_variances_of_lebreton_and_senter() -> None:
    """LeBreton & Senter (2008), table 2, 5-point scale: uniform 2.00, slightly skewed 1.34;
    7-point uniform 4.00."""
    assert stats.null_variance(5) == 2.0
    assert stats.null_variance(5, "slightly_skewed") == pytest.approx(1.34)
    assert stats.null_variance(7) == 4.0
    with pytest.raises(ValueError, match="5-point"):
        stats.null_variance(7, "slightly_skewed")


def test_rwg_star_j_and_rwg_j_from_one_variance() -> None:
    """Items with variances 0.5 and 1.5 (mean 1) on 1-5: r*_wg(J) = 1 - 1/2 = 0.5 (Lindell et
    al. 1999, not stepped up); r_wg(J) = 2 (0.5) / (2 (0.5) + 0.5) = 2/3 (James et al. 1984)."""
    x = np.array([[3, 1], [4, 2], [3, 3], [4, 4]], dtype=float)
    assert np.var(x, axis=0, ddof=1).tolist() == pytest.approx([1 / 3, 5 / 3])
    v = stats.mean_item_variance(x)
    assert v == pytest.approx(1.0)
    assert stats.rwg_star_j(x, 5) == pytest.approx(0.5)
    assert stats.rwg_j_from_variance(v, 2, 2.0) == pytest.approx(2 / 3)
    assert stats.rwg_j(x, 5) == pytest.approx(2 / 3)  # the existing function agrees
    # Split between 1 and 5: r*_wg(J) reaches -1, r_wg(J) is truncated at 0.
    split = np.array([[1.0], [5.0], [1.0], [5.0]])
    assert stats.rwg_star_j(split, 5) < -1 and stats.rwg_j(split, 5) == 0.0


def test_rwg_j_pvalue_is_a_simulated_tail() -> None:
    # Full agreement is beyond any random group; zero agreement is what random groups reach.
    assert stats.rwg_j_pvalue(1.0, 8, 4, 5) < 0.001
    assert stats.rwg_j_pvalue(0.0, 8, 4, 5) == 1.0
    # The same design gives the same p (a fixed seed per design), and more raters need less.
    assert stats.rwg_j_pvalue(0.8, 8, 4, 5) == stats.rwg_j_pvalue(0.8, 8, 4, 5)
    assert stats.rwg_j_pvalue(0.8, 20, 4, 5) < stats.rwg_j_pvalue(0.8, 4, 4, 5)


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, (6, 3), elements=st.integers(1, 5).map(float)))
def test_cronbach_alpha_is_the_covariance_formula(x: np.ndarray) -> None:
    """alpha = J / (J - 1) (1 - trace(C) / sum(C)), C the item covariance matrix."""
    c = np.cov(x, rowvar=False)
    if c.sum() <= 1e-12:
        with pytest.raises(stats.DegenerateInputError):
            stats.cronbach_alpha(x)
        return
    expected = 3 / 2 * (1 - np.trace(c) / c.sum())
    assert stats.cronbach_alpha(x) == pytest.approx(expected)


def _likert(survey: Survey, value: Any) -> dict[str, int]:
    """Every Likert item answered so that its SCORED value is ``value(item)``."""
    out = {}
    for item in survey.items_of("likert"):
        scored = value(item)
        out[item.id] = 6 - scored if item.reverse else scored
    return out


def test_krippendorff_alpha_uses_scored_answers(default_survey: Survey) -> None:
    """Two respondents who agree on every scored answer agree perfectly (alpha 1), although
    their raw answers to the reversed items (gv2, tr3) are the opposite of their other ones."""
    rows = [
        {
            "partner": "acme",
            "role": "legal",
            "respondent": f"a{k}",
            "answers": _likert(default_survey, lambda i: 1 + (hash(i.id) % 5)),
        }
        for k in range(2)
    ]
    assert any(i.reverse for i in default_survey.items_of("likert"))
    rows.append({"partner": "globex", "role": "it", "respondent": "g", "answers": {}})
    doc = score(default_survey, parse_responses(rows, default_survey))
    assert doc["consensus"]["acme"]["krippendorff_alpha"] == pytest.approx(1.0)


def test_both_partners_low_on_trust_is_a_shared_concern(default_survey: Survey) -> None:
    """Both partners rate trust 1-2 of 5, everything else 2-4: no gap, but a shared concern;
    and both rate commitment 5: a strength."""
    rows = []
    for partner in ("acme", "globex"):
        for k in range(6):

            def value(item: Any, k: int = k) -> int:
                if item.id.startswith("tr"):
                    return 1 + k % 2
                if item.id.startswith("cm"):
                    return 5 - (k % 3 == 0)
                return 2 + (k + len(item.id)) % 3  # 2, 3, 4: the midpoint on average

            rows.append(
                {
                    "partner": partner,
                    "role": "legal",
                    "respondent": f"{partner}{k}",
                    "answers": _likert(default_survey, value),
                }
            )
    doc = score(default_survey, parse_responses(rows, default_survey))
    concerns = [f for f in doc["conflicts"] if f["kind"] == "shared_concern"]
    assert [f["dimensions"] for f in concerns] == [["trust"]]
    flag = concerns[0]
    assert flag["partners"] == ["acme", "globex"] and flag["basis"] == "inferential"
    assert flag["evidence"]["means"] == {"acme": 1.5, "globex": 1.5}
    assert all(u < 3 for u in flag["evidence"]["upper_bounds"].values())
    assert "Trust" in flag["message"] or "trust" in flag["message"]
    assert not [f for f in doc["conflicts"] if f["kind"] == "expectation_gap"]
    assert [s["dimension"] for s in doc["strengths"]] == ["commitment"]
    assert doc["strengths"][0]["means"]["acme"] == pytest.approx(4 + 2 / 3)


def test_reliability_and_agreement_figures(default_survey: Survey) -> None:
    rng = np.random.default_rng(2)
    from scoring_service.simulation import realistic as G

    doc = score(default_survey, G.assessment(default_survey, rng, 8, 3, G.N3))
    acme, globex = doc["consensus"]["acme"], doc["consensus"]["globex"]
    for key in ("rwg_j", "rwg_j_skewed", "rwg_star_j", "rwg_j_p", "reliability"):
        assert set(acme[key]) == {d.id for d in default_survey.dimensions}
    assert all(v is not None for v in acme["reliability"].values())
    assert all(v is None for v in globex["reliability"].values())  # 3 respondents: below 5
    assert globex["reasons"]["reliability.trust"] == "n_below_minimum"
    # Against a null with less variance the same answers show less agreement.
    assert all(acme["rwg_j_skewed"][d] <= acme["rwg_j"][d] + 1e-12 for d in acme["rwg_j"])
    assert set(acme["weakly_supported"]) == {
        d for d, p in acme["rwg_j_p"].items() if p is not None and p > 0.05
    }


def test_a_unanimous_low_rating_is_a_shared_concern(default_survey: Survey) -> None:
    """Everyone rates trust 1 (no variance, so no t bound): the sign test decides, 0.5^6 on
    each side; everything else varies around the midpoint."""
    rows = [
        {
            "partner": partner,
            "role": "legal",
            "respondent": f"{partner}{k}",
            "answers": _likert(
                default_survey,
                lambda item, k=k: 1 if item.id.startswith("tr") else 2 + (k + len(item.id)) % 3,
            ),
        }
        for partner in ("acme", "globex")
        for k in range(6)
    ]
    doc = score(default_survey, parse_responses(rows, default_survey))
    concerns = [f for f in doc["conflicts"] if f["kind"] == "shared_concern"]
    assert [f["dimensions"] for f in concerns] == [["trust"]]
    assert concerns[0]["evidence"]["upper_bounds"] == {"acme": 1.0, "globex": 1.0}
    assert json.dumps(doc, allow_nan=False)
    # Four a side (0.5^4 = 0.0625 > 0.05): no decision.
    few = [r for r in rows if int(r["respondent"][-1]) < 4]
    assert not [
        f
        for f in score(default_survey, parse_responses(few, default_survey))["conflicts"]
        if f["kind"] == "shared_concern"
    ]


def test_role_means_with_a_constant_side_is_valid_json(mini: Survey) -> None:
    """Review repro: under role_means, one partner without any within-role variance made the
    stratified test's degrees of freedom 0/0 (NaN in the document, a 500)."""
    from dataclasses import replace

    from .helpers import mini_response

    survey = replace(mini, scoring=replace(mini.scoring, profile="role_means"))
    rows = [mini_response("acme", f"a{k}", ("it", "legal")[k % 2]) for k in range(4)]
    rows += [
        mini_response("globex", f"g{k}", ("it", "legal")[k % 2], t1=1 + k, g1=5 - k)
        for k in range(4)
    ]
    doc = score(survey, parse_responses(rows, survey))
    text = json.dumps(doc, allow_nan=False)
    assert "NaN" not in text
    trust = doc["dimensions"][0]
    assert trust["p_value"] is not None and trust["gap_ci"] is not None
    expectations = doc["alignment"]["components"]["expectations"]
    assert expectations["mean_gap_ci"] is None or all(np.isfinite(expectations["mean_gap_ci"]))


def test_expectations_band_reason_is_the_gaps_reason(mini: Survey) -> None:
    """A dimension both partners answer identically has no test (no_variation): the band says
    so, not n_below_minimum."""
    from .helpers import mini_response

    rows = [mini_response(p, f"{p}{k}", t1=1 + k % 5) for p in ("acme", "globex") for k in range(6)]
    doc = score(mini, parse_responses(rows, mini))
    assert doc["dimensions"][1]["reasons"]["p_value"] == "no_variation"
    reasons = doc["alignment"]["components"]["expectations"]["reasons"]
    assert reasons["band"] == "no_variation"
