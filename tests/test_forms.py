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

from .helpers import FIXTURES, OPERATOR, settings_for

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
    # A link of no alliance names none: no one may frame its page (tests/test_forms_privacy.py).
    assert "frame-ancestors 'none'" in missing.headers["Content-Security-Policy"]
    assert PORTAL not in missing.get_data(as_text=True)
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


def test_portals_may_call_my_response_from_their_listed_origins_only(form_app: Flask) -> None:
    w = Invited(form_app.test_client())
    other = Invited(w.client, frame_ancestors=["https://other.example.org"])
    me = f"{API}/me/response"
    ask = {"Access-Control-Request-Method": "PUT"}
    # Preflights carry no token: answered for the asking origin; the real request is checked.
    for origin in (PORTAL, "https://other.example.org", "https://evil.example"):
        pre = w.client.options(me, headers={"Origin": origin, **ask})
        assert pre.status_code == 204 and pre.headers["Access-Control-Allow-Origin"] == origin
        assert "PUT" in pre.headers["Access-Control-Allow-Methods"]
        assert "Authorization" in pre.headers["Access-Control-Allow-Headers"]
    body = {"answers": {"t1": 4}}
    # The real request: only from the token's own alliance's origins.
    ok = w.client.put(me, json=body, headers={**bearer(w.token), "Origin": PORTAL})
    assert ok.status_code == 200 and ok.headers["Access-Control-Allow-Origin"] == PORTAL
    assert "Origin" in ok.headers["Vary"]
    refused = w.client.put(
        me, json={"answers": {"t1": 1}}, headers={**bearer(other.token), "Origin": PORTAL}
    )
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
    assert other.stored()["answers"] == {}
    evil = w.client.put(
        me, json=body, headers={**bearer(w.token), "Origin": "https://evil.example"}
    )
    assert evil.status_code == 403 and evil.json["detail"].startswith("Origin https://evil")
    assert w.stored()["answers"] == {"t1": 4}
    # Scripts send no Origin: not a cross-origin request.
    assert w.client.put(me, json={"answers": {"t1": 5}}, headers=bearer(w.token)).status_code == 200
    assert w.stored()["answers"] == {"t1": 5}


def test_survey_definitions_are_readable_from_any_origin(form_app: Flask) -> None:
    client = form_app.test_client()
    answer = client.get(f"{API}/surveys/mini", headers={"Origin": "https://any.example"})
    assert answer.status_code == 200 and answer.headers["Access-Control-Allow-Origin"] == "*"


def test_surveyjs_export_of_the_mini_survey(form_app: Flask) -> None:
    doc = form_app.test_client().get(f"{API}/surveys/mini?format=surveyjs").json
    assert doc["title"] == {"default": "Mini survey", "de": "Mini-Umfrage"}
    names = [p["name"] for p in doc["pages"]]
    assert names == ["priorities", "trust", "governance", "comments"]
    points = doc["pages"][0]["elements"][0]
    assert points["type"] == "multipletext" and points["isRequired"] is True
    assert [i["name"] for i in points["items"]] == ["speed", "risk", "revenue", "cost"]
    assert points["items"][0]["validators"] == [{"type": "numeric", "minValue": 0, "maxValue": 100}]
    assert points["validators"][0]["text"] == {
        "default": "The points must add up to 100.",
        "de": "Die Punkte müssen 100 ergeben.",
    }
    assert points["validators"][0]["expression"] == (
        "sum({priorities.speed}, {priorities.risk}, {priorities.revenue}, {priorities.cost}) = 100"
    )
    t1 = doc["pages"][1]["elements"][0]
    assert t1["type"] == "rating" and t1["name"] == "t1"
    assert t1["title"] == {
        "default": "We trust the other partner.",
        "de": "Wir vertrauen dem Partner.",
    }
    assert [v["value"] for v in t1["rateValues"]] == [1, 2, 3, 4, 5]
    comment = doc["pages"][3]["elements"][0]
    assert comment == {
        "type": "comment",
        "name": "comments",
        "title": {"default": "Anything else?", "de": "Sonst noch etwas?"},
        "isRequired": False,
        "maxLength": 2000,
    }
    bad = form_app.test_client().get(f"{API}/surveys/mini?format=xml")
    assert bad.status_code == 422 and bad.json["errors"][0]["path"] == "format"


