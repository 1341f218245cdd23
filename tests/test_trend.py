"""GET /alliances/{id}/trend: rounds in order, drift between them, as each caller may see it;
on SQLite and PostgreSQL through the HTTP surface."""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from scoring_service.app import create_app
from scoring_service.config import DEFAULT_SURVEYS
from scoring_service.surveys import Survey, load_registry

from .helpers import World, answers, settings_for

DIM = "commitment"


def _set(survey: Survey, seed: int, value: int) -> dict[str, Any]:
    """A response whose ``commitment`` items all score ``value`` (reverse items turned)."""
    out = answers(survey, seed)
    for item in survey.items_of("likert"):
        if item.dimension == DIM:
            out[item.id] = 6 - value if item.reverse else value
    return out


def _raised(survey: Survey, k: int, seed: int) -> dict[str, Any]:
    """Person ``k``'s round 1: much commitment, 5 or 4."""
    return _set(survey, seed, 5 - k % 2)


def _lowered(survey: Survey, k: int, seed: int) -> dict[str, Any]:
    """Person ``k``'s round 2: little commitment, 2 or 1 (a fall of 2 to 4 points)."""
    return _set(survey, seed, 1 + (k % 3 == 0))


def _put(w: World, n: int, key: str, ref: str, body: dict[str, Any], **extra: Any) -> None:
    url = f"{w.base}/rounds/{n}/responses/{ref}"
    answer = w.client.put(
        url, json={"role": "legal", "answers": body, **extra}, headers=w.keys[key]
    )
    assert answer.status_code == 200, answer.json


def _next_round(w: World, label: str) -> None:
    rounds = w.client.get(f"{w.base}/rounds", headers=w.admin).json["items"]
    last = rounds[-1]["n"]
    closed = w.client.patch(f"{w.base}/rounds/{last}", json={"status": "closed"}, headers=w.admin)
    assert closed.status_code == 200
    assert (
        w.client.post(f"{w.base}/rounds", json={"label": label}, headers=w.admin).status_code == 201
    )


def _two_rounds(stored: FlaskClient, survey: Survey, globex_after: int = 6) -> World:
    """Round 1: six a side near the top of commitment; round 2: the same people near its
    bottom (globex with ``globex_after`` of them)."""
    w = World(stored)
    for k in range(6):
        _put(w, 1, "acme", f"a{k}", _raised(survey, k, k))
        _put(w, 1, "globex", f"g{k}", _raised(survey, k, 10 + k))
    _next_round(w, "Q2")
    for k in range(6):
        _put(w, 2, "acme", f"a{k}", _lowered(survey, k, 100 + k))
    for k in range(globex_after):
        _put(w, 2, "globex", f"g{k}", _lowered(survey, k, 110 + k))
    return w


def _no_nan(value: Any) -> None:
    if isinstance(value, float):
        assert math.isfinite(value)
    elif isinstance(value, dict):
        for v in value.values():
            _no_nan(v)
    elif isinstance(value, list):
        for v in value:
            _no_nan(v)


