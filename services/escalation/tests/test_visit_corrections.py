"""intake.visit.corrected: a voided visit leaves its case and the hot-spot windows; a correction moves it."""

import datetime as dt

import pytest
from sqlalchemy import select

from escalation.app import consumers
from escalation.hotspot.models import VisitRecord
from tiepdan_common.messaging import contracts
from tiepdan_common.messaging.envelope import Envelope

START = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def corrected():
    """An intake.visit.corrected event about a recorded visit event, checked against its contract."""

    def make(recorded, action="corrected", version=2, changed_fields=(), extra=None, **changes):
        visit = recorded.data
        payload = {
            "visit_id": visit["visit_id"],
            "serial": visit["serial"],
            "receiving_unit": visit["receiving_unit"],
            "origin_unit": visit["origin_unit"],
            "received_at": visit["received_at"],
            "category": visit["category"],
            "field": visit["field"],
            "action": action,
            "version": version,
            "changed_fields": sorted(changed_fields),
            "changed_at": dt.datetime.now(dt.UTC).isoformat(),
        }
        payload.update(changes)
        event = Envelope.new(type="intake.visit.corrected", source="intake", data=payload)
        contracts.validate(event)
        event.data.update(extra or {})  # what v1 does not carry yet (a corrected group size)
        return event

    return make


def _case(client, board, visit_id):
    found = client.get(f"/cases?source_type=visit&source_id={visit_id}", headers=board).json
    return found[0] if found else None


def _only_case(client, board):
    (case,) = client.get("/cases", headers=board).json
    return client.get(f"/cases/{case['id']}", headers=board).json


def test_the_consumer_binds_the_corrections(settings):
    intake = consumers(settings)[0]
    assert "intake.visit.corrected" in intake.spec(settings).bindings


def test_a_voided_visit_closes_the_case_it_alone_opened(handle, visit, corrected, client, board, checked_events):
    recorded = visit(size=12)
    handle(recorded)
    assert _case(client, board, recorded.data["visit_id"]) is not None
    handle(corrected(recorded, action="voided"))
    assert _case(client, board, recorded.data["visit_id"]) is None  # the visit no longer names the case
    case = _only_case(client, board)
    assert case["status"] == "closed" and case["close_reason"] == "opened_in_error"
    kinds = [t["kind"] for t in case["timeline"]]
    assert kinds[-2:] == ["visit_voided", "closed"]
    withdrawn = case["timeline"][-2]["detail"]
    assert withdrawn["source"] == {"type": "visit", "id": recorded.data["visit_id"]}
    assert withdrawn["reason"] == "visit_voided" and "hủy" in withdrawn["reason_label"]
    (closed,) = checked_events("escalation.case.closed")
    assert closed["data"]["reason"] == "opened_in_error" and closed["data"]["outcome"].startswith("Mở nhầm")
    escalation = client.get(f"/cases/{case['id']}/escalation", headers=board).json
    assert escalation["status"] == "stopped"
    # Told again (another delivery): nothing more happens.
    handle(corrected(recorded, action="voided"))
    assert len(checked_events("escalation.case.closed")) == 1
    assert [t["kind"] for t in _only_case(client, board)["timeline"]] == kinds


def test_an_acknowledged_case_stays_open_without_the_voided_visit(handle, visit, corrected, client, board, officer):
    recorded = visit(size=12)
    handle(recorded)
    case = _case(client, board, recorded.data["visit_id"])
    assert client.post(f"/cases/{case['id']}/acknowledge", json={}, headers=officer).status_code == 200
    handle(corrected(recorded, action="voided"))
    case = _only_case(client, board)
    assert case["status"] == "acknowledged"
    assert case["timeline"][-1]["kind"] == "visit_voided"
    assert _case(client, board, recorded.data["visit_id"]) is None


def test_a_case_with_other_visits_stays_open_and_its_group_follows(handle, visit, corrected, client, board):
    big, small = visit(size=30), visit(size=8)
    handle(big)
    handle(small)
    assert _only_case(client, board)["group_size"] == 30
    handle(corrected(big, action="voided"))
    case = _only_case(client, board)
    assert case["status"] == "opened" and case["group_size"] == 8
    entry = case["timeline"][-1]
    assert entry["kind"] == "visit_voided" and entry["detail"]["group_size"] == {"from": 30, "to": 8}
    assert _case(client, board, small.data["visit_id"])["id"] == case["id"]


