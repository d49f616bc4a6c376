"""Sending what is due: claiming deliveries (two senders never send one twice), one attempt each over its
channel, and its outcome written at once: sent, retried with backoff, dead after its attempts, skipped."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import random
from collections.abc import Callable

from sqlalchemy import bindparam, insert, or_, select, update

from tiepdan_common.db import Database

from .. import signing
from ..audience.models import Contact
from ..audience.recipients import channels_of
from ..channels import ChannelError, Outgoing
from ..config import NotifySettings
from ..inbox.models import InboxMessage
from . import domain
from .models import Delivery, DeliveryAttempt

log = logging.getLogger(__name__)


def ack_url(settings: NotifySettings, message_id: str, now: dt.datetime) -> str:
    """The signed link that acknowledges a message."""
    expires = int(now.timestamp() + settings.ack_token_days * 86400)
    token = signing.make_token(settings.ack_secret, message_id, expires)
    return f"{settings.public_url.rstrip('/')}/ack/{token}"


def _claim(db: Database, *, now: dt.datetime, limit: int, lease: float) -> list[str]:
    """Claim due deliveries; rows another worker holds are skipped, and a claim is a compare-and-set."""
    with db.session() as session:
        ids = session.scalars(
            select(Delivery.id)
            .where(
                Delivery.status == "pending",
                Delivery.next_attempt_at <= now,
                or_(Delivery.claimed_until.is_(None), Delivery.claimed_until < now),
            )
            .order_by(Delivery.next_attempt_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        if not ids:
            return []
        # One compare-and-set for all of them (SQLite has no row locks: the conditions are what keeps
        # two senders apart there); the ids that came back are this sender's, in the order they are due.
        table = Delivery.__table__
        claimed = set(
            session.scalars(
                update(table)
                .where(
                    table.c.id.in_(ids),
                    table.c.status == "pending",
                    or_(table.c.claimed_until.is_(None), table.c.claimed_until < now),
                )
                .values(claimed_until=now + dt.timedelta(seconds=lease))
                .returning(table.c.id)
            )
        )
    return [delivery_id for delivery_id in ids if delivery_id in claimed]


def _outgoing(delivery: Delivery, message: InboxMessage, address: str, settings: NotifySettings, now) -> Outgoing:
    return Outgoing(
        delivery_id=delivery.id,
        message_id=message.id,
        event_id=message.event_id,
        event_type=message.event_type,
        case_id=message.case_id,
        recipient=message.recipient,
        address=address,
        urgent=message.urgent,
        title=message.title,
        body=message.body,
        title_en=message.title_en,
        body_en=message.body_en,
        ack_code=message.ack_code,
        ack_url=ack_url(settings, message.id, now) if delivery.channel != "webhook" else None,
        data=message.data or {},
    )


_DELIVERIES, _ATTEMPTS = Delivery.__table__, DeliveryAttempt.__table__
_ATTEMPT_COLUMNS = ("delivery_id", "number", "started_at", "finished_at", "ok", "provider_answer", "error")
_LOG_ATTEMPT = insert(_ATTEMPTS).values({name: bindparam(f"attempt_{name}") for name in _ATTEMPT_COLUMNS})


@functools.cache
def _record_statement(names: tuple[str, ...], with_attempt: bool):
    """UPDATE of these columns of a delivery (only those the attempt changed: a cancellation or a retry by
    hand made meanwhile keeps what it set elsewhere), with the attempt's INSERT as a CTE (built once each)."""
    stmt = (
        update(_DELIVERIES)
        .where(_DELIVERIES.c.id == bindparam("delivery_id"))
        .values({name: bindparam(name) for name in names})
    )
    return stmt.add_cte(_LOG_ATTEMPT.cte("attempt")) if with_attempt else stmt


def _record(conn, delivery: Delivery, changes: dict, attempt: dict | None) -> None:
    """Write an attempt's outcome at once: one statement on PostgreSQL (its own transaction, the connection
    autocommits), one transaction of two elsewhere."""
    params = {"delivery_id": delivery.id, **changes}
    if attempt is not None:
        params.update({f"attempt_{name}": attempt[name] for name in _ATTEMPT_COLUMNS})
    names = tuple(sorted(changes))
    if conn.dialect.name == "postgresql":
        conn.execute(_record_statement(names, attempt is not None), params)
        return
    with conn.begin():
        conn.execute(_record_statement(names, False), params)
        if attempt is not None:
            conn.execute(_LOG_ATTEMPT, params)


