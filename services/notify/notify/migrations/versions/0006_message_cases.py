"""message cases: a message about several cases (a hot spot's) is found under each

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 19:15:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | Sequence[str] | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('message_cases',
    sa.Column('message_id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['inbox_messages.id'], ),
    sa.PrimaryKeyConstraint('message_id', 'case_id')
    )
    op.create_index('ix_message_cases_case_id', 'message_cases', ['case_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_message_cases_case_id', table_name='message_cases')
    op.drop_table('message_cases')
