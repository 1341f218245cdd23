"""Fixtures: an app on the real surveys, one on the small test survey, and their clients."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from scoring_service import create_app
from scoring_service.config import DEFAULT_SURVEYS
from scoring_service.surveys import Survey, SurveyRegistry, load_registry

from .helpers import FIXTURES, settings_for


@pytest.fixture(scope="session")
def registry() -> SurveyRegistry:
    """The shipped surveys."""
    return load_registry(DEFAULT_SURVEYS)


@pytest.fixture(scope="session")
def default_survey(registry: SurveyRegistry) -> Survey:
    """The default instrument."""
    return registry.get("alliance-objectives")


@pytest.fixture(scope="session")
def mini() -> Survey:
    """A small survey: 3 roles, 4 objectives (speed/risk conflict), 2 dimensions of 3 items."""
    return load_registry(FIXTURES / "surveys").get("mini")


POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
# .ci/run sets this: a PostgreSQL test that cannot run is then a failure, not a skip.
REQUIRE_POSTGRES = os.environ.get("SCORING_REQUIRE_POSTGRES") == "1"
SKIP_POSTGRES = "PostgreSQL tests need TEST_DATABASE_URL (postgresql+psycopg://...)"


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    """The app as ``make run`` builds it (SQLite in a temporary instance folder), with fewer
    resamples to keep tests quick."""
    return create_app(settings_for(f"sqlite:///{tmp_path / 'scoring.db'}", tmp_path))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def mini_client(tmp_path: Path) -> FlaskClient:
    """A client of an app that knows only the mini survey."""
    url = f"sqlite:///{tmp_path / 'scoring.db'}"
    return create_app(settings_for(url, tmp_path, surveys_dir=FIXTURES / "surveys")).test_client()


def _postgres_schema() -> Iterator[str]:
    """A URL of a fresh PostgreSQL schema on TEST_DATABASE_URL, dropped afterwards."""
    if not POSTGRES_URL:
        if REQUIRE_POSTGRES:
            pytest.fail(f"{SKIP_POSTGRES}, and SCORING_REQUIRE_POSTGRES=1 requires them")
        pytest.skip(SKIP_POSTGRES)
    schema = "t_" + secrets.token_hex(6)
    admin = sa.create_engine(POSTGRES_URL)
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL at TEST_DATABASE_URL is unreachable: {exc}")
        pytest.skip(f"PostgreSQL at TEST_DATABASE_URL is unreachable: {exc}")
    sep = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind: SQLite always, PostgreSQL with TEST_DATABASE_URL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'scoring.db'}"
    else:
        yield from _postgres_schema()


@pytest.fixture
def stored_app(migrated_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The app on each database, migrated; its connections closed at the end."""
    app = create_app(settings_for(migrated_url, tmp_path))
    yield app
    app.extensions["scoring"].store.dispose()


@pytest.fixture
def stored(stored_app: Flask) -> FlaskClient:
    return stored_app.test_client()


@pytest.fixture
def migrated_url(database_url: str) -> str:
    """``database_url`` with the schema in place, for a server the test starts (it migrates
    SQLite itself)."""
    if not database_url.startswith("sqlite"):
        from scoring_service.store import migrate
        from scoring_service.store.db import make_engine

        engine = make_engine(database_url)
        migrate.upgrade(engine)
        engine.dispose()
    return database_url


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say loudly when the PostgreSQL half of the storage tests, or the browser tests, did not
    run."""
    skipped = terminalreporter.stats.get("skipped", [])
    postgres = [
        r for r in skipped if SKIP_POSTGRES in str(r.longrepr) or "PostgreSQL" in str(r.longrepr)
    ]
    browser = [r for r in skipped if "chromium" in str(r.longrepr)]
    lines = []
    if postgres:
        lines.append(
            f"{len(postgres)} PostgreSQL tests were SKIPPED: set TEST_DATABASE_URL "
            "(postgresql+psycopg://user@host:5432/db) or run `bash .ci/run`, which does."
        )
    if browser:
        lines.append(
            f"{len(browser)} browser tests were SKIPPED: install Debian's chromium "
            "(apt-get install chromium) or run `bash .ci/run`, which does."
        )
    if lines:
        bar = "!" * 78
        terminalreporter.write_line(bar, yellow=True, bold=True)
        for line in lines:
            terminalreporter.write_line(line, yellow=True, bold=True)
        terminalreporter.write_line(bar, yellow=True, bold=True)
