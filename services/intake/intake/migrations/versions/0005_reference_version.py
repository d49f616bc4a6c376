"""reference: a version row that every change to the reference tables bumps

Revision ID: 0005
Revises: 0004

API processes keep units, fields, legal rules and holidays in memory
(intake.reference.cache) and reload them when this number moves. Triggers bump
it in the same transaction as the change, whoever makes it: the seed command,
a migration, or an administrator at the SQL prompt.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0005'
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TABLES = ("units", "fields", "legal_rules", "holidays")
BUMP = "UPDATE reference_version SET version = version + 1 WHERE id = 1"


def upgrade() -> None:
    op.create_table(
        "reference_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO reference_version (id, version) VALUES (1, 1)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION intake_bump_reference_version() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {BUMP}; RETURN NULL; END $$"
        )
        for table in TABLES:
            # Once per statement, TRUNCATE included.
            op.execute(
                f"CREATE TRIGGER {table}_bump_reference_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION intake_bump_reference_version()"
            )
    else:  # SQLite: row triggers only
        for table in TABLES:
            for action in ("INSERT", "UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_{action.lower()}_bump_reference_version AFTER {action} ON {table} "
                    f"BEGIN {BUMP}; END"
                )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_bump_reference_version ON {table}")
        op.execute("DROP FUNCTION IF EXISTS intake_bump_reference_version()")
    else:
        for table in TABLES:
            for action in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_{action}_bump_reference_version")
    op.drop_table("reference_version")
