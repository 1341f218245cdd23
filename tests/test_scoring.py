"""The engine on small, hand-checked inputs; determinism; the shared bootstrap vs scipy."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from scipy import stats as sps

from scoring_service.responses import Response, parse_responses
from scoring_service.scoring import score
from scoring_service.scoring.prepare import bootstrap_counts
from scoring_service.surveys import Survey

from .conftest import mini_response
from .sim import as_responses, assessment


def run(survey: Survey, raws: list[dict[str, Any]], **kw: Any) -> dict[str, Any]:
    return score(survey, parse_responses(raws, survey), **kw)


def test_hand_checked_dimension_figures(mini: Survey) -> None:
    """acme answers trust items (4, 2r, 4) -> (4, 4, 4) = 4; globex (2, 4r, 2) -> 2."""
    raws = [mini_response("acme", f"a{k}", t1=4, t2=2, t3=4) for k in range(2)]
    raws += [mini_response("globex", f"g{k}", t1=2, t2=4, t3=2) for k in range(2)]
    trust = run(mini, raws)["dimensions"][0]
    assert trust["means"] == {"acme": 4.0, "globex": 2.0}
    assert trust["gap"] == -2.0 and trust["cliffs_delta"] == -1.0
    assert trust["agreement"] == 50.0  # 100 * (1 - 2 / 4)
    assert trust["items"]["t2"]["means"] == {"acme": 4.0, "globex": 2.0}  # reverse-scored
    assert trust["reasons"]["p_value"] == "n_below_minimum"


def test_half_rule_for_dimension_scores(mini: Survey) -> None:
    """A respondent with 1 of 3 items answered has no trust score; with 2 of 3 they have one."""
    raws = [
        mini_response("acme", "a1", t1=5, t2=None, t3=None),
        mini_response("acme", "a2", t1=1, t2=None, t3=1),
        mini_response("globex", "g1"),
    ]
    trust = run(mini, raws)["dimensions"][0]
    assert trust["n"] == {"acme": 1, "globex": 1}
    assert trust["means"]["acme"] == 1.0


def test_same_input_same_output_and_seed_from_content(mini: Survey) -> None:
    raws = [mini_response(p, f"{p}{k}", t1=1 + k) for p in ("acme", "globex") for k in range(5)]
    first, second = run(mini, raws), run(mini, raws)
    assert json.dumps(first) == json.dumps(second)
    renamed = [{**r, "respondent": "x" + r["respondent"]} for r in reversed(raws)]
    assert json.dumps(run(mini, renamed)) == json.dumps(first)
    changed = [*raws[:-1], mini_response("globex", "globex4", t1=2)]
    assert run(mini, changed)["method"]["seed"] != first["method"]["seed"]


def test_role_means_profile(mini: Survey) -> None:
    """Four IT people at (70, 10, 10, 10) and one lawyer at (10, 70, 10, 10)."""
    from dataclasses import replace

    survey = replace(mini, scoring=replace(mini.scoring, profile="role_means"))
    it = {"speed": 70, "risk": 10, "revenue": 10, "cost": 10}
    legal = {"speed": 10, "risk": 70, "revenue": 10, "cost": 10}
    raws = [mini_response("acme", f"i{k}", "it", priorities=it) for k in range(4)]
    raws += [mini_response("acme", "l", "legal", priorities=legal), mini_response("globex", "g")]
    by_role = run(survey, raws)["objectives"]["profiles"]["acme"]["weights"]
    assert by_role["speed"] == pytest.approx(0.40) and by_role["risk"] == pytest.approx(0.40)
    by_person = run(mini, raws)["objectives"]["profiles"]["acme"]["weights"]
    assert by_person["speed"] == pytest.approx(0.58) and by_person["risk"] == pytest.approx(0.22)


def test_internal_conflict_names_the_roles(mini: Survey) -> None:
    fast = {"speed": 50, "risk": 5, "revenue": 25, "cost": 20}
    careful = {"speed": 5, "risk": 50, "revenue": 25, "cost": 20}
    raws = [mini_response("acme", f"i{k}", "it", priorities=fast) for k in range(3)]
    raws += [mini_response("acme", f"l{k}", "legal", priorities=careful) for k in range(3)]
    raws += [mini_response("globex", "g")]
    result = run(mini, raws)
    internal = [f for f in result["conflicts"] if f["kind"] == "internal_conflict"]
    assert len(internal) == 1
    flag = internal[0]
    assert flag["partners"] == ["acme"] and flag["roles"] == ["it", "legal"]
    assert flag["basis"] == "effect_size" and flag["severity"] == "high"
    assert flag["evidence"]["lean"] == {"it": pytest.approx(0.45), "legal": pytest.approx(-0.45)}
    assert result["consensus"]["acme"]["internal_conflict"] is True
    assert result["consensus"]["globex"]["internal_conflict"] is False


def test_gap_interval_matches_scipy_bootstrap(default_survey: Survey) -> None:
    """The shared resampling matrix gives the same percentile interval as scipy.stats.bootstrap."""
    rng = np.random.default_rng(3)
    raws = assessment(default_survey, rng, 12, 12)
    result = score(default_survey, as_responses(raws), n_resamples=20_000)
    dim = result["dimensions"][0]
    items = default_survey.dimensions[0].items
    by = {
        p: [np.mean([r["answers"][i] for i in items]) for r in raws if r["partner"] == p]
        for p in ("acme", "globex")
    }
    assert not any(i.reverse for i in default_survey.items if i.id in items)
    ref = sps.bootstrap(
        (np.array(by["globex"]), np.array(by["acme"])),
        lambda x, y, axis: np.mean(x, axis=axis) - np.mean(y, axis=axis),
        method="percentile",
        n_resamples=20_000,
        vectorized=True,
        rng=np.random.default_rng(1),
    ).confidence_interval
    assert dim["gap"] == pytest.approx(np.mean(by["globex"]) - np.mean(by["acme"]))
    assert dim["gap_ci"] == pytest.approx([ref.low, ref.high], abs=0.03)


def test_bootstrap_counts_are_a_resampling_matrix() -> None:
    counts = bootstrap_counts(7, 1000, np.random.default_rng(0))
    assert counts.shape == (1000, 7) and (counts.sum(axis=1) == 7).all()
    # Each respondent is drawn 7 * (1/7) = 1 time per resample on average.
    assert counts.mean(axis=0) == pytest.approx(np.ones(7), abs=0.08)


def test_one_partner_without_any_likert_answer(mini: Survey) -> None:
    raws = [mini_response("acme", "a")]
    raws.append(
        {
            "partner": "globex",
            "role": "it",
            "respondent": "g",
            "answers": {"priorities": {"speed": 100}},
        }
    )
    result = run(mini, raws)
    trust = result["dimensions"][0]
    assert trust["gap"] is None and trust["reasons"]["gap"] == "no_data"
    assert result["alignment"]["components"]["expectations"]["value"] is None
    assert result["alignment"]["score"] == result["objectives"]["compatibility"]


def test_responses_may_be_built_directly(mini: Survey) -> None:
    """Notebooks and the CLI use the engine without HTTP: plain dataclasses in, dict out."""
    responses = [
        Response("a", "it", "1", {"t1": 5.0}, {"speed": 100.0}),
        Response("b", "it", "2", {"t1": 1.0}, {"risk": 100.0}),
    ]
    result = score(mini, responses, n_resamples=200)
    assert result["objectives"]["compatibility"] == pytest.approx(10.0)  # 50 * (1 - 0.8)
    assert result["conflicts"][0]["kind"] == "objective_conflict"


def test_role_means_ignore_respondents_without_an_allocation(mini: Survey) -> None:
    """A second IT person who skipped the allocation must not halve IT's weight."""
    from dataclasses import replace

    survey = replace(mini, scoring=replace(mini.scoring, profile="role_means"))
    raws = [
        mini_response("acme", "i1", "it", priorities={"speed": 100}),
        mini_response("acme", "l1", "legal", priorities={"risk": 100}),
        {**mini_response("acme", "i2", "it"), "answers": {"t1": 3}},
        mini_response("globex", "g"),
    ]
    weights = run(survey, raws)["objectives"]["profiles"]["acme"]["weights"]
    assert weights["speed"] == pytest.approx(0.5) and weights["risk"] == pytest.approx(0.5)


