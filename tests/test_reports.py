"""Report links and report pages (issue 16), through the HTTP surface: who may make which link,
what each page shows and hides, links that stop working. The links' lifecycle and the joint
report on SQLite and PostgreSQL; what a page shows, which no database changes, on SQLite."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from scoring_service.reports.content import Texts, headline, talk_points
from scoring_service.reports.figures import figures
from scoring_service.reports.words import Words
from scoring_service.scoring.visibility import joint_view
from scoring_service.store.models import ReportLink
from scoring_service.surveys import Survey

from .helpers import World, answers, bearer, new_alliance

CONFLICT_STEP = "Agree a pre-approved contract template"  # the survey's next step, speed v risk


def _answers(survey: Survey, partner: str, k: int) -> dict[str, Any]:
    """A complete response: acme leans to speed to market, globex to risk control (the default
    survey marks them as conflicting), with a free-text answer naming its writer."""
    out = answers(survey, 100 * k + (partner == "acme"))
    lean, other = ("speed_to_market", "risk_control")[:: 1 if partner == "acme" else -1]
    much, little = 45 + 5 * (k % 3), 5 - 5 * (k % 2)
    out["priorities"] = {o: 0 for o in survey.objective_ids} | {
        lean: much,
        other: little,
        "revenue_growth": 100 - much - little,
    }
    out["biggest_risk"] = f"{partner}-risk-{k}"
    return out


def _world(client: FlaskClient, survey: Survey, sizes: dict[str, int], **extra: Any) -> World:
    """An alliance with round 1 open and ``sizes`` complete responses a partner."""
    w = World(client, **extra)
    for partner, n in sizes.items():
        for k in range(n):
            answer = w.put(partner, f"{partner}{k}", _answers(survey, partner, k))
            assert answer.status_code == 200, answer.json
    return w


def _link(w: World, who: dict[str, str], **body: Any) -> dict[str, Any]:
    """A new report link, made by ``who``."""
    made = w.client.post(f"{w.base}/report-links", json=body, headers=who)
    assert made.status_code == 201, made.json
    link: dict[str, Any] = made.json
    return link


def _page(client: FlaskClient, url: str, status: int = 200, **kw: Any) -> str:
    """The page at a link's URL, checked for its status and the headers every report has."""
    answer = client.get(url.removeprefix("http://localhost"), **kw)
    assert answer.status_code == status
    assert answer.mimetype == "text/html"
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert answer.headers["Referrer-Policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
    assert "script-src" not in answer.headers["Content-Security-Policy"]  # default-src 'none'
    return answer.get_data(as_text=True)


def _text(html: str) -> str:
    """The page's visible text, charts left out, spaces collapsed."""
    html = re.sub(r"<svg.*?</svg>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")


def test_links_are_made_listed_and_revoked(stored: FlaskClient, default_survey: Survey) -> None:
    w = _world(stored, default_survey, {"acme": 3, "globex": 3})
    joint = _link(w, w.admin)
    assert joint["view"] == "joint" and joint["scope"] == "round" and joint["round"] == 1
    assert re.fullmatch(r"http://localhost/reports/rep_[A-Za-z0-9_-]{32}", joint["url"])
    expires = dt.datetime.fromisoformat(joint["expires_at"]) - dt.datetime.fromisoformat(
        joint["created_at"]
    )
    assert expires == dt.timedelta(days=30)
    own = _link(w, w.keys["acme"], include_text=True, expires_in_days=90)
    assert (own["view"], own["partner"], own["include_text"]) == ("own", "acme", True)
    # The admin lists every link of the alliance, a partner key those it made; never a URL.
    listed = stored.get(f"{w.base}/report-links", headers=w.admin).json["items"]
    assert {x["id"] for x in listed} == {joint["id"], own["id"]}
    assert all("url" not in x for x in listed)
    mine = stored.get(f"{w.base}/report-links", headers=w.keys["acme"]).json["items"]
    assert [x["id"] for x in mine] == [own["id"]]
    assert stored.get(f"{w.base}/report-links", headers=w.keys["globex"]).json["items"] == []
    # Another partner cannot revoke a link it did not make (nor learn of it); the admin can.
    other = stored.delete(f"{w.base}/report-links/{own['id']}", headers=w.keys["globex"])
    assert other.status_code == 404
    _page(stored, own["url"])
    assert stored.delete(f"{w.base}/report-links/{own['id']}", headers=w.admin).status_code == 204
    assert stored.delete(f"{w.base}/report-links/{own['id']}", headers=w.admin).status_code == 204
    gone = _text(_page(stored, own["url"], 404))
    assert "This report link does not work" in gone
    revoked = stored.get(f"{w.base}/report-links", headers=w.keys["acme"]).json["items"][0]
    assert revoked["revoked_at"] is not None


@pytest.mark.parametrize(
    ("who", "body", "status", "field"),
    [
        ("acme", {"view": "joint"}, 403, None),
        ("admin", {"view": "own"}, 422, "view"),
        ("admin", {"round": 9}, 422, "round"),
        ("admin", {"round": 0}, 422, "round"),
        ("admin", {"round": "1"}, 422, "round"),
        ("admin", {"scope": "alliance", "round": 1}, 422, "round"),
        ("admin", {"scope": "everything"}, 422, "scope"),
        ("admin", {"expires_in_days": 91}, 422, "expires_in_days"),
        ("admin", {"expires_in_days": 0}, 422, "expires_in_days"),
        ("admin", {"include_text": "yes"}, 422, "include_text"),
        ("admin", {"colour": "blue"}, 422, "colour"),
    ],
)
def test_bad_link_requests_name_the_field(
    client: FlaskClient, who: str, body: dict[str, Any], status: int, field: str | None
) -> None:
    w = World(client)
    answer = client.post(
        f"{w.base}/report-links", json=body, headers=w.admin if who == "admin" else w.keys[who]
    )
    assert answer.status_code == status, answer.json
    assert answer.mimetype == "application/problem+json"
    if field is not None:
        assert [e["path"] for e in answer.json["errors"]] == [field]
    assert client.get(f"{w.base}/report-links", headers=w.admin).json["items"] == []


def test_links_need_a_credential_of_the_alliance(client: FlaskClient) -> None:
    w, other = World(client), World(client)
    url = f"{w.base}/report-links"
    assert client.post(url, json={}).status_code == 401
    assert client.post(url, json={}, headers=other.admin).status_code == 404
    assert client.post(url, json={}, headers=bearer("rep_" + "x" * 32)).status_code == 401
    invited = client.post(
        f"{w.base}/rounds/1/invitations", json={"partner": "acme", "role": "legal"}, headers=w.admin
    ).json["token"]
    assert client.post(url, json={}, headers=bearer(invited)).status_code == 403


def test_no_round_yet_is_named(client: FlaskClient) -> None:
    bare = new_alliance(client)  # no round: a round link cannot be made, an alliance link can
    answer = client.post(
        f"/api/v1/alliances/{bare['id']}/report-links",
        json={},
        headers=bearer(bare["admin_key"]),
    )
    assert answer.status_code == 422 and answer.json["errors"][0]["path"] == "round"
    made = client.post(
        f"/api/v1/alliances/{bare['id']}/report-links",
        json={"scope": "alliance"},
        headers=bearer(bare["admin_key"]),
    )
    assert made.status_code == 201
    assert "The alliance has no round yet." in _text(_page(client, made.json["url"]))


def test_joint_report_reads_without_help(stored: FlaskClient, default_survey: Survey) -> None:
    w = _world(stored, default_survey, {"acme": 6, "globex": 6})
    html = _page(stored, _link(w, w.admin)["url"])
    text = _text(html)
    result = stored.get(f"{w.base}/rounds/1/results", headers=w.admin).json["result"]
    # The headline: the score, its band where the uncertainty settles it, the components'
    # intervals in words.
    alignment = result["alignment"]
    assert f"{round(alignment['score'])} out of 100." in text
    compatibility = alignment["components"]["compatibility"]
    low, high = (round(x) for x in compatibility["ci"])
    value = round(compatibility["value"])
    assert f"Compatibility of objectives: {value}, likely between {low} and {high}." in text
    assert ("The partners are" in text) == (alignment["band"] is not None)
    assert "Joint report: what both partners may see." in text
    assert "Provisional: the round is still open" in text
    # What to talk about next: the planted conflict first, quoting the survey's next step.
    kinds = re.findall(r'data-kind="([a-z_]+)"', html)
    assert kinds and kinds[0] == "objective_conflict", kinds
    assert f"Suggested next step: {CONFLICT_STEP}" in text
    # Three charts (one round: no trend), each with a title, a text alternative and a table.
    assert re.findall(r'<figure class="chart" id="figure-([a-z]+)"', html) == [
        "radar",
        "profiles",
        "agreement",
    ]
    assert html.count("<svg") == 3 and html.count('role="img"') == 3
    assert html.count('<table class="numbers">') == 3
    assert "<script" not in html
    # Free text only when the link asks for it.
    assert "acme-risk-" not in html
    assert "6 from Acme and 6 from Globex answered completely." in text


def test_own_link_never_shows_the_other_partners_text(
    client: FlaskClient, default_survey: Survey
) -> None:
    w = _world(client, default_survey, {"acme": 4, "globex": 4})
    own = _text(_page(client, _link(w, w.keys["acme"], include_text=True)["url"]))
    quoted = sorted(re.findall(r"(acme|globex)-risk-(\d)", own))
    assert quoted == [("acme", str(k)) for k in range(4)]
    assert "Acme's own report" in own
    joint = _text(_page(client, _link(w, w.admin, include_text=True)["url"]))
    assert len(re.findall(r"globex-risk-\d", joint)) == 4
    assert len(re.findall(r"acme-risk-\d", joint)) == 4


def test_text_of_a_small_group_is_not_quoted(client: FlaskClient, default_survey: Survey) -> None:
    w = _world(client, default_survey, {"acme": 3, "globex": 3})
    # Two of globex's three leave the question out: too few to quote without pointing at one.
    for k in (1, 2):
        body = _answers(default_survey, "globex", k)
        del body["biggest_risk"]
        assert w.put("globex", f"globex{k}", body).status_code == 200
    text = _text(_page(client, _link(w, w.admin, include_text=True)["url"]))
    assert "globex-risk" not in text
    assert len(re.findall(r"acme-risk-\d", text)) == 3


def test_small_groups_hide_figures(client: FlaskClient, default_survey: Survey) -> None:
    w = _world(client, default_survey, {"acme": 3, "globex": 2})
    joint = _page(client, _link(w, w.admin)["url"])
    assert "Not shown: a partner has fewer than 3 complete responses" in _text(joint)
    assert "<svg" not in joint
    own = _text(_page(client, _link(w, w.keys["acme"])["url"]))
    assert "Not shown: the other partner has fewer than 3 complete responses" in own
    # Globex sees acme (3, the minimum).
    theirs = _page(client, _link(w, w.keys["globex"])["url"])
    assert theirs.count("<svg") == 3


def test_links_stop_working(stored_app: Flask, default_survey: Survey) -> None:
    client = stored_app.test_client()
    w = _world(client, default_survey, {"acme": 3, "globex": 3})
    expired, revoked_key = _link(w, w.admin), _link(w, w.keys["acme"])
    with stored_app.extensions["scoring"].store.write() as session:
        row = session.get(ReportLink, expired["id"])
        row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    _page(client, expired["url"], 404)
    _page(client, revoked_key["url"])
    keys = client.get(f"{w.base}/partners/acme/keys", headers=w.admin).json["items"]
    client.delete(f"{w.base}/partners/acme/keys/{keys[0]['id']}", headers=w.admin)
    _page(client, revoked_key["url"], 404)
    _page(client, "/reports/rep_unknown", 404)
    _page(client, "/reports/" + "x" * 300, 404)


def test_alliance_link_shows_every_round_and_the_change(
    client: FlaskClient, default_survey: Survey
) -> None:
    w = _world(client, default_survey, {"acme": 5, "globex": 5})
    assert (
        client.patch(f"{w.base}/rounds/1", json={"status": "closed"}, headers=w.admin).status_code
        < 300
    )
    assert client.post(f"{w.base}/rounds", json={"label": "Q2"}, headers=w.admin).status_code < 300
    for partner in ("acme", "globex"):
        for k in range(5):
            body = _answers(default_survey, partner, k + 7)
            url = f"{w.base}/rounds/2/responses/{partner}{k}"
            assert (
                client.put(
                    url,
                    json={"partner": partner, "role": "legal", "answers": body},
                    headers=w.admin,
                ).status_code
                < 300
            )
    link = _link(w, w.admin, scope="alliance")
    overview = _page(client, link["url"])
    assert "Round 1: Q1" in overview and "Round 2: Q2" in overview
    urls = re.findall(r'href="(/reports/rep_[^"]+/rounds/(\d))', overview)
    assert [n for _, n in urls] == ["1", "2"]
    assert 'id="figure-trend"' in overview
    second = _text(_page(client, urls[1][0].replace("&amp;", "&")))
    assert re.search(r"Since round 1 \(Q1\), alignment (rose|fell|has not changed)", second)
    assert "Every round" in second  # the way back to the overview
    # A round's report shows the trend as it stood then: never a later round.
    first = _page(client, _link(w, w.admin, round=1)["url"])
    assert "Round 1: Q1" in first and "2: Q2" not in first and "Since round" not in first
    round_link = _link(w, w.admin, round=1)
    _page(client, round_link["url"] + "/rounds/1", 404)  # a round link shows its round only
    _page(client, link["url"] + "/rounds/3", 404)


def test_the_report_speaks_the_surveys_language(mini_client: FlaskClient) -> None:
    made = new_alliance(mini_client, survey="mini")
    base, admin = f"/api/v1/alliances/{made['id']}", bearer(made["admin_key"])
    assert mini_client.post(f"{base}/rounds", json={"label": "Q1"}, headers=admin).status_code < 300
    link = mini_client.post(f"{base}/report-links", json={}, headers=admin).json
    german = _page(mini_client, link["url"], headers={"Accept-Language": "de-CH, en;q=0.5"})
    assert '<html lang="de">' in german
    english = _page(mini_client, link["url"] + "?lang=en")
    assert '<html lang="en">' in english
    assert "waiting for a complete response from Acme and Globex" in _text(english)


def test_joint_view_is_what_both_may_see() -> None:
    doc: dict[str, Any] = {
        "alliance": "a",
        "round": {},
        "viewer": "admin",
        "completion": {
            "acme": {"complete": 4, "partial": 0, "roles": {"legal": 3, "it": 1}},
            "globex": {"complete": 2, "partial": 1, "roles": {"legal": 2}},
        },
        "result": {"sample": {}, "consensus": {}, "conflicts": []},
        "reasons": {},
    }
    hidden = joint_view(doc, 3)
    assert hidden["result"] is None and hidden["viewer"] == "joint"
    assert hidden["reasons"]["result"] == "a_partner_below_min_group_size"
    assert hidden["completion"]["acme"]["roles"] == {"legal": 3, "other_roles": 1}
    assert hidden["completion"]["globex"]["roles"] == {"other_roles": 2}
    shown = joint_view(doc, 2)
    assert shown["result"] is not None
    assert doc["viewer"] == "admin"  # a copy


def test_a_made_link_is_never_replayed(stored_app: Flask) -> None:
    """The URL carries the token: an Idempotency-Key replay answers without it, and the kept
    answer holds no token."""
    client = stored_app.test_client()
    w = World(client)
    headers = {**w.admin, "Idempotency-Key": "report-1"}
    made = client.post(f"{w.base}/report-links", json={}, headers=headers)
    again = client.post(f"{w.base}/report-links", json={}, headers=headers)
    assert made.status_code == again.status_code == 201
    assert "rep_" in made.json["url"] and "url" not in again.json
    assert again.json["id"] == made.json["id"]
    with stored_app.extensions["scoring"].store.read() as session:
        kept = session.execute(sa.text("SELECT body FROM idempotency")).scalars().all()
    assert kept and not any("rep_" in (body or "") for body in kept)


def test_every_path_under_a_token_is_private(client: FlaskClient) -> None:
    w = World(client)
    url = _link(w, w.admin)["url"].removeprefix("http://localhost")
    for path in (f"{url}/", f"{url}/extra", f"{url}/rounds/abc"):
        answer = client.get(path)
        assert answer.status_code == 404
        assert answer.headers["Cache-Control"] == "no-store"
        assert answer.headers["Referrer-Policy"] == "no-referrer"
        assert "noindex" in answer.headers["X-Robots-Tag"]


def test_words_follow_the_figures() -> None:
    """A key with ``_and_`` in it is one partner; points are out of 100 whatever the survey's
    total; a partner's own withheld conflict is explained as small groups."""
    survey_doc = {
        "objectives": [{"id": "speed", "label": "Speed"}, {"id": "risk", "label": "Risk"}],
        "dimensions": [],
        "roles": [],
        "items": [{"id": "p", "type": "allocation", "total": 10}],
        "scoring": {"bands": []},
        "relations": [],
    }
    t = Texts(survey_doc, {"sales_and_marketing": "S&M", "ops": "Ops"}, "ops", 3)
    words = Words("en")
    doc = {
        "result": None,
        "reasons": {"result": "waiting_for_sales_and_marketing"},
        "completion": {"sales_and_marketing": {"complete": 0}, "ops": {"complete": 2}},
    }
    assert headline(words, t, doc, 3).endswith("from S&M.")
    conflict = {
        "kind": "objective_conflict",
        "severity": "high",
        "objectives": ["speed", "risk"],
        "partners": ["ops", "sales_and_marketing"],
        "dimensions": [],
        "evidence": {
            "relation": "conflicts",
            "points": {
                "ops": {"speed": 6.0, "risk": 0.5},
                "sales_and_marketing": {"speed": 1.0, "risk": 5.5},
            },
        },
    }
    internal = {
        "kind": "internal_conflict",
        "severity": "medium",
        "objectives": [],
        "dimensions": ["trust"],
        "partners": ["ops"],
        "roles": [],
        "evidence": {"rule": "dimensions", "withheld": "role_level"},
    }
    trend: dict[str, Any] = {"drift": [], "rounds": []}
    result = {"conflicts": [internal, conflict], "dimensions": []}
    points = talk_points(words, t, {"result": result}, trend, 1)
    assert [p["kind"] for p in points] == ["objective_conflict", "internal_conflict"]
    assert points[0]["evidence"].startswith("Ops puts 60 points of 100 on Speed (S&M: 10)")
    assert "fewer than 3 people" in points[1]["evidence"]


def _result(dimensions: list[dict[str, Any]]) -> dict[str, Any]:
    """A result document of two partners with ``dimensions``, enough for the figures."""
    weights = {"speed": 0.6, "risk": 0.4}
    profile = {"n": 3, "weights": weights, "ci": None, "reasons": {}}
    consensus = {"rwg_j": {d["id"]: 0.8 for d in dimensions}}
    return {
        "partners": ["acme", "globex"],
        "dimensions": dimensions,
        "conflicts": [],
        "objectives": {"profiles": {"acme": profile, "globex": profile}},
        "consensus": {"acme": consensus, "globex": consensus},
    }


def _dimension(key: str, scale: tuple[int, int], means: tuple[float, float]) -> dict[str, Any]:
    return {
        "id": key,
        "label": key.title(),
        "scale": {"min": scale[0], "max": scale[1]},
        "means": {"acme": means[0], "globex": means[1]},
        "gap": means[1] - means[0],
    }


def test_figures_without_dimensions_and_on_mixed_scales() -> None:
    """A survey without dimensions has only the profiles; dimensions on a 1-5 and a 1-7 scale
    share the radar as percentages of their own scales (never one scale for both)."""
    survey_doc = {
        "objectives": [{"id": "speed", "label": "Speed"}, {"id": "risk", "label": "Risk"}],
        "dimensions": [],
        "roles": [],
        "items": [],
        "scoring": {"bands": []},
        "relations": [],
    }
    t, words = Texts(survey_doc, {"acme": "Acme", "globex": "Globex"}), Words("en")
    trend: dict[str, Any] = {"rounds": [], "drift": []}
    alone = figures(words, t, {"result": _result([])}, trend)
    assert [f["key"] for f in alone] == ["profiles"]
    mixed = [_dimension("trust", (1, 5), (3.0, 5.0)), _dimension("pace", (1, 7), (4.0, 7.0))]
    radar = figures(words, t, {"result": _result(mixed)}, trend)[0]
    assert radar["key"] == "radar" and "percentage of each dimension's scale" in radar["alt"]
    assert [row[1:3] for row in radar["rows"]] == [["3.0", "5.0"], ["4.0", "7.0"]]
    assert 'aria-label="Spider chart' in radar["svg"]
    ticks = re.findall(r"<text[^>]*>(\d+)</text>", radar["svg"])
    assert ticks[-1] == "100" and "7" not in ticks  # the axis in percent, not a 1-7 scale
