"""An alliance's trend across its rounds and the drift between them, as the caller may see it.

Each round's figures come from its result document as the caller would get it from
``.../rounds/{n}/results`` (the same cache, the same visibility); the drift entries are computed
from the stored complete responses of both rounds (``scoring.drift``), then cut to what a
partner key may see: a part that uses the other partner's figures only where both rounds show
them (the other partner has ``min_group_size`` complete responses in each).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import metrics
from ..answers import parse_responses
from ..scoring.drift import RoundData, drift
from ..store.models import Alliance, Round, now
from ..store.queries import ROUND_COLUMNS
from . import Env
from .access import Principal, visible_alliance
from .results import Computed, Document, Memo, compute, round_responses, serialise, viewer_of
from .round_state import RoundRow, as_round

HIDDEN = "other_partner_below_min_group_size"


def trend(
    session: Session, who: Principal, env: Env, memo: Memo, alliance_id: str
) -> tuple[Document, list[Computed]]:
    """Every round in order with its headline figures, and the drift entries, serialised with
    an ETag; also the result documents computed on the way (to be kept with ``results.keep``
    in a write transaction).

    The answer is kept in this process's memo under everything it depends on (every round's
    id, version and status, the results' fingerprints, ``min_group_size`` and the viewer), so
    a second read of an unchanged alliance costs one query."""
    found = visible_alliance(session, who, alliance_id, admin=False)
    at = now()
    rows = session.execute(
        select(*ROUND_COLUMNS).where(Round.alliance_id == found.id).order_by(Round.n)
    ).all()
    rounds: list[RoundRow] = [r for r in (as_round(row, at) for row in rows) if r is not None]
    state = "|".join(
        f"{r.id}:{r.version}:{r.status}:{env.fingerprints[(r.survey_id, r.survey_version)]}"
        for r in rounds
    )
    key = (found.id, 0, f"trend|{viewer_of(who)}|{found.min_group_size}|{state}")
    hit = memo.get(key, 0)
    if hit is not None:
        return hit, []
    doc, computed = _document(session, who, env, memo, found, rounds)
    document = serialise(doc)
    memo.put(key, 0, document)
    return document, computed


def _document(
    session: Session, who: Principal, env: Env, memo: Memo, found: Alliance, rounds: list[RoundRow]
) -> tuple[dict[str, Any], list[Computed]]:
    """The trend document (see :func:`trend`) and the result documents computed for it."""
    computed = [compute(session, who, env, memo, found.id, r.n) for r in rounds]
    docs = [json.loads(c.document.body) for c in computed]
    partners = sorted(p.key for p in found.partners)
    viewer = who.partner_key if who.kind == "partner" else None
    joint = who.kind == "joint"
    data: dict[int, RoundData] = {}
    shown: dict[int, bool] = {}
    for r in rounds:
        completion, complete = round_responses(session, found, r)
        survey = env.registry.get(r.survey_id, r.survey_version)
        data[r.n] = RoundData(r.n, survey, parse_responses(complete, survey, two_partners=False))
        other = next((k for k in partners if k != viewer), "")
        # Joint (a report for both): every partner as the other would see it.
        seen = partners if joint else [other] if viewer is not None else []
        shown[r.n] = all(completion[k]["complete"] >= found.min_group_size for k in seen)
    spans = [(a.n, b.n, "consecutive") for a, b in zip(rounds, rounds[1:], strict=False)]
    if len(rounds) >= 3:
        spans.append((rounds[0].n, rounds[-1].n, "first_to_latest"))
    status = {r.n: r.status for r in rounds}
    entries = []
    for first, last, span in spans:
        # A partner key gets its own part alone, computed without the other's figures, unless
        # both rounds show the other partner to it.
        alone = viewer if viewer is not None and not (shown[first] and shown[last]) else None
        if joint and not (shown[first] and shown[last]):
            alone = ""  # no one's part: a partner is hidden in one of the rounds
        with metrics.scoring():
            entry = drift(
                data[first],
                data[last],
                (partners[0], partners[1]),
                only=alone,
                n_resamples=env.settings.bootstrap_resamples,
                confidence=env.settings.confidence,
            )
        if alone == "":
            entry["reasons"]["partners"] = "a_partner_below_min_group_size"
        elif alone is not None:
            entry["reasons"]["other_partner"] = HIDDEN
        entries.append({"span": span, "provisional": status[last] == "open", **entry})
    doc = {
        "alliance": found.id,
        "viewer": viewer_of(who),
        "partners": partners,
        "rounds": [_summary(r, d) for r, d in zip(rounds, docs, strict=True)],
        "drift": entries,
    }
    return doc, computed


def _summary(r: RoundRow, doc: dict[str, Any]) -> dict[str, Any]:
    """One round's headline figures from its result document (as the caller sees it)."""
    result = doc["result"]
    out: dict[str, Any] = {
        "n": r.n,
        "label": r.label,
        "status": r.status,
        "provisional": r.is_open,
        "survey": {"id": r.survey_id, "version": r.survey_version},
        "closed_at": None if r.closed_at is None else r.closed_at.isoformat(),
        "engine_version": None,
        "completion": {
            k: {"complete": v["complete"], "partial": v["partial"]}
            for k, v in doc["completion"].items()
        },
        "alignment": None,
        "compatibility": None,
        "expectations": None,
        "profiles": None,
        "dimensions": None,
        "flags": None,
        "reasons": doc["reasons"],
    }
    if result is None:
        return out
    alignment = result["alignment"]
    objectives = result["objectives"]
    out |= {
        "engine_version": result["method"]["engine_version"],
        "alignment": {k: alignment[k] for k in ("score", "ci", "band", "bands_in_ci")},
        "compatibility": {
            "value": objectives["compatibility"],
            "ci": objectives["compatibility_ci"],
        },
        "expectations": {
            "value": alignment["components"]["expectations"]["value"],
            "ci": alignment["components"]["expectations"]["ci"],
        },
        "profiles": {
            k: {"weights": v["weights"], "ci": v["ci"]} for k, v in objectives["profiles"].items()
        },
        "dimensions": [
            {"id": d["id"], "means": d["means"], "gap": d["gap"], "gap_ci": d["gap_ci"]}
            for d in result["dimensions"]
        ],
        "flags": dict(sorted(Counter(f["kind"] for f in result["conflicts"]).items())),
    }
    return out


