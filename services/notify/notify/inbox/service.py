"""Putting messages in inboxes, and reading and acknowledging them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from tiepdan_common.errors import Problem
from tiepdan_common.identity import Identity

from .models import InboxMessage


def own_code(identity: Identity) -> str | None:
    """The recipient the caller is: an officer's code; the province's system for a province client (what is
    pushed to its webhook is in this inbox too)."""
    if identity.officer:
        return identity.officer
    return "system:province" if identity.kind == "province" else None


def recipient_for(identity: Identity, requested: str | None) -> str:
    """Whose inbox the caller reads: an officer their own, the province its system's; an admin or the board any."""
    if identity.kind == "province" and not identity.officer and requested in (None, "system:province"):
        return "system:province"
    if requested and requested != identity.officer:
        if identity.kind == "admin" or "board" in identity.roles:
            return requested
        raise Problem(403, "You may read only your own inbox.", code="forbidden")
    if not identity.officer:
        raise Problem(
            422,
            "Name the officer whose inbox to read.",
            code="validation_failed",
            errors=[{"field": "recipient", "message": "required for callers that are not officers"}],
        )
    return identity.officer


def list_messages(*, db_session: Session, recipient: str, unread: bool, limit: int) -> list[InboxMessage]:
    stmt = select(InboxMessage).where(InboxMessage.recipient == recipient)
    if unread:
        stmt = stmt.where(InboxMessage.read_at.is_(None))
    return list(db_session.scalars(stmt.order_by(InboxMessage.created_at.desc()).limit(limit)))


def _own(db_session: Session, identity: Identity, message_id: str) -> InboxMessage:
    message = db_session.get(InboxMessage, message_id)
    if message is None or (message.recipient != own_code(identity) and identity.kind != "admin"):
        raise Problem(404, "No such message.")
    return message


def mark_read(*, db_session: Session, identity: Identity, message_id: str, now: dt.datetime) -> InboxMessage:
    message = _own(db_session, identity, message_id)
    message.read_at = message.read_at or now
    return message


def acknowledge(
    *, db_session: Session, identity: Identity, message_id: str, via: str = "inbox", now: dt.datetime
) -> InboxMessage:
    """Acknowledge a message (first acknowledgement wins, stops its ladder, tells escalation)."""
    from ..ack.service import acknowledge as ack  # ack builds on the inbox's model

    message = _own(db_session, identity, message_id)
    return ack(db_session=db_session, message=message, via=via, now=now)
