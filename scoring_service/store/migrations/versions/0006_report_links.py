"""report links

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_links",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("alliance_id", sa.String(length=32), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("round_n", sa.Integer(), nullable=True),
        sa.Column("view", sa.String(length=16), nullable=False),
        sa.Column("partner_key", sa.String(length=64), nullable=True),
        sa.Column("include_text", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["alliance_id"],
            ["alliances.id"],
            name=op.f("fk_report_links_alliance_id_alliances"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["key_id"],
            ["api_keys.id"],
            name=op.f("fk_report_links_key_id_api_keys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_links")),
        sa.UniqueConstraint("digest", name=op.f("uq_report_links_digest")),
    )
    with op.batch_alter_table("report_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_report_links_alliance_id"), ["alliance_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_report_links_key_id"), ["key_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("report_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_links_key_id"))
        batch_op.drop_index(batch_op.f("ix_report_links_alliance_id"))
    op.drop_table("report_links")
