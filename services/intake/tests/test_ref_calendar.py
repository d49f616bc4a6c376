"""What issue 22 left: successions listed, units and days with their sources and confirmation, calendar years."""

import contextlib
import datetime as dt
import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from tiepdan_common.clock import LOCAL
from tiepdan_common.migrations import upgrade
from tiepdan_common.testing import identity_headers, postgres_database

MIGRATIONS = Path(__file__).resolve().parents[1] / "intake" / "migrations"


def admin():  # signed per call: a signature lives a minute
    return identity_headers(subject="admin-01", kind="admin", unit=None)


@pytest.fixture
def board():
    """The board as the gateway signs it now: reference data is read with reference:read, not visits:read."""
    return identity_headers(
        subject="btcd-01",
        kind="district",
        unit="947",
        officer="btcd-01",
        permissions=("reference:read", "visits:read", "visits:write", "petitions:read", "petitions:write"),
    )


def test_unit_answers_carry_their_source_note_and_confirmation(client, board):
    units = {u["code"]: u for u in client.get("/units", query_string={"on": "2025-07-01"}, headers=board).json}
    ward = units["31684"]
    assert ward["name"] == "Phường Mỹ Xuyên" and ward["confirmed"] is False
    assert ward["source"].startswith("Nghị quyết 1668/NQ-UBTVQH15") and "not confirmed" in ward["note"]
    district = [u for u in client.get("/units", headers=board).json if u["code"] == "947"][0]
    assert district["source"] and district["valid_to"] == "2025-06-30"


def test_unit_successions_are_listed_with_both_versions(client, board):
    links = client.get("/unit-successions", headers=board).json
    merged = [s for s in links if s["predecessor_code"] == "94" and s["successor_code"] == "92"]
    assert len(merged) == 1 and merged[0]["kind"] == "merge" and merged[0]["effective_on"] == "2025-07-01"
    assert merged[0]["legal_act"] == "Nghị quyết 202/2025/QH15" and merged[0]["successor_name"] == "Thành phố Cần Thơ"
    district = merged[0]["predecessor_id"]
    own = client.get("/unit-successions", query_string={"unit_id": district}, headers=board).json
    assert own and all(district in (s["predecessor_id"], s["successor_id"]) for s in own)
    assert {s["id"] for s in own} < {s["id"] for s in links}


def test_days_carry_the_day_they_compensate_and_their_confirmation(app, client, board, outbox_events):
    days = {h["date"]: h for h in client.get("/holidays", headers=board).json}
    assert days["2024-05-04"]["kind"] == "working_day" and days["2024-05-04"]["in_exchange_for"] == "2024-04-29"
    assert days["2026-09-01"]["confirmed"] is False and days["2026-09-01"]["note"]
    assert days["2024-01-01"]["confirmed"] is True and days["2024-01-01"]["in_exchange_for"] is None
    try:
        wrong = client.put(
            "/holidays/2026-12-28",
            headers=admin(),
            json={"name": "Nghỉ", "kind": "holiday", "source": "thử", "in_exchange_for": "2026-12-26"},
        )
        assert wrong.status_code == 422 and wrong.json["errors"][0]["field"] == "in_exchange_for"
        made = client.put(
            "/holidays/2026-12-26",
            headers=admin(),
            json={
                "name": "Làm bù cho thứ Hai 28/12",
                "kind": "working_day",
                "source": "thử",
                "in_exchange_for": "2026-12-28",
                "confirmed": False,
                "note": "dự kiến",
            },
        )
        assert made.status_code == 200, made.json
        assert (made.json["in_exchange_for"], made.json["confirmed"], made.json["note"]) == (
            "2026-12-28",
            False,
            "dự kiến",
        )
        event = outbox_events("intake.reference.changed")[-1]["data"]
        assert event["key"] == "2026-12-26" and event["data"]["in_exchange_for"] == "2026-12-28"
        assert event["data"]["confirmed"] is False
        outside = client.put("/holidays/2031-01-01", headers=admin(), json={"name": "Tết", "source": "thử"})
        assert outside.status_code == 422 and outside.json["errors"][0]["field"] == "date"
    finally:  # reference tables outlive a test on PostgreSQL
        with app.extensions["tiepdan"]["db"].engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM holidays WHERE source = 'thử'"))


def _year(**overrides):
    body = {
        "year": 2028,
        "source": "Thông báo thử về lịch nghỉ năm 2028",
        "confirmed": False,
        "note": "dự kiến",
        "days": [
            {"date": "2028-01-01", "name": "Tết Dương lịch"},
            {"date": "2028-01-24", "name": "Tết Nguyên đán", "kind": "holiday"},
            {"date": "2028-01-25", "name": "Tết Nguyên đán"},
            {"date": "2028-01-29", "name": "Làm bù", "kind": "working_day", "in_exchange_for": "2028-01-28"},
            {"date": "2028-01-28", "name": "Nghỉ hoán đổi", "source": "Công văn thử"},
        ],
    }
    body.update(overrides)
    return body


