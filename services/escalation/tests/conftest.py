import json
import threading

import pytest
from sqlalchemy import select

from escalation import create_app
from escalation.app import consumers
from escalation.database import OutboxEvent
from tiepdan_common.messaging import topology
from tiepdan_common.testing import identity_headers, isolated_broker_names, migrated_app

pytest_plugins = ["tiepdan_common.pytest_plugin"]


@pytest.fixture
def broker_names():
    return isolated_broker_names("esc")


@pytest.fixture
def app(database_url, reference_dir, broker_names):
    app = migrated_app(create_app, database_url, extra={"reference_dir": reference_dir, "mass_case_size": 5},
                       **broker_names)
    yield app
    settings = app.extensions["tiepdan"]["settings"]
    try:
        topology.delete_all(settings, [c.spec(settings) for c in consumers(settings)])
    except Exception:
        pass
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
