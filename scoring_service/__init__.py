"""Alliance alignment scoring service: ``create_app()`` builds the Flask application."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from .config import Settings, from_env
from .surveys import SurveyRegistry, load_registry

__all__ = ["create_app"]


class StrictJSONProvider(DefaultJSONProvider):
    """JSON with NaN and Infinity forbidden, so a leak fails loudly instead of reaching clients."""

    sort_keys = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        kwargs.setdefault("allow_nan", False)
        return super().dumps(obj, **kwargs)


@dataclass(frozen=True)
class Extension:
    """What the views need, loaded once at start-up."""

    settings: Settings
    registry: SurveyRegistry


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings from the environment (overridable by ``test_config``), surveys
    loaded and validated, API registered.

    Raises ``ConfigError`` or ``SurveyDefinitionError`` at start-up, never later.
    """
    settings = from_env()
    if test_config:
        settings = replace(settings, **test_config)
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    app = Flask(__name__)
    app.json = StrictJSONProvider(app)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.extensions["scoring"] = Extension(settings, load_registry(settings.surveys_dir))

    from . import api  # inside the factory: no import cycles, no module-level app

    api.init_app(app)
    return app
