"""Escalation's copy of the administrative units, kept from intake's intake.reference.changed

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 22:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tiepdan_common.models import UTCDateTime

revision: str = '0009'
down_revision: str | Sequence[str] | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Unit versions (names, level, parent, validity) as intake has them; `seed` fills it from the files."""
    op.create_table(
        "units",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=True),
        sa.Column("parent", sa.String(length=10), nullable=True),
        sa.Column("intake_id", sa.Integer(), nullable=True),
        sa.Column("removed", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("reference_version", sa.Integer(), nullable=True),
        sa.Column("changed_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("code", "valid_from", name="uq_units_code_valid_from"),
    )


def downgrade() -> None:
    op.drop_table("units")
