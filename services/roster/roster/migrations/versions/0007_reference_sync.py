"""roster's own copy of the working-day calendar, following intake's reference changes

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 19:45:00

- calendar_years, calendar_days: the calendar roster plans with, seeded from reference/holidays-vn.json
  (each year the file knows and the copy does not), then kept in step with intake's administrators'
  changes (intake.reference.changed, holidays). A deleted day stays as kind 'removed' with the version of
  its change, so an older message arriving late cannot bring it back.
- calendar_state: one row whose version moves with every change; API processes rebuild their calendar
  when it differs from theirs.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0007'
down_revision: Union[str, Sequence[str], None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('calendar_years',
                    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
                    sa.Column('status', sa.String(length=20), nullable=False),
                    sa.Column('sources', sa.JSON(), nullable=False),
                    sa.Column('note', sa.Text(), nullable=False),
                    sa.PrimaryKeyConstraint('year'))
    op.create_table('calendar_days',
                    sa.Column('date', sa.Date(), nullable=False),
                    sa.Column('kind', sa.String(length=20), nullable=False),
                    sa.Column('name', sa.String(length=200), nullable=False),
                    sa.Column('source', sa.Text(), nullable=False),
                    sa.Column('confirmed', sa.Boolean(), nullable=False),
                    sa.Column('in_exchange_for', sa.Date(), nullable=True),
                    sa.Column('reference_version', sa.Integer(), nullable=True),
                    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
                    sa.CheckConstraint("kind IN ('holiday', 'working_day', 'removed')", name='ck_calendar_days_kind'),
                    sa.PrimaryKeyConstraint('date'))
    op.create_table('calendar_state',
                    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
                    sa.Column('version', sa.Integer(), nullable=False),
                    sa.CheckConstraint('id = 1', name='ck_calendar_state_one_row'),
                    sa.PrimaryKeyConstraint('id'))
    op.execute("INSERT INTO calendar_state (id, version) VALUES (1, 0)")


def downgrade() -> None:
    op.drop_table('calendar_state')
    op.drop_table('calendar_days')
    op.drop_table('calendar_years')
