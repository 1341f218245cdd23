"""``/forms/<token>``: the questionnaire of one invitation, as a server-rendered HTML form.

Works without JavaScript (a plain POST, then a redirect back); ``form.js`` adds saving as you
go, the live points total and the events for the embedding page, posting the same form with
``Accept: application/json``. The token in the URL is the only credential: no cookies.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, render_template, request, url_for
from markupsafe import Markup

from .. import context, limits
from ..context import negotiate
from ..errors import InvalidInput, RoundClosed, ScoringError, TooMany, Unavailable
from ..services import invitations, responses
from ..services.invitations import Invited
from ..surveys import Survey, document
from .fields import Errors, field_values, points_total, progress, question_labels, read_form
from .i18n import FALLBACK, STRINGS, Words

bp = Blueprint(
    "forms",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/forms/assets",
)
# Strings the page's script needs (placeholders filled in the browser).
SCRIPT_WORDS = (
    *("total", "total_left", "total_over", "total_ok", "progress"),
    *("autosaved", "not_saved", "offline", "submitted", "saved", "error_prefix"),
    *("errors_count", "errors_count_one", "errors_more", "errors_more_one"),
    *("incomplete_again", "failed"),
)
# The error summary links this many problems (and the points' own problem always), then says
# how many more there are: each is also marked beside its question. form.js follows the rule.
SUMMARY_SHOWN = 5


def _lookup(token: str) -> Invited | None:
    """The invitation behind ``token`` (revoked ones too: their page may still be framed)."""
    with context.reading() as session:
        return invitations.by_token(session, context.env(), token)


def _language(survey: Survey) -> str:
    """The form's language: one that every text of the survey has."""
    return negotiate(survey.languages, survey.default_language)


def _survey(found: Invited) -> Survey:
    """The survey version the round pinned."""
    return invitations.survey_of(found, context.env())


def _page(status: int, kind: str, found: Invited | None, lang: str | None = None) -> Response:
    """The short page for a closed round (410), a link that does not work (404) or a database
    that does not answer (503), in HTML or, for the page's script, in JSON.

    Only the page of a known invitation may be framed, by its own alliance's origins (and then
    tells the portal, from inside the frame, why there is no form). A link that does not work
    names no alliance: its page is framed by nobody, lists no origin and reads nothing more;
    the portal learns it from ``embed.js`` (docs/embedding.md).
    """
    framed = found if status != 404 else None  # a revoked link too: it is no one's any more
    origins = list(framed.alliance.frame_ancestors) if framed else []
    context.state().frame_origins = origins
    if lang is None:
        lang = _language(_survey(framed)) if framed else negotiate(sorted(STRINGS), FALLBACK)
    words = Words(lang)
    if kind != "closed":
        text = words(f"{kind}_text")
    elif framed is None:  # pragma: no cover - the views know the invitation of a closed round
        text = words("not_found_text")
    else:
        when = framed.round.closed_at or framed.round.closes_at
        text = words(
            "closed_text",
            n=framed.round.n,
            alliance=framed.alliance.name,
            date=when.date().isoformat() if when else "",
        )
    if _wants_json():
        return _json({"status": kind, "title": words(f"{kind}_title"), "message": text}, status)
    html = render_template(
        "forms/message.html",
        lang=words.lang,
        title=words(f"{kind}_title"),
        text=text,
        status=status,
        origins=origins,
    )
    return Response(html, status=status, mimetype="text/html")


@bp.errorhandler(ScoringError)  # the form's routes answer with pages, not problem+json
def error_page(
    exc: ScoringError, found: Invited | None = None, lang: str | None = None
) -> Response:
    """The respondent's page for a domain error (the forms' one mapping; the API's is
    ``api.problems``): a closed round is 410 and says so; a database that does not answer is
    503, "try again in a moment", and too many unknown links from one address 429, both with
    ``Retry-After``; anything else that reaches a form is a link that does not work (404),
    which reveals nothing."""
    if isinstance(exc, RoundClosed):
        return _page(410, "closed", found, lang)
    if isinstance(exc, Unavailable | TooMany):
        status, kind = (503, "unavailable") if isinstance(exc, Unavailable) else (429, "too_many")
        answer = _page(status, kind, found if status == 503 else None, lang)
        answer.headers["Retry-After"] = str(max(1, exc.retry_after or 1))
        return answer
    return _page(404, "not_found", None, lang)


def _wants_json() -> bool:
    """The page's script asks for JSON; a plain form post gets HTML."""
    return request.accept_mimetypes.best == "application/json"


def _json(body: dict[str, Any], status: int) -> Response:
    """A JSON answer to the page's script."""
    return Response(current_app.json.dumps(body), status=status, mimetype="application/json")


def _render(
    found: Invited,
    survey: Survey,
    lang: str,
    values: dict[str, str],
    answered: dict[str, Any],
    errors: Errors,
    notice: str | None,
    status: int = 200,
) -> Response:
    """The form page, filled with ``values``, with ``errors`` beside their fields."""
    context.state().frame_origins = list(found.alliance.frame_ancestors)
    words = Words(lang)
    doc = document(survey, lang)
    roles = {r["id"]: r["label"] for r in doc["roles"]}
    done, total = progress(survey, answered)
    totals = {
        i.id: points_total(survey, i.id, values, words) for i in survey.items_of("allocation")
    }
    listed = summary_keys(survey, errors)
    html = render_template(
        "forms/form.html",
        lang=lang,
        w=words,
        doc=doc,
        items={i["id"]: i for i in doc["items"]},
        partner=found.partner.name,
        role=roles.get(found.person.role, found.person.role),
        round=found.round,
        values=values,
        errors=errors,
        summary={key: errors[key] for key in listed},
        summary_shown=SUMMARY_SHOWN,
        notice=notice,
        done=done,
        total=total,
        totals=totals,
        labels=question_labels(doc),
        complete=bool(found.stored and found.stored.complete),
        action=url_for("forms.form", token=request.view_args["token"], lang=lang),  # type: ignore[index]
        script_words=words.table(SCRIPT_WORDS),
        # The form's own words in another language than the questions (a survey language we
        # have no words for): marked, so that screen readers pronounce them right.
        ui=Markup(f' lang="{words.lang}"') if words.lang != lang else "",
        origins=list(found.alliance.frame_ancestors),
    )
    return Response(html, status=status, mimetype="text/html")


