"""Escalation's copy of the units: seeded from the files, following intake.reference.changed."""

import datetime as dt
import threading

import pika

from escalation.app import consumers
from escalation.database import ProcessedMessage
from escalation.unit import service as units
from tiepdan_common.messaging import contracts, topology
from tiepdan_common.messaging.consumer import ConsumerRunner
from tiepdan_common.messaging.envelope import Envelope
from tiepdan_common.testing import wait_for


def unit_changed(code="31999", name="Xã Tân Mới", version=7, action="created", valid_from="2025-07-01", **data):
    row = {
        "id": 501,
        "code": code,
        "name": name,
        "level": "commune",
        "parent_id": None,
        "valid_from": valid_from,
        "valid_to": None,
        "source": "Nghị quyết thử",
        "confirmed": True,
        "note": None,
        **data,
    }
    event = Envelope.new(
        type="intake.reference.changed",
        source="intake",
        data={
            "table": "units",
            "action": action,
            "key": f"{code}@{valid_from}",
            "effective_from": valid_from,
            "reference_version": version,
            "changed_at": "2026-12-06T08:00:00+00:00",
            "changed_by": "admin",
            "data": row,
        },
    )
    contracts.validate(event)
    return event


def names(db, code, on):
    with db.session() as session:
        return units.directory(session).name(code, on)


def test_the_copy_is_seeded_from_the_files_and_names_a_unit_as_it_stood_on_the_day(db):
    assert names(db, "31684", dt.date(2024, 6, 10)) == "Thị trấn Mỹ Xuyên"
    assert names(db, "31684", dt.date(2026, 12, 6)) == "Phường Mỹ Xuyên"
    assert names(db, "947", dt.date(2026, 12, 6)) == "Huyện Mỹ Xuyên"  # abolished: keeps its last name
    assert names(db, "99999", dt.date(2026, 12, 6)) == "99999"  # unknown: stands for itself


def test_a_change_applies_once_and_an_older_one_never_wins(db, handle, reference_dir):
    handle(unit_changed(version=7, name="Xã Tân Mới"))
    handle(unit_changed(version=6, name="Xã Tân Cũ", action="updated"))  # late: ignored
    handle(unit_changed(version=7, name="Xã Tân Mới"))  # again: no change
    assert names(db, "31999", dt.date(2026, 1, 1)) == "Xã Tân Mới"
    handle(unit_changed(version=8, name="Phường Tân Mới", action="updated", valid_to="2026-12-31"))
    assert names(db, "31999", dt.date(2026, 1, 1)) == "Phường Tân Mới"
    with db.session() as session:  # seeding again keeps what intake changed and adds nothing
        assert units.seed(db_session=session, reference_dir=reference_dir) == 0
    handle(unit_changed(version=9, action="deleted"))
    with db.session() as session:
        assert units.seed(db_session=session, reference_dir=reference_dir) == 0
    assert names(db, "31999", dt.date(2026, 1, 1)) == "31999"


def test_a_renamed_file_unit_keeps_intakes_name_and_its_parent_follows_intakes_id(db, handle):
    handle(unit_changed(code="31684", name="Phường Mỹ Xuyên Mới", action="updated", id=42, parent_id=None))
    handle(unit_changed(code="31998", name="Xã Con", version=8, id=43, parent_id=42))
    with db.session() as session:
        directory = units.directory(session)
    assert directory.name("31684", dt.date(2026, 1, 1)) == "Phường Mỹ Xuyên Mới"
    assert directory.unit("31998", dt.date(2026, 1, 1))["parent"] == "31684"


def test_a_unit_added_in_intake_is_named_in_a_case_within_seconds(
    client, officer, settings, db, declared_topology, stop
):
    """The real broker: the case opened at a code the files do not know shows its code, then the new name."""
    case = client.post(
        "/cases", headers=officer, json={"title": "Khiếu nại", "unit": "31999", "field": "land", "severity": "medium"}
    ).json
    assert case["unit_name"] == "31999"
    consumer = next(c for c in consumers(settings) if "intake.reference.changed" in c.handlers)
    runner = ConsumerRunner(settings, db, ProcessedMessage, consumer)
    threading.Thread(target=runner.run, args=(stop,), daemon=True).start()
    event = unit_changed(valid_from="2024-01-01")
    connection = pika.BlockingConnection(topology.connection_parameters(settings))
    connection.channel().basic_publish(
        settings.exchange, event.type, event.to_json().encode(), pika.BasicProperties(message_id=event.id)
    )
    connection.close()
    wait_for(
        lambda: client.get(f"/cases/{case['id']}", headers=officer).json["unit_name"] == "Xã Tân Mới",
        timeout=10,
        message="the new unit's name did not reach the case",
    )
    listed = client.get("/cases", headers=officer).json
    assert [c["unit_name"] for c in listed] == ["Xã Tân Mới"]


def test_titles_and_reports_name_a_unit_intake_added(client, officer, handle, visit):
    handle(unit_changed(valid_from="2024-01-01"))
    handle(visit(size=12, unit="31999"))
    (case,) = client.get("/cases", headers=officer).json
    assert case["title"].endswith("Xã Tân Mới") and case["unit_name"] == "Xã Tân Mới"
    report = client.get("/cases/report?format=csv&prolonged_days=0", headers=officer)
    assert report.status_code == 200 and "Xã Tân Mới" in report.get_data(as_text=True)
