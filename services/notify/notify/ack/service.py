"""Acknowledging a message, whatever the channel; the first acknowledgement counts and is announced."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from tiepdan_common.errors import Problem

from .. import signing
from ..audience.models import Contact
from ..audience.recipients import channels_of
from ..database import outbox
from ..delivery import service as deliveries
from ..inbox.models import InboxMessage

CODE = re.compile(r"\b(\d{6})\b")
# Messages whose acknowledgement says "I have this message", not "I am on the case": the event escalation
# hears names no case for them, so a task's owner or the province never stops a case's escalation.
NOT_ABOUT_ESCALATION = (
    "notify.notice.sent",
    "escalation.province_request.updated",
    "escalation.task.assigned",
    "escalation.task.overdue",
    "escalation.incident.updated",
)


def escalation_case(message: InboxMessage) -> str | None:
    """The case whose escalation an acknowledgement of ``message`` stops (none for a system's or a notice's)."""
    if message.recipient.startswith("system:") or message.event_type in NOT_ABOUT_ESCALATION:
        return None
    return message.case_id


def acknowledge(*, db_session: Session, message: InboxMessage, via: str, now: dt.datetime) -> InboxMessage:
    """Acknowledge ``message`` (reading is implied); on the first time stop its ladder and tell escalation."""
    message.read_at = message.read_at or now
    if message.acknowledged_at is None:
        message.acknowledged_at, message.acknowledged_via = now, via
        deliveries.cancel_open(
            db_session=db_session, message_ids=[message.id], now=now, reason=f"acknowledged by {via}"
        )
        outbox.add(
            db_session,
            "notify.message.acknowledged",
            {
                "message_id": message.id,
                "recipient": message.recipient,
                "event_id": message.event_id,
                "event_type": message.event_type,
                "case_id": escalation_case(message),
                "via": via,
                "acknowledged_at": now.isoformat(),
            },
        )
    return message


def _digits(phone: str | None) -> str:
    digits = re.sub(r"\D", "", phone or "")
    return "84" + digits[1:] if digits.startswith("0") else digits  # 0299... and +84299... are one number


def by_sms(*, db_session: Session, sender: str | None, text: str, now: dt.datetime) -> InboxMessage:
    """Acknowledge the message whose code the officer texted back (from the phone roster knows, if it is known)."""
    found = CODE.search(text or "")
    if not found:
        raise Problem(
            422,
            "The SMS holds no six-digit code.",
            code="validation_failed",
            errors=[{"field": "text", "message": "no six-digit acknowledgement code"}],
        )
    candidates = list(
        db_session.scalars(
            select(InboxMessage).where(InboxMessage.ack_code == found.group(1)).order_by(InboxMessage.created_at.desc())
        )
    )
    if sender:
        phone = _digits(sender)
        owners = {
            c.code
            for c in db_session.scalars(select(Contact).where(Contact.code.in_({m.recipient for m in candidates})))
            if _digits(channels_of(c.channels).get("sms")) == phone
        }
        candidates = [m for m in candidates if m.recipient in owners]
    open_ = [m for m in candidates if m.acknowledged_at is None]
    if not (open_ or candidates):
        raise Problem(404, "No message has this code for this sender.")
    return acknowledge(db_session=db_session, message=(open_ or candidates)[0], via="sms", now=now)


def by_token(*, db_session: Session, secret: str, token: str, now: dt.datetime) -> InboxMessage:
    """Acknowledge the message named by an email link's signed token."""
    try:
        message_id = signing.read_token(secret, token, now=now.timestamp())
    except signing.SignatureError as exc:
        raise Problem(403, f"This acknowledgement link is not valid: {exc}.", code="invalid_token") from exc
    message = db_session.get(InboxMessage, message_id)
    if message is None:
        raise Problem(404, "No such message.")
    return acknowledge(db_session=db_session, message=message, via="email", now=now)


def stop_case(*, db_session: Session, case_id: str, now: dt.datetime, reason: str, closed: bool = True) -> int:
    """Stop the ladders about a case: every one when it is closed; when it is acknowledged, its alerts' (a
    task's owner is still reminded)."""
    stmt = select(InboxMessage.id).where(InboxMessage.case_id == case_id)
    if not closed:
        stmt = stmt.where(InboxMessage.event_type.not_in(NOT_ABOUT_ESCALATION))
    ids = list(db_session.scalars(stmt))
    return deliveries.cancel_open(db_session=db_session, message_ids=ids, now=now, reason=reason)
