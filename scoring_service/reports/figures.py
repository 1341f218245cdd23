"""The report's charts with their titles, text alternatives and tables of numbers, from the
result document and the trend. The SVG is drawn by ``charts`` (matplotlib, imported on the
first chart, so that nothing else pays its import) and kept per input: the same round version,
view and language draw the same chart once per process.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from .content import Texts, one, signed, whole
from .words import Words

RWG_CUTOFF = 0.70  # the usual aggregation cut-off of rwg (docs/statistics.md, section 6)


@lru_cache(maxsize=256)
def _svg(kind: str, arguments: str) -> str:
    """One chart's SVG from its JSON arguments (the cache key)."""
    from . import charts  # matplotlib: loaded by the first chart only

    args = json.loads(arguments)
    if "series" in args:
        series = args["series"]
        args["series"] = (
            charts.Series(**series)
            if isinstance(series, dict)
            else [charts.Series(**s) for s in series]
        )
    if "scale" in args:
        args["scale"] = tuple(args["scale"])
    svg: str = getattr(charts, kind)(**args)
    return svg


def _chart(kind: str, **args: Any) -> str:
    """A chart drawn once per distinct input."""
    return _svg(kind, json.dumps(args, sort_keys=True))


def _series(t: Texts, partners: list[str], values: dict[str, Any]) -> list[dict[str, Any]]:
    """One series per partner with values (its name, its values and intervals)."""
    return [{"name": t.name(p), **values[p]} for p in partners if p in values]


def figures(
    words: Words, t: Texts, doc: dict[str, Any], trend: dict[str, Any]
) -> list[dict[str, Any]]:
    """The report's figures: ``key``, ``title``, ``alt``, ``svg``, ``head`` and ``rows``."""
    result = doc["result"]
    out = []
    if result is not None:
        partners = result["partners"]
        dims = bool(result["dimensions"])  # a survey may have none
        out += [_radar(words, t, result, partners) if dims else None]
        out.append(_profiles(words, t, result, partners))
        out.append(_agreement(words, t, result, partners) if dims else None)
    rounds = [r for r in trend["rounds"] if r["alignment"] is not None]
    if len(rounds) >= 2:
        out.append(_trend(words, t, rounds))
    return [f for f in out if f is not None]


def _radar(words: Words, t: Texts, result: dict[str, Any], partners: list[str]) -> dict[str, Any]:
    """Each partner's dimension means, the flagged gaps marked."""
    dims = result["dimensions"]
    flagged = {
        d for f in result["conflicts"] if f["kind"] == "expectation_gap" for d in f["dimensions"]
    }
    scales = {(d["scale"]["min"], d["scale"]["max"]) for d in dims}
    if len(scales) == 1:  # one scale: the means as they are
        low, high = next(iter(scales))
        values = {p: {"values": [d["means"].get(p) for d in dims]} for p in partners}
        alt = words("radar_alt", min=low, max=high)
    else:  # scales differ: each mean as a percentage of its own scale
        low, high = 0, 100
        values = {p: {"values": [_percent(d, p) for d in dims]} for p in partners}
        alt = words("radar_alt_mixed")
    svg = _chart(
        "radar",
        key="radar",
        alt=alt,
        axes=[t.dimensions.get(d["id"], d["label"]) for d in dims],
        series=_series(t, partners, values),
        scale=[low, high],
        marked=[d["id"] in flagged for d in dims],
        mark_label=words("radar_mark"),
    )
    head = [words("dimension"), *(t.name(p) for p in partners), words("gap"), words("flagged")]
    rows = [
        [
            t.dimensions.get(d["id"], d["label"]),
            *(one(d["means"].get(p)) or words("none") for p in partners),
            signed(d["gap"], 1) or words("none"),
            words("yes") if d["id"] in flagged else "",
        ]
        for d in dims
    ]
    return {
        "key": "radar",
        "title": words("radar_title"),
        "alt": alt,
        "svg": svg,
        "head": head,
        "rows": rows,
    }


def _percent(d: dict[str, Any], partner: str) -> float | None:
    """A partner's mean on a dimension as a percentage of the dimension's scale."""
    mean, scale = d["means"].get(partner), d["scale"]
    return None if mean is None else 100 * (mean - scale["min"]) / (scale["max"] - scale["min"])


