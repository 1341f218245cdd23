"""Every stored-resource route, with every kind of credential, against docs/api.md's table.

The routes come from the app's URL map, so a new route cannot be forgotten; every status a
route answers must also be declared in the OpenAPI document.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from .helpers import OPERATOR, World, bearer

# Routes an admin key alone may use (a partner key gets 403).
ADMIN_ONLY = {
    ("PATCH", "/api/v1/alliances/<alliance_id>"),
    ("DELETE", "/api/v1/alliances/<alliance_id>"),
    ("POST", "/api/v1/alliances/<alliance_id>/admin-key"),
    ("GET", "/api/v1/alliances/<alliance_id>/partners/<partner>/keys"),
    ("POST", "/api/v1/alliances/<alliance_id>/partners/<partner>/keys"),
    ("DELETE", "/api/v1/alliances/<alliance_id>/partners/<partner>/keys/<key_id>"),
    ("POST", "/api/v1/alliances/<alliance_id>/partners/<partner>/keys/<key_id>/rotate"),
    ("POST", "/api/v1/alliances/<alliance_id>/rounds"),
    ("PATCH", "/api/v1/alliances/<alliance_id>/rounds/<int(max=2147483647):n>"),
}
OPERATOR_ONLY = {("POST", "/api/v1/alliances"), ("GET", "/api/v1/alliances")}
ME = "/api/v1/me/response"


def routes(app: Flask) -> list[tuple[str, str]]:
    """(method, rule) of every route that needs a credential."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(("/api/v1/alliances", ME)):
            found += [(m, rule.rule) for m in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return sorted(found)


class Setup:
    """A world with every kind of credential, and the URL of a route in it."""

    def __init__(self, client: FlaskClient) -> None:
        self.w = World(client)
        self.other = World(client)
        base = self.w.base
        self.key_id = client.get(f"{base}/partners/acme/keys", headers=self.w.admin).json["items"][
            0
        ]["id"]
        invited = client.post(
            f"{base}/rounds/1/invitations", json={"role": "it"}, headers=self.w.keys["acme"]
        ).json
        self.invitation_id, self.token = invited["id"], invited["token"]
        spare = client.post(f"{base}/partners/globex/keys", headers=self.w.admin).json
        client.delete(f"{base}/partners/globex/keys/{spare['id']}", headers=self.w.admin)
        self.revoked = spare["key"]
        self.link_id = client.post(  # a report link of acme's key, which it may revoke
            f"{base}/report-links", json={}, headers=self.w.keys["acme"]
        ).json["id"]
        client.put(  # stakeholder r1 of acme, for the routes that name a respondent
            f"{base}/rounds/1/responses/r1",
            json={"role": "it", "answers": {}, "complete": False},
            headers=self.w.keys["acme"],
        )

    def url(self, rule: str) -> str:
        values = {
            "alliance_id": self.w.id,
            "partner": "acme",
            "key_id": self.key_id,
            "n": "1",
            "respondent": "r1",
            "invitation_id": self.invitation_id,
            "link_id": self.link_id,
        }
        return re.sub(r"<(?:[^:>]+:)?(\w+)>", lambda m: values[m[1]], rule)

    def credentials(self) -> dict[str, dict[str, str]]:
        return {
            "none": {},
            "unknown": bearer("sk_admin_" + "x" * 32),
            "revoked": bearer(self.revoked),
            "operator": bearer(OPERATOR),
            "other_alliance": self.other.admin,
            "invitation": bearer(self.token),
            "partner": self.w.keys["acme"],
            "admin": self.w.admin,
        }


def expected(kind: str, method: str, rule: str) -> set[int] | None:
    """The status the table demands (None: allowed, so anything but 401/403/404)."""
    if kind in ("none", "unknown", "revoked"):
        return {401}
    if (method, rule) in OPERATOR_ONLY:
        return None if kind == "operator" else {404}
    if rule == ME:
        return None if kind == "invitation" else {403}
    if kind in ("operator", "other_alliance"):
        return {404}
    if kind == "invitation":
        return {403}
    if kind == "partner" and (method, rule) in ADMIN_ONLY:
        return {403}
    return None


def declared(app: Flask, client: FlaskClient, method: str, rule: str) -> set[int]:
    doc = client.get("/api/v1/openapi.json").json
    path = re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule)
    return {int(s) for s in doc["paths"][path][method.lower()]["responses"] if s.isdigit()}


@pytest.fixture
def matrix_app(tmp_path: Any) -> Flask:
    from scoring_service import create_app

    from .helpers import settings_for

    return create_app(settings_for(f"sqlite:///{tmp_path / 'm.db'}", tmp_path))


def test_every_route_with_every_credential(matrix_app: Flask) -> None:
    client = matrix_app.test_client()
    table = routes(matrix_app)
    assert len(table) >= 20
    failures = []
    for method, rule in table:
        allowed_status = declared(matrix_app, client, method, rule)
        setup = Setup(client)
        for kind, headers in setup.credentials().items():
            want = expected(kind, method, rule)
            if want is None:
                setup = Setup(client)  # an allowed call may delete or rotate: a fresh world
                headers = setup.credentials()[kind]
            resp = client.open(
                setup.url(rule),
                method=method,
                headers=headers,
                json={} if method in ("POST", "PUT", "PATCH") else None,
            )
            got = resp.status_code
            ok = got in want if want else got not in (401, 403, 404)
            if not ok or got not in allowed_status | {200}:
                failures.append(
                    f"{method} {rule} as {kind}: {got}, want {want or 'allowed'}, "
                    f"declared {sorted(allowed_status)}"
                )
    assert failures == [], "\n".join(failures)
