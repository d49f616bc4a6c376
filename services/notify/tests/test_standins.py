"""`make run`'s local stand-ins: the mail sink, the SMS provider and the webhook receivers, run as the
Procfile runs them, reached by notify's own channels."""

import email
import email.policy
import json
import os
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fakes import free_port

from notify.channels import Outgoing
from notify.channels.email import EmailChannel

ROOT = Path(__file__).resolve().parents[3]


def procfile_command(name: str) -> str:
    """The command the Procfile gives process ``name``."""
    for line in (ROOT / "Procfile").read_text(encoding="utf-8").splitlines():
        if line.startswith(f"{name}:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"no {name!r} process in the Procfile")


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the process ended: {process.stdout.read()}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on {port}")


@pytest.fixture
def run_process(tmp_path):
    """Start a Procfile process as `make run` does: from a checkout whose var/mail make has created."""
    started = []

    def start(name: str, port: int, **env) -> subprocess.Popen:
        (tmp_path / "var" / "mail").mkdir(parents=True, exist_ok=True)  # `mkdir -p var/mail`, as make does
        command = procfile_command(name).replace("127.0.0.1:1025", f"127.0.0.1:{port}")
        args = [sys.executable if a == "python" else a for a in shlex.split(command)]
        args = [str(ROOT / a) if a.startswith("scripts/") else a for a in args]
        environment = {
            **os.environ,
            "TIEPDAN_VAR_DIR": str(tmp_path / "var"),
            "NOTIFY_SMTP_PORT": str(port),
            "STANDINS_PORT": str(port),
            **env,
        }
        process = subprocess.Popen(
            args, cwd=tmp_path, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        started.append(process)
        wait_for_port(port, process)
        return process

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=10)


def outgoing(address: str, title: str = "Vụ việc mới VV-2026-0007: Đoàn đông người") -> Outgoing:
    return Outgoing(
        delivery_id="d-1",
        message_id="m-1",
        event_id="e-1",
        event_type="escalation.case.opened",
        case_id="c-1",
        recipient="btcd-01",
        address=address,
        urgent=True,
        title=title,
        body="Xã Đại Tâm, lĩnh vực đất đai.",
        title_en="New case",
        body_en="",
        ack_code="123456",
        ack_url="http://127.0.0.1:8000/api/v1/notify/ack/x",
    )


def test_the_mail_sink_keeps_every_mail_where_a_person_can_open_it(run_process, tmp_path):
    port = free_port()
    run_process("mail", port)
    channel = EmailChannel(host="127.0.0.1", port=port, sender="Tiếp công dân <thongbao@myxuyen.example.vn>")
    answer = channel.send(outgoing("btcd-01@myxuyen.example.vn"))
    channel.close()
    assert answer.startswith("250")
    (stored,) = (tmp_path / "var" / "mail" / "new").iterdir()  # a Maildir: mutt -f var/mail, or any editor
    mail = email.message_from_bytes(stored.read_bytes(), policy=email.policy.default)
    assert str(mail["Subject"]) == "Vụ việc mới VV-2026-0007: Đoàn đông người"
    assert mail["To"] == "btcd-01@myxuyen.example.vn"
    assert "Hoặc nhắn mã xác nhận: 123456" in mail.get_content()


def test_sms_and_webhooks_reach_stand_ins_that_record_them(run_process, tmp_path):
    from notify import signing
    from notify.channels.sms import SmsChannel
    from notify.channels.webhook import WebhookChannel

    port = free_port()
    run_process("standins", port, NOTIFY_WEBHOOK_SECRET="hook-secret")
    url = f"http://127.0.0.1:{port}"
    assert SmsChannel(url=f"{url}/sms").send(outgoing("+84299000000")).startswith("200")
    police = WebhookChannel(secret="hook-secret")
    assert police.send(outgoing(f"{url}/webhooks/police")).startswith("200")
    with pytest.raises(Exception, match="401"):  # a receiver refuses what it cannot verify
        WebhookChannel(secret="not-the-secret").send(outgoing(f"{url}/webhooks/police"))
    (sms,) = [json.loads(line) for line in (tmp_path / "var" / "sms.jsonl").read_text("utf-8").splitlines()]
    assert sms["to"] == "+84299000000" and sms["text"].endswith("Mã XN: 123456")
    hooks = [json.loads(line) for line in (tmp_path / "var" / "webhooks.jsonl").read_text("utf-8").splitlines()]
    assert [(h["endpoint"], h["accepted"]) for h in hooks] == [("police", True), ("police", False)]
    assert hooks[0]["payload"]["title"] == "Vụ việc mới VV-2026-0007: Đoàn đông người"
    assert "signature" in hooks[1]["error"]
    assert signing  # the stand-in checks with notify's own receiver code


def test_the_stand_ins_page_shows_mail_sms_and_webhooks(run_process, tmp_path):
    import urllib.request

    mail_port, page_port = free_port(), free_port()
    run_process("mail", mail_port)
    run_process("standins", page_port)
    EmailChannel(host="127.0.0.1", port=mail_port, sender="thongbao@myxuyen.example.vn").send(
        outgoing("ld-01@myxuyen.example.vn", title="Điểm nóng tại Xã Tham Đôn")
    )
    from notify.channels.sms import SmsChannel

    SmsChannel(url=f"http://127.0.0.1:{page_port}/sms").send(outgoing("+84299000016"))
    page = urllib.request.urlopen(f"http://127.0.0.1:{page_port}/").read().decode("utf-8")
    assert "Điểm nóng tại Xã Tham Đôn" in page and "ld-01@myxuyen.example.vn" in page and "+84299000016" in page
    key = page.split('href="mail/', 1)[1].split('"', 1)[0]
    mail = urllib.request.urlopen(f"http://127.0.0.1:{page_port}/mail/{key}").read().decode("utf-8")
    assert "Hoặc nhắn mã xác nhận: 123456" in mail


def test_make_run_points_notify_at_the_stand_ins_with_a_police_webhook(monkeypatch):
    """The settings `make run` writes (scripts/standins.py env, read by honcho) are what notify loads."""
    from honcho.environ import parse

    from notify import config

    printed = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "standins.py"), "env"], check=True, capture_output=True, text=True
    ).stdout
    for name, value in parse(printed).items():
        monkeypatch.setenv(name, value)
    settings = config.load()
    assert settings.sms_url == "http://127.0.0.1:8025/sms"
    assert settings.webhooks["police"] == "http://127.0.0.1:8025/webhooks/police"
    assert settings.webhooks["province"] == "http://127.0.0.1:8025/webhooks/province"
    assert settings.webhooks["commune:*"] == "http://127.0.0.1:8025/webhooks/commune-{unit}"


