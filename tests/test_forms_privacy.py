"""What the form pages and the cross-origin API tell strangers, and what they read to do so.

A link that does not work names no alliance (no origin in its page or its headers, framed by
no one); neither it nor a CORS preflight reads the alliances (at most the one row of the
token's own, by its key: a statement counter on the store's engines says so); a database that
does not answer is a 503 page, "try again in a moment", in every language of the forms.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import event

from scoring_service.errors import Unavailable
from scoring_service.forms.i18n import STRINGS, Words
from scoring_service.services import invitations, responses

from .helpers import API, OPERATOR, bearer

PORTAL = "https://portal-a.example.com"
OTHER = "https://extranet-b.example.org"
ME = f"{API}/me/response"
JSON = {"Accept": "application/json"}
# A statement that reads the alliances table by a unique key: the alliance's id, or the
# invitation's id or digest it is joined from. Any other read of the table is a scan.
KEYED = re.compile(r"WHERE\s+(alliances\.id|invitations\.id|invitations\.digest)\s*=")


class Invitation:
    """An alliance (on the default survey, framed by ``origin``), round 1, one invitation."""

    def __init__(self, client: FlaskClient, origin: str) -> None:
        body = {
            "name": f"Alliance of {origin}",
            "partners": [{"key": "acme", "name": "Acme"}, {"key": "globex", "name": "Globex"}],
            "survey": "alliance-objectives",
            "frame_ancestors": [origin],
        }
        made = client.post(f"{API}/alliances", json=body, headers=bearer(OPERATOR)).json
        self.client = client
        self.base = f"{API}/alliances/{made['id']}"
        self.admin = bearer(made["admin_key"])
        assert (
            client.post(f"{self.base}/rounds", json={"label": "Q1"}, headers=self.admin).status_code
            == 201
        )
        invited = client.post(
            f"{self.base}/rounds/1/invitations",
            json={"partner": "acme", "role": "legal", "respondent": "lee"},
            headers=self.admin,
        ).json
        self.token = invited["token"]
        self.url = f"/forms/{self.token}"

    def revoke(self) -> None:
        """Revoke the invitation."""
        listed = self.client.get(f"{self.base}/rounds/1/invitations", headers=self.admin).json
        item = listed["items"][0]["id"]
        gone = self.client.delete(f"{self.base}/rounds/1/invitations/{item}", headers=self.admin)
        assert gone.status_code == 204

    def answers(self) -> Any:
        """The invitee's stored answers."""
        return self.client.get(ME, headers=bearer(self.token)).json["answers"]


@contextmanager
def statements(app: Flask) -> Iterator[list[str]]:
    """The SQL statements the app's store runs inside the block, in order (without SQLite's
    explicit BEGIN and the like)."""
    store = app.extensions["scoring"].store
    seen: list[str] = []

    def record(*args: Any) -> None:
        statement = args[2]  # (conn, cursor, statement, parameters, context, executemany)
        if statement.split(None, 1)[0].upper() not in ("BEGIN", "COMMIT", "ROLLBACK"):
            seen.append(statement)

    engines = (store.engine, store.reader)
    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)


def alliance_scans(seen: list[str]) -> list[str]:
    """The statements that read the alliances table other than one row by its key."""
    return [s for s in seen if re.search(r"\balliances\b", s) and not KEYED.search(s)]


def disclosed(answer: Any) -> list[str]:
    """Where an answer names a portal: its body, any header."""
    places = [f"header {k}: {v}" for k, v in answer.headers.items()]
    places.append(answer.get_data(as_text=True))
    return [p for p in places if "portal-a" in p or "extranet-b" in p or "example" in p]


@pytest.fixture
def two(stored: FlaskClient) -> tuple[Invitation, Invitation]:
    """Two alliances with a portal each."""
    return Invitation(stored, PORTAL), Invitation(stored, OTHER)


