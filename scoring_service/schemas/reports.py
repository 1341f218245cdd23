"""marshmallow schemas of the report links (``/alliances/{id}/report-links``)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .fields import Bool, Text

MAX_ROUND = 2147483647


class ReportLinkIn(Schema):
    """Body of ``POST .../report-links``."""

    round = fields.Integer(
        strict=True,
        validate=validate.Range(min=1, max=MAX_ROUND),
        metadata={"description": "the round of a round report (default: the latest)"},
    )
    scope = Text(
        load_default="round",
        validate=validate.OneOf(["round", "alliance"]),
        metadata={"description": "round: one round's report; alliance: every round's"},
    )
    view = Text(
        validate=validate.OneOf(["joint", "own"]),
        metadata={
            "description": "joint (the admin's default and only view): what both partners may "
            "see; own (a partner key's): what that partner may see"
        },
    )
    include_text = Bool(
        load_default=False,
        metadata={
            "description": "quote free-text answers, shuffled and unattributed, of a partner "
            "with at least min_group_size respondents who answered the item"
        },
    )
    expires_in_days = fields.Integer(
        strict=True,
        load_default=30,
        validate=validate.Range(min=1, max=90),
        metadata={"description": "the link stops working after this many days (at most 90)"},
    )


class ReportLinkOut(Schema):
    id = Text()
    url = Text(metadata={"description": "only when created: the page's address, not shown again"})
    scope = Text(metadata={"enum": ["round", "alliance"]})
    round = fields.Integer(allow_none=True)
    view = Text(metadata={"enum": ["joint", "own"]})
    partner = Text(allow_none=True, metadata={"description": "whose own view"})
    include_text = fields.Boolean()
    created_at = fields.DateTime()
    expires_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)


class ReportLinkList(Schema):
    items = fields.List(fields.Nested(ReportLinkOut))
