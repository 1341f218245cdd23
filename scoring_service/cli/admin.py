"""Administrative commands of the CLI: migrations, first-start setup, admin key rotation."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from sqlalchemy import update

from ..config import Settings, ensure_instance, from_env, with_instance_secrets
from ..store import migrate
from ..store.credentials import ADMIN_PREFIX, digest, hint, new_id, new_secret
from ..store.db import Store
from ..store.models import Alliance, ApiKey, AuditEntry, now


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
    secret = new_secret(ADMIN_PREFIX)
    with store.write() as session:
        if session.get(Alliance, alliance_id) is None:
            print(f"error: no alliance {alliance_id!r}", file=sys.stderr)
            return 2
        session.execute(
            update(ApiKey)
            .where(ApiKey.alliance_id == alliance_id, ApiKey.kind == "admin")
            .where(ApiKey.revoked_at.is_(None))
            .values(revoked_at=now())
        )
        key_id = new_id()
        session.add(
            ApiKey(
                id=key_id,
                alliance_id=alliance_id,
                kind="admin",
                digest=digest(settings.secret_key, secret),
                hint=hint(secret),
                created_at=now(),
            )
        )
        session.add(
            AuditEntry(
                alliance_id=alliance_id,
                actor="cli",
                action="admin_key.rotate",
                detail={"key": key_id},
            )
        )
    print(f"new admin key for {alliance_id} (shown once): {secret}")
    return 0
