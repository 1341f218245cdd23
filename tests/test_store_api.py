"""Stored alliances, keys, rounds, responses and results over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from scoring_service import create_app
from scoring_service.surveys import Survey

from .helpers import API, OPERATOR, World, answers, bearer, new_alliance, settings_for


def problem(resp: Any, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.mimetype == "application/problem+json"
    doc: dict[str, Any] = resp.get_json()
    assert doc["status"] == status
    return doc


def test_a_round_closed_between_check_and_write_takes_nothing(
    stored_app: Flask, default_survey: Survey
) -> None:
    """The view checks the round is open, then writes; a close in between must win: 409 and
    nothing stored (the claim and the upserts are one transaction on both databases)."""
    from scoring_service.errors import RoundClosed
    from scoring_service.services import responses
    from scoring_service.services.round_state import load
    from scoring_service.store.queries import partners

    w = World(stored_app.test_client())
    assert w.put("acme", "ann", answers(default_survey, 1), complete=True).status_code == 200
    store = stored_app.extensions["scoring"].store
    with store.reader.connect() as conn:
        stale = load(conn, w.id, 1)
        acme = partners(conn, w.id)["acme"]
    assert stale is not None and stale.status == "open"
    closed = w.client.patch(f"{w.base}/rounds/1", json={"status": "closed"}, headers=w.admin)
    assert closed.status_code == 200
    body = {"role": "it", "label": "late", "answers": {"sf1": 2}, "complete": False}
    for ref in ("ann", "bob"):  # a replacement and a new person
        write = responses.Write(stale, acme, "acme", ref, body)
        # The units of work the views use: PostgreSQL's autocommit connection, SQLite's
        # write transaction.
        unit = store.reader.connect() if store.dialect == "postgresql" else store.write_core()
        with unit as conn, pytest.raises(RoundClosed):
            responses.save(conn, write)
    listed = w.client.get(f"{w.base}/rounds/1/responses", headers=w.admin).json["items"]
    assert [(x["respondent"], x["role"], x["complete"]) for x in listed] == [("ann", "legal", True)]
    people = w.client.get(f"{w.base}/stakeholders", headers=w.admin).json["items"]
    assert [(x["respondent"], x["label"]) for x in people] == [("ann", None)]


def test_create_alliance_needs_the_operator(stored: FlaskClient) -> None:
    body = {
        "name": "A",
        "partners": [{"key": "a", "name": "A"}, {"key": "b", "name": "B"}],
        "survey": "alliance-objectives",
    }
    problem(stored.post(f"{API}/alliances", json=body), 401)
    problem(stored.post(f"{API}/alliances", json=body, headers=bearer("op_wrong")), 401)
    made = new_alliance(stored)
    assert made["admin_key"].startswith("sk_admin_") and len(made["admin_key"]) >= 9 + 32
    assert made["min_group_size"] == 3 and [p["key"] for p in made["partners"]] == [
        "acme",
        "globex",
    ]
    # An admin key is no operator: it cannot create alliances, and learns nothing.
    problem(stored.post(f"{API}/alliances", json=body, headers=bearer(made["admin_key"])), 404)


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"partners": [{"key": "a", "name": "A"}]}, "partners"),
        ({"partners": [{"key": "a", "name": "A"}, {"key": "a", "name": "B"}]}, "partners"),
        ({"partners": [{"key": "A B", "name": "A"}, {"key": "b", "name": "B"}]}, "partners[0].key"),
        ({"survey": "nope"}, "survey"),
        ({"frame_ancestors": ["https://x.example/path"]}, "frame_ancestors[0]"),
        ({"min_group_size": 0}, "min_group_size"),
        ({"name": ""}, "name"),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_alliance_bodies_name_the_field(
    stored: FlaskClient, change: dict[str, Any], path: str
) -> None:
    body = {
        "name": "A",
        "partners": [{"key": "a", "name": "A"}, {"key": "b", "name": "B"}],
        "survey": "alliance-objectives",
    } | change
    doc = problem(stored.post(f"{API}/alliances", json=body, headers=bearer(OPERATOR)), 422)
    assert path in [e["path"] for e in doc["errors"]]


def _key_id(client: FlaskClient, w: World, partner: str) -> str:
    """The id of the partner's live key."""
    keys = client.get(f"{w.base}/partners/{partner}/keys", headers=w.admin).json["items"]
    return str(next(k["id"] for k in keys if k["revoked_at"] is None))


