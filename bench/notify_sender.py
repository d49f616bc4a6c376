"""Notify's sender: due SMS and email deliveries sent per second and CPU per delivery, against bare provider calls.

A throwaway PostgreSQL database gets the messages of ``--events`` active hot spots
(each tells five people: inbox and SMS at once, email two minutes later), all made
by notify's own handler. The SMS provider stand-in (HTTP/1.1, keep-alive) and an
SMTP sink run in a child process, so the CPU measured here (``process_time``) is
the sender's own. Then, in the same run:

1. baseline: the same number of SMS bodies posted to the same provider over one
   kept-alive connection (urllib3, as the channel), no database at all (the floor of the work);
2. the sender: ``send_due`` passes, as ``notify-sender`` runs them, until nothing is
   due; then the clock is moved on two minutes and the emails are sent the same way.

    .venv/bin/python bench/notify_sender.py                # 200 hot spots: 1,000 SMS, 1,000 emails
    .venv/bin/python bench/notify_sender.py --events 50
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import multiprocessing
import sys
import time
import zlib
from pathlib import Path

import urllib3

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "services" / "notify"))

from _report import goal

from notify import create_app
from notify.channels.registry import build_channels
from notify.consumers import event_handler
from notify.delivery.sender import send_due
from tiepdan_common.clock import FakeClock
from tiepdan_common.messaging.envelope import Envelope
from tiepdan_common.testing import TEST_IDENTITY_KEY, postgres_database

START = dt.datetime(2026, 11, 26, 3, 0, tzinfo=dt.UTC)


def _providers(ready, ports) -> None:
    """The SMS provider stand-in and an SMTP sink, in their own process."""
    import socket
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from aiosmtpd.controller import Controller

    count = {"sms": 0, "mail": 0}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real providers do

        def setup(self) -> None:
            super().setup()
            # The status line and headers, then the body, go as two writes: without this, Nagle's
            # algorithm holds the body back until the client's delayed ACK, 40 ms later.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def do_POST(self) -> None:
            json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            count["sms"] += 1
            data = json.dumps({"status": "accepted", "id": f"sms-{count['sms']}"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args) -> None:
            pass

    class Sink:
        async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook
            count["mail"] += 1
            return "250 OK"

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with socket.socket() as probe:  # aiosmtpd checks that it listens by connecting: it needs a real port
        probe.bind(("127.0.0.1", 0))
        smtp_port = probe.getsockname()[1]
    smtp = Controller(Sink(), hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    ports.put((server.server_address[1], smtp_port))
    ready.wait()


def officer(code: str, agency: str, role: str) -> dict:
    return {
        "code": code,
        "full_name": f"Cán bộ {code}",
        "agency": agency,
        "duty_role": role,
        "active": True,
        "shift_ends_at": (START + dt.timedelta(hours=8)).isoformat(),
        "channels": [
            {
                "kind": "phone",
                "address": "+84299" + str(zlib.crc32(code.encode()) % 10**7).rjust(7, "0"),
                "verified": True,
            },
            {"kind": "email", "address": f"{code}@myxuyen.example.vn", "verified": True},
        ],
    }


class Roster:
    """Roster's answers for one shift: a lead, a leader on call, a police officer, two commune officers."""

    def __init__(self) -> None:
        self.lead = officer("btcd-01", "BTCD", "lead")
        self.leader = officer("ld-01", "LD-UBND", "leader_on_call")
        self.police = officer("ca-01", "CA", "police")

    def on_duty(self, role=None, agency=None, **_params):
        officers = [
            o
            for o in (self.lead, self.police)
            if (role is None or o["duty_role"] == role) and (agency is None or o["agency"] == agency)
        ]
        return {"officers": officers, "leader_on_call": self.leader}

    def officers(self, agency=None):
        unit = (agency or "UBND-0").removeprefix("UBND-")
        return [officer(f"xa{unit}-{i}", agency, "commune") for i in (1, 2)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200, help="active hot spots, five people told about each")
    args = parser.parse_args()
    logging.disable(logging.INFO)

    ready, ports = multiprocessing.Event(), multiprocessing.Queue()
    providers = multiprocessing.Process(target=_providers, args=(ready, ports), daemon=True)
    providers.start()
    sms_port, smtp_port = ports.get(timeout=30)
    clock = FakeClock(START)
    try:
        with postgres_database("notify_bench") as url:
            app = create_app(
                {
                    "database_url": url,
                    "identity_keys": (TEST_IDENTITY_KEY,),
                    "log_level": "WARNING",
                    "clock": clock,
                    "sms_url": f"http://127.0.0.1:{sms_port}/sms",
                    "smtp_port": smtp_port,
                    "gateway_url": "http://127.0.0.1:9",
                }
            )
            runner = app.test_cli_runner()
            for cli in (["migrate"], ["seed"]):
                result = runner.invoke(args=cli)
                assert result.exit_code == 0, result.output
            settings, db = app.extensions["tiepdan"]["settings"], app.extensions["tiepdan"]["db"]
            handle = event_handler(settings, Roster())
            with db.session() as session:
                for i in range(args.events):
                    unit = str(31684 + i % 13 * 3)
                    event = Envelope.new(
                        type="escalation.hotspot.detected",
                        source="escalation",
                        data={
                            "hotspot_id": f"h-{i}",
                            "unit": unit,
                            "field": "land",
                            "status": "active",
                            "rule": "mass-3-in-7",
                            "window_days": 7,
                            "mass_visits": 3,
                            "citizens": 18,
                            "incidents": 0,
                            "case_ids": [],
                            "detected_at": START.isoformat(),
                        },
                    )
                    handle(session, event)
            sms_due = (
                db.engine.connect()
                .exec_driver_sql(
                    "SELECT count(*) FROM deliveries WHERE channel = 'sms' AND status = 'pending' AND step = 0"
                )
                .scalar()
            )

            # 1. The floor: the same number of SMS posted over one kept-alive connection (urllib3, the
            # channel's own HTTP library), no database.
            pool = urllib3.PoolManager()
            body = json.dumps(
                {"to": "+842990000001", "text": "Điểm nóng tại xã, lĩnh vực đất đai. Mã XN: 123456"}, ensure_ascii=False
            ).encode()
            cpu, wall = time.process_time(), time.perf_counter()
            for _ in range(sms_due):
                resp = pool.request(
                    "POST",
                    f"http://127.0.0.1:{sms_port}/sms",
                    body=body,
                    timeout=5,
                    headers={"Content-Type": "application/json; charset=utf-8"},
                )
                assert resp.status == 200, resp.status
            base_cpu, base_wall = time.process_time() - cpu, time.perf_counter() - wall

            # 2. The sender, as notify-sender runs it.
            channels = build_channels(settings)

            def drain() -> tuple[int, float, float]:
                sent, cpu, wall = 0, time.process_time(), time.perf_counter()
                while True:
                    counts = send_due(db, channels=channels, settings=settings)
                    assert not counts["failed"] and not counts["dead"], counts
                    if not sum(counts.values()):
                        return sent, time.process_time() - cpu, time.perf_counter() - wall
                    sent += counts["sent"]

            sms_sent, sms_cpu, sms_wall = drain()
            clock.advance(minutes=2, seconds=1)
            mail_sent, mail_cpu, mail_wall = drain()
            db.dispose()
    finally:
        ready.set()
        providers.join(5)

    print(
        f"notify sender on PostgreSQL, {args.events} active hot spots, {sms_due} SMS due at once, "
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
    )
    print(
        f"baseline: {sms_due} SMS posted, one kept-alive connection, no database: {sms_due / base_wall:7.1f}/s, "
        f"CPU {1000 * base_cpu / sms_due:.2f} ms each"
    )
    print(
        f"sender  : {sms_sent} SMS sent                                      : {sms_sent / sms_wall:7.1f}/s, "
        f"CPU {1000 * sms_cpu / max(sms_sent, 1):.2f} ms each"
    )
    print(
        f"sender  : {mail_sent} emails sent                                   : {mail_sent / mail_wall:7.1f}/s, "
        f"CPU {1000 * mail_cpu / max(mail_sent, 1):.2f} ms each"
    )
    ratio = (sms_sent / sms_wall) / (sms_due / base_wall)
    print(f"SMS throughput, sender / bare provider calls: {ratio:.0%}")
    goal(
        "notify sender: SMS sent per second against bare provider calls (CPU per SMS)",
        f"{sms_sent / sms_wall:.0f}/s against {sms_due / base_wall:.0f}/s: {ratio:.0%} "
        f"({1000 * sms_cpu / max(sms_sent, 1):.2f} against {1000 * base_cpu / sms_due:.2f} ms)",
        "reported",
        sms_sent == sms_due,
    )


if __name__ == "__main__":
    main()
