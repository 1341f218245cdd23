"""POST /api/v1/score through HTTP: good requests, and every kind of bad one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring_service import create_app

from .helpers import FIXTURES, mini_response, settings_for

PROBLEM = "application/problem+json"


def body(*responses: dict[str, Any], survey: str = "mini") -> dict[str, Any]:
    return {"survey": survey, "responses": list(responses)}


def two_sides(n: int = 3) -> list[dict[str, Any]]:
    return [mini_response(p, f"r{k}") for p in ("acme", "globex") for k in range(n)]


def problem(resp: Any, status: int) -> dict[str, Any]:
    """Assert the answer is a problem document with ``status`` and return it."""
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.mimetype == PROBLEM
    doc = resp.get_json(force=True)
    assert doc["status"] == status and doc["title"] and doc["detail"]
    assert "Traceback" not in resp.get_data(as_text=True)
    return doc


def test_score_answers_the_result_document(mini_client: FlaskClient) -> None:
    resp = mini_client.post("/api/v1/score", json=body(*two_sides()))
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    doc = resp.get_json()
    assert set(doc) == {
        "survey",
        "partners",
        "alignment",
        "objectives",
        "dimensions",
        "consensus",
        "conflicts",
        "strengths",
        "sample",
        "warnings",
        "method",
    }
    assert doc["partners"] == ["acme", "globex"]
    # Identical answers on both sides: full compatibility and agreement, no flag between them.
    assert doc["objectives"]["compatibility"] == 100.0
    # ... but three people a side who answer alike settle no band: a band is decided from the
    # components' intervals, and there is none below 5 a side (compatibility) or with no
    # variation at all (the gaps' tests).
    assert doc["alignment"]["score"] == 100.0 and doc["alignment"]["band"] is None
    assert doc["alignment"]["reasons"]["band"] == "n_below_minimum"
    assert all(d["agreement"] == 100.0 for d in doc["dimensions"])
    assert doc["conflicts"] == []
    assert doc["sample"]["acme"] == {"n": 3, "with_allocation": 3, "roles": {"legal": 3}}


def test_planted_conflict_is_flagged_with_next_step(mini_client: FlaskClient) -> None:
    # Three a side, 58-62 points on one side of a conflicting pair (means 60 v 10).
    responses = [
        mini_response(
            p,
            f"{p}{k}",
            priorities={lead: 58 + 2 * k, other: 12 - 2 * k, "revenue": 20, "cost": 10},
        )
        for p, lead, other in (("acme", "speed", "risk"), ("globex", "risk", "speed"))
        for k in range(3)
    ]
    doc = mini_client.post("/api/v1/score", json=body(*responses)).get_json()
    first = next(f for f in doc["conflicts"] if f["kind"] == "objective_conflict")
    assert first["severity"] == "high" and doc["conflicts"][0]["severity"] == "high"
    assert first["objectives"] == ["speed", "risk"] and first["partners"] == ["acme", "globex"]
    assert first["evidence"]["pull"] == pytest.approx(0.5)
    assert first["evidence"]["points"] == {
        "acme": {"speed": 60.0, "risk": 10.0},
        "globex": {"speed": 10.0, "risk": 60.0},
    }
    assert "fast-track legal review" in first["message"]
    # R-weighted cosine by hand: a = (.6,.1,.2,.1), b = (.1,.6,.2,.1), R[speed,risk] = -0.8,
    # R[revenue,cost] = -0.4: a'Rb = 0.17 - 0.296 - 0.016, a'Ra = b'Rb = 0.42 - 0.096 - 0.016.
    aRb = 0.06 + 0.06 + 0.04 + 0.01 - 0.8 * (0.36 + 0.01) - 0.4 * (0.02 + 0.02)
    aRa = 0.36 + 0.01 + 0.04 + 0.01 - 0.8 * 2 * 0.06 - 0.4 * 2 * 0.02
    assert doc["objectives"]["compatibility"] == pytest.approx(50 * (1 + aRb / aRa))


@pytest.mark.parametrize(
    ("mutate", "path", "fragment"),
    [
        (lambda r: r[2]["answers"].update(t1=6), "responses[2].answers.t1", "between 1 and 5"),
        (lambda r: r[0]["answers"].update(t1=True), "responses[0].answers.t1", "integer"),
        (lambda r: r[0]["answers"].update(t1=3.5), "responses[0].answers.t1", "integer"),
        (lambda r: r[1]["answers"].update(zz=1), "responses[1].answers.zz", "unknown item"),
        (
            lambda r: r[0]["answers"]["priorities"].update(speed=30),
            "responses[0].answers.priorities",
            "sum to 100",
        ),
        (
            lambda r: r[0]["answers"]["priorities"].update(moon=0),
            "responses[0].answers.priorities.moon",
            "unknown objective",
        ),
        (
            lambda r: r[0]["answers"]["priorities"].update(speed=-5, risk=55),
            "responses[0].answers.priorities.speed",
            "between 0 and 100",
        ),
        (lambda r: r[3].update(role="ceo"), "responses[3].role", "must be one of"),
        (
            lambda r: r[3].update(respondent="r0", partner="acme"),
            "responses[3].respondent",
            "already",
        ),
        (lambda r: r[0].pop("partner"), "responses[0].partner", "missing"),
        (lambda r: r[0].update(extra=1), "responses[0].extra", "unknown field"),
        (lambda r: r[0].update(answers=[1]), "responses[0].answers", "object"),
        (lambda r: r[0]["answers"].update(comments=5), "responses[0].answers.comments", "string"),
        (lambda r: [x.update(partner="acme") for x in r], "responses", "exactly two"),
        (lambda r: r[0].update(partner="initech"), "responses", "exactly two"),
    ],
)
def test_invalid_answers_name_the_field(
    mini_client: FlaskClient, mutate: Any, path: str, fragment: str
) -> None:
    responses = two_sides()
    mutate(responses)
    doc = problem(mini_client.post("/api/v1/score", json=body(*responses)), 422)
    assert any(e["path"] == path and fragment in e["message"] for e in doc["errors"]), doc


@pytest.mark.parametrize(
    ("payload", "path"),
    [
        ({"responses": []}, "survey"),
        ({"survey": "mini"}, "responses"),
        ({"survey": "mini", "responses": {}}, "responses"),
        ({"survey": "mini", "responses": [], "x": 1}, "x"),
        ({"survey": "mini", "survey_version": "1", "responses": []}, "survey_version"),
        ({"survey": 5, "responses": []}, "survey"),
    ],
)
def test_invalid_envelope_names_the_field(
    mini_client: FlaskClient, payload: dict[str, Any], path: str
) -> None:
    doc = problem(mini_client.post("/api/v1/score", json=payload), 422)
    assert path in [e["path"] for e in doc["errors"]], doc


def test_malformed_json_is_400(mini_client: FlaskClient) -> None:
    resp = mini_client.post("/api/v1/score", data="{nope", content_type="application/json")
    assert "JSON" in problem(resp, 400)["detail"]


def test_not_json_is_415(mini_client: FlaskClient) -> None:
    problem(mini_client.post("/api/v1/score", data="survey=mini", content_type="text/plain"), 415)
    # No body at all is not a wrong media type: the missing fields are named instead.
    doc = problem(mini_client.post("/api/v1/score"), 422)
    assert {e["path"] for e in doc["errors"]} == {"survey", "responses"}


def test_unknown_survey_and_version_are_404(mini_client: FlaskClient) -> None:
    assert (
        "known surveys: mini"
        in problem(mini_client.post("/api/v1/score", json=body(*two_sides(), survey="nope")), 404)[
            "detail"
        ]
    )
    payload = {**body(*two_sides()), "survey_version": 7}
    problem(mini_client.post("/api/v1/score", json=payload), 404)


def test_wrong_method_and_unknown_route(mini_client: FlaskClient) -> None:
    resp = mini_client.get("/api/v1/score")
    problem(resp, 405)
    assert "POST" in resp.headers["Allow"]
    problem(mini_client.get("/api/v1/nothing-here"), 404)


def test_body_over_the_limit_is_413(tmp_path: Path) -> None:
    app = create_app(
        settings_for(
            f"sqlite:///{tmp_path}/s.db",
            tmp_path,
            surveys_dir=FIXTURES / "surveys",
            max_body_bytes=2_000_000,
        )
    )
    big = json.dumps(body(*two_sides())) + " " * 2_000_001
    resp = app.test_client().post("/api/v1/score", data=big, content_type="application/json")
    problem(resp, 413)


def test_degenerate_input_gives_reasons_not_nan(mini_client: FlaskClient) -> None:
    """One respondent a side, every answer the same: nulls with reasons, valid strict JSON."""
    resp = mini_client.post(
        "/api/v1/score", json=body(mini_response("acme", "a"), mini_response("globex", "b"))
    )
    text = resp.get_data(as_text=True)
    assert resp.status_code == 200
    json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} in JSON"))
    doc = resp.get_json()
    assert doc["alignment"]["ci"] is None and doc["alignment"]["reasons"]["ci"] == "non_regular"
    assert doc["dimensions"][0]["gap_ci"] is None
    assert doc["dimensions"][0]["reasons"]["gap_ci"] == "n_below_minimum"
    acme = doc["consensus"]["acme"]
    assert acme["krippendorff_alpha"] is None
    assert acme["reasons"]["krippendorff_alpha"] in {"nothing_pairable", "n_below_minimum"}
    assert "no_tests" in {w["code"] for w in doc["warnings"]} and doc["conflicts"] == []


def test_skipped_items_and_missing_allocation(mini_client: FlaskClient) -> None:
    responses = two_sides(2)
    for r in responses[2:]:
        del r["answers"]["priorities"]
    responses[0]["answers"]["t1"] = None
    doc = mini_client.post("/api/v1/score", json=body(*responses)).get_json()
    assert doc["objectives"]["compatibility"] is None
    assert doc["objectives"]["reasons"]["compatibility"] == "no_allocation"
    # Only the dimension agreement is left, so the index is renormalised onto it.
    assert doc["alignment"]["score"] == 100.0
    assert doc["alignment"]["components"]["compatibility"]["value"] is None


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
        lambda kids: (
            st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=5), kids, max_size=4)
        ),
        max_leaves=20,
    )
)
def test_no_input_causes_a_500(mini_client: FlaskClient, junk: Any) -> None:
    """Any JSON in any slot gives a 2xx or a 4xx problem, never a 500."""
    slots = []
    for key in ("partner", "role", "respondent", "answers"):
        broken = two_sides(1)
        broken[0][key] = junk
        slots.append(body(*broken))
    for item in ("t1", "priorities", "comments"):
        broken = two_sides(1)
        broken[1]["answers"][item] = junk
        slots.append(body(*broken))
    broken = two_sides(1)
    broken[0]["answers"]["priorities"]["speed"] = junk
    slots.append(body(*broken))
    envelope = [junk, {"survey": "mini", "responses": junk}, {"survey": junk, "responses": []}]
    for payload in [*envelope, {**body(*two_sides(1)), "survey_version": junk}, *slots]:
        try:
            data = json.dumps(payload, allow_nan=True)
        except ValueError:
            continue
        resp = mini_client.post("/api/v1/score", data=data, content_type="application/json")
        assert resp.status_code < 500, resp.get_data(as_text=True)
        if resp.status_code >= 400:
            assert resp.mimetype == PROBLEM


def test_two_by_five_hundred_fits_and_scores(client: FlaskClient, default_survey: Any) -> None:
    import numpy as np

    from scoring_service.simulation.iid import assessment

    raw = assessment(default_survey, np.random.default_rng(5), 500, 500)
    data = json.dumps({"survey": "alliance-objectives", "responses": raw})
    assert len(data) < 2_000_000
    resp = client.post("/api/v1/score", data=data, content_type="application/json")
    assert resp.status_code == 200
    doc = resp.get_json()
    assert doc["sample"]["acme"]["n"] == 500
    assert all(d["gap"] is not None and d["gap_ci"] is not None for d in doc["dimensions"])
    assert doc["method"]["tests_run"] == {
        f"internal_conflict.{p}.{family}": "monte_carlo"
        for p in ("acme", "globex")
        for family in ("dimensions", "objectives")
    }


def test_deeply_nested_json_is_a_400(mini_client: FlaskClient) -> None:
    data = '{"survey": "mini", "responses": ' + "[" * 100_000 + "]" * 100_000 + "}"
    doc = problem(
        mini_client.post("/api/v1/score", data=data, content_type="application/json"), 400
    )
    assert "JSON" in doc["detail"]


@pytest.mark.parametrize("payload", [[], "text", None, 5])
def test_a_body_that_is_not_an_object(mini_client: FlaskClient, payload: Any) -> None:
    resp = mini_client.post(
        "/api/v1/score", data=json.dumps(payload), content_type="application/json"
    )
    doc = problem(resp, 422)
    assert doc["errors"] == [
        {
            "path": "",
            "message": "must be a JSON object",
            "code": "type",
            "params": {"expected": "object"},
        }
    ]


def test_413_says_the_limit(tmp_path: Path) -> None:
    app = create_app(
        settings_for(
            f"sqlite:///{tmp_path}/s.db",
            tmp_path,
            surveys_dir=FIXTURES / "surveys",
            max_body_bytes=2_000_000,
        )
    )
    resp = app.test_client().post(
        "/api/v1/score", data="x" * 2_000_001, content_type="application/json"
    )
    doc = problem(resp, 413)
    assert doc["title"] == "Content Too Large" and "2000000 bytes" in doc["detail"]


def test_routing_errors_come_before_the_content_type(mini_client: FlaskClient) -> None:
    problem(mini_client.post("/livez", data="x", content_type="text/plain"), 405)
    problem(mini_client.post("/api/v1/nowhere", data="x", content_type="text/plain"), 404)


def test_every_422_has_the_same_title(mini_client: FlaskClient) -> None:
    envelope = problem(mini_client.post("/api/v1/score", json={"survey": "mini"}), 422)
    answers = problem(mini_client.post("/api/v1/score", json=body(mini_response("a", "1"))), 422)
    query = problem(mini_client.get("/api/v1/surveys/mini?version=x"), 422)
    assert envelope["title"] == answers["title"] == query["title"] == "Unprocessable Content"


def test_too_many_respondents_for_one_partner(mini_client: FlaskClient) -> None:
    many = [
        {"partner": "acme", "role": "it", "respondent": str(k), "answers": {}} for k in range(1001)
    ]
    many.append({"partner": "globex", "role": "it", "respondent": "g", "answers": {}})
    doc = problem(mini_client.post("/api/v1/score", json=body(*many)), 422)
    assert doc["errors"] == [
        {
            "path": "responses",
            "message": "'acme' has 1001 respondents; at most 1000",
            "code": "too_many",
            "params": {"partner": "acme", "max": 1000, "got": 1001},
        }
    ]


def test_the_answer_fits_the_documented_schema(mini_client: FlaskClient) -> None:
    """The view returns the engine's document as is; it must still be what OpenAPI promises."""
    from scoring_service.schemas.score import ResultSchema

    fast = {"speed": 60, "risk": 10, "revenue": 20, "cost": 10}
    responses = [mini_response("acme", f"a{k}", priorities=fast) for k in range(3)]
    responses += [mini_response("globex", f"g{k}") for k in range(3)]
    doc = mini_client.post("/api/v1/score", json=body(*responses)).get_json()
    assert doc["conflicts"]
    assert ResultSchema().validate(doc) == {}
    assert set(doc) == set(ResultSchema().fields)
