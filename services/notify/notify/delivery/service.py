"""Planning deliveries from ladders, cancelling them, retrying by hand, and reading the record (sending is
:mod:`notify.delivery.sender`)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tiepdan_common.errors import Problem

from ..audience.recipients import Recipient
from ..inbox.models import InboxMessage
from . import domain
from .models import Delivery, DeliveryAttempt

OPEN = ("pending",)


def plan_rows(*, message_id: str, recipient: Recipient, steps: list[dict], now: dt.datetime) -> list[dict]:
    """The deliveries of one message as rows (every column): a webhook for a system, the ladder's steps for an
    officer. For a caller that writes many at once (``tiepdan_common.db.insert_rows``); else see :func:`plan`."""
    if recipient.is_system:
        steps = [{"after_seconds": 0, "channels": ["webhook"]}]
    elif recipient.is_contact or recipient.unreachable:  # a body at fixed addresses: each of them at once
        steps = [{"after_seconds": 0, "channels": sorted(recipient.channels) or ["none"]}]
    rows = []
    for step, channel, due in domain.ladder_plan(steps, now):
        row = {
            "id": str(uuid.uuid4()),
            "message_id": message_id,
            "recipient": recipient.code,
            "channel": channel,
            "address": recipient.channels.get(channel),
            "step": step,
            "status": "pending",
            "attempts": 0,
            "due_at": due,
            "next_attempt_at": due,
            "claimed_until": None,
            "last_error": None,
            "provider_answer": None,
            "sent_at": None,
            "reported_at": None,
            "created_at": now,
            "updated_at": now,
        }
        if channel == "inbox":  # the message row is the inbox: stored is delivered
            row.update(status="sent", attempts=1, sent_at=now, provider_answer="stored in the in-app inbox")
        elif channel == "none":  # nobody and nothing to send to: recorded, and reported like a dead delivery
            row.update(status="skipped", last_error=recipient.unreachable or "no address or channel")
        rows.append(row)
    return rows


def plan(
    *, db_session: Session, message: InboxMessage, recipient: Recipient, steps: list[dict], now: dt.datetime
) -> list[Delivery]:
    """The deliveries of one message, added to the session: see :func:`plan_rows`."""
    deliveries = [
        Delivery(**row) for row in plan_rows(message_id=message.id, recipient=recipient, steps=steps, now=now)
    ]
    db_session.add_all(deliveries)
    return deliveries


def cancel_open(*, db_session: Session, message_ids: list[str], now: dt.datetime, reason: str) -> int:
    """Stop the ladder of these messages: what is not yet sent is cancelled (webhooks to systems go on)."""
    if not message_ids:
        return 0
    result = db_session.execute(
        update(Delivery)
        .where(Delivery.message_id.in_(message_ids), Delivery.status.in_(OPEN), Delivery.channel != "webhook")
        .values(status="cancelled", last_error=reason, updated_at=now)
    )
    return result.rowcount or 0


def retry(*, db_session: Session, delivery_id: str, now: dt.datetime) -> Delivery:
    """Try a dead (or skipped) delivery again now, by hand: one more attempt."""
    delivery = db_session.get(Delivery, delivery_id)
    if delivery is None:
        raise Problem(404, "No such delivery.")
    if delivery.status not in ("dead", "skipped", "pending"):
        raise Problem(409, f"A {delivery.status} delivery cannot be retried.", code="conflict")
    if delivery.status == "dead":
        # One more attempt: the next failure makes it dead again.
        delivery.attempts = max(delivery.attempts - 1, 0)
    delivery.status, delivery.next_attempt_at, delivery.claimed_until = "pending", now, None
    delivery.reported_at, delivery.updated_at = None, now
    return delivery


def get(*, db_session: Session, delivery_id: str) -> Delivery:
    delivery = db_session.get(Delivery, delivery_id)
    if delivery is None:
        raise Problem(404, "No such delivery.")
    return delivery


def attempts_of(*, db_session: Session, delivery_id: str) -> list[DeliveryAttempt]:
    return list(
        db_session.scalars(
            select(DeliveryAttempt).where(DeliveryAttempt.delivery_id == delivery_id).order_by(DeliveryAttempt.number)
        )
    )


def failures(*, db_session: Session, limit: int) -> dict:
    """Deliveries that could not be made: dead after their attempts, or skipped (no address, no channel);
    how many of each, how many the board has not been told of yet, and the newest of them."""
    undelivered = Delivery.status.in_(("dead", "skipped"))
    counts = {"dead": 0, "skipped": 0}
    counts.update(
        db_session.execute(select(Delivery.status, func.count()).where(undelivered).group_by(Delivery.status)).all()
    )
    unreported = db_session.scalar(
        select(func.count()).select_from(Delivery).where(undelivered, Delivery.reported_at.is_(None))
    )
    rows = db_session.scalars(
        select(Delivery).where(undelivered).order_by(Delivery.updated_at.desc(), Delivery.id).limit(limit)
    )
    return {"counts": counts, "unreported": unreported, "deliveries": list(rows)}


def search(
    *,
    db_session: Session,
    status: str | None,
    recipient: str | None,
    message_id: str | None,
    case_id: str | None,
    channel: str | None,
    limit: int,
) -> list[Delivery]:
    """Deliveries, newest first, filtered (the record of who was told, when, and how)."""
    stmt = select(Delivery)
    if case_id:
        stmt = stmt.join(InboxMessage, InboxMessage.id == Delivery.message_id).where(InboxMessage.case_id == case_id)
    for column, value in (
        (Delivery.status, status),
        (Delivery.recipient, recipient),
        (Delivery.message_id, message_id),
        (Delivery.channel, channel),
    ):
        if value:
            stmt = stmt.where(column == value)
    return list(db_session.scalars(stmt.order_by(Delivery.created_at.desc(), Delivery.id).limit(limit)))
