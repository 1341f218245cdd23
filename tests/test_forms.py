"""The embeddable form over HTTP (no browser): rendering, saving, errors, framing headers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from scoring_service import create_app

from .conftest import FIXTURES, OPERATOR, settings_for

API = "/api/v1"
PORTAL = "https://portal.example.com"


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def form_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The app with the mini survey, on each database."""
    from scoring_service.store import migrate
    from scoring_service.store.db import make_engine

    if not database_url.startswith("sqlite"):
        engine = make_engine(database_url)
        migrate.upgrade(engine)
        engine.dispose()
    app = create_app(settings_for(database_url, tmp_path, surveys_dir=FIXTURES / "surveys"))
    yield app
    app.extensions["scoring"].store.dispose()


class Invited:
    """An alliance on the mini survey, round 1 open, and one invitation of acme's."""

    def __init__(self, client: FlaskClient, **extra: Any) -> None:
        self.client = client
        body = {
            "name": "Acme x Globex",
            "partners": [{"key": "acme", "name": "Acme Ltd"}, {"key": "globex", "name": "Globex"}],
            "survey": "mini",
            "frame_ancestors": [PORTAL],
            **extra,
        }
        made = client.post(f"{API}/alliances", json=body, headers=bearer(OPERATOR)).json
        self.base = f"{API}/alliances/{made['id']}"
        self.admin = bearer(made["admin_key"])
        client.post(f"{self.base}/rounds", json={"label": "Q1"}, headers=self.admin)
        invited = client.post(
            f"{self.base}/rounds/1/invitations",
            json={"partner": "acme", "role": "legal", "respondent": "lee"},
            headers=self.admin,
        ).json
        self.token = invited["token"]
        self.url = f"/forms/{self.token}"

    def stored(self) -> dict[str, Any]:
        """The response as the API keeps it."""
        answer = self.client.get(f"{API}/me/response", headers=bearer(self.token))
        mine: dict[str, Any] = answer.json
        return mine


FULL = {
    "t1": "4",
    "t2": "2",
    "t3": "5",
    "g1": "3",
    "g2": "4",
    "g3": "1",
    "priorities.speed": "40",
    "priorities.risk": "30",
    "priorities.revenue": "30",
    "priorities.cost": "",
    "comments": "  Thanks  ",
}


def test_the_form_shows_the_invitation_questionnaire(form_app: Flask) -> None:
    w = Invited(form_app.test_client())
    page = w.client.get(w.url)
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert '<html lang="en">' in html and "<h1>Mini survey</h1>" in html
    assert "For Acme Ltd, answering as Legal" in html
    # A fieldset of radios with a legend per Likert item, every radio inside a label.
    assert html.count('<fieldset class="likert"') == 6 and html.count("<legend>") == 7
    assert html.count('type="radio"') == 6 * 5
    assert len(re.findall(r'<label class="option"><input type="radio"', html)) == 30
    # One labelled points field per objective, the live total, the free text.
    for objective in ("speed", "risk", "revenue", "cost"):
        assert f'<label for="f-priorities-{objective}">' in html
        assert f'name="priorities.{objective}"' in html
    assert 'id="total-priorities"' in html and '<label for="f-comments">' in html
    assert "0 of 7 required questions answered" in html
    # No secret on the page but the form's own URL, and no inline script (CSP).
    assert html.count(w.token) == 1 and "<script>" not in html


def test_framing_and_privacy_headers(form_app: Flask) -> None:
    w = Invited(form_app.test_client())
    page = w.client.get(w.url)
    csp = page.headers["Content-Security-Policy"]
    assert f"frame-ancestors {PORTAL}" in csp and "script-src 'self'" in csp
    assert "X-Frame-Options" not in page.headers
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in page.headers
    # Everything else refuses to be framed.
    for other in ("/livez", f"{API}/surveys", "/api/v1/docs", "/forms/assets/form.css"):
        answer = w.client.get(other)
        assert answer.headers["Content-Security-Policy"] == "frame-ancestors 'none'", other
        assert answer.headers["X-Frame-Options"] == "DENY"
        answer.close()
    # An alliance without frame_ancestors: its form may be opened, not framed.
    alone = Invited(w.client, frame_ancestors=[])
    policy = alone.client.get(alone.url).headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy


def test_language_from_query_then_browser_then_default(form_app: Flask) -> None:
    w = Invited(form_app.test_client())
    german = w.client.get(w.url, headers={"Accept-Language": "de-CH, de;q=0.9, en;q=0.5"})
    html = german.get_data(as_text=True)
    assert '<html lang="de">' in html and "<h1>Mini-Umfrage</h1>" in html
    assert "Wir vertrauen dem Partner." in html and "Antworten absenden" in html
    forced = w.client.get(f"{w.url}?lang=en", headers={"Accept-Language": "de"})
    assert "<h1>Mini survey</h1>" in forced.get_data(as_text=True)
    unknown = w.client.get(f"{w.url}?lang=xx", headers={"Accept-Language": "fr"})
    assert '<html lang="en">' in unknown.get_data(as_text=True)  # the survey has no French


