"""The README's walk-through, step by step with its example files, on SQLite and PostgreSQL.

A facilitator creates an alliance, opens a round, invites four stakeholders a side; two a side
answer with their invitation token, the other two arrive by their partner's script as CSV; the
results show the conflict; the round is closed and the next one opened.
"""

from __future__ import annotations

import json
from pathlib import Path

from flask.testing import FlaskClient

from .helpers import OPERATOR

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples" / "walkthrough"
PEOPLE = {
    "acme": {
        "a-legal": "legal",
        "a-sponsor": "executive_sponsor",
        "a-it": "it",
        "a-owner": "business_owner",
    },
    "globex": {
        "g-legal": "legal",
        "g-sponsor": "executive_sponsor",
        "g-procurement": "procurement",
        "g-finance": "finance",
    },
}


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_the_readme_walkthrough(stored: FlaskClient) -> None:
    c = stored
    # 1. The operator creates the alliance; the admin key comes back once.
    made = c.post(
        "/api/v1/alliances",
        data=(EXAMPLES / "alliance.json").read_bytes(),
        content_type="application/json",
        headers=auth(OPERATOR),
    )
    assert made.status_code == 201
    base, admin = f"/api/v1/alliances/{made.json['id']}", auth(made.json["admin_key"])
    # 2. A key per partner, for their scripts.
    keys = {p: auth(c.post(f"{base}/partners/{p}/keys", headers=admin).json["key"]) for p in PEOPLE}
    # 3. Round 1.
    opened = c.post(f"{base}/rounds", json={"label": "2026 Q4"}, headers=admin)
    assert opened.status_code == 201 and opened.json["n"] == 1
    # 4. Four invitations a side, by each partner's own key.
    tokens = {}
    for partner, people in PEOPLE.items():
        for ref, role in people.items():
            inv = c.post(
                f"{base}/rounds/1/invitations",
                json={"respondent": ref, "role": role},
                headers=keys[partner],
            )
            assert inv.status_code == 201
            tokens[ref] = auth(inv.json["token"])
    # 5. Two a side answer through the token API ...
    for ref in ("a-legal", "a-sponsor", "g-legal", "g-sponsor"):
        resp = c.put(
            "/api/v1/me/response",
            data=(EXAMPLES / f"{ref}.json").read_bytes(),
            content_type="application/json",
            headers=tokens[ref],
        )
        assert resp.status_code == 200 and resp.json["complete"] is True
    # ... and two a side arrive by the partner's script, as CSV.
    for partner in PEOPLE:
        report = c.post(
            f"{base}/rounds/1/responses",
            data=(EXAMPLES / f"{partner}.csv").read_bytes(),
            content_type="text/csv",
            headers=keys[partner],
        )
        assert report.status_code == 200 and report.json == {"saved": 2, "failed": 0, "errors": []}
    statuses = {
        i["respondent"]: i["status"]
        for i in c.get(f"{base}/rounds/1/invitations", headers=admin).json["items"]
    }
    assert statuses == dict.fromkeys([r for p in PEOPLE.values() for r in p], "complete")
    # 6. The results: both partners complete, the planted conflict flagged with its evidence.
    results = c.get(f"{base}/rounds/1/results", headers=admin).json
    assert (
        results["completion"]["acme"]["complete"]
        == results["completion"]["globex"]["complete"]
        == 4
    )
    flags = {f["id"]: f for f in results["result"]["conflicts"]}
    conflict = flags["objective_conflict:speed_to_market:risk_control"]
    assert conflict["evidence"] and conflict["message"]
    assert results["result"]["alignment"]["score"] is not None
    seen_by_acme = c.get(f"{base}/rounds/1/results", headers=keys["acme"]).json
    assert seen_by_acme["viewer"] == "partner:acme" and seen_by_acme["result"] is not None
    # 7. Close round 1 (its answers are then final) and open round 2.
    closed = c.patch(f"{base}/rounds/1", json={"status": "closed"}, headers=admin)
    assert closed.json["status"] == "closed"
    late = c.put(
        "/api/v1/me/response",
        data=(EXAMPLES / "a-legal.json").read_bytes(),
        content_type="application/json",
        headers=tokens["a-legal"],
    )
    assert late.status_code == 409
    second = c.post(f"{base}/rounds", json={"label": "2027 Q2"}, headers=admin)
    assert second.status_code == 201 and second.json["n"] == 2
    # The stakeholders are kept: round 2 invites them by their reference.
    again = c.post(
        f"{base}/rounds/2/invitations", json={"stakeholder": "a-legal"}, headers=keys["acme"]
    )
    assert again.status_code == 201 and again.json["role"] == "legal"
    assert json.loads((EXAMPLES / "alliance.json").read_text())["survey"] == "alliance-objectives"