@pytest.mark.parametrize("accept", [{}, JSON], ids=["html", "json"])
@pytest.mark.parametrize("link", ["unknown", "not a token", "revoked"])
def test_a_link_that_does_not_work_names_no_alliance_and_reads_none(
    stored_app: Flask,
    two: tuple[Invitation, Invitation],
    link: str,
    accept: dict[str, str],
) -> None:
    first, _ = two
    url = {"unknown": "/forms/inv_mistyped_or_guessed", "not a token": "/forms/x"}.get(link)
    if url is None:
        first.revoke()
        url = first.url
    with statements(stored_app) as seen:
        answer = first.client.get(url, headers=accept)
    assert answer.status_code == 404
    assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
    assert disclosed(answer) == []
    body = answer.get_data(as_text=True)
    assert "data-origins" not in body and "form.js" not in body  # nothing to tell, nobody to tell
    if accept:
        assert answer.json["status"] == "not_found"
    else:
        assert "This link does not work" in body
    # At most the invitation looked up by its digest (with its own alliance): no scan.
    assert alliance_scans(seen) == [], seen
    # A revoked one: its invitation (with its alliance, by key), the partners, its round.
    assert len(seen) <= (3 if link == "revoked" else 1), seen


def test_the_form_and_its_closed_page_are_framed_by_their_own_alliance_only(
    stored_app: Flask, two: tuple[Invitation, Invitation]
) -> None:
    first, _ = two
    with statements(stored_app) as seen:
        page = first.client.get(first.url)
    assert page.status_code == 200
    assert page.headers["Content-Security-Policy"].endswith(f"frame-ancestors {PORTAL}")
    assert OTHER not in page.get_data(as_text=True)
    assert alliance_scans(seen) == [] and seen  # the counter sees the store's statements
    first.client.patch(f"{first.base}/rounds/1", json={"status": "closed"}, headers=first.admin)
    with statements(stored_app) as seen:
        closed = first.client.get(first.url)
    assert closed.status_code == 410
    assert closed.headers["Content-Security-Policy"].endswith(f"frame-ancestors {PORTAL}")
    html = closed.get_data(as_text=True)
    assert 'data-status="410"' in html and OTHER not in html  # it tells its own portal
    assert alliance_scans(seen) == [], seen


def test_a_preflight_answers_the_asking_origin_and_reads_nothing(
    stored_app: Flask, two: tuple[Invitation, Invitation]
) -> None:
    first, second = two
    ask = {
        "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "authorization",
    }
    for origin in (PORTAL, OTHER, "https://stranger.example.net"):
        with statements(stored_app) as seen:
            pre = first.client.options(ME, headers={"Origin": origin, **ask})
        assert seen == []  # no credential to check, so nothing is read
        assert pre.status_code == 204 and pre.headers["Access-Control-Allow-Origin"] == origin
        assert "PUT" in pre.headers["Access-Control-Allow-Methods"]
        assert "Authorization" in pre.headers["Access-Control-Allow-Headers"]
        assert pre.headers["Vary"] == "Origin"
    # The same from the service's own origin (or none): not a cross-origin request.
    same = first.client.options(ME, headers={"Origin": "http://localhost", **ask})
    assert "Access-Control-Allow-Origin" not in same.headers
    # The real request is the check: one alliance, by its key.
    body = {"answers": {"sf1": 4}}
    with statements(stored_app) as seen:
        ok = first.client.put(ME, json=body, headers={**bearer(first.token), "Origin": PORTAL})
    assert ok.status_code == 200 and ok.headers["Access-Control-Allow-Origin"] == PORTAL
    assert any(re.search(r"\balliances\b", s) for s in seen), seen
    assert alliance_scans(seen) == [], seen
    # Another alliance's portal, with this token: refused before anything is read or written,
    # and the page may read why.
    with statements(stored_app) as seen:
        refused = first.client.put(
            ME, json=body, headers={**bearer(second.token), "Origin": PORTAL}
        )
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
    assert refused.headers["Access-Control-Allow-Origin"] == PORTAL
    assert "not one of this alliance's frame_ancestors" in refused.json["detail"]
    assert alliance_scans(seen) == [], seen
    assert second.answers() == {} and first.answers() == {"sf1": 4}
    # A token that does not work: a 401 the page can read, nothing of any alliance read.
    with statements(stored_app) as seen:
        unknown = first.client.get(ME, headers={**bearer("inv_unknown"), "Origin": OTHER})
    assert unknown.status_code == 401 and unknown.headers["Access-Control-Allow-Origin"] == OTHER
    assert not any(re.search(r"\balliances\b", s) for s in seen), seen


