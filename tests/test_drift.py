"""scoring.drift: the drift entry between two rounds, as a pure function (the HTTP surface is
tests/test_trend.py, the calibration tests/test_drift_calibration.py)."""

from __future__ import annotations

import json
import random
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring_service import stats
from scoring_service.answers import AnswerSheet
from scoring_service.scoring import score
from scoring_service.scoring.drift import RoundData, drift, shared
from scoring_service.simulation import realistic as G
from scoring_service.surveys import Survey

PARTNERS = ("acme", "globex")


def _rounds(
    survey: Survey, seed: int, n: int = 8, after: G.Model = G.N1, b_after: G.Model | None = None
) -> tuple[list[AnswerSheet], list[AnswerSheet]]:
    """Two rounds of the same people (ids equal), round 2 from ``after``."""
    rng = np.random.default_rng(seed)
    return G.assessment(survey, rng, n, n, G.N1), G.assessment(survey, rng, n, n, after, b_after)


def test_the_index_of_each_round_is_the_engines(default_survey: Survey) -> None:
    one, two = _rounds(default_survey, 1)
    d = drift(
        RoundData(1, default_survey, one),
        RoundData(2, default_survey, two),
        PARTNERS,
        n_resamples=199,
    )
    a = d["alignment"]
    assert a["before"] == score(default_survey, one, n_resamples=99)["alignment"]["score"]
    assert a["after"] == score(default_survey, two, n_resamples=99)["alignment"]["score"]
    assert a["change"] == pytest.approx(a["after"] - a["before"], abs=1e-8)
    assert a["ci"][0] <= a["change"] <= a["ci"][1] and 0 < a["p_value"] <= 1
    assert d["paired"] == {"acme": 8, "globex": 8}
    assert d["compared"]["dimensions"] == [x.id for x in default_survey.dimensions]


def test_order_and_names_change_nothing(default_survey: Survey) -> None:
    """Responses in another order, and people renamed the same way in both rounds."""
    one, two = _rounds(default_survey, 2)
    d = drift(
        RoundData(1, default_survey, one),
        RoundData(2, default_survey, two),
        PARTNERS,
        n_resamples=199,
    )
    rename = lambda rows: [replace(r, respondent="p-" + r.respondent[::-1]) for r in rows]  # noqa: E731
    shuffled = [rename(rows) for rows in (one, two)]
    for rows in shuffled:
        random.Random(3).shuffle(rows)
    e = drift(
        RoundData(1, default_survey, shuffled[0]),
        RoundData(2, default_survey, shuffled[1]),
        PARTNERS,
        n_resamples=199,
    )
    assert json.dumps(d, sort_keys=True) == json.dumps(e, sort_keys=True)


def test_a_planted_priority_shift_is_objective_drift(default_survey: Survey) -> None:
    """globex leans to risk control in both rounds; acme moves to speed to market (which the
    survey marks as in conflict with risk control)."""
    rng = np.random.default_rng(5)
    risk = G.Model(focus="risk_control")
    one = G.assessment(default_survey, rng, 10, 10, G.N1, risk)
    two = G.assessment(default_survey, rng, 10, 10, G.Model(focus="speed_to_market"), risk)
    d = drift(
        RoundData(1, default_survey, one),
        RoundData(2, default_survey, two),
        PARTNERS,
        n_resamples=199,
    )
    [flag] = [f for f in d["flags"] if f["kind"] == "objective_drift"]
    assert flag["partners"] == ["acme", "globex"] and flag["severity"] == "high"
    assert flag["objectives"][0] == "speed_to_market" and "risk_control" in flag["objectives"]
    assert flag["evidence"]["against"]["risk_control"] == "conflicts"
    assert flag["evidence"]["p_value"] <= flag["evidence"]["level"]
    gain = next(c for c in d["profiles"]["acme"] if c["objective"] == "speed_to_market")
    assert gain["change"] > 0.2 and gain["ci"][0] > 0
    # The conflict also pulls the index down, beyond its uncertainty.
    assert d["alignment"]["change"] < -5 and d["alignment"]["ci"][1] < 0
    assert "alignment_decline" in [f["kind"] for f in d["flags"]]