# What SurveyJS's onComplete hands a portal: numbers from text inputs may be strings, comment
# areas add "<name>-Comment" keys.
SURVEYJS_RESULT = {
    "t1": 4,
    "t2": "2",
    "t3": 5.0,
    "g1": "3",
    "g2": 4,
    "g3": 1,
    "priorities": {"speed": "40", "risk": 30, "revenue": "30"},
    "comments": "Fine.",
    "t1-Comment": "a note SurveyJS collected",
}


def test_surveyjs_results_are_accepted_with_the_documented_mapping(form_app: Flask) -> None:
    w = Invited(form_app.test_client())
    me = f"{API}/me/response"
    done = w.client.put(f"{me}?format=surveyjs", json=SURVEYJS_RESULT, headers=bearer(w.token))
    assert done.status_code == 200, done.get_data(as_text=True)
    assert done.json["complete"] is True
    assert done.json["answers"] == {
        "t1": 4,
        "t2": 2,
        "t3": 5,
        "g1": 3,
        "g2": 4,
        "g3": 1,
        "priorities": {"speed": 40, "risk": 30, "revenue": 30},
        "comments": "Fine.",
    }
    partial = w.client.put(
        f"{me}?format=surveyjs&complete=false", json={"t1": "5", "g1": ""}, headers=bearer(w.token)
    )
    assert partial.json["complete"] is False and partial.json["answers"] == {"t1": 5, "g1": None}


@pytest.mark.parametrize(
    ("query", "body", "path"),
    [
        ("format=surveyjs", {"t1": "4.5"}, "answers.t1"),
        ("format=surveyjs", {"t1": "four"}, "answers.t1"),
        ("format=surveyjs", {"nope": 1}, "answers.nope"),
        ("format=surveyjs", [1, 2], "answers"),
        ("format=surveyjs", {"priorities": {"speed": "x"}}, "answers.priorities.speed"),
        ("format=surveyjs&complete=maybe", {"t1": 4}, "complete"),
        ("format=xml", {"answers": {}}, "format"),
    ],
)
def test_surveyjs_results_that_cannot_be_mapped_are_named(
    form_app: Flask, query: str, body: Any, path: str
) -> None:
    w = Invited(form_app.test_client())
    bad = w.client.put(f"{API}/me/response?{query}", json=body, headers=bearer(w.token))
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    assert path in [e["path"] for e in bad.json["errors"]], bad.json
    assert w.stored()["answers"] == {}


def test_origins_are_stored_as_browsers_send_them(form_app: Flask) -> None:
    client = form_app.test_client()
    listed = ["https://Portal.Example.COM:443", "http://x.example:80", "http://y.example:08080"]
    w = Invited(client, frame_ancestors=listed)
    shown = client.get(w.base, headers=w.admin).json["frame_ancestors"]
    assert shown == ["https://portal.example.com", "http://x.example", "http://y.example:8080"]
    me = f"{API}/me/response"
    ok = client.put(me, json={"answers": {}}, headers={**bearer(w.token), "Origin": PORTAL})
    assert ok.status_code == 200 and ok.headers["Access-Control-Allow-Origin"] == PORTAL
    for bad in ("https://a.example\n", "https://a.example/", "ftp://a.example", "https://a:99999"):
        answer = client.patch(w.base, json={"frame_ancestors": [bad]}, headers=w.admin)
        assert answer.status_code == 422, bad
        assert answer.json["errors"][0]["path"] == "frame_ancestors[0]", answer.json
    body = {
        "name": "X",
        "partners": [{"key": "acme\n", "name": "A"}, {"key": "b", "name": "B"}],
        "survey": "mini",
    }
    made = client.post(f"{API}/alliances", json=body, headers=bearer(OPERATOR))
    assert made.status_code == 422 and made.json["errors"][0]["path"] == "partners[0].key"


def test_an_idempotency_key_reused_with_another_query_is_refused(form_app: Flask) -> None:
    w = Invited(form_app.test_client())
    me = f"{API}/me/response"
    headers = {**bearer(w.token), "Idempotency-Key": "k1"}
    first = w.client.put(f"{me}?format=surveyjs&complete=false", json={"t1": 4}, headers=headers)
    assert first.status_code == 200 and first.json["complete"] is False
    again = w.client.put(f"{me}?format=surveyjs&complete=true", json={"t1": 4}, headers=headers)
    assert again.status_code == 422 and "different body or query" in again.json["detail"]
    replay = w.client.put(f"{me}?complete=false&format=surveyjs", json={"t1": 4}, headers=headers)
    assert replay.status_code == 200 and replay.headers["Idempotent-Replayed"] == "true"


