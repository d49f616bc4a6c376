import pytest

from notify import create_app
from tiepdan_common.testing import identity_headers, migrated_app

pytest_plugins = ["tiepdan_common.pytest_plugin"]


@pytest.fixture
def app(database_url):
    # Port 9 (discard) on loopback: nothing listens, so the real roster client fails fast.
    app = migrated_app(create_app, database_url, extra={
        "gateway_url": "http://127.0.0.1:9", "client_id": "svc-notify", "client_secret": "x",
        "roster_timeout": 0.5, "fallback_recipients": ("btcd-01", "btcd-02")})
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
        return identity_headers(subject=code, kind="district", officer=code, roles=("board",),
                                permissions=("inbox:read",))
    return make


class StaticRoster:
    """Stands in for roster's HTTP answer (the HTTP client itself is tested against a closed port)."""

    def __init__(self, officers, leader=None):
        self.answer = {"officers": [{"code": c, "full_name": f"Cán bộ {c}"} for c in officers],
                       "leader_on_call": {"code": leader, "full_name": "Lãnh đạo"} if leader else None}

    def on_duty(self, **_params):
        return self.answer


@pytest.fixture
def static_roster():
    return StaticRoster
