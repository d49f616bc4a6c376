"""case public title, one open hot spot per place

Revision ID: 0004
Revises: 0003

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("status IN ('watching', 'active')")


def upgrade() -> None:
    """The title police, province and events see; a unique open hot spot per unit and field."""
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_title", sa.String(length=400), nullable=True))
    # Titles made from events are safe to show; a title typed by an officer (source manual) is not.
    op.execute("UPDATE cases SET public_title = title WHERE id NOT IN "
               "(SELECT case_id FROM case_sources WHERE source_type = 'manual')")
    op.create_index("uq_hotspots_open_place", "hotspots", ["unit", "field_code"], unique=True,
                    sqlite_where=OPEN, postgresql_where=OPEN)


def downgrade() -> None:
    op.drop_index("uq_hotspots_open_place", table_name="hotspots")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("public_title")
