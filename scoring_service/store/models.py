"""Tables of the stored service: alliances, their partners, keys, stakeholders, rounds, responses.

Typed SQLAlchemy 2 models. The schema itself is owned by the Alembic migrations beside this
module (``store/migrations``); a test checks that the two agree.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so that migrations can refer to them on both databases.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes on both databases (SQLite keeps no time zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        """Store UTC; a naive value is refused rather than guessed."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        """Read back as aware UTC."""
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def now() -> dt.datetime:
    """The current time, aware, UTC."""
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Alliance(Base):
    """The partnership being assessed."""

    __tablename__ = "alliances"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    survey_id: Mapped[str] = mapped_column(String(100))
    frame_ancestors: Mapped[list[str]] = mapped_column(JSON)
    min_group_size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)

    partners: Mapped[list[Partner]] = relationship(
        back_populates="alliance",
        order_by="Partner.position",
        cascade="all, delete-orphan",
        lazy="selectin",  # always needed with the alliance, and read after the session ends
    )


class Partner(Base):
    """One organisation of an alliance, known by its short ``key`` (e.g. ``acme``)."""

    __tablename__ = "partners"
    __table_args__ = (UniqueConstraint("alliance_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alliance_id: Mapped[str] = mapped_column(ForeignKey("alliances.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer)

    alliance: Mapped[Alliance] = relationship(back_populates="partners")


class ApiKey(Base):
    """An admin key of an alliance or a partner's key; only its HMAC is kept."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    alliance_id: Mapped[str] = mapped_column(
        ForeignKey("alliances.id", ondelete="CASCADE"), index=True
    )
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # admin | partner
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    hint: Mapped[str] = mapped_column(String(32))  # the prefix and first characters, for lists
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class Stakeholder(Base):
    """A person within a partner, kept across rounds; ``ref`` is the partner's own reference."""

    __tablename__ = "stakeholders"
    __table_args__ = (UniqueConstraint("partner_id", "ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alliance_id: Mapped[str] = mapped_column(
        ForeignKey("alliances.id", ondelete="CASCADE"), index=True
    )
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    ref: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(64))
    label: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)


class Round(Base):
    """One assessment cycle, pinned to the survey version in force when it opened."""

    __tablename__ = "rounds"
    __table_args__ = (
        UniqueConstraint("alliance_id", "n"),
        # At most one open round per alliance, enforced by the database on both engines.
        Index(
            "uq_rounds_one_open",
            "alliance_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alliance_id: Mapped[str] = mapped_column(ForeignKey("alliances.id", ondelete="CASCADE"))
    n: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(200))
    survey_id: Mapped[str] = mapped_column(String(100))
    survey_version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))  # open | closed
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    closes_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Bumped by every write to the round's responses: the results cache and ETags key on it.
    version: Mapped[int] = mapped_column(Integer, default=0)


class StoredResponse(Base):
    """One stakeholder's answers in one round, as validated raw JSON (the API's shape)."""

    __tablename__ = "responses"
    __table_args__ = (UniqueConstraint("round_id", "stakeholder_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    stakeholder_id: Mapped[int] = mapped_column(
        ForeignKey("stakeholders.id", ondelete="CASCADE"), index=True
    )
    # The role the person answered in, in this round (a stakeholder's role may change later).
    role: Mapped[str] = mapped_column(String(64))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    complete: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)


class Invitation(Base):
    """A stakeholder's personal link to one round: one per stakeholder and round. Inviting
    again replaces the token (a lost link), revoking clears it."""

    __tablename__ = "invitations"
    __table_args__ = (UniqueConstraint("round_id", "stakeholder_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    stakeholder_id: Mapped[int] = mapped_column(
        ForeignKey("stakeholders.id", ondelete="CASCADE"), index=True
    )
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class CachedResult(Base):
    """A computed result document of a round for one class of viewer, at one response version,
    under one fingerprint (engine, libraries, settings, survey text: ``services.fingerprint``)."""

    __tablename__ = "results"
    __table_args__ = (UniqueConstraint("round_id", "viewer", "round_version", "fingerprint"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    viewer: Mapped[str] = mapped_column(String(80))  # admin | partner:<key>
    round_version: Mapped[int] = mapped_column(Integer)
    fingerprint: Mapped[str] = mapped_column(String(64))
    etag: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)  # the serialised JSON, served as it is
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)


class IdempotencyRecord(Base):
    """A write made with an ``Idempotency-Key``: its request's hash while it runs, then its 2xx
    answer for replays (secrets removed)."""

    __tablename__ = "idempotency"

    scope: Mapped[str] = mapped_column(String(64), primary_key=True)  # credential+route+key
    # Whose data the kept answer may hold: erasing a stakeholder forgets the alliance's replays.
    alliance_id: Mapped[str | None] = mapped_column(String(32), index=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))  # running | done
    status: Mapped[int | None] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(String(100))
    body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now, index=True)


class ReportLink(Base):
    """A link to a report page: ``rep_`` token in its URL, only its HMAC kept. It works while
    its maker's key is live, until ``expires_at``, unless revoked."""

    __tablename__ = "report_links"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    alliance_id: Mapped[str] = mapped_column(
        ForeignKey("alliances.id", ondelete="CASCADE"), index=True
    )
    key_id: Mapped[str] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(16))  # round | alliance
    round_n: Mapped[int | None] = mapped_column(Integer)  # the round of a round-scope link
    view: Mapped[str] = mapped_column(String(16))  # joint | own
    partner_key: Mapped[str | None] = mapped_column(String(64))  # whose own view
    include_text: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class AuditEntry(Base):
    """Who did what to whom, for erasures and key changes (never a secret, never an answer)."""

    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alliance_id: Mapped[str] = mapped_column(
        ForeignKey("alliances.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(80))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