def test_admin_sees_rounds_and_the_decline(stored: FlaskClient, default_survey: Survey) -> None:
    w = _two_rounds(stored, default_survey)
    answer = stored.get(f"{w.base}/trend", headers=w.admin)
    assert answer.status_code == 200 and "Accept" in answer.headers["Vary"]
    doc = answer.json
    _no_nan(doc)
    assert doc["viewer"] == "admin" and doc["partners"] == ["acme", "globex"]
    one, two = doc["rounds"]
    assert (one["n"], one["status"], one["provisional"]) == (1, "closed", False)
    assert (two["n"], two["label"], two["status"], two["provisional"]) == (2, "Q2", "open", True)
    assert one["engine_version"] == two["engine_version"] is not None
    assert two["completion"] == {
        "acme": {"complete": 6, "partial": 0},
        "globex": {"complete": 6, "partial": 0},
    }
    # The round's figures are the results document's.
    results = stored.get(f"{w.base}/rounds/2/results", headers=w.admin).json["result"]
    assert two["alignment"]["score"] == results["alignment"]["score"]
    dims = {d["id"]: d for d in two["dimensions"]}
    assert dims[DIM]["means"] == next(d for d in results["dimensions"] if d["id"] == DIM)["means"]
    [entry] = doc["drift"]
    assert (entry["from"], entry["to"], entry["span"], entry["provisional"]) == (
        1,
        2,
        "consecutive",
        True,
    )
    assert entry["paired"] == {"acme": 6, "globex": 6}
    assert entry["left_out"] == {"items": [], "dimensions": [], "objectives": []}
    change = next(c for c in entry["dimensions"]["acme"] if c["dimension"] == DIM)
    assert change["before"] == 4.5 and change["after"] == pytest.approx(4 / 3, abs=1e-9)
    assert change["change"] == pytest.approx(-19 / 6, abs=1e-9) and change["n"] == {
        "before": 6,
        "after": 6,
        "paired": 6,
    }
    low, high = change["ci"]
    assert low < -19 / 6 < high < 0
    other = next(c for c in entry["dimensions"]["acme"] if c["dimension"] == "strategic_fit")
    assert other["n"] == {"before": 6, "after": 6, "paired": 6}
    [flag] = [f for f in entry["flags"] if f["id"] == f"dimension_decline:{DIM}"]
    assert flag["dimensions"] == [DIM] and flag["partners"] == ["acme", "globex"]
    assert flag["severity"] == "high" and flag["evidence"]["acme"]["q_value"] <= 0.04
    # The index of both rounds, as the engine computed it (same survey: nothing left out).
    assert entry["alignment"]["before"] == one["alignment"]["score"]
    assert entry["alignment"]["after"] == two["alignment"]["score"]


def test_a_partner_sees_drift_only_where_both_rounds_show_the_other(
    stored: FlaskClient, default_survey: Survey
) -> None:
    """globex has 2 < 3 complete responses in round 2: acme sees its own changes only; globex
    sees acme's (6 in both rounds)."""
    w = _two_rounds(stored, default_survey, globex_after=2)
    acme = stored.get(f"{w.base}/trend", headers=w.keys["acme"]).json
    assert acme["viewer"] == "partner:acme"
    assert acme["rounds"][1]["alignment"] is None
    assert acme["rounds"][1]["reasons"]["result"] == "other_partner_below_min_group_size"
    [entry] = acme["drift"]
    assert (
        entry["alignment"] is None
        and entry["reasons"]["other_partner"] == "other_partner_below_min_group_size"
    )
    assert set(entry["dimensions"]) == {"acme"} and set(entry["profiles"]) == {"acme"}
    assert entry["paired"] == {"acme": 6}
    assert all(f["partners"] == ["acme"] and set(f["evidence"]) == {"acme"} for f in entry["flags"])
    assert f"dimension_decline:{DIM}" in [f["id"] for f in entry["flags"]]
    assert {f["kind"] for f in entry["flags"]} == {"dimension_decline"}
    # acme's own part uses none of globex's hidden answers: another globex, the same part.
    twin = World(stored)
    for k in range(6):
        _put(twin, 1, "acme", f"a{k}", _raised(default_survey, k, k))
        _put(twin, 1, "globex", f"g{k}", _raised(default_survey, k, 10 + k))
    _next_round(twin, "Q2")
    for k in range(6):
        _put(twin, 2, "acme", f"a{k}", _lowered(default_survey, k, 100 + k))
    for k in range(2):
        _put(twin, 2, "globex", f"g{k}", answers(default_survey, 500 + k))
    [same] = stored.get(f"{twin.base}/trend", headers=twin.keys["acme"]).json["drift"]
    assert same == entry
    # The CSV has acme's own rows of round 2 (its figures there are its own).
    table = stored.get(f"{w.base}/trend?format=csv", headers=w.keys["acme"]).get_data(True)
    rows = [r for r in csv.DictReader(io.StringIO(table)) if r["round"] == "2"]
    assert rows and {r["partner"] for r in rows} == {"acme"}
    fell = next(r for r in rows if (r["kind"], r["name"]) == ("dimension", DIM))
    assert float(fell["value"]) == pytest.approx(4 / 3) and float(fell["change"]) < 0
    globex = stored.get(f"{w.base}/trend", headers=w.keys["globex"]).json
    [seen] = globex["drift"]
    assert set(seen["dimensions"]) == {"acme", "globex"} and seen["alignment"] is not None
    # Closing round 2 lifts nothing.
    stored.patch(f"{w.base}/rounds/2", json={"status": "closed"}, headers=w.admin)
    closed = stored.get(f"{w.base}/trend", headers=w.keys["acme"]).json
    assert closed["rounds"][1]["provisional"] is False and closed["rounds"][1]["alignment"] is None
    assert closed["drift"][0]["alignment"] is None


