"""From an event to messages: the rules choose audiences, each person gets one message and a ladder."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session
from tiepdan_common.config import Settings
from tiepdan_common.db import insert_rows

from .audience.service import AudienceResolver, Recipient
from .delivery import service as deliveries
from .delivery.models import Delivery
from .inbox.models import InboxMessage, ack_code
from .rendering import render
from .rules import domain as rules_domain
from .rules.models import Rule
from .rules.service import active_rules, all_ladders, any_rule, ladder_steps, rules_for

log = logging.getLogger(__name__)


class Lookups:
    """What the events of one transaction (a consumer's batch) look up again and again, read once for it.

    The active rules of each event type and the ladders are read at their first use; roster's remembered
    answers and the contacts are kept loaded (the session's identity map holds an object only while something
    refers to it, so a second ``get`` of the same row would otherwise go to the database again). A database
    nobody seeded yet is seeded by :func:`rules_for` as before and nothing about rules is kept until it has rules.
    """

    KEY = "notify.lookups"

    def __init__(self, db_session: Session) -> None:
        self.db_session = db_session
        self._seeded = False
        self._rules: dict[str, list[Rule]] = {}
        self._ladders: dict | None = None
        self.kept: dict = {}

    @classmethod
    def of(cls, db_session: Session) -> Lookups:
        """The lookups of this session (made at the first use; they go with the session)."""
        found = db_session.info.get(cls.KEY)
        if found is None:
            found = db_session.info[cls.KEY] = cls(db_session)
        return found

    def rules(self, event_type: str) -> list[Rule] | None:
        """The active rules for ``event_type``, or None while the database has no rules (not seeded yet)."""
        if event_type not in self._rules:
            if not self._seeded:
                self._seeded = any_rule(db_session=self.db_session)
                if not self._seeded:
                    return None
            self._rules[event_type] = active_rules(db_session=self.db_session, event_type=event_type)
        return self._rules[event_type]

    def ladders(self) -> dict:
        if self._ladders is None:
            self._ladders = all_ladders(db_session=self.db_session)
        return self._ladders


def tell(*, db_session: Session, recipient: Recipient, event_id: str, event_type: str, data: dict, urgent: bool,
         now: dt.datetime, channels: list | None = None, template: str | None = None,
         rule: str | None = None, told: set[str] | None = None, lookups: Lookups | None = None,
         planned: list[dict] | None = None) -> InboxMessage | None:
    """One message to one recipient about one event, with its deliveries; None if already told.

    ``told``: who had a message about the event already, when the caller has read it (:func:`told_about`).
    The message and its deliveries are written at the session's next flush (the message's id is made here);
    with ``planned``, the deliveries are appended to it as rows instead, for the caller to insert after the flush.
    """
    if told is not None:
        exists = recipient.code in told
    else:
        exists = db_session.scalar(select(InboxMessage.id).where(InboxMessage.event_id == event_id,
                                                                InboxMessage.recipient == recipient.code))
    if exists:
        return None
    code = ack_code()
    context = {**data, "ack_code": code, "urgent": urgent, "recipient_name": recipient.name}
    title, body = render(template or event_type, context)
    title_en, body_en = render(template or event_type, context, language="en")
    message = InboxMessage(id=str(uuid.uuid4()), recipient=recipient.code, event_id=event_id, event_type=event_type,
                           case_id=data.get("case_id"),
                           severity=data.get("severity") or ("high" if urgent else "medium"),
                           title=title[:400], body=body, title_en=title_en[:400], body_en=body_en, ack_code=code,
                           via_fallback=recipient.via_fallback, urgent=urgent, rule=rule, created_at=now,
                           data=data if recipient.is_system else None)
    db_session.add(message)
    if told is not None:
        told.add(recipient.code)
    if channels:
        steps = [{"after_seconds": 0, "channels": list(channels)}]
    else:
        steps = ladder_steps(db_session=db_session, recipient=recipient.code, urgency="urgent" if urgent else "normal",
                             ladders=lookups.ladders() if lookups is not None else None)
    if planned is not None:
        planned.extend(deliveries.plan_rows(message=message, recipient=recipient, steps=steps, now=now))
    else:
        deliveries.plan(db_session=db_session, message=message, recipient=recipient, steps=steps, now=now)
    return message


def told_about(*, db_session: Session, event_id: str) -> set[str]:
    """Everyone who has a message about the event."""
    return set(db_session.scalars(select(InboxMessage.recipient).where(InboxMessage.event_id == event_id)))


def dispatch(*, db_session: Session, event_id: str, event_type: str, data: dict, roster, settings: Settings,
             now: dt.datetime, lookups: Lookups | None = None) -> list[InboxMessage]:
    """Apply every matching rule to an event; the same person is told once, whatever rules and redeliveries.

    ``lookups``: what the transaction has read already for earlier events (a consumer's batch); then the
    deliveries of the event's messages are written as rows in one statement after the messages are flushed.
    """
    resolver = AudienceResolver(db_session=db_session, roster=roster, settings=settings, now=now,
                                kept=lookups.kept if lookups is not None else None)
    planned: list[dict] | None = [] if lookups is not None else None
    told: list[InboxMessage] = []
    seen: set[str] = set()
    before: set[str] | None = None  # who had a message about the event before this, read at the first message
    rules = lookups.rules(event_type) if lookups is not None else None
    for rule in rules_for(db_session=db_session, event_type=event_type, data=data, rules=rules):
        urgent = rules_domain.is_urgent(rule.urgent, data)
        for audience in rule.audiences:
            for recipient in resolver.resolve(audience, data):
                if recipient.code in seen:
                    continue
                seen.add(recipient.code)
                if before is None:
                    before = told_about(db_session=db_session, event_id=event_id)
                message = tell(db_session=db_session, recipient=recipient, event_id=event_id, event_type=event_type,
                               data=data, urgent=urgent, now=now, channels=rule.channels, template=rule.template,
                               rule=rule.name, told=before, lookups=lookups, planned=planned)
                if message is not None:
                    told.append(message)
    if planned:
        db_session.flush()  # the messages, which the deliveries refer to
        insert_rows(db_session, Delivery.__table__, planned)
    if not seen:
        log.info("no rule told anyone about %s %s", event_type, event_id)
    return told
