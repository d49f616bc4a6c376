"""outbox: an insert notifies the relay at commit (PostgreSQL)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 14:40:00

The relay LISTENs and publishes at once instead of at its next poll.
"""
from typing import Sequence, Union

from alembic import op

from tiepdan_common.migrations import create_outbox_notify_trigger_v1, drop_outbox_notify_trigger_v1

revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    create_outbox_notify_trigger_v1(op)


def downgrade() -> None:
    drop_outbox_notify_trigger_v1(op)