def test_keys_and_access(stored: FlaskClient) -> None:
    w = World(stored)
    other = World(stored)
    # Read: admin and partner; write: admin only (403); another alliance's key: 404.
    assert stored.get(w.base, headers=w.keys["acme"]).json["id"] == w.id
    problem(stored.patch(w.base, json={"name": "B"}, headers=w.keys["acme"]), 403)
    problem(stored.get(w.base, headers=other.admin), 404)
    problem(stored.get(f"{API}/alliances/nope", headers=w.admin), 404)
    problem(stored.get(w.base), 401)
    assert stored.patch(w.base, json={"name": "B"}, headers=w.admin).json["name"] == "B"
    # Partner keys: listed without secrets, revocable.
    listed = stored.get(f"{w.base}/partners/acme/keys", headers=w.admin).json["items"]
    assert (
        len(listed) == 1 and "key" not in listed[0] and listed[0]["hint"].startswith("sk_partner_")
    )
    resp = stored.delete(f"{w.base}/partners/acme/keys/{listed[0]['id']}", headers=w.admin)
    assert resp.status_code == 204
    problem(stored.get(w.base, headers=w.keys["acme"]), 401)
    problem(
        stored.delete(f"{w.base}/partners/acme/keys/{listed[0]['id']}", headers=other.admin), 404
    )
    # Rotating a partner key: a new one for the same partner, the old one revoked at once.
    fresh = stored.post(
        f"{w.base}/partners/globex/keys/{_key_id(stored, w, 'globex')}/rotate", headers=w.admin
    )
    assert fresh.status_code == 201 and fresh.json["partner"] == "globex"
    problem(stored.get(w.base, headers=w.keys["globex"]), 401)
    assert stored.get(w.base, headers=bearer(fresh.json["key"])).status_code == 200
    # Rotating the admin key: the new one works, the old one is revoked.
    new = stored.post(f"{w.base}/admin-key", headers=w.admin)
    assert new.status_code == 201 and new.json["key"].startswith("sk_admin_")
    problem(stored.get(w.base, headers=w.admin), 401)
    assert stored.get(w.base, headers=bearer(new.json["key"])).status_code == 200


def test_rounds(stored: FlaskClient) -> None:
    w = World(stored)
    problem(stored.post(f"{w.base}/rounds", json={"label": "Q2"}, headers=w.admin), 409)
    problem(stored.post(f"{w.base}/rounds", json={"label": "Q2"}, headers=w.keys["acme"]), 403)
    one = stored.get(f"{w.base}/rounds/1", headers=w.keys["globex"]).json
    assert one["status"] == "open" and one["survey"] == {"id": "alliance-objectives", "version": 1}
    closed = stored.patch(f"{w.base}/rounds/1", json={"status": "closed"}, headers=w.admin).json
    assert closed["status"] == "closed" and closed["closed_at"]
    problem(stored.patch(f"{w.base}/rounds/1", json={"status": "open"}, headers=w.admin), 422)
    two = stored.post(f"{w.base}/rounds", json={"label": "Q2"}, headers=w.admin)
    assert two.status_code == 201 and two.json["n"] == 2
    page = stored.get(f"{w.base}/rounds?limit=1", headers=w.admin).json
    assert [r["n"] for r in page["items"]] == [1] and page["next_cursor"]
    rest = stored.get(f"{w.base}/rounds?limit=1&cursor={page['next_cursor']}", headers=w.admin).json
    assert [r["n"] for r in rest["items"]] == [2] and rest["next_cursor"] is None
    problem(stored.get(f"{w.base}/rounds/3", headers=w.admin), 404)
    problem(stored.get(f"{w.base}/rounds?cursor=x", headers=w.admin), 422)


