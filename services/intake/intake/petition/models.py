"""The petitions book: petitions, their senders, decisions, and overdue notices."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tiepdan_common.models import BigIntPK, UTCDateTime

from ..database import Base, recorded_now


def _uuid() -> str:
    return str(uuid.uuid4())


class Petition(Base):
    """A petition (đơn): complaint, denunciation, recommendation or feedback, with its handling."""

    __tablename__ = "petitions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    receiving_unit: Mapped[str] = mapped_column(String(10))
    # The unit versions in force on the day of receipt (migration 0011), as a visit keeps them.
    receiving_unit_id: Mapped[int | None] = mapped_column(Integer, index=True)
    origin_unit_id: Mapped[int | None] = mapped_column(Integer, index=True)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    received_on: Mapped[dt.date] = mapped_column(Date)  # the local day of receipt, from which deadlines count
    channel: Mapped[str] = mapped_column(String(20))
    visit_id: Mapped[str | None] = mapped_column(ForeignKey("visits.id"))
    forwarded_by: Mapped[str | None] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(20))
    field_code: Mapped[str] = mapped_column(String(40))
    origin_unit: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str | None] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    prior_handling: Mapped[str | None] = mapped_column(Text)
    citizen_request: Mapped[str | None] = mapped_column(Text)
    # Subject, content and request folded for search (intake.text.fold); on PostgreSQL a pg_trgm GIN index
    # (migration 0004, outside the metadata because it is PostgreSQL-only) serves LIKE '%...%'.
    search_text: Mapped[str] = mapped_column(Text, default="")
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    verifiable: Mapped[bool] = mapped_column(Boolean, default=False)
    violator: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    handled_as_denunciation: Mapped[bool] = mapped_column(Boolean, default=False)
    multi_site: Mapped[bool] = mapped_column(Boolean, default=False)
    sender_count: Mapped[int] = mapped_column(Integer, default=0)
    split_group: Mapped[str | None] = mapped_column(String(36), index=True)
    split_from: Mapped[str | None] = mapped_column(String(36))
    repeat_of: Mapped[str | None] = mapped_column(String(36), index=True)
    repeat_count: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(30))
    stage: Mapped[str | None] = mapped_column(String(30))
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    inform_deadline: Mapped[dt.date | None] = mapped_column(Date)
    citizen_informed_on: Mapped[dt.date | None] = mapped_column(Date)
    decision: Mapped[str | None] = mapped_column(String(30))
    forwarded_to: Mapped[str | None] = mapped_column(String(200))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(120))
    resolved_on: Mapped[dt.date | None] = mapped_column(Date)
    resolution: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=recorded_now)
    # Lifecycle (migration 0009): the matter it belongs to (shared with visits), its round, repeat suggestion.
    matter_key: Mapped[str] = mapped_column(String(160), default="", index=True)
    complaint_round: Mapped[int] = mapped_column(Integer, default=1)
    repeat_suggested_of: Mapped[str | None] = mapped_column(String(36))
    repeat_decision: Mapped[str | None] = mapped_column(String(20))
    repeat_reason: Mapped[str | None] = mapped_column(Text)
    # True for a denunciation and every record split from or linked to one: the denouncer is hidden entirely.
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    lower_unit: Mapped[str | None] = mapped_column(String(10), index=True)
    complexity: Mapped[str | None] = mapped_column(String(20))
    forward_deadline: Mapped[dt.date | None] = mapped_column(Date)
    paused_on: Mapped[dt.date | None] = mapped_column(Date)
    paused_remaining: Mapped[int | None] = mapped_column(Integer)
    extensions: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # A petition forwarded by another body: that body's letter (công văn chuyển đơn).
    forwarded_letter_number: Mapped[str | None] = mapped_column(String(60))
    forwarded_letter_date: Mapped[dt.date | None] = mapped_column(Date)

    senders: Mapped[list[PetitionSender]] = relationship(
        back_populates="petition", cascade="all, delete-orphan", order_by="PetitionSender.position", lazy="selectin"
    )
    decisions: Mapped[list[PetitionDecision]] = relationship(
        cascade="all, delete-orphan", order_by="PetitionDecision.id", lazy="selectin"
    )

    __table_args__ = (
        Index("ix_petitions_unit_received", "receiving_unit", "received_at", "id"),
        Index("ix_petitions_received", "received_at", "id"),
        Index("ix_petitions_stage_deadline", "stage", "deadline"),
        Index("ix_petitions_matter", "origin_unit", "field_code", "category"),
    )


class PetitionSender(Base):
    """A sender of a petition; identity encrypted at rest, blind indexes to find repeats."""

    __tablename__ = "petition_senders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    petition_id: Mapped[str] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    full_name: Mapped[str] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)
    id_number: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(Text)
    id_index: Mapped[str | None] = mapped_column(String(64), index=True)
    name_index: Mapped[str | None] = mapped_column(String(64), index=True)
    is_representative: Mapped[bool] = mapped_column(Boolean, default=False)

    petition: Mapped[Petition] = relationship(back_populates="senders")


class PetitionDecision(Base):
    """A handling decision taken on a petition, with the deadline it carries."""

    __tablename__ = "petition_decisions"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    petition_id: Mapped[str] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"), index=True)
    decision: Mapped[str] = mapped_column(String(30))
    forwarded_to: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    on_time: Mapped[bool] = mapped_column(Boolean, default=True)
    decided_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    decided_by: Mapped[str] = mapped_column(String(120))
    citizen_informed_on: Mapped[dt.date | None] = mapped_column(Date)


class PetitionStep(Base):
    """One step of a petition's life: dated, by whom, on what legal basis, with the deadline it set."""

    __tablename__ = "petition_steps"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    petition_id: Mapped[str] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"), index=True)
    step: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(30))
    to_status: Mapped[str] = mapped_column(String(30))
    taken_on: Mapped[dt.date] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=recorded_now)
    recorded_by: Mapped[str] = mapped_column(String(120))
    basis: Mapped[str | None] = mapped_column(Text)
    details: Mapped[str] = mapped_column(Text, default="{}")  # JSON: the step's own fields
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    on_time: Mapped[bool] = mapped_column(Boolean, default=True)