def _profiles(
    words: Words, t: Texts, result: dict[str, Any], partners: list[str]
) -> dict[str, Any] | None:
    """The two priority profiles side by side, in points of 100."""
    profiles = result["objectives"]["profiles"]
    ids = list(t.objectives)
    values: dict[str, dict[str, Any]] = {}
    for p in partners:
        weights, cis = profiles[p]["weights"], profiles[p]["ci"]
        if weights is None:
            continue
        values[p] = {
            "values": [100 * weights[o] for o in ids],
            "intervals": None
            if cis is None
            else [None if cis.get(o) is None else [100 * x for x in cis[o]] for o in ids],
        }
    if not values:
        return None
    alt = words("profiles_alt")
    svg = _chart(
        "profiles",
        key="profiles",
        alt=alt,
        objectives=[t.objectives[o] for o in ids],
        series=_series(t, partners, values),
        xlabel=words("points_axis"),
    )
    head = [words("objective"), *(t.name(p) for p in partners)]
    rows = [
        [
            t.objectives[o],
            *(whole(values[p]["values"][k]) if p in values else words("none") for p in partners),
        ]
        for k, o in enumerate(ids)
    ]
    return {
        "key": "profiles",
        "title": words("profiles_title"),
        "alt": alt,
        "svg": svg,
        "head": head,
        "rows": rows,
    }


def _agreement(
    words: Words, t: Texts, result: dict[str, Any], partners: list[str]
) -> dict[str, Any]:
    """rwg(j) inside each partner, by dimension, with the usual cut-off."""
    dims = result["dimensions"]
    consensus = result["consensus"]
    values = {p: {"values": [consensus[p]["rwg_j"].get(d["id"]) for d in dims]} for p in partners}
    alt = words("agreement_alt")
    svg = _chart(
        "agreement",
        key="agreement",
        alt=alt,
        dimensions=[t.dimensions.get(d["id"], d["label"]) for d in dims],
        series=_series(t, partners, values),
        cutoff=RWG_CUTOFF,
        cutoff_label=words("agreement_cutoff"),
        xlabel=words("agreement_axis"),
    )
    head = [words("dimension"), *(t.name(p) for p in partners)]
    rows = [
        [
            t.dimensions.get(d["id"], d["label"]),
            *(_two(values[p]["values"][k]) or words("none") for p in partners),
        ]
        for k, d in enumerate(dims)
    ]
    return {
        "key": "agreement",
        "title": words("agreement_title"),
        "alt": alt,
        "svg": svg,
        "head": head,
        "rows": rows,
    }


def _two(x: float | None) -> str:
    """An agreement coefficient to two decimals."""
    return "" if x is None else f"{x:.2f}"


def _trend(words: Words, t: Texts, rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """The alignment index across rounds, and its two components with their intervals (the
    index has none of its own: docs/statistics.md, section 7), with the bands' cut-offs."""
    alt = words("trend_alt")
    bands = [[b["label"], float(b["min"])] for b in t.doc["scoring"]["bands"]]
    parts = [("compatibility", "series_compatibility"), ("expectations", "series_expectations")]
    series = [{"name": words("alignment"), "values": [r["alignment"]["score"] for r in rounds]}]
    for part, name in parts:
        blocks = [r.get(part) or {} for r in rounds]
        series.append(
            {
                "name": words(name),
                "values": [b.get("value") for b in blocks],
                "intervals": [b.get("ci") for b in blocks],
            }
        )
    labels = [f"{r['n']}: {r['label']}" for r in rounds]
    svg = _chart(
        "trend",
        key="trend",
        alt=alt,
        rounds=labels,
        series=series,
        bands=bands,
        ylabel=words("trend_axis"),
    )
    head = [words("round"), words("alignment"), *(words(name) for _, name in parts)]
    head.append(words("band"))
    rows = [
        [
            label,
            whole(r["alignment"]["score"]),
            *(_interval(words, r.get(part)) for part, _ in parts),
            t.bands.get(r["alignment"]["band"] or "", words("none")),
        ]
        for label, r in zip(labels, rounds, strict=True)
    ]
    return {
        "key": "trend",
        "title": words("trend_title"),
        "alt": alt,
        "svg": svg,
        "head": head,
        "rows": rows,
    }


def _interval(words: Words, block: dict[str, Any] | None) -> str:
    """A component's value and interval, in a table cell."""
    if not block or block.get("value") is None:
        return words("none")
    ci = block.get("ci")
    low_high = "" if ci is None else f" ({whole(ci[0])}\u2013{whole(ci[1])})"
    return whole(block["value"]) + low_high
