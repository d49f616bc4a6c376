"""Ladders, retries with backoff, dead deliveries, the stuck summary and retry by hand, on real servers."""

import json
import threading

from sqlalchemy import select

from notify.database import OutboxEvent
from notify.delivery.models import Delivery, DeliveryAttempt
from notify.delivery.stuck import report_stuck
from notify.inbox.models import InboxMessage


def deliveries(query, recipient=None, channel=None):
    stmt = select(Delivery).order_by(Delivery.step, Delivery.channel)
    if recipient:
        stmt = stmt.where(Delivery.recipient == recipient)
    if channel:
        stmt = stmt.where(Delivery.channel == channel)
    return query(stmt)


def test_the_normal_ladder_texts_and_emails_after_five_minutes_without_acknowledgement(
    handle, make_event, static_roster, send_due, receiver, smtp, clock, query
):
    smtp.start()
    handle(make_event("escalation.case.opened"), static_roster(["btcd-01", "btcd-02"]))
    assert [(d.channel, d.status) for d in deliveries(query, "btcd-01")] == [
        ("inbox", "sent"),
        ("email", "pending"),
        ("sms", "pending"),
    ]
    clock.advance(minutes=4)
    assert send_due()["sent"] == 0 and receiver.requests == [] and smtp.received == []
    clock.advance(minutes=2)
    assert send_due()["sent"] == 4
    texts = {body["to"]: body["text"] for body in receiver.json("/sms")}
    assert set(texts) == {"+84299000001", "+84299000002"}
    assert texts["+84299000001"].startswith("Vụ việc mới VV-2026-0007: Đoàn đông người")
    assert len(texts["+84299000001"]) <= 134 and " Mã XN: " in texts["+84299000001"]
    mail = next(m for m in smtp.received if m["To"] == "btcd-01@myxuyen.example.vn")
    assert str(mail["Subject"]) == "Vụ việc mới VV-2026-0007: Đoàn đông người (12 công dân), lĩnh vực đất đai"
    text = mail.get_content()
    assert "Mức độ: trung bình" in text and "— English —" in text and "Severity: medium" in text
    assert "https://tiepdan.example.vn/api/v1/notify/ack/" in text
    assert send_due()["sent"] == 0  # nothing is sent twice


def test_the_urgent_ladder_texts_at_once_and_acknowledgement_stops_it(
    handle, make_event, static_roster, send_due, receiver, smtp, clock, query, client, officer, db
):
    smtp.start()
    handle(make_event("escalation.case.opened", severity="critical"), static_roster(["btcd-01"], leader="ld-01"))
    plan = [(d.step, d.channel, int((d.due_at - clock()).total_seconds())) for d in deliveries(query, "btcd-01")]
    assert plan == [(0, "inbox", 0), (0, "sms", 0), (1, "email", 120), (2, "sms", 300)]
    assert send_due()["sent"] == 2 and len(receiver.requests) == 2  # btcd-01 and the leader, by SMS at once
    (message,) = client.get("/inbox", headers=officer("btcd-01")).json
    assert client.post(f"/inbox/{message['id']}/ack", headers=officer("btcd-01")).status_code == 200
    clock.advance(minutes=10)
    assert send_due()["sent"] == 2 and len(receiver.requests) == 3  # only the leader's ladder goes on
    assert [m["To"] for m in smtp.received] == ["ld-01@myxuyen.example.vn"]
    assert [d.status for d in deliveries(query, "btcd-01")] == ["sent", "sent", "cancelled", "cancelled"]
    assert [d.status for d in deliveries(query, "ld-01")] == ["sent", "sent", "sent", "sent"]
    with db.session() as session:  # escalation hears of it, with the case
        (payload,) = session.scalars(select(OutboxEvent.payload)).all()
    event = json.loads(payload)
    assert event["type"] == "notify.message.acknowledged"
    assert event["data"]["case_id"] == "6f1c2a9e-0000-4000-8000-000000000001" and event["data"]["via"] == "inbox"


