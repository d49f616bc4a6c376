"""reference: calendar years, and a holiday's confirmation, note and the day a make-up day stands for

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 22:40:00

The working-day calendar covers the years of ``calendar_years`` (an administrator adds a year with its
days off and make-up days), no longer whatever years its holidays happen to fall in. A database upgraded
from 0011 gets a row for each year its holidays already cover, so its calendar does not change.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0012'
down_revision: Union[str, Sequence[str], None] = '0011'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

BUMP = "UPDATE reference_version SET version = version + 1 WHERE id = 1"


def _bump_triggers(table: str, *, create: bool) -> None:
    """The reference-version triggers of migration 0005 on ``table``."""
    if op.get_bind().dialect.name == "postgresql":
        if create:
            op.execute(
                f"CREATE TRIGGER {table}_bump_reference_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION intake_bump_reference_version()")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_bump_reference_version ON {table}")
        return
    for action in ("INSERT", "UPDATE", "DELETE"):
        name = f"{table}_{action.lower()}_bump_reference_version"
        if create:
            op.execute(f"CREATE TRIGGER {name} AFTER {action} ON {table} BEGIN {BUMP}; END")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")


def upgrade() -> None:
    _bump_triggers('holidays', create=False)  # SQLite's batch mode copies the table, which loses its triggers
    with op.batch_alter_table('holidays') as batch:
        batch.add_column(sa.Column('in_exchange_for', sa.Date(), nullable=True))
        batch.add_column(sa.Column('confirmed', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch.add_column(sa.Column('note', sa.Text(), nullable=True))
    _bump_triggers('holidays', create=True)
    years = op.create_table(
        'calendar_years',
        sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('confirmed', sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column('source', sa.Text(), nullable=False, server_default=''),
        sa.Column('note', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('year'),
    )
    days = [row[0] for row in op.get_bind().execute(sa.text("SELECT date FROM holidays"))]
    found = sorted({d.year if hasattr(d, 'year') else int(str(d)[:4]) for d in days})
    if found:
        op.bulk_insert(years, [{'year': y, 'confirmed': True, 'source': '', 'note': None} for y in range(found[0], found[-1] + 1)])
    _bump_triggers('calendar_years', create=True)


def downgrade() -> None:
    _bump_triggers('calendar_years', create=False)
    op.drop_table('calendar_years')
    _bump_triggers('holidays', create=False)
    with op.batch_alter_table('holidays') as batch:
        batch.drop_column('note')
        batch.drop_column('confirmed')
        batch.drop_column('in_exchange_for')
    _bump_triggers('holidays', create=True)
