"""Intake's own fixtures (callers, request bodies, the app); databases, clock and outbox come from the shared plugin."""

import pytest

from intake import create_app
from tiepdan_common.testing import TEST_IDENTITY_KEY, identity_headers, migrated_app

pytest_plugins = ["tiepdan_common.pytest_plugin"]

IDENTITY_KEY = "dGVzdC1pbnRha2UtaWRlbnRpdHkta2V5LTAwMDAwMDA="  # a Fernet key for tests only
# Seeded once into the template and kept by "truncate": what the seed command and migrations load.
REFERENCE_TABLES = frozenset(
    {"units", "unit_successions", "fields", "legal_rules", "holidays", "calendar_years", "reference_version"}
)


@pytest.fixture(scope="session")
def prepare_database():
    """Migrate and seed with the app's own commands, once per backend per run."""
    from tiepdan_common.pytest_plugin import REPO_ROOT

    def prepare(url: str) -> None:
        app = migrated_app(create_app, url, reference_dir=REPO_ROOT / "reference", intake_identity_keys=(IDENTITY_KEY,))
        app.extensions["tiepdan"]["db"].dispose()

    return prepare


@pytest.fixture(scope="session")
def database_reset():
    return "truncate"  # a PostgreSQL copy per test costs more than emptying the non-reference tables


@pytest.fixture(scope="session")
def kept_tables():
    return REFERENCE_TABLES


@pytest.fixture
def identity_key():
    return IDENTITY_KEY


@pytest.fixture
def app(database_url, clock, reference_dir):
    app = create_app(
        {
            "database_url": database_url,
            "identity_keys": (TEST_IDENTITY_KEY,),
            "reference_dir": reference_dir,
            "intake_identity_keys": (IDENTITY_KEY,),
            "clock": clock,
        }
    )
    app.config["TESTING"] = True
    yield app
    app.extensions["tiepdan"]["db"].dispose()


@pytest.fixture
def board():
    return identity_headers(
        subject="btcd-01",
        kind="district",
        unit="947",
        officer="btcd-01",
        permissions=("visits:read", "visits:write", "petitions:read", "petitions:write"),
    )


@pytest.fixture
def inspector():
    return identity_headers(
        subject="ttr-01",
        kind="district",
        unit="947",
        officer="ttr-01",
        permissions=("visits:read", "petitions:read", "identity:read", "audit:read"),
    )


@pytest.fixture
def commune():
    def make(unit="31684"):
        return identity_headers(
            subject=f"commune-{unit}",
            kind="commune",
            unit=unit,
            permissions=("visits:read", "visits:write", "petitions:read", "petitions:write"),
        )

    return make


@pytest.fixture
def petition_body():
    def make(**overrides):
        body = {
            "channel": "post",
            "category": "complaint",
            "field": "land",
            "received_at": "2026-08-28T09:00:00+07:00",
            "content": "Khiếu nại quyết định thu hồi đất của UBND xã Đại Tâm",
            "senders": [
                {
                    "full_name": "Lê Văn Bảy",
                    "address": "Ấp Phước Hòa, xã Đại Tâm",
                    "id_number": "094123456789",
                    "phone": "0912345678",
                    "is_representative": True,
                }
            ],
        }
        body.update(overrides)
        # The units in force on the day of receipt (a petition keeps them; another is refused): Huyện Mỹ Xuyên
        # and Xã Đại Tâm before 1 July 2025; after, Thành phố Cần Thơ and Phường Mỹ Xuyên (Đại Tâm merged into it).
        later = str(body.get("received_at") or "9999")[:10] >= "2025-07-01"
        body.setdefault("origin_unit", "31684" if later else "31690")
        if later:
            body.setdefault("receiving_unit", "92")
        return body

    return make


@pytest.fixture
def visit_body():
    def make(size=1, representatives=None, **overrides):
        reps = representatives if representatives is not None else (1 if size >= 5 else 0)
        body = {
            "category": "complaint",
            "field": "land",
            "origin_unit": "31690",
            # In the seed's period (the 7th session, 2024), when unit 947 and its communes were in force.
            "received_at": "2024-06-03T09:00:00+07:00",
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
