import pytest
from sqlalchemy import select

from roster import create_app
from roster.database import OutboxEvent
from tiepdan_common.testing import identity_headers, migrated_app

pytest_plugins = ["tiepdan_common.pytest_plugin"]


@pytest.fixture
def demo_path(demo_path):
    """The 2024 plan's demo (Mỹ Xuyên district, the 7th session) when there is one: roster's tests live in it."""
    plan = demo_path.parent / "demo-2024.json"
    return plan if plan.exists() else demo_path


@pytest.fixture
def app(database_url, reference_dir, demo_path, clock):
    app = migrated_app(
        create_app,
        database_url,
        "--demo",
        str(demo_path),
        "--days-ahead",
        "14",
        reference_dir=reference_dir,
        clock=clock,
    )
    yield app
    app.extensions["tiepdan"]["db"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def reader():
    return identity_headers(subject="svc-notify", kind="service", permissions=("roster:read",))


@pytest.fixture
def auditor():
    """An inspector reading the audit trail (audit:read, as the gateway grants it)."""
    return identity_headers(
        subject="ttr-01",
        kind="district",
        roles=("inspector",),
        officer="ttr-01",
        permissions=("roster:read", "audit:read"),
    )


@pytest.fixture
def board():
    return identity_headers(
        subject="btcd-01",
        kind="district",
        roles=("board",),
        officer="btcd-01",
        permissions=("roster:read", "roster:write"),
    )


@pytest.fixture
def officer_headers():
    def make(code):
        return identity_headers(
            subject=code, kind="district", roles=("department",), officer=code, permissions=("roster:read",)
        )

    return make


@pytest.fixture
def events(app):
    """The data of the outbox events of one type, oldest first."""
    import json

    def read(event_type):
        with app.extensions["tiepdan"]["db"].session() as session:
            rows = session.scalars(
                select(OutboxEvent).where(OutboxEvent.event_type == event_type).order_by(OutboxEvent.id)
            ).all()
            return [json.loads(r.payload)["data"] for r in rows]

    return read