def test_an_officer_s_own_ladder_replaces_the_default(handle, make_event, static_roster, client, admin, officer, query):
    steps = {"steps": [{"after_seconds": 0, "channels": ["inbox", "email"]}]}
    assert client.put("/ladders/btcd-02/normal", headers=officer("btcd-01"), json=steps).status_code == 403
    assert client.put("/ladders/*/normal", headers=officer("btcd-01"), json=steps).status_code == 403
    resp = client.put("/ladders/btcd-01/normal", headers=officer("btcd-01"), json=steps)
    assert resp.status_code == 200, resp.json
    assert client.get("/ladders/btcd-01", headers=officer("btcd-01")).json[1]["steps"] == steps["steps"]
    assert client.get("/ladders/btcd-01", headers=officer("btcd-02")).status_code == 403
    bad = client.put(
        "/ladders/btcd-01/normal",
        headers=admin,
        json={"steps": [{"after_seconds": 60, "channels": ["sms"]}, {"after_seconds": 0, "channels": ["pigeon"]}]},
    )
    assert bad.status_code == 422 and bad.json["errors"][0]["field"].startswith("steps")
    handle(make_event("escalation.case.opened"), static_roster(["btcd-01", "btcd-02"]))
    assert [d.channel for d in deliveries(query, "btcd-01")] == ["email", "inbox"]
    assert [d.channel for d in deliveries(query, "btcd-02")] == ["inbox", "email", "sms"]


def test_smtp_down_for_a_while_then_back_delivers_once_after_retries(
    handle, make_event, static_roster, make_person, send_due, smtp, clock, query, client, board
):
    handle(
        make_event("escalation.daily_summary.ready"),
        static_roster([], agencies={"LD-UBND": [make_person("ld-01", "LD-UBND", "leader")]}),
    )
    for _ in range(2):  # SMTP is down: two failed attempts, each further away
        assert send_due()["failed"] == 1
        (email,) = deliveries(query, channel="email")
        clock.set(email.next_attempt_at)
    assert email.attempts == 2 and email.status == "pending" and "SMTP failed" in email.last_error
    smtp.start()
    assert send_due() == {"sent": 1, "failed": 0, "dead": 0, "cancelled": 0, "skipped": 0}
    clock.advance(hours=1)
    assert send_due()["sent"] == 0
    assert len(smtp.received) == 1 and smtp.received[0]["To"] == "ld-01@myxuyen.example.vn"
    (email,) = deliveries(query, channel="email")
    detail = client.get(f"/deliveries/{email.id}", headers=board).json
    assert detail["status"] == "sent" and detail["attempts"] == 3
    assert [a["ok"] for a in detail["attempt_log"]] == [False, False, True]
    assert detail["attempt_log"][2]["provider_answer"].startswith("250 accepted")
    gaps = [a["started_at"] for a in detail["attempt_log"]]
    assert gaps[0] < gaps[1] < gaps[2]


