import contextlib
import dataclasses
import datetime as dt
import email
import email.policy
import json
import os
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from notify import create_app
from notify.database import Base
from tiepdan_common.db import make_engine
from tiepdan_common.testing import (
    TEST_IDENTITY_KEY,
    identity_headers,
    migrated_app,
    postgres_database,
)

pytest_plugins = ["tiepdan_common.pytest_plugin"]


@pytest.fixture(scope="session")
def _databases(tmp_path_factory):
    """One SQLite file and one PostgreSQL database for the session, made on first use, dropped at the end."""
    stack, urls = contextlib.ExitStack(), {}

    def get(backend):
        if backend not in urls:
            if backend == "sqlite":
                urls[backend] = f"sqlite:///{tmp_path_factory.mktemp('db') / 'notify.db'}"
            else:
                urls[backend] = stack.enter_context(postgres_database("notify_test"))
        return urls[backend]

    yield get
    stack.close()


@pytest.fixture(params=os.environ.get("TIEPDAN_TEST_DATABASES", "sqlite,postgresql").split(","))
def database_url(request, _databases):
    """Each test on SQLite and on PostgreSQL, like the shared fixture, but emptied instead of created anew.

    Creating and dropping a PostgreSQL database per test costs seconds on a loaded machine; emptying
    the tables costs milliseconds. Migrations still run against it (the app fixture migrates).
    """
    url = _databases(request.param)
    engine = make_engine(url)
    with engine.begin() as conn:
        existing = set(sa.inspect(conn).get_table_names())
        tables = [t.name for t in reversed(Base.metadata.sorted_tables) if t.name in existing]
        for table in tables:  # DELETE on a few rows is cheaper than TRUNCATE's new files
            conn.execute(sa.text(f'DELETE FROM "{table}"'))
    engine.dispose()
    yield url


_MIGRATED: set = set()
START = dt.datetime(2026, 11, 26, 2, 0, tzinfo=dt.UTC)  # 09:00 in Viet Nam


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    """A real SMTP server (aiosmtpd) on a reserved port, started and stopped by the test."""

    def __init__(self):
        self.port = free_port()
        self.received = []
        self.peers = []  # the client's address of each mail received: one per connection it came on
        self.controller = None

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        self.received.append(
            email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        )
        self.peers.append(session.peer)
        return "250 Message accepted for delivery"

    def start(self):
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


class Receiver:
    """A real HTTP server recording what it is sent; ``check`` may refuse a request (status, body)."""

    def __init__(self):
        self.requests = []
        self.status = 200
        self.check = None
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # connections are kept alive, as real providers do

            def setup(self):
                super().setup()
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status, answer = outer.status, b'{"ok": true}'
                if outer.check is not None:
                    status, answer = outer.check(self.headers, body)
                if status < 300:
                    outer.requests.append(
                        {"path": self.path, "headers": dict(self.headers), "body": body, "peer": self.client_address}
                    )
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def json(self, path_prefix=""):
        return [json.loads(r["body"]) for r in self.requests if r["path"].startswith(path_prefix)]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def clock_start():
    """The plugin's clock starts at 09:00 on 26 November 2026 in Viet Nam, when the test events happen."""
    return START


