"""The engine on small, hand-checked inputs; determinism; the shared bootstrap vs scipy."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from scipy import stats as sps

from scoring_service.answers import AnswerSheet, parse_responses
from scoring_service.scoring import score
from scoring_service.simulation.iid import as_responses, assessment
from scoring_service.surveys import Survey

from .helpers import mini_response


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
    assert trust["reasons"]["p_value"] == "no_variation"  # both pairs answer alike


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
    """Five IT people lean to speed, five lawyers to risk: of the 252 ways to split the ten
    into two roles of five, only the observed one and its mirror are as far apart."""
    fast = {"speed": 50, "risk": 5, "revenue": 25, "cost": 20}
    careful = {"speed": 5, "risk": 50, "revenue": 25, "cost": 20}
    raws = [mini_response("acme", f"i{k}", "it", priorities=fast) for k in range(5)]
    raws += [mini_response("acme", f"l{k}", "legal", priorities=careful) for k in range(5)]
    raws += [mini_response("globex", "g")]
    result = run(mini, raws)
    internal = [f for f in result["conflicts"] if f["kind"] == "internal_conflict"]
    assert len(internal) == 1
    flag = internal[0]
    assert flag["partners"] == ["acme"] and flag["roles"] == ["it", "legal"]
    assert flag["objectives"] == ["speed", "risk"]
    assert flag["basis"] == "inferential" and flag["severity"] == "medium"
    assert flag["evidence"]["p_value"] == pytest.approx(2 / 252)
    assert flag["evidence"]["pull"] == pytest.approx(0.45)
    assert result["consensus"]["acme"]["internal_conflict"] is True
    assert result["consensus"]["globex"]["internal_conflict"] is False
    assert result["method"]["tests_run"]["internal_conflict.acme.objectives"] == "exact"


def test_internal_conflict_needs_roles_a_test_can_tell_apart(mini: Survey) -> None:
    """Three a role: the smallest p of 20 splits is 2/20 = 0.1, above the level; no flag,
    and the reason says why."""
    fast = {"speed": 50, "risk": 5, "revenue": 25, "cost": 20}
    careful = {"speed": 5, "risk": 50, "revenue": 25, "cost": 20}
    raws = [mini_response("acme", f"i{k}", "it", priorities=fast) for k in range(3)]
    raws += [mini_response("acme", f"l{k}", "legal", priorities=careful) for k in range(3)]
    raws += [mini_response("globex", "g")]
    result = run(mini, raws)
    assert not [f for f in result["conflicts"] if f["kind"] == "internal_conflict"]
    reasons = result["consensus"]["acme"]["reasons"]
    assert reasons["internal_conflict.objectives"] == "too_few_per_role"
    assert result["consensus"]["globex"]["reasons"]["internal_conflict.objectives"] == (
        "fewer_than_two_roles"
    )


def test_gap_interval_and_test_are_welch(default_survey: Survey) -> None:
    """The gap's interval is scipy's Welch t interval of the respondents' scores; with unequal
    sizes its p-value is the larger of Welch's and Student's."""
    rng = np.random.default_rng(3)
    raws = assessment(default_survey, rng, 6, 12)
    result = score(default_survey, as_responses(raws))
    dim = result["dimensions"][0]
    items = default_survey.dimensions[0].items
    by = {
        p: [np.mean([r["answers"][i] for i in items]) for r in raws if r["partner"] == p]
        for p in ("acme", "globex")
    }
    assert not any(i.reverse for i in default_survey.items if i.id in items)
    ref = sps.ttest_ind(by["globex"], by["acme"], equal_var=False)
    ci = ref.confidence_interval(0.95)
    # The document keeps 10 significant digits (scoring.tidy).
    assert dim["gap"] == pytest.approx(np.mean(by["globex"]) - np.mean(by["acme"]))
    assert dim["gap_ci"] == pytest.approx([ci.low, ci.high], rel=1e-9)
    student = sps.ttest_ind(by["globex"], by["acme"])
    assert dim["p_value"] == pytest.approx(max(ref.pvalue, student.pvalue), rel=1e-9)
    assert student.pvalue != pytest.approx(ref.pvalue)


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
        AnswerSheet("a", "it", "1", {"t1": 5.0}, {"speed": 100.0}),
        AnswerSheet("b", "it", "2", {"t1": 1.0}, {"risk": 100.0}),
    ]
    result = score(mini, responses, n_resamples=200)
    assert result["objectives"]["compatibility"] == pytest.approx(10.0)  # 50 * (1 - 0.8)
    # One person a side: no test can decide, so nothing is flagged, and the warning says why.
    assert result["conflicts"] == []
    assert [w["code"] for w in result["warnings"]] == ["no_tests"]


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


def test_alignment_interval_is_null_while_it_holds_expectations(mini: Survey) -> None:
    """|gap| is not smooth at 0: no interval keeps its promise there, so none is given; with
    the expectations weighted 0 the index is compatibility and takes its interval."""
    from dataclasses import replace

    raws = [
        mini_response(
            p,
            f"{p}{k}",
            t1=1 + (k % 5),
            priorities={
                "speed": 10 + 5 * k + 10 * (p == "acme"),
                "risk": 40 - 5 * k,
                "revenue": 25,
                "cost": 25 - 10 * (p == "acme"),
            },
        )
        for p in ("acme", "globex")
        for k in range(5)
    ]
    result = run(mini, raws)["alignment"]
    assert result["ci"] is None and result["reasons"]["ci"] == "non_regular"
    assert result["components"]["compatibility"]["ci"] is not None
    only = replace(mini, scoring=replace(mini.scoring, weight_expectations=0.0))
    alone = run(only, raws)
    assert alone["alignment"]["ci"] == alone["objectives"]["compatibility_ci"]
    low, high = alone["alignment"]["ci"]
    assert low < alone["alignment"]["score"] < high


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


def test_objective_conflict_is_an_intersection_union_test(mini: Survey) -> None:
    """acme puts 60-68 points on speed, globex 60-68 on risk: both one-sided Welch tests of the
    pull's differences (each against the 6-point margin) decide, from 3 a side."""
    for n in (3, 5):
        raws = [
            mini_response(
                "acme",
                f"a{k}",
                priorities={"speed": 60 + 2 * k, "risk": 10 - 2 * k, "revenue": 20, "cost": 10},
            )
            for k in range(n)
        ]
        raws += [
            mini_response(
                "globex",
                f"g{k}",
                priorities={"speed": 10 - 2 * k, "risk": 60 + 2 * k, "revenue": 20, "cost": 10},
            )
            for k in range(n)
        ]
        result = run(mini, raws)
        flag = result["conflicts"][0]
        assert (flag["kind"], flag["basis"], flag["severity"]) == (
            "objective_conflict",
            "inferential",
            "high",
        )
        assert flag["partners"] == ["acme", "globex"]
        diffs = {d["objective"]: d for d in result["objectives"]["differences"]}
        speed = [r["answers"]["priorities"]["speed"] / 100 for r in raws]
        ref = sps.ttest_ind(speed[:n], speed[n:], equal_var=False, alternative="greater")
        assert diffs["speed"]["difference"] == pytest.approx(
            -(np.mean(speed[:n]) - np.mean(speed[n:]))
        )
        margin = sps.ttest_ind(
            np.array(speed[:n]) - 0.06, speed[n:], equal_var=False, alternative="greater"
        )
        assert flag["evidence"]["p_values"]["speed"] == pytest.approx(margin.pvalue)
        assert flag["evidence"]["p_value"] == max(flag["evidence"]["p_values"].values())
        assert ref.pvalue < margin.pvalue