def test_a_voided_visit_no_longer_counts_in_the_hot_spot(handle, visit, corrected, client, officer, db):
    first, second = visit(size=6, at=START), visit(size=7, at=START + dt.timedelta(days=1))
    handle(first)
    handle(second)
    (spot,) = client.get("/hotspots", headers=officer).json
    assert spot["status"] == "watching" and spot["mass_visits"] == 2 and spot["citizens"] == 13
    handle(corrected(second, action="voided"))
    (spot,) = client.get("/hotspots", headers=officer).json
    assert spot["status"] == "watching" and spot["mass_visits"] == 1 and spot["citizens"] == 6  # left for the cooler
    with db.session() as session:
        assert session.get(VisitRecord, second.data["visit_id"]) is None
    handle(visit(size=8, at=START + dt.timedelta(days=2)))  # the third mass visit would have made it active
    (spot,) = client.get("/hotspots", headers=officer).json
    assert spot["status"] == "watching" and spot["mass_visits"] == 2 and spot["citizens"] == 14


def test_a_corrected_field_moves_the_visit_to_another_window(handle, visit, corrected, client, board, officer, db):
    first, second = visit(size=6, at=START), visit(size=7, at=START + dt.timedelta(days=1))
    handle(first)
    handle(second)
    handle(corrected(second, field="environment", changed_fields=["field"]))
    (spot,) = client.get("/hotspots", headers=officer).json
    assert spot["field"] == "land" and spot["mass_visits"] == 1 and spot["citizens"] == 6
    with db.session() as session:
        record = session.get(VisitRecord, second.data["visit_id"])
        assert record.field_code == "environment" and record.unit == "31690"
    case = _case(client, board, second.data["visit_id"])
    detail = client.get(f"/cases/{case['id']}", headers=board).json
    entry = detail["timeline"][-1]
    assert entry["kind"] == "visit_corrected" and entry["detail"]["changed_fields"] == ["field"]
    assert entry["detail"]["version"] == 2
    handle(corrected(second, field="environment", changed_fields=["field"]))  # told again: one entry
    detail = client.get(f"/cases/{case['id']}", headers=board).json
    assert [t["kind"] for t in detail["timeline"]].count("visit_corrected") == 1


def test_a_corrected_group_size_follows_on_the_case(handle, visit, corrected, client, board, db):
    recorded = visit(size=30)
    handle(recorded)
    handle(corrected(recorded, changed_fields=["group_size"], extra={"group_size": 12, "is_mass": True}))
    case = _only_case(client, board)
    assert case["group_size"] == 12
    entry = case["timeline"][-1]
    assert entry["kind"] == "visit_corrected" and entry["detail"]["group_size"] == {"from": 30, "to": 12}
    with db.session() as session:
        assert session.get(VisitRecord, recorded.data["visit_id"]).group_size == 12


def test_a_correction_of_a_visit_never_seen_does_nothing(handle, visit, corrected, client, board, db):
    handle(corrected(visit(size=12), action="voided"))
    handle(corrected(visit(size=12), field="environment", changed_fields=["field"]))
    assert client.get("/cases", headers=board).json == []
    with db.session() as session:
        assert session.scalars(select(VisitRecord)).all() == []


def test_close_reasons_name_a_case_opened_in_error(client, board):
    reasons = {r["code"]: r["label"] for r in client.get("/cases/close-reasons", headers=board).json}
    assert reasons["opened_in_error"].startswith("Mở nhầm")


def test_a_corrected_visit_that_completes_a_hot_spot_alerts_the_police(
    handle, visit, corrected, client, officer, police
):
    """The moved visit's new window is evaluated (hotspot.flows.move_visit): a third mass visit there makes the
    watched hot spot active, which alerts the police."""
    for days in (0, 1):
        handle(visit(size=6, field="environment", at=START + dt.timedelta(days=days)))
    moved = visit(size=7, at=START + dt.timedelta(days=2))
    handle(moved)
    (spot,) = client.get("/hotspots", headers=officer).json
    assert spot["field"] == "environment" and spot["status"] == "watching"
    assert client.get("/alerts", headers=police).json == []
    handle(corrected(moved, field="environment", changed_fields=["field"]))
    (spot,) = client.get("/hotspots", headers=officer).json
    assert spot["status"] == "active" and spot["mass_visits"] == 3 and spot["citizens"] == 19
    (alert,) = client.get("/alerts?pending=true", headers=police).json
    assert alert["reason"] == "hotspot_active" and alert["hotspot"]["id"] == spot["id"]
