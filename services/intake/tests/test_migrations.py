"""Upgrading a register recorded before 0002 keeps its visits readable, then encrypts them on rotation."""

import contextlib
import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from intake import create_app
from tiepdan_common.migrations import upgrade
from tiepdan_common.testing import TEST_IDENTITY_KEY, identity_headers, postgres_database

MIGRATIONS = Path(__file__).resolve().parents[1] / "intake" / "migrations"
KEY = "dGVzdC1pbnRha2UtaWRlbnRpdHkta2V5LTAwMDAwMDA="


@pytest.mark.parametrize("backend", os.environ.get("TIEPDAN_TEST_DATABASES", "sqlite,postgresql").split(","))
def test_visits_from_before_encryption_survive_the_upgrade(backend, tmp_path):
    with contextlib.ExitStack() as stack:
        url = (f"sqlite:///{tmp_path / 'old.db'}" if backend == "sqlite"
               else stack.enter_context(postgres_database("intake_mig")))
        upgrade(MIGRATIONS, url, "0001")
        engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
        with engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO visits (id, serial, receiving_unit, received_at, category, field_code, origin_unit,"
                " content, group_size, is_mass, over_level, outcome, created_by, created_at) VALUES ('v1',"
                " '947/2026/000001', '947', '2026-11-02 01:00:00', 'complaint', 'land', '31690',"
                " 'Tranh chấp đất đai', 1, false, false, 'documents_taken', 'x', '2026-11-02 01:00:00')"))
            conn.execute(sa.text("INSERT INTO visit_citizens (visit_id, position, full_name, is_representative)"
                                 " VALUES ('v1', 0, 'Nguyễn Văn Cũ', false)"))
        engine.dispose()
        upgrade(MIGRATIONS, url)
        app = create_app({"database_url": url, "identity_keys": (TEST_IDENTITY_KEY,),
                          "extra": {"intake_identity_keys": (KEY,)}})
        client = app.test_client()
        inspector = identity_headers(kind="district", permissions=("visits:read", "identity:read"))
        visit = client.get("/visits/v1", headers=inspector).json
        assert visit["matter_key"] == "31690:land" and visit["citizens"][0]["full_name"] == "Nguyễn Văn Cũ"
        assert client.get("/visits", query_string={"q": "dat dai"}, headers=inspector).json["items"][0]["id"] == "v1"
        assert app.test_cli_runner().invoke(args=["rotate-identity-key"]).exit_code == 0
        with app.extensions["tiepdan"]["db"].engine.connect() as conn:
            assert "Cũ" not in conn.execute(sa.text("SELECT full_name FROM visit_citizens")).scalar()
        assert client.get("/visits/v1", headers=inspector).json["citizens"][0]["full_name"] == "Nguyễn Văn Cũ"
        app.extensions["tiepdan"]["db"].dispose()
