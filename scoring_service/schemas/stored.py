"""marshmallow schemas of the stored resources: alliances, keys, rounds, stored responses."""

from __future__ import annotations

import re
from typing import Any

from flask import has_request_context, request
from marshmallow import (
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates_schema,
)

from .fields import Bool, Reference, Text

# \Z, not $: Python's $ also matches before a final newline ("acme\n").
KEY_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}\Z"
ORIGIN_PATTERN = re.compile(r"^(https?)://([A-Za-z0-9.-]+)(?::([0-9]{1,5}))?\Z")
DEFAULT_PORTS = {"http": "80", "https": "443"}
MAX_ORIGINS = 20


class Origin(fields.String):
    """A web origin (scheme, host, optional port; no path), stored as browsers send it in
    ``Origin``: lower case, without the scheme's default port."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        found = ORIGIN_PATTERN.match(text)
        if found is None or (found[3] is not None and not 0 < int(found[3]) < 65536):
            raise ValidationError("must be an origin like https://portal.example.com")
        scheme, host, port = found[1].lower(), found[2].lower(), found[3]
        if port is None or port == DEFAULT_PORTS[scheme]:
            return f"{scheme}://{host}"
        return f"{scheme}://{host}:{int(port)}"


def _origins(**kwargs: Any) -> fields.List[Any]:
    """A list of web origins."""
    return fields.List(
        Origin(),
        validate=validate.Length(max=MAX_ORIGINS),
        metadata={"description": "origins allowed to frame the forms and call the API"},
        **kwargs,
    )


class PartnerIn(Schema):
    key = Text(
        required=True,
        validate=validate.Regexp(KEY_PATTERN, error="must be 1-64 of a-z, 0-9, _ and -"),
        metadata={"example": "acme", "pattern": "^[a-z0-9][a-z0-9_-]{0,63}$"},
    )
    name = Text(required=True, validate=[validate.Length(min=1, max=200)])


class AllianceIn(Schema):
    """Body of ``POST /alliances``."""

    name = Text(required=True, validate=[validate.Length(min=1, max=200)])
    partners = fields.List(
        fields.Nested(PartnerIn),
        required=True,
        validate=validate.Length(equal=2, error="must list exactly two partners"),
    )
    survey = Text(required=True, validate=[validate.Length(min=1, max=100)])
    frame_ancestors = _origins(load_default=list)
    min_group_size = fields.Integer(
        strict=True, load_default=3, validate=validate.Range(min=1, max=100)
    )

    @validates_schema
    def _distinct(self, data: dict[str, Any], **_: Any) -> None:
        """The two partners need different keys."""
        keys = [p["key"] for p in data.get("partners", [])]
        if len(keys) == 2 and keys[0] == keys[1]:
            raise ValidationError("the two partners need different keys", "partners")


class AlliancePatch(Schema):
    """Body of ``PATCH /alliances/{id}``: any of these fields."""

    name = Text(validate=[validate.Length(min=1, max=200)])
    survey = Text(
        validate=[validate.Length(min=1, max=100)],
        metadata={"description": "used by rounds opened from now on"},
    )
    frame_ancestors = _origins()
    min_group_size = fields.Integer(strict=True, validate=validate.Range(min=1, max=100))

    @validates_schema
    def _names_a_change(self, data: dict[str, Any], **_: Any) -> None:
        """A change names what it changes (an empty body was a 200 that changed only the
        alliance's ``updated_at``)."""
        if not data:
            raise ValidationError(f"give one or more of {', '.join(self.fields)}", "_schema")


class PartnerOut(Schema):
    key = Text()
    name = Text()


class AllianceSummary(Schema):
    """An alliance as lists show it (no secret)."""

    id = Text()
    name = Text()
    survey = Text()
    partners = fields.List(fields.Nested(PartnerOut))
    frame_ancestors = fields.List(Text())
    min_group_size = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class AllianceOut(AllianceSummary):
    admin_key = Text(
        metadata={
            "description": "only in the answer that creates it: keep it, it is not shown again"
        }
    )


class KeyOut(Schema):
    id = Text()
    kind = Text(metadata={"enum": ["admin", "partner"]})
    partner = Text(allow_none=True)
    hint = Text(metadata={"description": "prefix and first characters"})
    created_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)
    key = Text(metadata={"description": "only when created: not shown again"})


class AllianceList(Schema):
    items = fields.List(fields.Nested(AllianceSummary))
    next_cursor = Text(allow_none=True)


