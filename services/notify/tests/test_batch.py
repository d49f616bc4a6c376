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


def test_hot_spots_in_many_communes_ask_roster_once_for_all_of_them(
    db, settings, static_roster, make_person, make_event, query
):
    """A round of mass visits can make a hot spot of every commune at once: each commune's people are found in
    the same answer of who is on duty (with the on-call officers) and the same list of officers, which the
    roster client keeps for a few seconds, not in two questions per commune, each waiting on the gateway
    while the batch's case messages wait behind it."""
    units = ["31690", "31693", "31696", "31699", "31702"]
    roster = static_roster(
        ["btcd-01", make_person("xa-31696", "UBND-31696", "commune")],
        leader="ld-01",
        agencies={
            f"UBND-{u}": [{**make_person(f"ct-{u}", f"UBND-{u}", "commune"), "title": "Chủ tịch UBND xã"}]
            for u in units
        },
    )
    events = [make_event("escalation.hotspot.detected", hotspot_id=f"h-{u}", unit=u, status="active") for u in units]
    consumer = case_consumer(settings, roster)
    with db.session() as session:
        consumer.batch_handlers[events[0].type](session, events)
    assert ("on-duty", "with_on_call") in roster.calls and ("officers", None) in roster.calls
    assert not [call for call in roster.calls if len(call) == 3], roster.calls  # no question names a commune
    told = set(query(select(InboxMessage.recipient)))
    # On duty for its commune: that officer; elsewhere the commune's chair.
    assert "xa-31696" in told and "ct-31696" not in told
    assert {f"ct-{u}" for u in units if u != "31696"} <= told
