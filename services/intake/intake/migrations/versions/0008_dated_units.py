"""reference: dated units with a surrogate identity and successors

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 19:00:00

Units become dated versions (``id`` is the version's identity; a code may recur under a new
parent), linked by successions (merges, splits, renames, abolitions) with their legal act.
Holidays gain a kind (a make-up working day is a row of kind ``working_day``), legal rules a
``confirmed`` flag and a note, and administrators' changes an audit table. Visits keep the unit
versions in force on their day, a channel, a version count and their voiding; earlier versions go
to ``visit_versions``. Citizens gain two blind indexes (full name, phone) for finding them again.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | Sequence[str] | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BUMP = "UPDATE reference_version SET version = version + 1 WHERE id = 1"


def _bump_triggers(table: str, *, create: bool) -> None:
    """The reference-version triggers of migration 0005 on ``table``."""
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
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


def _true() -> str:
    return "true" if op.get_bind().dialect.name == "postgresql" else "1"


def upgrade() -> None:
    # 1. Units as dated versions with a surrogate id.
    _bump_triggers("units", create=False)
    op.create_table(
        "units_dated",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False, server_default=""),
        sa.Column("confirmed", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code", "valid_from", name="uq_units_code_valid_from"),
    )
    op.execute("INSERT INTO units_dated (code, name, level, valid_from, valid_to, source, confirmed) "
               f"SELECT code, name, level, valid_from, valid_to, '', {_true()} FROM units ORDER BY code")
    op.execute("UPDATE units_dated SET parent_id = (SELECT p.id FROM units_dated p JOIN units o "
               "ON o.parent_code = p.code WHERE o.code = units_dated.code)")
    op.drop_table("units")
    op.rename_table("units_dated", "units")
    with op.batch_alter_table("units") as batch:
        batch.create_index("ix_units_code", ["code"])
        batch.create_foreign_key("fk_units_parent", "units", ["parent_id"], ["id"])
    _bump_triggers("units", create=True)

    op.create_table(
        "unit_successions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("predecessor_id", sa.Integer(), sa.ForeignKey("units.id"), nullable=False),
        sa.Column("successor_id", sa.Integer(), sa.ForeignKey("units.id"), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("legal_act", sa.Text(), nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("predecessor_id", "successor_id", name="uq_unit_successions_pair"),
    )
    op.create_index("ix_unit_successions_predecessor_id", "unit_successions", ["predecessor_id"])
    op.create_index("ix_unit_successions_successor_id", "unit_successions", ["successor_id"])
    _bump_triggers("unit_successions", create=True)

    # 2. Holidays and make-up working days; rules' confirmation; the administrators' audit.
    with op.batch_alter_table("holidays") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=20), nullable=False, server_default="holiday"))
        batch.add_column(sa.Column("source", sa.Text(), nullable=True))
    with op.batch_alter_table("legal_rules") as batch:
        batch.add_column(sa.Column("confirmed", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch.add_column(sa.Column("note", sa.Text(), nullable=True))
    for table in ("holidays", "legal_rules"):  # SQLite rebuilt these tables, and their triggers with them
        _bump_triggers(table, create=False)
        _bump_triggers(table, create=True)
    op.create_table(
        "reference_changes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("actor_kind", sa.String(length=20), nullable=False),
        sa.Column("table_name", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("record_key", sa.String(length=120), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("request_id", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_reference_changes_at", "reference_changes", ["changed_at", "id"])

    # 3. Visits: unit versions, channel, corrections and voiding; citizens' search indexes.
    with op.batch_alter_table("visits") as batch:
        batch.add_column(sa.Column("receiving_unit_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("origin_unit_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("channel", sa.String(length=20), nullable=False, server_default="in_person"))
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("void_reason", sa.Text(), nullable=True))
        batch.create_index("ix_visits_receiving_unit_id", ["receiving_unit_id"])
        batch.create_index("ix_visits_origin_unit_id", ["origin_unit_id"])
    # Visits recorded before: the one version each code had (the 2024 seed).
    for column, code in (("receiving_unit_id", "receiving_unit"), ("origin_unit_id", "origin_unit")):
        op.execute(f"UPDATE visits SET {column} = (SELECT min(u.id) FROM units u WHERE u.code = visits.{code})")
    with op.batch_alter_table("visit_citizens") as batch:
        batch.add_column(sa.Column("full_name_index", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("phone_index", sa.String(length=64), nullable=True))
        batch.create_index("ix_visit_citizens_full_name_index", ["full_name_index"])
        batch.create_index("ix_visit_citizens_phone_index", ["phone_index"])
    op.create_table(
        "visit_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("visit_id", sa.String(length=36), sa.ForeignKey("visits.id", ondelete="CASCADE"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changed_by", sa.String(length=120), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_visit_versions_visit_id", "visit_versions", ["visit_id"])


def downgrade() -> None:
    op.drop_index("ix_visit_versions_visit_id", table_name="visit_versions")
    op.drop_table("visit_versions")
    with op.batch_alter_table("visit_citizens") as batch:
        batch.drop_index("ix_visit_citizens_phone_index")
        batch.drop_index("ix_visit_citizens_full_name_index")
        batch.drop_column("phone_index")
        batch.drop_column("full_name_index")
    with op.batch_alter_table("visits") as batch:
        batch.drop_index("ix_visits_origin_unit_id")
        batch.drop_index("ix_visits_receiving_unit_id")
        for column in ("void_reason", "voided_at", "version", "channel", "origin_unit_id", "receiving_unit_id"):
            batch.drop_column(column)
    op.drop_index("ix_reference_changes_at", table_name="reference_changes")
    op.drop_table("reference_changes")
    with op.batch_alter_table("legal_rules") as batch:
        batch.drop_column("note")
        batch.drop_column("confirmed")
    with op.batch_alter_table("holidays") as batch:
        batch.drop_column("source")
        batch.drop_column("kind")
    for table in ("holidays", "legal_rules"):
        _bump_triggers(table, create=False)
        _bump_triggers(table, create=True)
    _bump_triggers("unit_successions", create=False)
    op.drop_table("unit_successions")
    # Back to one row per code: the newest version of each.
    _bump_triggers("units", create=False)
    op.create_table(
        "units_by_code",
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("parent_code", sa.String(length=10), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("code"),
    )
    op.execute("INSERT INTO units_by_code (code, name, level, parent_code, valid_from, valid_to) "
               "SELECT u.code, u.name, u.level, p.code, u.valid_from, u.valid_to FROM units u "
               "LEFT JOIN units p ON p.id = u.parent_id "
               "WHERE u.valid_from = (SELECT max(n.valid_from) FROM units n WHERE n.code = u.code)")
    op.drop_table("units")
    op.rename_table("units_by_code", "units")
    _bump_triggers("units", create=True)