def test_responses(stored: FlaskClient, default_survey: Survey) -> None:
    w = World(stored)
    full = answers(default_survey, 1)
    partial = w.put("acme", "ann", {"sf1": 4}, complete=False)
    assert partial.status_code == 200 and partial.json["complete"] is False
    doc = problem(w.put("acme", "ann", {"sf1": 4}), 422)  # complete needs the required items
    assert "answers.priorities" in [e["path"] for e in doc["errors"]]
    doc = problem(w.put("acme", "ann", {"sf1": 9}, complete=False), 422)
    assert doc["errors"] == [
        {
            "path": "answers.sf1",
            "message": "must be an integer between 1 and 5",
            "code": "out_of_range",
            "params": {"min": 1, "max": 5},
        }
    ]
    problem(w.put("acme", "ann", full, role="jester"), 422)
    problem(w.put("acme", "ann", full, partner="globex"), 403)
    done = w.put("acme", "ann", full)
    assert done.status_code == 200 and done.json["complete"] and done.json["answers"] == full
    assert w.put("globex", "ann", full).json["partner"] == "globex"  # same ref, other partner
    listed = stored.get(f"{w.base}/rounds/1/responses", headers=w.keys["acme"]).json["items"]
    assert [(r["partner"], r["respondent"]) for r in listed] == [("acme", "ann")]
    problem(stored.get(f"{w.base}/rounds/1/responses?partner=globex", headers=w.keys["acme"]), 403)
    assert len(stored.get(f"{w.base}/rounds/1/responses", headers=w.admin).json["items"]) == 2
    # The admin writes for a partner by naming it.
    problem(
        stored.put(
            f"{w.base}/rounds/1/responses/bob",
            json={"role": "it", "answers": full},
            headers=w.admin,
        ),
        422,
    )
    resp = stored.put(
        f"{w.base}/rounds/1/responses/bob",
        json={"role": "it", "answers": full, "partner": "globex"},
        headers=w.admin,
    )
    assert resp.status_code == 200 and resp.json["partner"] == "globex"
    stored.patch(f"{w.base}/rounds/1", json={"status": "closed"}, headers=w.admin)
    problem(w.put("acme", "ann", full), 409)
    after = stored.get(f"{w.base}/rounds/1/responses", headers=w.admin).json["items"]
    assert next(r for r in after if r["respondent"] == "ann")["answers"] == full


