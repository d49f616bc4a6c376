import pytest

from roster import create_app
from tiepdan_common.testing import identity_headers, migrated_app

pytest_plugins = ["tiepdan_common.pytest_plugin"]


@pytest.fixture
def app(database_url, reference_dir, demo_path):
    app = migrated_app(create_app, database_url, "--demo", str(demo_path), "--days-ahead", "14",
                       extra={"reference_dir": reference_dir})
    yield app
    app.extensions["tiepdan"]["db"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def reader():
    return identity_headers(subject="svc-notify", kind="service", permissions=("roster:read",))