def test_a_submitted_response_is_complete_again_once_whole_again(form_app: Flask) -> None:
    w = Invited(form_app.test_client())
    as_json = {"Accept": "application/json"}
    w.client.post(w.url, data={**FULL, "action": "submit"})
    page = w.client.get(w.url).get_data(as_text=True)
    assert '<input type="hidden" name="submitted" value="1">' in page
    gap = {**FULL, "priorities.risk": "", "submitted": "1", "action": "save"}
    assert w.client.post(w.url, data=gap, headers=as_json).json["complete"] is False
    whole = {**FULL, "submitted": "1", "action": "save"}
    assert w.client.post(w.url, data=whole, headers=as_json).json["complete"] is True
    assert w.stored()["complete"] is True
    # Never submitted: a whole response saved is still only saved.
    fresh = Invited(w.client)
    saved = fresh.client.post(fresh.url, data={**FULL, "action": "save"}, headers=as_json)
    assert saved.json["complete"] is False


def test_surveyjs_edge_cases_are_refused_not_guessed(form_app: Flask) -> None:
    w = Invited(form_app.test_client())
    me = f"{API}/me/response?format=surveyjs&complete=false"
    arabic_four = w.client.put(me, json={"t1": "\u0664"}, headers=bearer(w.token))
    assert arabic_four.status_code == 422 and arabic_four.json["errors"][0]["path"] == "answers.t1"
    w.client.put(me, json={"t1": 4}, headers=bearer(w.token))
    empty = w.client.put(me, headers=bearer(w.token))  # no body: no answers, not "erase all"
    assert empty.status_code == 422 and empty.json["errors"][0]["path"] == "answers"
    typed = w.client.put(me, headers={**bearer(w.token), "Content-Type": "application/json"})
    assert typed.status_code == 400  # announced JSON, sent none
    assert w.stored()["answers"] == {"t1": 4}


@pytest.mark.parametrize(
    ("query", "accept", "lang"),
    [
        ("", "*", "en"),
        ("", "fr, *;q=0.1", "en"),
        ("", "de-CH, en;q=0.9", "de"),
        ("", "en-GB;q=0.9, de;q=0.8", "en"),
        ("", "de;q=0, en;q=0.1", "en"),
        ("", "", "en"),
        ("?lang=DE", "en", "de"),
        ("?lang=fr", "de", "de"),  # no French survey texts: the browser's choice then
    ],
)
def test_language_negotiation(form_app: Flask, query: str, accept: str, lang: str) -> None:
    w = Invited(form_app.test_client())
    page = w.client.get(w.url + query, headers={"Accept-Language": accept} if accept else {})
    assert f'<html lang="{lang}">' in page.get_data(as_text=True)


def test_pages_without_an_alliance_speak_the_browsers_language(form_app: Flask) -> None:
    page = form_app.test_client().get("/forms/inv_unknown", headers={"Accept-Language": "fr"})
    html = page.get_data(as_text=True)
    assert page.status_code == 404 and '<html lang="fr">' in html
    assert "Ce lien ne fonctionne pas" in html


def test_errors_come_in_page_order_and_notices_only_when_true(form_app: Flask) -> None:
    w = Invited(form_app.test_client())
    empty = w.client.post(
        w.url, data={"action": "submit"}, headers={"Accept": "application/json"}
    ).json
    # The points are shown first (in the file they come after the Likert items).
    assert list(empty["errors"]) == ["priorities", "t1", "t2", "t3", "g1", "g2", "g3"]
    lying = w.client.get(f"{w.url}?done=submitted").get_data(as_text=True)
    assert '<div id="notice" class="notice" role="status" tabindex="-1" hidden></div>' in lying


