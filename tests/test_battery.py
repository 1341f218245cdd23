"""Bad-input battery: hundreds of hand-made bad requests against a real gunicorn server, on SQLite
and on PostgreSQL (the re-run of an independent reliability review).

A real alliance is set up through the API (operator token, admin key, two partner keys, a
revoked key, round 1 open, invitations, stored responses, a second alliance with a closed
round); then every route of docs/api.md, the stateless ``/api/v1/score`` and surveys, the form
pages and the static routes get bad input: malformed JSON, wrong types at every field, missing
and extra fields, huge numbers, deep nesting, lone surrogates, NUL/C0/DEL in strings and keys,
over-long and empty strings, wrong Content-Types, bad CSV (headers, cells, encodings, BOMs),
repeated respondents, loose booleans, bad query and path parameters, bad credentials, bodies
over the size limit, bad ``Idempotency-Key`` headers and methods not allowed.

For every case: no 5xx; every 4xx of the API is ``application/problem+json`` with ``type``,
``title``, ``status`` and ``detail`` (a 422 naming its fields in ``errors[*].path``); the status
is one docs/api.md gives for it; and the database is exactly as it was before the case (every
table's rows compared, so a bad request never stores anything, not even half). Cases are data:
``Case(name, method, path, headers, body, expect, kind)``. Failures are collected and reported
together, with the server's log; the summary line (``pytest -s``) gives the counts.

Its first run found eight defects, each fixed and now an ordinary case: a chunked body over the
limit cut at 4 MiB and stored (``... over the size limit, chunked``: 413), URL bytes that are not
UTF-8 stored as replacement characters (400), round numbers in fullwidth digits (404), and an
invitation's blank respondent (422).
"""

from __future__ import annotations

import copy
import http.client
import json
import socket
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import sqlalchemy as sa

from .helpers import OPERATOR, ROOT, gunicorn

pytestmark = pytest.mark.slow

MAX_BODY = 4 * 1024 * 1024  # the default SCORING_MAX_BODY_BYTES (scoring_service/config.py)
PROBLEM = "application/problem+json"
JSON = {"Content-Type": "application/json"}
EXAMPLES = ROOT / "docs" / "examples"
SCORE_BODY: dict[str, Any] = json.loads((EXAMPLES / "score-request.json").read_text())
A_LEGAL: dict[str, Any] = json.loads((EXAMPLES / "walkthrough" / "a-legal.json").read_text())
ACME_CSV = (EXAMPLES / "walkthrough" / "acme.csv").read_text(encoding="utf-8")
CSV_HEADER = ACME_CSV.splitlines()[0]
CSV_ROW = ACME_CSV.splitlines()[1]  # a valid acme row (respondent a-it)
MIN_CASES = 200

# Strings no text field may hold (docs/api.md, code ``character``), sent as JSON escapes.
FORBIDDEN = {
    "surrogate": "a\ud800b",
    "nul": "a\x00b",
    "c0": "a\x01b",
    "esc": "a\x1bb",
    "del": "a\x7fb",
}
DEEP = 100_000  # deeper than any JSON parser in Python recurses
HUGE = "9" * 5000  # an integer of 5,000 digits (Python refuses > 4,300)


class Case(NamedTuple):
    """One bad request. ``path`` is the request target as sent (its percent-encoding is the
    case's own); ``body`` is sent as it is (None: no body). ``expect``: the statuses docs/api.md
    gives for it. ``kind``: ``api`` (problem+json for 4xx), ``form`` (the form's own pages, or
    problem+json for HTTP-level errors), ``server`` (refused by gunicorn before the app)."""

    name: str
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    expect: tuple[int, ...]
    kind: str = "api"
    chunked: bool = False


class Answer(NamedTuple):
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def js(obj: Any) -> bytes:
    """JSON as a client sends it: ASCII, so lone surrogates and controls travel as escapes."""
    return json.dumps(obj).encode()


def send(
    base: str,
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes | None = None,
    chunked: bool = False,
) -> Answer:
    """One request on a raw socket (the path and headers exactly as given; a body the server
    refuses before reading it does not stop us reading its answer)."""
    host, port = base.removeprefix("http://").rsplit(":", 1)
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close"]
    if chunked:
        lines.append("Transfer-Encoding: chunked")
    elif body is not None:
        lines.append(f"Content-Length: {len(body)}")
    lines += [f"{k}: {v}" for k, v in headers.items()]
    payload = body or b""
    if chunked:
        step = 64 * 1024
        parts = [payload[k : k + step] for k in range(0, len(payload), step)]
        payload = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"
    data = "\r\n".join(lines).encode("utf-8", "surrogateescape") + b"\r\n\r\n" + payload
    with socket.create_connection((host, int(port)), timeout=60) as sock:
        try:
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # answered (413, 415, ...) and closed before the whole body was sent
        answer = http.client.HTTPResponse(sock, method=method)
        answer.begin()
        return Answer(answer.status, answer.headers, answer.read())


def call(base: str, method: str, path: str, key: str | None = None, body: Any = None) -> Any:
    """A request of the set-up, which must succeed: its JSON answer."""
    headers = {} if key is None else bearer(key)
    data = None
    if body is not None:
        headers, data = {**headers, **JSON}, js(body)
    got = send(base, method, path, headers, data)
    assert 200 <= got.status < 300, (method, path, got.status, got.body[:500])
    return json.loads(got.body) if got.body else None


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@dataclass(frozen=True)
class Setup:
    """What the set-up made through the API."""

    alliance: str  # /api/v1/alliances/<id>
    admin: str
    acme: str
    globex: str
    acme_key_id: str
    revoked_key: str
    revoked_key_id: str
    token: str  # acme's a-legal invitation, round 1 open, a partial response saved
    invitation_id: str
    revoked_token: str
    other: str  # another alliance (/api/v1/alliances/<id>): its admin key, its partner key
    other_admin: str
    other_acme: str
    closed_token: str  # an invitation of the other alliance's closed round


def set_up(base: str) -> Setup:
    """Alliance, keys, round 1, invitations and stored responses, made through the API."""
    made = call(base, "POST", "/api/v1/alliances", OPERATOR, alliance_body())
    url, admin = f"/api/v1/alliances/{made['id']}", made["admin_key"]
    keys = {p: call(base, "POST", f"{url}/partners/{p}/keys", admin) for p in ("acme", "globex")}
    spare = call(base, "POST", f"{url}/partners/acme/keys", admin)
    call(base, "DELETE", f"{url}/partners/acme/keys/{spare['id']}", admin)
    call(base, "POST", f"{url}/rounds", admin, {"label": "2026 Q4"})
    acme, globex = keys["acme"]["key"], keys["globex"]["key"]
    invitations = f"{url}/rounds/1/invitations"
    legal = call(base, "POST", invitations, acme, {"respondent": "a-legal", "role": "legal"})
    gone = call(base, "POST", invitations, acme, {"respondent": "a-gone", "role": "it"})
    call(base, "DELETE", f"{invitations}/{gone['id']}", acme)
    for key, ref in ((acme, "a-sponsor"), (globex, "g-sponsor")):
        body = {"role": "executive_sponsor", "answers": A_LEGAL["answers"], "complete": True}
        headers = {**bearer(key), **JSON, "Idempotency-Key": "setup-1"}
        got = send(base, "PUT", f"{url}/rounds/1/responses/{ref}", headers, js(body))
        assert got.status == 200, got.body
    mine = bearer(legal["token"]) | JSON
    got = send(base, "PUT", "/api/v1/me/response", mine, js({"answers": {"sf1": 3}}))
    assert got.status == 200, got.body
    # A chunked body within the limit is read whole: one response, and a CSV of one row.
    body = {"role": "it", "answers": A_LEGAL["answers"], "complete": True}
    chunky = send(
        base, "PUT", f"{url}/rounds/1/responses/chunky", bearer(acme) | JSON, js(body), True
    )
    assert chunky.status == 200 and json.loads(chunky.body)["respondent"] == "chunky"
    row = CSV_ROW.replace("a-it", "a-chunked")
    csv_body = f"{CSV_HEADER}\n{row}\n".encode()
    csv_headers = bearer(acme) | {"Content-Type": "text/csv"}
    bulk = send(base, "POST", f"{url}/rounds/1/responses", csv_headers, csv_body, True)
    assert bulk.status == 200 and json.loads(bulk.body)["saved"] == 1, bulk.body
    listed = call(base, "GET", f"{url}/rounds/1/responses", admin)["items"]
    assert {"chunky", "a-chunked"} <= {r["respondent"] for r in listed}
    # Another alliance, whose round 1 is closed.
    other = call(base, "POST", "/api/v1/alliances", OPERATOR, alliance_body(name="Other"))
    ourl, oadmin = f"/api/v1/alliances/{other['id']}", other["admin_key"]
    oacme = call(base, "POST", f"{ourl}/partners/acme/keys", oadmin)["key"]
    call(base, "POST", f"{ourl}/rounds", oadmin, {"label": "old"})
    closed = call(base, "POST", f"{ourl}/rounds/1/invitations", oacme, {"role": "it"})
    call(base, "PATCH", f"{ourl}/rounds/1", oadmin, {"status": "closed"})
    return Setup(
        alliance=url,
        admin=admin,
        acme=acme,
        globex=globex,
        acme_key_id=keys["acme"]["id"],
        revoked_key=spare["key"],
        revoked_key_id=spare["id"],
        token=legal["token"],
        invitation_id=legal["id"],
        revoked_token=gone["token"],
        other=ourl,
        other_admin=oadmin,
        other_acme=oacme,
        closed_token=closed["token"],
    )


def alliance_body(**extra: Any) -> dict[str, Any]:
    return {
        "name": "Acme x Globex",
        "partners": [{"key": "acme", "name": "Acme"}, {"key": "globex", "name": "Globex"}],
        "survey": "alliance-objectives",
        "frame_ancestors": ["https://portal.example.com"],
        **extra,
    }


