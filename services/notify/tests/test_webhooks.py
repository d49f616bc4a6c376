"""Webhooks to the police, commune and province systems, checked by a real receiver with ``verify``."""

import json

from sqlalchemy import select

from notify import signing
from notify.delivery.models import Delivery


def verifying(secret, seen):
    """A receiver's check, as a police or province system would run it."""

    def check(headers, body):
        try:
            signing.verify(secret, headers, body, seen=seen)
        except signing.SignatureError as exc:
            return 401, json.dumps({"error": str(exc)}).encode()
        return 200, b'{"received": true}'

    return check


def test_the_province_is_told_the_result_by_a_signed_webhook(
    handle, make_event, static_roster, send_due, receiver, query
):
    seen = set()
    receiver.check = verifying("hook-secret", seen)
    handle(make_event("escalation.province_request.completed"), static_roster([]))
    assert send_due()["sent"] == 1
    (request,) = receiver.requests
    assert request["path"] == "/province"
    body = json.loads(request["body"])
    assert body["event_type"] == "escalation.province_request.completed"
    assert body["title"] == "Kết quả đón công dân theo văn bản 123/BTCD-TCD"
    assert "Đã đón 15 công dân về địa phương" in body["body"] and "ttr-01, vp-01" in body["body"]
    assert body["title_en"].startswith("Result of the request")
    assert body["data"]["request_id"] == "p-1" and body["data"]["outcome"] == "Đã đón 15 công dân về địa phương"
    (delivery,) = query(select(Delivery))
    assert delivery.status == "sent" and delivery.provider_answer.startswith("200")

    # The same request replayed by someone who captured it is refused by the receiver.
    status, _ = receiver.check(request["headers"], request["body"])
    assert status == 401


def test_a_receiver_refuses_a_wrong_secret_and_notify_retries(
    handle, make_event, static_roster, send_due, receiver, clock, query
):
    receiver.check = verifying("the-police-secret", set())  # notify signs with another secret
    handle(make_event("escalation.case.opened", public_order=True, severity="high"), static_roster(["btcd-01"]))
    send_due()
    (hook,) = query(select(Delivery).where(Delivery.channel == "webhook"))
    assert hook.recipient == "system:police" and hook.status == "pending" and hook.attempts == 1
    assert hook.provider_answer.startswith("401") and "signature does not match" in hook.provider_answer
    assert hook.next_attempt_at > clock()
    receiver.check = verifying("hook-secret", set())  # the secrets agree again
    clock.set(hook.next_attempt_at)
    assert send_due()["sent"] >= 1
    (hook,) = query(select(Delivery).where(Delivery.channel == "webhook"))
    assert hook.status == "sent" and hook.attempts == 2
    (body,) = receiver.json("/police")
    assert body["urgent"] is True and body["case_id"] == "6f1c2a9e-0000-4000-8000-000000000001"
    assert body["title"].startswith("[KHẨN] Vụ việc mới VV-2026-0007")


def test_a_commune_system_gets_its_own_address(handle, make_event, static_roster, send_due, receiver):
    handle(make_event("escalation.incident.reported"), static_roster(["btcd-01"]))
    send_due()
    paths = sorted(r["path"] for r in receiver.requests)
    assert "/commune/31711" in paths
    (body,) = receiver.json("/commune/31711")
    assert body["title"] == "[KHẨN] Công an báo tình hình tại Trước trụ sở UBND xã Ngọc Đông (Xã Ngọc Đông)"
    assert "ước khoảng 30 người" in body["body"]