def test_identical_answers_within_each_partner_decide_nothing(mini: Survey) -> None:
    """Every acme respondent 60/10, every globex one 10/60: no variance on either side, so no
    Welch test is defined; the difference is reported, the flag is not made up."""
    fast = {"speed": 60, "risk": 10, "revenue": 20, "cost": 10}
    careful = {"speed": 10, "risk": 60, "revenue": 20, "cost": 10}
    raws = [mini_response("acme", f"a{k}", priorities=fast) for k in range(4)]
    raws += [mini_response("globex", f"g{k}", priorities=careful) for k in range(4)]
    result = run(mini, raws)
    assert not [f for f in result["conflicts"] if f["kind"] == "objective_conflict"]
    speed = next(d for d in result["objectives"]["differences"] if d["objective"] == "speed")
    assert speed["difference"] == pytest.approx(-0.5)
    assert speed["p_value"] is None and speed["reasons"]["p_value"] == "no_variation"


def test_internal_conflict_on_dimensions(default_survey: Survey) -> None:
    """Five lawyers rate governance and risk posture 5 and pace 1; five IT people the reverse;
    the rest 3 for everyone. Centring leaves the shape, and the permutation test names the
    pair; a level difference alone (one role 1 everywhere, the other 5) is a response style
    to the test, not a conflict."""
    likert = default_survey.items_of("likert")
    dim_of = {i: d.id for d in default_survey.dimensions for i in d.items}

    def answers(high: set[str], low: set[str], k: int) -> dict[str, int]:
        out = {}
        for item in likert:
            d = dim_of[item.id]
            value = 5 if d in high else 1 if d in low else 3 + (k % 2) * (item.id[-1] == "1")
            out[item.id] = 6 - value if item.reverse else value
        return out

    raws = [
        {
            "partner": "acme",
            "role": "legal",
            "respondent": f"l{k}",
            "answers": answers({"governance", "risk_posture"}, {"pace"}, k),
        }
        for k in range(5)
    ] + [
        {
            "partner": "acme",
            "role": "it",
            "respondent": f"i{k}",
            "answers": answers({"pace"}, {"governance", "risk_posture"}, k),
        }
        for k in range(5)
    ]
    raws.append({"partner": "globex", "role": "it", "respondent": "g", "answers": {}})
    flags = [f for f in run(default_survey, raws)["conflicts"] if f["kind"] == "internal_conflict"]
    assert len(flags) == 1
    flag = flags[0]
    assert flag["roles"] == ["it", "legal"] and flag["partners"] == ["acme"]
    assert flag["dimensions"] == ["governance", "risk_posture", "pace"]
    assert flag["evidence"]["p_value"] == pytest.approx(2 / 252)
    # legal - IT on pace after centring: 1 - 5 less the gap of their own means (38 v 34 / 12)
    assert flag["evidence"]["differences"]["pace"] == pytest.approx(-4 - 1 / 3, abs=0.05)

    def level(r: dict[str, Any], item: Any) -> int:
        value = 1 if r["role"] == "legal" else 5  # scored: reversed items answered 6 - value
        return 6 - value if item.reverse else value

    flat = [{**r, "answers": {i.id: level(r, i) for i in likert}} for r in raws[:10]] + raws[10:]
    assert not [
        f for f in run(default_survey, flat)["conflicts"] if f["kind"] == "internal_conflict"
    ]
