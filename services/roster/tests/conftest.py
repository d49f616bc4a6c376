"""Roster's own fixtures; databases, the clock, broker names and the outbox come from the shared plugin."""

import socket
from pathlib import Path

import pytest

from roster import create_app
from tiepdan_common.testing import TEST_IDENTITY_KEY, identity_headers

pytest_plugins = ["tiepdan_common.pytest_plugin"]

REPO_ROOT = Path(__file__).resolve().parents[3]
REFERENCE_DIR = REPO_ROOT / "reference"
# The 2024 plan's demo (Mỹ Xuyên district, the 7th session) when there is one: roster's tests live in it.
DEMO = next(p for p in (REPO_ROOT / "demo" / "demo-2024.json", REPO_ROOT / "demo" / "demo.json") if p.exists())
# The standing roster CURRENT runs from a week ago to three weeks ahead of the day the template is made.
DAYS_AHEAD = 21


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# No gateway unless a test starts its stand-in: the catch-up then follows the file alone, at once.
NO_GATEWAY = f"http://127.0.0.1:{_closed_port()}"


def make_app(database_url: str, **overrides):
    app = create_app(
        {
            "database_url": database_url,
            "identity_keys": (TEST_IDENTITY_KEY,),
            "reference_dir": REFERENCE_DIR,
            "gateway_url": NO_GATEWAY,
            **overrides,
        }
    )
    app.config["TESTING"] = True
    return app


@pytest.fixture(scope="session")
def prepare_database():
    """Migrate and seed (demo officers, the NA session, CURRENT) once per backend into the template."""

    def prepare(url: str) -> None:
        app = make_app(url)
        runner = app.test_cli_runner()
        for args in (["migrate"], ["seed", "--demo", str(DEMO), "--days-ahead", str(DAYS_AHEAD)]):
            result = runner.invoke(args=args)
            assert result.exit_code == 0, result.output
        app.extensions["tiepdan"]["db"].dispose()

    return prepare


@pytest.fixture
def demo_path():
    return DEMO


@pytest.fixture
def settings_overrides() -> dict:
    """Settings a test module changes (by field name) on top of the database and the clock."""
    return {}


@pytest.fixture
def app(database_url, clock, settings_overrides):
    app = make_app(database_url, clock=clock, **settings_overrides)
    yield app
    app.extensions["tiepdan"]["db"].dispose()


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
