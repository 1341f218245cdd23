"""Properties of the engine (Hypothesis): label swap, order, bounds, identical answers."""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from scoring_service.answers import parse_responses
from scoring_service.scoring import score
from scoring_service.surveys import Survey

SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
LIKERT = ("t1", "t2", "t3", "g1", "g2", "g3")
ROLES = ("legal", "it", "business_owner")


@st.composite
def allocation(draw: Any) -> dict[str, int]:
    cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=3, max_size=3)))
    points = [cuts[0], cuts[1] - cuts[0], cuts[2] - cuts[1], 100 - cuts[2]]
    return dict(zip(("speed", "risk", "revenue", "cost"), points, strict=True))


@st.composite
def answers(draw: Any) -> dict[str, Any]:
    """Each Likert item answered, explicitly skipped (null) or absent; usually an allocation."""
    out: dict[str, Any] = {}
    for item in LIKERT:
        kind = draw(st.integers(0, 5))
        if kind == 0:
            continue  # absent
        out[item] = None if kind == 1 else draw(st.integers(1, 5))
    if draw(st.integers(0, 9)) > 0:
        out["priorities"] = draw(allocation())
    return out


@st.composite
def side(draw: Any, partner: str) -> list[dict[str, Any]]:
    n = draw(st.integers(1, 7))
    return [
        {
            "partner": partner,
            "role": draw(st.sampled_from(ROLES)),
            "respondent": f"{partner}{k}",
            "answers": draw(answers()),
        }
        for k in range(n)
    ]


def run(survey: Survey, raws: list[dict[str, Any]]) -> dict[str, Any]:
    return score(survey, parse_responses(raws, survey), n_resamples=300)


def close(a: Any, b: Any, tol: float = 1e-9) -> bool:
    if a is None or b is None:
        return a is b
    if isinstance(a, list):
        return len(a) == len(b) and all(close(x, y, tol) for x, y in zip(a, b, strict=True))
    return math.isclose(a, b, abs_tol=tol)


def same(a: Any, b: Any) -> bool:
    """Equal to the last bit (lists element by element)."""
    return bool(a == b)


def neg(x: Any) -> Any:
    if x is None:
        return None
    return [-x[1], -x[0]] if isinstance(x, list) else -x


def content(side: list[dict[str, Any]]) -> list[str]:
    """A partner's answers without labels, as the engine sees them."""
    return sorted(json.dumps([r["role"], r["answers"]], sort_keys=True) for r in side)


def swapped(raws: list[dict[str, Any]]) -> list[dict[str, Any]]:
    other = {"acme": "globex", "globex": "acme"}
    return [{**r, "partner": other[r["partner"]]} for r in raws]


@SETTINGS
@given(a=side("acme"), b=side("globex"))
def test_label_swap(mini: Survey, a: list[dict[str, Any]], b: list[dict[str, Any]]) -> None:
    """Symmetric scores stay, signed ones (gap, delta, differences) change sign.

    When both partners gave exactly the same answers the swap is the identity and an interval
    need not be symmetric around 0; ``test_identical_answer_sets`` covers that case.
    """
    assume(content(a) != content(b))
    x, y = run(mini, a + b), run(mini, swapped(a + b))
    assert same(x["alignment"]["score"], y["alignment"]["score"])
    assert same(x["alignment"]["ci"], y["alignment"]["ci"])
    for key in ("compatibility", "compatibility_ci", "overlap", "kendall_tau_b"):
        assert same(x["objectives"][key], y["objectives"][key]), key
    for dx, dy in zip(x["dimensions"], y["dimensions"], strict=True):
        assert same(dx["gap"], neg(dy["gap"]))
        assert same(dx["gap_ci"], neg(dy["gap_ci"]))
        assert same(dx["cliffs_delta"], neg(dy["cliffs_delta"]))
        assert same(dx["agreement"], dy["agreement"])
        assert same(dx["p_value"], dy["p_value"]) and same(dx["q_value"], dy["q_value"])
    for ox, oy in zip(x["objectives"]["differences"], y["objectives"]["differences"], strict=True):
        assert same(ox["difference"], neg(oy["difference"]))
        assert same(ox["p_value"], oy["p_value"])
    kinds = sorted(
        (f["kind"], f["severity"], tuple(sorted(f["objectives"]))) for f in x["conflicts"]
    )
    assert kinds == sorted(
        (f["kind"], f["severity"], tuple(sorted(f["objectives"]))) for f in y["conflicts"]
    )


