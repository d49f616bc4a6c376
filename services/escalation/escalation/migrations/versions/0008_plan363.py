"""Plan 363/KH-TTCP (2019): the backlog list of complex, prolonged cases and its status history

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 19:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | Sequence[str] | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """A case's entry on the Plan 363 list (central list, plan agreed, agreed deadline, progress) and every
    change to it."""
    op.create_table(
        "plan363_entries",
        sa.Column("case_id", sa.String(length=36), sa.ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("on_central_list", sa.Boolean(), nullable=False),
        sa.Column("review_result", sa.Text(), nullable=True),
        sa.Column("plan_agreed", sa.Boolean(), nullable=False),
        sa.Column("plan_agreed_on", sa.Date(), nullable=True),
        sa.Column("plan_summary", sa.Text(), nullable=True),
        sa.Column("agreed_deadline", sa.Date(), nullable=True),
        sa.Column("lead_agency", sa.String(length=120), nullable=True),
        sa.Column("progress", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("added_by", sa.String(length=120), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "plan363_changes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(length=36), sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("progress", sa.String(length=20), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
    )
    op.create_index("ix_plan363_changes_case_id", "plan363_changes", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_plan363_changes_case_id", table_name="plan363_changes")
    op.drop_table("plan363_changes")
    op.drop_table("plan363_entries")
