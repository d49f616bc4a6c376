"""unit names: notify's copy of intake's unit versions, seeded from the files, kept by its events

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 22:15:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | Sequence[str] | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('unit_names',
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('reference_version', sa.Integer(), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('code', 'valid_from')
    )


def downgrade() -> None:
    op.drop_table('unit_names')
