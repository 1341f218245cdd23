"""``/reports/<token>``: a round's report (a round-scope link) or the overview of every round
(an alliance-scope link, whose rounds open at ``/reports/<token>/rounds/<n>``).

Server-rendered, no script, no cookie: the token in the path is the only credential. A link
that does not work (unknown, expired, revoked, or its key revoked) gets one 404 page that tells
none of these apart.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template, url_for

from .. import context, limits
from ..errors import NotFound, ScoringError, TooMany, Unavailable
from ..services import reports, results
from ..services.reports import Opened
from ..surveys import Survey, document
from .content import Texts, change, headline, listing, talk_points
from .figures import figures
from .words import FALLBACK, STRINGS, Words

bp = Blueprint(
    "reports",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/reports/assets",
)


def _open(token: str) -> Opened:
    """The live link behind ``token``; a wrong one counts as a failure of the address."""
    try:
        with context.reading() as session:
            return reports.open_link(session, context.env(), token)
    except NotFound:
        limits.failed()  # guessing links: past the address's limit, TooMany (429) instead
        raise


def _keep(computed: list[results.Computed]) -> None:
    """Keep the result documents computed on the way, as a results read would."""
    fresh = [c for c in computed if c.row]
    if fresh:
        ext = context.ext()
        with context.writing() as session:
            for c in fresh:
                results.keep(session, ext.memo, c)


def _survey(link: Opened, survey_id: str, version: int) -> tuple[Survey, str]:
    """The survey of a round and the page's language (one the survey has, chosen like the
    form's: ``?lang=``, else the browser's)."""
    survey = context.env().registry.get(survey_id, version)
    return survey, context.negotiate(survey.languages, survey.default_language)


def _names(link: Opened) -> dict[str, str]:
    """The partners' names by key."""
    return {p.key: p.name for p in link.alliance.partners}


@bp.get("/reports/<token>")
def report(token: str) -> Response:
    """A round's report, or the overview of an alliance-scope link."""
    link = _open(token)
    if link.scope == "alliance":
        return _overview(token, link)
    if link.round_n is None:  # pragma: no cover - a round-scope link names its round
        raise NotFound()
    return _round(token, link, link.round_n)


@bp.get("/reports/<token>/rounds/<int(max=2147483647):n>")
def round_report(token: str, n: int) -> Response:
    """Round ``n``'s report, from an alliance-scope link."""
    link = _open(token)
    if link.scope != "alliance":
        raise NotFound()
    return _round(token, link, n)


def _round(token: str, link: Opened, n: int) -> Response:
    """The report page of round ``n``."""
    ext = context.ext()
    with context.reading() as session:
        found = reports.round_report(session, ext.env, ext.memo, link, n)
    _keep(found.computed)
    r = found.round
    survey, lang = _survey(link, r.survey_id, r.survey_version)
    words = Words(lang)
    own = link.viewer.partner_key if link.view == "own" else None
    t = Texts(document(survey, lang), _names(link), own, link.alliance.min_group_size)
    doc = found.document
    result = doc["result"]
    page = {
        "lang": lang,
        "w": words,
        "ui": words.lang,
        "title": words("title", alliance=link.alliance.name),
        "round_title": words("round_title", n=r.n, label=r.label),
        "view": _view_line(words, link, t),
        "round": r,
        "headline": headline(words, t, doc, link.alliance.min_group_size),
        "change": change(words, found.trend, n),
        "points": talk_points(words, t, doc, found.trend, n) if result else [],
        "has_result": result is not None,
        "figures": figures(words, t, doc, found.trend),
        "texts": _texts(t, survey, lang, found.texts),
        "min_group": link.alliance.min_group_size,
        "completion": _completion(t, doc),
        "method": _method(words, t, doc, r),
        "expires": link.expires_at.date().isoformat(),
        "overview": url_for("reports.report", token=token, lang=lang)
        if link.scope == "alliance"
        else None,
    }
    return _html(render_template("reports/report.html", **page))


