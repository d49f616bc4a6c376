"""petitions: lifecycle steps, matters, repeat suggestions

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 19:00:00

Petition numbers get the ``DON-`` prefix so that they cannot be mistaken for visit serials; the
matter key (shared with visits) and the confidential flag are filled in for existing petitions.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0009'
down_revision: Union[str, Sequence[str], None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _columns():
    return (
        sa.Column('matter_key', sa.String(length=160), nullable=False, server_default=''),
        sa.Column('complaint_round', sa.Integer(), nullable=False, server_default='1'),
        sa.Column('repeat_suggested_of', sa.String(length=36), nullable=True),
        sa.Column('repeat_decision', sa.String(length=20), nullable=True),
        sa.Column('repeat_reason', sa.Text(), nullable=True),
        sa.Column('confidential', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column('lower_unit', sa.String(length=10), nullable=True),
        sa.Column('complexity', sa.String(length=20), nullable=True),
        sa.Column('forward_deadline', sa.Date(), nullable=True),
        sa.Column('paused_on', sa.Date(), nullable=True),
        sa.Column('paused_remaining', sa.Integer(), nullable=True),
        sa.Column('extensions', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('version', sa.Integer(), nullable=False, server_default='1'),
        sa.Column('forwarded_letter_number', sa.String(length=60), nullable=True),
        sa.Column('forwarded_letter_date', sa.Date(), nullable=True),
    )


def _fold(text):
    import unicodedata

    if not text:
        return ""
    stripped = "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))
    return " ".join(stripped.replace("đ", "d").replace("Đ", "D").casefold().split())


def _matter_key(origin_unit, field, subject):
    # The same key as intake.visit.domain.matter_key (copied: a migration must not change with the code).
    key = f"{origin_unit}:{field}"
    folded = _fold(subject)
    if folded:
        key += ":" + "-".join(folded.split())[:100]
    return key


def upgrade() -> None:
    with op.batch_alter_table('petitions', schema=None) as batch_op:
        for column in _columns():
            batch_op.add_column(column)
        batch_op.create_index('ix_petitions_matter_key', ['matter_key'], unique=False)
        batch_op.create_index('ix_petitions_lower_unit', ['lower_unit'], unique=False)
    op.create_table(
        'petition_steps',
        sa.Column('id', BIGINT, autoincrement=True, nullable=False),
        sa.Column('petition_id', sa.String(length=36), nullable=False),
        sa.Column('step', sa.String(length=30), nullable=False),
        sa.Column('from_status', sa.String(length=30), nullable=True),
        sa.Column('to_status', sa.String(length=30), nullable=False),
        sa.Column('taken_on', sa.Date(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('recorded_by', sa.String(length=120), nullable=False),
        sa.Column('basis', sa.Text(), nullable=True),
        sa.Column('details', sa.Text(), nullable=False),
        sa.Column('deadline', sa.Date(), nullable=True),
        sa.Column('on_time', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['petition_id'], ['petitions.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_petition_steps_petition_id', 'petition_steps', ['petition_id'], unique=False)
    op.create_table(
        'petition_handlers',
        sa.Column('petition_id', sa.String(length=36), nullable=False),
        sa.Column('officer', sa.String(length=120), nullable=False),
        sa.Column('assigned_by', sa.String(length=120), nullable=False),
        sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['petition_id'], ['petitions.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('petition_id', 'officer'),
    )
    op.create_table(
        'petition_revisions',
        sa.Column('id', BIGINT, autoincrement=True, nullable=False),
        sa.Column('petition_id', sa.String(length=36), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('before', sa.Text(), nullable=False),
        sa.Column('revised_by', sa.String(length=120), nullable=False),
        sa.Column('revised_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['petition_id'], ['petitions.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_petition_revisions_petition_id', 'petition_revisions', ['petition_id'], unique=False)

    conn = op.get_bind()
    petitions = sa.table('petitions', sa.column('id', sa.String), sa.column('number', sa.String),
                         sa.column('origin_unit', sa.String), sa.column('field_code', sa.String),
                         sa.column('subject', sa.String), sa.column('category', sa.String),
                         sa.column('split_group', sa.String), sa.column('matter_key', sa.String),
                         sa.column('confidential', sa.Boolean))
    rows = conn.execute(sa.select(petitions.c.id, petitions.c.origin_unit, petitions.c.field_code,
                                  petitions.c.subject)).all()
    for pid, origin, field, subject in rows:
        conn.execute(petitions.update().where(petitions.c.id == pid)
                     .values(matter_key=_matter_key(origin, field, subject)))
    conn.execute(petitions.update().where(~petitions.c.number.like('DON-%'))
                 .values(number=sa.literal('DON-') + petitions.c.number))
    denounced_groups = sa.select(petitions.c.split_group).where(
        petitions.c.category == 'denunciation', petitions.c.split_group.is_not(None)).scalar_subquery()
    conn.execute(petitions.update().where(sa.or_(petitions.c.category == 'denunciation',
                                                 petitions.c.split_group.in_(denounced_groups)))
                 .values(confidential=True))


def downgrade() -> None:
    conn = op.get_bind()
    petitions = sa.table('petitions', sa.column('number', sa.String))
    conn.execute(petitions.update().where(petitions.c.number.like('DON-%'))
                 .values(number=sa.func.substr(petitions.c.number, 5)))
    op.drop_index('ix_petition_revisions_petition_id', table_name='petition_revisions')
    op.drop_table('petition_revisions')
    op.drop_table('petition_handlers')
    op.drop_index('ix_petition_steps_petition_id', table_name='petition_steps')
    op.drop_table('petition_steps')
    with op.batch_alter_table('petitions', schema=None) as batch_op:
        batch_op.drop_index('ix_petitions_lower_unit')
        batch_op.drop_index('ix_petitions_matter_key')
        for column in reversed(_columns()):
            batch_op.drop_column(column.name)