@SETTINGS
@given(a=side("acme"), b=side("globex"), data=st.data())
def test_order_does_not_matter(
    mini: Survey, a: list[dict[str, Any]], b: list[dict[str, Any]], data: Any
) -> None:
    raws = a + b
    shuffled = data.draw(st.permutations(raws))
    shuffled = [{**r, "answers": dict(reversed(list(r["answers"].items())))} for r in shuffled]
    assert json.dumps(run(mini, raws)) == json.dumps(run(mini, shuffled))


@SETTINGS
@given(a=side("acme"), b=side("globex"))
def test_scores_stay_in_bounds(
    mini: Survey, a: list[dict[str, Any]], b: list[dict[str, Any]]
) -> None:
    r = run(mini, a + b)
    json.dumps(r, allow_nan=False)
    al = r["alignment"]
    for v in [al["score"], r["objectives"]["compatibility"], *(al["ci"] or [])]:
        assert v is None or 0 <= v <= 100
    for d in r["dimensions"]:
        assert d["agreement"] is None or 0 <= d["agreement"] <= 100
        assert d["cliffs_delta"] is None or -1 <= d["cliffs_delta"] <= 1
        assert d["gap"] is None or -4 <= d["gap"] <= 4
        if d["gap_ci"]:
            assert d["gap_ci"][0] <= d["gap_ci"][1]
        for p in (d["p_value"], d["q_value"]):
            assert p is None or 0 < p <= 1
    assert r["objectives"]["overlap"] is None or 0 <= r["objectives"]["overlap"] <= 1 + 1e-12
    for c in r["consensus"].values():
        for v in c["rwg_j"].values():
            assert v is None or 0 <= v <= 1
        assert c["kendall_w"] is None or 0 <= c["kendall_w"] <= 1 + 1e-12
    assert [f["severity"] for f in r["conflicts"]] == sorted(
        (f["severity"] for f in r["conflicts"]), key=["high", "medium", "low"].index
    )


@SETTINGS
@given(a=side("acme"))
def test_identical_answer_sets(mini: Survey, a: list[dict[str, Any]]) -> None:
    """The same answers from both partners: 100 and no flag between them."""
    r = run(mini, a + [{**x, "partner": "globex"} for x in a])
    if r["objectives"]["compatibility"] is not None:
        assert r["objectives"]["compatibility"] == 100.0
    for d in r["dimensions"]:
        assert d["agreement"] in (None, 100.0)
    between = {"objective_conflict", "priority_divergence", "expectation_gap"}
    assert not [f for f in r["conflicts"] if f["kind"] in between]


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), st.floats(0, 1e6))
def test_tidy_rounds_monotonically_to_ten_digits(x: float, d: float) -> None:
    """Rounding keeps the order of figures (an interval still holds its estimate) and leaves at
    most 10 significant digits; probabilities keep their small values."""
    from scoring_service.scoring import tidy

    lo, hi = tidy(x), tidy(x + d)
    assert lo <= hi
    assert len(repr(abs(lo)).replace(".", "").lstrip("0").split("e")[0]) <= 11  # 10 + a trailing 0
    assert tidy({"p_value": 3.25e-13})["p_value"] == 3.25e-13
    assert tidy({"gap": 4.440892098500626e-16, "agreement": 99.99999999999999}) == {
        "gap": 0.0,
        "agreement": 100.0,
    }
