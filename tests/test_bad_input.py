"""Bad input answered with a 4xx that names the field, never a 500 nor half-stored data, on both
databases (issue 12's reproductions: surrogates, control characters, loose booleans, repeated
respondents in one upload, CSV byte-order marks and huge headers)."""

from __future__ import annotations

import http.client
import json
import socket
import threading
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from scoring_service.surveys import Survey

from .helpers import World, answers

SURROGATE = "a\ud800b"
EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples" / "walkthrough"


def fields_of(answer: Any) -> list[str]:
    """The paths a problem answer names."""
    assert answer.status_code == 422, answer.get_data(as_text=True)
    assert answer.mimetype == "application/problem+json"
    return [e["path"] for e in answer.json["errors"]]


def stored_people(w: World) -> list[str]:
    """The respondents stored in round 1."""
    listed = w.client.get(f"{w.base}/rounds/1/responses", headers=w.admin).json["items"]
    return sorted(x["respondent"] for x in listed)


@pytest.mark.parametrize("bad", [SURROGATE, "nul\x00", "bell\x07", "del\x7f"])
def test_forbidden_characters_are_named_everywhere(
    stored: FlaskClient, default_survey: Survey, bad: str
) -> None:
    w = World(stored)
    body = {
        "name": bad,
        "partners": [{"key": "a", "name": "A"}, {"key": "b", "name": "B"}],
        "survey": "alliance-objectives",
    }
    op = {"Authorization": "Bearer op_" + "t" * 40}
    assert fields_of(stored.post("/api/v1/alliances", json=body, headers=op)) == ["name"]
    # A response's label, and a text answer (checked with the survey).
    labelled = w.put("acme", "ann", answers(default_survey, 1), complete=True, label=bad)
    assert fields_of(labelled) == ["label"]
    texts = [i.id for i in default_survey.items_of("text")]
    worded = {**answers(default_survey, 2), texts[0]: f"fine {bad}"}
    problem = w.put("acme", "ann", worded, complete=True)
    assert fields_of(problem) == [f"answers.{texts[0]}"]
    assert problem.json["errors"][0]["code"] == "character"
    # An invitation's new respondent, and an existing stakeholder named by reference.
    url = f"{w.base}/rounds/1/invitations"
    for field in ("respondent", "stakeholder"):
        made = stored.post(url, json={"role": "it", field: bad}, headers=w.keys["acme"])
        assert fields_of(made) == [field]
    # A bulk row: reported with its problem, nothing of it stored.
    row = {"respondent": bad, "role": "it", "answers": answers(default_survey, 3)}
    report = stored.post(f"{w.base}/rounds/1/responses", json=[row], headers=w.keys["acme"])
    assert report.status_code == 200, report.get_data(as_text=True)
    assert report.json["saved"] == 0 and report.json["failed"] == 1
    assert [e["path"] for e in report.json["errors"][0]["errors"]] == ["respondent"]
    assert stored_people(w) == []


def test_a_control_character_in_the_url_is_named(stored: FlaskClient) -> None:
    w = World(stored)
    put = stored.put(
        f"{w.base}/rounds/1/responses/a%01b",
        json={"role": "it", "answers": {}, "complete": False},
        headers=w.keys["acme"],
    )
    assert fields_of(put) == ["respondent"] and put.json["errors"][0]["params"] == {
        "found": "U+0001"
    }