@pytest.fixture
def smtp():
    server = SmtpServer()
    yield server
    server.stop()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def app(database_url, clock, smtp, receiver):
    # Port 9 (discard) on loopback: nothing listens, so the real roster client fails fast.
    overrides = {
        "gateway_url": "http://127.0.0.1:9",
        "client_id": "svc-notify",
        "client_secret": "x",
        "roster_timeout": 0.5,
        "fallback_recipients": ("btcd-01", "btcd-02"),
        "clock": clock,
        "smtp_port": smtp.port,
        "smtp_timeout": 2.0,
        "sms_url": f"{receiver.url}/sms",
        "sms_inbound_secrets": ("sms-secret",),
        "webhook_secret": "hook-secret",
        "webhooks": {
            "police": f"{receiver.url}/police",
            "province": f"{receiver.url}/province",
            "commune:*": receiver.url + "/commune/{unit}",
        },
        "public_url": "https://tiepdan.example.vn/api/v1/notify",
        "ack_secret": "ack-secret",
        "delivery_max_attempts": 4,
        "retry_base_seconds": 60.0,
        "retry_max_seconds": 600.0,
        "sms_timeout": 2.0,
        "webhook_timeout": 2.0,
    }
    if database_url in _MIGRATED:  # the session's database is migrated once; each test is seeded again
        app = create_app({"database_url": database_url, "identity_keys": (TEST_IDENTITY_KEY,), **overrides})
        app.config["TESTING"] = True
        result = app.test_cli_runner().invoke(args=["seed"])
        assert result.exit_code == 0, result.output
    else:
        app = migrated_app(create_app, database_url, **overrides)
        _MIGRATED.add(database_url)
    yield app
    app.extensions["tiepdan"]["db"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db(app):
    return app.extensions["tiepdan"]["db"]


@pytest.fixture
def settings(app):
    return app.extensions["tiepdan"]["settings"]


@pytest.fixture
def officer():
    def make(code):
        return identity_headers(
            subject=code, kind="district", officer=code, roles=("board",), permissions=("inbox:read",)
        )

    return make


@pytest.fixture
def board():
    return identity_headers(
        subject="district-board", kind="district", roles=("board",), permissions=("inbox:read", "deliveries:read")
    )


@pytest.fixture
def board_officer():
    """A board officer signed in, as the gateway would forward them (with the right to send notices)."""
    return identity_headers(
        subject="btcd-01",
        kind="district",
        officer="btcd-01",
        roles=("board",),
        permissions=("inbox:read", "deliveries:read", "notices:write"),
    )


@pytest.fixture
def admin():
    return identity_headers(subject="admin", kind="admin")


@pytest.fixture
def anonymous():
    """What the gateway forwards on its public routes."""
    return identity_headers(subject="anonymous", kind="service", unit=None)


def person(code, agency="BTCD", duty_role="lead", ends=START + dt.timedelta(hours=8), phone=True, mail=True):
    """An officer as roster describes one (with channels)."""
    channels = []
    if phone:
        channels.append({"kind": "phone", "address": "+8429900" + code[-2:].rjust(4, "0"), "verified": True})
    if mail:
        channels.append({"kind": "email", "address": f"{code}@myxuyen.example.vn", "verified": True})
    return {
        "code": code,
        "full_name": f"Cán bộ {code}",
        "agency": agency,
        "agency_name": agency,
        "role": duty_role,
        "duty_role": duty_role,
        "shift_id": 1,
        "shift_kind": "day",
        "shift_ends_at": ends.isoformat(),
        "channels": channels,
        "active": True,
    }


class StaticRoster:
    """Stands in for roster's HTTP answers (the HTTP client itself is tested against a closed port).

    ``down = True`` makes it answer like an unreachable roster.
    """

    def __init__(self, officers, leader=None, agencies=None):
        self.officers_on_duty = [o if isinstance(o, dict) else person(o) for o in officers]
        self.leader = (
            (leader if isinstance(leader, dict) else person(leader, "LD-UBND", "leader_on_call")) if leader else None
        )
        self.agency_members = agencies or {}
        self.down = False
        self.calls = []

    def _check(self, what):
        from notify.audience.roster_client import RosterUnavailable

        self.calls.append(what)
        if self.down:
            raise RosterUnavailable("roster is down")

    def refresh_token(self):
        return False  # no token to get: nothing stands between it and roster

    def on_duty(self, **params):
        role, agency = params.get("role"), params.get("agency")
        self._check(("on-duty", role) if not agency else ("on-duty", role, agency))
        officers = [
            o
            for o in self.officers_on_duty
            if (role is None or o["duty_role"] == role) and (agency is None or o["agency"] == agency)
        ]
        return {"at": START.isoformat(), "officers": officers, "leader_on_call": self.leader}

    def agencies(self):
        self._check(("agencies",))
        return [
            {
                "code": code,
                "name": code,
                "unit": code.removeprefix("UBND-"),
                "kind": "commune" if code.startswith("UBND-") else "department",
            }
            for code in self.agency_members
        ]

    def officers(self, agency=None):
        self._check(("officers", agency))
        if agency is None:
            return [o for members in self.agency_members.values() for o in members]
        return list(self.agency_members.get(agency, []))


@pytest.fixture
def static_roster():
    return StaticRoster


@pytest.fixture
def make_person():
    return person


CASE_ID = "6f1c2a9e-0000-4000-8000-000000000001"
DEFAULTS = {
    "escalation.case.opened": {
        "case_id": CASE_ID,
        "number": "VV-2026-0007",
        "title": "Đoàn đông người (12 công dân), lĩnh vực đất đai",
        "unit": "31690",
        "field": "land",
        "category": "complaint",
        "severity": "medium",
        "level": "district",
        "group_size": 12,
        "public_order": False,
        "opened_at": "2026-11-26T02:00:00+00:00",
        "source": {"type": "visit", "id": "v-1"},
    },
    "escalation.case.escalated": {
        "case_id": CASE_ID,
        "number": "VV-2026-0007",
        "title": "Đoàn đông người (12 công dân), lĩnh vực đất đai",
        "unit": "31690",
        "field": "land",
        "severity": "high",
        "level": "district",
        "step": {"index": 2, "of": 3},
        "target": {"type": "agency", "value": "TTR"},
        "urgent": True,
        "escalated_at": "2026-11-26T02:30:00+00:00",
    },
    "escalation.case.acknowledged": {
        "case_id": CASE_ID,
        "number": "VV-2026-0007",
        "acknowledged_by": "btcd-01",
        "via": "inbox",
        "acknowledged_at": "2026-11-26T02:03:00+00:00",
    },
    "escalation.case.closed": {
        "case_id": CASE_ID,
        "number": "VV-2026-0007",
        "unit": "31690",
        "reason": "Đã giải quyết xong",
        "outcome": "Công dân đồng ý trở về",
        "closed_at": "2026-11-26T05:00:00+00:00",
    },
    "escalation.hotspot.detected": {
        "hotspot_id": "h-1",
        "unit": "31693",
        "field": "compensation",
        "status": "active",
        "rule": "mass-3-in-7",
        "window_days": 7,
        "mass_visits": 3,
        "citizens": 41,
        "incidents": 1,
        "case_ids": [CASE_ID],
        "detected_at": "2026-11-26T03:00:00+00:00",
    },
    "escalation.incident.reported": {
        "incident_id": "i-1",
        "unit": "31711",
        "place": "Trước trụ sở UBND xã Ngọc Đông",
        "occurred_at": "2026-11-26T01:40:00+00:00",
        "crowd_estimate": 30,
        "summary": "Tụ tập căng băng rôn",
        "public_order": True,
        "case_id": None,
        "reported_by": "ca-01",
        "reported_at": "2026-11-26T01:45:00+00:00",
    },
    "escalation.province_request.received": {
        "request_id": "p-1",
        "reference": "123/BTCD-TCD",
        "group_size": 15,
        "place": "Trụ sở Tiếp công dân tỉnh",
        "unit": "31708",
        "field": "land",
        "deadline": "2026-11-26T09:00:00+00:00",
        "case_id": None,
        "received_at": "2026-11-26T02:10:00+00:00",
    },
    "escalation.province_request.completed": {
        "request_id": "p-1",
        "reference": "123/BTCD-TCD",
        "outcome": "Đã đón 15 công dân về địa phương",
        "citizens_returned_at": "2026-11-26T08:00:00+00:00",
        "officers_sent": ["ttr-01", "vp-01"],
        "completed_at": "2026-11-26T08:30:00+00:00",
    },
    "escalation.daily_summary.ready": {
        "date": "2026-11-26",
        "generated_at": "2026-11-26T10:00:00+00:00",
        "visits": 23,
        "mass_visits": 2,
        "open_cases": 4,
        "new_cases": 2,
        "hotspots_active": 1,
        "incidents": 1,
        "province_requests_open": 0,
        "overdue_items": 3,
        "highlights": ["Xã Tham Đôn: 3 đoàn đông người về bồi thường"],
    },
    "escalation.case.changed": {
        "case_id": CASE_ID,
        "number": "VV-2026-0007",
        "title": "Đoàn đông người (80 công dân), lĩnh vực đất đai",
        "unit": "31690",
        "field": "land",
        "severity": "high",
        "public_order": False,
        "group_size": 80,
        "changes": [{"kind": "group_size", "from": 6, "to": 80, "thresholds": [20, 50]}],
        "re_escalated": True,
        "policy": "mass-visit",
        "changed_at": "2026-11-26T03:00:00+00:00",
    },
    "escalation.province_request.updated": {
        "request_id": "p-1",
        "reference": "123/BTCD-TCD",
        "requested_by": "province-94",
        "province_unit": "94",
        "change": "officers_sent",
        "status": "officers_sent",
        "previous_status": "assigned",
        "case_id": CASE_ID,
        "deadline": "2026-11-26T09:00:00+00:00",
        "assignees": {"inspectorate": "ttr-01", "commune": "ct-31708"},
        "officers_sent": ["ttr-01", "ct-31708"],
        "dispatched_at": "2026-11-26T04:00:00+00:00",
        "citizens_returned_at": None,
        "updated_at": "2026-11-26T04:00:00+00:00",
    },
    "escalation.province_request.overdue": {
        "request_id": "p-1",
        "reference": "123/BTCD-TCD",
        "requested_by": "province-94",
        "case_id": CASE_ID,
        "case_number": "VV-2026-0007",
        "title": "Đoàn đông người (15 công dân), lĩnh vực đất đai",
        "unit": "31708",
        "group_size": 15,
        "status": "officers_sent",
        "deadline": "2026-11-26T09:00:00+00:00",
        "targets": [{"type": "officer", "value": "ttr-01"}, {"type": "leader_on_call", "value": None}],
        "alarmed_at": "2026-11-26T09:00:30+00:00",
    },
    "escalation.task.assigned": {
        "task_id": "t-1",
        "case_id": CASE_ID,
        "case_number": "VV-2026-0007",
        "case_title": "Đoàn đông người (12 công dân), lĩnh vực đất đai",
        "owner": "tnmt-01",
        "due_at": "2026-11-27T10:00:00+00:00",
        "assigned_by": "btcd-01",
        "assigned_at": "2026-11-26T03:00:00+00:00",
    },
    "escalation.task.overdue": {
        "task_id": "t-1",
        "case_id": CASE_ID,
        "case_number": "VV-2026-0007",
        "case_title": "Đoàn đông người (12 công dân), lĩnh vực đất đai",
        "owner": "tnmt-01",
        "due_at": "2026-11-27T10:00:00+00:00",
        "reminded_at": "2026-11-27T10:01:00+00:00",
    },
    "escalation.incident.updated": {
        "incident_id": "i-1",
        "unit": "31711",
        "change": "closed",
        "changed": ["status"],
        "status": "closed",
        "crowd_estimate": 30,
        "public_order": True,
        "case_id": CASE_ID,
        "updated_by": "police-947",
        "updated_at": "2026-11-26T06:00:00+00:00",
        "closed_at": "2026-11-26T06:00:00+00:00",
    },
    "roster.shift.starting": {
        "shift_id": 7,
        "shift_kind": "day",
        "starts_at": "2026-11-27T00:30:00+00:00",
        "ends_at": "2026-11-27T09:30:00+00:00",
        "officers": [{"code": "ttr-03", "duty_role": "inspector"}, {"code": "btcd-03", "duty_role": "lead"}],
    },
    "roster.coverage.gap": {
        "shift_id": 7,
        "shift_kind": "day",
        "starts_at": "2026-11-27T00:30:00+00:00",
        "ends_at": "2026-11-27T09:30:00+00:00",
        "duty_role": "inspector",
        "missing": 1,
        "reason": "leave",
        "detected_at": "2026-11-26T09:00:00+00:00",
    },
    "intake.petition.overdue": {
        "petition_id": "pt-1",
        "number": "947/2026/000123",
        "deadline": "2026-11-20",
        "days_overdue": 6,
        "receiving_unit": "31690",
        "category": "complaint",
        "field": "land",
        "stage": "acceptance",
    },
}


@pytest.fixture
def event_defaults():
    """The test events' data by type."""
    return DEFAULTS


@pytest.fixture
def make_event():
    from tiepdan_common.messaging import contracts
    from tiepdan_common.messaging.envelope import Envelope

    def make(event_type, **data):
        envelope = Envelope.new(type=event_type, source=event_type.split(".")[0], data={**DEFAULTS[event_type], **data})
        contracts.validate(envelope)  # the test events keep their contracts
        return envelope

    return make


@pytest.fixture
def configure(app, monkeypatch):
    """Change the app's settings for the rest of the test: ``configure(webhooks={})`` (the settings are frozen)."""

    def change(**changes):
        current = app.extensions["tiepdan"]["settings"]
        changed = dataclasses.replace(current, **changes)
        monkeypatch.setitem(app.extensions["tiepdan"], "settings", changed)
        return changed

    return change


@pytest.fixture
def handle(app, db):
    """Run notify's handler for an event, as its consumer would, in one transaction (with the app's settings)."""
    from notify.consumers import event_handler

    def run(event, roster):
        with db.session() as session:
            event_handler(app.extensions["tiepdan"]["settings"], roster)(session, event)

    return run


@pytest.fixture
def send_due(app, db):
    """One pass of the worker's delivery task with the real channels (built once per settings)."""
    from notify.channels.registry import build_channels
    from notify.delivery.service import send_due as run

    built = {}

    def once(**kwargs):
        settings = app.extensions["tiepdan"]["settings"]
        if id(settings) not in built:
            built.clear()
            built[id(settings)] = (settings, build_channels(settings))
        return run(db, channels=built[id(settings)][1], settings=settings, **kwargs)

    return once


@pytest.fixture
def query(db):
    """Run a query against notify's database and return the rows (ORM objects)."""

    def run(stmt):
        with db.session() as session:
            return list(session.scalars(stmt))

    return run