def test_alignment_interval_ignores_dimensions_nobody_answered(mini: Survey) -> None:
    """Governance unanswered by everyone: the index and its interval rest on trust alone."""
    raws = [
        mini_response(p, f"{p}{k}", t1=1 + (k % 5), g1=None, g2=None, g3=None)
        for p in ("acme", "globex")
        for k in range(5)
    ]
    result = run(mini, raws)
    assert result["dimensions"][1]["gap"] is None
    assert result["alignment"]["ci"] is not None, result["alignment"]["reasons"]


def test_shared_top_needs_points_and_tau_ignores_float_noise(mini: Survey) -> None:
    """Only objectives someone gave points to can be top; equal shares tie in tau-b although
    (10 + 30) / 200 and (20 + 20) / 200 differ in the last bit."""
    a = [mini_response("acme", "a1", priorities={"speed": 100})]
    b = [mini_response("globex", "g1", priorities={"risk": 100})]
    result = run(mini, a + b)
    assert result["objectives"]["shared_top"] == []
    assert result["objectives"]["overlap"] == 0.0
    noisy = [
        mini_response("acme", "a1", priorities={"speed": 10, "risk": 30, "revenue": 60}),
        mini_response("acme", "a2", priorities={"speed": 30, "risk": 10, "revenue": 60}),
        mini_response(
            "globex", "g1", priorities={"speed": 20, "risk": 20, "revenue": 50, "cost": 10}
        ),
    ]
    tau = run(mini, noisy)["objectives"]["kendall_tau_b"]
    # acme (.2, .2, .6, 0) v globex (.2, .2, .5, .1): the same ranking on integer points.
    from scipy import stats as sps

    exact = sps.kendalltau([2, 2, 6, 0], [2, 2, 5, 1]).statistic
    assert tau == pytest.approx(exact)


