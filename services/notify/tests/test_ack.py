"""Acknowledging in any channel: an SMS code through the provider's signed callback, an email link."""

import json
import re

from sqlalchemy import select

from notify import signing
from notify.database import OutboxEvent
from notify.delivery.models import Delivery
from notify.inbox.models import InboxMessage


def outbox_events(query):
    return [json.loads(p) for p in query(select(OutboxEvent.payload).order_by(OutboxEvent.id))]


def sms_callback(client, anonymous, payload, secret="sms-secret", now=None):
    body = json.dumps(payload, ensure_ascii=False).encode()
    headers = {**anonymous, **signing.sign_headers(secret, body, now=now), "Content-Type": "application/json"}
    return client.post("/sms/inbound", data=body, headers=headers)


def test_an_officer_acknowledges_by_sms_code(
    handle, make_event, static_roster, make_person, send_due, receiver, clock, client, anonymous, query
):
    roster = static_roster([make_person("btcd-01"), make_person("ttr-02", "TTR", "inspector")])
    handle(make_event("escalation.case.opened", severity="critical"), roster)
    assert send_due()["sent"] == 2  # the urgent ladder texts at once
    sms = {b["to"]: b["text"] for b in receiver.json("/sms")}
    code = re.search(r"Mã XN: (\d{6})$", sms["+84299000002"]).group(1)

    refused = sms_callback(client, anonymous, {"from": "+84299000002", "text": code}, secret="guess")
    assert refused.status_code == 401 and refused.json["code"] == "bad_signature"
    old = sms_callback(client, anonymous, {"from": "+84299000002", "text": code}, now=0)
    assert old.status_code == 401
    stranger = sms_callback(client, anonymous, {"from": "+84912345678", "text": f"OK {code}"})
    assert stranger.status_code == 404  # a code works only from the phone it was sent to

    resp = sms_callback(client, anonymous, {"from": "0299000002", "text": f"Đã nhận, {code}"})
    assert resp.status_code == 200, resp.json
    assert resp.json["recipient"] == "ttr-02" and resp.json["acknowledged_via"] == "sms"
    (message,) = query(select(InboxMessage).where(InboxMessage.recipient == "ttr-02"))
    assert message.acknowledged_via == "sms"
    (event,) = outbox_events(query)
    assert event["type"] == "notify.message.acknowledged"
    assert event["data"] == {
        **event["data"],
        "via": "sms",
        "recipient": "ttr-02",
        "message_id": message.id,
        "case_id": "6f1c2a9e-0000-4000-8000-000000000001",
    }
    # ttr-02's ladder stops; btcd-01's goes on.
    clock.advance(minutes=10)
    send_due()
    ladder = {(d.recipient, d.step, d.channel): d.status for d in query(select(Delivery))}
    assert ladder[("ttr-02", 2, "sms")] == "cancelled" and ladder[("btcd-01", 2, "sms")] == "sent"
    again = sms_callback(client, anonymous, {"from": "+84299000002", "code": code})
    assert again.status_code == 200 and len(outbox_events(query)) == 1  # acknowledged once


def test_an_sms_without_a_code_is_refused(client, anonymous):
    resp = sms_callback(client, anonymous, {"from": "+84299000002", "text": "ok"})
    assert resp.status_code == 422 and resp.json["errors"][0]["field"] == "text"


def test_a_provider_that_posts_a_form(handle, make_event, static_roster, client, anonymous, query):
    handle(make_event("escalation.case.opened"), static_roster(["btcd-01"]))
    (message,) = query(select(InboxMessage))
    body = f"from=%2B84299000001&code={message.ack_code}".encode()
    headers = {**anonymous, **signing.sign_headers("sms-secret", body)}
    resp = client.post("/sms/inbound", data=body, headers=headers, content_type="application/x-www-form-urlencoded")
    assert resp.status_code == 200, resp.json
    assert resp.json["message_id"] == message.id and resp.json["acknowledged_via"] == "sms"


def test_an_officer_acknowledges_by_the_email_link(
    handle, make_event, static_roster, send_due, smtp, clock, client, anonymous, query
):
    smtp.start()
    handle(make_event("escalation.case.opened"), static_roster(["btcd-01"]))
    clock.advance(minutes=5)
    send_due()
    (mail,) = smtp.received
    link = re.search(r"https://tiepdan\.example\.vn/api/v1/notify(/ack/\S+)", mail.get_content()).group(1)
    page = client.get(link, headers=anonymous)
    assert page.status_code == 200 and "Xác nhận đã nhận tin" in page.get_data(as_text=True)
    assert query(select(InboxMessage.acknowledged_at)) == [None]  # opening the page changes nothing
    forged = client.post(link[:-3] + "AAA", headers=anonymous)
    assert forged.status_code == 403 and forged.json["code"] == "invalid_token"
    done = client.post(
        link,
        headers=anonymous,
        data={},
        content_type="application/x-www-form-urlencoded",
        environ_overrides={"HTTP_ACCEPT": "text/html"},
    )
    assert done.status_code == 200 and "Đã xác nhận" in done.get_data(as_text=True)
    (message,) = query(select(InboxMessage))
    assert message.acknowledged_via == "email"
    assert outbox_events(query)[0]["data"]["via"] == "email"
    assert client.post(link, headers=anonymous).json["acknowledged_via"] == "email"
    clock.advance(days=8)
    assert client.post(link, headers=anonymous).status_code == 403  # links expire


def test_the_case_acknowledged_stops_every_ladder_of_the_case(
    handle, make_event, static_roster, send_due, receiver, clock, query
):
    roster = static_roster(["btcd-01", "btcd-02", "ttr-01"])
    handle(make_event("escalation.case.opened"), roster)
    handle(make_event("escalation.case.acknowledged"), roster)
    clock.advance(minutes=30)
    assert send_due()["sent"] == 0 and receiver.requests == []
    statuses = sorted({d.status for d in query(select(Delivery).where(Delivery.channel != "inbox"))})
    assert statuses == ["cancelled"]
