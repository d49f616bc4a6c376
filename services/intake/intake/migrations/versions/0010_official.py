"""official reports: how a visit was received (regular, a leader's periodic or unscheduled reception)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 19:40:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0010'
down_revision: Union[str, Sequence[str], None] = '0009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'official_reception_kinds',
        sa.Column('visit_id', sa.String(length=36), sa.ForeignKey('visits.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('leader', sa.String(length=200), nullable=True),
        sa.Column('recorded_by', sa.String(length=120), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('official_reception_kinds')