def test_versions_compare_what_they_share(default_survey: Survey) -> None:
    """Round 2 on a version without one item, one dimension and one objective."""
    gone_dim = default_survey.dimensions[0]
    gone_item = default_survey.dimensions[1].items[0]
    keep = [o for o in default_survey.objectives if o.id != "learning"]
    idx = [k for k, o in enumerate(default_survey.objectives) if o.id != "learning"]
    v2 = replace(
        default_survey,
        version=2,
        items=tuple(i for i in default_survey.items if i.id not in (*gone_dim.items, gone_item)),
        dimensions=tuple(
            replace(d, items=tuple(i for i in d.items if i != gone_item))
            for d in default_survey.dimensions[1:]
        ),
        objectives=tuple(keep),
        R=default_survey.R[np.ix_(idx, idx)],
    )
    first, second, compared, left_out = shared(default_survey, v2)
    assert left_out == {
        "items": sorted([*gone_dim.items, gone_item]),
        "dimensions": [gone_dim.id],
        "objectives": ["learning"],
    }
    assert compared["dimensions"] == [d.id for d in v2.dimensions]
    assert first.objective_ids == second.objective_ids == tuple(o.id for o in keep)
    one, _ = _rounds(default_survey, 7)
    rng = np.random.default_rng(8)
    two = [
        replace(
            r,
            likert={k: v for k, v in r.likert.items() if k in {i.id for i in v2.items}},
            allocation={
                **{k: v for k, v in (r.allocation or {}).items() if k != "learning"},
                "revenue_growth": (r.allocation or {}).get("revenue_growth", 0)
                + (r.allocation or {}).get("learning", 0),
            },
        )
        for r in G.assessment(default_survey, rng, 8, 8, G.N1)
    ]
    d = drift(RoundData(1, default_survey, one), RoundData(2, v2, two), PARTNERS, n_resamples=199)
    assert d["left_out"] == left_out
    assert [c["dimension"] for c in d["dimensions"]["acme"]] == compared["dimensions"]
    assert [c["objective"] for c in d["profiles"]["acme"]] == list(first.objective_ids)
    assert d["alignment"]["change"] is not None


@settings(max_examples=25, deadline=None)
@given(
    n1=st.integers(1, 6), n2=st.integers(1, 6), paired=st.integers(0, 6), seed=st.integers(0, 10**6)
)
def test_any_sizes_give_finite_json(
    default_survey: Survey, n1: int, n2: int, paired: int, seed: int
) -> None:
    """Tiny rounds, any overlap: every figure finite or null with a reason, intervals hold
    their estimates."""
    rng = np.random.default_rng(seed)
    one = G.assessment(default_survey, rng, n1, n1, G.N3)
    two = G.assessment(default_survey, rng, n2, n2, G.N4)
    two = [
        r
        if int(r.respondent.split("-")[1]) < paired
        else replace(r, respondent=r.respondent + "-new")
        for r in two
    ]
    d = drift(
        RoundData(1, default_survey, one),
        RoundData(2, default_survey, two),
        PARTNERS,
        n_resamples=99,
    )
    json.dumps(d, allow_nan=False)
    for partner in PARTNERS:
        assert d["paired"][partner] == min(paired, n1, n2)
        for c in d["dimensions"][partner] + d["profiles"][partner]:
            if c["ci"] is not None:
                assert c["ci"][0] <= c["change"] <= c["ci"][1]
            else:
                assert c["reasons"]["ci"] in ("n_below_minimum", "no_variation")
    a = d["alignment"]
    if a["ci"] is None:
        assert a["reasons"]


def test_a_version_in_another_order_compares_the_same_ids(default_survey: Survey) -> None:
    """Version 2 lists the same dimensions and objectives in reverse: each change is still
    the change of the same id, and the later index is the engine's on version 2."""
    order = list(reversed(range(len(default_survey.objectives))))
    v2 = replace(
        default_survey,
        version=2,
        dimensions=tuple(reversed(default_survey.dimensions)),
        objectives=tuple(default_survey.objectives[k] for k in order),
        R=default_survey.R[np.ix_(order, order)],
    )
    one, two = _rounds(default_survey, 11)
    d = drift(RoundData(1, default_survey, one), RoundData(2, v2, two), PARTNERS, n_resamples=99)
    same = drift(
        RoundData(1, default_survey, one),
        RoundData(2, default_survey, two),
        PARTNERS,
        n_resamples=99,
    )
    assert d["left_out"] == {"items": [], "dimensions": [], "objectives": []}
    assert d["dimensions"] == same["dimensions"] and d["profiles"] == same["profiles"]
    assert d["alignment"]["after"] == pytest.approx(
        score(v2, two, n_resamples=99)["alignment"]["score"], abs=1e-8
    )


