"""Roster follows intake's holidays and make-up working days (intake.reference.changed) within seconds."""

import datetime as dt
import threading
from pathlib import Path

import pika
import pytest
from sqlalchemy import select

from roster import reference_sync
from roster.calendar_copy import CalendarDay
from roster.database import ProcessedMessage
from tiepdan_common.calendar import Calendar
from tiepdan_common.clock import LOCAL, today
from tiepdan_common.messaging import contracts, topology
from tiepdan_common.messaging.consumer import ConsumerRunner
from tiepdan_common.messaging.envelope import Envelope
from tiepdan_common.testing import wait_for


@pytest.fixture
def settings_overrides(broker_names):
    """Every change seen at once (no calendar cache), on a broker exchange of the test's own."""
    return {"calendar_max_age_seconds": 0.0, **broker_names}


FILE = Calendar.load(Path(__file__).resolve().parents[3] / "reference" / "holidays-vn.json")


def _ahead(weekday: int, days: int = 4) -> dt.date:
    """The first day of ``weekday`` (0 Monday) at least ``days`` ahead that the file does not list."""
    day = today() + dt.timedelta(days=days)
    while day.weekday() != weekday or FILE.entry(day) is not None:
        day += dt.timedelta(days=1)
    return day


def change(day: dt.date, *, action="created", kind="holiday", version=1000, name="Ngày nghỉ do UBND tỉnh công bố"):
    data = {
        "table": "holidays",
        "action": action,
        "key": day.isoformat(),
        "effective_from": day.isoformat(),
        "reference_version": version,
        "changed_at": dt.datetime.now(dt.UTC).isoformat(),
        "changed_by": "admin-01",
        "data": {}
        if action == "deleted"
        else {"date": day.isoformat(), "name": name, "kind": kind, "source": "Quyết định số 12/QĐ-UBND (thử)"},
    }
    event = Envelope.new(type="intake.reference.changed", source="intake", data=data)
    contracts.validate(event)
    return event


@pytest.fixture
def deliver(db, clock):
    def run(event):
        with db.session() as session:
            reference_sync.handle(session, event, now=clock())

    return run


def kinds_on(client, headers, day):
    start = dt.datetime.combine(day, dt.time(0, 0), tzinfo=LOCAL)
    shifts = client.get(
        "/shifts",
        query_string={"from": start.isoformat(), "to": (start + dt.timedelta(days=1)).isoformat()},
        headers=headers,
    ).json
    return sorted(s["kind"] for s in shifts if dt.datetime.fromisoformat(s["starts_at"]) >= start)


def listed(client, headers, day):
    return {h["date"]: h for h in client.get("/holidays", query_string={"year": day.year}, headers=headers).json}


def test_a_new_holiday_turns_a_working_day_into_a_day_off(client, reader, deliver):
    day = _ahead(2)  # a Wednesday
    assert "morning" in kinds_on(client, reader, day)
    deliver(change(day))
    assert listed(client, reader, day)[day.isoformat()]["kind"] == "day_off"
    assert listed(client, reader, day)[day.isoformat()]["source"] == "Quyết định số 12/QĐ-UBND (thử)"
    assert kinds_on(client, reader, day) == ["on_call", "standby"]  # no office hours, a day-long standby


def test_a_makeup_saturday_gets_office_hours_and_a_deletion_takes_them_back(client, reader, deliver):
    saturday = _ahead(5)
    assert kinds_on(client, reader, saturday) == ["on_call", "standby"]
    deliver(change(saturday, kind="working_day", version=2000, name="Làm bù cho thứ Sáu"))
    assert listed(client, reader, saturday)[saturday.isoformat()]["kind"] == "makeup_working_day"
    assert kinds_on(client, reader, saturday) == ["afternoon", "morning", "on_call", "standby", "standby"]
    deliver(change(saturday, action="deleted", version=2001))
    assert saturday.isoformat() not in listed(client, reader, saturday)
    assert kinds_on(client, reader, saturday) == ["on_call", "standby"]


def test_an_older_change_arriving_late_is_ignored(client, reader, deliver, db):
    day = _ahead(3)
    deliver(change(day, version=3001))
    deliver(change(day, action="deleted", version=3000))  # older: the holiday stays
    assert listed(client, reader, day)[day.isoformat()]["kind"] == "day_off"
    deliver(change(day, action="deleted", version=3002))
    assert day.isoformat() not in listed(client, reader, day)
    with db.session() as session:
        assert session.get(CalendarDay, day).kind == "removed"


