import json

import pytest
from sqlalchemy import select

from intake import create_app
from intake.database import OutboxEvent
from tiepdan_common.testing import identity_headers, migrated_app

pytest_plugins = ["tiepdan_common.pytest_plugin"]


@pytest.fixture
def app(database_url, reference_dir):
    app = migrated_app(create_app, database_url, extra={"reference_dir": reference_dir})
    yield app
    app.extensions["tiepdan"]["db"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def board():
    return identity_headers(subject="btcd-01", kind="district", unit="947", officer="btcd-01",
                            permissions=("visits:read", "visits:write"))


@pytest.fixture
def commune():
    def make(unit="31684"):
        return identity_headers(subject=f"commune-{unit}", kind="commune", unit=unit,
                                permissions=("visits:read", "visits:write"))
    return make


@pytest.fixture
def outbox_events(app):
    def read(event_type=None):
        with app.extensions["tiepdan"]["db"].session() as s:
            rows = s.scalars(select(OutboxEvent).order_by(OutboxEvent.id)).all()
            return [json.loads(r.payload) for r in rows if event_type in (None, r.event_type)]
    return read


@pytest.fixture
def visit_body():
    def make(size=1, representatives=None, **overrides):
        reps = representatives if representatives is not None else (1 if size >= 5 else 0)
        body = {
            "category": "complaint",
            "field": "land",
            "origin_unit": "31690",
            "content": "Khiếu nại về việc thu hồi đất làm đường giao thông nông thôn",
            "group_size": size,
            "citizens": [
                {"full_name": f"Công dân {i + 1}", "is_representative": i < reps} for i in range(max(reps, 1))
            ],
            "outcome": {"type": "documents_taken"},
        }
        body.update(overrides)
        return body
    return make