def send_due(
    db: Database,
    *,
    channels: dict,
    settings: NotifySettings,
    limit: int = 20,
    rand: Callable[[], float] = random.random,
) -> dict:
    """Send the deliveries that are due now; return how many were sent, failed, died, were cancelled.

    What was claimed is read in one query; each outcome is then written at once after its attempt, in
    its own transaction (:func:`_record`), so that a sender killed in the middle of a batch sends again
    at most the one delivery it was attempting when its lease runs out.
    """
    clock = settings.clock
    now = clock()
    counts = {"sent": 0, "failed": 0, "dead": 0, "cancelled": 0, "skipped": 0}
    claimed = _claim(db, now=now, limit=limit, lease=settings.claim_seconds)
    if not claimed:
        return counts
    with db.session() as session:  # one query for every claimed delivery and its message
        loaded = {
            delivery.id: (delivery, message)
            for delivery, message in session.execute(
                select(Delivery, InboxMessage)
                .join(InboxMessage, InboxMessage.id == Delivery.message_id)
                .where(Delivery.id.in_(claimed))
            )
        }
    # One connection (and one pool check) for the batch's outcomes; on PostgreSQL each is one statement
    # committing itself, elsewhere a transaction of two.
    autocommit = {"isolation_level": "AUTOCOMMIT"} if db.is_postgresql else {}
    with db.engine.connect().execution_options(**autocommit) as conn:
        for delivery_id in claimed:
            if delivery_id not in loaded:
                continue
            delivery, message = loaded[delivery_id]
            outcome, changes, attempt = _attempt(db, delivery, message, channels, settings, rand)
            _record(conn, delivery, changes, attempt)
            counts[outcome] += 1
    return counts


def _address(db: Database, delivery: Delivery, recipient: str) -> str | None:
    """The delivery's address, or the recipient's current one for its channel when it was planned without."""
    if delivery.address:
        return delivery.address
    with db.session() as session:
        contact = session.get(Contact, recipient)
        return channels_of(contact.channels).get(delivery.channel) if contact else None


def _attempt(db, delivery, message, channels, settings, rand) -> tuple[str, dict, dict | None]:
    """Try one delivery: (outcome, the delivery's new column values, the attempt's row or None)."""
    clock = settings.clock
    started = clock()
    changes = {"claimed_until": None, "updated_at": started}
    if message.acknowledged_at is not None and delivery.channel != "webhook":
        return "cancelled", {**changes, "status": "cancelled", "last_error": "acknowledged before it was due"}, None
    address = _address(db, delivery, message.recipient)
    channel = channels.get(delivery.channel)
    if not address or channel is None:
        changes.update(status="skipped", last_error=f"no {delivery.channel} address or channel", address=address)
        return "skipped", changes, None
    attempts = delivery.attempts + 1
    changes.update(attempts=attempts, address=address)
    attempt = {"delivery_id": delivery.id, "number": attempts, "started_at": started}
    try:
        answer = channel.send(_outgoing(delivery, message, address, settings, started))
    except Exception as exc:  # any failure is an attempt that counts, never a silent loop
        if not isinstance(exc, ChannelError):
            log.exception("channel %s failed unexpectedly", delivery.channel)
            exc = ChannelError(f"{type(exc).__name__}: {exc}")
        error = str(exc)[:2000]
        attempt.update(ok=False, error=error, provider_answer=exc.answer, finished_at=clock())
        changes.update(last_error=error, provider_answer=exc.answer)
        if domain.is_dead(attempts, settings.delivery_max_attempts):
            log.error(
                "delivery %s (%s to %s) is dead after %d attempts",
                delivery.id,
                delivery.channel,
                delivery.recipient,
                attempts,
            )
            return "dead", {**changes, "status": "dead"}, attempt
        wait = domain.backoff_seconds(
            attempts, base=settings.retry_base_seconds, cap=settings.retry_max_seconds, rand=rand
        )
        return "failed", {**changes, "next_attempt_at": started + dt.timedelta(seconds=wait)}, attempt
    finished = clock()
    attempt.update(ok=True, error=None, provider_answer=answer[:2000], finished_at=finished)
    changes.update(status="sent", provider_answer=answer[:2000], sent_at=finished, last_error=None)
    return "sent", changes, attempt
