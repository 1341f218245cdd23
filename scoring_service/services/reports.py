"""Report links (``rep_`` tokens that open a report page without a login) and what a report
page shows: a round's result document, the trend and the free text, as the link may see them.

A link is made by an admin key (``joint``: what both partners may see, to share in a steering
committee) or a partner key (``own``: what that partner may see). It works until it expires
(at most :data:`MAX_DAYS`), is revoked, or the key that made it is revoked.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import Forbidden, NotFound, invalid
from ..store.credentials import REPORT_PREFIX, digest, hint, new_id, new_secret
from ..store.models import Alliance, ApiKey, ReportLink, Round, now
from . import Env
from .access import Principal, visible_alliance
from .alliances import audit
from .results import Computed, Memo, compute, round_responses
from .round_state import RoundRow, load_or_404
from .trend import trend

DEFAULT_DAYS = 30
MAX_DAYS = 90
VIEWS = ("joint", "own")
SCOPES = ("round", "alliance")
_shuffle = random.SystemRandom().shuffle  # free text in no order that could tell who wrote it


def link_json(link: ReportLink, url: str | None = None) -> dict[str, Any]:
    """A report link as the API shows it; ``url`` (with the token) only when it is made."""
    out: dict[str, Any] = {
        "id": link.id,
        "url": url,
        "scope": link.scope,
        "round": link.round_n,
        "view": link.view,
        "partner": link.partner_key,
        "include_text": link.include_text,
        "created_at": link.created_at,
        "expires_at": link.expires_at,
        "revoked_at": link.revoked_at,
    }
    if url is None:
        del out["url"]
    return out


def _view(who: Principal, asked: str | None) -> str:
    """The link's view: ``joint`` is the admin's (and its default), ``own`` a partner key's."""
    view = asked or ("joint" if who.kind == "admin" else "own")
    if view == "joint" and who.kind != "admin":
        raise Forbidden("view: a joint report is the admin's to share; a partner key makes 'own'.")
    if view == "own" and who.kind != "partner":
        raise invalid(
            "view",
            "the admin key makes joint links (what both partners may see)",
            "one_of",
            allowed=["joint"],
        )
    return view


def _round_n(session: Session, alliance_id: str, scope: str, n: int | None) -> int | None:
    """The round of a round-scope link: the one named, else the latest; none for the alliance."""
    if scope == "alliance":
        if n is not None:
            raise invalid("round", "an alliance report covers every round: leave round out")
        return None
    if n is None:
        latest = select(Round.n).where(Round.alliance_id == alliance_id)
        n = session.execute(latest.order_by(Round.n.desc()).limit(1)).scalar()
        if n is None:
            raise invalid("round", "the alliance has no round yet", "not_found")
        return n
    found = session.execute(
        select(Round.n).where(Round.alliance_id == alliance_id, Round.n == n)
    ).scalar()
    if found is None:
        raise invalid("round", f"the alliance has no round {n}", "not_found")
    return n


def create(
    session: Session, who: Principal, env: Env, alliance_id: str, body: dict[str, Any], root: str
) -> dict[str, Any]:
    """Make a report link; the answer holds its URL, shown only here."""
    found = visible_alliance(session, who, alliance_id, admin=False)
    view = _view(who, body.get("view"))
    scope = body.get("scope", "round")
    token = new_secret(REPORT_PREFIX)
    at = now()
    link = ReportLink(
        id=new_id(),
        alliance_id=found.id,
        key_id=who.key_id,
        digest=digest(env.settings.secret_key, token),
        scope=scope,
        round_n=_round_n(session, found.id, scope, body.get("round")),
        view=view,
        partner_key=who.partner_key if view == "own" else None,
        include_text=body.get("include_text", False),
        created_at=at,
        expires_at=at + dt.timedelta(days=body.get("expires_in_days", DEFAULT_DAYS)),
    )
    session.add(link)
    session.flush()
    audit(session, found.id, who.name, "report_link.create", link=link.id, hint=hint(token))
    return link_json(link, f"{root}/reports/{token}")


def list_links(session: Session, who: Principal, alliance_id: str) -> dict[str, Any]:
    """The links the admin may revoke (all of the alliance's) or a partner key made, newest
    first (revoked and expired ones too)."""
    found = visible_alliance(session, who, alliance_id, admin=False)
    query = select(ReportLink).where(ReportLink.alliance_id == found.id)
    if who.kind != "admin":
        query = query.where(ReportLink.key_id == who.key_id)
    links = session.scalars(query.order_by(ReportLink.created_at.desc(), ReportLink.id)).all()
    return {"items": [link_json(link) for link in links]}


