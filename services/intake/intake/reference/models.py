"""Reference tables: they change by adding rows with a new effective date, never by editing code."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..database import Base


class Unit(Base):
    """An administrative unit (province, district, commune) as it stood between two dates."""

    __tablename__ = "units"

    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(20))
    parent_code: Mapped[str | None] = mapped_column(String(10))
    valid_from: Mapped[dt.date] = mapped_column(Date, default=dt.date(2000, 1, 1))
    valid_to: Mapped[dt.date | None] = mapped_column(Date)


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


class Holiday(Base):
    """A public holiday or compensatory day off; working-day deadlines skip it."""

    __tablename__ = "holidays"

    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class ReferenceVersion(Base):
    """One row whose ``version`` every change to the tables above bumps (database triggers, migration 0005).

    API processes keep the reference tables in memory and reload them when this number moves
    (``intake.reference.cache``).
    """

    __tablename__ = "reference_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=1)
