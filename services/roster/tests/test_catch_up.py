"""Roster catches up with calendar changes no message brought: at worker start and with ``catch-up``."""

import datetime as dt
import json
import shutil

import pika
import pytest
from sqlalchemy import func, select

from roster import worker
from roster.audit.models import AuditEntry
from roster.calendar_copy import CalendarDay
from tiepdan_common.calendar import Calendar
from tiepdan_common.clock import LOCAL, today
from tiepdan_common.messaging import contracts, topology
from tiepdan_common.messaging.envelope import Envelope
from tiepdan_common.testing import wait_for


def _ahead(file: Calendar, weekday: int, days: int) -> dt.date:
    """The first ``weekday`` (0 Monday) at least ``days`` ahead that the file does not list."""
    day = today() + dt.timedelta(days=days)
    while day.weekday() != weekday or file.entry(day) is not None:
        day += dt.timedelta(days=1)
    return day


@pytest.fixture
def changed_file(tmp_path, reference_dir):
    """A reference directory whose calendar gained a holiday and a make-up Saturday since the roster was made."""
    for name in ("holidays-vn.json", "reception-duties.json"):
        shutil.copy(reference_dir / name, tmp_path / name)
    data = json.loads((tmp_path / "holidays-vn.json").read_text("utf-8"))
    file = Calendar.from_json(data)
    holiday, saturday = _ahead(file, 2, 4), _ahead(file, 5, 4)
    data["holidays"].append({"date": holiday.isoformat(), "name": "Nghỉ bù (thử)", "source": "Thông báo (thử)"})
    data["makeup_working_days"].append({"date": saturday.isoformat(), "name": "Làm bù (thử)", "source": "(thử)"})
    (tmp_path / "holidays-vn.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return {"dir": tmp_path, "holiday": holiday, "saturday": saturday}


@pytest.fixture
def settings_overrides(changed_file, broker_names):
    return {"reference_dir": changed_file["dir"], "calendar_max_age_seconds": 0.0, **broker_names}


def kinds_on(client, headers, day):
    start = dt.datetime.combine(day, dt.time(0, 0), tzinfo=LOCAL)
    window = {"from": start.isoformat(), "to": (start + dt.timedelta(days=1)).isoformat()}
    shifts = client.get("/shifts", query_string=window, headers=headers).json
    return sorted(s["kind"] for s in shifts if dt.datetime.fromisoformat(s["starts_at"]) >= start)


def audit_rows(db):
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry))


def test_the_catch_up_command_regenerates_what_the_copy_no_longer_matches(app, client, reader, db, changed_file):
    holiday, saturday = changed_file["holiday"], changed_file["saturday"]
    # The API brings its copy in line with the file at once, but nothing regenerates the shifts: stale.
    assert "morning" in kinds_on(client, reader, holiday)
    assert kinds_on(client, reader, saturday) == ["on_call", "standby"]
    with db.session() as session:
        assert session.get(CalendarDay, holiday).kind == "holiday"

    result = app.test_cli_runner().invoke(args=["catch-up"])
    assert result.exit_code == 0, result.output
    assert "CURRENT" in result.output
    assert kinds_on(client, reader, holiday) == ["on_call", "standby"]
    assert kinds_on(client, reader, saturday) == ["afternoon", "morning", "on_call", "standby", "standby"]
    report = client.get("/coverage", query_string={"days": 21}, headers=reader).json
    assert report["unfilled"] == [] and report["double_bookings"] == []

    written = audit_rows(db)
    again = app.test_cli_runner().invoke(args=["catch-up"])
    assert again.exit_code == 0 and "'regenerated': []" in again.output and "'copy_rows_changed': 0" in again.output
    assert audit_rows(db) == written  # nothing to do, nothing written


def test_the_worker_catches_up_at_start_then_follows_the_queue(client, reader, db, settings, changed_file):
    holiday, saturday = changed_file["holiday"], changed_file["saturday"]
    assert "morning" in kinds_on(client, reader, holiday)
    later = saturday + dt.timedelta(days=7)  # a make-up day announced by message once the queue exists

    running = worker.build(settings, db)  # a fresh deployment's worker, its queue not yet declared
    assert kinds_on(client, reader, holiday) == ["on_call", "standby"]
    assert "morning" in kinds_on(client, reader, saturday)

    specs = [worker.reference_sync.consumer(settings).spec(settings)]
    topology.declare_all(settings, specs)
    try:
        running.start()
        data = {
            "table": "holidays",
            "action": "created",
            "key": later.isoformat(),
            "effective_from": later.isoformat(),
            "reference_version": 7000,
            "changed_at": dt.datetime.now(dt.UTC).isoformat(),
            "changed_by": "admin-01",
            "data": {"date": later.isoformat(), "name": "Làm bù", "kind": "working_day", "source": "(thử)"},
        }
        event = Envelope.new(type="intake.reference.changed", source="intake", data=data)
        contracts.validate(event)
        connection = pika.BlockingConnection(topology.connection_parameters(settings))
        connection.channel().basic_publish(
            settings.exchange, event.type, event.to_json().encode(), pika.BasicProperties(message_id=event.id)
        )
        connection.close()
        wait_for(lambda: "morning" in kinds_on(client, reader, later), timeout=20)
    finally:
        running.shutdown()
        topology.delete_all(settings, specs)
    with db.session() as session:
        assert session.get(CalendarDay, later).reference_version == 7000