def revoke(session: Session, who: Principal, alliance_id: str, link_id: str) -> None:
    """Revoke a link (again: nothing changes): the admin any of the alliance's, a partner key
    those it made."""
    found = visible_alliance(session, who, alliance_id, admin=False)
    link = session.get(ReportLink, link_id)
    if link is None or link.alliance_id != found.id:
        raise NotFound()
    if who.kind != "admin" and link.key_id != who.key_id:
        raise NotFound()  # another credential's link: not this key's to know of
    if link.revoked_at is None:
        link.revoked_at = now()
        audit(session, found.id, who.name, "report_link.revoke", link=link.id)


@dataclass(frozen=True)
class Opened:
    """A live report link: what it shows, and as whom."""

    id: str
    alliance: Alliance
    scope: str
    round_n: int | None
    view: str
    include_text: bool
    expires_at: dt.datetime
    viewer: Principal  # ``joint``, or the partner of an ``own`` link


def open_link(session: Session, env: Env, token: str) -> Opened:
    """The live link behind ``token``; NotFound for an unknown, revoked or expired one, or one
    whose key was revoked (the page tells none of these apart)."""
    if not token.startswith(REPORT_PREFIX) or len(token) > 200:
        raise NotFound()
    row = session.execute(
        select(ReportLink)
        .join(ApiKey, ApiKey.id == ReportLink.key_id)
        .where(
            ReportLink.digest == digest(env.settings.secret_key, token),
            ReportLink.revoked_at.is_(None),
            ApiKey.revoked_at.is_(None),
        )
    ).scalar()
    if row is None or row.expires_at <= now():
        raise NotFound()
    found = session.get(Alliance, row.alliance_id)
    if found is None:  # pragma: no cover - the link goes with its alliance (cascade)
        raise NotFound()
    if row.view == "joint":
        viewer = Principal("joint", found.id)
    else:
        partner = next((p for p in found.partners if p.key == row.partner_key), None)
        if partner is None:  # pragma: no cover - partners are never removed
            raise NotFound()
        viewer = Principal("partner", found.id, partner.id, partner.key, row.key_id)
    return Opened(
        row.id, found, row.scope, row.round_n, row.view, row.include_text, row.expires_at, viewer
    )


@dataclass(frozen=True)
class RoundReport:
    """What a round's report page shows: the result document and the trend as the link may
    see them, and the free text it may quote (partner -> item -> answers)."""

    round: RoundRow
    document: dict[str, Any]
    trend: dict[str, Any]
    texts: dict[str, dict[str, list[str]]]
    computed: list[Computed]  # result documents computed on the way (to keep)


def round_report(session: Session, env: Env, memo: Memo, link: Opened, n: int) -> RoundReport:
    """Round ``n`` as ``link`` may show it (NotFound: no such round, or a round-scope link of
    another round)."""
    if link.scope == "round" and n != link.round_n:
        raise NotFound()
    found = link.alliance
    r = load_or_404(session.connection(), found.id, n)
    whole, computed = trend(session, link.viewer, env, memo, found.id)
    # The round's document was computed on the way, unless the trend came from the memo.
    one = next((c for c in computed if c.key[1] == r.id), None)
    if one is None:
        one = compute(session, link.viewer, env, memo, found.id, n)
        computed = [*computed, one]
    doc = json.loads(one.document.body)
    texts = free_text(session, env, found, r, link) if link.include_text else {}
    return RoundReport(r, doc, up_to(json.loads(whole.body), n), texts, computed)


def up_to(trend_doc: dict[str, Any], n: int) -> dict[str, Any]:
    """The trend as it stood at round ``n``: a round's report never shows later rounds."""
    return {
        **trend_doc,
        "rounds": [r for r in trend_doc["rounds"] if r["n"] <= n],
        "drift": [e for e in trend_doc["drift"] if e["to"] <= n],
    }


def alliance_trend(
    session: Session, env: Env, memo: Memo, link: Opened
) -> tuple[dict[str, Any], list[Computed]]:
    """The trend of every round as an alliance-scope link may see it."""
    if link.scope != "alliance":
        raise NotFound()
    doc, computed = trend(session, link.viewer, env, memo, link.alliance.id)
    return json.loads(doc.body), computed


def free_text(
    session: Session, env: Env, found: Alliance, r: RoundRow, link: Opened
) -> dict[str, dict[str, list[str]]]:
    """The text answers of the complete responses a link may quote: only of a partner with at
    least ``min_group_size`` respondents who answered the item, shuffled, never attributed;
    an ``own`` link only its own partner's."""
    survey = env.registry.get(r.survey_id, r.survey_version)
    items = [item.id for item in survey.items_of("text")]
    _, complete = round_responses(session, found, r)
    out: dict[str, dict[str, list[str]]] = {}
    for partner in (p.key for p in found.partners):
        if link.view == "own" and partner != link.viewer.partner_key:
            continue
        mine = [c["answers"] for c in complete if c["partner"] == partner]
        for item in items:
            said = [
                a[item].strip() for a in mine if isinstance(a.get(item), str) and a[item].strip()
            ]
            if len(said) >= found.min_group_size:
                _shuffle(said)
                out.setdefault(partner, {})[item] = said
    return out
