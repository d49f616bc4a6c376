"""A province request from start to finish, and a province seeing only its own requests."""

import datetime as dt

from tiepdan_common.testing import identity_headers


def province(subject="province-94"):
    return identity_headers(
        subject=subject,
        kind="province",
        unit="94",
        permissions=("province_requests:read", "province_requests:write", "cases:read"),
    )


REQUEST = {
    "reference": "45/BTCD-T",
    "group_size": 15,
    "place": "Trụ sở Ban Tiếp công dân tỉnh",
    "contact": "Ban TCD tỉnh, 0299 3822 000",
    "unit": "31690",
    "field": "land",
    # Bring them home within two days: a deadline years ahead is refused as implausible.
    "deadline": (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).replace(microsecond=0).isoformat(),
}


def test_a_province_request_from_start_to_finish(client, officer, checked_events, clock):
    returned_at = clock().isoformat()  # citizens return after the request was received
    resp = client.post("/province-requests", json=REQUEST, headers=province())
    assert resp.status_code == 201, resp.json
    request = resp.json
    assert request["status"] == "received" and request["case_id"]
    (received,) = checked_events("escalation.province_request.received")
    assert received["data"]["case_id"] == request["case_id"] and received["data"]["group_size"] == 15
    (opened,) = checked_events("escalation.case.opened")
    assert opened["data"]["source"] == {"type": "province_request", "id": request["id"]}
    assert opened["data"]["level"] == "province"

    rid = request["id"]
    assert (
        client.post(f"/province-requests/{rid}/assign", headers=province(), json={"inspectorate": "ttr-01"}).status_code
        == 403
    )  # the province does not assign
    steps = [
        ("assign", {"inspectorate": "ttr-01", "board": "btcd-02", "commune": "ct-31690"}),
        ("dispatch", {"officers": ["ttr-01", "btcd-02"]}),
        ("returned", {"returned_at": returned_at}),
        ("complete", {"outcome": "Công dân đã về địa phương, xã tổ chức đối thoại"}),
    ]
    for action, body in steps:
        resp = client.post(f"/province-requests/{rid}/{action}", json=body, headers=officer)
        assert resp.status_code == 200, (action, resp.json)
    done = client.get(f"/province-requests/{rid}", headers=province()).json
    assert done["status"] == "completed" and done["officers_sent"] == ["ttr-01", "btcd-02"]
    assert done["assignees"] == {"inspectorate": "ttr-01", "board": "btcd-02", "commune": "ct-31690"}
    (completed,) = checked_events("escalation.province_request.completed")
    assert completed["data"]["officers_sent"] == ["ttr-01", "btcd-02"]
    assert completed["data"]["citizens_returned_at"].startswith(returned_at[:16])
    case = client.get(f"/cases/{request['case_id']}", headers=officer).json
    assert case["status"] == "citizens_returned"
    again = client.post(f"/province-requests/{rid}/dispatch", json={"officers": ["x"]}, headers=officer)
    assert again.status_code == 409


def test_a_province_sees_only_its_own_requests(client, officer):
    mine = client.post("/province-requests", json=REQUEST, headers=province()).json
    theirs = client.post("/province-requests", json={**REQUEST, "unit": "31693"}, headers=province("province-95")).json
    assert [r["id"] for r in client.get("/province-requests", headers=province()).json] == [mine["id"]]
    assert client.get(f"/province-requests/{theirs['id']}", headers=province()).status_code == 404
    assert len(client.get("/province-requests", headers=officer).json) == 2
    # Of the cases, the province sees those of its own requests, through the police-safe schema.
    assert [c["id"] for c in client.get("/cases", headers=province()).json] == [mine["case_id"]]
    assert client.get(f"/cases/{theirs['case_id']}", headers=province()).status_code == 404
    assert "participants" not in client.get(f"/cases/{mine['case_id']}", headers=province()).json


def test_a_request_needs_a_future_deadline_and_its_fields(client):
    resp = client.post(
        "/province-requests", json={**REQUEST, "deadline": "2020-01-01T00:00:00+00:00"}, headers=province()
    )
    assert resp.status_code == 422 and resp.json["errors"][0]["field"] == "deadline"
    resp = client.post("/province-requests", json={"place": "x"}, headers=province())
    assert resp.status_code == 422
    assert {e["field"] for e in resp.json["errors"]} >= {"group_size", "contact", "deadline"}
