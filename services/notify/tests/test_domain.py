"""Pure rules: conditions, urgency, backoff, ladders, SMS length, signatures and tokens."""

import datetime as dt

import pytest

from notify import signing
from notify.channels.sms import segments, sms_text
from notify.delivery.domain import backoff_seconds, is_dead, ladder_plan
from notify.rules.domain import check_conditions, expand, is_urgent, matches

DATA = {
    "severity": "high",
    "group_size": 12,
    "target": {"type": "agency", "value": "TTR"},
    "unit": "31690",
    "public_order": False,
    "case_id": None,
}


@pytest.mark.parametrize(
    "conditions, expected",
    [
        ({}, True),
        ({"severity": "high"}, True),
        ({"severity": "low"}, False),
        ({"severity": {"in": ["high", "critical"]}}, True),
        ({"severity": {"not_in": ["high"]}}, False),
        ({"group_size": {"gte": 12}}, True),
        ({"group_size": {"gte": 13}}, False),
        ({"group_size": {"lte": 5}}, False),
        ({"target.type": "agency", "target.value": "TTR"}, True),
        ({"target.value": "CA"}, False),
        ({"missing": "x"}, False),
        ({"missing": {"exists": False}}, True),
        ({"case_id": {"exists": True}}, False),
        ({"public_order": True}, False),
    ],
)
def test_conditions(conditions, expected):
    assert matches(conditions, DATA) is expected


def test_urgency_and_bad_conditions():
    assert is_urgent(True, {}) and not is_urgent(False, DATA)
    assert is_urgent({"severity": {"in": ["high"]}}, DATA)
    assert is_urgent("$urgent", {"urgent": True}) and not is_urgent("$urgent", {"urgent": False})
    assert check_conditions({"a": {"between": [1, 2]}}) and check_conditions([]) and not check_conditions({"a": 1})
    assert expand("UBND-{unit}", DATA) == "UBND-31690" and expand("{receiving_unit}", {}) == ""


def test_backoff_grows_exponentially_with_jitter_and_a_cap():
    low = [backoff_seconds(n, base=60, cap=600, rand=lambda: 0.0) for n in range(1, 6)]
    high = [backoff_seconds(n, base=60, cap=600, rand=lambda: 1.0) for n in range(1, 6)]
    assert low == [30, 60, 120, 240, 300] and high == [60, 120, 240, 480, 600]
    assert 30 < backoff_seconds(1, base=60, cap=600, rand=lambda: 0.5) < 60
    assert not is_dead(3, 4) and is_dead(4, 4)


def test_a_ladder_becomes_deliveries_in_time():
    now = dt.datetime(2026, 11, 26, 2, 0, tzinfo=dt.UTC)
    plan = ladder_plan(
        [{"after_seconds": 0, "channels": ["inbox"]}, {"after_seconds": 300, "channels": ["sms", "email"]}], now
    )
    assert plan == [
        (0, "inbox", now),
        (1, "sms", now + dt.timedelta(minutes=5)),
        (1, "email", now + dt.timedelta(minutes=5)),
    ]


def test_vietnamese_sms_keeps_its_diacritics_within_two_ucs2_parts():
    title = (
        "[KHẨN] Vụ việc mới VV-2026-0007: Đoàn đông người (42 công dân), lĩnh vực bồi thường, "
        "hỗ trợ, tái định cư, Xã Tham Đôn, huyện Mỹ Xuyên, tỉnh Sóc Trăng"
    )
    text = sms_text(title, "123456", limit=134)
    assert 130 <= len(text) <= 134 and text.endswith("… Mã XN: 123456")
    assert "Đoàn đông người" in text and "KHẨN" in text
    assert segments(text) == 2
    assert segments(sms_text("Vụ việc mới VV-1", "123456", limit=70)) == 1
    assert segments("Hello world") == 1 and segments("x" * 161) == 2 and segments("ệ" * 71) == 2
    assert sms_text("Ngắn", "000001") == "Ngắn Mã XN: 000001"


def test_signatures_refuse_forgery_old_timestamps_and_replays():
    body = '{"title": "Vụ việc mới"}'.encode()
    headers = signing.sign_headers("s3cret", body, now=1_000_000, delivery_id="d-1")
    assert signing.verify("s3cret", headers, body, now=1_000_010) == 1_000_000
    assert signing.verify(["new", "s3cret"], headers, body, now=1_000_010)  # rotation: old key still accepted
    for secret, data, now in (
        ("other", body, 1_000_010),
        ("s3cret", body + b" ", 1_000_010),
        ("s3cret", body, 1_000_000 + 301),
        ("s3cret", body, 1_000_000 - 301),
    ):
        with pytest.raises(signing.SignatureError):
            signing.verify(secret, headers, data, now=now)
    seen = set()
    signing.verify("s3cret", headers, body, now=1_000_010, seen=seen)
    with pytest.raises(signing.SignatureError, match="replay"):
        signing.verify("s3cret", headers, body, now=1_000_020, seen=seen)
    with pytest.raises(signing.SignatureError, match="missing"):
        signing.verify("s3cret", {}, body)


def test_acknowledgement_tokens():
    token = signing.make_token("k", "message-1", expires_at=2_000)
    assert signing.read_token("k", token, now=1_000) == "message-1"
    with pytest.raises(signing.SignatureError, match="expired"):
        signing.read_token("k", token, now=2_001)
    with pytest.raises(signing.SignatureError):
        signing.read_token("other", token, now=1_000)
    forged = signing.make_token("k", "message-2", expires_at=2_000).split(".")[0] + "." + token.split(".")[1]
    with pytest.raises(signing.SignatureError):
        signing.read_token("k", forged, now=1_000)
    with pytest.raises(signing.SignatureError, match="malformed"):
        signing.read_token("k", "garbage", now=1_000)
