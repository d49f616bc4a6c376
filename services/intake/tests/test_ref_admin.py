"""An administrator maintains units, holidays, make-up days and legal rules through the API (issue 22)."""

import pytest
import sqlalchemy as sa

from intake import create_app
from tiepdan_common.testing import identity_headers


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


def test_only_an_administrator_changes_reference_data(client, board):
    body = {"name": "Ngày thử", "kind": "holiday", "source": "thử"}
    assert client.put("/holidays/2026-12-28", json=body, headers=board).status_code == 403
    assert (
        client.post(
            "/legal-rules",
            headers=board,
            json={"key": "group.mass_threshold", "effective_from": "2026-12-01", "value": 3, "source": "x"},
        ).status_code
        == 403
    )


def test_a_new_unit_version_is_dated_audited_and_published(app, client, outbox_events, board, visit_body):
    try:
        _new_unit_version(client, outbox_events, board, visit_body)
    finally:  # reference tables outlive a test on PostgreSQL
        with app.extensions["tiepdan"]["db"].engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM units WHERE code IN ('31998', '31999')"))


def _new_unit_version(client, outbox_events, board, visit_body):
    created = client.post(
        "/units",
        headers=admin(),
        json={
            "code": "31999",
            "name": "Xã Thử",
            "level": "commune",
            "parent_code": "947",
            "valid_from": "2024-01-01",
            "valid_to": "2025-06-30",
            "source": "Quyết định thử",
            "confirmed": False,
            "note": "chưa đối chiếu",
        },
    )
    assert created.status_code == 201, created.json
    assert created.json["parent_code"] == "947" and created.json["confirmed"] is False
    overlap = client.post(
        "/units",
        headers=admin(),
        json={
            "code": "31999",
            "name": "Xã Thử 2",
            "level": "commune",
            "parent_code": "947",
            "valid_from": "2025-01-01",
            "source": "x",
        },
    )
    assert overlap.status_code == 409 and overlap.json["errors"][0]["field"] == "valid_from"
    orphan = client.post(
        "/units",
        headers=admin(),
        json={
            "code": "31998",
            "name": "Xã Mồ Côi",
            "level": "commune",
            "parent_code": "947",
            "valid_from": "2025-08-01",
            "source": "x",
        },
    )
    assert orphan.status_code == 422 and orphan.json["errors"][0]["field"] == "parent_code"
    # In force at once in this process, for the visit's day only.
    ok = client.post("/visits", headers=board, json=visit_body(origin_unit="31999"))
    assert ok.status_code == 201, ok.json
    events = outbox_events("intake.reference.changed")
    assert [(e["data"]["table"], e["data"]["action"], e["data"]["key"]) for e in events] == [
        ("units", "created", "31999@2024-01-01")
    ]
    assert events[0]["data"]["changed_by"] == "admin-01" and events[0]["data"]["reference_version"]
    # Services that keep units by code learn the parent's code, not only intake's id for it.
    assert events[0]["data"]["data"]["parent_code"] == "947"
    changes = client.get("/reference-changes", headers=admin()).json
    assert changes[0]["record_key"] == "31999@2024-01-01" and changes[0]["actor"] == "admin-01"
    closed = client.patch(
        f"/units/{created.json['id']}", headers=admin(), json={"valid_to": "2024-05-31", "reason": "sai ngày"}
    )
    assert closed.status_code == 200 and closed.json["valid_to"] == "2024-05-31"
    refused = client.post("/visits", headers=board, json=visit_body(origin_unit="31999"))
    assert refused.status_code == 422 and refused.json["errors"][0]["field"] == "origin_unit"


def test_holidays_make_up_days_and_rules_reach_another_process_within_its_max_age(
    app, client, board, visit_body, database_url, identity_key, reference_dir
):
    other = create_app(
        {
            "database_url": database_url,
            "identity_keys": app.extensions["tiepdan"]["settings"].identity_keys,
            "reference_dir": reference_dir,
            "intake_identity_keys": (identity_key,),
            "reference_max_age_seconds": 0,
        }
    )
    try:
        reader = other.test_client()
        assert reader.post("/visits", headers=board, json=visit_body(size=4)).json["is_mass"] is False
        rule = client.post(
            "/legal-rules",
            headers=admin(),
            json={
                "key": "group.mass_threshold",
                "effective_from": "2024-06-01",
                "value": 4,
                "source": "Quy định thử của quản trị",
            },
        )
        assert rule.status_code == 201, rule.json
        again = client.post(
            "/legal-rules",
            headers=admin(),
            json={"key": "group.mass_threshold", "effective_from": "2024-06-01", "value": 4, "source": "x"},
        )
        assert again.status_code == 409
        assert reader.post("/visits", headers=board, json=visit_body(size=4)).json["is_mass"] is True
        weekday = client.put(
            "/holidays/2026-12-28", headers=admin(), json={"name": "Làm bù", "kind": "working_day", "source": "thử"}
        )
        assert weekday.status_code == 422 and weekday.json["errors"][0]["field"] == "kind"
        saturday = client.put(
            "/holidays/2026-12-26",
            headers=admin(),
            json={"name": "Làm bù cho thứ Hai 04/01/2027", "kind": "working_day", "source": "thử"},
        )
        assert saturday.status_code == 200
        day_off = client.put(
            "/holidays/2027-01-04", headers=admin(), json={"name": "Nghỉ bù", "kind": "holiday", "source": "thử"}
        )
        assert day_off.status_code == 200
        import datetime as dt

        from intake.reference import service as reference

        with other.app_context():
            session = other.extensions["tiepdan"]["db"].sessionmaker()
            calendar = reference.calendar(db_session=session)
            assert calendar.is_working_day(dt.date(2026, 12, 26)) and not calendar.is_working_day(dt.date(2027, 1, 4))
            session.close()
        listed = {h["date"]: h["kind"] for h in client.get("/holidays", headers=board).json}
        assert listed["2026-12-26"] == "working_day" and listed["2027-01-04"] == "holiday"
        assert (
            client.delete("/holidays/2027-01-04", headers=admin(), query_string={"reason": "nhầm"}).status_code == 204
        )
    finally:
        other.extensions["tiepdan"]["db"].dispose()
        with app.extensions["tiepdan"]["db"].engine.begin() as conn:  # reference tables outlive a test on PostgreSQL
            conn.execute(sa.text("DELETE FROM legal_rules WHERE source LIKE 'Quy định thử%'"))
            conn.execute(sa.text("DELETE FROM holidays WHERE source = 'thử'"))
