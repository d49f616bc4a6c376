"""one calendar, police on call, dated agencies

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 19:20:00

- holidays: dropped; roster reads the shared working-day calendar (tiepdan_common.calendar) from
  reference/holidays-vn.json, which also knows make-up working Saturdays.
- agencies: valid_from / valid_to (an agency exists from / until a date; null is open) and the name
  of the People's Committee it belongs to (printed on the roster instead of a constant).
- coverage_requirements: a police officer on call on every on-call (midnight to midnight) shift, so the
  police are reachable at every hour; added only where the requirements were already seeded.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0005'
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.drop_table('holidays')
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('valid_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('valid_to', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('unit_name', sa.String(length=200), server_default='', nullable=False))
    op.execute(
        "INSERT INTO coverage_requirements (shift_kind, duty_role, agency_kinds, count, position) "
        "SELECT 'on_call', 'police', 'police', 1, MAX(position) + 1 FROM coverage_requirements "
        "HAVING COUNT(*) > 0 AND SUM(CASE WHEN shift_kind = 'on_call' AND duty_role = 'police' "
        "THEN 1 ELSE 0 END) = 0"
    )


def downgrade() -> None:
    op.execute("DELETE FROM coverage_requirements WHERE shift_kind = 'on_call' AND duty_role = 'police'")
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.drop_column('unit_name')
        batch_op.drop_column('valid_to')
        batch_op.drop_column('valid_from')
    op.create_table('holidays',
                    sa.Column('date', sa.Date(), nullable=False),
                    sa.Column('name', sa.String(length=200), nullable=False),
                    sa.PrimaryKeyConstraint('date'))
