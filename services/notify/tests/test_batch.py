"""A consumer's batch of mixed events has the effect of its events handled one by one, in order."""

from sqlalchemy import delete, select

from notify.consumers import case_consumer
from notify.delivery.models import Delivery
from notify.inbox.models import InboxMessage, MessageCase


def outcome(db) -> list[tuple]:
    with db.session() as session:
        return sorted(
            session.execute(
                select(
                    InboxMessage.event_id,
                    InboxMessage.recipient,
                    InboxMessage.urgent,
                    InboxMessage.title,
                    Delivery.step,
                    Delivery.channel,
                    Delivery.status,
                ).join(Delivery, Delivery.message_id == InboxMessage.id)
            ).all()
        )


def test_a_mixed_batch_equals_its_events_one_by_one(db, settings, static_roster, make_person, make_event):
    roster = static_roster(
        ["btcd-01", "ttr-01"], leader="ld-01", agencies={"UBND-31693": [make_person("xa-01", "UBND-31693", "commune")]}
    )
    opened = make_event("escalation.case.opened", severity="critical")
    events = [
        opened,
        make_event("escalation.hotspot.detected"),
        make_event("escalation.case.opened", case_id="6f1c2a9e-0000-4000-8000-000000000002", number="VV-2026-0008"),
        make_event("escalation.case.closed"),  # the first case: its ladders, staged just before, stop
        opened,  # a redelivery within the batch: nobody is told twice
    ]
    consumer = case_consumer(settings, roster)
    assert len({id(consumer.batch_handlers[e.type]) for e in events}) == 1  # one handler takes them all

    with db.session() as session:
        consumer.batch_handlers[events[0].type](session, events)
    together = outcome(db)

    with db.session() as session:
        session.execute(delete(Delivery))
        session.execute(delete(MessageCase))  # the hot spot's message names its case
        session.execute(delete(InboxMessage))
    for event in events:
        with db.session() as session:
            consumer.handlers[event.type](session, event)
    assert outcome(db) == together

    first = [row for row in together if row[0] == opened.id]
    assert {row[1] for row in first} == {"btcd-01", "ttr-01", "ld-01"}
    assert {row[6] for row in first if row[5] != "inbox"} == {"cancelled"}  # sms and email stopped by the close
    hotspot = {row[1] for row in together if row[0] == events[1].id}
    # The leads on duty, the commune's officers and system, and (active) the leader on call and the police.
    assert hotspot == {"btcd-01", "ttr-01", "xa-01", "system:commune:31693", "ld-01", "system:police"}
