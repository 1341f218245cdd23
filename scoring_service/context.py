"""What the page packages (``api``, ``forms``, ``reports``) share of a request: typed accessors
for the app's extension and the request's state, the units of work a view opens around a service
call, and the choice of a page's language.

The views own the transactions (a service never commits); they open them here, so that no view
imports the store or SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import cast

from flask import current_app, g, request
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from .errors import Unauthenticated
from .services import Env
from .services.access import Caller, Principal
from .services.results import Memo
from .store.db import Store


@dataclass(frozen=True)
class Extension:
    """What the views need, loaded once at start-up (``app.extensions["scoring"]``)."""

    env: Env
    store: Store
    memo: Memo = field(default_factory=Memo)


def ext() -> Extension:
    """This app's extension."""
    return cast(Extension, current_app.extensions["scoring"])


def env() -> Env:
    """The start-up facts every service may need (settings, surveys)."""
    return ext().env


@dataclass
class RequestState:
    """Everything a request keeps between the hooks and the view, in one typed place on ``g``."""

    conn: Connection | None = None  # the request's read connection, opened on first use
    caller: Caller | None = None  # who is calling, as the credential check found it
    idempotency_scope: str | None = None  # the Idempotency-Key record this request holds
    frame_origins: list[str] = field(default_factory=list)  # who may frame a form page


def state() -> RequestState:
    """This request's state (created on first use)."""
    found = g.get("scoring")
    if found is None:
        found = g.scoring = RequestState()
    return cast(RequestState, found)


def caller() -> Caller:
    """Who is calling, as the credential check found it (it runs before every view that needs
    a credential; a view without one has no caller: Unauthenticated)."""
    found = state().caller
    if found is None:
        raise Unauthenticated()
    return found


def principal() -> Principal:
    """Who is calling (see :func:`caller`)."""
    return caller().principal


def read_conn() -> Connection:
    """The request's read connection (autocommit: one statement, one snapshot), opened on first
    use and closed at teardown: one pool checkout however many reads the request makes."""
    s = state()
    if s.conn is None:
        s.conn = ext().store.reader.connect()
    return s.conn


def close(_exc: BaseException | None = None) -> None:
    """Teardown: return the request's read connection."""
    found = g.get("scoring")
    if found is not None and found.conn is not None:
        found.conn.close()
        found.conn = None


@contextmanager
def reading() -> Iterator[Session]:
    """A read transaction (ORM), for a use case that reads more than one statement."""
    with ext().store.read() as session:
        yield session


@contextmanager
def writing() -> Iterator[Session]:
    """A write transaction (ORM): committed when the block ends, rolled back if it raises."""
    with ext().store.write() as session:
        yield session


@contextmanager
def writing_core() -> Iterator[Connection]:
    """A write transaction on a Core connection (the hot write paths)."""
    with ext().store.write_core() as conn:
        yield conn


@contextmanager
def writing_one() -> Iterator[Connection]:
    """The unit of work of one response's write: on PostgreSQL the request's autocommit
    connection, since the write is one statement (one round trip, no BEGIN or COMMIT); on
    SQLite a write transaction of its three statements."""
    if ext().store.dialect == "postgresql":
        yield read_conn()
        return
    with ext().store.write_core() as conn:
        yield conn


def negotiate(available: Sequence[str], default: str) -> str:
    """``?lang=`` (any case) if available; else the browser's languages, most preferred first:
    an exact match, then the primary subtag (``de-CH`` -> ``de``), ``*`` -> the default;
    else the default."""
    by_lower = {a.lower(): a for a in available}
    asked = request.args.get("lang", "").lower()
    if asked in by_lower:
        return by_lower[asked]
    for value, quality in request.accept_languages:  # ordered by quality
        value = value.lower()
        if quality <= 0:
            continue
        if value == "*":
            return default
        for candidate in (value, value.split("-")[0]):
            if candidate in by_lower:
                return by_lower[candidate]
    return default
