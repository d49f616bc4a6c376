"""The unit versions escalation names places by: seeded from reference/units-*.json, kept by intake's events."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tiepdan_common.models import UTCDateTime

from ..database import Base


class UnitVersion(Base):
    """One version of a unit as intake has it (``code@valid_from`` is its key in intake's events).

    ``reference_version`` is intake's version of the last change applied (None for a row from the files), so
    a change older than the row is ignored; ``removed`` keeps a deleted version from being seeded again.
    """

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(10))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str | None] = mapped_column(String(20))
    parent: Mapped[str | None] = mapped_column(String(10))
    intake_id: Mapped[int | None] = mapped_column(Integer)
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    reference_version: Mapped[int | None] = mapped_column(Integer)
    changed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("code", "valid_from", name="uq_units_code_valid_from"),)
