import json
import os
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from intake import create_app
from intake.database import OutboxEvent
from tiepdan_common.testing import TEST_IDENTITY_KEY, identity_headers, migrated_app, postgres_database

pytest_plugins = ["tiepdan_common.pytest_plugin"]


REPO_ROOT = Path(__file__).resolve().parents[3]
IDENTITY_KEY = "dGVzdC1pbnRha2UtaWRlbnRpdHkta2V5LTAwMDAwMDA="  # a Fernet key for tests only


@pytest.fixture
def identity_key():
    return IDENTITY_KEY


@pytest.fixture
def reference_dir():
    return REPO_ROOT / "reference"


def _settings(database_url):
    return {
        "database_url": database_url,
        "identity_keys": (TEST_IDENTITY_KEY,),
        "reference_dir": REPO_ROOT / "reference",
        "intake_identity_keys": (IDENTITY_KEY,),
    }


@pytest.fixture(scope="session")
def templates(tmp_path_factory):
    """One database per backend, migrated and seeded once per run (see ``database_url``).

    Migrations still run on both backends (here), but not once per test: creating and
    migrating a PostgreSQL database per test made the suite several times slower.
    """
    made, cleanups = {}, []

    def get(backend):
        if backend not in made:
            if backend == "sqlite":
                url = f"sqlite:///{tmp_path_factory.mktemp('template') / 'intake.db'}"
            else:
                context = postgres_database("intake_tmpl")
                url = context.__enter__()
                cleanups.append(context)
            settings = _settings(url)
            del settings["database_url"]
            app = migrated_app(create_app, url, **settings)
            app.extensions["tiepdan"]["db"].dispose()
            made[backend] = url
        return made[backend]

    yield get
    for context in cleanups:
        context.__exit__(None, None, None)


REFERENCE_TABLES = {"units", "unit_successions", "fields", "legal_rules", "holidays", "reference_version"}


@pytest.fixture(params=os.environ.get("TIEPDAN_TEST_DATABASES", "sqlite,postgresql").split(","))
def database_url(request, tmp_path, templates):
    """A migrated, seeded database of each backend, as fresh as new for every test.

    SQLite: a copy of the template file. PostgreSQL: the template database itself, emptied
    of everything but reference data after each test (faster than a new database per test).
    """
    template = templates(request.param)
    if request.param == "sqlite":
        path = tmp_path / "service.db"
        shutil.copy(template.split("///", 1)[1], path)
        yield f"sqlite:///{path}"
        return
    yield template
    import intake.confidential.models
    import intake.petition.models
    import intake.visit.models  # noqa: F401
    from intake.database import Base

    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables if t.name not in REFERENCE_TABLES)
    engine = sa.create_engine(template)
    with engine.begin() as conn:
        conn.execute(sa.text("SET LOCAL lock_timeout = '10s'"))  # a leaked connection fails the run, not hangs it
        conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def app(database_url, clock):
    app = create_app({**_settings(database_url), "clock": clock})
    app.config["TESTING"] = True
    yield app
    app.extensions["tiepdan"]["db"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


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
