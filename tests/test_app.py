"""App factory, settings, health, OpenAPI and docs UI."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from scoring_service.config import ConfigError, from_env


def test_health(client: FlaskClient) -> None:
    assert client.get("/livez").get_json() == {"status": "ok"}
    ready = client.get("/readyz").get_json()
    assert ready["status"] == "ready" and ready["surveys"] >= 1


def test_openapi_declares_every_error_status(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    post = spec["paths"]["/api/v1/score"]["post"]
    assert {"200", "400", "404", "413", "415", "422"} <= set(post["responses"])
    assert "/api/v1/surveys/{survey_id}" in spec["paths"]


def test_openapi_errors_are_problems_and_credentials_are_bearer_schemes(
    client: FlaskClient,
) -> None:
    """Every error answer is declared application/problem+json with the Problem schema (it was
    application/json); every credentialed route names its bearer schemes (the docs UI's
    Authorize button) and declares 401; every route with a body 400, 413, 415 and 422."""
    spec = client.get("/api/v1/openapi.json").get_json()
    components = spec["components"]
    schemes = components["securitySchemes"]
    assert set(schemes) == {"operator", "admin", "partner", "invitation"}
    assert {(s["type"], s["scheme"]) for s in schemes.values()} == {("http", "bearer")}
    assert set(components["schemas"]["Problem"]["required"]) == {
        "type",
        "title",
        "status",
        "detail",
    }
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    operations = 0
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method == "parameters":  # the path's own, not an operation
                continue
            operations += 1
            where = f"{method.upper()} {path}"
            answers = {
                status: components["responses"][r["$ref"].rsplit("/", 1)[1]] if "$ref" in r else r
                for status, r in op["responses"].items()
            }
            for status, answer in answers.items():
                if status == "default" or int(status) >= 400:
                    assert answer["content"] == problem, (where, status)
                else:
                    assert "application/problem+json" not in answer.get("content", {}), where
            assert "400" in answers, where  # a NUL in the URL, on any route
            credentialed = path.startswith(("/api/v1/alliances", "/api/v1/me/"))
            assert bool(op.get("security")) == credentialed, where
            for requirement in op.get("security", []):
                assert set(requirement) <= set(schemes), where
            if credentialed:  # looked up (503), failures and writes limited (429)
                assert "WWW-Authenticate" in answers["401"]["headers"], where
                for status in ("429", "503"):
                    assert "Retry-After" in answers[status]["headers"], (where, status)
            if "requestBody" in op:
                assert {"413", "415", "422"} <= set(answers), where
            if credentialed and method in ("post", "put", "patch", "delete"):
                headers = [p["name"] for p in op.get("parameters", []) if p["in"] == "header"]
                assert headers == ["Idempotency-Key"] and {"409", "422"} <= set(answers), where
    assert operations >= 28
    member = spec["paths"]["/api/v1/alliances/{alliance_id}/rounds/{n}/results"]["get"]
    assert member["security"] == [{"admin": []}, {"partner": []}]
    assert spec["paths"]["/api/v1/alliances"]["post"]["security"] == [{"operator": []}]
    assert spec["paths"]["/api/v1/me/response"]["put"]["security"] == [{"invitation": []}]


def test_docs_ui_is_served_without_a_cdn(client: FlaskClient) -> None:
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/api/v1/docs/static/swagger-ui-bundle.js" in html and "cdn" not in html.lower()
    asset = client.get("/api/v1/docs/static/swagger-ui-bundle.js")
    assert asset.status_code == 200 and len(asset.data) > 100_000
    asset.close()


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({"SCORING_BOOTSTRAP_RESAMPLES": "ten"}, "SCORING_BOOTSTRAP_RESAMPLES"),
        ({"SCORING_BOOTSTRAP_RESAMPLES": "5"}, "SCORING_BOOTSTRAP_RESAMPLES"),
        ({"SCORING_CONFIDENCE": "1.5"}, "SCORING_CONFIDENCE"),
        ({"SCORING_MAX_BODY_BYTES": "100"}, "SCORING_MAX_BODY_BYTES"),
        ({"SCORING_SURVEYS_DIR": "/nonexistent"}, "SCORING_SURVEYS_DIR"),
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL"),
        ({"SCORING_PUBLIC_URL": "survey.example.com"}, "SCORING_PUBLIC_URL"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"SCORING_SECRET_KEY": "short"}, "SCORING_SECRET_KEY"),
    ],
)
def test_bad_settings_stop_start_up(env: dict[str, str], name: str) -> None:
    with pytest.raises(ConfigError, match=name):
        from_env(env)


def test_defaults() -> None:
    s = from_env({})
    assert s.bootstrap_resamples == 2000 and s.confidence == 0.95
    assert s.max_body_bytes >= 2_000_000 and (s.surveys_dir / "alliance-objectives").is_dir()


def test_a_fault_of_ours_is_a_500_problem_without_a_trace(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret internals")

    resp = app.test_client().get("/boom")
    assert resp.status_code == 500 and resp.mimetype == "application/problem+json"
    text = resp.get_data(as_text=True)
    assert "secret internals" not in text and "Traceback" not in text
    assert resp.get_json()["title"] == "Internal Server Error"
    assert "secret internals" in caplog.text  # logged for us, not shown to the client


def test_server_settings() -> None:
    from scoring_service.config import server_from_env

    s = server_from_env({})
    assert s.bind == "127.0.0.1:8000" and s.workers >= 1 and s.loglevel == "info"
    assert server_from_env({"WEB_CONCURRENCY": "3", "LOG_LEVEL": "debug"}).workers == 3
    for env, name in (
        ({"SCORING_TIMEOUT": "soon"}, "SCORING_TIMEOUT"),
        ({"SCORING_KEEPALIVE": "-1"}, "SCORING_KEEPALIVE"),
        ({"SCORING_BIND": "8000"}, "SCORING_BIND"),
        ({"LOG_LEVEL": "chatty"}, "LOG_LEVEL"),
    ):
        with pytest.raises(ConfigError, match=name):
            server_from_env(env)


def test_the_front_page_says_what_this_is_and_links_onwards(client: FlaskClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "<h1>Alliance alignment scoring</h1>" in html
    for link in ("/api/v1/docs", "/api/v1/openapi.json", "/embed.js", "/livez", "/readyz"):
        assert f'href="{link}"' in html
        with client.get(link) as linked:  # closed: /embed.js is a file
            assert linked.status_code == 200, link
    assert page.headers["Content-Security-Policy"] == "frame-ancestors 'none'"
