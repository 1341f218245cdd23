"""Real result documents against the published OpenAPI schema: the answers of POST /api/v1/score
and of GET .../rounds/{n}/results (admin and partner views) validated with jsonschema; and broken
documents that must fail, so that the schema is known to constrain.

The views answer with the engine's document as it is (no marshmallow dump), so nothing but this
test keeps the document and its published schema together.

``additionalProperties``: every block of the result is declared field by field, so its schema
says ``additionalProperties: false`` (marshmallow's ``unknown = RAISE``, as apispec renders it)
and an undeclared key fails here. The one exception is a flag's ``evidence``, whose keys differ by
kind and may grow: it lets other keys pass, and the test checks instead that every key the engine
writes today is declared.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import jsonschema
import numpy as np
import pytest
from flask.testing import FlaskClient

from scoring_service.surveys import Survey

from .helpers import API, World, mini_response

SCORE = f"{API}/score"
RESULTS = f"{API}/alliances/{{alliance_id}}/rounds/{{n}}/results"

# apispec's OpenAPI 3.0 form of a nullable reference is anyOf [{$ref}, this]: it stands for null.
# Read literally (any object, or null) it would let any object through and the reference would
# constrain nothing.
APISPEC_NULL = {"type": "object", "nullable": True}


def to_json_schema(schema: Any) -> Any:
    """An OpenAPI 3.0 schema object as JSON Schema: ``nullable`` becomes a union with null."""
    if not isinstance(schema, dict):
        return schema
    out = dict(schema)
    nullable = out.pop("nullable", False)
    if "properties" in out:
        out["properties"] = {k: to_json_schema(v) for k, v in out["properties"].items()}
    for key in ("items", "additionalProperties"):
        if isinstance(out.get(key), dict):
            out[key] = to_json_schema(out[key])
    for key in ("anyOf", "allOf", "oneOf"):
        if key in out:
            out[key] = [
                {"type": "null"} if s == APISPEC_NULL else to_json_schema(s) for s in out[key]
            ]
    if nullable:
        if "type" in out:
            out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    return out


def spec_of(client: FlaskClient) -> dict[str, Any]:
    spec: dict[str, Any] = client.get(f"{API}/openapi.json").get_json()
    return spec


def validator(spec: dict[str, Any], path: str, method: str) -> jsonschema.Draft202012Validator:
    """A validator of the 200 answer of ``method path``, as the OpenAPI document declares it.

    The components travel inside the root schema, so its ``#/components/schemas/...``
    references resolve where OpenAPI put them."""
    answer = spec["paths"][path][method]["responses"]["200"]["content"]["application/json"]
    components = {k: to_json_schema(v) for k, v in spec["components"]["schemas"].items()}
    root = {**to_json_schema(answer["schema"]), "components": {"schemas": components}}
    jsonschema.Draft202012Validator.check_schema(root)
    return jsonschema.Draft202012Validator(root)


def check(v: jsonschema.Draft202012Validator, spec: dict[str, Any], doc: dict[str, Any]) -> None:
    """``doc`` fits the schema (every error listed), and its flags' evidence uses declared keys."""
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in v.iter_errors(doc)]
    assert errors == []
    result = doc["result"] if "viewer" in doc else doc  # a round's document holds it
    declared = set(spec["components"]["schemas"]["Evidence"]["properties"])
    for flag in [] if result is None else result["conflicts"]:
        assert set(flag["evidence"]) <= declared, flag["kind"]


# -- POST /api/v1/score ------------------------------------------------------------------------

FAST = {"speed": 50, "risk": 5, "revenue": 25, "cost": 20}
CAREFUL = {"speed": 5, "risk": 50, "revenue": 25, "cost": 20}
# Answers that score trust 5 and governance 1 (t2 is reversed), and the opposite.
TRUSTING = {"t1": 5, "t2": 1, "t3": 5, "g1": 1, "g2": 1, "g3": 1}
GOVERNING = {"t1": 1, "t2": 5, "t3": 1, "g1": 5, "g2": 5, "g3": 5}


