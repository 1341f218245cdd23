"""The storage layer itself: migrations, SQLite's settings, start-up checks (both databases)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from scoring_service import create_app
from scoring_service.config import ConfigError
from scoring_service.store import migrate
from scoring_service.store.db import Store, make_engine
from scoring_service.store.models import Alliance, Base, Round, now

from .helpers import settings_for

TABLES = {
    "alliances",
    "partners",
    "api_keys",
    "stakeholders",
    "rounds",
    "responses",
    "results",
    "invitations",
}


def tables(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}


def test_migrations_go_up_down_and_up_again(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        migrate.upgrade(engine)
        assert migrate.current(engine) == migrate.head()
        assert TABLES <= tables(engine)
        migrate.downgrade(engine, "base")
        assert migrate.current(engine) is None and tables(engine) == set()
        migrate.upgrade(engine)
        assert TABLES <= tables(engine)
    finally:
        engine.dispose()


def test_models_match_the_migrations(database_url: str) -> None:
    """Autogenerate finds nothing to do: the models and the migrations describe one schema."""
    engine = make_engine(database_url)
    try:
        migrate.upgrade(engine)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
    finally:
        engine.dispose()


def test_sqlite_connections_are_durable(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with store.engine.connect() as conn:
            pragma = {
                name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "busy_timeout", "foreign_keys", "synchronous")
            }
        assert pragma == {
            "journal_mode": "wal",
            "busy_timeout": 5000,
            "foreign_keys": 1,
            "synchronous": 2,
        }
    finally:
        store.dispose()


def alliance_a() -> Alliance:
    """An alliance row with id ``a`` (no partners: these tests are about rounds)."""
    return Alliance(
        id="a",
        name="A",
        survey_id="alliance-objectives",
        frame_ancestors=[],
        min_group_size=3,
        created_at=now(),
        updated_at=now(),
    )


def test_one_open_round_per_alliance_is_a_database_rule(database_url: str) -> None:
    store = Store(database_url)
    try:
        migrate.upgrade(store.engine)
        with store.write() as s:
            s.add(alliance_a())

        def open_round(n: int) -> None:
            with store.write() as s:
                s.add(
                    Round(
                        alliance_id="a",
                        n=n,
                        label="x",
                        survey_id="alliance-objectives",
                        survey_version=1,
                        status="open",
                        opened_at=now(),
                        version=0,
                    )
                )

        open_round(1)
        with pytest.raises(sa.exc.IntegrityError):
            open_round(2)
    finally:
        store.dispose()


def test_start_up_refuses_a_round_whose_survey_file_is_missing(
    database_url: str, tmp_path: Path
) -> None:
    store = Store(database_url)
    try:
        migrate.upgrade(store.engine)
        with store.write() as s:
            s.add(alliance_a())
            s.add(
                Round(
                    alliance_id="a",
                    n=1,
                    label="x",
                    survey_id="alliance-objectives",
                    survey_version=7,
                    status="closed",
                    opened_at=now(),
                    version=0,
                )
            )
    finally:
        store.dispose()
    with pytest.raises(ConfigError, match="alliance-objectives version 7"):
        create_app(settings_for(database_url, tmp_path))


def test_an_unmigrated_postgres_database_stops_start_up(database_url: str, tmp_path: Path) -> None:
    if database_url.startswith("sqlite"):
        app = create_app(settings_for(database_url, tmp_path))  # SQLite: migrated on start
        store = app.extensions["scoring"].store
        assert migrate.current(store.engine) == migrate.head()
        store.dispose()
    else:
        with pytest.raises(ConfigError, match="scoring-service db upgrade"):
            create_app(settings_for(database_url, tmp_path))


def test_an_unreachable_database_stops_start_up(tmp_path: Path) -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"
    with pytest.raises(ConfigError, match="DATABASE_URL: cannot use the database"):
        create_app(settings_for(url, tmp_path))
