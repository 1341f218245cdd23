"""The application layer: the round-state rule against the SQL claim, the results fingerprint,
and the one mapping of domain errors to HTTP."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import update

from scoring_service import create_app, errors
from scoring_service.api.problems import STATUSES
from scoring_service.config import Settings
from scoring_service.services import fingerprint
from scoring_service.services.round_state import load, status_at
from scoring_service.store.models import CachedResult, Round
from scoring_service.store.writes import claim_open_round
from scoring_service.surveys import Survey

from .helpers import OPERATOR, World, answers, bearer, new_alliance, settings_for

T = dt.datetime(2030, 6, 1, 12, 0, tzinfo=dt.UTC)
TICK = dt.timedelta(microseconds=1)


@pytest.mark.parametrize(
    ("stored_status", "closes_at", "at", "expected"),
    [
        ("open", None, T, "open"),
        ("open", T, T - TICK, "open"),
        ("open", T, T, "closed"),  # the closing time itself is closed
        ("open", T, T + TICK, "closed"),
        ("closed", None, T, "closed"),
        ("closed", T + dt.timedelta(days=1), T, "closed"),
    ],
)
def test_status_rule(stored_status: str, closes_at: dt.datetime | None, at: Any, expected: str):
    assert status_at(stored_status, closes_at, at) == expected


def test_the_sql_claim_agrees_with_the_rule_at_the_boundary(stored_app: Flask) -> None:
    """``store.writes.CLAIM`` (the write path's check, in SQL) and ``status_at`` (every read's)
    decide alike just before, at and just after ``closes_at``, on both databases (SQLite keeps
    microseconds in text, PostgreSQL in timestamptz)."""
    w = World(stored_app.test_client())
    store = stored_app.extensions["scoring"].store
    with store.write_core() as conn:
        conn.execute(update(Round).where(Round.alliance_id == w.id).values(closes_at=T))
    for at in (T - TICK, T, T + TICK, T - dt.timedelta(days=1), T + dt.timedelta(days=1)):
        with store.reader.connect() as conn:
            r = load(conn, w.id, 1)
        assert r is not None and r.closes_at == T
        rule = status_at("open", r.closes_at, at) == "open"
        with store.engine.connect() as conn, conn.begin() as tx:
            claimed = claim_open_round(conn, r.id, at)
            tx.rollback()
        assert claimed == rule, at


def test_every_domain_error_has_an_answer() -> None:
    """A domain error without a status would be a 500: every subclass of the base maps (the
    start-up's SurveyDefinitionError never reaches a request)."""

    def subclasses(cls: type) -> set[type]:
        return {c for sub in cls.__subclasses__() for c in {sub} | subclasses(sub)}

    raised = subclasses(errors.ScoringError) - {errors.SurveyDefinitionError}
    assert len(raised) >= 9
    for cls in raised:
        assert any(issubclass(cls, mapped) for mapped, _, _ in STATUSES), cls
    statuses = {c: s for c, s, _ in STATUSES}
    assert statuses[errors.Conflict] == 409 and statuses[errors.Unavailable] == 503
    assert issubclass(errors.RoundClosed, errors.Conflict)


def test_a_round_past_its_closing_time_is_closed_everywhere(
    stored_app: Flask, default_survey: Survey
) -> None:
    """Stored as open but past ``closes_at``: it reads as closed, refuses answers (409) and
    invitations' forms (410), and the next round opens, storing this one as closed."""
    client = stored_app.test_client()
    w = World(client)
    assert w.put("acme", "a0", answers(default_survey, 0), complete=True).status_code == 200
    invited = client.post(
        f"{w.base}/rounds/1/invitations", json={"role": "it"}, headers=w.keys["acme"]
    )
    assert invited.status_code == 201
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    store = stored_app.extensions["scoring"].store
    with store.write_core() as conn:
        conn.execute(update(Round).where(Round.alliance_id == w.id).values(closes_at=past))
    shown = client.get(f"{w.base}/rounds/1", headers=w.admin).json
    assert shown["status"] == "closed" and shown["closed_at"] is not None
    late = w.put("acme", "a1", answers(default_survey, 1), complete=True)
    assert late.status_code == 409 and late.json["title"] == "Conflict"
    assert client.get(f"/forms/{invited.json['token']}").status_code == 410
    assert client.post(f"{w.base}/rounds", json={"label": "Q2"}, headers=w.admin).status_code == 201
    with store.reader.connect() as conn:
        first = load(conn, w.id, 1)
    assert first is not None and not first.stored_open and first.status == "closed"


def test_the_fingerprint_changes_with_everything_that_changes_the_document(
    default_survey: Survey,
) -> None:
    base = Settings()
    same = fingerprint(base, default_survey)
    assert fingerprint(Settings(), default_survey) == same and len(same) == 32
    changed = {
        fingerprint(dataclasses.replace(base, bootstrap_resamples=999), default_survey),
        fingerprint(dataclasses.replace(base, confidence=0.9), default_survey),
        fingerprint(base, dataclasses.replace(default_survey, digest="0" * 64)),
        fingerprint(base, dataclasses.replace(default_survey, version=99)),
    }
    assert same not in changed and len(changed) == 4


def test_a_restart_with_other_settings_recomputes_stored_results(
    tmp_path: Path, default_survey: Survey
) -> None:
    """The results cache is keyed by the fingerprint: the same database served with another
    number of permutations answers a recomputed document, not the old one."""
    url = f"sqlite:///{tmp_path / 'scoring.db'}"
    first = create_app(settings_for(url, tmp_path, bootstrap_resamples=300))
    w = World(first.test_client())
    for k in range(3):
        assert w.put("acme", f"a{k}", answers(default_survey, k), complete=True).status_code == 200
        assert (
            w.put("globex", f"g{k}", answers(default_survey, 9 + k), complete=True).status_code
            == 200
        )
    results = f"{w.base}/rounds/1/results"
    before = first.test_client().get(results, headers=w.admin)
    assert before.status_code == 200 and before.json["result"]["method"]["permutations"] == 300
    again = first.test_client().get(results, headers=w.admin)
    assert again.headers["ETag"] == before.headers["ETag"]  # cached, same settings
    first.extensions["scoring"].store.dispose()

    second = create_app(settings_for(url, tmp_path, bootstrap_resamples=400))
    after = second.test_client().get(results, headers=w.admin)
    assert after.status_code == 200 and after.json["result"]["method"]["permutations"] == 400
    assert after.headers["ETag"] != before.headers["ETag"]
    with second.extensions["scoring"].store.read() as session:
        kept = session.query(CachedResult.fingerprint).distinct().count()
    assert kept == 2  # one document per fingerprint; the old one is not served
    second.extensions["scoring"].store.dispose()


def test_field_problems_carry_a_code_and_its_params_as_published(client: Any) -> None:
    """A 422 names each problem for people (message) and for programs (code, params), and the
    OpenAPI document publishes that shape."""
    body = {
        "survey": "alliance-objectives",
        "responses": [{"partner": "a", "role": "it", "respondent": "1", "answers": {"sf1": 0}}],
    }
    answer = client.post("/api/v1/score", json=body)
    assert answer.status_code == 422
    assert answer.json["errors"][0] == {
        "path": "responses[0].answers.sf1",
        "message": "must be an integer between 1 and 5",
        "code": "out_of_range",
        "params": {"min": 1, "max": 5},
    }
    published = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    problem = published["FieldProblem"]
    assert set(problem["properties"]) == {"path", "message", "code", "params"}
    assert set(problem["required"]) == {"path", "message", "code", "params"}


def test_the_operator_lists_alliances_newest_first_without_secrets(stored: Any) -> None:
    made = [new_alliance(stored, name=f"A{k}") for k in range(3)]
    op = bearer(OPERATOR)
    first = stored.get("/api/v1/alliances?limit=2", headers=op)
    assert first.status_code == 200
    assert [a["name"] for a in first.json["items"]] == ["A2", "A1"]
    assert all("admin_key" not in a and "key" not in a for a in first.json["items"])
    cursor = first.json["next_cursor"]
    rest = stored.get("/api/v1/alliances", query_string={"limit": 2, "cursor": cursor}, headers=op)
    assert [a["name"] for a in rest.json["items"]] == ["A0"] and rest.json["next_cursor"] is None
    assert rest.json["items"][0]["id"] == made[0]["id"]
    # Nobody else learns that alliances exist; a cursor this API did not give is named.
    assert stored.get("/api/v1/alliances", headers=bearer(made[0]["admin_key"])).status_code == 404
    assert stored.get("/api/v1/alliances").status_code == 401
    bad = stored.get("/api/v1/alliances?cursor=yesterday", headers=op)
    assert bad.status_code == 422 and bad.json["errors"][0]["code"] == "bad_cursor"