def _pulling_apart() -> list[dict[str, Any]]:
    """Three a side at 58-62 points on opposite sides of the conflicting pair speed/risk."""
    return [
        mini_response(
            p,
            f"{p}{k}",
            priorities={lead: 58 + 2 * k, other: 12 - 2 * k, "revenue": 20, "cost": 10},
        )
        for p, lead, other in (("acme", "speed", "risk"), ("globex", "risk", "speed"))
        for k in range(3)
    ]


def _roles_apart() -> list[dict[str, Any]]:
    """Inside acme, five IT people and five lawyers differ on priorities and on dimensions."""
    it = [mini_response("acme", f"i{k}", "it", priorities=FAST, **TRUSTING) for k in range(5)]
    legal = [
        mini_response("acme", f"l{k}", "legal", priorities=CAREFUL, **GOVERNING) for k in range(5)
    ]
    return it + legal + [mini_response("globex", f"g{k}") for k in range(3)]


def _both_low_on_trust() -> list[dict[str, Any]]:
    """Both partners rate trust low and governance high, with some spread."""
    return [
        mini_response(p, f"{p}{k}", t1=1 + k % 2, t2=5 - k % 2, t3=1, g1=5, g2=5 - k % 2, g3=5)
        for p in ("acme", "globex")
        for k in range(6)
    ]


def _trust_apart() -> list[dict[str, Any]]:
    """acme rates trust 1-2, globex 4-5."""
    return [
        mini_response(p, f"{p}{k}", t1=low + k % 2, t2=6 - low - k % 2, t3=low + k % 2)
        for p, low in (("acme", 1), ("globex", 4))
        for k in range(5)
    ]


def _expect_nulls(doc: dict[str, Any]) -> None:
    assert doc["objectives"]["compatibility"] is None  # globex allocated nothing
    assert doc["objectives"]["profiles"]["globex"]["weights"] is None
    assert doc["dimensions"][0]["gap"] is None and doc["dimensions"][0]["gap_ci"] is None
    assert doc["alignment"]["ci"] is None
    assert "no_tests" in {w["code"] for w in doc["warnings"]}


def _expect_small(doc: dict[str, Any]) -> None:
    assert doc["objectives"]["compatibility_ci"] is None  # below 5 a side
    assert all(d["p_value"] is None for d in doc["dimensions"])  # no variation to test
    assert doc["alignment"]["band"] is None and doc["conflicts"] == []


def _expect_kinds(*kinds: str) -> Callable[[dict[str, Any]], None]:
    def expect(doc: dict[str, Any]) -> None:
        found = {f["kind"] for f in doc["conflicts"]}
        assert set(kinds) <= found, found

    return expect


CASES: dict[str, tuple[list[dict[str, Any]], Callable[[dict[str, Any]], None]]] = {
    "one_each_half_answered": (
        [
            mini_response("acme", "a"),
            mini_response("globex", "g", t1=None, t2=None, t3=None, priorities=None),
        ],
        _expect_nulls,
    ),
    "three_alike": (
        [mini_response(p, f"{p}{k}") for p in ("acme", "globex") for k in range(3)],
        _expect_small,
    ),
    "pulling_apart": (_pulling_apart(), _expect_kinds("objective_conflict")),
    "roles_apart": (_roles_apart(), _expect_kinds("internal_conflict")),
    "both_low_on_trust": (_both_low_on_trust(), _expect_kinds("shared_concern")),
    "trust_apart": (_trust_apart(), _expect_kinds("expectation_gap")),
}


@pytest.mark.parametrize("case", list(CASES))
def test_score_answers_fit_the_schema(mini_client: FlaskClient, case: str) -> None:
    responses, expect = CASES[case]
    spec = spec_of(mini_client)
    resp = mini_client.post(SCORE, json={"survey": "mini", "responses": responses})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    doc = resp.get_json()
    expect(doc)  # the case shows what it is meant to show
    check(validator(spec, SCORE, "post"), spec, doc)


