"""What a report page says, in words: the headline, the ranked list of what to talk about, the
method; built from the result document, the trend and the survey's texts as the link may see
them. No Flask here: plain data in, plain data out, for the templates.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .words import Words

# The order of the list "what to talk about next": severity first, then the kind, most
# consequential first (a conflict of objectives before a difference of emphasis).
SEVERITY = ("high", "medium", "low")
KINDS = (
    "objective_conflict",
    "alignment_decline",
    "dimension_decline",
    "expectation_gap",
    "objective_drift",
    "shared_concern",
    "priority_divergence",
    "internal_conflict",
)


def whole(x: float | None) -> str:
    """A number to the unit (an index, points of 100)."""
    return "" if x is None else f"{x:.0f}"


def one(x: float | None) -> str:
    """A number to one decimal (a mean on a Likert scale); never "-0.0"."""
    return "" if x is None else f"{round(x, 1) + 0.0:.1f}"


def signed(x: float | None, digits: int = 0) -> str:
    """A change with its sign (a true minus sign)."""
    if x is None:
        return ""
    text = f"{abs(x):.{digits}f}"
    if text.strip("0.") == "":
        return text
    return ("+" if x > 0 else "\u2212") + text


class Texts:
    """The survey's texts and the partners' names in the page's language."""

    def __init__(
        self,
        survey_doc: dict[str, Any],
        names: dict[str, str],
        viewer: str | None = None,
        min_group: int = 1,
    ) -> None:
        self.doc = survey_doc
        self.names = names
        self.viewer = viewer  # the partner of an own report
        self.min_group = min_group
        # An allocation's points are shown out of 100, whatever the survey's total.
        totals = [i["total"] for i in survey_doc["items"] if i["type"] == "allocation"]
        self.total = float(totals[0]) if totals else 100.0
        self.objectives = {o["id"]: o["label"] for o in survey_doc["objectives"]}
        self.dimensions = {d["id"]: d["label"] for d in survey_doc["dimensions"]}
        self.roles = {r["id"]: r["label"] for r in survey_doc["roles"]}
        self.bands = {b["id"]: b["label"] for b in survey_doc["scoring"]["bands"]}
        self.relations = {frozenset(r["objectives"]): r for r in survey_doc["relations"]}

    def name(self, partner: str) -> str:
        """A partner's name (its key if it has none)."""
        return self.names.get(partner, partner)

    def relation(self, a: str, b: str) -> dict[str, Any]:
        """The survey's relation of two objectives (empty if none)."""
        found: dict[str, Any] = self.relations.get(frozenset((a, b)), {})
        return found