def _open(token: str) -> Response | tuple[Invited, Survey, str, Words]:
    """The invitation's form and its language; or the 404 or 410 page to answer instead."""
    found = _lookup(token)
    if found is None:
        limits.failed()  # guessing links: past the address's limit, TooMany (429) instead
    if found is None or found.revoked:
        return _page(404, "not_found", None)
    if found.round.status != "open":
        return _page(410, "closed", found)
    survey = _survey(found)
    lang = _language(survey)
    return found, survey, lang, Words(lang)


@bp.get("/forms/<token>")
def form(token: str) -> Response:
    """The questionnaire, with what the respondent saved so far."""
    opened = _open(token)
    if isinstance(opened, Response):
        return opened
    found, survey, lang, words = opened
    done, notice = request.args.get("done"), None
    if found.stored is not None and done == "submitted" and found.stored.complete:
        notice = words("submitted")
    elif found.stored is not None and done == "saved":
        notice = words("saved")
    stored = found.stored.answers if found.stored else {}
    return _render(found, survey, lang, field_values(survey, stored), stored, {}, notice)


@bp.post("/forms/<token>")
def save(token: str) -> Response:
    """Save (``action=save``) or submit (``action=submit``) the posted form."""
    opened = _open(token)
    if isinstance(opened, Response):
        return opened
    found, survey, lang, words = opened
    submit = request.form.get("action") == "submit"
    answers, errors = read_form(survey, request.form, complete=submit, words=words)
    # A submitted response stays complete through later saves, as long as it still is; and
    # once submitted (``submitted=1``, kept by the page), it is complete again as soon as it
    # is whole again: the person could as well press Submit.
    complete = submit
    was_submitted = bool(found.stored and found.stored.complete) or (
        request.form.get("submitted") == "1"
    )
    if not submit and not errors and was_submitted:
        kept, problems = read_form(survey, request.form, complete=True, words=words)
        if not problems:
            answers, complete = kept, True
    try:  # the service checks again (role and answers) and refuses a closed round
        write = invitations.check_answer(found, context.env(), answers, complete)
    except InvalidInput as exc:  # a role the survey lacks is the invitation's fault
        errors = errors or {_field(e.path): words("invalid") for e in exc.errors}
    except ScoringError as exc:
        return error_page(exc, found, lang)
    if errors:
        errors = in_page_order(survey, errors)
        if _wants_json():
            return _json({"status": "invalid", "errors": errors}, 422)
        values = {k: v for k, v in request.form.items() if k != "action"}
        return _render(found, survey, lang, values, answers, errors, None, status=422)
    try:
        with context.writing_one() as conn:
            responses.save(conn, write)
    except ScoringError as exc:  # e.g. the round closed between the check and the write
        return error_page(exc, found, lang)
    done, total = progress(survey, answers)
    status = "completed" if submit else "saved"
    if _wants_json():
        return _json({"status": status, "complete": complete, "done": done, "total": total}, 200)
    target = url_for("forms.form", token=token, lang=lang, done="submitted" if submit else "saved")
    return Response(status=303, headers={"Location": target})


def in_page_order(survey: Survey, errors: Errors) -> Errors:
    """The errors in the order the page shows their questions: the points, the dimensions'
    questions, the free text (for the summary at the top)."""
    order: list[str] = []
    for item in survey.items_of("allocation"):
        order += [item.id, *(f"{item.id}.{o}" for o in survey.objective_ids)]
    for dimension in survey.dimensions:
        order += list(dimension.items)
    order += [i.id for i in survey.items_of("text")]
    rank = {key: k for k, key in enumerate(order)}
    return dict(sorted(errors.items(), key=lambda kv: rank.get(kv[0], len(rank))))


def summary_keys(survey: Survey, errors: Errors, shown: int = SUMMARY_SHOWN) -> list[str]:
    """The problems the summary at the top links, in the order of ``errors`` (page order): the
    first ``shown``, and every allocation's own problem (its sum, or no points at all) wherever
    it comes; the others are only counted there. form.js applies the same rule to the errors
    on the page (an allocation's fieldset is the anchor of its own problem)."""
    pinned = {item.id for item in survey.items_of("allocation")}
    room = shown - sum(key in pinned for key in errors)
    listed = []
    for key in errors:
        if key not in pinned:
            if room <= 0:
                continue
            room -= 1
        listed.append(key)
    return listed


def _field(path: str) -> str:
    """The form field of an API problem's path (``answers.sf1`` -> ``sf1``)."""
    return path.removeprefix("answers.").split(".")[0]


@bp.get("/embed.js")
def embed() -> Response:
    """The script a portal adds to embed forms (see docs/embedding.md)."""
    response = bp.send_static_file("embed.js")
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