def _overview(token: str, link: Opened) -> Response:
    """Every round with its headline and a link to its report."""
    ext = context.ext()
    with context.reading() as session:
        trend, computed = reports.alliance_trend(session, ext.env, ext.memo, link)
    _keep(computed)
    rounds = trend["rounds"]
    last = rounds[-1] if rounds else None
    survey, lang = (
        _survey(link, last["survey"]["id"], last["survey"]["version"])
        if last
        else (None, context.negotiate(sorted(STRINGS), FALLBACK))
    )
    words = Words(lang)
    t = Texts(document(survey, lang), _names(link)) if survey else None
    items = []
    for r in rounds:
        doc = {"result": None, "reasons": r["reasons"]}
        if r["alignment"] is not None:
            doc["result"] = {"alignment": {**r["alignment"], "components": {}}}
        items.append(
            {
                "title": words("round_title", n=r["n"], label=r["label"]),
                "provisional": r["provisional"],
                "headline": headline(words, t, doc, link.alliance.min_group_size) if t else "",
                "change": change(words, trend, r["n"]),
                "url": url_for("reports.round_report", token=token, n=r["n"], lang=lang),
                "link": words("open_report", n=r["n"]),
            }
        )
    page = {
        "lang": lang,
        "w": words,
        "ui": words.lang,
        "title": words("title", alliance=link.alliance.name),
        "view": _view_line(words, link, t),
        "items": items,
        "figures": figures(words, t, {"result": None}, trend) if t else [],
        "expires": link.expires_at.date().isoformat(),
    }
    return _html(render_template("reports/overview.html", **page))


def _view_line(words: Words, link: Opened, t: Texts | None) -> str:
    """Whose view the page shows."""
    if link.view == "joint":
        return words("joint")
    key = link.viewer.partner_key or ""
    return words("own", partner=t.name(key) if t else key)


def _texts(
    t: Texts, survey: Survey, lang: str, texts: dict[str, dict[str, list[str]]]
) -> list[dict[str, Any]]:
    """The quoted free text by partner and question."""
    labels = {i["id"]: i["text"] for i in document(survey, lang)["items"]}
    return [
        {"partner": t.name(p), "questions": [(labels.get(i, i), said) for i, said in by.items()]}
        for p, by in texts.items()
    ]


def _completion(t: Texts, doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Complete and partial responses by partner, complete ones by role (small groups pooled
    as the view requires)."""
    return [
        {
            "partner": t.name(p),
            "complete": entry["complete"],
            "partial": entry["partial"],
            "roles": [(t.roles.get(role, role), count) for role, count in entry["roles"].items()],
        }
        for p, entry in doc["completion"].items()
    ]


def _method(words: Words, t: Texts, doc: dict[str, Any], r: Any) -> list[str]:
    """How to read the report, in plain words."""
    people = [
        words("people", n=e["complete"], partner=t.name(p)) for p, e in doc["completion"].items()
    ]
    result = doc["result"]
    level = round(100 * (result["method"]["confidence"] if result else 0.95))
    out = [
        words("method_people", people=listing(words, people)),
        words("method_interval", level=level),
        words("method_band"),
        words("method_flags"),
        words("method_descriptive"),
    ]
    if result:
        out.append(
            words(
                "method_engine",
                engine=result["method"]["engine_version"],
                survey=r.survey_id,
                version=r.survey_version,
            )
        )
    return out


def _html(text: str, status: int = 200) -> Response:
    """An HTML answer."""
    return Response(text, status=status, mimetype="text/html")


@bp.errorhandler(ScoringError)  # report pages answer with pages, not problem+json
def error_page(exc: ScoringError) -> Response:
    """The page of a link that does not work (404, whatever the reason), a database that does
    not answer (503) or too many failures from one address (429), both with ``Retry-After``."""
    kind, status = "not_found", 404
    if isinstance(exc, Unavailable):
        kind, status = "unavailable", 503
    elif isinstance(exc, TooMany):
        kind, status = "too_many", 429
    words = Words(context.negotiate(sorted(STRINGS), FALLBACK))
    html = render_template(
        "reports/message.html",
        lang=words.lang,
        title=words(f"{kind}_title"),
        text=words(f"{kind}_text"),
    )
    answer = _html(html, status)
    if status != 404:
        answer.headers["Retry-After"] = str(max(1, getattr(exc, "retry_after", None) or 1))
    return answer
