"""Escalation's own fixtures: the roster stand-in, callers, visits, consumers' handlers and checked events.

Databases (migrated and seeded once per backend into a template), the clock, broker names, the outbox and
the client come from tiepdan_common.pytest_plugin.
"""

import datetime as dt
import json
import threading
import uuid
from pathlib import Path

import pytest

from escalation import create_app
from escalation.app import consumers
from tiepdan_common.messaging import contracts, topology
from tiepdan_common.messaging.envelope import Envelope
from tiepdan_common.testing import TEST_IDENTITY_KEY, identity_headers

pytest_plugins = ["tiepdan_common.pytest_plugin"]

# The repository's reference data, as the plugin's reference_dir (imported here, the plugin would not be rewritten).
REFERENCE_DIR = Path(__file__).resolve().parents[3] / "reference"


def make_app(database_url: str, **overrides):
    app = create_app(
        {
            "database_url": database_url,
            "identity_keys": (TEST_IDENTITY_KEY,),
            "reference_dir": REFERENCE_DIR,
            "mass_case_size": 5,
            **overrides,
        }
    )
    app.config["TESTING"] = True
    return app


@pytest.fixture(scope="session")
def prepare_database():
    """Escalation's migrations and seed (policies, hot-spot rules), once per backend into the template."""

    def prepare(url: str) -> None:
        app = make_app(url)
        runner = app.test_cli_runner()
        for args in (["migrate"], ["seed"]):
            result = runner.invoke(args=args)
            assert result.exit_code == 0, result.output
        app.extensions["tiepdan"]["db"].dispose()

    return prepare


# Officers as roster lists them (codes, agency, role), as the demo seeds them.
ROSTER_OFFICERS = [
    ("btcd-01", "BTCD", "board"),
    ("btcd-02", "BTCD", "board"),
    ("btcd-03", "BTCD", "board"),
    ("ttr-01", "TTR", "inspector"),
    ("ttr-02", "TTR", "inspector"),
    ("ttr-03", "TTR", "inspector"),
    ("ca-01", "CA", "police"),
    ("ld-01", "LD-UBND", "leader"),
    ("ct-31690", "UBND-31690", "leader"),
    ("ct-31693", "UBND-31693", "leader"),
]


class RosterStub:
    """The gateway and roster as escalation's officer directory sees them: a token, and the officers."""

    def __init__(self):
        self.seed = {
            code: {"code": code, "agency": agency, "role": role, "active": True}
            for code, agency, role in ROSTER_OFFICERS
        }
        self.reset()

    def reset(self):
        self.officers, self.down, self.calls, self.token = {k: dict(v) for k, v in self.seed.items()}, False, 0, "t"

    def __call__(self, environ, start_response):
        from werkzeug.wrappers import Request, Response

        request, self.calls = Request(environ), self.calls + 1
        bearer = request.headers.get("Authorization") == f"Bearer {self.token}"
        if self.down:
            resp = Response("unavailable", status=503)
        elif request.path == "/api/v1/auth/token":
            resp = Response(json.dumps({"access_token": self.token, "expires_in": 300}), mimetype="application/json")
        elif request.path == "/api/v1/roster/officers" and bearer:
            resp = Response(json.dumps(list(self.officers.values())), mimetype="application/json")
        else:
            resp = Response("no", status=401)
        return resp(environ, start_response)


@pytest.fixture(scope="session")
def roster_server():
    """A local HTTP stand-in for the gateway in front of roster (escalation asks it which officers exist)."""
    from werkzeug.serving import make_server

    stub = RosterStub()
    server = make_server("127.0.0.1", 0, stub, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stub.url = f"http://127.0.0.1:{server.server_port}"
    yield stub
    server.shutdown()


@pytest.fixture
def roster(roster_server):
    roster_server.reset()
    yield roster_server
    roster_server.reset()


@pytest.fixture
def app(database_url, broker_names, clock, roster):
    app = make_app(database_url, clock=clock, gateway_url=roster.url, roster_timeout=1.0, **broker_names)
    yield app
    app.extensions["tiepdan"]["db"].dispose()


@pytest.fixture
def declared_topology(settings):
    """Declare the exchange and every consumer's queue on the real broker; delete them afterwards."""
    specs = [c.spec(settings) for c in consumers(settings)]
    topology.declare_all(settings, specs)
    yield specs
    topology.delete_all(settings, specs)


@pytest.fixture
def board():
    return identity_headers(subject="btcd-01", kind="district", permissions=("cases:read",))


@pytest.fixture
def checked_events(outbox_events):
    """Every event of a type in the outbox, each checked against its contract."""

    def read(event_type):
        found = outbox_events(event_type)
        for raw in found:
            contracts.validate(Envelope.from_dict(raw))
        return found

    return read


@pytest.fixture
def handle(settings, db):
    """Run a consumer's handler on an event as the worker would (one transaction)."""
    handlers = {}
    for consumer in consumers(settings):
        handlers.update(consumer.handlers)

    def run(event):
        with db.session() as session:
            handlers[event.type](session, event)

    return run


@pytest.fixture
def visit():
    """An intake.visit.recorded event."""

    def make(size=12, unit="31690", field="land", at=None, **data):
        payload = {
            "visit_id": str(uuid.uuid4()),
            "serial": "947/2026/000001",
            "receiving_unit": "947",
            "origin_unit": unit,
            "received_at": (at or dt.datetime.now(dt.UTC)).isoformat(),
            "category": "complaint",
            "field": field,
            "group_size": size,
            "representative_count": 2,
            "is_mass": size >= 5,
            "outcome": "documents_taken",
            "matter_key": f"{unit}:{field}",
            "repeat_of": None,
            "over_level": False,
        }
        payload.update(data)
        return Envelope.new(type="intake.visit.recorded", source="intake", data=payload)

    return make


@pytest.fixture
def admin():
    return identity_headers(subject="admin", kind="admin")


@pytest.fixture
def officer():
    return identity_headers(
        subject="btcd-01",
        kind="district",
        officer="btcd-01",
        roles=("board",),
        permissions=("cases:read", "cases:write", "hotspots:read", "province_requests:read"),
    )


@pytest.fixture
def police():
    return identity_headers(
        subject="police-947",
        kind="police",
        unit="947",
        permissions=("incidents:read", "incidents:write", "alerts:read", "alerts:ack", "cases:read"),
    )
