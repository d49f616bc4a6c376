"""Generating the session roster, fair rotation, holidays and leave."""

import collections
import datetime as dt

from tiepdan_common.clock import LOCAL, today


def local(*args):
    return dt.datetime(*args, tzinfo=LOCAL).isoformat()


def shifts(client, headers, start, end):
    resp = client.get("/shifts", query_string={"from": start, "to": end}, headers=headers)
    assert resp.status_code == 200, resp.json
    return resp.json


def test_the_session_roster_covers_every_working_day_fairly(client, reader):
    periods = {p["code"]: p for p in client.get("/periods", headers=reader).json}
    assert periods["QH15-KH7"]["starts_on"] == "2024-05-20" and periods["QH15-KH7"]["ends_on"] == "2024-06-29"
    rows = shifts(client, reader, local(2024, 5, 20), local(2024, 6, 30))
    office = [s for s in rows if s["kind"] in ("morning", "afternoon") and s["period"] == "QH15-KH7"]
    days = {dt.datetime.fromisoformat(s["starts_at"]).astimezone(LOCAL).date() for s in office}
    assert len(days) == 30  # 6 weeks of 5 working days, no holiday in the session
    assert all(d.weekday() < 5 for d in days)
    for s in office:
        assert sorted(a["duty_role"] for a in s["assignments"]) == ["department", "inspector", "lead", "police"]
    leads = collections.Counter(a["officer"] for s in office for a in s["assignments"] if a["duty_role"] == "lead")
    assert set(leads) == {"btcd-01", "btcd-02", "btcd-03"}
    assert max(leads.values()) - min(leads.values()) <= 1
    on_call = [s for s in rows if s["kind"] == "on_call" and s["period"] == "QH15-KH7"]
    assert len(on_call) == 41  # every day of the session: a leader and a police officer on call, midnight to midnight
    assert all(sorted(a["duty_role"] for a in s["assignments"]) == ["leader_on_call", "police"] for s in on_call)


def test_a_holiday_inside_a_period_has_standby_only(client, board, reader):
    resp = client.post(
        "/periods",
        json={"code": "QK-2024", "name": "Dịp Quốc khánh 2024", "starts_on": "2024-08-26", "ends_on": "2024-09-06"},
        headers=board,
    )
    assert resp.status_code == 201, resp.json
    resp = client.post("/periods/QK-2024/generate", headers=board)
    assert resp.status_code == 200 and resp.json["assignments"] > 0
    names = {h["date"]: h["name"] for h in client.get("/holidays", query_string={"year": 2024}, headers=reader).json}
    assert names["2024-09-02"] == "Quốc khánh"
    holiday = client.get("/on-duty", query_string={"at": local(2024, 9, 2, 9, 0)}, headers=reader).json
    assert {o["duty_role"] for o in holiday["officers"]} == {"standby"}
    assert holiday["leader_on_call"] is not None
    after = client.get("/on-duty", query_string={"at": local(2024, 9, 4, 9, 0)}, headers=reader).json
    assert sorted(o["duty_role"] for o in after["officers"]) == ["department", "inspector", "lead", "police"]
    _periods_may_not_overlap(client, board)


def test_regeneration_skips_leave_and_keeps_shift_ids(client, board, reader, clock):
    clock.set(dt.datetime(2024, 6, 1, 9, 0, tzinfo=LOCAL))
    before = shifts(client, reader, local(2024, 6, 10), local(2024, 6, 15))
    resp = client.post(
        "/officers/ca-01/leave",
        json={
            "kind": "leave",
            "starts_at": local(2024, 6, 10),
            "ends_at": local(2024, 6, 15),
            "cover": False,
        },
        headers=board,
    )
    assert resp.status_code == 201, resp.json
    assert client.post("/periods/QH15-KH7/generate", headers=board).status_code == 200
    after = shifts(client, reader, local(2024, 6, 10), local(2024, 6, 15))
    assert [s["id"] for s in after] == [s["id"] for s in before]
    police = [a["officer"] for s in after for a in s["assignments"] if a["duty_role"] == "police"]
    assert police and set(police) == {"ca-02"}
    _requirements_are_data(client, board, reader, clock)