def test_save_without_javascript_then_resume_then_submit(form_app: Flask) -> None:
    w = Invited(form_app.test_client())
    half = {"t1": "4", "priorities.speed": "40", "action": "save"}
    saved = w.client.post(w.url, data=half)
    assert saved.status_code == 303 and saved.headers["Location"].endswith("done=saved")
    assert w.stored()["answers"] == {"t1": 4, "priorities": {"speed": 40}}
    assert w.stored()["complete"] is False
    again = w.client.get(saved.headers["Location"]).get_data(as_text=True)
    assert 'value="4" checked' in again and 'name="priorities.speed" value="40"' in again
    assert "Come back with the same link" in again and "1 of 7 required" in again
    assert "Total: 40 of 100 points. 60 points left to give." in again  # also without script
    done = w.client.post(w.url, data={**FULL, "action": "submit"})
    assert done.status_code == 303 and done.headers["Location"].endswith("done=submitted")
    mine = w.stored()
    assert mine["complete"] is True and mine["answers"]["comments"] == "Thanks"
    # A blank points field is 0 once submitted, so the allocation is whole.
    assert mine["answers"]["priorities"] == {"speed": 40, "risk": 30, "revenue": 30, "cost": 0}
    # Saving again keeps it complete while it still is.
    w.client.post(w.url, data={**FULL, "t1": "5", "action": "save"})
    assert w.stored()["complete"] is True and w.stored()["answers"]["t1"] == 5


def test_errors_beside_their_fields_keep_what_was_typed(form_app: Flask) -> None:
    w = Invited(form_app.test_client())
    bad = {**FULL, "t2": "", "priorities.risk": "35", "action": "submit"}
    page = w.client.post(w.url, data=bad, headers={"Accept-Language": "de"})
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert 'id="error-summary"' in html and 'role="alert"' in html
    assert 'href="#q-t2">Wir prüfen nach. Bitte eine Antwort wählen.</a>' in html
    assert '<p class="error" id="err-t2">' in html and "Bitte eine Antwort wählen." in html
    assert "Die Punkte ergeben 105; sie müssen 100 ergeben." in html
    assert 'aria-describedby="err-t2" aria-invalid="true"' in html
    # Typed values are still there.
    assert 'name="priorities.risk" value="35"' in html and ">  Thanks  </textarea>" in html
    assert 'value="4" checked' in html
    assert w.stored()["answers"] == {}  # nothing stored


@pytest.mark.parametrize(
    ("field", "value", "key", "message"),
    [
        ("priorities.speed", "abc", "priorities.speed", "Enter a whole number from 0 to 100."),
        ("priorities.speed", "-5", "priorities.speed", "Enter a whole number from 0 to 100."),
        ("priorities.speed", "101", "priorities.speed", "Enter a whole number from 0 to 100."),
        ("priorities.speed", "99", "priorities", "at most 100 can be given"),
        ("t1", "9", "t1", "This answer is not valid."),
        ("t1", "x", "t1", "This answer is not valid."),
        ("comments", "x" * 2001, "comments", "At most 2000 characters (2001 now)."),
    ],
)
def test_bad_values_are_named_in_json_for_the_script(
    form_app: Flask, field: str, value: str, key: str, message: str
) -> None:
    w = Invited(form_app.test_client())
    data = {"priorities.risk": "10", field: value, "action": "save"}
    answer = w.client.post(w.url, data=data, headers={"Accept": "application/json"})
    assert answer.status_code == 422 and answer.json["status"] == "invalid"
    assert message in answer.json["errors"][key]
    assert w.stored()["answers"] == {}


def test_the_script_saves_and_submits_in_json(form_app: Flask) -> None:
    w = Invited(form_app.test_client())
    json_accept = {"Accept": "application/json"}
    first = w.client.post(w.url, data={"t1": "2", "action": "save"}, headers=json_accept)
    assert first.status_code == 200
    assert first.json == {"status": "saved", "complete": False, "done": 1, "total": 7}
    done = w.client.post(w.url, data={**FULL, "action": "submit"}, headers=json_accept)
    assert done.json == {"status": "completed", "complete": True, "done": 7, "total": 7}


def test_closed_round_is_410_and_unknown_links_404(form_app: Flask) -> None:
    w = Invited(form_app.test_client())
    missing = w.client.get("/forms/inv_nothing_here")
    assert missing.status_code == 404 and "This link does not work" in missing.get_data(True)
    assert "frame-ancestors 'none'" in missing.headers["Content-Security-Policy"]
    assert w.client.get("/forms/sk_admin_x").status_code == 404
    w.client.patch(f"{w.base}/rounds/1", json={"status": "closed"}, headers=w.admin)
    closed = w.client.get(w.url)
    assert closed.status_code == 410 and "This round is closed" in closed.get_data(True)
    assert f"frame-ancestors {PORTAL}" in closed.headers["Content-Security-Policy"]
    posted = w.client.post(w.url, data=FULL)
    assert posted.status_code == 410 and w.stored()["answers"] == {}


def test_revoked_invitation_is_404(form_app: Flask) -> None:
    w = Invited(form_app.test_client())
    listed = w.client.get(f"{w.base}/rounds/1/invitations", headers=w.admin).json["items"]
    w.client.delete(f"{w.base}/rounds/1/invitations/{listed[0]['id']}", headers=w.admin)
    assert w.client.get(w.url).status_code == 404
    assert w.client.post(w.url, data=FULL).status_code == 404


def test_embed_script_is_served_for_any_page(form_app: Flask) -> None:
    client = form_app.test_client()
    script = client.get("/embed.js")
    assert script.status_code == 200 and script.mimetype == "text/javascript"
    assert script.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert "event.origin !== service" in script.get_data(as_text=True)
    asset = client.get("/forms/assets/form.js")
    assert asset.status_code == 200 and "postMessage" in asset.get_data(as_text=True)
    script.close()
    asset.close()


def test_redact_takes_every_token_out() -> None:
    from scoring_service.logs import redact

    line = 'GET /forms/inv_Ab-9_x%2F?lang=de HTTP/1.1" 404 "https://p.example/?l=inv_Q"'
    assert redact(line) == (
        'GET /forms/inv_[redacted]?lang=de HTTP/1.1" 404 "https://p.example/?l=inv_[redacted]"'
    )
