"""Alembic migrations, driven from code (``scoring-service db ...``, the tests, start-up checks).

No alembic.ini: the script folder is ``store/migrations`` and the engine is passed in, so the
same calls work on SQLite and PostgreSQL and from any working directory.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

SCRIPTS = Path(__file__).resolve().parent / "migrations"


def _config(engine: Engine) -> Config:
    """An Alembic configuration bound to ``engine``."""
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    config.attributes["engine"] = engine
    return config


def head() -> str:
    """The revision the code expects."""
    revision = ScriptDirectory(str(SCRIPTS)).get_current_head()
    if revision is None:  # pragma: no cover - the package always ships its migrations
        raise RuntimeError("no migrations found")
    return revision


def current(engine: Engine) -> str | None:
    """The revision the database is at (None: never migrated)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate up to ``revision``."""
    command.upgrade(_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Migrate down to ``revision`` (``base`` removes every table)."""
    command.downgrade(_config(engine), revision)
