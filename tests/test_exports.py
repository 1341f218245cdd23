"""CSV exports of responses and results (docs/exports.md): over HTTP on SQLite and PostgreSQL,
the escaping function on its own (with Hypothesis), and the pandas snippets of the docs run
against real exports."""

from __future__ import annotations

import csv
import io
import json
import re
import secrets
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st

from scoring_service import create_app
from scoring_service.services import alliances
from scoring_service.services.exports import (
    RESPONSE_COLUMNS,
    RESULT_COLUMNS,
    cell,
    result_rows,
    to_csv,
    unescape,
)

from .helpers import API, FIXTURES, ROOT, World, settings_for

FAST = {"speed": 70, "risk": 5, "revenue": 15, "cost": 10}
SAFE = {"speed": 5, "risk": 70, "revenue": 15, "cost": 10}
BASE = {"t1": 4, "t2": 2, "t3": 4, "g1": 3, "g2": 4, "g3": 3}
# Three complete responses a side (so a partner key sees the other's figures), acme for speed
# and globex for risk control (the mini survey's conflict), globex trusting less; a partial one
# and free text.
PEOPLE: list[tuple[str, str, str, dict[str, Any], bool]] = [
    ("acme", "a1", "legal", {**BASE, "priorities": FAST, "comments": "=1+1"}, True),
    ("acme", "a2", "it", {"t2": 1, "priorities": {"speed": 50}}, False),
    ("acme", "a3", "it", {**BASE, "t1": 5, "priorities": {**FAST, "speed": 60, "risk": 15}}, True),
    ("acme", "a4", "business_owner", {**BASE, "t3": 5, "priorities": FAST}, True),
    ("globex", "g1", "legal", {**BASE, "t1": 2, "t3": 3, "priorities": SAFE}, True),
    ("globex", "g2", "it", {**BASE, "t1": 3, "t2": 3, "priorities": SAFE}, True),
    (
        "globex",
        "g3",
        "business_owner",
        {**BASE, "t1": 2, "priorities": SAFE, "comments": "fine"},
        True,
    ),
]


