"""Stand-ins notify's tests talk to: a real SMTP server, a real HTTP receiver, and roster's answers."""

import datetime as dt
import email
import email.policy
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller
from events import START


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
        if params.get("with_on_call"):
            self._check(("on-duty", "with_on_call"))
        else:
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