class PetitionHandler(Base):
    """An officer assigned to handle a petition: the need to know that unmasking a denouncer requires."""

    __tablename__ = "petition_handlers"

    petition_id: Mapped[str] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"), primary_key=True)
    officer: Mapped[str] = mapped_column(String(120), primary_key=True)
    assigned_by: Mapped[str] = mapped_column(String(120))
    assigned_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=recorded_now)


class PetitionRevision(Base):
    """An earlier version of a corrected or voided petition (its non-identity fields, as JSON)."""

    __tablename__ = "petition_revisions"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    petition_id: Mapped[str] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    before: Mapped[str] = mapped_column(Text)
    revised_by: Mapped[str] = mapped_column(String(120))
    revised_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=recorded_now)


class PetitionCounter(Base):
    """The last petition number given by a receiving unit for a year."""

    __tablename__ = "petition_counters"

    unit: Mapped[str] = mapped_column(String(10), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class OverdueNotice(Base):
    """``intake.petition.overdue`` was emitted for this petition and stage (once: the primary key guards it)."""

    __tablename__ = "petition_overdue_notices"

    petition_id: Mapped[str] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"), primary_key=True)
    stage: Mapped[str] = mapped_column(String(30), primary_key=True)
    deadline: Mapped[dt.date] = mapped_column(Date)
    notified_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=recorded_now)


class PetitionImage(Base):
    """A scanned page or handwriting of a petition: identity data, encrypted at rest, read only with identity:read."""

    __tablename__ = "petition_images"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    petition_id: Mapped[str] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)  # Fernet token of the image bytes
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=recorded_now)