def test_a_stakeholder_whose_role_left_the_survey_is_not_invited(tmp_path: Path) -> None:
    import shutil

    surveys = tmp_path / "surveys"
    shutil.copytree(FIXTURES / "surveys" / "mini", surveys / "mini")
    shutil.copytree(
        Path(__file__).parent.parent / "surveys" / "alliance-objectives",
        surveys / "alliance-objectives",
    )
    url = f"sqlite:///{tmp_path / 'scoring.db'}"
    client = create_app(settings_for(url, tmp_path, surveys_dir=surveys)).test_client()
    w = Invited(client, survey="alliance-objectives")
    client.post(
        f"{w.base}/rounds/1/invitations",
        json={"partner": "acme", "role": "finance", "respondent": "fin"},
        headers=w.admin,
    )
    client.patch(f"{w.base}/rounds/1", json={"status": "closed"}, headers=w.admin)
    client.patch(w.base, json={"survey": "mini"}, headers=w.admin)
    client.post(f"{w.base}/rounds", json={"label": "Q2"}, headers=w.admin)
    again = client.post(
        f"{w.base}/rounds/2/invitations",
        json={"partner": "acme", "stakeholder": "fin"},
        headers=w.admin,
    )
    assert again.status_code == 422 and again.json["errors"][0]["path"] == "stakeholder"
    assert "'finance' is not in this round's survey" in again.json["errors"][0]["message"]


