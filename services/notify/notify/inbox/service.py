"""Putting messages in inboxes, and reading and acknowledging them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tiepdan_common.errors import Problem
from tiepdan_common.identity import Identity
from tiepdan_common.models import utcnow

from .models import InboxMessage


def deliver(*, db_session: Session, recipient: str, event_id: str, event_type: str, case_id: str | None,
            severity: str, title: str, body: str, ack_code: str, via_fallback: bool) -> InboxMessage | None:
    """Put one message in one inbox, unless this event already reached this person."""
    exists = db_session.scalar(
        select(InboxMessage.id).where(InboxMessage.event_id == event_id, InboxMessage.recipient == recipient)
    )
    if exists:
        return None
    message = InboxMessage(recipient=recipient, event_id=event_id, event_type=event_type, case_id=case_id,
                           severity=severity, title=title, body=body, ack_code=ack_code, via_fallback=via_fallback)
    db_session.add(message)
    return message


def recipient_for(identity: Identity, requested: str | None) -> str:
    """Whose inbox the caller reads: an officer their own; an admin or the board any."""
    if requested and requested != identity.officer:
        if identity.kind == "admin" or "board" in identity.roles:
            return requested
        raise Problem(403, "You may read only your own inbox.", code="forbidden")
    if not identity.officer:
        raise Problem(422, "Name the officer whose inbox to read.", code="validation_failed",
                      errors=[{"field": "recipient", "message": "required for callers that are not officers"}])
    return identity.officer


def list_messages(*, db_session: Session, recipient: str, unread: bool, limit: int) -> list[InboxMessage]:
    stmt = select(InboxMessage).where(InboxMessage.recipient == recipient)
    if unread:
        stmt = stmt.where(InboxMessage.read_at.is_(None))
    return list(db_session.scalars(stmt.order_by(InboxMessage.created_at.desc()).limit(limit)))


def _own(db_session: Session, identity: Identity, message_id: str) -> InboxMessage:
    message = db_session.get(InboxMessage, message_id)
    if message is None or (message.recipient != identity.officer and identity.kind != "admin"):
        raise Problem(404, "No such message.")
    return message


def mark_read(*, db_session: Session, identity: Identity, message_id: str) -> InboxMessage:
    message = _own(db_session, identity, message_id)
    message.read_at = message.read_at or utcnow()
    return message


def acknowledge(*, db_session: Session, identity: Identity, message_id: str, via: str = "inbox") -> InboxMessage:
    """Acknowledge a message (first acknowledgement wins); reading is implied."""
    message = _own(db_session, identity, message_id)
    now = utcnow()
    message.read_at = message.read_at or now
    if message.acknowledged_at is None:
        message.acknowledged_at, message.acknowledged_via = now, via
    return message