def test_results_wait_then_score_with_etag(stored: FlaskClient, default_survey: Survey) -> None:
    w = World(stored)
    url = f"{w.base}/rounds/1/results"
    for k in range(3):
        w.put("acme", f"a{k}", answers(default_survey, k), role=("legal", "it", "finance")[k])
    waiting = stored.get(url, headers=w.admin)
    assert waiting.status_code == 200 and waiting.json["result"] is None
    assert waiting.json["reasons"]["result"] == "waiting_for_globex"
    assert waiting.json["completion"]["acme"] == {
        "complete": 3,
        "partial": 0,
        "roles": {"legal": 1, "it": 1, "finance": 1},
    }
    for k in range(3):
        w.put("globex", f"g{k}", answers(default_survey, 10 + k), role="legal")
    first = stored.get(url, headers=w.admin)
    result = first.json["result"]
    assert result["sample"]["acme"]["n"] == 3 and result["sample"]["globex"]["n"] == 3
    assert result["partners"] == ["acme", "globex"] and result["alignment"]["score"] is not None
    etag = first.headers["ETag"]
    again = stored.get(url, headers={**w.admin, "If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag
    assert stored.get(url, headers=w.admin).get_data() == first.get_data()  # from the cache
    w.put("globex", "g0", answers(default_survey, 99), role="legal")
    changed = stored.get(url, headers={**w.admin, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_results_memo_of_one_worker_follows_writes_of_another(
    stored_app: Flask, database_url: str, tmp_path: Path, default_survey: Survey
) -> None:
    """Each process keeps the documents it answered; another process's write or erasure
    must still show at once (the memo is keyed by the round's version)."""
    other = create_app(settings_for(database_url, tmp_path)).test_client()  # a second worker
    try:
        w = World(stored_app.test_client())
        url = f"{w.base}/rounds/1/results"
        for k in range(3):
            w.put("acme", f"a{k}", answers(default_survey, k))
            w.put("globex", f"g{k}", answers(default_survey, 10 + k))
        first = w.client.get(url, headers=w.admin)
        assert first.json["completion"]["acme"]["complete"] == 3
        assert w.client.get(url, headers=w.admin).get_data() == first.get_data()  # memo
        body = {"role": "it", "answers": answers(default_survey, 7)}
        put = other.put(f"{url[: -len('results')]}responses/a3", json=body, headers=w.keys["acme"])
        assert put.status_code == 200
        assert w.client.get(url, headers=w.admin).json["completion"]["acme"]["complete"] == 4
        erased = other.delete(f"{w.base}/partners/acme/stakeholders/a3", headers=w.admin)
        assert erased.status_code == 200
        after = w.client.get(url, headers=w.admin)
        assert after.json["completion"]["acme"]["complete"] == 3
        assert after.get_data() == first.get_data()  # the same answers as before a3 came
    finally:
        other.application.extensions["scoring"].store.dispose()


def test_results_memo_keeps_the_newest_and_evicts_the_least_used() -> None:
    from scoring_service.services.results import Document, Memo

    memo = Memo(size=2)
    memo.put(("a", 1, "admin|open"), 3, Document("body3", "e3"))
    assert memo.get(("a", 1, "admin|open"), 3) == Document("body3", "e3")
    assert memo.get(("a", 1, "admin|open"), 4) is None  # another version: not this entry
    memo.put(("a", 2, "admin|open"), 1, Document("b", "e"))
    assert memo.get(("a", 1, "admin|open"), 3) is not None  # now the most recently used
    memo.put(("b", 1, "admin|open"), 1, Document("c", "e"))  # evicts ("a", 2)
    assert memo.get(("a", 2, "admin|open"), 1) is None
    assert memo.get(("a", 1, "admin|open"), 3) == Document("body3", "e3")
    assert memo.get(("b", 1, "admin|open"), 1) == Document("c", "e")


def test_partner_view_hides_small_groups(stored: FlaskClient, default_survey: Survey) -> None:
    w = World(stored)
    url = f"{w.base}/rounds/1/results"
    for k in range(3):
        w.put("acme", f"a{k}", answers(default_survey, k), role="legal")
    for k in range(2):
        w.put("globex", f"g{k}", answers(default_survey, 20 + k), role=("it", "finance")[k])
    # globex has 2 < 3 complete responses: acme sees no figures yet, globex sees acme's.
    seen_by_acme = stored.get(url, headers=w.keys["acme"]).json
    assert seen_by_acme["viewer"] == "partner:acme" and seen_by_acme["result"] is None
    assert seen_by_acme["reasons"]["result"] == "other_partner_below_min_group_size"
    assert seen_by_acme["completion"]["globex"]["roles"] == {"other_roles": 2}
    seen_by_globex = stored.get(url, headers=w.keys["globex"]).json
    assert seen_by_globex["result"]["sample"]["globex"]["roles"] == {"other_roles": 2}
    assert seen_by_globex["result"]["sample"]["acme"]["roles"] == {"legal": 3}
    admin = stored.get(url, headers=w.admin).json
    assert admin["result"]["sample"]["globex"]["roles"] == {"finance": 1, "it": 1}
    # Closing the round lifts no threshold: a group of two stays hidden from the other partner
    # (it did not before issue 15), and the admin still sees it.
    stored.patch(f"{w.base}/rounds/1", json={"status": "closed"}, headers=w.admin)
    closed = stored.get(url, headers=w.keys["acme"]).json
    assert closed["round"]["status"] == "closed" and closed["result"] is None
    assert closed["reasons"]["result"] == "other_partner_below_min_group_size"
    assert stored.get(url, headers=w.admin).json["result"]["sample"]["globex"]["n"] == 2


def test_delete_cascades(stored: FlaskClient, default_survey: Survey) -> None:
    w = World(stored)
    w.put("acme", "ann", answers(default_survey, 1))
    assert stored.delete(w.base, headers=w.keys["acme"]).status_code == 403
    assert stored.delete(w.base, headers=w.admin).status_code == 204
    problem(stored.get(w.base, headers=w.admin), 401)  # its keys went with it
    app = stored.application
    with app.extensions["scoring"].store.read() as session:
        from sqlalchemy import func, select

        from scoring_service.store.models import ApiKey, StoredResponse

        assert session.scalar(select(func.count()).select_from(StoredResponse)) == 0
        assert session.scalar(select(func.count()).select_from(ApiKey)) == 0


def test_invitations_and_my_response(stored: FlaskClient, default_survey: Survey) -> None:
    w = World(stored)
    url = f"{w.base}/rounds/1/invitations"
    made = stored.post(url, json={"role": "legal", "respondent": "lee"}, headers=w.keys["acme"])
    assert made.status_code == 201, made.get_data(as_text=True)
    token = made.json["token"]
    assert token.startswith("inv_") and made.json["form_url"].endswith(f"/forms/{token}")
    assert made.json["partner"] == "acme" and made.json["status"] == "invited"
    me = bearer(token)
    mine = stored.get(f"{API}/me/response", headers=me).json
    assert mine["role"] == "legal" and mine["answers"] == {} and mine["complete"] is False
    assert mine["survey"] == {"id": "alliance-objectives", "version": 1}
    # Partial saves, then a submission that needs every required item.
    saved = stored.put(f"{API}/me/response", json={"answers": {"sf1": 5}}, headers=me)
    assert saved.status_code == 200 and saved.json["answers"] == {"sf1": 5}
    problem(
        stored.put(
            f"{API}/me/response", json={"answers": {"sf1": 5}, "complete": True}, headers=me
        ),
        422,
    )
    full = answers(default_survey, 3)
    done = stored.put(f"{API}/me/response", json={"answers": full, "complete": True}, headers=me)
    assert done.json["complete"] is True
    listed = stored.get(url, headers=w.admin).json["items"]
    assert [(i["respondent"], i["status"]) for i in listed] == [("lee", "complete")]
    assert "token" not in listed[0]
    assert stored.get(url, headers=w.keys["globex"]).json["items"] == []  # not globex's
    # The token reaches only its own response.
    problem(stored.get(w.base, headers=me), 403)
    problem(stored.get(f"{w.base}/rounds/1/responses", headers=me), 403)
    problem(stored.get(f"{API}/me/response", headers=w.admin), 403)
    # Inviting again replaces the link; revoking ends it; the answers stay.
    again = stored.post(url, json={"stakeholder": "lee"}, headers=w.keys["acme"])
    assert again.status_code == 201 and again.json["status"] == "complete"
    problem(stored.get(f"{API}/me/response", headers=me), 401)
    me = bearer(again.json["token"])
    assert stored.get(f"{API}/me/response", headers=me).json["answers"] == full
    problem(stored.delete(f"{url}/{again.json['id']}", headers=w.keys["globex"]), 403)
    assert stored.delete(f"{url}/{again.json['id']}", headers=w.keys["acme"]).status_code == 204
    problem(stored.get(f"{API}/me/response", headers=me), 401)
    assert stored.get(url, headers=w.admin).json["items"][0]["status"] == "revoked"


def test_invitation_rules(stored: FlaskClient, default_survey: Survey) -> None:
    w = World(stored)
    url = f"{w.base}/rounds/1/invitations"
    problem(stored.post(url, json={"role": "legal"}, headers=w.admin), 422)  # which partner?
    problem(stored.post(url, json={"role": "jester", "partner": "acme"}, headers=w.admin), 422)
    problem(stored.post(url, json={"partner": "acme"}, headers=w.admin), 422)
    problem(stored.post(url, json={"stakeholder": "ghost"}, headers=w.keys["acme"]), 422)
    problem(stored.post(url, json={"role": "it", "partner": "globex"}, headers=w.keys["acme"]), 403)
    made = stored.post(url, json={"role": "it", "partner": "globex"}, headers=w.admin)
    assert made.status_code == 201 and made.json["respondent"].startswith("s-")
    me = bearer(made.json["token"])
    stored.patch(f"{w.base}/rounds/1", json={"status": "closed"}, headers=w.admin)
    problem(stored.put(f"{API}/me/response", json={"answers": {"sf1": 2}}, headers=me), 409)
    assert stored.get(f"{API}/me/response", headers=me).json["round"]["status"] == "closed"
    problem(stored.post(url, json={"role": "it"}, headers=w.keys["acme"]), 409)


def csv_of(survey: Survey, rows: list[tuple[str, str, str, dict[str, Any]]]) -> str:
    """A CSV in the scoring CLI's format."""
    items = [i.id for i in survey.items if i.type == "likert"]
    alloc = next(i.id for i in survey.items if i.type == "allocation")
    header = ["partner", "role", "respondent", *items]
    header += [f"{alloc}.{o}" for o in survey.objective_ids]
    lines = [",".join(header)]
    for partner, role, ref, ans in rows:
        cells = [partner, role, ref, *(str(ans.get(i, "")) for i in items)]
        cells += [str(ans[alloc][o]) for o in survey.objective_ids]
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


def test_bulk_json_and_csv(stored: FlaskClient, default_survey: Survey) -> None:
    w = World(stored)
    url = f"{w.base}/rounds/1/responses"
    good = answers(default_survey, 1)
    rows = [
        {"respondent": "a1", "role": "legal", "answers": good},
        {"respondent": "a2", "role": "it", "answers": {**good, "sf1": 8}},
        {"respondent": "a3", "role": "it", "answers": good, "bogus": 1},
        {"respondent": "a4", "role": "finance", "answers": {"sf1": 2}, "complete": False},
    ]
    report = stored.post(url, json=rows, headers=w.keys["acme"])
    assert report.status_code == 200, report.get_data(as_text=True)
    assert report.json["saved"] == 2 and report.json["failed"] == 2
    assert [(e["row"], e["respondent"]) for e in report.json["errors"]] == [
        ("1", "a2"),
        ("2", "a3"),
    ]
    assert report.json["errors"][0]["errors"] == [
        {
            "path": "answers.sf1",
            "message": "must be an integer between 1 and 5",
            "code": "out_of_range",
            "params": {"min": 1, "max": 5},
        }
    ]
    assert report.json["errors"][1]["errors"][0]["path"] == "bogus"
    # Another partner named anywhere: the whole request is refused and nothing is stored.
    before = stored.get(url, headers=w.admin).json["items"]
    refused = stored.post(
        url,
        json=[
            {"respondent": "b1", "role": "it", "answers": good},
            {"respondent": "g1", "role": "it", "answers": good, "partner": "globex"},
        ],
        headers=w.keys["acme"],
    )
    problem(refused, 403)
    assert stored.get(url, headers=w.admin).json["items"] == before
    # CSV in the CLI's format; an empty partner cell means the key's own partner.
    text = csv_of(
        default_survey,
        [
            ("", "legal", "c1", good),
            ("globex", "it", "c2", good),
            ("", "it", "c3", {**good, "sf2": 0}),
        ],
    )
    resp = stored.post(url, data=text, content_type="text/csv", headers=w.keys["globex"])
    assert resp.status_code == 200 and resp.json["saved"] == 2
    assert resp.json["errors"][0]["row"] == "line 4"
    assert resp.json["errors"][0]["errors"][0]["path"] == "answers.sf2"
    mine = stored.get(url, headers=w.keys["globex"]).json["items"]
    assert sorted(r["respondent"] for r in mine) == ["c1", "c2"]
    problem(
        stored.post(url, data="not json", content_type="application/json", headers=w.keys["acme"]),
        400,
    )
    problem(stored.post(url, json={"a": 1}, headers=w.keys["acme"]), 422)
    problem(stored.post(url, data="a,b\n", content_type="text/csv", headers=w.keys["acme"]), 422)
    problem(stored.post(url, data="x", content_type="text/plain", headers=w.keys["acme"]), 415)


def test_idempotent_writes(stored: FlaskClient, default_survey: Survey) -> None:
    w = World(stored)
    url = f"{w.base}/rounds/1/responses/ann"
    body = {"role": "legal", "answers": answers(default_survey, 1)}
    once = {**w.keys["acme"], "Idempotency-Key": "k-1"}
    first = stored.put(url, json=body, headers=once)
    second = stored.put(url, json=body, headers=once)
    assert first.status_code == second.status_code == 200
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.get_data() == first.get_data()  # the same answer: updated_at not moved
    # The same key with another body is refused; the stored response is untouched.
    doc = problem(stored.put(url, json={**body, "role": "it"}, headers=once), 422)
    assert "Idempotency-Key" in doc["detail"]
    listed = stored.get(f"{w.base}/rounds/1/responses", headers=w.admin).json["items"]
    assert [r["role"] for r in listed] == ["legal"]
    # Scoped to the credential: the other partner's key with the same key string is separate.
    other = stored.put(url, json=body, headers={**w.keys["globex"], "Idempotency-Key": "k-1"})
    assert other.status_code == 200 and "Idempotent-Replayed" not in other.headers
    # Failures are not kept: a corrected retry with the same key runs.
    bad = stored.put(
        f"{w.base}/rounds/1/responses/bo",
        json={"role": "x", "answers": {}},
        headers={**w.keys["acme"], "Idempotency-Key": "k-2"},
    )
    problem(bad, 422)
    fixed = stored.put(
        f"{w.base}/rounds/1/responses/bo",
        json=body,
        headers={**w.keys["acme"], "Idempotency-Key": "k-2"},
    )
    assert fixed.status_code == 200 and "Idempotent-Replayed" not in fixed.headers


def test_a_replay_never_shows_the_secret_again(stored: FlaskClient) -> None:
    w = World(stored)
    url = f"{w.base}/partners/acme/keys"
    headers = {**w.admin, "Idempotency-Key": "new-key"}
    first = stored.post(url, headers=headers)
    replay = stored.post(url, headers=headers)
    assert first.status_code == replay.status_code == 201 and "key" in first.json
    assert "key" not in replay.json and replay.json["id"] == first.json["id"]
    keys = stored.get(url, headers=w.admin).json["items"]
    assert len(keys) == 2  # the one World made, and this one: not a third
    problem(stored.post(url, headers={**w.admin, "Idempotency-Key": ""}), 400)


def test_a_running_key_answers_409(stored: FlaskClient, default_survey: Survey) -> None:
    """A record still marked running (the first request in flight) makes a duplicate wait."""
    from sqlalchemy import update

    from scoring_service.store.models import IdempotencyRecord

    w = World(stored)
    url = f"{w.base}/rounds/1/responses/ann"
    body = {"role": "legal", "answers": answers(default_survey, 1)}
    headers = {**w.keys["acme"], "Idempotency-Key": "slow"}
    assert stored.put(url, json=body, headers=headers).status_code == 200
    store = stored.application.extensions["scoring"].store
    with store.write() as session:  # as if the first request had not finished yet
        session.execute(update(IdempotencyRecord).values(state="running"))
    problem(stored.put(url, json=body, headers=headers), 409)


def test_erasure(stored: FlaskClient, default_survey: Survey) -> None:
    w = World(stored)
    for k in range(3):
        w.put("acme", f"a{k}", answers(default_survey, k), role="legal")
        w.put("globex", f"g{k}", answers(default_survey, 10 + k), role="legal")
    results = f"{w.base}/rounds/1/results"
    before = stored.get(results, headers=w.admin)
    assert before.json["result"]["sample"]["acme"]["n"] == 3
    problem(stored.delete(f"{w.base}/partners/acme/stakeholders/a0", headers=w.keys["globex"]), 403)
    problem(stored.delete(f"{w.base}/partners/acme/stakeholders/nobody", headers=w.admin), 404)
    erased = stored.delete(f"{w.base}/partners/acme/stakeholders/a0", headers=w.keys["acme"])
    assert erased.status_code == 200 and erased.json["responses_deleted"] == 1
    assert erased.json["rounds"] == [1]
    after = stored.get(results, headers={**w.admin, "If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.json["result"]["sample"]["acme"]["n"] == 2
    refs = [
        s["respondent"] for s in stored.get(f"{w.base}/stakeholders", headers=w.admin).json["items"]
    ]
    assert "a0" not in refs and len(refs) == 5
    own = stored.get(f"{w.base}/stakeholders", headers=w.keys["globex"]).json["items"]
    assert {s["partner"] for s in own} == {"globex"}
    with stored.application.extensions["scoring"].store.read() as session:
        from sqlalchemy import select

        from scoring_service.store.models import AuditEntry

        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "stakeholder.erase")
        ).one()
        assert entry.detail == {"partner": "acme", "rounds": [1], "responses": 1}
        assert "a0" not in str(entry.detail)


def test_results_times_are_iso_8601(stored: FlaskClient) -> None:
    w = World(stored)
    doc = stored.get(f"{w.base}/rounds/1/results", headers=w.admin).json
    opened = doc["round"]["opened_at"]
    assert opened == stored.get(f"{w.base}/rounds/1", headers=w.admin).json["opened_at"]
    assert opened[:4].isdigit() and opened[10] == "T"


def test_bad_input_found_in_review_is_4xx(stored: FlaskClient, default_survey: Survey) -> None:
    """Inputs that once reached a 500: each is a 4xx problem now, on both databases."""
    w = World(stored)
    full = answers(default_survey, 1)
    assert stored.head(f"{w.base}/rounds/1/results", headers=w.admin).status_code == 200
    assert stored.head(f"{w.base}/rounds/1/results").status_code == 401
    problem(stored.get(f"{w.base}/rounds?cursor=%C2%B2", headers=w.admin), 422)
    problem(stored.get(f"{w.base}/stakeholders?cursor=999999999999", headers=w.admin), 422)
    problem(stored.get(f"{w.base}/rounds/99999999999999999999", headers=w.admin), 404)
    problem(stored.get(f"{w.base}/rounds/2147483648/results", headers=w.admin), 404)
    big = b'{"role": "legal", "answers": {"sf1": ' + b"9" * 5000 + b"}}"
    problem(
        stored.put(
            f"{w.base}/rounds/1/responses/x",
            data=big,
            content_type="application/json",
            headers=w.keys["acme"],
        ),
        400,
    )
    problem(
        stored.put(
            f"{w.base}/rounds/1/responses/a%00b",
            json={"role": "legal", "answers": full},
            headers=w.keys["acme"],
        ),
        400,
    )
    doc = problem(w.put("acme", "ann", full, label="a\x00b"), 422)
    assert doc["errors"][0]["path"] == "label"
    problem(stored.get(f"{w.base}/rounds/1/responses?partner=a%00", headers=w.admin), 400)
    doc = problem(
        stored.post(
            f"{w.base}/rounds",
            json={"label": "x", "closes_at": "9999-12-31T23:59:59-01:00"},
            headers=w.admin,
        ),
        422,
    )
    assert doc["errors"][0]["path"] == "closes_at"
    header = "partner,role,respondent,sf1\n"
    report = stored.post(
        f"{w.base}/rounds/1/responses",
        data=header + "acme,legal,c1," + "9" * 5000,
        content_type="text/csv",
        headers=w.keys["acme"],
    )
    assert report.status_code == 200 and report.json["failed"] == 1
    problem(
        stored.post(
            f"{w.base}/rounds/1/responses",
            data=header + "acme,legal,c1," + "x" * 140_000,
            content_type="text/csv",
            headers=w.keys["acme"],
        ),
        422,
    )


def test_results_follow_min_group_size_changes(stored: FlaskClient, default_survey: Survey) -> None:
    w = World(stored)
    for k in range(3):
        w.put("acme", f"a{k}", answers(default_survey, k))
        w.put("globex", f"g{k}", answers(default_survey, 10 + k))
    url = f"{w.base}/rounds/1/results"
    assert stored.get(url, headers=w.keys["acme"]).json["result"] is not None
    stored.patch(w.base, json={"min_group_size": 10}, headers=w.admin)
    hidden = stored.get(url, headers=w.keys["acme"]).json
    assert hidden["result"] is None
    assert hidden["reasons"]["result"] == "other_partner_below_min_group_size"


def test_a_role_is_kept_per_round(stored: FlaskClient, default_survey: Survey) -> None:
    """A person's role in a past round stays what they answered as, whatever they become."""
    w = World(stored)
    for k in range(3):
        w.put("acme", f"a{k}", answers(default_survey, k), role="legal")
        w.put("globex", f"g{k}", answers(default_survey, 10 + k), role="legal")
    before = stored.get(f"{w.base}/rounds/1/results", headers=w.admin).json
    stored.patch(f"{w.base}/rounds/1", json={"status": "closed"}, headers=w.admin)
    stored.post(f"{w.base}/rounds", json={"label": "2"}, headers=w.admin)
    stored.put(
        f"{w.base}/rounds/2/responses/a0",
        json={"role": "it", "answers": answers(default_survey, 5)},
        headers=w.keys["acme"],
    )
    stored.post(
        f"{w.base}/rounds/2/invitations",
        json={"respondent": "a1", "role": "finance"},
        headers=w.keys["acme"],
    )
    listed = stored.get(f"{w.base}/rounds/1/responses?partner=acme", headers=w.admin).json["items"]
    assert {r["respondent"]: r["role"] for r in listed} == {
        "a0": "legal",
        "a1": "legal",
        "a2": "legal",
    }
    after = stored.get(f"{w.base}/rounds/1/results", headers=w.admin).json
    assert after["completion"] == before["completion"]


def test_erasure_forgets_kept_replays(stored: FlaskClient, default_survey: Survey) -> None:
    w = World(stored)
    url = f"{w.base}/rounds/1/responses/ann"
    headers = {**w.keys["acme"], "Idempotency-Key": "once"}
    body = {"role": "legal", "answers": answers(default_survey, 1)}
    assert stored.put(url, json=body, headers=headers).status_code == 200
    stored.delete(f"{w.base}/partners/acme/stakeholders/ann", headers=w.admin)
    again = stored.put(url, json=body, headers=headers)  # runs anew: nothing is replayed
    assert again.status_code == 200 and "Idempotent-Replayed" not in again.headers


def test_form_links_use_the_public_url(tmp_path: Any) -> None:
    from scoring_service import create_app

    from .helpers import settings_for

    url = f"sqlite:///{tmp_path}/s.db"
    app = create_app(settings_for(url, tmp_path, public_url="https://survey.example.com"))
    w = World(app.test_client())
    made = w.client.post(
        f"{w.base}/rounds/1/invitations",
        json={"role": "it"},
        headers={**w.keys["acme"], "Host": "evil.example"},
    )
    assert made.json["form_url"] == f"https://survey.example.com/forms/{made.json['token']}"
