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