def test_the_banner_says_where_each_channel_lands():
    printed = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "banner.py")], check=True, capture_output=True, text=True
    ).stdout
    for where in (
        "var/mail",
        "var/sms.jsonl",
        "var/webhooks.jsonl",
        "http://127.0.0.1:8025/",
        "http://127.0.0.1:8025/webhooks/police",
    ):
        assert where in printed


def test_an_alert_reaches_every_stand_in_as_make_run_configures_notify(
    run_process, tmp_path, configure, db, monkeypatch, handle, make_event, static_roster, make_person, clock
):
    """A critical public-order case, through notify's sender, configured from the demo's addresses."""
    from honcho.environ import parse

    from notify.channels.registry import build_channels
    from notify.delivery.sender import send_due

    mail_port, standins_port = free_port(), free_port()
    run_process("mail", mail_port)
    run_process("standins", standins_port, NOTIFY_WEBHOOK_SECRET="demo-webhook-secret")
    printed = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "standins.py"), "env"], check=True, capture_output=True, text=True
    ).stdout.replace(":8025/", f":{standins_port}/")
    env = parse(printed)
    settings = configure(
        sms_url=env["NOTIFY_SMS_URL"],
        webhooks=json.loads(env["NOTIFY_WEBHOOKS"]),
        smtp_port=mail_port,
        webhook_secret="demo-webhook-secret",
    )
    roster = static_roster([make_person("btcd-01"), make_person("ca-01", "CA", "police")], leader="ld-01")
    handle(make_event("escalation.case.opened", severity="critical", public_order=True), roster)
    clock.advance(minutes=3)
    counts = send_due(db, channels=build_channels(settings), settings=settings, limit=100)
    from sqlalchemy import select

    from notify.delivery.models import Delivery

    with db.session() as session:
        errors = [(d.recipient, d.channel, d.last_error) for d in session.scalars(select(Delivery)) if d.last_error]
    assert counts["failed"] == counts["dead"] == 0 and counts["sent"] > 0, errors
    var = tmp_path / "var"
    sms = [json.loads(line) for line in (var / "sms.jsonl").read_text("utf-8").splitlines()]
    assert len(sms) == 3 and all(s["text"].startswith("[KHẨN] Vụ việc mới VV-2026-0007") for s in sms)
    hooks = [json.loads(line) for line in (var / "webhooks.jsonl").read_text("utf-8").splitlines()]
    assert [(h["endpoint"], h["accepted"]) for h in hooks] == [("police", True)]
    assert hooks[0]["payload"]["title"].startswith("[KHẨN] Vụ việc mới VV-2026-0007")
    mails = sorted(
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)["To"]
        for p in (var / "mail" / "new").iterdir()
    )
    assert mails == ["btcd-01@myxuyen.example.vn", "ca-01@myxuyen.example.vn", "ld-01@myxuyen.example.vn"]
