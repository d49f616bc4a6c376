"""Notify's fixtures on the shared plugin (databases on both backends, the clock, client, db, settings): what is
notify's own is the SMTP server and HTTP receiver its channels reach, roster's answers, callers and events."""

import dataclasses

import pytest
from events import DEFAULTS, START
from fakes import Receiver, SmtpServer, StaticRoster, person

from notify import create_app
from tiepdan_common.testing import TEST_IDENTITY_KEY, identity_headers

pytest_plugins = ["tiepdan_common.pytest_plugin"]


@pytest.fixture(scope="session")
def prepare_database():
    """Migrate and seed (rules, lists, ladders) the template every test's database is copied from."""

    def prepare(url):
        app = create_app({"database_url": url, "identity_keys": (TEST_IDENTITY_KEY,)})
        runner = app.test_cli_runner()
        for args in (["migrate"], ["seed"]):
            result = runner.invoke(args=args)
            assert result.exit_code == 0, result.output
        app.extensions["tiepdan"]["db"].dispose()

    return prepare


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
    app = create_app({"database_url": database_url, "identity_keys": (TEST_IDENTITY_KEY,), **overrides})
    app.config["TESTING"] = True
    yield app
    app.extensions["tiepdan"]["db"].dispose()


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


@pytest.fixture
def static_roster():
    return StaticRoster


@pytest.fixture
def make_person():
    return person


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
    from notify.delivery.sender import send_due as run

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
