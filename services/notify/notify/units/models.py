"""Notify's copy of intake's unit versions: a code's name from one day to another."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tiepdan_common.models import UTCDateTime

from ..database import Base


class UnitName(Base):
    """One version of a unit's name; seeded from the reference files, then kept by intake's changes."""

    __tablename__ = "unit_names"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    valid_from: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    valid_to: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    name: Mapped[str] = mapped_column(String(300))
    # A version intake deleted is kept, marked, so that an older change arriving later does not bring it back.
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    # intake's reference version of the change written here (None: from the files).
    reference_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    changed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