def test_objective_conflict_basis_follows_the_sample(mini: Survey) -> None:
    fast = {"speed": 60, "risk": 10, "revenue": 20, "cost": 10}
    careful = {"speed": 10, "risk": 60, "revenue": 20, "cost": 10}
    for n, basis in ((3, "descriptive"), (5, "effect_size")):
        raws = [mini_response("acme", f"a{k}", priorities=fast) for k in range(n)]
        raws += [mini_response("globex", f"g{k}", priorities=careful) for k in range(n)]
        flag = run(mini, raws)["conflicts"][0]
        assert (flag["kind"], flag["basis"], flag["severity"]) == (
            "objective_conflict",
            basis,
            "high",
        )


def test_method_says_which_test_ran(mini: Survey) -> None:
    raws = [mini_response(p, f"{p}{k}", t1=1 + k % 5) for p in ("acme", "globex") for k in range(6)]
    assert run(mini, raws)["method"]["tests_run"] == {"dimensions": "exact", "objectives": "exact"}
    assert run(mini, raws[:4] + raws[6:10])["method"]["tests_run"] == {}


def test_internal_conflict_on_dimensions(default_survey: Survey) -> None:
    """Legal answers 1 everywhere, IT 5 everywhere, the business owner 3: Legal v IT is the pair
    four points apart on every dimension (reverse-scored items included)."""
    likert = default_survey.items_of("likert")
    raws = [
        {
            "partner": "acme",
            "role": role,
            "respondent": role,
            "answers": {i.id: value for i in likert},
        }
        for role, value in (("legal", 1), ("it", 5), ("business_owner", 3))
    ]
    raws.append({"partner": "globex", "role": "it", "respondent": "g", "answers": {}})
    flags = [f for f in run(default_survey, raws)["conflicts"] if f["kind"] == "internal_conflict"]
    assert len(flags) == 1
    flag = flags[0]
    assert flag["roles"] == ["it", "legal"] and flag["partners"] == ["acme"]
    assert flag["evidence"]["count"] == len(default_survey.dimensions)
    assert flag["basis"] == "descriptive" and flag["severity"] == "low"