def test_units_and_rules_are_not_rosters(client, reader, deliver, db):
    event = change(_ahead(2))
    event.data.update(table="legal_rules", key="reception.commune_chair.days_per_month@2027-01-01")
    deliver(event)
    with db.session() as session:
        assert session.scalars(select(CalendarDay).where(CalendarDay.reference_version.is_not(None))).all() == []


def test_a_reception_day_check_counts_the_new_holiday(client, reader, deliver, app):
    """Published ahead by working days: a holiday inside the stretch makes the same date late."""
    calendar = app.extensions["roster"]["calendar"]
    monday = _ahead(0, days=8)
    before = calendar.add_working_days(monday, 5)
    deliver(change(monday + dt.timedelta(days=2)))
    assert calendar.add_working_days(monday, 5) == before + dt.timedelta(days=1)


def test_the_same_message_delivered_twice_is_applied_once(db, settings):
    consumer = reference_sync.consumer(settings)
    specs = [consumer.spec(settings)]
    topology.declare_all(settings, specs)
    stop = threading.Event()
    try:
        event = change(_ahead(4), version=4000)
        connection = pika.BlockingConnection(topology.connection_parameters(settings))
        channel = connection.channel()
        for _ in range(2):
            channel.basic_publish(
                settings.exchange,
                event.type,
                event.to_json().encode(),
                pika.BasicProperties(message_id=event.id, delivery_mode=2),
            )
        connection.close()
        runner = ConsumerRunner(settings, db, ProcessedMessage, consumer)
        threading.Thread(target=runner.run, args=(stop,), daemon=True).start()
        wait_for(lambda: runner.handled + runner.duplicates == 2, timeout=15)
        assert runner.handled == 1 and runner.duplicates == 1
        with db.session() as session:
            assert session.get(CalendarDay, _ahead(4)).reference_version == 4000
            assert session.scalar(select(ProcessedMessage.message_id)) == event.id
    finally:
        stop.set()
        topology.delete_all(settings, specs)


def test_an_unknown_key_is_dead_lettered_not_retried(deliver):
    from tiepdan_common.messaging.consumer import PermanentFailure

    event = change(_ahead(2))
    event.data["key"] = "not-a-date"
    with pytest.raises(PermanentFailure):
        deliver(event)


def test_the_file_is_followed_for_its_own_days_and_an_administrators_day_wins(db, deliver, reference_dir, tmp_path):
    import json

    from roster import calendar_copy

    data = json.loads((reference_dir / "holidays-vn.json").read_text("utf-8"))
    removed = next(h for h in data["holidays"] if h["date"] == "2026-09-01")  # the unconfirmed bridge day
    data["holidays"].remove(removed)
    renamed = next(h for h in data["holidays"] if h["date"] == "2027-02-05")
    renamed.update(name="Tết Nguyên đán", confirmed=True)
    admins = dt.date(2027, 4, 16)  # the file's provisional Giỗ Tổ; an administrator says otherwise
    deliver(change(admins, kind="holiday", version=5000, name="Giỗ Tổ Hùng Vương (theo thông báo)"))
    (tmp_path / "holidays-vn.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    with db.session() as session:
        assert calendar_copy.seed(session, tmp_path / "holidays-vn.json") == 2
        assert session.get(CalendarDay, dt.date(2026, 9, 1)) is None
        assert session.get(CalendarDay, dt.date(2027, 2, 5)).name == "Tết Nguyên đán"
        assert session.get(CalendarDay, admins).name == "Giỗ Tổ Hùng Vương (theo thông báo)"
        assert calendar_copy.seed(session, tmp_path / "holidays-vn.json") == 0  # nothing left to change
        assert not calendar_copy.build(session).is_working_day(admins)


@pytest.mark.parametrize("far", [dt.date(1, 1, 1), dt.date(9999, 12, 31)])
def test_a_day_far_in_time_is_dead_lettered_and_not_stored(deliver, db, far):
    from tiepdan_common.messaging.consumer import PermanentFailure

    with pytest.raises(PermanentFailure):
        deliver(change(far, version=6000))
    with db.session() as session:
        assert session.get(CalendarDay, far) is None
