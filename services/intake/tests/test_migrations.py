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
        url = (
            f"sqlite:///{tmp_path / 'old.db'}"
            if backend == "sqlite"
            else stack.enter_context(postgres_database("intake_mig"))
        )
        upgrade(MIGRATIONS, url, "0001")
        engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO visits (id, serial, receiving_unit, received_at, category, field_code, origin_unit,"
                    " content, group_size, is_mass, over_level, outcome, created_by, created_at) VALUES ('v1',"
                    " '947/2026/000001', '947', '2026-11-02 01:00:00', 'complaint', 'land', '31690',"
                    " 'Tranh chấp đất đai', 1, false, false, 'documents_taken', 'x', '2026-11-02 01:00:00')"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO visit_citizens (visit_id, position, full_name, is_representative)"
                    " VALUES ('v1', 0, 'Nguyễn Văn Cũ', false)"
                )
            )
        engine.dispose()
        upgrade(MIGRATIONS, url)
        app = create_app({"database_url": url, "identity_keys": (TEST_IDENTITY_KEY,), "intake_identity_keys": (KEY,)})
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


@pytest.mark.parametrize("backend", os.environ.get("TIEPDAN_TEST_DATABASES", "sqlite,postgresql").split(","))
def test_units_become_dated_versions_and_visits_keep_theirs(backend, tmp_path):
    with contextlib.ExitStack() as stack:
        url = (
            f"sqlite:///{tmp_path / 'old.db'}"
            if backend == "sqlite"
            else stack.enter_context(postgres_database("intake_mig8"))
        )
        upgrade(MIGRATIONS, url, "0007")
        engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
        with engine.begin() as conn:
            for code, level, parent in (
                ("94", "province", None),
                ("947", "district", "94"),
                ("31690", "commune", "947"),
            ):
                conn.execute(
                    sa.text(
                        "INSERT INTO units (code, name, level, parent_code, valid_from) "
                        "VALUES (:c, :c, :l, :p, '2024-01-01')"
                    ),
                    {"c": code, "l": level, "p": parent},
                )
            conn.execute(
                sa.text(
                    "INSERT INTO visits (id, serial, receiving_unit, received_at, category, field_code, origin_unit,"
                    " content, group_size, is_mass, over_level, outcome, created_by, created_at, search_text, matter_key,"
                    " repeat_count) VALUES ('v1', '947/2024/000001', '947', '2024-06-03 01:00:00', 'complaint', 'land',"
                    " '31690', 'x', 1, false, false, 'documents_taken', 'x', '2024-06-03 01:00:00', 'x', '31690:land', 0)"
                )
            )
            before = conn.execute(sa.text("SELECT version FROM reference_version")).scalar()
        upgrade(MIGRATIONS, url, "0008")
        with engine.begin() as conn:
            units = {r.code: r for r in conn.execute(sa.text("SELECT id, code, parent_id FROM units"))}
            assert units["31690"].parent_id == units["947"].id and units["94"].parent_id is None
            visit = conn.execute(
                sa.text("SELECT receiving_unit_id, origin_unit_id, channel, version FROM visits")
            ).one()
            assert tuple(visit) == (units["947"].id, units["31690"].id, "in_person", 1)
            # The version triggers follow the rebuilt tables.
            conn.execute(sa.text("UPDATE units SET name = 'Xã Đại Tâm' WHERE code = '31690'"))
            conn.execute(sa.text("UPDATE legal_rules SET source = source"))
            conn.execute(sa.text("INSERT INTO holidays (date, name) VALUES ('2024-09-02', 'Quốc khánh')"))
            assert conn.execute(sa.text("SELECT version FROM reference_version")).scalar() > before
        engine.dispose()
        from alembic import command

        from tiepdan_common.migrations import alembic_config

        command.downgrade(alembic_config(MIGRATIONS, url), "0007")
        engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT parent_code FROM units WHERE code = '31690'")).scalar() == "947"
        engine.dispose()