@pytest.fixture
def mini_app(migrated_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The app on each database with the mini survey only."""
    app = create_app(settings_for(migrated_url, tmp_path, surveys_dir=FIXTURES / "surveys"))
    yield app
    app.extensions["scoring"].store.dispose()


def populated(app: Flask) -> World:
    """An alliance on the mini survey with the responses of ``PEOPLE`` in round 1."""
    w = World(app.test_client(), survey="mini")
    for partner, ref, role, answers, complete in PEOPLE:
        resp = w.put(partner, ref, answers, role=role, complete=complete)
        assert resp.status_code == 200, resp.get_data(as_text=True)
    return w


@pytest.fixture
def world(mini_app: Flask) -> World:
    """The alliance of ``PEOPLE`` on each database."""
    return populated(mini_app)


def rows_of(resp: Any) -> list[list[str]]:
    """The CSV body's lines as cells (the header first)."""
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.headers["Content-Type"] == "text/csv; charset=utf-8"
    text = resp.get_data(as_text=True)
    assert text.endswith("\r\n")
    return list(csv.reader(io.StringIO(text, newline="")))


def records(resp: Any) -> list[dict[str, str]]:
    """The CSV body's rows as dicts by column."""
    header, *body = rows_of(resp)
    return [dict(zip(header, row, strict=True)) for row in body]


def problem(resp: Any, status: int) -> dict[str, Any]:
    """The problem document of an answer that must have ``status``."""
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.mimetype == "application/problem+json"
    doc: dict[str, Any] = resp.get_json()
    return doc


# -- responses ----------------------------------------------------------------------------------


def test_responses_csv_has_a_row_per_answer(world: World) -> None:
    url = f"{world.base}/rounds/1/responses"
    resp = world.client.get(f"{url}?format=csv&limit=1", headers=world.admin)
    header, *body = rows_of(resp)
    assert tuple(header) == RESPONSE_COLUMNS
    name = f"{world.id}-round-1-responses.csv"
    assert resp.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    # Not paginated: every answer of every response (limit does not apply), partial included.
    # 6 ratings and 4 objectives a response, a text more for a1 and g3; a2: 1 + 1.
    assert len(body) == 6 * 10 + 2 + 2
    order = [(r[2], r[4]) for r in body]
    assert order == sorted(order) and order[0] == ("acme", "a1") and order[-1] == ("globex", "g3")
    listed = world.client.get(f"{url}?limit=500", headers=world.admin).json["items"]
    saved = {x["respondent"]: datetime.fromisoformat(x["updated_at"]) for x in listed}
    a1 = [r for r in body if r[4] == "a1"]
    at = a1[0][10]
    assert datetime.fromisoformat(at) == saved["a1"] and re.fullmatch(r".+\.\d{6}\+00:00", at)
    start = [cell(world.id), "1", "acme", "legal", "a1", "true"]  # an id may start with "-"
    assert a1[0] == [*start, "t1", "trust", "4", "false", at]
    assert a1[1] == [*start, "t2", "trust", "2", "true", at]  # the mini survey's reverse item
    assert [r[6] for r in a1] == [
        *("t1", "t2", "t3", "g1", "g2", "g3"),
        *("priorities.speed", "priorities.risk", "priorities.revenue", "priorities.cost"),
        "comments",
    ]
    assert a1[6] == [*start, "priorities.speed", "", "70", "false", at]
    assert a1[-1] == [*start, "comments", "", "'=1+1", "false", at]  # escaped
    a2 = [r[:10] for r in body if r[4] == "a2"]
    partial = [cell(world.id), "1", "acme", "it", "a2", "false"]
    assert a2 == [
        [*partial, "t2", "trust", "1", "true"],
        [*partial, "priorities.speed", "", "50", "false"],
    ]


def test_a_partner_key_exports_its_own_responses_only(world: World) -> None:
    url = f"{world.base}/rounds/1/responses"
    mine = records(world.client.get(f"{url}?format=csv", headers=world.keys["globex"]))
    assert {r["partner"] for r in mine} == {"globex"}
    assert sorted({r["respondent"] for r in mine}) == ["g1", "g2", "g3"]
    assert [r["value"] for r in mine if r["item"] == "comments"] == ["fine"]
    acme = world.client.get(f"{url}?format=csv&partner=acme", headers=world.keys["globex"])
    problem(acme, 403)
    # The admin's partner filter applies as in the JSON list.
    only = records(world.client.get(f"{url}?format=csv&partner=globex", headers=world.admin))
    assert only == mine


@pytest.mark.parametrize(
    ("query", "accept", "csv_answer"),
    [
        ("", "text/csv", True),
        ("", "text/csv;q=0.9, application/json;q=0.5", True),
        ("", "application/json", False),
        ("", "*/*", False),
        ("", "text/html,application/xhtml+xml,*/*;q=0.8", False),
        ("", None, False),
        ("?format=json", "text/csv", False),  # the query wins
        ("?format=csv", "application/json", True),
    ],
)
@pytest.mark.parametrize("route", ["responses", "results"])
def test_the_query_wins_then_accept(
    world: World, route: str, query: str, accept: str | None, csv_answer: bool
) -> None:
    headers = world.admin | ({"Accept": accept} if accept else {})
    resp = world.client.get(f"{world.base}/rounds/1/{route}{query}", headers=headers)
    assert resp.status_code == 200
    assert resp.mimetype == ("text/csv" if csv_answer else "application/json")
    assert "Accept" in resp.vary


@pytest.mark.parametrize("route", ["responses", "results"])
def test_another_format_is_a_problem_naming_format(world: World, route: str) -> None:
    resp = world.client.get(f"{world.base}/rounds/1/{route}?format=xml", headers=world.admin)
    doc = problem(resp, 422)
    assert [e["path"] for e in doc["errors"]] == ["format"]
    assert "Accept" in resp.vary


# -- results ------------------------------------------------------------------------------------


def test_results_csv_is_the_document_as_a_table(world: World) -> None:
    url = f"{world.base}/rounds/1/results"
    doc = world.client.get(url, headers=world.admin).json
    result = doc["result"]
    resp = world.client.get(f"{url}?format=csv", headers=world.admin)
    name = f"{world.id}-round-1-results.csv"
    assert resp.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    assert "X-Result-Reason" not in resp.headers
    header, *body = rows_of(resp)
    assert tuple(header) == RESULT_COLUMNS
    got = [dict(zip(header, row, strict=True)) for row in body]
    assert all(r["alliance"] == cell(world.id) and r["round"] == "1" for r in got)
    by = {
        (r["kind"], r["name"], r["partner"], r["statistic"]): r for r in got if r["kind"] != "flag"
    }
    trust = next(d for d in result["dimensions"] if d["id"] == "trust")
    gap = by[("dimension", "trust", "", "gap")]
    # A negative number stays a number: no apostrophe, the same float as the JSON's.
    assert trust["gap"] < 0 and float(gap["value"]) == trust["gap"] and gap["value"][0] == "-"
    assert [float(gap["low"]), float(gap["high"])] == trust["gap_ci"]
    assert gap["detail"] == "globex minus acme"
    assert float(by[("dimension", "trust", "acme", "mean")]["value"]) == trust["means"]["acme"]
    assert by[("dimension", "trust", "globex", "n")]["value"] == "3"
    assert float(by[("dimension", "trust", "", "p_value")]["value"]) == trust["p_value"]
    # Governance has no variation: no interval nor test, and the reason says why.
    governance = by[("dimension", "governance", "", "gap")]
    assert (governance["value"], governance["low"], governance["high"]) == ("0.0", "", "")
    assert governance["detail"] == "globex minus acme; gap_ci: no_variation"
    assert by[("dimension", "governance", "", "p_value")]["value"] == ""
    speed = by[("objective", "speed", "", "difference")]
    expected = next(x for x in result["objectives"]["differences"] if x["objective"] == "speed")
    assert float(speed["value"]) == expected["difference"] < 0
    weight = by[("objective", "speed", "acme", "weight")]
    profile = result["objectives"]["profiles"]["acme"]
    assert float(weight["value"]) == profile["weights"]["speed"]
    assert weight["low"] == "" and weight["detail"] == "ci: n_below_minimum"
    dims, objs = len(result["dimensions"]), len(result["objectives"]["differences"])
    assert len(by) == dims * 7 + objs * 5
    flags = [r for r in got if r["kind"] == "flag"]
    assert len(flags) == len(result["conflicts"]) > 0
    conflict = next(c for c in result["conflicts"] if c["kind"] == "objective_conflict")
    row = next(r for r in flags if r["name"] == "objective_conflict")
    assert row == {
        "alliance": cell(world.id),
        "round": "1",
        "kind": "flag",
        "name": "objective_conflict",
        "partner": "acme;globex",
        "statistic": "p_value",
        "value": repr(conflict["evidence"]["p_value"]),
        "low": "",
        "high": "",
        "severity": conflict["severity"],
        "about": "speed;risk",
        "detail": conflict["message"],
    }


def test_results_csv_is_the_callers_view(world: World) -> None:
    url = f"{world.base}/rounds/1/results"
    for headers in (world.admin, world.keys["acme"], world.keys["globex"]):
        shown = world.client.get(url, headers=headers)
        resp = world.client.get(url, headers=headers | {"Accept": "text/csv"})
        assert resp.get_data(as_text=True) == to_csv(RESULT_COLUMNS, result_rows(shown.json))


def test_results_csv_has_its_own_etag(world: World) -> None:
    url = f"{world.base}/rounds/1/results"
    as_json = world.client.get(url, headers=world.admin)
    as_csv = world.client.get(f"{url}?format=csv", headers=world.admin)
    json_tag, csv_tag = as_json.headers["ETag"], as_csv.headers["ETag"]
    assert csv_tag == json_tag[:-1] + '-csv"' and csv_tag != json_tag
    for resp in (as_json, as_csv):
        assert "Accept" in resp.vary and resp.headers["Cache-Control"] == "private, no-cache"
    # The JSON's tag never gets a CSV request a 304 (nor the reverse); its own does.
    again = world.client.get(f"{url}?format=csv", headers=world.admin | {"If-None-Match": json_tag})
    assert again.status_code == 200 and again.mimetype == "text/csv"
    back = world.client.get(url, headers=world.admin | {"If-None-Match": csv_tag})
    assert back.status_code == 200 and back.mimetype == "application/json"
    cached = world.client.get(
        url, headers=world.admin | {"If-None-Match": csv_tag, "Accept": "text/csv"}
    )
    assert cached.status_code == 304 and cached.headers["ETag"] == csv_tag
    assert cached.get_data() == b"" and "Accept" in cached.vary
    # A new answer changes both.
    world.put("globex", "g4", {"t1": 1}, complete=False)
    fresh = world.client.get(
        url, headers=world.admin | {"If-None-Match": csv_tag, "Accept": "text/csv"}
    )
    assert fresh.status_code == 200 and fresh.headers["ETag"] not in (csv_tag, json_tag)


def test_results_csv_without_a_result_is_the_header_and_the_reason(mini_app: Flask) -> None:
    w = World(mini_app.test_client(), survey="mini")
    assert w.put("acme", "a1", {**BASE, "priorities": FAST}).status_code == 200
    url = f"{w.base}/rounds/1/results?format=csv"
    for headers in (w.admin, w.keys["acme"]):
        resp = w.client.get(url, headers=headers)
        assert rows_of(resp) == [list(RESULT_COLUMNS)]
        assert resp.headers["X-Result-Reason"] == "waiting_for_globex"
    assert w.client.get(url.replace("?format=csv", ""), headers=w.admin).json["result"] is None


def test_the_openapi_document_declares_the_csv_answers(mini_app: Flask) -> None:
    spec = mini_app.test_client().get(f"{API}/openapi.json").json
    for route in ("responses", "results"):
        get = spec["paths"][f"/api/v1/alliances/{{alliance_id}}/rounds/{{n}}/{route}"]["get"]
        content = get["responses"]["200"]["content"]
        assert set(content) == {"application/json", "text/csv"}
        assert content["text/csv"]["schema"] == {"type": "string"}
        fmt = next(p for p in get["parameters"] if p["name"] == "format")
        assert fmt["in"] == "query" and fmt["schema"]["enum"] == ["json", "csv"]
        assert "422" in get["responses"]


# -- the docs' pandas snippets -------------------------------------------------------------------


def python_blocks(markdown: str) -> list[str]:
    """The ```python blocks of a markdown text."""
    return re.findall(r"^```python\n(.*?)^```$", markdown, flags=re.MULTILINE | re.DOTALL)


def test_the_pandas_snippets_read_the_exports(
    mini_app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An alliance id that starts with "-" (one in 64 do): escaped, and read back as it is.
    with monkeypatch.context() as patch:
        patch.setattr(alliances, "new_id", lambda: "-" + secrets.token_urlsafe(12)[1:])
        world = populated(mini_app)
    assert world.id.startswith("-")
    for route in ("responses", "results"):
        got = world.client.get(f"{world.base}/rounds/1/{route}?format=csv", headers=world.admin)
        assert got.status_code == 200
        (tmp_path / f"{route}.csv").write_bytes(got.get_data())
    got = world.client.get(f"{world.base}/trend?format=csv", headers=world.admin)
    assert got.status_code == 200
    (tmp_path / "trend.csv").write_bytes(got.get_data())
    blocks = python_blocks((ROOT / "docs" / "exports.md").read_text())
    assert len(blocks) == 2, "docs/exports.md: the pandas block of the rounds, of the trend"
    monkeypatch.chdir(tmp_path)
    scope: dict[str, Any] = {}
    for block in blocks:
        exec(compile(block, "docs/exports.md", "exec"), scope)  # noqa: S102 - our own docs
    responses, results = scope["responses"], scope["results"]
    assert (responses["alliance"] == world.id).all() and (results["alliance"] == world.id).all()
    assert responses["complete"].dtype == bool and responses["reverse"].dtype == bool
    assert pd.api.types.is_integer_dtype(responses["number"])
    assert pd.api.types.is_datetime64_any_dtype(responses["updated_at"])
    assert responses["updated_at"].dt.tz is not None
    a1 = responses[responses["respondent"] == "a1"].set_index("item")
    assert a1.loc["t2", "number"] == 2 and bool(a1.loc["t2", "reverse"])
    assert a1.loc["priorities.speed", "number"] == 70
    assert a1.loc["comments", "text"] == "=1+1" and pd.isna(a1.loc["comments", "number"])
    assert int(responses["number"].isna().sum()) == 2  # the two texts
    for column in ("value", "low", "high"):
        assert results[column].dtype == "float64", column
    gap = results[(results["name"] == "trust") & (results["statistic"] == "gap")]["value"]
    assert gap.dtype == "float64" and float(gap.iloc[0]) < 0
    assert scope["gaps"].loc["trust", "value"] == float(gap.iloc[0])
    assert list(scope["means"].columns) == ["acme", "globex"]
    flags = results[results["kind"] == "flag"]
    assert flags["severity"].isin(["high", "medium", "low"]).all() and len(flags) > 0
    trend = scope["trend"]
    assert (trend["alliance"] == world.id).all() and trend["provisional"].dtype == bool
    for column in ("value", "change", "p_value"):
        assert trend[column].dtype == "float64", column
    assert trend["change"].isna().all()  # one round: no change yet
    mean = results.query("kind == 'dimension' and statistic == 'mean' and name == 'trust'")
    by_round = scope["by_round"]
    assert by_round.loc[("acme", "trust"), 1] == float(
        mean[mean["partner"] == "acme"]["value"].iloc[0]
    )


# -- the escaping function ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-x", "'-x"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'=x", "''=x"),  # so that unescape gives it back
        ("'x", "'x"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (True, "true"),
        (False, "false"),
        (-3, "-3"),
        (0, "0"),
        (-0.5, "-0.5"),
        (0.1, "0.1"),
        (1e-05, "1e-05"),
        (-1e300, "-1e+300"),
    ],
)
def test_cell(value: Any, text: str) -> None:
    assert cell(value) == text


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_no_cell_holds_nan_or_infinity(bad: float) -> None:
    with pytest.raises(ValueError, match="finite"):
        cell(bad)


@pytest.mark.parametrize("bad", [b"x", [1], {"a": 1}, datetime(2026, 1, 1)])
def test_other_types_are_refused(bad: Any) -> None:
    with pytest.raises(TypeError, match="str, int, float, bool or None"):
        cell(bad)


def test_to_csv_takes_dicts_and_tuples() -> None:
    rows = [{"a": "=x", "b": -1.5, "c": None, "extra": 1}, ("y", 2, True)]
    assert to_csv(("a", "b", "c"), rows) == "a,b,c\r\n'=x,-1.5,\r\ny,2,true\r\n"
    assert to_csv(("a",), []) == "a\r\n"
    with pytest.raises(ValueError, match="row 0 has no b"):
        to_csv(("a", "b"), [{"a": 1}])
    with pytest.raises(ValueError, match="row 1 has 1 values for 2 columns"):
        to_csv(("a", "b"), [(1, 2), (1,)])


def read_back(text: str) -> list[list[str]]:
    """A CSV text as csv.reader reads it."""
    return list(csv.reader(io.StringIO(text, newline="")))


@given(st.lists(st.text(), min_size=1, max_size=4))
def test_any_text_round_trips(texts: list[str]) -> None:
    """Every str comes back through csv.reader, after one added apostrophe is removed (exactly
    when the text is a formula's start); unescape is the inverse."""
    columns = [f"c{k}" for k in range(len(texts))]
    header, row = read_back(to_csv(columns, [texts]))
    assert header == columns
    for text, got in zip(texts, row, strict=True):
        formula = text.lstrip("'").startswith(("=", "+", "-", "@", "\t", "\r"))
        assert got == ("'" + text if formula else text)
        assert unescape(got) == text


@given(st.lists(st.integers() | st.floats(allow_nan=False, allow_infinity=False), min_size=1))
def test_numbers_are_never_escaped(numbers: list[int | float]) -> None:
    """Numbers are written as numbers, negative ones too, and read back equal."""
    columns = [f"c{k}" for k in range(len(numbers))]
    _, row = read_back(to_csv(columns, [numbers]))
    for number, got in zip(numbers, row, strict=True):
        assert not got.startswith("'")
        assert type(number)(got) == number
        assert json.loads(got) == number  # plain numerals: JSON reads them too
