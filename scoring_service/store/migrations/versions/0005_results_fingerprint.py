"""results keyed by a fingerprint of everything that changes the document

The results table is a cache: it is emptied and rebuilt with ``fingerprint`` (engine and
library versions, settings, survey file hash) in place of ``engine_version``; documents are
recomputed on their next read.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 08:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _results(key: str, length: int) -> None:
    """The results table, keyed by ``key`` (a string column of ``length``)."""
    op.create_table(
        "results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("viewer", sa.String(length=80), nullable=False),
        sa.Column("round_version", sa.Integer(), nullable=False),
        sa.Column(key, sa.String(length=length), nullable=False),
        sa.Column("etag", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_results_round_id_rounds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_results")),
        sa.UniqueConstraint(
            "round_id",
            "viewer",
            "round_version",
            key,
            name=op.f(f"uq_results_round_id_viewer_round_version_{key}"),
        ),
    )


def upgrade() -> None:
    op.drop_table("results")
    _results("fingerprint", 64)


def downgrade() -> None:
    op.drop_table("results")
    _results("engine_version", 32)
