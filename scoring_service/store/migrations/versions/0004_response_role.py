"""role per response, idempotency records by alliance

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 21:34:26.781990
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("idempotency", schema=None) as batch_op:
        batch_op.add_column(sa.Column("alliance_id", sa.String(length=32), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_idempotency_alliance_id"), ["alliance_id"], unique=False
        )

    # Nullable first, filled from the stakeholder's role, then required.
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("role", sa.String(length=64), nullable=True))
    op.execute(
        "UPDATE responses SET role = (SELECT stakeholders.role FROM stakeholders "
        "WHERE stakeholders.id = responses.stakeholder_id)"
    )
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.alter_column("role", existing_type=sa.String(length=64), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.drop_column("role")

    with op.batch_alter_table("idempotency", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_alliance_id"))
        batch_op.drop_column("alliance_id")
