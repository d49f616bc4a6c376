"""policy first wait

Revision ID: 0003
Revises: 0002

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """A policy's wait before its first step (case.opened already told the officers on duty)."""
    with op.batch_alter_table("escalation_policies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_wait_minutes", sa.Integer(), server_default="0", nullable=False))
    # The seeded policies as first released started at once; give them their first wait.
    policies = sa.table("escalation_policies", sa.column("name", sa.String),
                        sa.column("first_wait_minutes", sa.Integer))
    for name, minutes in (("critical-public-order", 5), ("mass-office-hours", 10), ("mass-after-hours", 10)):
        op.execute(policies.update().where(policies.c.name == name).values(first_wait_minutes=minutes))


def downgrade() -> None:
    with op.batch_alter_table("escalation_policies", schema=None) as batch_op:
        batch_op.drop_column("first_wait_minutes")