def test_a_delivery_dies_after_its_attempts_is_reported_to_the_board_once_and_retried_by_hand(
    handle, make_event, static_roster, make_person, send_due, receiver, clock, query, db, settings, client, admin, board
):
    receiver.status = 503  # the SMS provider refuses everything
    handle(make_event("escalation.case.opened"), static_roster([make_person("ttr-01", "TTR", mail=False)]))
    clock.advance(minutes=5)
    for _ in range(4):
        send_due()
        (sms,) = deliveries(query, channel="sms")
        clock.set(max(clock(), sms.next_attempt_at))
    assert sms.status == "dead" and sms.attempts == 4 and sms.provider_answer.startswith("503")
    assert [d["id"] for d in client.get("/deliveries?status=dead", headers=board).json] == [sms.id]
    assert [d.status for d in deliveries(query, channel="email")] == ["skipped"]  # ttr-01 has no email

    with db.session() as session:
        told = report_stuck(db_session=session, settings=settings, now=clock())
    assert sorted(m.recipient for m in told) == ["btcd-01", "btcd-02"]  # no board contacts known: the fallback
    with db.session() as session:
        assert report_stuck(db_session=session, settings=settings, now=clock()) == []  # reported once
    (summary,) = query(
        select(InboxMessage).where(
            InboxMessage.recipient == "btcd-01", InboxMessage.event_type == "notify.deliveries.stuck"
        )
    )
    # The dead SMS and the email that could not be made (no address) are reported alike.
    assert summary.title == "Có 2 tin nhắn không gửi được" and "ttr-01 qua sms, 4 lần" in summary.body
    assert "ttr-01 qua email: không có địa chỉ hoặc kênh gửi" in summary.body

    receiver.status = 200
    assert client.post(f"/deliveries/{sms.id}/retry", headers=board).status_code == 403
    retried = client.post(f"/deliveries/{sms.id}/retry", headers=admin).json
    assert retried["status"] == "pending"
    assert send_due()["sent"] == 1 and len(receiver.requests) == 1
    assert client.post(f"/deliveries/{sms.id}/retry", headers=admin).status_code == 409


def test_two_workers_never_send_the_same_delivery_twice(
    handle, make_event, static_roster, make_person, send_due, receiver, clock, query
):
    handle(
        make_event("escalation.case.opened", severity="critical"),
        static_roster([make_person(f"btcd-{i:02d}", mail=False) for i in range(1, 13)]),
    )
    results, barrier = [], threading.Barrier(2)

    def worker():
        barrier.wait()
        results.append(send_due(limit=50))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r["sent"] for r in results) == 12
    assert sorted(json.loads(r["body"])["to"] for r in receiver.requests) == sorted(
        f"+842990000{i:02d}" for i in range(1, 13)
    )
    attempts = query(select(DeliveryAttempt))
    assert len(attempts) == 12


def test_the_worker_s_periodic_tasks(
    settings, db, handle, make_event, static_roster, make_person, receiver, smtp, clock, query
):
    from notify.audience.models import Contact
    from notify.worker import sender_tasks, worker_tasks

    smtp.start()
    roster = static_roster(["btcd-01"], agencies={"BTCD": [make_person("btcd-01"), make_person("btcd-09")]})
    senders, (stuck, contacts, token) = sender_tasks(settings, db), worker_tasks(settings, db, roster)
    assert [t.name for t in senders] == [f"deliveries-{n}" for n in range(1, settings.sender_threads + 1)]
    assert [stuck.name, contacts.name, token.name] == ["stuck-deliveries", "roster-contacts", "roster-token"]
    assert token.func == roster.refresh_token
    deliver = senders[0]
    handle(make_event("escalation.case.opened"), roster)
    clock.advance(minutes=5)
    deliver.func()
    assert {(d.channel, d.status) for d in deliveries(query)} == {("inbox", "sent"), ("sms", "sent"), ("email", "sent")}
    contacts.func()
    assert query(select(Contact.code).order_by(Contact.code)) == ["btcd-01", "btcd-09"]
    stuck.func()  # nothing is dead: no summary
    assert query(select(InboxMessage).where(InboxMessage.event_type == "notify.deliveries.stuck")) == []


def test_without_an_sms_provider_sms_is_skipped_not_retried(
    app, db, settings, handle, make_event, static_roster, clock, query
):
    import dataclasses

    from notify.channels.registry import build_channels
    from notify.delivery.sender import send_due

    no_sms = dataclasses.replace(settings, sms_url=None)
    assert "sms" not in build_channels(no_sms)
    handle(make_event("escalation.case.opened", severity="critical"), static_roster(["btcd-01"], leader="ld-01"))
    send_due(db, channels=build_channels(no_sms), settings=no_sms)
    assert {d.status for d in deliveries(query, channel="sms") if d.step == 0} == {"skipped"}


