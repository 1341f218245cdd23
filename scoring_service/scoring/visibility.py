"""What a partner's key may see of a round's result document (the admin sees all of it).

Pure functions on the engine's document; no Flask, no database. The rules (docs/api.md):

- the other partner's figures only once it has ``min_group_size`` complete responses, or the
  round is closed;
- role-level figures (role counts, role pairs, who leans where) only for role groups of at
  least ``min_group_size``, for both partners;
- an internal conflict of the other partner says that it exists and what it is about, not who
  said what.
"""

from __future__ import annotations

import copy
from typing import Any


def partner_view(
    doc: dict[str, Any], viewer: str, min_group: int, *, other_shown: bool
) -> dict[str, Any]:
    """``doc`` (the round's result document, ``result`` possibly null) as ``viewer`` sees it."""
    out = copy.deepcopy(doc)
    out["viewer"] = f"partner:{viewer}"
    for key, entry in out["completion"].items():
        if key != viewer:
            entry["roles"] = _small_groups(entry["roles"], min_group)
    result = out.get("result")
    if result is None:
        return out
    if not other_shown:
        out["result"] = None
        out["reasons"]["result"] = "other_partner_below_min_group_size"
        return out
    for entry in result["sample"].values():
        entry["roles"] = _small_groups(entry["roles"], min_group)
    for block in result["consensus"].values():
        _role_pairs(block["role_compatibility"], min_group)
    result["conflicts"] = [_flag(f, viewer, min_group) for f in result["conflicts"]]
    return out


def _small_groups(roles: dict[str, int], min_group: int) -> dict[str, int]:
    """Role counts, with groups under the minimum pooled as ``other_roles``."""
    kept = {r: n for r, n in roles.items() if n >= min_group}
    pooled = sum(n for r, n in roles.items() if n < min_group)
    return kept | ({"other_roles": pooled} if pooled else {})


def _role_pairs(block: dict[str, Any], min_group: int) -> None:
    """Keep the role pairs whose two groups both reach the minimum; recount the minimum."""
    pairs = [p for p in block["pairs"] if min(p["n"].values()) >= min_group]
    block["withheld_pairs"] = len(block["pairs"]) - len(pairs)
    block["pairs"] = pairs
    values = [p["compatibility"] for p in pairs if p["compatibility"] is not None]
    block["min"] = min(values) if values else None


def _flag(flag: dict[str, Any], viewer: str, min_group: int) -> dict[str, Any]:
    """An internal conflict without who said what, unless it is the viewer's own partner's and
    every role group in it reaches the minimum."""
    if flag["kind"] != "internal_conflict":
        return flag
    partner = flag["partners"][0]
    if partner == viewer and min(flag["evidence"]["n"].values()) >= min_group:
        return flag
    about = flag["objectives"] or flag["dimensions"]
    rule = flag["evidence"]["rule"]
    whose = "" if partner == viewer else f" (the details are {partner}'s to share)"
    return {
        **flag,
        "id": f"internal_conflict:{partner}:{':'.join(flag['objectives']) or 'dimensions'}",
        "roles": [],
        "evidence": {"rule": rule, "withheld": "role_level"},
        "message": f"Inside {partner}, stakeholders disagree about {', '.join(about)}{whose}.",
    }
