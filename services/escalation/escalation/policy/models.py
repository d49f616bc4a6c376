"""Escalation policies, the escalation of each case (its timer), and the steps already sent."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tiepdan_common.models import UTCDateTime, utcnow

from ..case.models import Case
from ..database import Base
from .domain import DEFAULT_TRIGGERS


class EscalationPolicy(Base):
    """Ordered steps (target, wait), repeats, and when the policy applies (severity, public order, hours)."""

    __tablename__ = "escalation_policies"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    name: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[int] = mapped_column(Integer, default=100)
    severities: Mapped[list] = mapped_column(JSON, default=list)
    public_order_only: Mapped[bool] = mapped_column(Boolean, default=False)
    hours_from: Mapped[int | None] = mapped_column(Integer)
    hours_to: Mapped[int | None] = mapped_column(Integer)
    # The case.opened event already tells the officers on duty: the first step comes after this wait.
    first_wait_minutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    steps: Mapped[list] = mapped_column(JSON, default=list)
    repeat_from: Mapped[int | None] = mapped_column(Integer)
    max_repeats: Mapped[int] = mapped_column(Integer, default=0)
    progress_timeout_minutes: Mapped[int] = mapped_column(Integer, default=60)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # After progress, the next report is due within this (a case is chased until closed); None: not chased.
    check_in_minutes: Mapped[int | None] = mapped_column(Integer, default=240, server_default="240")
    # A case's group crossing one of these sizes is a change that matters.
    group_size_thresholds: Mapped[list | None] = mapped_column(JSON, default=lambda: [20, 50])
    # The changes that start the escalation again (see policy.domain.CHANGE_KINDS).
    reescalate_on: Mapped[list | None] = mapped_column(JSON, default=lambda: list(DEFAULT_TRIGGERS))
    # Deleted policies are kept for the escalations that ran on them, but never chosen or listed.
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class Escalation(Base):
    """A case's escalation: the next step and when it is due (``next_step_at``), kept in the database."""

    __tablename__ = "escalations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    policy_id: Mapped[str] = mapped_column(ForeignKey("escalation_policies.id"))
    status: Mapped[str] = mapped_column(String(20), default="active")
    cycle: Mapped[int] = mapped_column(Integer, default=0)
    step_index: Mapped[int] = mapped_column(Integer, default=0)
    repeat: Mapped[int] = mapped_column(Integer, default=0)
    next_step_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(120))
    steps_sent: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Optimistic lock: an UPDATE that finds another version changed nothing (SQLite has no row locks).
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The policy as it was when this escalation (or its current cycle) started: editing it changes nothing here.
    policy_snapshot: Mapped[dict | None] = mapped_column(JSON)
    # Steps that could not be sent in a row (each went to the fallback target instead).
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Never read (code uses case_id): a flush inserts the case first (see CaseSource.case).
    case: Mapped[Case] = relationship(lazy="raise")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it at class creation
    __table_args__ = (Index("ix_escalations_due", "status", "next_step_at"),)


class EscalationStep(Base):
    """A step that was sent; the unique key makes a second send of the same step impossible."""

    __tablename__ = "escalation_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id", ondelete="CASCADE"), index=True)
    cycle: Mapped[int] = mapped_column(Integer)
    repeat: Mapped[int] = mapped_column(Integer)
    step_index: Mapped[int] = mapped_column(Integer)
    target_type: Mapped[str] = mapped_column(String(30))
    target_value: Mapped[str | None] = mapped_column(String(120))
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    event_id: Mapped[str] = mapped_column(String(36))

    __table_args__ = (UniqueConstraint("escalation_id", "cycle", "repeat", "step_index", name="uq_escalation_step"),)