def test_an_administrator_adds_a_calendar_year_and_its_dates_leave_outside_the_calendar(
    app, client, board, petition_body, outbox_events, clock
):
    clock.set(dt.datetime(2028, 1, 20, 12, tzinfo=LOCAL))
    received = "2028-01-20T09:00:00+07:00"
    years = [y["year"] for y in client.get("/calendar-years", headers=board).json]
    assert years == [2024, 2025, 2026, 2027]
    try:
        before = client.post("/petitions", json=petition_body(received_at=received), headers=board)
        assert before.status_code == 422 and before.json["errors"][0]["field"] == "received_at", before.json
        assert client.post("/calendar-years", json=_year(), headers=board).status_code == 403
        gap = client.post(
            "/calendar-years", json=_year(year=2029, days=[{"date": "2029-01-01", "name": "Tết"}]), headers=admin()
        )
        assert gap.status_code == 422 and gap.json["errors"][0]["field"] == "year"
        stray = client.post("/calendar-years", json=_year(days=[{"date": "2027-12-31", "name": "x"}]), headers=admin())
        assert stray.status_code == 422 and stray.json["errors"][0]["field"] == "days.0.date"
        weekday = _year(days=[{"date": "2028-01-03", "name": "Làm bù", "kind": "working_day"}])
        refused = client.post("/calendar-years", json=weekday, headers=admin())
        assert refused.status_code == 422 and refused.json["errors"][0]["field"] == "days.0.kind"
        assert client.get("/calendar-years", headers=board).json[-1]["year"] == 2027  # nothing of a refusal stays

        added = client.post("/calendar-years", json=_year(), headers=admin())
        assert added.status_code == 201, added.json
        assert added.json == {"year": 2028, "confirmed": False, "source": _year()["source"], "note": "dự kiến"}
        events = [e["data"] for e in outbox_events("intake.reference.changed")]
        assert [(e["table"], e["action"], e["key"]) for e in events] == [
            ("holidays", "created", d) for d in ("2028-01-01", "2028-01-24", "2028-01-25", "2028-01-28", "2028-01-29")
        ]
        assert events[3]["data"]["source"] == "Công văn thử" and events[0]["data"]["source"] == _year()["source"]
        assert events[4]["data"]["in_exchange_for"] == "2028-01-28"
        changes = client.get("/reference-changes", headers=admin()).json
        assert changes[0]["table_name"] == "calendar_years" and changes[0]["record_key"] == "2028"

        after = client.post("/petitions", json=petition_body(received_at=received), headers=board)
        assert after.status_code == 201, after.json
        # Ten working days from Thursday 20 January 2028, over the Tết days off (24, 25, 28) and the make-up 29th.
        assert after.json["deadline"] == "2028-02-07"
        again = client.post("/calendar-years", json=_year(), headers=admin())
        assert again.status_code == 409 and again.json["errors"][0]["field"] == "year"
    finally:  # reference tables outlive a test on PostgreSQL
        with app.extensions["tiepdan"]["db"].engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM holidays WHERE date >= '2028-01-01'"))
            conn.execute(sa.text("DELETE FROM calendar_years WHERE year >= 2028"))


@pytest.mark.parametrize("backend", os.environ.get("TIEPDAN_TEST_DATABASES", "sqlite,postgresql").split(","))
def test_an_upgraded_calendar_keeps_the_years_its_days_covered(backend, tmp_path):
    with contextlib.ExitStack() as stack:
        url = (
            f"sqlite:///{tmp_path / 'old.db'}"
            if backend == "sqlite"
            else stack.enter_context(postgres_database("intake_mig12"))
        )
        upgrade(MIGRATIONS, url, "0011")
        engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
        stack.callback(engine.dispose)
        with engine.begin() as conn:
            for day in ("2024-01-01", "2026-02-17"):
                conn.execute(
                    sa.text("INSERT INTO holidays (date, name, kind) VALUES (:d, 'Tết', 'holiday')"), {"d": day}
                )
        upgrade(MIGRATIONS, url)
        with engine.begin() as conn:
            assert conn.execute(sa.text("SELECT year FROM calendar_years ORDER BY year")).scalars().all() == [
                2024,
                2025,
                2026,
            ]
            version = conn.execute(sa.text("SELECT version FROM reference_version")).scalar_one()
            conn.execute(sa.text("UPDATE holidays SET confirmed = false WHERE date = '2024-01-01'"))
            # The version triggers survive the holidays table's rebuild.
            assert conn.execute(sa.text("SELECT version FROM reference_version")).scalar_one() > version
