"""Reference tables: they change by adding rows with a new effective date, never by editing code."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from tiepdan_common.models import BigIntPK, UTCDateTime

from ..database import Base, recorded_now


class Unit(Base):
    """One version of an administrative unit: its code, name, level and parent between two dates.

    ``id`` is the version's stable identity; records keep it. A code may appear in several versions
    (a merged commune keeping an old code under a new parent), never two in force on the same day
    (checked by ``reference.admin``). ``valid_to`` is the last day in force (inclusive), None while in force.
    """

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(Text, default="")
    confirmed: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("code", "valid_from", name="uq_units_code_valid_from"),)


class UnitSuccession(Base):
    """A unit version followed by another (merge, split, rename, abolition), by a legal act."""

    __tablename__ = "unit_successions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    predecessor_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    successor_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    effective_on: Mapped[dt.date] = mapped_column(Date)
    legal_act: Mapped[str] = mapped_column(Text)
    confirmed: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (UniqueConstraint("predecessor_id", "successor_id", name="uq_unit_successions_pair"),)


class Field(Base):
    """A field of petitions (lĩnh vực), mapped to the department responsible for it."""

    __tablename__ = "fields"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    agency_code: Mapped[str] = mapped_column(String(40))


class LegalRule(Base):
    """A legal number (threshold, deadline) in force from a date, with its legal source."""

    __tablename__ = "legal_rules"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    effective_from: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    value: Mapped[object] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(Text)
    confirmed: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str | None] = mapped_column(Text)


class Holiday(Base):
    """A public holiday or compensatory day off (``kind`` holiday), or a Saturday or Sunday made a working
    day in exchange for one (``kind`` working_day, ngày làm bù); working-day deadlines follow both."""

    __tablename__ = "holidays"

    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="holiday")
    source: Mapped[str | None] = mapped_column(Text)
    # For a make-up working day: the weekday off it compensates (hoán đổi), when the source names it.
    in_exchange_for: Mapped[dt.date | None] = mapped_column(Date)
    confirmed: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str | None] = mapped_column(Text)


class CalendarYear(Base):
    """A year the working-day calendar knows: its days off and make-up days are in ``holidays``.

    A date outside these years has no working-day count (422 ``outside_calendar``), never a guess.
    """

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    confirmed: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str | None] = mapped_column(Text)


class ReferenceChange(Base):
    """The audit of every change an administrator made to reference data through the API."""

    __tablename__ = "reference_changes"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=recorded_now)
    actor: Mapped[str] = mapped_column(String(120))
    actor_kind: Mapped[str] = mapped_column(String(20))
    table_name: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(20))
    record_key: Mapped[str] = mapped_column(String(120))
    before: Mapped[object | None] = mapped_column(JSON)
    after: Mapped[object | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    request_id: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (Index("ix_reference_changes_at", "changed_at", "id"),)


class ReferenceVersion(Base):
    """One row whose ``version`` every change to the tables above bumps (database triggers, migration 0005).

    API processes keep the reference tables in memory and reload them when this number moves
    (``intake.reference.cache``).
    """

    __tablename__ = "reference_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=1)