def test_the_cases_reach_every_kind_of_flag(mini_client: FlaskClient) -> None:
    """Together the cases above put every kind of evidence (both internal-conflict rules) and a
    strength through the schema."""
    kinds, rules, strengths = set(), set(), 0
    for responses, _ in CASES.values():
        doc = mini_client.post(SCORE, json={"survey": "mini", "responses": responses}).get_json()
        kinds |= {f["kind"] for f in doc["conflicts"]}
        rules |= {f["evidence"]["rule"] for f in doc["conflicts"] if "rule" in f["evidence"]}
        strengths += len(doc["strengths"])
    assert kinds == set(
        spec_of(mini_client)["components"]["schemas"]["Conflict"]["properties"]["kind"]["enum"]
    )
    assert rules == {"dimensions", "objectives"} and strengths


# -- GET .../rounds/{n}/results ----------------------------------------------------------------


def _answers(
    survey: Survey, rng: np.random.Generator, high: str = "", low: str = ""
) -> dict[str, Any]:
    """Every item of ``survey``: Likert answers scored 2-4 at random, 5 on the dimension
    ``high`` and 1 on ``low``; an even allocation."""
    out: dict[str, Any] = {}
    for item in survey.items_of("likert"):
        scored = {high: 5, low: 1}.get(item.dimension or "", int(rng.integers(2, 5)))
        out[item.id] = 6 - scored if item.reverse else scored  # 1-5 scales
    objectives = survey.objective_ids
    points = {o: 100 // len(objectives) for o in objectives}
    points[objectives[0]] += 100 - sum(points.values())
    out["priorities"] = points
    return out


def _leaning(survey: Survey, to: str, away: str) -> dict[str, int]:
    """50 points on ``to``, 8 on ``away``, 6 on each of the others."""
    return {o: 50 if o == to else 8 if o == away else 6 for o in survey.objective_ids}


def test_round_results_fit_the_schema(client: FlaskClient, default_survey: Survey) -> None:
    """Admin and partner views: no result yet; acme's internal conflicts in full for acme and
    withheld for globex; a partner's view withheld entirely; acme's own flags withheld."""
    spec = spec_of(client)
    v = validator(spec, RESULTS, "get")
    w = World(client)
    url = f"{w.base}/rounds/1/results"
    rng = np.random.default_rng(4)
    s = default_survey
    for k in range(5):
        it = _answers(s, rng, high="strategic_fit", low="governance")
        it["priorities"] = _leaning(s, "speed_to_market", "risk_control")
        legal = _answers(s, rng, high="governance", low="strategic_fit")
        legal["priorities"] = _leaning(s, "risk_control", "speed_to_market")
        assert w.put("acme", f"it{k}", it, role="it").status_code == 200
        assert w.put("acme", f"legal{k}", legal, role="legal").status_code == 200

    def get(headers: dict[str, str]) -> dict[str, Any]:
        resp = client.get(url, headers=headers)
        assert resp.status_code == 200, resp.get_data(as_text=True)
        doc: dict[str, Any] = resp.get_json()
        check(v, spec, doc)
        return doc

    waiting = get(w.admin)
    assert waiting["result"] is None and waiting["reasons"]["result"] == "waiting_for_globex"
    for k, role in enumerate(("legal", "it", "finance")):
        assert w.put("globex", f"g{k}", _answers(s, rng), role=role).status_code == 200

    admin = get(w.admin)["result"]
    internal = [f for f in admin["conflicts"] if f["kind"] == "internal_conflict"]
    assert {f["evidence"]["rule"] for f in internal} == {"dimensions", "objectives"}
    own = get(w.keys["acme"])["result"]
    assert [f for f in own["conflicts"] if f["kind"] == "internal_conflict"] == internal
    other = get(w.keys["globex"])["result"]
    withheld = [f for f in other["conflicts"] if f["kind"] == "internal_conflict"]
    assert len(withheld) == 2
    assert all(f["evidence"]["withheld"] == "role_level" and f["roles"] == [] for f in withheld)
    assert other["sample"]["globex"]["roles"] == {"other_roles": 3}

    # Groups of 6: globex's 3 are too few for acme to see anything, also once the round is
    # closed; with 6 of globex, acme's own role groups of 5 are too small for its own flags'
    # details.
    assert client.patch(w.base, json={"min_group_size": 6}, headers=w.admin).status_code == 200
    hidden = get(w.keys["acme"])
    assert hidden["result"] is None
    assert hidden["reasons"]["result"] == "other_partner_below_min_group_size"
    for k, role in enumerate(("legal", "it", "finance"), start=3):
        assert w.put("globex", f"g{k}", _answers(s, rng), role=role).status_code == 200
    closed = client.patch(f"{w.base}/rounds/1", json={"status": "closed"}, headers=w.admin)
    assert closed.status_code == 200
    own = get(w.keys["acme"])["result"]
    mine = [f for f in own["conflicts"] if f["kind"] == "internal_conflict"]
    assert mine and all("withheld" in f["evidence"] for f in mine)
    assert own["consensus"]["acme"]["role_compatibility"]["withheld_pairs"] == 1


# -- the schema has teeth ----------------------------------------------------------------------


def _broken(doc: dict[str, Any], change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    change(out)
    return out


BREAKS: dict[str, Callable[[dict[str, Any]], object]] = {
    "score_as_string": lambda d: d["alignment"].update(score="high"),
    "flag_without_kind": lambda d: d["conflicts"][0].pop("kind"),
    "unknown_kind": lambda d: d["conflicts"][0].update(kind="disagreement"),
    "evidence_p_as_string": lambda d: d["conflicts"][0]["evidence"].update(p_value="0.01"),
    "interval_of_one": lambda d: d["dimensions"][0].update(gap_ci=[1.0]),
    "undeclared_key": lambda d: d["alignment"]["components"]["compatibility"].update(extra=1),
    "null_share": lambda d: d["objectives"]["profiles"]["acme"]["weights"].update(speed=None),
    "rwg_as_string": lambda d: d["consensus"]["acme"]["rwg_j"].update(trust="high"),
    "no_seed": lambda d: d["method"].pop("seed"),
    "three_partners": lambda d: d["partners"].append("initech"),
    "unknown_warning": lambda d: d["warnings"].append({"code": "odd", "message": "?"}),
}


@pytest.mark.parametrize("name", list(BREAKS))
def test_a_broken_document_fails(mini_client: FlaskClient, name: str) -> None:
    spec = spec_of(mini_client)
    body = {"survey": "mini", "responses": _pulling_apart()}
    doc = mini_client.post(SCORE, json=body).get_json()
    assert doc["conflicts"]
    broken = _broken(doc, BREAKS[name])
    assert not validator(spec, SCORE, "post").is_valid(broken)
    # ... also where a round's document holds it (a nullable reference must still constrain).
    envelope = {
        "alliance": "a",
        "round": {},
        "viewer": "admin",
        "completion": {},
        "result": broken,
        "reasons": {},
    }
    results = validator(spec, RESULTS, "get")
    assert not results.is_valid(envelope)
    assert results.is_valid({**envelope, "result": doc})


def test_evidence_is_open_and_every_other_block_closed(mini_client: FlaskClient) -> None:
    """A new evidence key passes; every other block of the result forbids undeclared keys."""
    spec = spec_of(mini_client)
    schemas = spec["components"]["schemas"]
    body = {"survey": "mini", "responses": _pulling_apart()}
    doc = mini_client.post(SCORE, json=body).get_json()
    more = _broken(doc, lambda d: d["conflicts"][0]["evidence"].update(odds_ratio=2.5))
    assert validator(spec, SCORE, "post").is_valid(more)

    def reachable(name: str, seen: set[str]) -> set[str]:
        seen.add(name)
        text = str(schemas[name])
        for other in schemas:
            if f"#/components/schemas/{other}'" in text and other not in seen:
                reachable(other, seen)
        return seen

    blocks = reachable("Result", set())
    assert {"Alignment", "Objectives", "Dimension", "Consensus", "Conflict"} <= blocks
    assert schemas["Evidence"]["additionalProperties"] is True
    closed = {name for name in blocks if schemas[name].get("additionalProperties") is False}
    assert closed == blocks - {"Evidence"}
