"""Dates in year 1 or 9999 are refused with a 422 naming the field (issue #23): one police or province client
could otherwise store a date the board's pages cannot show, for everyone, for good."""

import pytest

from tiepdan_common.testing import identity_headers

FAR = ["0001-01-01T00:00:00+00:00", "9999-12-31T23:59:00+00:00"]


def police():
    return identity_headers(
        subject="police-947", kind="police", unit="947", permissions=("incidents:read", "incidents:write", "cases:read")
    )


def province():
    return identity_headers(
        subject="province-94",
        kind="province",
        unit="94",
        permissions=("province_requests:read", "province_requests:write", "cases:read"),
    )


@pytest.mark.parametrize("when", FAR)
def test_an_incident_far_in_time_is_a_422(client, when):
    resp = client.post(
        "/incidents",
        headers=police(),
        json={
            "unit": "31690",
            "place": "Trước trụ sở UBND xã",
            "crowd_estimate": 20,
            "occurred_at": when,
            "summary": "Tụ tập",
        },
    )
    assert resp.status_code == 422 and resp.json["errors"][0]["field"] == "occurred_at", resp.json


@pytest.mark.parametrize("when", FAR)
def test_a_province_request_s_deadline_far_in_time_is_a_422(client, when):
    resp = client.post(
        "/province-requests",
        headers=province(),
        json={
            "reference": "45/BTCD-T",
            "group_size": 15,
            "place": "Trụ sở Ban Tiếp công dân tỉnh",
            "contact": "Ban TCD tỉnh, 0299 3822 000",
            "unit": "31690",
            "field": "land",
            "deadline": when,
        },
    )
    assert resp.status_code == 422 and resp.json["errors"][0]["field"] == "deadline", resp.json


@pytest.mark.parametrize("when", FAR)
def test_a_dialogue_far_in_time_is_a_422(client, admin, officer, when):
    case = client.post(
        "/cases", headers=admin, json={"title": "Khiếu nại đất đai", "unit": "31690", "field": "land"}
    ).json
    resp = client.post(
        f"/cases/{case['id']}/dialogues",
        headers=officer,
        json={"scheduled_at": when, "place": "UBND xã Đại Tâm", "participants": []},
    )
    assert resp.status_code == 422 and resp.json["errors"][0]["field"] == "scheduled_at", resp.json


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
@pytest.mark.parametrize("field", ["plan_agreed_on", "agreed_deadline"])
def test_a_plan363_date_far_in_time_is_a_422_and_not_stored(client, admin, officer, field, day):
    case = client.post(
        "/cases", headers=admin, json={"title": "Khiếu nại kéo dài", "unit": "31690", "field": "land", "complex": True}
    ).json
    url = f"/cases/{case['id']}/plan363"
    body = {"source": "central", "plan_agreed": True, field: day}
    body.setdefault("plan_agreed_on", "2026-10-05")
    resp = client.put(url, headers=officer, json=body)
    assert resp.status_code == 422 and resp.json["errors"][0]["field"] == field, resp.json
    assert client.get(url, headers=officer).status_code == 404


@pytest.mark.parametrize("when", FAR)
def test_an_incident_moved_far_in_time_is_a_422(client, when):
    incident = client.post(
        "/incidents",
        headers=police(),
        json={
            "unit": "31690",
            "place": "Trước trụ sở UBND xã",
            "crowd_estimate": 20,
            "occurred_at": "2026-11-20T08:00:00+07:00",
            "summary": "Tụ tập",
        },
    )
    assert incident.status_code == 201, incident.json
    resp = client.post(f"/incidents/{incident.json['id']}", headers=police(), json={"occurred_at": when})
    assert resp.status_code == 422 and resp.json["errors"][0]["field"] == "occurred_at", resp.json
