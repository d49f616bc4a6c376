"""The record of who was told about a case (or an event): each message with its deliveries and its proof."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..audience.models import Contact
from ..delivery import domain
from ..delivery.models import Delivery
from ..inbox.models import InboxMessage, MessageCase


def told(*, db_session: Session, case_id: str | None, event_id: str | None, limit: int) -> list[dict]:
    """Messages about the case (or the event), oldest first, each with its recipient's name when known,
    its deliveries, and whether it was delivered and acknowledged (:func:`notify.delivery.domain.proof`)."""
    stmt = select(InboxMessage)
    if case_id:  # about the case itself, or naming it among others (a hot spot's cases)
        stmt = stmt.where(
            or_(
                InboxMessage.case_id == case_id,
                InboxMessage.id.in_(select(MessageCase.message_id).where(MessageCase.case_id == case_id)),
            )
        )
    if event_id:
        stmt = stmt.where(InboxMessage.event_id == event_id)
    messages = list(db_session.scalars(stmt.order_by(InboxMessage.created_at, InboxMessage.recipient).limit(limit)))
    ids = [m.id for m in messages]
    by_message: dict[str, list[Delivery]] = {}
    for delivery in db_session.scalars(
        select(Delivery).where(Delivery.message_id.in_(ids)).order_by(Delivery.step, Delivery.channel)
    ):
        by_message.setdefault(delivery.message_id, []).append(delivery)
    names = dict(
        db_session.execute(
            select(Contact.code, Contact.full_name).where(Contact.code.in_({m.recipient for m in messages}))
        ).all()
    )
    return [
        {
            "message_id": m.id,
            "recipient": m.recipient,
            "name": names.get(m.recipient),
            "event_id": m.event_id,
            "event_type": m.event_type,
            "case_id": m.case_id,
            "title": m.title,
            "urgent": m.urgent,
            "via_fallback": m.via_fallback,
            "rule": m.rule,
            "created_at": m.created_at,
            **domain.proof(m, by_message.get(m.id, [])),
            "deliveries": by_message.get(m.id, []),
        }
        for m in messages
    ]