def listing(words: Words, items: Sequence[str], last: str = "and") -> str:
    """``a, b and c`` (or ``a, b or c``)."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {words(last)} {items[-1]}"


def headline(words: Words, t: Texts, doc: dict[str, Any], min_group: int) -> str:
    """The alignment in one sentence, with its interval in words and its band when settled."""
    result = doc["result"]
    if result is None:
        reason = doc["reasons"].get("result", "")
        if reason.startswith("waiting_for_"):
            who = [k for k, entry in doc["completion"].items() if entry["complete"] == 0]
            return words("no_result_waiting", who=listing(words, [t.name(k) for k in who]))
        key = "no_result_hidden_other" if reason.startswith("other_") else "no_result_hidden"
        return words(key, min=min_group)
    a = result["alignment"]
    if a["score"] is None:
        return words("no_index")
    score = whole(a["score"])
    if a["band"] is not None:
        band = words("band_word", band=t.bands.get(a["band"], a["band"]).lower())
        first = words("aligned_band", band=band, score=score)
    elif a["bands_in_ci"]:
        bands = listing(words, [t.bands.get(b, b).lower() for b in a["bands_in_ci"]], "or")
        first = words("aligned_spans", score=score, bands=bands)
    elif a["ci"] is not None:
        low, high = (whole(x) for x in a["ci"])
        first = words("aligned_interval", score=score, low=low, high=high)
    else:
        first = words("aligned_descriptive", score=score)
    parts = a["components"]
    if not parts:
        return first
    shown = {k: _value(words, c["value"], c["ci"]) for k, c in parts.items()}
    return f"{first} {words('components', **shown)}"


def _value(words: Words, value: float | None, ci: list[float] | None) -> str:
    """A figure out of 100 with its interval in words, or marked as descriptive."""
    if value is None:
        return words("none")
    if ci is None:
        return words("value_descriptive", value=whole(value))
    return words("value_interval", value=whole(value), low=whole(ci[0]), high=whole(ci[1]))


def previous(trend: dict[str, Any], n: int) -> dict[str, Any] | None:
    """The drift entry from the round before ``n`` to ``n``, if any."""
    return next((e for e in trend["drift"] if e["span"] == "consecutive" and e["to"] == n), None)


def change(words: Words, trend: dict[str, Any], n: int) -> str | None:
    """One sentence on what changed in the alignment since the round before, if there is one."""
    entry = previous(trend, n)
    if entry is None:
        return None
    label = next((r["label"] for r in trend["rounds"] if r["n"] == entry["from"]), "")
    block = entry["alignment"]
    if block is None or block["change"] is None:
        return words("change_none", n=entry["from"], label=label)
    delta = block["change"]
    if round(delta) == 0:
        return words("change_same", n=entry["from"], label=label)
    low, high = block["ci"] or (None, None)
    key = "change_rose" if delta > 0 else "change_fell"
    if low is None or high is None:  # too few people for an interval of the change
        key += "_plain"
    points = whole(abs(delta))
    text = words(
        key, n=entry["from"], label=label, points=points, low=signed(low), high=signed(high)
    )
    if any(entry["left_out"].values()):  # other survey versions: on what both share
        shared = words("change_shared", before=whole(block["before"]), after=whole(block["after"]))
        text = f"{text} {shared}"
    if any(f["kind"] == "alignment_decline" for f in entry["flags"]):
        return f"{text} {words('change_flagged')}"
    if low is not None and high is not None and low <= 0 <= high:
        return f"{text} {words('change_chance')}"
    return text


def talk_points(
    words: Words, t: Texts, doc: dict[str, Any], trend: dict[str, Any], n: int
) -> list[dict[str, str]]:
    """The conflicts, shared concerns and drift flags, ranked, each with its evidence in words
    and a next step (the survey's, where it has one)."""
    result = doc["result"]
    flags = list(result["conflicts"]) if result else []
    entry = previous(trend, n)
    if entry is not None:
        flags += [dict(f, since=entry["from"]) for f in entry["flags"]]
    scales = {d["id"]: d["scale"] for d in result["dimensions"]} if result else {}
    flags = [dict(f, scale=scales.get(next(iter(f["dimensions"]), ""))) for f in flags]
    flags.sort(key=lambda f: (SEVERITY.index(f["severity"]), KINDS.index(f["kind"])))
    return [_point(words, t, f) for f in flags]


def _point(words: Words, t: Texts, f: dict[str, Any]) -> dict[str, str]:
    """One flag in words: severity, title, evidence, next step."""
    kind, ev = f["kind"], f["evidence"]
    objectives = [t.objectives.get(o, o) for o in f["objectives"]]
    dims = [t.dimensions.get(d, d) for d in f["dimensions"]]
    names = [t.name(p) for p in f["partners"]]
    step = ""
    if kind == "objective_conflict":
        a, b = f["objectives"]
        first, second = f["partners"]
        pts = ev["points"]
        rel = t.relation(a, b)
        title = words("t_objective_conflict", a=objectives[0], b=objectives[1])
        evidence = words(
            "e_objective_conflict",
            first=names[0],
            second=names[1],
            a=objectives[0],
            b=objectives[1],
            p1=whole(100 * pts[first][a] / t.total),
            p2=whole(100 * pts[second][a] / t.total),
            q1=whole(100 * pts[first][b] / t.total),
            q2=whole(100 * pts[second][b] / t.total),
            relation=words(f"relation_{ev['relation']}"),
            rationale=rel.get("rationale") or "",
        )
        step = rel.get("next_step") or ""
    elif kind == "priority_divergence":
        shares = ev["shares"]
        title = words("t_priority_divergence", a=objectives[0])
        evidence = words(
            "e_priority_divergence",
            hi=names[0],
            lo=names[1],
            x=whole(100 * shares[f["partners"][0]]),
            y=whole(100 * shares[f["partners"][1]]),
        )
        step = words("s_priority_divergence", a=objectives[0])
    elif kind in ("expectation_gap", "shared_concern"):
        means = ev["means"]
        keys = list(means)
        scale = f.get("scale") or {"min": "", "max": ""}
        title = words(f"t_{kind}", d=dims[0])
        evidence = words(
            f"e_{kind}",
            first=t.name(keys[0]),
            second=t.name(keys[1]),
            x=one(means[keys[0]]),
            y=one(means[keys[1]]),
            gap=one(abs(ev.get("gap", 0.0))),
            min=scale["min"],
            max=scale["max"],
        )
        step = words(f"s_{kind}", d=dims[0])
    elif kind == "internal_conflict":
        about = listing(words, objectives or dims)
        title = words("t_internal_conflict", p=names[0], about=about)
        if "withheld" in ev and f["partners"][0] == t.viewer:  # its own, of small groups
            evidence = words("e_internal_small", min=t.min_group)
        elif "withheld" in ev:
            evidence = words("e_internal_withheld", p=names[0])
        else:
            roles = [t.roles.get(r, r) for r in f["roles"]]
            evidence = words("e_internal_roles", roles=listing(words, roles))
        step = words("s_internal_conflict", p=names[0], about=about)
        if f["objectives"] and len(f["objectives"]) == 2:
            step = t.relation(*f["objectives"]).get("next_step") or step
    elif kind == "dimension_decline":
        title = words("t_dimension_decline", d=dims[0])
        evidence = " ".join(
            words(
                "e_dimension_decline" if e["ci"] else "e_dimension_decline_plain",
                p=t.name(p),
                before=one(e["before"]),
                after=one(e["after"]),
                low=signed((e["ci"] or [None, None])[0], 1),
                high=signed((e["ci"] or [None, None])[1], 1),
            )
            for p, e in ev.items()
        )
        step = words("s_dimension_decline", d=dims[0], n=f["since"])
    elif kind == "objective_drift":
        against = f["objectives"][1:]
        title = words("t_objective_drift", p=names[0], a=objectives[0])
        evidence = words(
            "e_objective_drift",
            before=whole(100 * (ev["before"] or 0)),
            after=whole(100 * (ev["after"] or 0)),
            other=names[1],
            against=listing(words, [t.objectives.get(o, o) for o in against]),
        )
        step = t.relation(f["objectives"][0], against[0]).get("next_step") or words(
            "s_objective_drift", p=names[0], a=objectives[0]
        )
    else:  # alignment_decline
        low, high = ev["ci"] or (None, None)
        title = words("t_alignment_decline", n=f["since"])
        evidence = words(
            "e_alignment_decline" if ev["ci"] else "e_alignment_decline_plain",
            before=whole(ev["before"]),
            after=whole(ev["after"]),
            low=signed(low),
            high=signed(high),
        )
        step = words("s_alignment_decline")
    return {
        "severity": f["severity"],
        "severity_word": words(f"severity_{f['severity']}"),
        "kind": kind,
        "title": title,
        "evidence": evidence,
        "next_step": step,
    }
