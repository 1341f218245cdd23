"""Alliance alignment scoring service: ``create_app()`` builds the Flask application.

Nothing heavy is imported here (Flask, SQLAlchemy, scipy load with the app, in ``app``), so that
the command line starts at once for what needs none of them (``scoring-service --help``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["create_app"]


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app (see :func:`scoring_service.app.create_app`)."""
    from .app import create_app as build

    return build(test_config)
