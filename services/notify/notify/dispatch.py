"""From an event to messages: the rules choose audiences, each person gets one message and a ladder."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from tiepdan_common.clock import local_date
from tiepdan_common.db import insert_rows

from .audience.recipients import Recipient
from .audience.service import AudienceResolver
from .config import NotifySettings
from .delivery import service as deliveries
from .delivery.models import Delivery
from .inbox.models import InboxMessage, MessageCase, ack_code
from .rendering import render
from .rules import domain as rules_domain
from .rules.models import Rule
from .rules.service import active_rules, all_ladders, any_rule, ladder_steps, rules_for
from .units.service import names as unit_names

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
        self._units: dict | None = None
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

    def units(self) -> dict[str, list[dict]]:
        """Notify's copy of unit names, read once for the transaction."""
        if self._units is None:
            self._units = unit_names(self.db_session)
        return self._units

    def ladders(self) -> dict:
        if self._ladders is None:
            self._ladders = all_ladders(db_session=self.db_session)
        return self._ladders


class Staged:
    """Messages and deliveries made for the events of one handler call, written together at its end.

    Two statements for a whole consumer batch (``tiepdan_common.db.insert_rows``) instead of a flush of
    message objects and an insert of their deliveries for every event.
    """

    def __init__(self) -> None:
        self.messages: list[dict] = []
        self.deliveries: list[dict] = []
        self.cases: list[dict] = []  # the further cases a message is about (a hot spot's)

    def write(self, db_session: Session) -> None:
        """Insert what was staged (the messages first: the deliveries refer to them)."""
        if self.messages:
            insert_rows(db_session, InboxMessage.__table__, self.messages)
            insert_rows(db_session, Delivery.__table__, self.deliveries)
            if self.cases:
                insert_rows(db_session, MessageCase.__table__, self.cases)
            self.messages, self.deliveries, self.cases = [], [], []


def message_row(
    *,
    recipient: Recipient,
    event_id: str,
    event_type: str,
    data: dict,
    urgent: bool,
    now: dt.datetime,
    template: str | None = None,
    rule: str | None = None,
    units: Mapping[str, list[dict]] | None = None,
) -> dict:
    """One message to one recipient about one event, as a row (every column), rendered in both languages
    (``units``: notify's copy of unit names, :func:`notify.units.service.names`)."""
    code = ack_code()
    context = {**data, "ack_code": code, "urgent": urgent, "recipient_name": recipient.name}
    on = local_date(now)
    title, body = render(template or event_type, context, on=on, units=units)
    title_en, body_en = render(template or event_type, context, language="en", on=on, units=units)
    return {
        "id": str(uuid.uuid4()),
        "recipient": recipient.code,
        "event_id": event_id,
        "event_type": event_type,
        "case_id": data.get("case_id"),
        "severity": data.get("severity") or ("high" if urgent else "medium"),
        "title": title[:400],
        "body": body,
        "ack_code": code,
        "via_fallback": recipient.via_fallback,
        "created_at": now,
        "read_at": None,
        "acknowledged_at": None,
        "acknowledged_via": None,
        "title_en": title_en[:400],
        "body_en": body_en,
        "urgent": urgent,
        "rule": rule,
        "data": data if recipient.is_system else None,
    }


def _steps(
    db_session: Session, recipient: Recipient, urgent: bool, channels: list | None, lookups: Lookups | None
) -> list[dict]:
    """The ladder a message follows: the rule's channels at once, else the recipient's ladder."""
    if channels:
        return [{"after_seconds": 0, "channels": list(channels)}]
    return ladder_steps(
        db_session=db_session,
        recipient=recipient.code,
        urgency="urgent" if urgent else "normal",
        ladders=lookups.ladders() if lookups is not None else None,
    )


def tell(
    *,
    db_session: Session,
    recipient: Recipient,
    event_id: str,
    event_type: str,
    data: dict,
    urgent: bool,
    now: dt.datetime,
    channels: list | None = None,
    template: str | None = None,
    rule: str | None = None,
) -> InboxMessage | None:
    """One message to one recipient about one event, with its deliveries, added to the session; None if the
    recipient has a message about the event already."""
    exists = db_session.scalar(
        select(InboxMessage.id).where(InboxMessage.event_id == event_id, InboxMessage.recipient == recipient.code)
    )
    if exists:
        return None
    message = InboxMessage(
        **message_row(
            recipient=recipient,
            event_id=event_id,
            event_type=event_type,
            data=data,
            urgent=urgent,
            now=now,
            template=template,
            rule=rule,
            units=unit_names(db_session),
        )
    )
    db_session.add(message)
    deliveries.plan(
        db_session=db_session,
        message=message,
        recipient=recipient,
        steps=_steps(db_session, recipient, urgent, channels, None),
        now=now,
    )
    return message


def told_about(*, db_session: Session, event_ids: list[str]) -> dict[str, set[str]]:
    """Everyone who has a message about each of these events (one query)."""
    told: dict[str, set[str]] = {event_id: set() for event_id in event_ids}
    for event_id, recipient in db_session.execute(
        select(InboxMessage.event_id, InboxMessage.recipient).where(InboxMessage.event_id.in_(event_ids))
    ):
        told[event_id].add(recipient)
    return told


def dispatch(
    *,
    db_session: Session,
    event_id: str,
    event_type: str,
    data: dict,
    roster,
    settings: NotifySettings,
    now: dt.datetime,
    lookups: Lookups,
    told: set[str],
    staged: Staged,
) -> None:
    """Apply every matching rule to an event; the same person is told once, whatever rules and redeliveries.

    ``told``: who has a message about the event already (:func:`told_about`; the new ones are added).
    The messages and their deliveries are staged, for the caller to write (:meth:`Staged.write`).
    """
    resolver = AudienceResolver(db_session=db_session, roster=roster, settings=settings, now=now, kept=lookups.kept)
    seen: set[str] = set()
    for rule in rules_for(db_session=db_session, event_type=event_type, data=data, rules=lookups.rules(event_type)):
        urgent = rules_domain.is_urgent(rule.urgent, data)
        for audience in rule.audiences:
            for recipient in resolver.resolve(audience, data):
                if recipient.code in seen:
                    continue
                seen.add(recipient.code)
                if recipient.code in told:
                    continue
                message = message_row(
                    recipient=recipient,
                    event_id=event_id,
                    event_type=event_type,
                    data=data,
                    urgent=urgent,
                    now=now,
                    template=rule.template,
                    rule=rule.name,
                    units=lookups.units(),
                )
                told.add(recipient.code)
                staged.messages.append(message)
                staged.cases += [
                    {"message_id": message["id"], "case_id": case_id}
                    for case_id in dict.fromkeys(data.get("case_ids") or [])
                    if case_id != message["case_id"]
                ]
                staged.deliveries += deliveries.plan_rows(
                    message_id=message["id"],
                    recipient=recipient,
                    steps=_steps(db_session, recipient, urgent, rule.channels, lookups),
                    now=now,
                )
    if not seen:
        log.info("no rule told anyone about %s %s", event_type, event_id)
