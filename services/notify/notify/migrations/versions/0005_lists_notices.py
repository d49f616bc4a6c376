"""distribution lists as data, notices to them

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 19:00:00

Lists get a title, a source and a time of change; the board's notices and their recipients get tables.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | Sequence[str] | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('distribution_lists', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('source', sa.String(length=400), nullable=True))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table('notices',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('list_name', sa.String(length=80), nullable=False),
    sa.Column('list_title', sa.String(length=200), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('attachment_url', sa.String(length=1000), nullable=True),
    sa.Column('sent_by', sa.String(length=80), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_notices_created', 'notices', ['created_at'], unique=False)
    op.create_table('notice_recipients',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('notice_id', sa.String(length=36), nullable=False),
    sa.Column('message_id', sa.String(length=36), nullable=False),
    sa.Column('recipient', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('member', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['message_id'], ['inbox_messages.id'], ),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('notice_id', 'recipient', name='uq_notice_recipient')
    )
    op.create_index('ix_notice_recipients_notice_id', 'notice_recipients', ['notice_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_notice_recipients_notice_id', table_name='notice_recipients')
    op.drop_table('notice_recipients')
    op.drop_index('ix_notices_created', table_name='notices')
    op.drop_table('notices')
    with op.batch_alter_table('distribution_lists', schema=None) as batch_op:
        batch_op.drop_column('updated_at')
        batch_op.drop_column('source')
        batch_op.drop_column('title')