class KeyList(Schema):
    items = fields.List(fields.Nested(KeyOut))


class RoundIn(Schema):
    label = Text(required=True, validate=[validate.Length(min=1, max=200)])
    closes_at = fields.AwareDateTime(
        metadata={"description": "ISO 8601 with a time zone; the round closes by itself then"}
    )


class RoundPatch(Schema):
    status = Text(required=True, validate=validate.OneOf(["closed"]))


class RoundOut(Schema):
    n = fields.Integer()
    label = Text()
    status = Text(metadata={"enum": ["open", "closed"]})
    survey = fields.Dict(metadata={"description": "{id, version} pinned when the round opened"})
    opened_at = fields.DateTime()
    closes_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)


class CompletionSchema(Schema):
    """How far one partner's responses are."""

    complete = fields.Integer(required=True, metadata={"description": "complete responses"})
    partial_ = fields.Integer(
        data_key="partial", required=True, metadata={"description": "partial responses"}
    )
    roles = fields.Dict(
        keys=Text(),
        values=fields.Integer(),
        required=True,
        metadata={
            "description": "complete responses by role; for a partner key, the other partner's "
            "roles under min_group_size pooled as other_roles"
        },
    )


class RoundResultSchema(Schema):
    """A round's result: the engine's document (``result``, null until both partners have a
    complete response) with completion by partner and role."""

    alliance = Text(required=True)
    round = fields.Nested(RoundOut, required=True)
    viewer = Text(required=True, metadata={"description": "admin or partner:<key>"})
    completion = fields.Dict(
        keys=Text(),
        values=fields.Nested(CompletionSchema),
        required=True,
        metadata={"description": "by partner key"},
    )
    # Named through marshmallow's class registry: schemas.result is imported with the API.
    result = fields.Nested(
        "scoring_service.schemas.result.ResultSchema",
        allow_none=True,
        required=True,
        metadata={
            "description": "as POST /api/v1/score; null, and reasons.result says why, "
            "until both partners have a complete response or while the other's are not shown"
        },
    )
    reasons = fields.Dict(keys=Text(), values=Text(), required=True)


