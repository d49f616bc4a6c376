"""search: trigram indexes on the folded search text (PostgreSQL with pg_trgm only)

Revision ID: 0004
Revises: 0003

A search for a rare word otherwise scans every visit. Where pg_trgm cannot be
created (no privilege, not installed) the indexes are skipped and search still
works, by scanning; SQLite always scans.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

INDEXES = (("ix_visits_search_trgm", "visits"), ("ix_petitions_search_trgm", "petitions"))


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError:
        return
    for name, table in INDEXES:
        bind.execute(sa.text(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (search_text gin_trgm_ops)"))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for name, _table in INDEXES:
        bind.execute(sa.text(f"DROP INDEX IF EXISTS {name}"))