def test_regeneration_leaves_shifts_already_started_alone(client, board, reader, clock):
    clock.set(dt.datetime(2024, 6, 12, 12, 0, tzinfo=LOCAL))  # during the lunch-time standby
    before = shifts(client, reader, local(2024, 6, 12), local(2024, 6, 13))
    client.post(
        "/officers/ca-01/leave",
        json={"starts_on": "2024-06-01", "ends_on": "2024-06-20", "cover": False},
        headers=board,
    )
    client.post(
        "/officers/ca-02/leave",
        json={"starts_on": "2024-06-01", "ends_on": "2024-06-20", "cover": False},
        headers=board,
    )
    assert client.post("/periods/QH15-KH7/generate", headers=board).status_code == 200
    after = {s["id"]: s for s in shifts(client, reader, local(2024, 6, 12), local(2024, 6, 13))}
    for s in before:
        police = [a["officer"] for a in after[s["id"]]["assignments"] if a["duty_role"] == "police"]
        if s["kind"] == "morning":  # worked already: history stays as it was
            assert police == [a["officer"] for a in s["assignments"] if a["duty_role"] == "police"] != []
        if s["kind"] == "afternoon":  # ahead: both police officers are away, so nobody
            assert police == []
    gap = client.get("/coverage", query_string={"days": 1}, headers=reader).json["unfilled"]
    assert ("afternoon", "police") in {(g["shift_kind"], g["duty_role"]) for g in gap}


def _requirements_are_data(client, board, reader, clock):
    clock.set(dt.datetime(2024, 5, 1, 9, 0, tzinfo=LOCAL))
    reqs = {(r["shift_kind"], r["duty_role"]): r for r in client.get("/requirements", headers=reader).json}
    assert reqs[("morning", "lead")] == {
        "shift_kind": "morning",
        "duty_role": "lead",
        "agency_kinds": ["board"],
        "count": 1,
    }
    resp = client.put(
        "/requirements/morning/department", json={"agency_kinds": ["department"], "count": 2}, headers=board
    )
    assert resp.status_code == 200, resp.json
    client.post("/periods/QH15-KH7/generate", headers=board)
    morning = client.get(
        "/on-duty", query_string={"at": local(2024, 5, 21, 8, 0), "role": "department"}, headers=reader
    ).json
    assert len({o["code"] for o in morning["officers"]}) == 2
    assert (
        client.put(
            "/requirements/morning/lead", json={"agency_kinds": ["board"], "count": 1}, headers=reader
        ).status_code
        == 403
    )


def _periods_may_not_overlap(client, board):
    resp = client.post(
        "/periods",
        json={"code": "KH7-BIS", "name": "Trùng kỳ họp", "starts_on": "2024-06-20", "ends_on": "2024-07-05"},
        headers=board,
    )
    assert resp.status_code == 409 and resp.json["errors"][0]["field"] == "starts_on"
    bad = client.post(
        "/periods",
        json={"code": "X1", "name": "Ngược", "starts_on": "2024-08-05", "ends_on": "2024-08-01"},
        headers=board,
    )
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "ends_on"
    assert client.post("/periods/NOPE/generate", headers=board).status_code == 404


def test_a_special_period_from_tomorrow_leaves_the_standby_under_way_to_the_ordinary_roster(
    client, board, reader, clock
):
    """Created on a Sunday morning, a period from Monday reaches back to Sunday's standby (07:00 to 07:00),
    which has started: it stays the ordinary roster's as worked, and nobody is put on it a second time."""
    now = today(clock)
    sunday = now + dt.timedelta(days=(6 - now.weekday()) % 7 or 7)  # inside CURRENT (14 days ahead)
    clock.set(dt.datetime(sunday.year, sunday.month, sunday.day, 9, 0, tzinfo=LOCAL))
    evening = local(sunday.year, sunday.month, sunday.day, 20, 0)
    before = client.get("/on-duty", query_string={"at": evening}, headers=reader).json["officers"]
    assert before
    monday = sunday + dt.timedelta(days=1)
    resp = client.post(
        "/periods",
        json={
            "code": "HOP-KHAN",
            "name": "Đợt họp khẩn",
            "starts_on": monday.isoformat(),
            "ends_on": (monday + dt.timedelta(days=2)).isoformat(),
        },
        headers=board,
    )
    assert resp.status_code == 201, resp.json
    assert client.post("/periods/HOP-KHAN/generate", headers=board).status_code == 200
    after = client.get("/on-duty", query_string={"at": evening}, headers=reader).json["officers"]
    assert after == before
    minute_after = local(sunday.year, sunday.month, sunday.day, 20, 1)
    standby = [s for s in shifts(client, reader, evening, minute_after) if s["kind"] == "standby"]
    assert [s["period"] for s in standby] == ["CURRENT"]
    monday_night = (
        local(monday.year, monday.month, monday.day, 20, 0),  # the period's own standby
        local(monday.year, monday.month, monday.day, 20, 1),
    )
    assert {s["period"] for s in shifts(client, reader, *monday_night)} == {"HOP-KHAN"}
    report = client.get("/coverage", query_string={"days": 7}, headers=reader).json
    assert report["double_bookings"] == [] and report["unfilled"] == []


