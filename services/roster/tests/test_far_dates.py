"""Year 1 and year 9999 are refused with a 422 naming the field: never stored, never a 500 on the pages after."""

import pytest

FAR = ("0001-01-01", "9999-12-31")
FAR_MOMENTS = ("0001-01-01T00:00:00+07:00", "9999-12-31T23:00:00+07:00")


def assert_names(resp, field):
    assert resp.status_code == 422, (resp.status_code, resp.json)
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    assert field in {e["field"] for e in resp.json.get("errors", [])}, resp.json


def pages_still_answer(client, reader):
    for path, query in (
        ("/on-duty", {}),
        ("/on-call", {}),
        ("/shifts", {"from": "2024-05-20T00:00:00+07:00", "to": "2024-05-27T00:00:00+07:00"}),
        ("/periods", {}),
        ("/agencies", {}),
        ("/leave", {}),
        ("/coverage", {"days": 14}),
        ("/reception-days", {"from": "2024-05-01", "to": "2024-06-30"}),
        ("/reception-days/compliance", {"month": "2024-05"}),
        ("/exports/roster.html", {"from": "2024-05-20", "to": "2024-06-20"}),
        ("/exports/roster.xlsx", {"from": "2024-05-20", "to": "2024-06-20"}),
    ):
        resp = client.get(path, query_string=query, headers=reader)
        assert resp.status_code == 200, (path, resp.status_code, resp.data[:300])


@pytest.mark.parametrize("day", FAR)
def test_far_dates_written_are_refused_and_the_pages_still_answer(client, board, reader, day):
    period = {"code": "XA", "name": "Đợt xa", "starts_on": "2024-05-20", "ends_on": "2024-05-21"}
    for field in ("starts_on", "ends_on"):
        assert_names(client.post("/periods", json={**period, field: day}, headers=board), field)
    assert "XA" not in {p["code"] for p in client.get("/periods", headers=reader).json}

    agency = {"code": "XA-1", "name": "Cơ quan xa", "kind": "department", "unit": "947"}
    for field in ("valid_from", "valid_to"):
        assert_names(client.post("/agencies", json={**agency, field: day}, headers=board), field)
        assert_names(client.patch("/agencies/BTCD", json={field: day}, headers=board), field)
    assert client.get("/agencies", query_string={"at": "2024-06-01"}, headers=reader).json

    officer = client.get("/officers", headers=reader).json[0]["code"]
    for field in ("starts_on", "ends_on"):
        other = "2024-06-10"
        body = {"starts_on": other, "ends_on": other, field: day, "cover": False}
        assert_names(client.post(f"/officers/{officer}/leave", json=body, headers=board), field)
    for moment in FAR_MOMENTS:
        for field in ("starts_at", "ends_at"):
            body = {"starts_at": "2024-06-10T07:00:00+07:00", "ends_at": "2024-06-10T17:00:00+07:00", field: moment}
            assert_names(client.post(f"/officers/{officer}/leave", json=body, headers=board), field)
    assert client.get("/leave", headers=reader).json == []

    leader = next(o["code"] for o in client.get("/officers", headers=reader).json if o["role"] == "leader")
    resp = client.post("/reception-days", json={"officer": leader, "date": day, "place": "Trụ sở"}, headers=board)
    assert_names(resp, "date")
    pages_still_answer(client, reader)


@pytest.mark.parametrize("day", FAR)
def test_far_dates_asked_for_are_a_422_naming_the_argument(client, reader, day):
    moment = FAR_MOMENTS[FAR.index(day)]
    for path in ("/on-duty", "/on-call", "/on-duty/next"):
        assert_names(client.get(path, query_string={"at": moment}, headers=reader), "at")
    week = {"from": "2024-05-20T00:00:00+07:00", "to": "2024-05-27T00:00:00+07:00"}
    for field in ("from", "to"):
        assert_names(client.get("/shifts", query_string={**week, field: moment}, headers=reader), field)
        assert_names(client.get("/leave", query_string={field: moment}, headers=reader), field)
    days = {"from": "2024-05-20", "to": "2024-05-27"}
    for field in ("from", "to"):
        for path in ("/exports/roster.html", "/exports/roster.xlsx", "/reception-days"):
            assert_names(client.get(path, query_string={**days, field: day}, headers=reader), field)
    assert_names(client.get("/agencies", query_string={"at": day}, headers=reader), "at")
    assert_names(client.get("/holidays", query_string={"year": day[:4]}, headers=reader), "year")
    assert_names(client.get("/reception-days/compliance", query_string={"month": day[:7]}, headers=reader), "month")