def unavailable(retry_after: int | None = None, *, set_it: bool = False) -> Unavailable:
    """The outage another layer raises, with ``retry_after`` set when ``set_it``."""
    exc = Unavailable("The database does not answer; retry in a moment.")
    if set_it:
        exc.retry_after = retry_after
    return exc


@pytest.mark.parametrize("lang", sorted(STRINGS))
def test_an_outage_is_a_503_page_in_every_language(
    stored_app: Flask,
    monkeypatch: pytest.MonkeyPatch,
    two: tuple[Invitation, Invitation],
    lang: str,
) -> None:
    first, _ = two

    def down(*_: Any) -> None:
        raise unavailable()

    monkeypatch.setattr(invitations, "by_token", down)
    page = first.client.get(first.url, headers={"Accept-Language": lang})
    assert page.status_code == 503 and page.mimetype == "text/html"
    assert page.headers["Retry-After"] == "1"
    assert page.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]  # whose is it?
    html = page.get_data(as_text=True)
    words = Words(lang)
    assert f'<html lang="{lang}">' in html
    assert f"<title>{escape(words('unavailable_title'))}</title>" in html
    assert f"<p>{escape(words('unavailable_text'))}</p>" in html
    assert disclosed(page) == []
    # For the page's script: the same words in JSON.
    script = first.client.post(
        first.url, data={"action": "save"}, headers={**JSON, "Accept-Language": lang}
    )
    assert script.status_code == 503 and script.headers["Retry-After"] == "1"
    assert script.json == {
        "status": "unavailable",
        "title": words("unavailable_title"),
        "message": words("unavailable_text"),
    }


def test_the_words_of_an_outage_say_try_again_in_each_language() -> None:
    english = Words("en")("unavailable_text").lower()
    assert "temporarily unavailable" in english and "try again in a moment" in english
    texts = {Words(lang)("unavailable_text") for lang in STRINGS}
    assert len(texts) == len(STRINGS)  # each language its own, none left in English


@pytest.mark.parametrize(
    ("retry_after", "set_it", "header"),
    [(None, False, "1"), (None, True, "1"), (7, True, "7"), (0, True, "1")],
    ids=["default", "none", "seven", "zero"],
)
def test_a_failed_save_is_a_503_with_retry_after(
    stored_app: Flask,
    monkeypatch: pytest.MonkeyPatch,
    two: tuple[Invitation, Invitation],
    retry_after: int | None,
    set_it: bool,
    header: str,
) -> None:
    first, _ = two

    def down(*_: Any) -> None:
        raise unavailable(retry_after, set_it=set_it)

    monkeypatch.setattr(responses, "save", down)
    data = {"sf1": "4", "action": "save"}
    script = first.client.post(first.url, data=data, headers=JSON)
    assert script.status_code == 503 and script.json["status"] == "unavailable"
    assert script.headers["Retry-After"] == header
    # Without script: the page, framed by the invitation's own portal, which it tells.
    plain = first.client.post(first.url, data=data)
    assert plain.status_code == 503 and plain.headers["Retry-After"] == header
    assert plain.headers["Content-Security-Policy"].endswith(f"frame-ancestors {PORTAL}")
    html = plain.get_data(as_text=True)
    assert "Temporarily unavailable" in html and 'data-status="503"' in html
    assert OTHER not in html
    monkeypatch.undo()
    assert first.answers() == {}
