"""tasks, province request deadlines, daily summaries sent

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 19:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | Sequence[str] | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Tasks on cases; a request's deadline alarm, claimed once; when a dialogue was held; incidents closed
    by the police; how a daily summary was sent (on time or caught up)."""
    op.create_table(
        "case_tasks",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column("case_id", sa.String(length=36), sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("owner", sa.String(length=40), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by", sa.String(length=120), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_case_tasks_case", "case_tasks", ["case_id", "due_at"])
    op.create_index("ix_case_tasks_due", "case_tasks", ["status", "due_at"])
    with op.batch_alter_table("province_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deadline_alarmed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_province_requests_deadline", ["status", "deadline"])
    with op.batch_alter_table("dialogues", schema=None) as batch_op:
        batch_op.add_column(sa.Column("held_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=10), nullable=False, server_default="open"))
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("outcome", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("daily_summaries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("late", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("daily_summaries", schema=None) as batch_op:
        batch_op.drop_column("late")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        for column in ("updated_at", "outcome", "closed_at", "status"):
            batch_op.drop_column(column)
    with op.batch_alter_table("dialogues", schema=None) as batch_op:
        batch_op.drop_column("held_at")
    with op.batch_alter_table("province_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_province_requests_deadline")
        batch_op.drop_column("deadline_alarmed_at")
    op.drop_index("ix_case_tasks_due", table_name="case_tasks")
    op.drop_index("ix_case_tasks_case", table_name="case_tasks")
    op.drop_table("case_tasks")
