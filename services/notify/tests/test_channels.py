"""The channels on real servers: kept connections, and what happens when a provider drops one."""

from notify.channels import Outgoing
from notify.channels.email import EmailChannel
from notify.channels.sms import SmsChannel


def outgoing(n: int, address: str) -> Outgoing:
    return Outgoing(
        delivery_id=f"6f1c2a9e-0000-4000-8000-{n:012d}",
        message_id=f"m-{n}",
        event_id="e-1",
        event_type="escalation.hotspot.detected",
        case_id=None,
        recipient="btcd-01",
        address=address,
        urgent=True,
        title=f"Điểm nóng số {n} tại xã Tham Đôn",
        body="Ba đoàn đông người trong 7 ngày.",
        title_en=f"Hot spot {n}",
        body_en="Three mass visits in 7 days.",
        ack_code="123456",
        ack_url="https://tiepdan.example.vn/api/v1/notify/ack/t",
    )


def test_mails_in_a_row_share_one_connection_and_a_dropped_one_is_replaced_before_use(smtp):
    smtp.start()
    channel = EmailChannel(
        host="127.0.0.1", port=smtp.port, sender="Tiếp công dân Mỹ Xuyên <tb@myxuyen.example.vn>", timeout=2.0
    )
    for n in (1, 2, 3):
        assert channel.send(outgoing(n, "btcd-01@myxuyen.example.vn")).startswith("250 accepted")
    assert len(smtp.peers) == 3 and len(set(smtp.peers)) == 1  # one connection for the three
    smtp.stop()  # the server goes away with the kept connection; it comes back on the same port
    smtp.start()
    channel.send(outgoing(4, "btcd-01@myxuyen.example.vn"))
    assert len(smtp.received) == 4 and len(set(smtp.peers)) == 2  # the dead connection was not used
    mail = smtp.received[-1]
    assert str(mail["Subject"]) == "Điểm nóng số 4 tại xã Tham Đôn"
    assert str(mail["From"]) == "Tiếp công dân Mỹ Xuyên <tb@myxuyen.example.vn>"
    assert "Ba đoàn đông người" in mail.get_content() and "Hot spot 4" in mail.get_content()
    channel.close()


def test_a_connection_idle_for_longer_than_kept_is_not_reused(smtp):
    smtp.start()
    channel = EmailChannel(
        host="127.0.0.1", port=smtp.port, sender="tb@myxuyen.example.vn", timeout=2.0, keep_seconds=0
    )
    channel.send(outgoing(1, "a@myxuyen.example.vn"))
    channel.send(outgoing(2, "b@myxuyen.example.vn"))
    assert len(set(smtp.peers)) == 2
    channel.close()


def test_sms_keep_the_connection_to_the_provider(receiver):
    channel = SmsChannel(url=f"{receiver.url}/sms", timeout=2.0)
    for n in (1, 2, 3):
        assert channel.send(outgoing(n, "+84299000001")).startswith("200")
    assert receiver.json("/sms") == [
        {"to": "+84299000001", "text": f"Điểm nóng số {n} tại xã Tham Đôn Mã XN: 123456"} for n in (1, 2, 3)
    ]
    assert len({r["peer"] for r in receiver.requests}) == 1


def test_the_proxy_the_environment_names_is_used_except_for_hosts_it_exempts(receiver, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", receiver.url)  # the receiver plays the proxy: it sees absolute URLs
    monkeypatch.setenv("NO_PROXY", "localhost")
    channel = SmsChannel(url="http://sms.example.vn/api/sms", timeout=2.0)
    assert channel.send(outgoing(1, "+84299000001")).startswith("200")
    assert [r["path"] for r in receiver.requests] == ["http://sms.example.vn/api/sms"]
    exempt = SmsChannel(url=f"http://localhost:{receiver.port}/sms", timeout=2.0)
    assert exempt.send(outgoing(2, "+84299000001")).startswith("200")
    assert receiver.requests[-1]["path"] == "/sms"  # straight to the host, not through the proxy