def test_three_rounds_and_the_first_to_latest(stored: FlaskClient, default_survey: Survey) -> None:
    w = _two_rounds(stored, default_survey)
    _next_round(w, "Q3")
    for k in range(3):  # new people only: nobody paired with round 1 or 2
        _put(w, 3, "acme", f"new-a{k}", answers(default_survey, 200 + k))
        _put(w, 3, "globex", f"new-g{k}", answers(default_survey, 210 + k))
    doc = stored.get(f"{w.base}/trend", headers=w.admin).json
    assert [r["n"] for r in doc["rounds"]] == [1, 2, 3]
    spans = [(e["from"], e["to"], e["span"]) for e in doc["drift"]]
    assert spans == [(1, 2, "consecutive"), (2, 3, "consecutive"), (1, 3, "first_to_latest")]
    assert doc["drift"][1]["paired"] == {"acme": 0, "globex": 0}


def test_a_round_without_answers_says_why(stored: FlaskClient, default_survey: Survey) -> None:
    w = World(stored)
    _put(w, 1, "acme", "a0", answers(default_survey, 1))
    _next_round(w, "Q2")
    doc = stored.get(f"{w.base}/trend", headers=w.admin).json
    assert doc["rounds"][0]["reasons"]["result"] == "waiting_for_globex"
    assert doc["rounds"][1]["alignment"] is None
    [entry] = doc["drift"]
    assert entry["reasons"]["drift"] == "no_responses_of_acme_and_globex"  # none in round 2
    assert entry["alignment"] is None and entry["flags"] == []
    # One round, no drift.
    one = World(stored)
    assert stored.get(f"{one.base}/trend", headers=one.admin).json["drift"] == []


def test_trend_csv(stored: FlaskClient, default_survey: Survey) -> None:
    w = _two_rounds(stored, default_survey)
    answer = stored.get(f"{w.base}/trend?format=csv", headers=w.admin)
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert "Accept" in answer.headers["Vary"]
    assert answer.headers["Content-Disposition"] == f'attachment; filename="{w.id}-trend.csv"'
    rows = list(csv.DictReader(io.StringIO(answer.get_data(True))))
    dims, objs = len(default_survey.dimensions), len(default_survey.objective_ids)
    assert len(rows) == 2 * (1 + 2 * (dims + objs))
    fell = next(
        r
        for r in rows
        if (r["round"], r["partner"], r["kind"], r["name"]) == ("2", "acme", "dimension", DIM)
    )
    assert float(fell["value"]) == pytest.approx(4 / 3, abs=1e-9)
    assert float(fell["change"]) == pytest.approx(-19 / 6, abs=1e-9)
    assert float(fell["change_high"]) < 0 and float(fell["q_value"]) <= 0.04
    first = next(r for r in rows if (r["round"], r["kind"]) == ("1", "alignment"))
    assert first["change"] == "" and first["provisional"] == "false"
    by_accept = stored.get(f"{w.base}/trend", headers={**w.admin, "Accept": "text/csv"})
    assert by_accept.get_data(True) == answer.get_data(True)


