"""Token versions of clients and officer accounts: raised to end the tokens already issued.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("api_clients", "user_accounts"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("token_version", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    for table in ("api_clients", "user_accounts"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("token_version")
