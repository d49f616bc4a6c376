"""The reception register's tables."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tiepdan_common.models import UTCDateTime

from ..database import Base, recorded_now


def new_id() -> str:
    """A new record id (a random UUID as text)."""
    return str(uuid.uuid4())


class Visit(Base):
    """A reception visit (lượt tiếp): one or more citizens at a desk, at a time and place."""

    __tablename__ = "visits"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    serial: Mapped[str] = mapped_column(String(40), unique=True)
    receiving_unit: Mapped[str] = mapped_column(String(10))
    # The unit versions in force on the day of the visit (reference.models.Unit.id), kept as recorded.
    receiving_unit_id: Mapped[int | None] = mapped_column(Integer, index=True)
    origin_unit_id: Mapped[int | None] = mapped_column(Integer, index=True)
    channel: Mapped[str] = mapped_column(String(20), default="in_person", server_default="in_person")
    receiving_officer: Mapped[str | None] = mapped_column(String(120))
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    category: Mapped[str] = mapped_column(String(20))
    field_code: Mapped[str] = mapped_column(String(40))
    origin_unit: Mapped[str] = mapped_column(String(10))
    content: Mapped[str] = mapped_column(Text)
    prior_handling: Mapped[str | None] = mapped_column(Text)
    citizen_request: Mapped[str | None] = mapped_column(Text)
    group_size: Mapped[int] = mapped_column(Integer)
    is_mass: Mapped[bool] = mapped_column(Boolean)
    over_level: Mapped[bool] = mapped_column(Boolean, default=False)
    subject: Mapped[str | None] = mapped_column(String(200))
    # Subject, content and request folded for search (intake.text.fold); on PostgreSQL a pg_trgm GIN index
    # (migration 0004, outside the metadata because it is PostgreSQL-only) serves LIKE '%...%'.
    search_text: Mapped[str] = mapped_column(Text, default="")
    matter_key: Mapped[str] = mapped_column(String(160), default="")
    repeat_of: Mapped[str | None] = mapped_column(String(36), index=True)
    repeat_count: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str] = mapped_column(String(40))
    competent_body: Mapped[str | None] = mapped_column(String(200))
    refusal_ground: Mapped[str | None] = mapped_column(String(60))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=recorded_now)
    # Corrections and voiding keep the earlier version in visit_versions; version counts them.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    voided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    void_reason: Mapped[str | None] = mapped_column(Text)

    citizens: Mapped[list[VisitCitizen]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="VisitCitizen.position", lazy="selectin"
    )

    __table_args__ = (
        Index("ix_visits_unit_received", "receiving_unit", "received_at", "id"),
        Index("ix_visits_received", "received_at", "id"),
        Index("ix_visits_matter", "origin_unit", "field_code", "category"),
        # Mass visits, newest first, without walking the whole register (migration 0007).
        Index(
            "ix_visits_mass_received",
            "received_at",
            "id",
            postgresql_where=text("is_mass IS TRUE"),
            sqlite_where=text("is_mass IS TRUE"),
        ),
    )

    @property
    def representative_count(self) -> int:
        return sum(1 for c in self.citizens if c.is_representative)


class VisitCitizen(Base):
    """A citizen at a visit; representatives of a group are marked; identity encrypted at rest."""

    __tablename__ = "visit_citizens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    visit_id: Mapped[str] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    # Identity fields are encrypted at rest (see intake.confidential); the indexes are blind HMACs.
    full_name: Mapped[str] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)
    id_number: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(Text)
    id_index: Mapped[str | None] = mapped_column(String(64), index=True)
    name_index: Mapped[str | None] = mapped_column(String(64), index=True)
    # Blind indexes for finding a returning citizen (visit.finder): full name folded, phone digits.
    full_name_index: Mapped[str | None] = mapped_column(String(64), index=True)
    phone_index: Mapped[str | None] = mapped_column(String(64), index=True)
    is_representative: Mapped[bool] = mapped_column(Boolean, default=False)

    visit: Mapped[Visit] = relationship(back_populates="citizens")


class SerialCounter(Base):
    """The last serial number given in a receiving unit's register for a year."""

    __tablename__ = "serial_counters"

    unit: Mapped[str] = mapped_column(String(10), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class VisitVersion(Base):
    """A visit as it stood before a correction or its voiding, with who changed it, when and why."""

    __tablename__ = "visit_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    visit_id: Mapped[str] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    changed_by: Mapped[str] = mapped_column(String(120))
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=recorded_now)
    before: Mapped[dict] = mapped_column(JSON)