def test_trend_refuses(stored: FlaskClient) -> None:
    w = World(stored)
    other = World(stored)
    assert stored.get(f"{w.base}/trend").status_code == 401
    assert stored.get(f"{w.base}/trend", headers=other.admin).status_code == 404
    bad = stored.get(f"{w.base}/trend?format=xml", headers=w.admin)
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    assert "format" in str(bad.json)
    invited = stored.post(
        f"{w.base}/rounds/1/invitations",
        json={"partner": "acme", "role": "legal"},
        headers=w.admin,
    ).json
    as_invitee = stored.get(
        f"{w.base}/trend", headers={"Authorization": f"Bearer {invited['token']}"}
    )
    assert as_invitee.status_code == 403


def test_etag_and_a_change(stored: FlaskClient, default_survey: Survey) -> None:
    """The same trend twice: one ETag, 304 on If-None-Match; a new answer changes it."""
    w = _two_rounds(stored, default_survey, globex_after=3)
    url = f"{w.base}/trend"
    first = stored.get(url, headers=w.admin)
    etag = first.headers["ETag"]
    again = stored.get(url, headers={**w.admin, "If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag
    assert "Accept" in again.headers["Vary"]
    csv_answer = stored.get(f"{url}?format=csv", headers={**w.admin, "If-None-Match": etag})
    assert csv_answer.status_code == 200 and csv_answer.headers["ETag"] == etag[:-1] + '-csv"'
    partner = stored.get(url, headers=w.keys["acme"])
    assert partner.headers["ETag"] != etag  # another viewer, another document
    _put(w, 2, "globex", "g5", _lowered(default_survey, 5, 115))
    changed = stored.get(url, headers={**w.admin, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.json["drift"][0]["paired"] == {"acme": 6, "globex": 4}


def test_rounds_on_two_versions(migrated_url: str, tmp_path: Path) -> None:
    """Round 1 on version 1; the service restarts with a version 2 without item sf4; round 2
    pins version 2 and the drift compares what both share."""
    only_v1, both = tmp_path / "v1", tmp_path / "both"
    text = (DEFAULT_SURVEYS / "alliance-objectives" / "1.toml").read_text()
    (only_v1 / "alliance-objectives").mkdir(parents=True)
    (only_v1 / "alliance-objectives" / "1.toml").write_text(text)
    (both / "alliance-objectives").mkdir(parents=True)
    (both / "alliance-objectives" / "1.toml").write_text(text)
    v2 = re.sub(r'\[\[items\]\]\nid = "sf4"\n(?:.+\n)+', "", text).replace(
        "version = 1", "version = 2", 1
    )
    assert v2 != text
    (both / "alliance-objectives" / "2.toml").write_text(v2)
    v1_survey = load_registry(only_v1).get("alliance-objectives")
    first = create_app(settings_for(migrated_url, tmp_path / "a", surveys_dir=only_v1))
    w = World(first.test_client())
    for k in range(4):
        _put(w, 1, "acme", f"a{k}", answers(v1_survey, k))
        _put(w, 1, "globex", f"g{k}", answers(v1_survey, 10 + k))
    first.extensions["scoring"].store.dispose()
    second = create_app(settings_for(migrated_url, tmp_path / "b", surveys_dir=both))
    try:
        w.client = second.test_client()
        _next_round(w, "Q2")
        v2_survey = load_registry(both).get("alliance-objectives", 2)
        assert "sf4" not in {i.id for i in v2_survey.items}
        for k in range(4):
            _put(w, 2, "acme", f"a{k}", answers(v2_survey, 100 + k))
            _put(w, 2, "globex", f"g{k}", answers(v2_survey, 110 + k))
        doc = w.client.get(f"{w.base}/trend", headers=w.admin).json
        assert [r["survey"]["version"] for r in doc["rounds"]] == [1, 2]
        [entry] = doc["drift"]
        assert entry["left_out"] == {"items": ["sf4"], "dimensions": [], "objectives": []}
        assert "strategic_fit" in entry["compared"]["dimensions"]
        assert entry["alignment"]["change"] is not None
    finally:
        second.extensions["scoring"].store.dispose()