DROP = object()


def changed(base: Any, where: tuple[Any, ...], value: Any) -> Any:
    """A deep copy of ``base`` with the value at ``where`` (keys and indices) set, or removed
    with ``DROP``."""
    doc = copy.deepcopy(base)
    parent = doc
    for step in where[:-1]:
        parent = parent[step]
    if value is DROP:
        del parent[where[-1]]
    else:
        parent[where[-1]] = value
    return doc


def dotted(where: tuple[Any, ...]) -> str:
    return ".".join(str(s) for s in where)


# Values of the wrong JSON type, by what the field should be.
Fields = dict[tuple[Any, ...], dict[str, Any]]
NOT_TEXT: dict[str, Any] = {
    "null": None,
    "true": True,
    "int": 1,
    "float": 1.5,
    "list": [],
    "object": {},
}
NOT_INT: dict[str, Any] = {
    "null": None,
    "str": "3",
    "float": 3.5,
    "true": True,
    "list": [3],
    "object": {},
}
NOT_BOOL: dict[str, Any] = {"yes": "yes", "1": 1, "0": 0, "str-true": "true", "null": None}
NOT_OBJECT: dict[str, Any] = {"null": None, "list": [], "str": "x", "int": 1}
NOT_LIST: dict[str, Any] = {"null": None, "object": {}, "str": "x", "int": 1}


def json_cases(
    name: str,
    method: str,
    path: str,
    key: str | None,
    base: Any,
    texts: dict[tuple[Any, ...], int],
    types: Fields,
    expect: tuple[int, ...] = (422,),
) -> list[Case]:
    """Field by field: values of the wrong JSON type (``types``), and for each text field
    (``texts``, to its maximum length) every forbidden character, one character too many and
    the empty string."""
    headers = ({} if key is None else bearer(key)) | JSON
    out = []
    for where, wrong in types.items():
        for label, value in wrong.items():
            body = js(changed(base, where, value))
            out.append(
                Case(f"{name}: {dotted(where)}={label}", method, path, headers, body, expect)
            )
    for where, longest in texts.items():
        for label, value in FORBIDDEN.items():
            body = js(changed(base, where, value))
            out.append(
                Case(f"{name}: {dotted(where)} {label}", method, path, headers, body, expect)
            )
        body = js(changed(base, where, "x" * (longest + 1)))
        out.append(Case(f"{name}: {dotted(where)} too long", method, path, headers, body, expect))
        body = js(changed(base, where, ""))
        out.append(Case(f"{name}: {dotted(where)} empty", method, path, headers, body, expect))
    return out


def body_cases(
    name: str, method: str, path: str, key: str | None, base: Any, empty_is_bad: bool = True
) -> list[Case]:
    """Whole-body faults: not JSON, wrong Content-Type, the body of another type, too big, too
    deep, an integer of 5,000 digits, an extra field, an empty object (unless ``{}`` is a valid
    body: an empty PATCH changes nothing)."""
    malformed = 400
    auth = {} if key is None else bearer(key)
    headers = auth | JSON
    good = js(base)
    bad = [
        ("not JSON", b"{nope", (malformed,)),
        ("truncated JSON", good[:-1], (malformed,)),
        ("trailing garbage", good + b"x", (malformed,)),
        ("empty body", b"", (malformed,)),
        ("single quotes", good.replace(b'"', b"'"), (malformed,)),
        ("invalid UTF-8", b'{"x": "\xe9"}', (malformed,)),
        ("raw NUL in a string", good.replace(b'"', b'"\x00', 1), (malformed,)),
        ("deep nesting", b"[" * DEEP + b"]" * DEEP, (malformed,)),
        ("5000-digit integer", b'{"x": ' + HUGE.encode() + b"}", (malformed,)),
    ]
    out = [Case(f"{name}: {label}", method, path, headers, b, e) for label, b, e in bad]
    if isinstance(base, dict):
        for label, value in (("array", [base]), ("string", "x"), ("null", None), ("true", True)):
            out.append(Case(f"{name}: body {label}", method, path, headers, js(value), (422,)))
        if empty_is_bad:
            out.append(Case(f"{name}: empty object", method, path, headers, b"{}", (422,)))
        extra = js({**base, "extra": 1})
        out.append(Case(f"{name}: extra field", method, path, headers, extra, (422,)))
        for label, value in FORBIDDEN.items():
            key_body = js({**base, f"extra{value}": 1})
            out.append(Case(f"{name}: {label} in a key", method, path, headers, key_body, (422,)))
    for label, ctype in (
        ("text/plain", "text/plain"),
        ("form-encoded", "application/x-www-form-urlencoded"),
        ("multipart", "multipart/form-data; boundary=x"),
        ("application/jsonx", "application/jsonx"),
    ):
        out.append(
            Case(
                f"{name}: Content-Type {label}",
                method,
                path,
                auth | {"Content-Type": ctype},
                good,
                (415,),
            )
        )
    out.append(Case(f"{name}: no Content-Type", method, path, auth, good, (415,)))
    out.append(
        Case(f"{name}: over the size limit", method, path, headers, b" " * (MAX_BODY + 1), (413,))
    )
    return out


def answer_faults(complete: bool) -> dict[str, tuple[str, Any]]:
    """Bad answers (item -> value) for a response's ``answers``, by name."""
    deep: Any = 4
    for _ in range(500):
        deep = [deep]
    faults: dict[str, tuple[str, Any]] = {
        "sf1=0": ("sf1", 0),
        "sf1=6": ("sf1", 6),
        "sf1=-1": ("sf1", -1),
        "sf1 a string": ("sf1", "4"),
        "sf1=true": ("sf1", True),
        "sf1=4.5": ("sf1", 4.5),
        "sf1=NaN": ("sf1", float("nan")),
        "sf1=1e309": ("sf1", float("inf")),
        "sf1 of 4001 digits": ("sf1", 10**4000),
        "sf1 a list": ("sf1", [4]),
        "sf1 an object": ("sf1", {"v": 4}),
        "sf1 nested 500 deep": ("sf1", deep),
        "unknown item": ("zz9", 3),
        "priorities not an object": ("priorities", [100]),
        "priorities unknown objective": ("priorities", {"bogus": 100}),
        "priorities over the total": ("priorities", {"revenue_growth": 101}),
        "priorities negative": ("priorities", {"revenue_growth": -10, "risk_control": 110}),
        "priorities a string": ("priorities", {"revenue_growth": "100"}),
        "priorities fractional": ("priorities", {"revenue_growth": 99.5, "risk_control": 0.5}),
        "priorities of 4001 digits": ("priorities", {"revenue_growth": 10**4000}),
        "comments too long": ("comments", "x" * 4001),
        "biggest_risk too long": ("biggest_risk", "x" * 2001),
        "comments a number": ("comments", 5),
        "item id NUL": ("s\x00f1", 3),
        "item id surrogate": ("\ud800", 3),
        "objective id NUL": ("priorities", {"risk\x00control": 100}),
    }
    for label, value in FORBIDDEN.items():
        faults[f"comments {label}"] = ("comments", value)
    if complete:
        faults["priorities under the total"] = ("priorities", {"revenue_growth": 99})
    return faults


def with_answer(base: dict[str, Any], where: tuple[Any, ...], item: str, value: Any) -> Any:
    return changed(base, (*where, item), value)


def score_cases() -> list[Case]:
    path = "/api/v1/score"
    out = body_cases("score", "POST", path, None, SCORE_BODY)
    r0 = ("responses", 0)
    types: Fields = {
        ("survey",): NOT_TEXT,
        ("survey_version",): NOT_INT,
        ("responses",): NOT_LIST,
        r0: {**NOT_OBJECT, "list": [1]},
        (*r0, "partner"): NOT_TEXT,
        (*r0, "role"): NOT_TEXT,
        (*r0, "respondent"): NOT_TEXT,
        (*r0, "answers"): NOT_OBJECT,
    }
    texts = {
        ("survey",): 100,
        (*r0, "partner"): 200,
        (*r0, "role"): 200,
        (*r0, "respondent"): 200,
    }
    out += json_cases("score", "POST", path, None, SCORE_BODY, texts, types)
    for label, (item, value) in answer_faults(complete=True).items():
        body = js(with_answer(SCORE_BODY, (*r0, "answers"), item, value))
        out.append(Case(f"score: answers {label}", "POST", path, JSON, body, (422,)))
    for where in (
        ("survey",),
        ("responses",),
        *((*r0, f) for f in ("partner", "role", "respondent", "answers")),
    ):
        body = js(changed(SCORE_BODY, where, DROP))
        out.append(Case(f"score: {dotted(where)} missing", "POST", path, JSON, body, (422,)))
    one = [r for r in SCORE_BODY["responses"] if r["partner"] == "acme"]
    third = {**SCORE_BODY["responses"][0], "partner": "initech", "respondent": "i1"}
    twice = [*SCORE_BODY["responses"], dict(SCORE_BODY["responses"][0])]
    many = [
        {**SCORE_BODY["responses"][0], "respondent": f"a{k}"} for k in range(1001)
    ] + SCORE_BODY["responses"][3:]
    special: list[tuple[str, Any, tuple[int, ...]]] = [
        ("unknown survey", {**SCORE_BODY, "survey": "nope"}, (404,)),
        ("survey_version 0", {**SCORE_BODY, "survey_version": 0}, (422,)),
        ("survey_version -1", {**SCORE_BODY, "survey_version": -1}, (422,)),
        ("survey_version 99", {**SCORE_BODY, "survey_version": 99}, (404,)),
        ("survey_version 1e309", {**SCORE_BODY, "survey_version": float("inf")}, (422,)),
        ("no responses", {**SCORE_BODY, "responses": []}, (422,)),
        ("one partner", {**SCORE_BODY, "responses": one}, (422,)),
        ("three partners", {**SCORE_BODY, "responses": [*SCORE_BODY["responses"], third]}, (422,)),
        ("repeated respondent", {**SCORE_BODY, "responses": twice}, (422,)),
        ("1001 respondents of a partner", {**SCORE_BODY, "responses": many}, (422,)),
        ("unknown role", changed(SCORE_BODY, (*r0, "role"), "ceo"), (422,)),
        ("blank respondent", changed(SCORE_BODY, (*r0, "respondent"), "   "), (422,)),
        ("extra field in a response", changed(SCORE_BODY, (*r0, "extra"), 1), (422,)),
    ]
    for label, doc, expect in special:
        out.append(Case(f"score: {label}", "POST", path, JSON, js(doc), expect))
    raw = js(SCORE_BODY).replace(
        b'"survey": "alliance-objectives"',
        b'"survey_version": ' + HUGE.encode() + b', "survey": "alliance-objectives"',
    )
    out.append(Case("score: survey_version of 5000 digits", "POST", path, JSON, raw, (400,)))
    deep = js(SCORE_BODY).replace(b'"sf1": 4', b'"sf1": ' + b"[" * DEEP + b"]" * DEEP, 1)
    out.append(Case("score: an answer nested 100000 deep", "POST", path, JSON, deep, (400,)))
    utf16 = json.dumps({**SCORE_BODY, "survey": "nope\x00"}).encode("utf-16")
    # docs/api.md: "A JSON body is UTF-8 (or UTF-16/32)"; the schema-parsed routes refuse UTF-16
    # as not JSON (400), the bulk route reads it: either is a refusal here.
    out.append(Case("score: UTF-16 JSON with a NUL", "POST", path, JSON, utf16, (400, 422)))
    koi = {"Content-Type": "application/json; charset=koi8-r"}
    out.append(
        Case(
            "score: charset=koi8-r, bad survey",
            "POST",
            path,
            koi,
            js({**SCORE_BODY, "survey": ""}),
            (422,),
        )
    )
    out.append(
        Case(
            "score: CSV body", "POST", path, {"Content-Type": "text/csv"}, ACME_CSV.encode(), (415,)
        )
    )
    out.append(
        Case(
            "score: over the size limit, chunked",
            "POST",
            path,
            JSON,
            b" " * (MAX_BODY + 1),
            (413,),
            chunked=True,
        )
    )
    out.append(
        Case("score: bad JSON, chunked", "POST", path, JSON, b"{nope" * 10, (400,), chunked=True)
    )
    return out


