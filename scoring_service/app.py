"""The Flask application: settings, surveys, storage, the API and the forms, checked at start-up."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from flask import Flask, Response, request
from flask.json.provider import DefaultJSONProvider
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from . import logs, metrics
from .config import ConfigError, from_env, with_instance_secrets
from .context import Extension
from .errors import Unavailable
from .services import Env
from .store.db import Store
from .surveys import SurveyRegistry, load_registry


class StrictJSONProvider(DefaultJSONProvider):
    """JSON with NaN and Infinity forbidden, so a leak fails loudly instead of reaching clients."""

    sort_keys = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        kwargs.setdefault("allow_nan", False)
        return super().dumps(obj, **kwargs)


class ScoringFlask(Flask):
    """Flask, whose log of an unhandled exception never shows an invitation token, and for
    which a database that does not answer is :class:`Unavailable` (503), not a fault (500)."""

    def handle_user_exception(self, e: Exception) -> Any:
        """A database outage, wherever it surfaces (a connection refused or timed out, a lost
        connection, a pool with no connection to give, SQLite locked past its busy timeout),
        answered as :class:`Unavailable` by the API's and the forms' own handlers."""
        if isinstance(e, OperationalError | InterfaceError | PoolTimeout):
            reason = str(getattr(e, "orig", None) or e).strip().splitlines()[0][:200]
            self.logger.warning(f"database unavailable: {e.__class__.__name__}: {reason}")
            metrics.DATABASE_ERRORS.inc()
            e = Unavailable("The database does not answer; retry in a moment.")
        return super().handle_user_exception(e)

    def log_exception(self, exc_info: Any) -> None:
        """As Flask's, with the path redacted (see ``logs``)."""
        from .logs import redact

        path = redact(request.path)
        self.logger.error(f"Exception on {path} [{request.method}]", exc_info=exc_info)


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings from the environment (overridable by ``test_config``), surveys
    loaded and validated, API registered.

    The embedded default (SQLite under the instance folder) is created and migrated here on
    first start; another database must be migrated with ``scoring-service db upgrade``.

    Raises ``ConfigError`` or ``SurveyDefinitionError`` at start-up, never later.
    """
    settings = from_env()
    if test_config:
        settings = replace(settings, **test_config)
    settings = with_instance_secrets(settings)
    logs.configure(settings.log_level)
    app = ScoringFlask(__name__)
    app.json = StrictJSONProvider(app)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    registry = load_registry(settings.surveys_dir)
    store = Store(settings.database_url)
    try:
        startup_checks(store, registry)
    finally:
        store.dispose()  # no connection crosses gunicorn's fork
    app.extensions["scoring"] = Extension(Env.load(settings, registry), store)

    from . import api, forms, limits, reports  # inside the factory: no cycles, no module-level app

    @app.before_request  # first of all: every line of the request carries its id
    def _bind_request_id() -> None:
        logs.bind_request(request.headers.get("X-Request-ID"))

    @app.after_request
    def _tag_request_id(response: Response) -> Response:
        response.headers["X-Request-ID"] = logs.current_request_id()
        return response

    app.teardown_request(lambda _exc: logs.unbind_request())

    api.init_app(app)
    forms.init_app(app)
    reports.init_app(app)
    limits.init_app(app, settings)  # its checks after the credential's: failures are known
    return app


def startup_checks(store: Store, registry: SurveyRegistry) -> None:
    """Migrate the embedded SQLite database; otherwise require it migrated. Refuse to start when
    a stored round needs a survey version whose file is missing."""
    logging.getLogger("alembic").setLevel(logging.WARNING)  # not a dozen lines per start-up
    from sqlalchemy import select
    from sqlalchemy.exc import SQLAlchemyError

    from .store import migrate
    from .store.models import Round

    try:
        if store.dialect == "sqlite":
            store.make_folder()
            migrate.upgrade(store.engine)
        at, head = migrate.current(store.engine), migrate.head()
        if at != head:
            raise ConfigError(
                f"DATABASE_URL: the database is at revision {at}, this version needs {head}; "
                "run `scoring-service db upgrade`"
            )
        with store.read() as session:
            pinned = session.execute(select(Round.survey_id, Round.survey_version).distinct())
            missing = sorted(
                f"{sid} version {v}" for sid, v in pinned if v not in registry.versions(sid)
            )
    except SQLAlchemyError as exc:
        raise ConfigError(
            f"DATABASE_URL: cannot use the database: {exc.__class__.__name__}: "
            f"{str(exc).splitlines()[0]}"
        ) from None
    if missing:
        raise ConfigError(
            "stored rounds use survey files that are missing from SCORING_SURVEYS_DIR: "
            + ", ".join(missing)
        )
