"""Visits seen (no personal data), hot-spot rules, hot spots and their cases."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tiepdan_common.models import UTCDateTime, utcnow

from ..case.models import Case
from ..database import Base


class VisitRecord(Base):
    """A visit as intake announced it: unit, field, size, mass, time. No names, no content."""

    __tablename__ = "visit_records"

    visit_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    unit: Mapped[str] = mapped_column(String(10))
    field_code: Mapped[str] = mapped_column(String(40))
    group_size: Mapped[int] = mapped_column(Integer)
    is_mass: Mapped[bool] = mapped_column(Boolean)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    matter_key: Mapped[str | None] = mapped_column(String(160))

    __table_args__ = (
        Index("ix_visit_records_window", "unit", "field_code", "received_at"),
        Index("ix_visit_records_received", "received_at"),
    )


class HotspotRule(Base):
    """Over ``window_days``, at least each non-null threshold, gives a hot spot of ``status``."""

    __tablename__ = "hotspot_rules"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    name: Mapped[str] = mapped_column(String(120), unique=True)
    window_days: Mapped[int] = mapped_column(Integer, default=7)
    min_mass_visits: Mapped[int | None] = mapped_column(Integer)
    min_citizens: Mapped[int | None] = mapped_column(Integer)
    min_incidents: Mapped[int | None] = mapped_column(Integer)
    field_code: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10), default="active")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # What a window counts: one commune and field, one field across the whole unit, or one matter.
    scope: Mapped[str] = mapped_column(String(20), default="commune_field", server_default="commune_field")
    # A hot spot of this rule with no mass visit and no incident in its window for this many days cools down.
    cool_down_days: Mapped[int | None] = mapped_column(Integer)


class Hotspot(Base):
    """A place and field where complaints concentrate: watching, active, then defused."""

    __tablename__ = "hotspots"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    unit: Mapped[str] = mapped_column(String(10))
    field_code: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10))
    rule: Mapped[str] = mapped_column(String(120))
    scope: Mapped[str] = mapped_column(String(20), default="commune_field", server_default="commune_field")
    matter_key: Mapped[str] = mapped_column(String(160), default="", server_default="")
    # "manual" (an officer) or "cooled" (by rule).
    defused_by: Mapped[str | None] = mapped_column(String(20))
    owner: Mapped[str | None] = mapped_column(String(120))
    mass_visits: Mapped[int] = mapped_column(Integer, default=0)
    citizens: Mapped[int] = mapped_column(Integer, default=0)
    incidents: Mapped[int] = mapped_column(Integer, default=0)
    detected_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    activated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    defused_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(String(2000))

    __table_args__ = (
        Index("ix_hotspots_place", "unit", "field_code", "status"),
        # One open hot spot per place and field: a second consumer replica racing to create it fails and retries.
        Index(
            "uq_hotspots_open_place",
            "scope",
            "unit",
            "field_code",
            "matter_key",
            unique=True,
            sqlite_where=text("status IN ('watching', 'active')"),
            postgresql_where=text("status IN ('watching', 'active')"),
        ),
    )


class HotspotCase(Base):
    """A case linked to a hot spot."""

    __tablename__ = "hotspot_cases"

    hotspot_id: Mapped[str] = mapped_column(ForeignKey("hotspots.id", ondelete="CASCADE"), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    # Never read (code uses the ids): a flush inserts the hot spot and the case before the link (lazy="raise":
    # no hidden query), so that a batch's new cases, hot spots and links are written by one flush.
    hotspot: Mapped[Hotspot] = relationship(lazy="raise")
    case: Mapped[Case] = relationship(lazy="raise")