def survey_cases() -> list[Case]:
    one = "/api/v1/surveys/alliance-objectives"
    queries = {
        "version=0": ("?version=0", (422,)),
        "version=-1": ("?version=-1", (422,)),
        "version=abc": ("?version=abc", (422,)),
        "version=1.5": ("?version=1.5", (422,)),
        "version empty": ("?version=", (422,)),
        "version=99": ("?version=99", (404,)),
        "version of 1000 digits": ("?version=" + "9" * 1000, (404,)),
        "version NUL": ("?version=%00", (400,)),
        "lang too short": ("?lang=x", (422,)),
        "lang too long": ("?lang=" + "a" * 21, (422,)),
        "lang controls": ("?lang=%01%02", (422,)),
        "lang DEL": ("?lang=e%7Fn", (422,)),
        "format=xml": ("?format=xml", (422,)),
        "format=SURVEYJS": ("?format=SURVEYJS", (422,)),
        "format NUL": ("?format=surveyjs%00", (400,)),
    }
    out = [Case(f"survey: {k}", "GET", one + q, {}, None, e) for k, (q, e) in queries.items()]
    paths = {
        "unknown id": ("/api/v1/surveys/nope", (404,)),
        "id NUL": ("/api/v1/surveys/alliance%00objectives", (400,)),
        "id control": ("/api/v1/surveys/a%01b", (404,)),
        "id invalid UTF-8": ("/api/v1/surveys/%FF%FE", (400,)),
        "id long": ("/api/v1/surveys/" + "x" * 3000, (404,)),
        "id unicode": ("/api/v1/surveys/%E2%80%AEalliance", (404,)),
        "unknown version of unknown id": ("/api/v1/surveys/nope?version=1", (404,)),
    }
    out += [Case(f"survey: {k}", "GET", p, {}, None, e) for k, (p, e) in paths.items()]
    return out


def alliance_cases(s: Setup) -> list[Case]:
    path = "/api/v1/alliances"
    base = alliance_body()
    out = body_cases("create alliance", "POST", path, OPERATOR, base)
    p0 = ("partners", 0)
    types: Fields = {
        ("name",): NOT_TEXT,
        ("partners",): NOT_LIST,
        p0: {**NOT_OBJECT, "list": ["acme"]},
        (*p0, "key"): NOT_TEXT,
        (*p0, "name"): NOT_TEXT,
        ("survey",): NOT_TEXT,
        ("frame_ancestors",): NOT_LIST,
        ("frame_ancestors", 0): NOT_TEXT,
        ("min_group_size",): NOT_INT,
    }
    texts = {
        ("name",): 200,
        (*p0, "key"): 64,
        (*p0, "name"): 200,
        ("survey",): 100,
        ("frame_ancestors", 0): 2000,
    }
    out += json_cases("create alliance", "POST", path, OPERATOR, base, texts, types)
    pair = base["partners"]
    special: dict[str, Any] = {
        "one partner": {**base, "partners": pair[:1]},
        "three partners": {**base, "partners": [*pair, {"key": "initech", "name": "I"}]},
        "no partners": {**base, "partners": []},
        "the same partner twice": {**base, "partners": [pair[0], pair[0]]},
        "partner key in capitals": changed(base, (*p0, "key"), "ACME"),
        "partner key ending in a newline": changed(base, (*p0, "key"), "acme\n"),
        "partner key starting with a dash": changed(base, (*p0, "key"), "-acme"),
        "partner key with a space": changed(base, (*p0, "key"), "ac me"),
        "partner key unicode": changed(base, (*p0, "key"), "acmé"),
        "partner key missing": changed(base, (*p0, "key"), DROP),
        "partner extra field": changed(base, (*p0, "extra"), 1),
        "unknown survey": {**base, "survey": "nope"},
        "origin ftp": {**base, "frame_ancestors": ["ftp://portal.example.com"]},
        "origin with a path": {**base, "frame_ancestors": ["https://portal.example.com/x"]},
        "origin port 0": {**base, "frame_ancestors": ["https://portal.example.com:0"]},
        "origin port 99999": {**base, "frame_ancestors": ["https://portal.example.com:99999"]},
        "origin with a user": {**base, "frame_ancestors": ["https://u@portal.example.com"]},
        "origin unicode host": {**base, "frame_ancestors": ["https://pörtal.example.com"]},
        "21 origins": {**base, "frame_ancestors": [f"https://p{k}.example.com" for k in range(21)]},
        "min_group_size 0": {**base, "min_group_size": 0},
        "min_group_size 101": {**base, "min_group_size": 101},
        "min_group_size 3.0": {**base, "min_group_size": 3.0},
        "min_group_size 1e309": {**base, "min_group_size": float("inf")},
        "name missing": changed(base, ("name",), DROP),
        "partners missing": changed(base, ("partners",), DROP),
        "survey missing": changed(base, ("survey",), DROP),
    }
    out += [
        Case(f"create alliance: {k}", "POST", path, bearer(OPERATOR) | JSON, js(v), (422,))
        for k, v in special.items()
    ]
    huge = js(base)[:-1] + b', "min_group_size": ' + HUGE.encode() + b"}"
    out.append(
        Case(
            "create alliance: min_group_size of 5000 digits",
            "POST",
            path,
            bearer(OPERATOR) | JSON,
            huge,
            (400,),
        )
    )
    # PATCH /alliances/{id}: a valid change is never sent, only broken ones.
    one = s.alliance
    patch = {"name": "Renamed"}
    out += body_cases("change alliance", "PATCH", one, s.admin, patch, empty_is_bad=False)
    ptypes = {
        ("name",): NOT_TEXT,
        ("survey",): NOT_TEXT,
        ("frame_ancestors",): NOT_LIST,
        ("min_group_size",): NOT_INT,
    }
    out += json_cases(
        "change alliance", "PATCH", one, s.admin, patch, {("name",): 200, ("survey",): 100}, ptypes
    )
    pspecial: dict[str, Any] = {
        "unknown survey": {"survey": "nope"},
        "min_group_size 0": {"min_group_size": 0},
        "bad origin": {"frame_ancestors": ["javascript:alert(1)"]},
        "partners (not changeable)": {"partners": alliance_body()["partners"]},
        "id (not changeable)": {"id": "other"},
    }
    out += [
        Case(f"change alliance: {k}", "PATCH", one, bearer(s.admin) | JSON, js(v), (422,))
        for k, v in pspecial.items()
    ]
    return out


def round_cases(s: Setup) -> list[Case]:
    path = f"{s.alliance}/rounds"
    base = {"label": "2027 Q2"}
    out = body_cases("open round", "POST", path, s.admin, base)
    types: Fields = {("label",): NOT_TEXT, ("closes_at",): {**NOT_TEXT, "float": 1.5}}
    out += json_cases("open round", "POST", path, s.admin, base, {("label",): 200}, types)
    closes = {
        "a word": "tomorrow",
        "no time zone": "2030-01-01T00:00:00",
        "February 30": "2030-02-30T00:00:00Z",
        "offset +25:00": "2030-01-01T00:00:00+25:00",
        "year 99999": "99999-01-01T00:00:00Z",
        "empty": "",
    }
    headers = bearer(s.admin) | JSON
    for label, value in closes.items():
        body = js({**base, "closes_at": value})
        out.append(Case(f"open round: closes_at {label}", "POST", path, headers, body, (422,)))
    for label, value in FORBIDDEN.items():
        body = js({**base, "closes_at": f"2030-01-01T00:00:00Z{value}"})
        out.append(Case(f"open round: closes_at {label}", "POST", path, headers, body, (422,)))
    past = js({**base, "closes_at": "2020-01-01T00:00:00Z"})
    out.append(Case("open round: closes_at in the past", "POST", path, headers, past, (422,)))
    out.append(
        Case("open round: another while one is open", "POST", path, headers, js(base), (409,))
    )
    return out


