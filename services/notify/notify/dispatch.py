"""From an event to messages: the rules choose audiences, each person gets one message and a ladder."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select
from sqlalchemy.orm import Session
from tiepdan_common.config import Settings

from .audience.service import AudienceResolver, Recipient
from .delivery import service as deliveries
from .inbox.models import InboxMessage, ack_code
from .rendering import render
from .rules import domain as rules_domain
from .rules.service import ladder_steps, rules_for

log = logging.getLogger(__name__)


def tell(*, db_session: Session, recipient: Recipient, event_id: str, event_type: str, data: dict, urgent: bool,
         now: dt.datetime, channels: list | None = None, template: str | None = None,
         rule: str | None = None) -> InboxMessage | None:
    """One message to one recipient about one event, with its deliveries; None if already told."""
    exists = db_session.scalar(select(InboxMessage.id).where(InboxMessage.event_id == event_id,
                                                            InboxMessage.recipient == recipient.code))
    if exists:
        return None
    code = ack_code()
    context = {**data, "ack_code": code, "urgent": urgent, "recipient_name": recipient.name}
    title, body = render(template or event_type, context)
    title_en, body_en = render(template or event_type, context, language="en")
    message = InboxMessage(recipient=recipient.code, event_id=event_id, event_type=event_type,
                           case_id=data.get("case_id"),
                           severity=data.get("severity") or ("high" if urgent else "medium"),
                           title=title[:400], body=body, title_en=title_en[:400], body_en=body_en, ack_code=code,
                           via_fallback=recipient.via_fallback, urgent=urgent, rule=rule, created_at=now,
                           data=data if recipient.is_system else None)
    db_session.add(message)
    db_session.flush()
    if channels:
        steps = [{"after_seconds": 0, "channels": list(channels)}]
    else:
        steps = ladder_steps(db_session=db_session, recipient=recipient.code, urgency="urgent" if urgent else "normal")
    deliveries.plan(db_session=db_session, message=message, recipient=recipient, steps=steps, now=now)
    return message


def dispatch(*, db_session: Session, event_id: str, event_type: str, data: dict, roster, settings: Settings,
             now: dt.datetime) -> list[InboxMessage]:
    """Apply every matching rule to an event; the same person is told once, whatever rules and redeliveries."""
    resolver = AudienceResolver(db_session=db_session, roster=roster, settings=settings, now=now)
    told: list[InboxMessage] = []
    seen: set[str] = set()
    for rule in rules_for(db_session=db_session, event_type=event_type, data=data):
        urgent = rules_domain.is_urgent(rule.urgent, data)
        for audience in rule.audiences:
            for recipient in resolver.resolve(audience, data):
                if recipient.code in seen:
                    continue
                seen.add(recipient.code)
                message = tell(db_session=db_session, recipient=recipient, event_id=event_id, event_type=event_type,
                               data=data, urgent=urgent, now=now, channels=rule.channels, template=rule.template,
                               rule=rule.name)
                if message is not None:
                    told.append(message)
    if not seen:
        log.info("no rule told anyone about %s %s", event_type, event_id)
    return told
