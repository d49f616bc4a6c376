"""Migration 0011 from 0010 and back: earlier petitions get the unit versions of their day, on both databases."""

import contextlib
import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from tiepdan_common.migrations import alembic_config, upgrade
from tiepdan_common.testing import postgres_database

MIGRATIONS = Path(__file__).resolve().parents[1] / "intake" / "migrations"
UNITS = [  # id, code, level, parent, valid from, valid to
    (1, "947", "district", None, "2024-01-01", "2025-06-30"),
    (2, "31684", "commune", 1, "2024-01-01", "2025-06-30"),
    (3, "92", "province", None, "2025-07-01", None),
    (4, "31684", "commune", 3, "2025-07-01", None),
]


@pytest.mark.parametrize("backend", os.environ.get("TIEPDAN_TEST_DATABASES", "sqlite,postgresql").split(","))
def test_0011_gives_earlier_petitions_the_unit_versions_of_their_day(backend, tmp_path):
    with contextlib.ExitStack() as stack:
        url = (
            f"sqlite:///{tmp_path / 'old.db'}"
            if backend == "sqlite"
            else stack.enter_context(postgres_database("intake_m11"))
        )
        upgrade(MIGRATIONS, url, "0010")
        engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
        columns = (
            "id, number, receiving_unit, received_at, received_on, channel, category, field_code,"
            " origin_unit, subject, content, search_text, anonymous, verifiable, handled_as_denunciation,"
            " multi_site, sender_count, repeat_count, status, created_by, created_at, matter_key,"
            " complaint_round, confidential, extensions, version"
        )
        with engine.begin() as conn:
            for unit_id, code, level, parent, since, until in UNITS:
                conn.execute(
                    sa.text(
                        "INSERT INTO units (id, code, name, level, parent_id, valid_from, valid_to, source, confirmed)"
                        " VALUES (:id, :code, :code, :level, :parent, :since, :until, 'test', true)"
                    ),
                    {"id": unit_id, "code": code, "level": level, "parent": parent, "since": since, "until": until},
                )
            # The last day of the district, the first of the city, and one recorded at the district after it ended.
            for pid, unit, day in (
                ("p1", "947", "2025-06-30"),
                ("p2", "92", "2025-07-01"),
                ("p3", "947", "2026-11-02"),
            ):
                conn.execute(
                    sa.text(
                        f"INSERT INTO petitions ({columns}) VALUES (:id, :number, :unit, :at, :day, 'post', 'complaint',"
                        " 'land', '31684', NULL, 'x', '', false, false, false, false, 1, 0, 'received', 'x', :at,"
                        " '31684:land', 1, false, 0, 1)"
                    ),
                    {
                        "id": pid,
                        "number": f"DON-{unit}/{day[:4]}/{pid}",
                        "unit": unit,
                        "at": f"{day} 01:00:00",
                        "day": day,
                    },
                )
        upgrade(MIGRATIONS, url)
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text("SELECT id, receiving_unit_id, origin_unit_id FROM petitions ORDER BY id")
            ).all()
        assert [tuple(r) for r in rows] == [("p1", 1, 2), ("p2", 3, 4), ("p3", 1, 4)]
        command.downgrade(alembic_config(MIGRATIONS, url), "0010")
        with engine.connect() as conn:
            assert "receiving_unit_id" not in {c["name"] for c in sa.inspect(conn).get_columns("petitions")}
        upgrade(MIGRATIONS, url)
        engine.dispose()
