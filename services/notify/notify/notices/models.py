"""A notice (thông báo) or report (báo cáo) sent to a distribution list, and who it was sent to."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tiepdan_common.models import UTCDateTime, utcnow

from ..database import Base

KINDS = ("notice", "report")


class Notice(Base):
    """What the board sent, to which list, when and by whom; each recipient's message is in the inbox table."""

    __tablename__ = "notices"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    kind: Mapped[str] = mapped_column(String(10), default="notice")
    list_name: Mapped[str] = mapped_column(String(80))
    list_title: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    attachment_url: Mapped[str | None] = mapped_column(String(1000))
    sent_by: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_notices_created", "created_at"),)


class NoticeRecipient(Base):
    """One recipient of a notice: the list member that named them (the plan's words), their name, their message."""

    __tablename__ = "notice_recipients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    notice_id: Mapped[str] = mapped_column(String(36), ForeignKey("notices.id"), index=True)
    message_id: Mapped[str] = mapped_column(String(36), ForeignKey("inbox_messages.id"))
    recipient: Mapped[str] = mapped_column(String(40))
    name: Mapped[str | None] = mapped_column(String(200))
    member: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (UniqueConstraint("notice_id", "recipient", name="uq_notice_recipient"),)