@pytest.mark.parametrize("loose", ["yes", 1, 0, "true", None])
def test_booleans_are_json_booleans(
    stored: FlaskClient, default_survey: Survey, loose: Any
) -> None:
    w = World(stored)
    assert fields_of(w.put("acme", "ann", answers(default_survey, 1), complete=loose)) == [
        "complete"
    ]
    token = stored.post(
        f"{w.base}/rounds/1/invitations", json={"role": "it"}, headers=w.keys["acme"]
    ).json["token"]
    mine = stored.put(
        "/api/v1/me/response",
        json={"answers": {}, "complete": loose},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert fields_of(mine) == ["complete"]
    assert stored_people(w) == []


def test_a_respondent_repeated_in_one_upload_fails_on_the_repeat(
    stored: FlaskClient, default_survey: Survey
) -> None:
    w = World(stored)
    rows = [
        {"respondent": r, "role": "it", "answers": answers(default_survey, k)}
        for k, r in enumerate(["ann", "bob", "ann"])
    ]
    report = stored.post(f"{w.base}/rounds/1/responses", json=rows, headers=w.keys["acme"]).json
    assert report["saved"] == 2 and report["failed"] == 1
    failed = report["errors"][0]
    assert failed["row"] == "2" and failed["respondent"] == "ann"
    assert failed["errors"][0]["code"] == "duplicate" and failed["errors"][0]["params"] == {
        "first": "0"
    }
    assert stored_people(w) == ["ann", "bob"]
    kept = w.client.get(f"{w.base}/rounds/1/responses", headers=w.admin).json["items"]
    ann = next(x for x in kept if x["respondent"] == "ann")
    assert ann["answers"] == answers(default_survey, 0)  # the first row, not the repeat


def test_a_csv_with_a_byte_order_mark_is_read(stored: FlaskClient) -> None:
    """Excel's "CSV UTF-8" starts with a byte-order mark: the first column is still ``partner``."""
    w = World(stored)
    csv_text = (EXAMPLES / "acme.csv").read_text(encoding="utf-8")
    report = stored.post(
        f"{w.base}/rounds/1/responses",
        data=("\ufeff" + csv_text).encode("utf-8"),
        content_type="text/csv",
        headers=w.keys["acme"],
    )
    assert report.status_code == 200 and report.json["saved"] == 2, report.json
    assert stored_people(w) == ["a-it", "a-owner"]


def post_csv(w: World, data: bytes, content_type: str = "text/csv") -> Any:
    """A bulk CSV upload of acme's key."""
    url = f"{w.base}/rounds/1/responses"
    return w.client.post(url, data=data, content_type=content_type, headers=w.keys["acme"])


ACCENTED = (EXAMPLES / "acme.csv").read_text(encoding="utf-8").replace("a-it", "rené")


@pytest.mark.parametrize(
    ("encoding", "content_type"),
    [
        ("windows-1252", "text/csv; charset=windows-1252"),
        ("latin-1", "text/csv; charset=ISO-8859-1"),  # read as windows-1252, as browsers do
        ("utf-16", "text/csv"),  # a byte-order mark names the encoding
        ("utf-16-be", "text/csv; charset=utf-16be"),
        ("utf-8", "text/csv; charset=UTF-8"),
    ],
)
def test_a_csv_is_read_in_the_encoding_its_content_type_names(
    stored: FlaskClient, encoding: str, content_type: str
) -> None:
    w = World(stored)
    report = post_csv(w, ACCENTED.encode(encoding), content_type)
    assert report.status_code == 200 and report.json["saved"] == 2, report.json
    assert stored_people(w) == ["a-owner", "rené"]


def test_undecodable_bytes_are_a_422_naming_the_line(stored: FlaskClient) -> None:
    """windows-1252 bytes sent as UTF-8 (the default) were stored with replacement characters."""
    w = World(stored)
    answer = post_csv(w, ACCENTED.encode("windows-1252"))
    assert fields_of(answer) == ["line 2"]
    assert answer.json["errors"][0]["code"] == "encoding"
    assert answer.json["errors"][0]["params"] == {"line": 2, "encoding": "UTF-8"}
    assert "byte 0xE9 is not UTF-8 text" in answer.json["errors"][0]["message"]
    # windows-1252 leaves five bytes undefined; UTF-16 can end in half a character.
    undefined = ACCENTED.replace("a-owner", "a-owner\x81").encode("latin-1")
    assert fields_of(post_csv(w, undefined, "text/csv; charset=cp1252")) == ["line 3"]
    cut = ACCENTED.encode("utf-16")[:-1]
    assert fields_of(post_csv(w, cut, "text/csv; charset=utf-16")) == ["line 3"]  # half a newline
    assert stored_people(w) == []


def test_an_unknown_charset_is_a_415(stored: FlaskClient) -> None:
    w = World(stored)
    answer = post_csv(w, ACCENTED.encode("utf-8"), "text/csv; charset=koi8-r")
    assert answer.status_code == 415 and answer.mimetype == "application/problem+json"
    assert (
        answer.json["detail"]
        == "A CSV is read as UTF-8, windows-1252 or UTF-16, not as charset=koi8-r."
    )
    assert stored_people(w) == []


def test_a_json_bulk_body_that_is_not_utf8_is_a_400(
    stored: FlaskClient, default_survey: Survey
) -> None:
    """It was read with replacement characters and stored."""
    w = World(stored)
    row = {"respondent": "rené", "role": "it", "answers": answers(default_survey, 1)}
    data = json.dumps([row], ensure_ascii=False).encode("latin-1")
    url = f"{w.base}/rounds/1/responses"
    answer = stored.post(url, data=data, content_type="application/json", headers=w.keys["acme"])
    assert answer.status_code == 400
    assert answer.json["detail"] == "The request body is not UTF-8 text."
    assert stored_people(w) == []


def test_a_huge_csv_header_lists_fifty_problems_and_the_count(stored: FlaskClient) -> None:
    w = World(stored)
    header = ",".join(["partner", "role", "respondent", *(f"x{k}" for k in range(20_000))])
    answer = stored.post(
        f"{w.base}/rounds/1/responses",
        data=header + "\n",
        content_type="text/csv",
        headers=w.keys["acme"],
    )
    assert answer.status_code == 422
    problems = answer.json["errors"]
    assert len(problems) == 51
    assert problems[0]["path"] == "columns.x0" and problems[0]["code"] == "unknown_column"
    assert problems[-1]["code"] == "too_many"
    assert problems[-1]["params"] == {"max": 50, "got": 20_000}


def test_url_bytes_that_are_not_utf8_are_a_400(stored: FlaskClient, default_survey: Survey) -> None:
    """They were read as replacement characters: ``a%FFb`` was stored as respondent 'a\\ufffdb'."""
    w = World(stored)
    body = {"role": "it", "answers": answers(default_survey, 1)}
    for raw in (b"a\xffb", b"a\xed\xa0\x80b"):  # a stray byte; an encoded surrogate
        # As a server gives them (PEP 3333: the bytes as latin-1); the test client would
        # decode them itself.
        path = f"{w.base}/rounds/1/responses/{raw.decode('latin-1')}"
        answer = stored.put(
            "/", json=body, headers=w.keys["acme"], environ_overrides={"PATH_INFO": path}
        )
        assert answer.status_code == 400, answer.json
        assert answer.json["detail"] == "The URL is not UTF-8 text."
    listed = stored.get(f"{w.base}/rounds/1/responses?cursor=%FF", headers=w.admin)
    assert listed.status_code == 400
    assert stored_people(w) == []


def test_round_numbers_are_ascii_digits(stored: FlaskClient, default_survey: Survey) -> None:
    """A fullwidth or Arabic-Indic 1 was round 1 (werkzeug's ``\\d``)."""
    w = World(stored)
    assert stored.get(f"{w.base}/rounds/1", headers=w.admin).status_code == 200
    for one in ("%EF%BC%91", "%D9%A1"):
        assert stored.get(f"{w.base}/rounds/{one}", headers=w.admin).status_code == 404
        url = f"{w.base}/rounds/{one}/responses/ann"
        put = stored.put(url, json={"role": "it", "answers": {}}, headers=w.keys["acme"])
        assert put.status_code == 404
    assert stored_people(w) == []


def test_an_invitation_for_a_blank_respondent_is_a_422(stored: FlaskClient) -> None:
    w = World(stored)
    url = f"{w.base}/rounds/1/invitations"
    for field in ("respondent", "stakeholder"):
        made = stored.post(url, json={"role": "it", field: "   "}, headers=w.keys["acme"])
        assert fields_of(made) == [field]
    listed = stored.get(url, headers=w.admin).json["items"]
    assert listed == []


def raw_request(base: str, head: list[str], body: bytes) -> tuple[int, bytes]:
    """One request on a socket, its headers as given; the status and body of the answer."""
    host, port = base.removeprefix("http://").rsplit(":", 1)
    lines = [*head, f"Host: {host}:{port}", "Connection: close"]
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        try:
            sock.sendall("\r\n".join(lines).encode() + b"\r\n\r\n" + body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # answered before the whole body was sent
        answer = http.client.HTTPResponse(sock)
        answer.begin()
        return answer.status, answer.read()


def chunks(data: bytes, step: int = 65536) -> bytes:
    parts = [data[k : k + step] for k in range(0, len(data), step)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


def test_a_chunked_body_is_held_to_the_size_limit(
    stored_app: Flask, default_survey: Survey
) -> None:
    """werkzeug cut a chunked body at the limit and handed on what it read: a response padded
    past 4 MiB was stored. On werkzeug's own server (gunicorn refuses chunked with a
    Content-Length; tests/test_battery.py sends the rest to gunicorn)."""
    w = World(stored_app.test_client())
    server = make_server("127.0.0.1", 0, stored_app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        body = json.dumps({"role": "it", "answers": answers(default_survey, 1)}).encode()
        limit = stored_app.config["MAX_CONTENT_LENGTH"]
        for ref, extra in (("cut", []), ("cut-cl", ["Content-Length: 10"])):
            head = [
                f"PUT {w.base}/rounds/1/responses/{ref} HTTP/1.1",
                f"Authorization: {w.keys['acme']['Authorization']}",
                "Content-Type: application/json",
                "Transfer-Encoding: chunked",
                *extra,
            ]
            padded = body + b" " * (limit + 1 - len(body))
            status, answer = raw_request(base, head, chunks(padded))
            assert status == 413, answer
            assert raw_request(base, head, chunks(body))[0] == 200  # within it: read whole
    finally:
        server.shutdown()
        server.server_close()
    assert stored_people(w) == ["cut", "cut-cl"]
