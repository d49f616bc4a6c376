"""The audit log of every unmasked read of a citizen's identity."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tiepdan_common.models import BigIntPK, UTCDateTime

from ..database import Base, recorded_now


class IdentityRead(Base):
    """Who read which record's identity fields unmasked, when (Law on Denunciation, Art. 56)."""

    __tablename__ = "identity_reads"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    read_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=recorded_now)
    reader: Mapped[str] = mapped_column(String(120))
    reader_kind: Mapped[str] = mapped_column(String(20))
    reader_unit: Mapped[str | None] = mapped_column(String(10))
    officer: Mapped[str | None] = mapped_column(String(120))
    record_type: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[str] = mapped_column(String(36))
    person_count: Mapped[int] = mapped_column()
    request_id: Mapped[str | None] = mapped_column(String(100))
    purpose: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_identity_reads_record", "record_type", "record_id"),
        Index("ix_identity_reads_read_at", "read_at", "id"),
    )