def test_a_broken_sms_format_is_a_failed_attempt_not_a_silent_loop(
    app, db, settings, handle, make_event, static_roster, clock, query
):
    import dataclasses

    from notify.channels.registry import build_channels
    from notify.delivery.sender import send_due

    broken = dataclasses.replace(settings, sms_body="{{ nothing_named_so }}")
    handle(make_event("escalation.case.opened", severity="critical"), static_roster(["btcd-01"], leader="ld-01"))
    counts = send_due(db, channels=build_channels(broken), settings=broken)
    assert counts["failed"] == 2
    first = [d for d in deliveries(query, channel="sms") if d.step == 0]
    assert all(d.attempts == 1 and "UndefinedError" in d.last_error for d in first)


def test_an_acknowledgement_made_during_a_failed_attempt_stops_the_delivery(
    handle, make_event, static_roster, make_person, db, settings, clock, query
):
    """The attempt's outcome writes only what it changed: the cancellation made meanwhile is kept."""
    from notify.channels import ChannelError
    from notify.delivery import sender, service

    handle(
        make_event("escalation.case.opened", severity="critical"),
        static_roster([make_person("btcd-01", mail=False)], leader=make_person("ld-01", "LD-UBND", mail=False)),
    )

    class AcknowledgedWhileFailing:
        def send(self, out):
            with db.session() as session:  # the officer acknowledges while the provider times out
                service.cancel_open(
                    db_session=session, message_ids=[out.message_id], now=clock(), reason="acknowledged"
                )
            raise ChannelError("SMS provider unreachable: read timeout")

    counts = sender.send_due(db, channels={"sms": AcknowledgedWhileFailing()}, settings=settings)
    assert counts["failed"] == 2
    first = [d for d in deliveries(query, channel="sms") if d.step == 0]
    assert [(d.status, d.attempts, d.last_error) for d in first] == [
        ("cancelled", 1, "SMS provider unreachable: read timeout")
    ] * 2
    clock.advance(hours=1)
    assert (
        sender.send_due(db, channels={"sms": AcknowledgedWhileFailing()}, settings=settings)["failed"] == 0
    )  # not tried again


def test_a_delivery_that_cannot_be_made_is_reported_as_loudly_as_a_dead_one(
    handle,
    make_event,
    static_roster,
    make_person,
    send_due,
    receiver,
    clock,
    query,
    db,
    settings,
    client,
    board,
    configure,
    smtp,
):
    smtp.start()
    configure(webhooks={})  # no police endpoint configured
    police = make_person("ca-01", "CA", "police", phone=False, mail=False)
    event = make_event("escalation.case.opened", public_order=True)
    handle(event, static_roster([make_person("btcd-01"), police]))
    hook = deliveries(query, recipient="system:police")
    assert [(d.channel, d.address) for d in hook] == [("webhook", None)]  # recorded, not silently dropped
    clock.advance(minutes=10)
    send_due()
    assert {(d.recipient, d.channel, d.status) for d in query(select(Delivery).where(Delivery.status != "sent"))} == {
        ("system:police", "webhook", "skipped"),
        ("ca-01", "sms", "skipped"),
        ("ca-01", "email", "skipped"),
    }
    failures = client.get("/deliveries/failures", headers=board).json
    assert failures["counts"] == {"dead": 0, "skipped": 3} and failures["unreported"] == 3
    assert {d["recipient"] for d in failures["deliveries"]} == {"system:police", "ca-01"}
    assert all(d["last_error"].startswith("no ") for d in failures["deliveries"])

    with db.session() as session:
        told = report_stuck(db_session=session, settings=settings, now=clock())
    assert [m.recipient for m in told] == ["btcd-01"]  # the board's officers notify knows
    (summary,) = query(
        select(InboxMessage).where(
            InboxMessage.recipient == "btcd-01", InboxMessage.event_type == "notify.deliveries.stuck"
        )
    )
    assert summary.title == "Có 3 tin nhắn không gửi được"
    assert "system:police qua webhook: không có địa chỉ hoặc kênh gửi" in summary.body
    assert client.get("/deliveries/failures", headers=board).json["unreported"] == 0
