"""cases: one open case per matter, policy snapshots, change events

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 19:00:00

- A partial unique index keeps one case open per matter, whoever opens it (two
  consumers, an officer, a police incident, a province request).
- Each escalation keeps the policy it started with (``policy_snapshot``), so
  editing or deleting a policy never breaks a running one; ``failures`` counts
  steps that could not be sent (each goes to the fallback target instead).
- Policies gain a progress check-in interval, the group sizes whose crossing
  re-escalates, the changes that re-escalate, and a soft delete.
- Cases can be merged (``merged_into``) and linked (``case_links``).
- Hot spots by scope (commune and field, field across the unit, matter), rules
  that cool a hot spot down, and police alerts about a hot spot (no case).
"""
import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | Sequence[str] | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOT_CLOSED = sa.text("status <> 'closed'")
OPEN_HOTSPOT = sa.text("status IN ('watching', 'active')")
TRIGGERS = '["group_size", "severity", "public_order", "visit_joined", "hotspot_linked"]'


def _dedupe_open_matters() -> None:
    """Cases opened twice for one matter before this index: the later ones get a matter key of their own."""
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, matter_key, number FROM cases WHERE status <> 'closed' "
                                "ORDER BY matter_key, opened_at, id")).all()
    seen = set()
    for case_id, matter_key, number in rows:
        if matter_key in seen:
            bind.execute(sa.text("UPDATE cases SET matter_key = :key WHERE id = :id"),
                         {"key": f"{matter_key}#{number}"[:120], "id": case_id})
        seen.add(matter_key)


def _snapshot_running() -> None:
    """Running escalations keep the policy they run on now."""
    bind = op.get_bind()
    policies = {row.id: row for row in bind.execute(sa.text(
        "SELECT id, name, steps, repeat_from, max_repeats, progress_timeout_minutes, first_wait_minutes "
        "FROM escalation_policies")).all()}
    for esc_id, policy_id in bind.execute(sa.text("SELECT id, policy_id FROM escalations")).all():
        policy = policies.get(policy_id)
        if policy is None:
            continue
        steps = policy.steps if not isinstance(policy.steps, str) else json.loads(policy.steps)
        snapshot = {"name": policy.name, "steps": steps, "repeat_from": policy.repeat_from,
                    "max_repeats": policy.max_repeats, "progress_timeout_minutes": policy.progress_timeout_minutes,
                    "first_wait_minutes": policy.first_wait_minutes, "check_in_minutes": 240}
        bind.execute(sa.text("UPDATE escalations SET policy_snapshot = :snap WHERE id = :id"),
                     {"snap": json.dumps(snapshot), "id": esc_id})


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merged_into", sa.String(length=36), nullable=True))
    _dedupe_open_matters()
    op.create_index("uq_cases_open_matter", "cases", ["matter_key"], unique=True,
                    sqlite_where=NOT_CLOSED, postgresql_where=NOT_CLOSED)
    op.create_table(
        "case_links",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("linked_case_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["linked_case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "linked_case_id", name="uq_case_link"),
    )
    op.create_index("ix_case_links_linked", "case_links", ["linked_case_id"])
    with op.batch_alter_table("escalations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("policy_snapshot", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("failures", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("escalation_policies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("check_in_minutes", sa.Integer(), nullable=True, server_default="240"))
        batch_op.add_column(sa.Column("group_size_thresholds", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("reescalate_on", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(sa.text(f"UPDATE escalation_policies SET group_size_thresholds = '[20, 50]', "
                       f"reescalate_on = '{TRIGGERS}'"))
    _snapshot_running()
    # Hot spots by scope, cooling down by rule; alerts about a hot spot have no case.
    with op.batch_alter_table("hotspot_rules", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scope", sa.String(length=20), nullable=False,
                                      server_default="commune_field"))
        batch_op.add_column(sa.Column("cool_down_days", sa.Integer(), nullable=True))
    op.drop_index("uq_hotspots_open_place", table_name="hotspots")
    with op.batch_alter_table("hotspots", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scope", sa.String(length=20), nullable=False,
                                      server_default="commune_field"))
        batch_op.add_column(sa.Column("matter_key", sa.String(length=160), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("defused_by", sa.String(length=20), nullable=True))
    op.create_index("uq_hotspots_open_place", "hotspots", ["scope", "unit", "field_code", "matter_key"],
                    unique=True, sqlite_where=OPEN_HOTSPOT, postgresql_where=OPEN_HOTSPOT)
    with op.batch_alter_table("visit_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("matter_key", sa.String(length=160), nullable=True))
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.alter_column("case_id", existing_type=sa.String(length=36), nullable=True)
        batch_op.add_column(sa.Column("hotspot_id", sa.String(length=36), nullable=True))
        batch_op.create_foreign_key("fk_alerts_hotspot", "hotspots", ["hotspot_id"], ["id"], ondelete="CASCADE")


def downgrade() -> None:
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_constraint("fk_alerts_hotspot", type_="foreignkey")
        batch_op.drop_column("hotspot_id")
    op.execute(sa.text("DELETE FROM alerts WHERE case_id IS NULL"))
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.alter_column("case_id", existing_type=sa.String(length=36), nullable=False)
    with op.batch_alter_table("visit_records", schema=None) as batch_op:
        batch_op.drop_column("matter_key")
    op.drop_index("uq_hotspots_open_place", table_name="hotspots")
    op.execute(sa.text("DELETE FROM hotspots WHERE scope <> 'commune_field'"))
    with op.batch_alter_table("hotspots", schema=None) as batch_op:
        batch_op.drop_column("defused_by")
        batch_op.drop_column("matter_key")
        batch_op.drop_column("scope")
    op.create_index("uq_hotspots_open_place", "hotspots", ["unit", "field_code"], unique=True,
                    sqlite_where=OPEN_HOTSPOT, postgresql_where=OPEN_HOTSPOT)
    with op.batch_alter_table("hotspot_rules", schema=None) as batch_op:
        batch_op.drop_column("cool_down_days")
        batch_op.drop_column("scope")
    with op.batch_alter_table("escalation_policies", schema=None) as batch_op:
        batch_op.drop_column("deleted_at")
        batch_op.drop_column("reescalate_on")
        batch_op.drop_column("group_size_thresholds")
        batch_op.drop_column("check_in_minutes")
    with op.batch_alter_table("escalations", schema=None) as batch_op:
        batch_op.drop_column("failures")
        batch_op.drop_column("policy_snapshot")
    op.drop_index("ix_case_links_linked", table_name="case_links")
    op.drop_table("case_links")
    op.drop_index("uq_cases_open_matter", table_name="cases")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("merged_into")
