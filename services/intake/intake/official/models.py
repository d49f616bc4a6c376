"""How a visit was received for the official reports: regular, or a leader's periodic or unscheduled reception."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from tiepdan_common.models import UTCDateTime

from ..database import Base, recorded_now

RECEPTION_KINDS = {
    "regular": "Tiếp thường xuyên",
    "periodic": "Tiếp định kỳ của lãnh đạo",
    "unscheduled": "Tiếp đột xuất của lãnh đạo",
}


class ReceptionKind(Base):
    """A visit received by a leader on a scheduled day (định kỳ, Law 42/2013 Arts. 13, 15, 18) or unscheduled
    (đột xuất, Art. 18(3)); a visit without a row was a regular reception at the desk (thường xuyên)."""

    __tablename__ = "official_reception_kinds"

    visit_id: Mapped[str] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    leader: Mapped[str | None] = mapped_column(String(200))
    recorded_by: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=recorded_now)