def round_patch_cases(s: Setup) -> list[Case]:
    """Bad closings of round 1. Sent last: one that slipped through would close the round."""
    path = f"{s.alliance}/rounds/1"
    headers = bearer(s.admin) | JSON
    bodies: dict[str, Any] = {
        "status open": {"status": "open"},
        "status CLOSED": {"status": "CLOSED"},
        "status with a space": {"status": "closed "},
        "status empty": {"status": ""},
        "label (not changeable)": {"label": "x"},
        **{f"status {k}": {"status": v} for k, v in NOT_TEXT.items()},
        **{f"status {k}": {"status": f"closed{v}"} for k, v in FORBIDDEN.items()},
    }
    out = [
        Case(f"close round: {k}", "PATCH", path, headers, js(v), (422,)) for k, v in bodies.items()
    ]
    out += body_cases("close round", "PATCH", path, s.admin, {"status": "closed"})
    closed = bearer(s.other_admin) | JSON
    reopen = js({"status": "open"})
    out.append(
        Case(
            "close round: reopen a closed one",
            "PATCH",
            f"{s.other}/rounds/1",
            closed,
            reopen,
            (422,),
        )
    )
    out.append(
        Case(
            "close round: round 99",
            "PATCH",
            f"{s.alliance}/rounds/99",
            headers,
            js({"status": "closed"}),
            (404,),
        )
    )
    return out


def invitation_cases(s: Setup) -> list[Case]:
    path = f"{s.alliance}/rounds/1/invitations"
    base = {"role": "it", "respondent": "new-person"}
    out = body_cases("invite", "POST", path, s.acme, base)
    types: Fields = {
        ("role",): NOT_TEXT,
        ("respondent",): NOT_TEXT,
        ("stakeholder",): NOT_TEXT,
        ("label",): NOT_TEXT,
        ("partner",): NOT_TEXT,
    }
    texts = {("role",): 64, ("respondent",): 200, ("stakeholder",): 200}
    out += json_cases("invite", "POST", path, s.acme, base, texts, types)
    acme, admin = bearer(s.acme) | JSON, bearer(s.admin) | JSON
    special: list[tuple[str, dict[str, str], Any, tuple[int, ...]]] = [
        ("unknown role", acme, {**base, "role": "ceo"}, (422,)),
        ("neither stakeholder nor role", acme, {"respondent": "x"}, (422,)),
        ("unknown stakeholder", acme, {"stakeholder": "nobody"}, (422,)),
        ("the other partner's stakeholder", acme, {"stakeholder": "g-sponsor"}, (422,)),
        ("naming the other partner", acme, {**base, "partner": "globex"}, (403,)),
        ("naming an unknown partner", acme, {**base, "partner": "zzz"}, (403,)),
        ("admin without a partner", admin, base, (422,)),
        ("admin with an unknown partner", admin, {**base, "partner": "zzz"}, (422,)),
        ("blank respondent", acme, {**base, "respondent": "   "}, (422,)),
        ("label too long", acme, {**base, "label": "x" * 201}, (422,)),
        *((f"label {k}", acme, {**base, "label": v}, (422,)) for k, v in FORBIDDEN.items()),
    ]
    out += [Case(f"invite: {k}", "POST", path, h, js(b), e) for k, h, b, e in special]
    closed = f"{s.other}/rounds/1/invitations"
    other = bearer(s.other_acme) | JSON
    out.append(Case("invite: a closed round", "POST", closed, other, js(base), (409,)))
    out.append(
        Case(
            "invite: round 99",
            "POST",
            f"{s.alliance}/rounds/99/invitations",
            acme,
            js(base),
            (404,),
        )
    )
    return out


def me_cases(s: Setup) -> list[Case]:
    path = "/api/v1/me/response"
    base = {"answers": {"sf1": 4}, "complete": False}
    out = body_cases("me", "PUT", path, s.token, base)
    types: Fields = {("answers",): NOT_OBJECT, ("complete",): NOT_BOOL}
    out += json_cases("me", "PUT", path, s.token, base, {}, types)
    mine = bearer(s.token) | JSON
    for label, (item, value) in answer_faults(complete=False).items():
        body = js(with_answer(base, ("answers",), item, value))
        out.append(Case(f"me: answers {label}", "PUT", path, mine, body, (422,)))
    special: list[tuple[str, str, dict[str, str], Any, tuple[int, ...]]] = [
        ("answers missing", "", mine, {"complete": False}, (422,)),
        ("submitted incomplete", "", mine, {"answers": {"sf1": 4}, "complete": True}, (422,)),
        ("format=xml", "?format=xml", mine, base, (422,)),
        ("format empty", "?format=", mine, base, (422,)),
        ("format NUL", "?format=%00", mine, base, (400,)),
        ("surveyjs, complete=maybe", "?format=surveyjs&complete=maybe", mine, {"sf1": 4}, (422,)),
        ("surveyjs, a bad answer", "?format=surveyjs&complete=false", mine, {"sf1": 9}, (422,)),
        ("surveyjs, an array", "?format=surveyjs&complete=false", mine, [4], (422,)),
        (
            "surveyjs, unknown question",
            "?format=surveyjs&complete=false",
            mine,
            {"nope": 1},
            (422,),
        ),
        ("surveyjs, submitted incomplete", "?format=surveyjs", mine, {"sf1": 4}, (422,)),
        ("an origin not allowed", "", mine | {"Origin": "https://evil.example"}, base, (403,)),
        ("a closed round", "", bearer(s.closed_token) | JSON, base, (409,)),
    ]
    out += [Case(f"me: {k}", "PUT", path + q, h, js(b), e) for k, q, h, b, e in special]
    return out


def response_cases(s: Setup) -> list[Case]:
    path = f"{s.alliance}/rounds/1/responses/new-person"
    base = {"role": "legal", "answers": A_LEGAL["answers"], "complete": True}
    out = body_cases("put response", "PUT", path, s.acme, base)
    types: Fields = {
        ("role",): NOT_TEXT,
        ("answers",): NOT_OBJECT,
        ("complete",): NOT_BOOL,
        ("label",): NOT_TEXT,
        ("partner",): NOT_TEXT,
    }
    out += json_cases("put response", "PUT", path, s.acme, base, {("role",): 64}, types)
    acme, admin = bearer(s.acme) | JSON, bearer(s.admin) | JSON
    for label, (item, value) in answer_faults(complete=True).items():
        body = js(with_answer(base, ("answers",), item, value))
        out.append(Case(f"put response: answers {label}", "PUT", path, acme, body, (422,)))
    special: list[tuple[str, str, dict[str, str], Any, tuple[int, ...]]] = [
        ("unknown role", path, acme, {**base, "role": "ceo"}, (422,)),
        ("role missing", path, acme, changed(base, ("role",), DROP), (422,)),
        ("answers missing", path, acme, changed(base, ("answers",), DROP), (422,)),
        ("complete without answers", path, acme, {**base, "answers": {}}, (422,)),
        ("label too long", path, acme, {**base, "label": "x" * 201}, (422,)),
        *((f"label {k}", path, acme, {**base, "label": v}, (422,)) for k, v in FORBIDDEN.items()),
        ("naming the other partner", path, acme, {**base, "partner": "globex"}, (403,)),
        ("admin without a partner", path, admin, base, (422,)),
        ("admin with an unknown partner", path, admin, {**base, "partner": "zzz"}, (422,)),
        ("round 99", path.replace("/rounds/1/", "/rounds/99/"), acme, base, (404,)),
        (
            "a closed round",
            f"{s.other}/rounds/1/responses/x",
            bearer(s.other_acme) | JSON,
            base,
            (409,),
        ),
    ]
    out += [Case(f"put response: {k}", "PUT", p, h, js(b), e) for k, p, h, b, e in special]
    padded = js(base) + b" " * MAX_BODY  # valid JSON, over the limit only by its padding
    out.append(
        Case(
            "put response: over the size limit, chunked",
            "PUT",
            path,
            acme,
            padded,
            (413,),
            chunked=True,
        )
    )
    return out


