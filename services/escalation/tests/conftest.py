import datetime as dt
import json
import os
import shutil
import threading
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import select

import escalation
from escalation import create_app
from escalation.app import consumers
from escalation.database import OutboxEvent
from tiepdan_common import migrations
from tiepdan_common.messaging import contracts, topology
from tiepdan_common.messaging.envelope import Envelope
from tiepdan_common.testing import (
    admin_postgres_url,
    identity_headers,
    isolated_broker_names,
    migrated_app,
)

MIGRATIONS = Path(escalation.__file__).parent / "migrations"

pytest_plugins = ["tiepdan_common.pytest_plugin"]


@pytest.fixture
def broker_names():
    return isolated_broker_names("esc")


def _backends() -> list[str]:
    return os.environ.get("TIEPDAN_TEST_DATABASES", "sqlite,postgresql").split(",")


@pytest.fixture(scope="session")
def migrated_templates(tmp_path_factory):
    """Escalation's migrations run once per backend, into a template each test's database is copied from."""
    templates = {}
    admin = None
    if "sqlite" in _backends():
        path = tmp_path_factory.mktemp("template") / "escalation.db"
        migrations.upgrade(MIGRATIONS, f"sqlite:///{path}")
        templates["sqlite"] = path
    if "postgresql" in _backends():
        name = f"esc_template_{uuid.uuid4().hex[:10]}"
        admin = sa.create_engine(admin_postgres_url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = admin.url.set(database=name).render_as_string(hide_password=False)
        migrations.upgrade(MIGRATIONS, url)
        templates["postgresql"] = (admin, name)
    yield templates
    if admin is not None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{templates["postgresql"][1]}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=_backends())
def database_url(request, tmp_path, migrated_templates):
    """Like tiepdan_common.pytest_plugin's: a fresh database of each backend per test, dropped afterwards,
    but copied from a template migrated once per run (Alembic on each backend costs about a second a test)."""
    if request.param == "sqlite":
        path = tmp_path / "service.db"
        shutil.copyfile(migrated_templates["sqlite"], path)
        yield f"sqlite:///{path}"
        return
    admin, template = migrated_templates["postgresql"]
    name = f"svc_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


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
def app(database_url, reference_dir, broker_names, clock, roster):
    app = migrated_app(
        create_app,
        database_url,
        reference_dir=reference_dir,
        mass_case_size=5,
        clock=clock,
        gateway_url=roster.url,
        roster_timeout=1.0,
        **broker_names,
    )
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
def client(app):
    return app.test_client()


@pytest.fixture
def db(app):
    return app.extensions["tiepdan"]["db"]


@pytest.fixture
def settings(app):
    return app.extensions["tiepdan"]["settings"]


@pytest.fixture
def board():
    return identity_headers(subject="btcd-01", kind="district", permissions=("cases:read",))


@pytest.fixture
def outbox_events(db):
    def read(event_type=None):
        with db.session() as s:
            rows = s.scalars(select(OutboxEvent).order_by(OutboxEvent.id)).all()
            return [json.loads(r.payload) for r in rows if event_type in (None, r.event_type)]

    return read


@pytest.fixture
def stop():
    event = threading.Event()
    yield event
    event.set()


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
