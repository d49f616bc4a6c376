"""a reception day held by a deputy on a chair's behalf

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 19:40:00

Until 30 June 2026 a chair could delegate a reception day to a deputy; from 1 July 2026 (Law
136/2025/QH15) that is no longer allowed. on_behalf_of names the chair whose duty the day answers.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('reception_days', schema=None) as batch_op:
        batch_op.add_column(sa.Column('on_behalf_of', sa.String(length=40), nullable=True))
        batch_op.create_foreign_key('fk_reception_on_behalf_of', 'officers', ['on_behalf_of'], ['code'],
                                    ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('reception_days', schema=None) as batch_op:
        batch_op.drop_constraint('fk_reception_on_behalf_of', type_='foreignkey')
        batch_op.drop_column('on_behalf_of')