class PageQuery(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    cursor = Text(load_default=None, metadata={"description": "next_cursor of the previous page"})


class RoundList(Schema):
    items = fields.List(fields.Nested(RoundOut))
    next_cursor = Text(allow_none=True)


class StoredResponseIn(Schema):
    """Body of ``PUT .../responses/{respondent}``."""

    partner = Text(
        metadata={"description": "the admin key must name it; a partner key may omit it"}
    )
    role = Text(required=True, validate=[validate.Length(min=1, max=64)])
    label = Text(validate=[validate.Length(max=200)])
    answers = fields.Dict(required=True)  # keys and values: checked against the survey
    complete = Bool(
        load_default=True,
        metadata={"description": "false saves a partial response (not scored)"},
    )


class StoredResponseOut(Schema):
    respondent = Text()
    partner = Text()
    role = Text()
    label = Text(allow_none=True)
    complete = fields.Boolean()
    answers = fields.Dict()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class ResponseList(Schema):
    items = fields.List(fields.Nested(StoredResponseOut))
    next_cursor = Text(allow_none=True)


def _accepts_csv() -> bool:
    """Does the request's ``Accept`` header prefer ``text/csv`` to JSON? (``*/*``, or no
    header, is JSON.)"""
    if not has_request_context():
        return False
    return request.accept_mimetypes.best_match(["application/json", "text/csv"]) == "text/csv"


class FormatQuery(Schema):
    """``format`` of the GETs that also answer CSV (docs/exports.md): the query wins, else
    ``Accept: text/csv``; anything else is JSON."""

    format = Text(
        validate=validate.OneOf(["json", "csv"]),
        metadata={
            "description": "csv: the tidy CSV export (docs/exports.md); without format, "
            "Accept: text/csv asks for it too"
        },
    )

    @post_load
    def _negotiate(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        """Without ``format``, the ``Accept`` header chooses."""
        if "format" not in data:
            data["format"] = "csv" if _accepts_csv() else "json"
        return data


class ResponseQuery(PageQuery, FormatQuery):
    """Query of ``GET .../responses``: a page (JSON), or every row (``format=csv``)."""

    partner = Text(metadata={"description": "only this partner's responses"})


class InvitationIn(Schema):
    """Body of ``POST .../invitations``: an existing ``stakeholder`` (their reference), or a
    ``role`` (with an optional ``respondent`` reference and ``label``) for a new one."""

    partner = Text(
        metadata={"description": "the admin key must name it; a partner key may omit it"}
    )
    stakeholder = Reference(
        metadata={"description": "reference of a stakeholder already known to the alliance"},
    )
    role = Text(validate=[validate.Length(min=1, max=64)])
    respondent = Reference(
        metadata={"description": "your reference for a new stakeholder (default: generated)"},
    )
    label = Text(validate=[validate.Length(max=200)])

    @validates_schema
    def _who(self, data: dict[str, Any], **_: Any) -> None:
        """Either an existing stakeholder or a role for a new one."""
        if "stakeholder" not in data and "role" not in data:
            raise ValidationError("give a stakeholder, or a role for a new one", "role")


class InvitationOut(Schema):
    id = Text()
    partner = Text()
    respondent = Text()
    role = Text()
    label = Text(allow_none=True)
    round = fields.Integer()
    status = Text(metadata={"enum": ["invited", "partial", "complete", "revoked"]})
    created_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)
    token = Text(metadata={"description": "only when created: not shown again"})
    form_url = Text(metadata={"description": "only when created: the personal form"})


class InvitationList(Schema):
    items = fields.List(fields.Nested(InvitationOut))
    next_cursor = Text(allow_none=True)


class MeResponseIn(Schema):
    """Body of ``PUT /me/response``; with ``?format=surveyjs``, a SurveyJS result object."""

    answers = fields.Dict(required=True)  # keys and values: checked against the survey
    complete = Bool(
        load_default=False,
        metadata={"description": "true submits; false (default) saves as you go"},
    )

    @pre_load
    def _surveyjs(self, data: Any, **_kwargs: Any) -> Any:
        """A SurveyJS result is the answers themselves (mapped in the view, which knows the
        survey; completeness then comes from the query)."""
        surveyjs = has_request_context() and request.args.get("format") == "surveyjs"
        if surveyjs and request.get_data(cache=True):  # no body at all: answers are missing
            return {"answers": data}
        return data


class MeResponseQuery(Schema):
    """Query of ``PUT /me/response``."""

    format = Text(
        load_default="json",
        validate=validate.OneOf(["json", "surveyjs"]),
        metadata={"description": "surveyjs: the body is a SurveyJS result (docs/embedding.md)"},
    )
    complete = fields.Boolean(
        metadata={"description": "with format=surveyjs: submit (default true) or save"}
    )


class MeResponseOut(Schema):
    alliance = fields.Dict(metadata={"description": "{id, name}"})
    round = fields.Dict(metadata={"description": "{n, label, status, closes_at}"})
    partner = fields.Dict(metadata={"description": "{key, name}"})
    respondent = Text()
    role = Text()
    label = Text(allow_none=True)
    survey = fields.Dict(metadata={"description": "{id, version}: GET /api/v1/surveys/{id}"})
    answers = fields.Dict()
    complete = fields.Boolean()
    updated_at = fields.DateTime(allow_none=True)


class BulkRow(StoredResponseIn):
    """One row of ``POST .../responses``: a stored response and its respondent reference."""

    respondent = Reference(required=True)


class BulkRowProblems(Schema):
    """A refused row of a bulk write, with every problem it has."""

    row = Text(
        metadata={"description": "the list index (JSON) or the file line (CSV), e.g. 'line 5'"}
    )
    respondent = fields.Raw(allow_none=True, metadata={"description": "as the row gave it"})
    errors = fields.List(fields.Nested("scoring_service.schemas.score.FieldProblemSchema"))


class BulkReport(Schema):
    saved = fields.Integer(metadata={"description": "rows stored"})
    failed = fields.Integer(metadata={"description": "rows refused (nothing of them stored)"})
    errors = fields.List(fields.Nested(BulkRowProblems))


class StakeholderOut(Schema):
    partner = Text()
    respondent = Text()
    role = Text()
    label = Text(allow_none=True)
    created_at = fields.DateTime()


class StakeholderList(Schema):
    items = fields.List(fields.Nested(StakeholderOut))
    next_cursor = Text(allow_none=True)


class ErasureOut(Schema):
    partner = Text()
    respondent = Text()
    responses_deleted = fields.Integer()
    rounds = fields.List(fields.Integer(), metadata={"description": "rounds recomputed"})
