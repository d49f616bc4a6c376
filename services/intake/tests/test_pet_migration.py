"""Migration 0009 from 0008 and back, with a petition recorded before it, on both databases."""

import contextlib
import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from tiepdan_common.migrations import alembic_config, upgrade
from tiepdan_common.testing import postgres_database

MIGRATIONS = Path(__file__).resolve().parents[1] / "intake" / "migrations"


@pytest.mark.parametrize("backend", os.environ.get("TIEPDAN_TEST_DATABASES", "sqlite,postgresql").split(","))
def test_0009_numbers_old_petitions_finds_their_matter_and_goes_back(backend, tmp_path):
    with contextlib.ExitStack() as stack:
        url = (
            f"sqlite:///{tmp_path / 'old.db'}"
            if backend == "sqlite"
            else stack.enter_context(postgres_database("intake_m9"))
        )
        upgrade(MIGRATIONS, url, "0008")
        engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
        columns = (
            "id, number, receiving_unit, received_at, received_on, channel, category, field_code,"
            " origin_unit, subject, content, search_text, anonymous, verifiable, handled_as_denunciation,"
            " multi_site, sender_count, split_group, repeat_count, status, created_by, created_at"
        )
        with engine.begin() as conn:
            for pid, category in (("p1", "complaint"), ("p2", "denunciation")):
                conn.execute(
                    sa.text(
                        f"INSERT INTO petitions ({columns}) VALUES (:id, :number, '947', '2026-11-02 01:00:00',"
                        " '2026-11-02', 'post', :category, 'land', '31690', 'Đường Tỉnh  940', 'x', '', false, false,"
                        " false, false, 1, 'g1', 0, 'received', 'x', '2026-11-02 01:00:00')"
                    ),
                    {"id": pid, "number": f"947/2026/00000{pid[1]}", "category": category},
                )
        upgrade(MIGRATIONS, url)
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT id, number, matter_key, confidential FROM petitions ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [
            ("p1", "DON-947/2026/000001", "31690:land:duong-tinh-940", True),
            ("p2", "DON-947/2026/000002", "31690:land:duong-tinh-940", True),
        ]
        command.downgrade(alembic_config(MIGRATIONS, url), "0008")
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT number FROM petitions ORDER BY id")).scalars().all() == [
                "947/2026/000001",
                "947/2026/000002",
            ]
            assert "petition_steps" not in sa.inspect(conn).get_table_names()
        upgrade(MIGRATIONS, url)
        engine.dispose()
