"""What a partner's key may see of a round's result document (the admin sees all of it).

Pure functions on the engine's document; no Flask, no database. The rules (docs/api.md):

- the other partner's figures only once it has ``min_group_size`` complete responses, whether
  the round is open or closed (closing a round never lifts the threshold);
- role-level figures (role counts, role pairs, who leans where) only for role groups of at
  least ``min_group_size``, for both partners;
- an internal conflict of the other partner says that it exists and what it is about, not who
  said what.
"""

from __future__ import annotations

import copy
from typing import Any

from .common import flag_id
from .document import Conflict, Result, RoleCompatibility, WithheldEvidence


def partner_view(
    doc: dict[str, Any], viewer: str, min_group: int, *, other_shown: bool
) -> dict[str, Any]:
    """``doc`` as ``viewer`` sees it.

    Parameters
    ----------
    doc
        The round's document: ``alliance``, ``round``, ``viewer``, ``completion`` and
        ``result`` (a ``scoring.Result``, or None while a partner has no complete response).
    viewer
        The partner key of the reader.
    min_group
        The alliance's ``min_group_size``.
    other_shown
        Whether the other partner's figures may be shown (it has ``min_group`` complete
        responses).

    Returns
    -------
    dict
        A copy; ``doc`` is left as it was.
    """
    out = copy.deepcopy(doc)
    out["viewer"] = f"partner:{viewer}"
    for key, entry in out["completion"].items():
        if key != viewer:
            entry["roles"] = _small_groups(entry["roles"], min_group)
    result: Result | None = out.get("result")
    if result is None:
        return out
    if not other_shown:
        out["result"] = None
        out["reasons"]["result"] = "other_partner_below_min_group_size"
        return out
    for sample in result["sample"].values():
        sample["roles"] = _small_groups(sample["roles"], min_group)
    for block in result["consensus"].values():
        _role_pairs(block["role_compatibility"], min_group)
    result["conflicts"] = [_flag(f, viewer, min_group) for f in result["conflicts"]]
    return out


def joint_view(doc: dict[str, Any], min_group: int) -> dict[str, Any]:
    """``doc`` as both partners may see it (a joint report): each partner's figures as the
    other partner would see them, so the result only once both have ``min_group`` complete
    responses, role-level figures only for groups of that size, and no one's internal
    conflict with who said what.

    Parameters
    ----------
    doc
        The round's document, as for :func:`partner_view`.
    min_group
        The alliance's ``min_group_size``.

    Returns
    -------
    dict
        A copy; ``doc`` is left as it was.
    """
    shown = all(entry["complete"] >= min_group for entry in doc["completion"].values())
    out = partner_view(doc, "", min_group, other_shown=shown)  # every partner is "the other"
    out["viewer"] = "joint"
    if out["reasons"].get("result") == "other_partner_below_min_group_size":
        out["reasons"]["result"] = "a_partner_below_min_group_size"
    return out


def _small_groups(roles: dict[str, int], min_group: int) -> dict[str, int]:
    """Role counts, with groups under the minimum pooled as ``other_roles``."""
    kept = {r: n for r, n in roles.items() if n >= min_group}
    pooled = sum(n for r, n in roles.items() if n < min_group)
    return kept | ({"other_roles": pooled} if pooled else {})


def _role_pairs(block: RoleCompatibility, min_group: int) -> None:
    """Keep the role pairs whose two groups both reach the minimum; recount the minimum."""
    pairs = [p for p in block["pairs"] if min(p["n"].values()) >= min_group]
    block["withheld_pairs"] = len(block["pairs"]) - len(pairs)
    block["pairs"] = pairs
    values = [p["compatibility"] for p in pairs if p["compatibility"] is not None]
    block["min"] = min(values) if values else None


def _flag(flag: Conflict, viewer: str, min_group: int) -> Conflict:
    """An internal conflict without who said what, unless it is the viewer's own partner's and
    every role group in it reaches the minimum."""
    evidence = flag["evidence"]
    # The engine gives every internal conflict a ``rule`` and an ``n``; the key tests say so to
    # the type checker (the evidence types differ by kind).
    if flag["kind"] != "internal_conflict" or "rule" not in evidence:
        return flag
    partner = flag["partners"][0]
    if partner == viewer and "n" in evidence and min(evidence["n"].values()) >= min_group:
        return flag
    about = flag["objectives"] or flag["dimensions"]
    whose = "" if partner == viewer else f" (the details are {partner}'s to share)"
    withheld: WithheldEvidence = {"rule": evidence["rule"], "withheld": "role_level"}
    return {
        **flag,
        # Named without the roles, like every other field of a withheld flag.
        "id": flag_id(flag["kind"], flag["objectives"], flag["dimensions"], flag["partners"], []),
        "roles": [],
        "evidence": withheld,
        "message": f"Inside {partner}, stakeholders disagree about {', '.join(about)}{whose}.",
    }