def test_a_dimension_on_another_scale_is_left_out(default_survey: Survey) -> None:
    wider = replace(default_survey.dimensions[3].scale, id="seven", min=1, max=7)
    v2 = replace(
        default_survey,
        version=2,
        dimensions=tuple(
            replace(d, scale=wider) if k == 3 else d
            for k, d in enumerate(default_survey.dimensions)
        ),
    )
    first, second, compared, left_out = shared(default_survey, v2)
    gone = default_survey.dimensions[3]
    assert left_out["dimensions"] == [gone.id] and set(gone.items) <= set(left_out["items"])
    assert gone.id not in compared["dimensions"] and len(first.dimensions) == len(second.dimensions)


def test_without_allocations_the_index_is_expectations_alone(default_survey: Survey) -> None:
    """globex allocates nothing in either round: the index is the expectations component,
    as the engine's."""
    one, two = _rounds(default_survey, 12)
    strip = lambda rows: [r if r.partner == "acme" else replace(r, allocation=None) for r in rows]  # noqa: E731
    one, two = strip(one), strip(two)
    d = drift(
        RoundData(1, default_survey, one),
        RoundData(2, default_survey, two),
        PARTNERS,
        n_resamples=99,
    )
    a = d["alignment"]
    assert a["components"] == ["expectations"]
    assert a["before"] == score(default_survey, one, n_resamples=99)["alignment"]["score"]
    assert a["after"] == score(default_survey, two, n_resamples=99)["alignment"]["score"]
    assert a["ci"] is not None and a["p_value"] is not None
    assert all(c["ci"] is None for c in d["profiles"]["globex"])


def test_a_partner_missing_in_a_round_leaves_the_others_changes(default_survey: Survey) -> None:
    one, two = _rounds(default_survey, 13)
    two = [r for r in two if r.partner == "acme"]
    d = drift(
        RoundData(1, default_survey, one),
        RoundData(2, default_survey, two),
        PARTNERS,
        n_resamples=99,
    )
    assert d["reasons"]["drift"] == "no_responses_of_globex"
    assert set(d["dimensions"]) == {"acme"} and d["alignment"] is None
    assert all(f["partners"] == ["acme"] for f in d["flags"])


def test_only_one_partner_uses_none_of_the_others_answers(default_survey: Survey) -> None:
    """``only``: the viewer's own part, the same whatever the other partner answered."""
    one, two = _rounds(default_survey, 14)
    rng = np.random.default_rng(15)
    other = [r for r in G.assessment(default_survey, rng, 8, 8, G.N4) if r.partner == "globex"]
    two_b = [r for r in two if r.partner == "acme"] + other
    d = drift(
        RoundData(1, default_survey, one),
        RoundData(2, default_survey, two),
        PARTNERS,
        only="acme",
        n_resamples=99,
    )
    e = drift(
        RoundData(1, default_survey, one),
        RoundData(2, default_survey, two_b),
        PARTNERS,
        only="acme",
        n_resamples=99,
    )
    assert d == e and set(d["dimensions"]) == {"acme"} and d["alignment"] is None
    # Its own family: acme's q-values from acme's p-values alone.
    ps = [c["p_value"] for c in d["dimensions"]["acme"]]
    assert [c["q_value"] for c in d["dimensions"]["acme"]] == pytest.approx(
        stats.benjamini_hochberg(ps).tolist(), abs=1e-9
    )


def test_equal_answers_do_not_make_the_order_matter(default_survey: Survey) -> None:
    """Two people of one partner answer round 1 identically; only one answers round 2."""
    one, two = _rounds(default_survey, 16)
    twin = replace(one[0], respondent="twin")
    one = [*one, twin]
    d = drift(
        RoundData(1, default_survey, one),
        RoundData(2, default_survey, two),
        PARTNERS,
        n_resamples=199,
    )
    e = drift(
        RoundData(1, default_survey, one[::-1]),
        RoundData(2, default_survey, two[::-1]),
        PARTNERS,
        n_resamples=199,
    )
    assert d == e