TREND_COLUMNS = (
    "alliance",
    "round",
    "label",
    "provisional",
    "partner",
    "kind",
    "name",
    "value",
    "low",
    "high",
    "change",
    "change_low",
    "change_high",
    "p_value",
    "q_value",
)


def trend_rows(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The trend as a tidy table (docs/exports.md): per round, one ``alignment`` row, and per
    partner one row per ``dimension`` (its mean) and ``objective`` (its share), each with the
    change since the round before from the consecutive drift entry (empty for the first round,
    and where the viewer may not see it). A round whose figures the viewer may not see still
    has the viewer's own rows where a drift entry gives them."""
    Key = tuple[int, str, str, str]  # (round, partner, kind, name)
    values: dict[Key, tuple[Any, Any]] = {}  # value, its [low, high]
    names: dict[str, dict[str, None]] = {"dimension": {}, "objective": {}}  # in first-seen order
    for r in doc["rounds"]:
        if r["alignment"] is not None:
            values[(r["n"], "", "alignment", "index")] = (
                r["alignment"]["score"],
                r["alignment"]["ci"],
            )
        for partner in doc["partners"]:
            for d in r["dimensions"] or []:
                names["dimension"][d["id"]] = None
                values[(r["n"], partner, "dimension", d["id"])] = (d["means"].get(partner), None)
            profile = (r["profiles"] or {}).get(partner) or {}
            cis = profile.get("ci") or {}
            for objective, share in (profile.get("weights") or {}).items():
                names["objective"][objective] = None
                values[(r["n"], partner, "objective", objective)] = (share, cis.get(objective))
    changes: dict[Key, dict[str, Any]] = {}
    for entry in doc["drift"]:
        if entry["span"] != "consecutive":
            continue
        if entry["alignment"] is not None:
            changes[(entry["to"], "", "alignment", "index")] = entry["alignment"]
        for kind, block in (("dimension", "dimensions"), ("objective", "profiles")):
            for partner, rows in entry[block].items():
                for row in rows:
                    names[kind][row[kind]] = None
                    changes[(entry["to"], partner, kind, row[kind])] = row
                    for n, side in ((entry["from"], "before"), (entry["to"], "after")):
                        values.setdefault((n, partner, kind, row[kind]), (row[side], None))
    out: list[dict[str, Any]] = []
    for r in doc["rounds"]:
        keys: list[Key] = [(r["n"], "", "alignment", "index")]
        keys += [
            (r["n"], partner, kind, name)
            for partner in doc["partners"]
            for kind in ("dimension", "objective")
            for name in names[kind]
        ]
        for key in keys:
            if key not in values:
                continue
            value, ci = values[key]
            change = changes.get(key, {})
            low, high = ci or (None, None)
            change_low, change_high = change.get("ci") or (None, None)
            out.append(
                {
                    "alliance": doc["alliance"],
                    "round": r["n"],
                    "label": r["label"],
                    "provisional": r["provisional"],
                    "partner": key[1],
                    "kind": key[2],
                    "name": key[3],
                    "value": value,
                    "low": low,
                    "high": high,
                    "change": change.get("change"),
                    "change_low": change_low,
                    "change_high": change_high,
                    "p_value": change.get("p_value"),
                    "q_value": change.get("q_value"),
                }
            )
    return out