def test_the_forms_own_words_are_marked_when_in_another_language(tmp_path: Path) -> None:
    """A survey in Dutch, a language the form has no words for: the questions in Dutch, the
    form's own words in English and marked so (WCAG 3.1.2, language of parts)."""
    dutch = tmp_path / "surveys" / "mini"
    dutch.mkdir(parents=True)
    text = (FIXTURES / "surveys" / "mini" / "1.toml").read_text()
    (dutch / "1.toml").write_text(text.replace(" de = ", " nl = "))
    url = f"sqlite:///{tmp_path / 'scoring.db'}"
    app = create_app(settings_for(url, tmp_path, surveys_dir=tmp_path / "surveys"))
    w = Invited(app.test_client())
    html = w.client.get(f"{w.url}?lang=nl").get_data(as_text=True)
    assert '<html lang="nl">' in html and "Wir vertrauen dem Partner." in html  # the texts
    assert '<button type="submit" name="action" value="submit" class="primary" lang="en">' in html
    assert '<span id="progress-text" lang="en">' in html
    german = w.client.get(w.url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert ' lang="en">' not in german.split("<body>")[1]  # one language: nothing marked


def error_summary(page: str) -> tuple[str, list[tuple[str, str]], str | None]:
    """The error summary of a rendered form: its heading, its links (target, text), and the
    line that counts the problems it does not link (None: every problem is linked)."""
    import html

    found = re.search(r'<div id="error-summary".*?</div>', page, re.S)
    assert found, "no error summary"
    block = found.group(0)
    heading = re.search(r"<h2[^>]*>(.*?)</h2>", block, re.S)
    more = re.search(r'<p class="more"[^>]*>(.*?)</p>', block, re.S)
    links = re.findall(r'<li><a href="#([^"]+)">(.*?)</a></li>', block, re.S)
    assert heading
    return (
        html.unescape(heading.group(1)),
        [(target, html.unescape(text)) for target, text in links],
        html.unescape(more.group(1)) if more else None,
    )


def default_survey() -> Any:
    from scoring_service.surveys import load_registry

    from .helpers import ROOT

    return load_registry(ROOT / "surveys").get("alliance-objectives")


def test_an_early_submit_summarises_the_problems_instead_of_listing_all(stored_app: Flask) -> None:
    """The default survey submitted empty: the count, the first five problems as links, how
    many more; every problem still beside its question."""
    from scoring_service.forms.views import SUMMARY_SHOWN

    survey = default_survey()
    required = [i.id for i in survey.items if i.required]
    w = Invited(stored_app.test_client(), survey="alliance-objectives")
    as_json = w.client.post(
        w.url, data={"action": "submit"}, headers={"Accept": "application/json"}
    )
    errors = as_json.json["errors"]  # in page order: the points first
    assert sorted(errors) == sorted(required) and next(iter(errors)) == "priorities"
    page = w.client.post(w.url, data={"action": "submit"})
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    heading, links, more = error_summary(html)
    assert heading == f"{len(required)} answers need your attention"
    shown = list(errors)[:SUMMARY_SHOWN]
    assert [target for target, _ in links] == [f"q-{key}" for key in shown]
    texts = {i.id: i.text["en"] for i in survey.items}
    for (_, text), key in zip(links, shown, strict=True):
        assert text == f"{texts[key]} {errors[key]}"
    rest = len(required) - SUMMARY_SHOWN
    assert more == f"And {rest} more, marked beside their questions below."
    # Every problem is still marked beside its question, and the page is far shorter.
    assert html.count('<p class="error" id="err-') == len(required)
    for key in required:
        assert f'<p class="error" id="err-{key}">' in html


def test_the_points_problem_is_in_the_summary_among_many_others(stored_app: Flask) -> None:
    """150 of 100 points with every other question unanswered: the points' sum is listed."""
    survey = default_survey()
    required = [i.id for i in survey.items if i.required]
    (item,) = survey.items_of("allocation")
    first, second = survey.objective_ids[:2]
    w = Invited(stored_app.test_client(), survey="alliance-objectives")
    typed = {f"{item.id}.{first}": "80", f"{item.id}.{second}": "70", "action": "submit"}
    html = w.client.post(w.url, data=typed).get_data(as_text=True)
    assert "Total: 150 of 100 points. 50 points too many: take some away." in html
    heading, links, more = error_summary(html)
    assert heading == f"{len(required)} answers need your attention"  # the points count too
    assert links[0] == (
        f"q-{item.id}",
        f"{item.text['en']} The points add up to 150; they must add up to 100.",
    )
    assert more is not None and f"And {len(required) - len(links)} more" in more


def test_the_summary_lists_the_points_problem_wherever_it_comes() -> None:
    """The rule itself: the first five in the order given, and the points' own problem always
    (here put last, as a survey could order its page otherwise)."""
    from scoring_service.forms.views import summary_keys

    survey = default_survey()
    likert = [i.id for i in survey.items if i.type == "likert"]
    errors = {key: "Choose one answer." for key in likert[:10]}
    errors["priorities"] = "The points add up to 150; they must add up to 100."
    assert summary_keys(survey, errors) == [*likert[:4], "priorities"]
    assert summary_keys(survey, {"priorities": "x"}) == ["priorities"]
    assert summary_keys(survey, {}) == []
    # A points field's own problem ("Enter a whole number") is one like the others.
    fields = {
        f"priorities.{o}": "Enter a whole number from 0 to 100." for o in survey.objective_ids
    }
    assert summary_keys(survey, fields) == list(fields)[:5]


@pytest.mark.parametrize(
    ("missing", "heading", "more"),
    [
        (["t1"], "1 answer needs your attention", None),
        (["t1", "t2", "t3", "g1", "g2"], "5 answers need your attention", None),
        (
            ["t1", "t2", "t3", "g1", "g2", "g3"],
            "6 answers need your attention",
            "And 1 more, marked beside its question below.",
        ),
    ],
)
def test_the_summary_counts_in_the_singular_and_the_plural(
    form_app: Flask, missing: list[str], heading: str, more: str | None
) -> None:
    w = Invited(form_app.test_client())
    data = {k: v for k, v in FULL.items() if k not in missing}
    html = w.client.post(w.url, data={**data, "action": "submit"}).get_data(as_text=True)
    shown_heading, links, shown_more = error_summary(html)
    assert (shown_heading, shown_more) == (heading, more)
    assert [target for target, _ in links] == [f"q-{key}" for key in missing[:5]]


def test_the_summary_speaks_the_forms_language(form_app: Flask) -> None:
    w = Invited(form_app.test_client())
    page = w.client.post(w.url, data={"action": "submit"}, headers={"Accept-Language": "de"})
    heading, links, more = error_summary(page.get_data(as_text=True))
    assert heading == "7 Antworten brauchen noch Ihre Aufmerksamkeit"
    assert len(links) == 5 and more == "Dazu 2 weitere, unten bei ihren Fragen markiert."


def test_every_language_has_every_word_and_both_counts() -> None:
    from scoring_service.forms.i18n import STRINGS, Words
    from scoring_service.forms.views import SCRIPT_WORDS

    for lang, table in STRINGS.items():
        assert set(table) == set(STRINGS["en"]), lang
        assert set(SCRIPT_WORDS) <= set(table), lang
        words = Words(lang)
        for key in ("errors_count", "errors_more"):
            one, many = words.count(key, 1), words.count(key, 12)
            assert "1" in one and "12" in many and one.replace("1", "12") != many, lang
