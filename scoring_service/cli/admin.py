"""Administrative commands of the CLI: migrations, first-start setup, admin key rotation."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from ..config import Settings, ensure_instance, from_env, with_instance_secrets
from ..errors import NotFound
from ..services import alliances
from ..store import migrate
from ..store.db import Store


def _store(settings: Settings) -> Store:
    """The configured database, its folder created for SQLite."""
    store = Store(settings.database_url)
    store.make_folder()
    return store


def run(args: argparse.Namespace) -> int:
    """The ``db``, ``setup`` and ``rotate-admin-key`` commands; 0 on success, 2 on failure."""
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    settings = from_env()
    if args.command in ("setup", "rotate-admin-key"):
        ensure_instance(settings.instance_dir)
        settings = with_instance_secrets(settings)
    store = _store(settings)
    try:
        if args.command == "rotate-admin-key":
            return _rotate(store, settings, args.alliance)
        if args.command == "setup" or args.db_command == "upgrade":
            migrate.upgrade(store.engine)
        elif args.db_command == "downgrade":
            migrate.downgrade(store.engine, args.revision)
        print(f"database revision: {migrate.current(store.engine)} (code: {migrate.head()})")
    finally:
        store.dispose()
    if args.command == "setup":
        origin = (
            "SCORING_OPERATOR_TOKEN"
            if os.environ.get("SCORING_OPERATOR_TOKEN")
            else settings.instance_dir / "operator-token"
        )
        print(f"operator token (creates alliances; from {origin}): {settings.operator_token}")
    return 0


def _rotate(store: Store, settings: Settings, alliance_id: str) -> int:
    """Revoke an alliance's admin keys and print a new one."""
    try:
        with store.write() as session:
            key = alliances.recover_admin_key(session, settings.secret_key, alliance_id)
    except NotFound as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 2
    print(f"new admin key for {alliance_id} (shown once): {key['key']}")
    return 0