def csv_text(*rows: str, header: str = CSV_HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def bulk_cases(s: Setup) -> list[Case]:
    """``POST .../responses``: JSON lists and CSV files of which no row is valid."""
    path = f"{s.alliance}/rounds/1/responses"
    acme, admin = bearer(s.acme), bearer(s.admin)
    row = {"respondent": "bulk-1", "role": "it", "answers": A_LEGAL["answers"]}
    out = body_cases("bulk JSON", "POST", path, s.acme, [row])
    rows: dict[str, tuple[dict[str, str], Any, tuple[int, ...]]] = {
        "rows of other types": (acme, [1, "x", None, [], True], (200,)),
        "complete yes": (acme, [{**row, "complete": "yes"}], (200,)),
        "complete 1": (acme, [{**row, "complete": 1}], (200,)),
        "extra field": (acme, [{**row, "extra": 1}], (200,)),
        "respondent missing": (acme, [changed(row, ("respondent",), DROP)], (200,)),
        "respondent empty": (acme, [{**row, "respondent": ""}], (200,)),
        "respondent blank": (acme, [{**row, "respondent": " \t "}], (200,)),
        "respondent too long": (acme, [{**row, "respondent": "x" * 201}], (200,)),
        "respondent a number": (acme, [{**row, "respondent": 7}], (200,)),
        "role unknown": (acme, [{**row, "role": "ceo"}], (200,)),
        "answers an array": (acme, [{**row, "answers": []}], (200,)),
        "answer out of range": (acme, [with_answer(row, ("answers",), "sf1", 9)], (200,)),
        "answer key surrogate": (acme, [with_answer(row, ("answers",), "\ud800", 1)], (200,)),
        "admin without partner": (admin, [row], (200,)),
        "naming the other partner": (acme, [{**row, "partner": "globex"}], (403,)),
        "repeated respondent, one row for the other partner": (
            acme,
            [row, dict(row), {**row, "respondent": "bulk-2", "partner": "globex"}],
            (403,),
        ),
        "2001 rows": (acme, [{**row, "respondent": f"r{k}"} for k in range(2001)], (422,)),
        "an object, not a list": (acme, row, (422,)),
    }
    for label, value in FORBIDDEN.items():
        rows[f"respondent {label}"] = (acme, [{**row, "respondent": value}], (200,))
        rows[f"label {label}"] = (acme, [{**row, "label": value}], (200,))
    out += [
        Case(f"bulk JSON: {k}", "POST", path, h | JSON, js(b), e) for k, (h, b, e) in rows.items()
    ]
    # CSV in the CLI's format.
    bad_row = CSV_ROW.replace("acme,it,a-it,3,", "acme,it,a-it,9,")
    cells = CSV_ROW.split(",")
    csvs: dict[str, tuple[str, bytes, tuple[int, ...]]] = {
        "header only unknown columns": ("text/csv", b"foo,bar\n1,2\n", (422,)),
        "respondent column missing": (
            "text/csv",
            csv_text(header=CSV_HEADER.replace("respondent,", "")).encode(),
            (422,),
        ),
        "a column twice": ("text/csv", csv_text(header=CSV_HEADER + ",sf1").encode(), (422,)),
        "unknown column": (
            "text/csv",
            csv_text(CSV_ROW + ",1", header=CSV_HEADER + ",zz9").encode(),
            (422,),
        ),
        "a row with fewer cells": ("text/csv", csv_text(",".join(cells[:-1])).encode(), (422,)),
        "a row with more cells": ("text/csv", csv_text(CSV_ROW + ",1").encode(), (422,)),
        "empty body": ("text/csv", b"", (422,)),
        "blank lines only": ("text/csv", b"\n\n\n", (422,)),
        "invalid UTF-8": (
            "text/csv",
            csv_text(CSV_ROW.replace("a-it", "ren\xe9")).encode("latin-1"),
            (422,),
        ),
        "UTF-8 encoded surrogate": (
            "text/csv",
            csv_text(CSV_ROW).encode().replace(b"a-it", b"a-\xed\xa0\x80"),
            (422,),
        ),
        "charset=koi8-r": ("text/csv; charset=koi8-r", csv_text(CSV_ROW).encode(), (415,)),
        "charset empty, a rating of 9": (
            "text/csv; charset=",  # no charset: UTF-8, the row reported
            csv_text(bad_row).encode(),
            (200,),
        ),
        "charset utf-7": ("text/csv; charset=utf-7", csv_text(CSV_ROW).encode(), (415,)),
        "UTF-16 of odd length": (
            "text/csv; charset=utf-16",
            csv_text(CSV_ROW).encode("utf-16")[:-1],
            (422,),
        ),
        "UTF-16 lone surrogate": (
            "text/csv; charset=utf-16le",
            csv_text(CSV_ROW)
            .encode("utf-16-le")
            .replace("a-it".encode("utf-16-le"), b"\x00\xd8" * 2),
            (422,),
        ),
        "UTF-16 BOM, unknown column": ("text/csv", "foo,bar\n1,2\n".encode("utf-16"), (422,)),
        "UTF-8 BOM, a column twice": (
            "text/csv",
            b"\xef\xbb\xbf" + csv_text(header=CSV_HEADER + ",sf1").encode(),
            (422,),
        ),
        "UTF-8 BOM, a rating of 9": (
            "text/csv",
            b"\xef\xbb\xbf" + csv_text(bad_row).encode(),
            (200,),
        ),
        "windows-1252, a rating of 9": (
            "text/csv; charset=windows-1252",
            csv_text(bad_row).encode("cp1252"),
            (200,),
        ),
        "a rating of yes": (
            "text/csv",
            csv_text(CSV_ROW.replace("acme,it,a-it,3,", "acme,it,a-it,yes,")).encode(),
            (200,),
        ),
        "a rating of 5000 digits": (
            "text/csv",
            csv_text(CSV_ROW.replace("acme,it,a-it,3,", f"acme,it,a-it,{HUGE},")).encode(),
            (200,),
        ),
        "NUL in a respondent": (
            "text/csv",
            csv_text(CSV_ROW.replace("a-it", "a\x00it")).encode(),
            (200,),
        ),
        "DEL in a respondent": (
            "text/csv",
            csv_text(CSV_ROW.replace("a-it", "a\x7fit")).encode(),
            (200,),
        ),
        "ESC in a text answer": (
            "text/csv",
            csv_text(CSV_ROW + ",a\x1bb", header=CSV_HEADER + ",comments").encode(),
            (200,),
        ),
        "blank respondent": ("text/csv", csv_text(CSV_ROW.replace("a-it", " ")).encode(), (200,)),
        "unknown role": (
            "text/csv",
            csv_text(CSV_ROW.replace("acme,it,", "acme,ceo,")).encode(),
            (200,),
        ),
        "the other partner": (
            "text/csv",
            csv_text(CSV_ROW.replace("acme,it,", "globex,it,")).encode(),
            (403,),
        ),
        "a respondent twice, a short row": (
            "text/csv",
            csv_text(CSV_ROW, CSV_ROW, "acme,it").encode(),
            (422,),
        ),
        "a cell over the csv field limit": (
            "text/csv",
            csv_text(
                CSV_ROW + ',"' + "x" * 200_000 + '"', header=CSV_HEADER + ",comments"
            ).encode(),
            (422,),
        ),
        "2001 rows": (
            "text/csv",
            csv_text(*(f"acme,it,r{k}" + "," * (len(cells) - 3) for k in range(2001))).encode(),
            (422,),
        ),
        "an unterminated quote": (
            "text/csv",
            csv_text('acme,it,"a-it' + "," * (len(cells) - 3)).encode(),
            (422,),
        ),
    }
    out += [
        Case(f"bulk CSV: {k}", "POST", path, acme | {"Content-Type": t}, b, e)
        for k, (t, b, e) in csvs.items()
    ]
    admin_csv = csv_text(CSV_ROW.replace("acme,it,", ",it,")).encode()
    out.append(
        Case(
            "bulk CSV: admin, no partner",
            "POST",
            path,
            admin | {"Content-Type": "text/csv"},
            admin_csv,
            (200,),
        )
    )
    big = b"x" * (MAX_BODY + 1)
    out.append(
        Case(
            "bulk CSV: over the size limit",
            "POST",
            path,
            acme | {"Content-Type": "text/csv"},
            big,
            (413,),
        )
    )
    one = f"{s.alliance}/rounds/1/responses/new-person"
    out.append(
        Case(
            "put response: a CSV body",
            "PUT",
            one,
            acme | {"Content-Type": "text/csv"},
            csv_text(CSV_ROW).encode(),
            (415,),
        )
    )
    out.append(
        Case(
            "bulk CSV: round 99",
            "POST",
            path.replace("/rounds/1/", "/rounds/99/"),
            acme | {"Content-Type": "text/csv"},
            csv_text(CSV_ROW).encode(),
            (404,),
        )
    )
    closed = bearer(s.other_acme) | {"Content-Type": "text/csv"}
    out.append(
        Case(
            "bulk CSV: a closed round",
            "POST",
            f"{s.other}/rounds/1/responses",
            closed,
            csv_text(CSV_ROW).encode(),
            (409,),
        )
    )
    # 1,200 valid rows in 4.3 MB (a comment of 3,600 characters each), sent chunked: over the
    # limit, so nothing may be stored.
    header = CSV_HEADER + ",comments"
    many = [
        ",".join(("acme" if k % 2 == 0 else "globex", "it", f"big-{k:04d}", *cells[3:], "c" * 3600))
        for k in range(1200)
    ]
    big_csv = csv_text(*many, header=header).encode()
    assert len(big_csv) > MAX_BODY
    out.append(
        Case(
            "bulk CSV: over the size limit, chunked",
            "POST",
            path,
            admin | {"Content-Type": "text/csv"},
            big_csv,
            (413,),
            chunked=True,
        )
    )
    return out


def query_cases(s: Setup) -> list[Case]:
    """Bad query parameters of every list route."""
    routes = {
        "alliances": ("/api/v1/alliances", OPERATOR),
        "rounds": (f"{s.alliance}/rounds", s.admin),
        "invitations": (f"{s.alliance}/rounds/1/invitations", s.acme),
        "responses": (f"{s.alliance}/rounds/1/responses", s.admin),
        "stakeholders": (f"{s.alliance}/stakeholders", s.globex),
    }
    pages = {
        "limit=0": ("limit=0", (422,)),
        "limit=501": ("limit=501", (422,)),
        "limit=-1": ("limit=-1", (422,)),
        "limit=abc": ("limit=abc", (422,)),
        "limit=1.5": ("limit=1.5", (422,)),
        "limit empty": ("limit=", (422,)),
        "limit of 1000 digits": ("limit=" + "9" * 1000, (422,)),
        "limit NUL": ("limit=1%00", (400,)),
        "cursor garbage": ("cursor=garbage", (422,)),
        "cursor control": ("cursor=%01", (422,)),
        "cursor invalid UTF-8": ("cursor=%ED%A0%80", (400,)),
        "cursor long": ("cursor=" + "A" * 3000, (422,)),
        "cursor NUL": ("cursor=%00", (400,)),
    }
    out = []
    for route, (path, key) in routes.items():
        chosen = pages if route in ("alliances", "responses") else dict(list(pages.items())[::3])
        for label, (query, expect) in chosen.items():
            out.append(
                Case(f"list {route}: {label}", "GET", f"{path}?{query}", bearer(key), None, expect)
            )
    responses = f"{s.alliance}/rounds/1/responses"
    partner = {
        "unknown partner": ("partner=zzz", bearer(s.admin), (200,)),  # none: an empty page
        "the other partner": ("partner=globex", bearer(s.acme), (403,)),
        "partner control": ("partner=%01", bearer(s.admin), (422,)),
        "partner NUL": ("partner=%00", bearer(s.admin), (400,)),
    }
    out += [
        Case(f"list responses: {k}", "GET", f"{responses}?{q}", h, None, e)
        for k, (q, h, e) in partner.items()
    ]
    return out


def path_cases(s: Setup) -> list[Case]:
    """Bad path parameters: unknown, negative, huge, unicode, NUL, controls."""
    a, admin, acme = s.alliance, bearer(s.admin), bearer(s.acme)
    put = js({"role": "legal", "answers": A_LEGAL["answers"]})
    gets = {
        "alliance unknown": ("/api/v1/alliances/nope", admin, (404,)),
        "alliance NUL": (f"{a}%00", admin, (400,)),  # the URL checked before the key
        "alliance unicode": (f"{a}%C3%A9", admin, (404,)),
        "alliance invalid UTF-8": ("/api/v1/alliances/%FF", admin, (400,)),
        "alliance long": ("/api/v1/alliances/" + "x" * 3000, admin, (404,)),
        "round 0": (f"{a}/rounds/0", admin, (404,)),
        "round 99": (f"{a}/rounds/99", admin, (404,)),
        "round -1": (f"{a}/rounds/-1", admin, (404,)),
        "round 2**31": (f"{a}/rounds/2147483648", admin, (404,)),
        "round of 1000 digits": (f"{a}/rounds/" + "9" * 1000, admin, (404,)),
        "round 1.0": (f"{a}/rounds/1.0", admin, (404,)),
        "round 1e0": (f"{a}/rounds/1e0", admin, (404,)),
        "round abc": (f"{a}/rounds/abc", admin, (404,)),
        "round NUL": (f"{a}/rounds/1%00", admin, (400,)),
        "round fullwidth 1": (f"{a}/rounds/%EF%BC%91", admin, (404,)),
        "round of the other alliance": (f"{s.other}/rounds/1", admin, (404,)),
        "results of round 99": (f"{a}/rounds/99/results", admin, (404,)),
        "results of round -1": (f"{a}/rounds/-1/results", admin, (404,)),
        "keys of an unknown partner": (f"{a}/partners/zzz/keys", admin, (404,)),
        "keys of ACME": (f"{a}/partners/ACME/keys", admin, (404,)),
        "keys of a partner NUL": (f"{a}/partners/acme%00/keys", admin, (400,)),
        "unknown route under an alliance": (f"{a}/nope", admin, (404,)),
        "unknown API route": ("/api/v1/nope", admin, (404,)),
        "API version 2": ("/api/v2/score", {}, (404,)),
        "score with a trailing slash": ("/api/v1/score/", {}, (404,)),
        "a dot-dot path": ("/api/v1/alliances/../surveys/nope", {}, (404,)),
    }
    out = [Case(f"path: {k}", "GET", p, h, None, e) for k, (p, h, e) in gets.items()]
    puts = {
        "respondent NUL": ("a%00b", (400,)),
        "respondent SOH": ("a%01b", (422,)),
        "respondent ESC": ("a%1Bb", (422,)),
        "respondent DEL": ("a%7Fb", (422,)),
        "respondent blank": ("%20%20", (422,)),
        "respondent too long": ("x" * 201, (422,)),
        "respondent encoded surrogate": ("a%ED%A0%80b", (400,)),
        "respondent invalid UTF-8": ("a%FFb", (400,)),
    }
    resp = f"{a}/rounds/1/responses"
    out += [
        Case(f"path: put response, {k}", "PUT", f"{resp}/{r}", acme | JSON, put, e)
        for k, (r, e) in puts.items()
    ]
    for label, n in (
        ("round 0", "0"),
        ("round -1", "-1"),
        ("round 2**31", "2147483648"),
        ("round fullwidth 1", "%EF%BC%91"),
    ):
        out.append(
            Case(
                f"path: put response, {label}",
                "PUT",
                f"{a}/rounds/{n}/responses/x",
                acme | JSON,
                put,
                (404,),
            )
        )
    deletes = {
        "revoke an unknown key": (f"{a}/partners/acme/keys/nope", admin, (404,)),
        "revoke acme's key as globex's": (
            f"{a}/partners/globex/keys/{s.acme_key_id}",
            admin,
            (404,),
        ),
        "revoke a key of an unknown partner": (
            f"{a}/partners/zzz/keys/{s.acme_key_id}",
            admin,
            (404,),
        ),
        "revoke a key NUL": (f"{a}/partners/acme/keys/{s.acme_key_id}%00", admin, (400,)),
        "revoke an unknown invitation": (f"{a}/rounds/1/invitations/nope", acme, (404,)),
        "revoke an invitation of round 99": (
            f"{a}/rounds/99/invitations/{s.invitation_id}",
            acme,
            (404,),
        ),
        "revoke an invitation as the other partner": (
            f"{a}/rounds/1/invitations/{s.invitation_id}",
            bearer(s.globex),
            (403,),
        ),
        "erase an unknown person": (f"{a}/partners/acme/stakeholders/nobody", acme, (404,)),
        "erase a person of an unknown partner": (
            f"{a}/partners/zzz/stakeholders/a-sponsor",
            admin,
            (404,),
        ),
        "erase the other partner's person": (
            f"{a}/partners/globex/stakeholders/g-sponsor",
            acme,
            (403,),
        ),
        "erase a person NUL": (f"{a}/partners/acme/stakeholders/a-sponsor%00", acme, (400,)),
        "erase a person SOH": (f"{a}/partners/acme/stakeholders/a%01b", acme, (404,)),
        "erase a person too long": (
            f"{a}/partners/acme/stakeholders/" + "x" * 201,
            acme,
            (404,),
        ),
    }
    out += [Case(f"path: {k}", "DELETE", p, h, None, e) for k, (p, h, e) in deletes.items()]
    posts = {
        "key for an unknown partner": (f"{a}/partners/zzz/keys", (404,)),
        "key for a partner NUL": (f"{a}/partners/%00/keys", (400,)),
        "rotate an unknown key": (f"{a}/partners/acme/keys/nope/rotate", (404,)),
        "rotate a revoked key": (
            f"{a}/partners/acme/keys/{s.revoked_key_id}/rotate",
            (404,),
        ),
        "rotate acme's key as globex's": (
            f"{a}/partners/globex/keys/{s.acme_key_id}/rotate",
            (404,),
        ),
    }
    out += [Case(f"path: {k}", "POST", p, admin, None, e) for k, (p, e) in posts.items()]
    raw = "/api/v1/surveys/\u00e9t\u00e9"  # not percent-encoded: gunicorn refuses the line
    out.append(Case("path: raw UTF-8", "GET", raw, {}, None, (400,), kind="server"))
    long_line = f"{a}/rounds/" + "9" * 5000  # over gunicorn's 4,094 bytes of request line
    out.append(
        Case("path: round of 5000 digits", "GET", long_line, admin, None, (414,), kind="server")
    )
    return out


def idempotency_cases(s: Setup) -> list[Case]:
    """Bad ``Idempotency-Key`` headers on writes that would otherwise succeed."""
    put = js({"role": "legal", "answers": A_LEGAL["answers"]})
    resp = f"{s.alliance}/rounds/1/responses"
    acme = bearer(s.acme) | JSON
    keys = {"empty": "", "blank": "   ", "256 characters": "k" * 256, "4000 characters": "k" * 4000}
    out = [
        Case(
            f"idempotency: {k} key",
            "PUT",
            f"{resp}/idem-1",
            acme | {"Idempotency-Key": v},
            put,
            (400,),
        )
        for k, v in keys.items()
    ]
    invite = js({"role": "it", "respondent": "idem-2"})
    path = f"{resp.removesuffix('/responses')}/invitations"
    out.append(
        Case(
            "idempotency: empty key, invite",
            "POST",
            path,
            acme | {"Idempotency-Key": ""},
            invite,
            (400,),
        )
    )
    create = js(alliance_body(name="Idempotent"))
    op = bearer(OPERATOR) | JSON
    out.append(
        Case(
            "idempotency: 256-character key, create alliance",
            "POST",
            "/api/v1/alliances",
            op | {"Idempotency-Key": "k" * 256},
            create,
            (400,),
        )
    )
    # The key of a stored write (set-up), with another body: refused, the first answer kept.
    other = js({"role": "legal", "answers": {"sf1": 1}, "complete": False})
    out.append(
        Case(
            "idempotency: a key reused with another body",
            "PUT",
            f"{resp}/a-sponsor",
            acme | {"Idempotency-Key": "setup-1"},
            other,
            (422,),
        )
    )
    out.append(
        Case(
            "idempotency: a key reused with another query",
            "PUT",
            f"{resp}/a-sponsor?x=1",
            acme | {"Idempotency-Key": "setup-1"},
            js({"role": "executive_sponsor", "answers": A_LEGAL["answers"], "complete": True}),
            (422,),
        )
    )
    return out


FORM = {"Content-Type": "application/x-www-form-urlencoded"}
AS_JSON = {"Accept": "application/json"}


def form_cases(s: Setup) -> list[Case]:
    """The form pages of ``/forms/<token>``: HTML (or JSON for their script), not problems."""
    page = f"/forms/{s.token}"
    gets = {
        "unknown token": ("/forms/inv_nope", {}, (404,)),
        "unknown token, JSON": ("/forms/inv_nope", AS_JSON, (404,)),
        "revoked token": (f"/forms/{s.revoked_token}", {}, (404,)),
        "closed round": (f"/forms/{s.closed_token}", {}, (410,)),
        "closed round, JSON": (f"/forms/{s.closed_token}", AS_JSON, (410,)),
        "a partner key as token": (f"/forms/{s.acme}", {}, (404,)),
        "token NUL": (f"{page}%00", {}, (400,)),
        "token control": ("/forms/inv_%01", {}, (404,)),
        "token invalid UTF-8": ("/forms/inv_%FF", {}, (400,)),
        "token long": ("/forms/inv_" + "x" * 3000, {}, (404,)),
        "lang NUL": (f"{page}?lang=%00", {}, (400,)),
    }
    out = [
        Case(f"form: GET {k}", "GET", p, h, None, e, kind="form") for k, (p, h, e) in gets.items()
    ]
    fields = {
        "a rating of 9": "sf1=9&action=save",
        "a rating of abc": "sf1=abc&action=save",
        "a rating of 5000 digits": f"sf1={HUGE}&action=save",
        "a rating of -1": "sf1=-1&action=save",
        "points negative": "priorities.revenue_growth=-5&action=save",
        "points of 5000 digits": f"priorities.revenue_growth={HUGE}&action=save",
        "points over the total": "priorities.revenue_growth=101&action=save",
        "points fractional": "priorities.revenue_growth=1.5&action=save",
        "text NUL": "comments=a%00b&action=save",
        "text SOH": "comments=a%01b&action=save",
        "text DEL": "comments=a%7Fb&action=save",
        "text invalid UTF-8, rating 9": "comments=a%FFb&sf1=9&action=save",
        "text too long": "comments=" + "x" * 4001 + "&action=save",
        "other text too long": "biggest_risk=" + "x" * 2001 + "&action=save",
        "submit empty": "action=submit",
        "submit a half": "sf1=3&action=submit",
        "broken encoding, rating 9": "%ZZ=%&sf1=9&action=save",
    }
    for label, body in fields.items():
        out.append(
            Case(f"form: POST {label}", "POST", page, FORM, body.encode(), (422,), kind="form")
        )
        if label in ("a rating of 9", "text NUL", "submit empty"):
            out.append(
                Case(
                    f"form: POST {label}, JSON",
                    "POST",
                    page,
                    FORM | AS_JSON,
                    body.encode(),
                    (422,),
                    kind="form",
                )
            )
    posts = {
        "unknown token": ("/forms/inv_nope", (404,)),
        "revoked token": (f"/forms/{s.revoked_token}", (404,)),
        "closed round": (f"/forms/{s.closed_token}", (410,)),
        "token NUL": (f"{page}%00", (400,)),
    }
    save = b"sf1=3&action=save"
    out += [
        Case(f"form: POST {k}", "POST", p, FORM, save, e, kind="form")
        for k, (p, e) in posts.items()
    ]
    big = b"comments=" + b"x" * MAX_BODY + b"&action=save"
    out.append(Case("form: POST over the size limit", "POST", page, FORM, big, (413,), kind="form"))
    out.append(
        Case(
            "form: POST multipart, rating 9",
            "POST",
            page,
            {"Content-Type": "multipart/form-data; boundary=b"},
            b'--b\r\nContent-Disposition: form-data; name="sf1"\r\n\r\n9\r\n--b--\r\n',
            (422,),
            kind="form",
        )
    )
    return out


def method_cases(s: Setup) -> list[Case]:
    """Methods a route does not allow: 405 with ``Allow``, before credentials or bodies."""
    a, r1 = s.alliance, f"{s.alliance}/rounds/1"
    pairs = [
        ("PUT", "/api/v1/score"),
        ("GET", "/api/v1/score"),
        ("DELETE", "/api/v1/surveys"),
        ("POST", "/api/v1/surveys/alliance-objectives"),
        ("PUT", "/api/v1/alliances"),
        ("PUT", a),
        ("GET", f"{a}/admin-key"),
        ("PATCH", f"{a}/partners/acme/keys"),
        ("GET", f"{a}/partners/acme/keys/{s.acme_key_id}"),
        ("GET", f"{a}/partners/acme/keys/{s.acme_key_id}/rotate"),
        ("DELETE", f"{a}/rounds"),
        ("DELETE", r1),
        ("PUT", f"{r1}/invitations"),
        ("GET", f"{r1}/invitations/{s.invitation_id}"),
        ("POST", f"{r1}/responses/a-sponsor"),
        ("PUT", f"{r1}/responses"),
        ("POST", f"{r1}/results"),
        ("POST", f"{a}/stakeholders"),
        ("GET", f"{a}/partners/acme/stakeholders/a-sponsor"),
        ("POST", "/api/v1/me/response"),
        ("DELETE", "/api/v1/me/response"),
        ("POST", "/api/v1/openapi.json"),
        ("POST", "/livez"),
        ("DELETE", "/readyz"),
        ("POST", "/embed.js"),
        ("POST", "/"),
        ("PROPFIND", "/api/v1/score"),
        ("TRACE", "/api/v1/surveys"),
    ]
    out = [
        Case(f"method: {m} {p.replace(a, '/alliances/{id}')}", m, p, bearer(s.admin), None, (405,))
        for m, p in pairs
    ]
    for m in ("PUT", "DELETE"):
        out.append(
            Case(
                f"method: {m} a form",
                m,
                f"/forms/{s.token}",
                FORM,
                b"sf1=3&action=save",
                (405,),
                kind="form",
            )
        )
    out.append(
        Case(
            "method: POST a bad JSON body to PUT-only /me/response",
            "POST",
            "/api/v1/me/response",
            bearer(s.token) | JSON,
            b"{nope",
            (405,),
        )
    )
    return out


def credential_cases(s: Setup) -> list[Case]:
    """Every stored-resource route with credentials that must not work, each with a body that
    would succeed with the right one: 401, 403 or 404 as docs/api.md's table says."""
    a, r1 = s.alliance, f"{s.alliance}/rounds/1"
    row = {"respondent": "cred-1", "role": "it", "answers": A_LEGAL["answers"]}
    put = {"role": "legal", "answers": A_LEGAL["answers"]}
    routes: list[tuple[str, str, Any, str]] = [
        ("GET", "/api/v1/alliances", None, "operator"),
        ("POST", "/api/v1/alliances", alliance_body(name="Intruder"), "operator"),
        ("GET", a, None, "member"),
        ("GET", f"{a}/rounds", None, "member"),
        ("GET", r1, None, "member"),
        ("POST", f"{r1}/invitations", {"role": "it", "respondent": "cred-2"}, "member"),
        ("GET", f"{r1}/invitations", None, "member"),
        ("PUT", f"{r1}/responses/cred-3", put, "member"),
        ("POST", f"{r1}/responses", [row], "member"),
        ("GET", f"{r1}/responses", None, "member"),
        ("GET", f"{r1}/results", None, "member"),
        ("GET", f"{a}/stakeholders", None, "member"),
        ("GET", "/api/v1/me/response", None, "invitee"),
        ("PUT", "/api/v1/me/response", {"answers": {"sf1": 5}}, "invitee"),
        ("GET", f"{a}/partners/acme/keys", None, "admin"),
        ("POST", f"{a}/partners/acme/keys", None, "admin"),
        ("POST", f"{a}/rounds", {"label": "x"}, "admin"),
        ("PATCH", a, {"name": "Taken over"}, "admin"),
        # Destructive when let through: last.
        ("DELETE", f"{r1}/invitations/{s.invitation_id}", None, "member"),
        ("DELETE", f"{a}/partners/acme/stakeholders/a-sponsor", None, "member"),
        ("POST", f"{a}/partners/acme/keys/{s.acme_key_id}/rotate", None, "admin"),
        ("DELETE", f"{a}/partners/acme/keys/{s.acme_key_id}", None, "admin"),
        ("PATCH", r1, {"status": "closed"}, "admin"),
        ("POST", f"{a}/admin-key", None, "admin"),
        ("DELETE", a, None, "admin"),
    ]
    nobody = {
        "no credential": ({}, 401),
        "Basic scheme": ({"Authorization": "Basic YWRtaW46YWRtaW4="}, 401),
        "unknown key": (bearer("sk_" + "x" * 40), 401),
        "revoked key": (bearer(s.revoked_key), 401),
        "revoked invitation": (bearer(s.revoked_token), 401),
    }
    wrong: dict[str, dict[str, tuple[str, int]]] = {
        "operator": {
            "admin key": (s.admin, 404),
            "partner key": (s.acme, 404),
            "invitation": (s.token, 404),
        },
        "admin": {
            "partner key": (s.acme, 403),
            "invitation": (s.token, 403),
            "other alliance's admin": (s.other_admin, 404),
            "operator": (OPERATOR, 404),
        },
        "member": {
            "invitation": (s.token, 403),
            "other alliance's admin": (s.other_admin, 404),
            "other alliance's partner": (s.other_acme, 404),
            "operator": (OPERATOR, 404),
        },
        "invitee": {
            "admin key": (s.admin, 403),
            "partner key": (s.acme, 403),
            "operator": (OPERATOR, 403),
        },
    }
    out = []
    for method, path, body, level in routes:
        data = None if body is None else js(body)
        ctype = {} if body is None else JSON
        where = f"{method} {path.replace(a, '/alliances/{id}')}"
        # Every route gets two of the nobodies (in turn) and every wrong credential.
        k = routes.index((method, path, body, level))
        names = list(nobody)
        for label in (names[k % len(names)], names[(k + 1) % len(names)]):
            headers, status = nobody[label]
            out.append(
                Case(
                    f"credentials: {where}, {label}", method, path, headers | ctype, data, (status,)
                )
            )
        for label, (key, status) in wrong[level].items():
            out.append(
                Case(
                    f"credentials: {where}, {label}",
                    method,
                    path,
                    bearer(key) | ctype,
                    data,
                    (status,),
                )
            )
    odd = {
        "bearer in lower case, unknown": {"Authorization": "bearer sk_nope"},
        "Bearer without a token": {"Authorization": "Bearer"},
        "Bearer and spaces": {"Authorization": "Bearer    "},
        "token with a non-ASCII byte": {"Authorization": "Bearer sk_\xe9\xe9"},
        "two tokens": {"Authorization": f"Bearer {s.revoked_key} {s.admin}"},
        "a huge token": {"Authorization": "Bearer " + "x" * 6000},
    }
    out += [
        Case(f"credentials: GET /alliances/{{id}}, {k}", "GET", a, h, None, (401,))
        for k, h in odd.items()
    ]
    return out


def battery(s: Setup) -> list[Case]:
    """Every case, in the order sent: those that would destroy what later cases need, if they
    were let through, come last."""
    return [
        *score_cases(),
        *survey_cases(),
        *alliance_cases(s),
        *round_cases(s),
        *invitation_cases(s),
        *me_cases(s),
        *response_cases(s),
        *bulk_cases(s),
        *query_cases(s),
        *path_cases(s),
        *idempotency_cases(s),
        *form_cases(s),
        *method_cases(s),
        *round_patch_cases(s),
        *credential_cases(s),
    ]


def parsed(body: bytes) -> Any:
    """The JSON of an answer's body (None: empty, or not JSON)."""
    try:
        return json.loads(body)
    except ValueError:
        return None


def problem_faults(case: Case, got: Answer) -> list[str]:
    """What is wrong with a 4xx answer of the API (empty: nothing)."""
    ctype = got.headers.get_content_type()
    if ctype != PROBLEM:
        return [f"Content-Type {got.headers.get('Content-Type')!r}, not {PROBLEM}"]
    doc = parsed(got.body)
    if doc is None:
        return [f"a body that is not JSON: {got.body[:200]!r}"]
    if not isinstance(doc, dict):
        return [f"a problem that is not an object: {doc!r:.200}"]
    faults = [
        f"no {f!r} in the problem" for f in ("type", "title", "status", "detail") if f not in doc
    ]
    if doc.get("status") != got.status:
        faults.append(f"problem status {doc.get('status')!r} on a {got.status}")
    if not all(isinstance(doc.get(f), str) for f in ("type", "title", "detail")):
        faults.append("type, title and detail must be strings")
    if got.status == 422:
        errors = doc.get("errors")
        if not errors or not all(
            isinstance(e, dict) and isinstance(e.get("path"), str) for e in errors
        ):
            faults.append(f"a 422 that names no field: {doc!r:.300}")
    if got.status == 401 and "Bearer" not in (got.headers.get("WWW-Authenticate") or ""):
        faults.append("a 401 without WWW-Authenticate: Bearer")
    if got.status == 405 and not got.headers.get("Allow"):
        faults.append("a 405 without Allow")
    if got.status == 413 and str(MAX_BODY) not in str(doc.get("detail")):
        faults.append(f"a 413 whose detail does not give the limit: {doc.get('detail')!r}")
    if b"Traceback" in got.body:
        faults.append("a stack trace in the answer")
    return faults


def form_faults(case: Case, got: Answer) -> list[str]:
    """What is wrong with a 4xx answer of a form page: HTML, JSON for its script, or a
    problem for what HTTP itself refuses (405, 413, NUL in the URL)."""
    ctype = got.headers.get_content_type()
    if ctype == PROBLEM:
        return problem_faults(case, got)
    if ctype == "text/html":
        return [] if b"<html" in got.body.lower() else ["an HTML answer without a page"]
    if ctype == "application/json":
        doc = parsed(got.body)
        if not isinstance(doc, dict) or "status" not in doc:
            return [f"the form's JSON without status: {doc!r:.200}"]
        if got.status == 422 and not (isinstance(doc.get("errors"), dict) and doc["errors"]):
            return [f"the form's 422 names no field: {doc!r:.300}"]
        return []
    return [f"Content-Type {got.headers.get('Content-Type')!r} on a form's {got.status}"]


def faults_of(case: Case, got: Answer) -> list[str]:
    """Everything wrong with the answer to one case."""
    faults = []
    if got.status == NO_ANSWER:
        faults.append(f"no answer: {got.body.decode()}")
    elif got.status >= 500:
        faults.append(f"{got.status} (a fault of ours)")
    if got.status not in case.expect:
        faults.append(f"status {got.status}, docs/api.md gives {'/'.join(map(str, case.expect))}")
    if 400 <= got.status < 500 and case.kind != "server":
        faults += (form_faults if case.kind == "form" else problem_faults)(case, got)
    if 200 <= got.status < 300 and got.headers.get_content_type() == "application/json":
        doc = parsed(got.body)
        if isinstance(doc, dict) and "saved" in doc:  # a bulk report: every row refused
            if doc["saved"]:
                faults.append(f"stored {doc['saved']} rows of a wholly bad upload")
            rows = doc.get("errors") or []
            if not rows or not all(
                r.get("errors") and r["errors"][0].get("path") is not None for r in rows
            ):
                faults.append(f"a bulk report that names no field: {doc!r:.300}")
    return faults


Snapshot = dict[str, list[str]]
NO_ANSWER = 599  # the connection failed: counted with the 5xx


def snapshot(engine: sa.Engine, tables: list[str]) -> Snapshot:
    """Every row of every table, as sorted text."""
    with engine.connect() as conn:
        return {
            t: sorted(repr(tuple(r)) for r in conn.execute(sa.text(f'SELECT * FROM "{t}"')))
            for t in tables
        }


def counts(state: Snapshot) -> dict[str, int]:
    return {t: len(rows) for t, rows in state.items()}


def difference(before: Snapshot, after: Snapshot) -> str:
    """The tables whose rows changed, with their counts and a changed row."""
    parts = []
    for t in before:
        if before[t] != after[t]:
            new = sorted(set(after[t]) - set(before[t])) or sorted(set(before[t]) - set(after[t]))
            parts.append(f"{t}: {len(before[t])} -> {len(after[t])} rows, e.g. {new[0][:300]}")
    return "; ".join(parts)


def log_excerpt(log: Path, limit: int = 4000) -> str:
    """The server log's errors (tracebacks and ERROR lines with what follows them)."""
    lines = log.read_text(errors="replace").splitlines()
    keep = [k for k, line in enumerate(lines) if "ERROR" in line or "Traceback" in line]
    if not keep:
        return ""
    return "\n".join(lines[keep[0] : keep[0] + 60])[:limit]


def run(
    base: str, cases: list[Case], engine: sa.Engine, state: Snapshot
) -> list[tuple[Case, list[str], int, str]]:
    """Send every case; (case, faults, status, what it changed in the database) for each."""
    report = []
    for case in cases:
        try:
            got = send(base, case.method, case.path, case.headers, case.body, case.chunked)
        except (OSError, http.client.HTTPException) as exc:
            got = Answer(NO_ANSWER, http.client.HTTPMessage(), repr(exc).encode())
        faults = faults_of(case, got)
        after = snapshot(engine, list(state))
        changed_rows = difference(state, after) if after != state else ""
        state = after
        report.append((case, faults, got.status, changed_rows))
    return report


def test_bad_input_battery(migrated_url: str, tmp_path: Path) -> None:
    """Every case: no 5xx, problem+json with its fields, the status the docs give, and the
    database unchanged by it (every table's rows, after each case)."""
    db = "sqlite" if migrated_url.startswith("sqlite") else "postgresql"
    log = tmp_path / "gunicorn.log"
    started = time.monotonic()
    settings = {
        "DATABASE_URL": migrated_url,
        "SCORING_INSTANCE_DIR": str(tmp_path),
        "SCORING_OPERATOR_TOKEN": OPERATOR,
        "SCORING_SECRET_KEY": "s" * 40,
        "SCORING_BOOTSTRAP_RESAMPLES": "200",
    }
    engine = sa.create_engine(migrated_url)  # the server's URL (PostgreSQL: its search_path)
    try:
        with gunicorn(log, **settings) as base:
            setup = set_up(base)
            cases = battery(setup)
            tables = sorted(sa.inspect(engine).get_table_names())
            assert {"alliances", "responses", "idempotency", "audit"} <= set(tables), tables
            first = snapshot(engine, tables)
            report = run(base, cases, engine, first)
            last = snapshot(engine, tables)
    finally:
        engine.dispose()
    elapsed = time.monotonic() - started
    failed = [r for r in report if r[1] or r[3]]
    summary = (
        f"battery {db}: {len(cases)} cases, 5xx: {sum(r[2] >= 500 for r in report)}, "
        f"stored half: {sum(bool(r[3]) for r in report)}, failures: {len(failed)}; "
        f"{elapsed:.1f} s"
    )
    print(f"\n{summary}")
    lines = [summary]
    for case, faults, status, rows in failed:
        said = faults + ([f"stored: {rows}"] if rows else [])
        lines.append(
            f"- {case.name} ({case.method} {case.path[:120]}): {status}; {'; '.join(said)}"
        )
    names = Counter(c.name for c in cases)
    requests = Counter(
        (c.method, c.path, tuple(c.headers.items()), c.body, c.chunked) for c in cases
    )
    if len(cases) < MIN_CASES or max(names.values()) > 1 or max(requests.values()) > 1:
        twice = [n for n, k in names.items() if k > 1]
        same = [(m, p) for (m, p, *_), k in requests.items() if k > 1]
        lines.append(f"{len(cases)} cases; names given twice: {twice}; requests twice: {same}")
    if counts(first) != counts(last):
        lines.append(f"row counts changed over the battery: {difference(first, last)}")
    excerpt = log_excerpt(log)
    if excerpt and failed:
        lines.append(f"the server logged errors ({log}):\n{excerpt}")
    assert len(lines) == 1, "\n".join(lines)
