"""The stuck-deliveries summary: deliveries that died after their attempts or could not be made at all (no
address, no channel: ``skipped``), reported once to the reception board."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..audience.models import Contact
from ..audience.recipients import Recipient, channels_of
from ..config import NotifySettings
from ..inbox.models import InboxMessage
from .models import Delivery

SUMMARY_EVENT = "notify.deliveries.stuck"
SHOWN = 15
UNDELIVERED = ("dead", "skipped")


def report_stuck(*, db_session: Session, settings: NotifySettings, now: dt.datetime) -> list:
    """Tell the board about dead and skipped deliveries not yet reported (rows locked: two workers report once)."""
    from ..dispatch import (
        tell,  # dispatch imports delivery: import here to keep the graph acyclic
    )

    rows = db_session.execute(
        select(Delivery, InboxMessage.event_type)
        .join(InboxMessage, InboxMessage.id == Delivery.message_id)
        .where(Delivery.status.in_(UNDELIVERED), Delivery.reported_at.is_(None))
        .order_by(Delivery.created_at)
        .with_for_update(of=Delivery, skip_locked=True)
    ).all()
    for delivery, _event_type in rows:
        delivery.reported_at = now  # a summary that could not be sent is not summarised again (no loop)
    dead = [d for d, event_type in rows if event_type != SUMMARY_EVENT]
    if not dead:
        return []
    board = list(db_session.scalars(select(Contact).where(Contact.agency == settings.board_agency)))
    people = [Recipient(c.code, c.full_name, channels_of(c.channels)) for c in board]
    if not people:
        codes = settings.fallback_recipients
        people = [
            Recipient(code, None, channels_of(c.channels) if (c := db_session.get(Contact, code)) else {}, True)
            for code in codes
        ]
    event_id = str(uuid.uuid5(uuid.NAMESPACE_URL, "stuck:" + ",".join(sorted(d.id for d in dead))))
    data = {
        "count": len(dead),
        "items": [
            {
                "recipient": d.recipient,
                "channel": d.channel,
                "attempts": d.attempts,
                "status": d.status,
                "error": (d.last_error or "")[:120],
                "delivery_id": d.id,
            }
            for d in dead[:SHOWN]
        ],
        "more": max(len(dead) - SHOWN, 0),
        "generated_at": now.isoformat(),
    }
    told = [
        tell(
            db_session=db_session,
            recipient=p,
            event_id=event_id,
            event_type=SUMMARY_EVENT,
            data=data,
            urgent=False,
            now=now,
            channels=["inbox", "email"],
            rule="stuck-deliveries",
        )
        for p in people
    ]
    return [m for m in told if m is not None]
