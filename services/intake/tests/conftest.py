import json
from pathlib import Path

import pytest
from sqlalchemy import select

from intake import create_app
from intake.database import OutboxEvent
from tiepdan_common.testing import TEST_IDENTITY_KEY, identity_headers, postgres_database

REFERENCE_DIR = Path(__file__).resolve().parents[3] / "reference"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'intake.db'}"
    else:
        with postgres_database("intake_test") as url:
            yield url


@pytest.fixture
def app(database_url):
    app = create_app({"database_url": database_url, "identity_keys": (TEST_IDENTITY_KEY,),
                      "extra": {"reference_dir": REFERENCE_DIR}})
    app.config["TESTING"] = True
    runner = app.test_cli_runner()
    for args in (["migrate"], ["seed"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
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