def test_a_special_period_takes_over_the_ordinary_days_it_covers(client, board, reader):
    now = today()
    holidays = {h["date"] for h in client.get("/holidays", headers=reader).json}
    start = now + dt.timedelta(days=(7 - now.weekday()) % 7 or 7)  # a Monday inside CURRENT (14 days ahead)
    if any((start + dt.timedelta(days=n)).isoformat() in holidays for n in range(4)):
        start += dt.timedelta(days=7)
    end = start + dt.timedelta(days=2)
    resp = client.post(
        "/periods",
        json={"code": "CAO-DIEM", "name": "Đợt cao điểm", "starts_on": start.isoformat(), "ends_on": end.isoformat()},
        headers=board,
    )
    assert resp.status_code == 201 and resp.json["kind"] == "special", resp.json
    ordinary = client.post(
        "/periods",
        json={
            "code": "ORD-2",
            "name": "Thường xuyên 2",
            "kind": "ordinary",
            "starts_on": start.isoformat(),
            "ends_on": end.isoformat(),
        },
        headers=board,
    )
    assert ordinary.status_code == 409  # two ordinary rosters would double-book
    for code in ("CAO-DIEM", "CURRENT"):  # in either order, one team per shift
        assert client.post(f"/periods/{code}/generate", headers=board).status_code == 200
    day = start + dt.timedelta(days=1)
    lo = dt.datetime.combine(day, dt.time(0), tzinfo=LOCAL)
    rows = shifts(client, reader, lo.isoformat(), (lo + dt.timedelta(days=1)).isoformat())
    within = [s for s in rows if dt.datetime.fromisoformat(s["starts_at"]) >= lo]
    assert {s["period"] for s in within} == {"CAO-DIEM"}
    morning = client.get("/on-duty", query_string={"at": lo.replace(hour=9).isoformat()}, headers=reader).json
    assert sorted(o["duty_role"] for o in morning["officers"]) == ["department", "inspector", "lead", "police"]
    after = end + dt.timedelta(days=1)  # a Thursday: the ordinary roster again
    if after.isoformat() not in holidays and after <= now + dt.timedelta(days=14):
        later = client.get(
            "/on-duty", query_string={"at": local(after.year, after.month, after.day, 9)}, headers=reader
        ).json
        assert len(later["officers"]) == 4 and later["leader_on_call"] is not None
    report = client.get("/coverage", query_string={"days": 14}, headers=reader).json
    assert report["double_bookings"] == [] and report["unfilled"] == []


def test_a_makeup_saturday_is_worked_and_years_beyond_the_calendar_are_refused(client, board, reader):
    resp = client.post(
        "/periods",
        json={"code": "LE-2025", "name": "Dịp 30/4 năm 2025", "starts_on": "2025-04-21", "ends_on": "2025-05-04"},
        headers=board,
    )
    assert resp.status_code == 201, resp.json
    assert client.post("/periods/LE-2025/generate", headers=board).status_code == 200
    saturday = client.get("/on-duty", query_string={"at": local(2025, 4, 26, 9, 0)}, headers=reader).json
    assert sorted(o["duty_role"] for o in saturday["officers"]) == ["department", "inspector", "lead", "police"]
    bridge = client.get("/on-duty", query_string={"at": local(2025, 5, 2, 9, 0)}, headers=reader).json
    assert {o["duty_role"] for o in bridge["officers"]} == {"standby"}  # Friday 2 May was swapped off
    days = {d["date"]: d for d in client.get("/holidays", query_string={"year": 2025}, headers=reader).json}
    assert days["2025-04-26"]["kind"] == "makeup_working_day" and days["2025-04-26"]["in_exchange_for"] == "2025-05-02"
    assert days["2025-05-02"]["kind"] == "day_off" and "8726/VPCP-KGVX" in days["2025-05-02"]["source"]
    beyond = client.post(
        "/periods",
        json={"code": "XA", "name": "Quá xa", "starts_on": "2027-12-20", "ends_on": "2028-01-10"},
        headers=board,
    )
    assert beyond.status_code == 422 and beyond.json["errors"][0]["field"] == "ends_on"
