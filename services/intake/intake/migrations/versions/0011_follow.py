"""petitions keep the unit versions in force on their day of receipt

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 19:55:00

Like visits (0008), a petition keeps the version of its receiving and origin units in force on its
``received_on``. Petitions registered before: that version; failing one (a unit code recorded after its
version ended), the last version of the code begun by that day, else its first.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0011'
down_revision: Union[str, Sequence[str], None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('petitions') as batch:
        batch.add_column(sa.Column('receiving_unit_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('origin_unit_id', sa.Integer(), nullable=True))
        batch.create_index('ix_petitions_receiving_unit_id', ['receiving_unit_id'])
        batch.create_index('ix_petitions_origin_unit_id', ['origin_unit_id'])
    for column, code in (('receiving_unit_id', 'receiving_unit'), ('origin_unit_id', 'origin_unit')):
        op.execute(
            f"UPDATE petitions SET {column} = COALESCE("
            f"(SELECT u.id FROM units u WHERE u.code = petitions.{code} AND u.valid_from <= petitions.received_on"
            f" AND (u.valid_to IS NULL OR u.valid_to >= petitions.received_on)),"
            f"(SELECT u.id FROM units u WHERE u.code = petitions.{code} AND u.valid_from <= petitions.received_on"
            f" ORDER BY u.valid_from DESC LIMIT 1),"
            f"(SELECT min(u.id) FROM units u WHERE u.code = petitions.{code}))"
        )


def downgrade() -> None:
    with op.batch_alter_table('petitions') as batch:
        batch.drop_index('ix_petitions_origin_unit_id')
        batch.drop_index('ix_petitions_receiving_unit_id')
        batch.drop_column('origin_unit_id')
        batch.drop_column('receiving_unit_id')
