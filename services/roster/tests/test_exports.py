"""The iCalendar feed behind a secret link, XLSX and the printable page."""

import datetime as dt
import io

import icalendar
import openpyxl

from tiepdan_common.clock import LOCAL
from tiepdan_common.testing import identity_headers

ANONYMOUS = identity_headers(subject="anonymous", kind="service", permissions=())


def test_an_officer_calendar_feed_is_read_by_a_standard_parser(client, board, reader, officer_headers, clock):
    clock.set(dt.datetime(2024, 6, 1, 9, 0, tzinfo=LOCAL))
    assert (
        client.post(
            "/calendar-feeds", json={"scope": "officer", "subject": "ttr-02"}, headers=officer_headers("ttr-01")
        ).status_code
        == 403
    )
    resp = client.post(
        "/calendar-feeds", json={"scope": "officer", "subject": "ttr-01"}, headers=officer_headers("ttr-01")
    )
    assert resp.status_code == 201, resp.json
    path = resp.json["path"]
    feed = client.get(path, headers=ANONYMOUS)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    cal = icalendar.Calendar.from_ical(feed.data)
    events = list(cal.walk("VEVENT"))
    start, end = dt.datetime(2024, 5, 2, 9, tzinfo=LOCAL), dt.datetime(2024, 9, 29, 9, tzinfo=LOCAL)
    expected = [
        a
        for s in client.get(
            "/shifts",
            query_string={"from": "2024-05-19T00:00:00+07:00", "to": "2024-07-01T00:00:00+07:00"},
            headers=reader,
        ).json
        for a in s["assignments"]
        if a["officer"] == "ttr-01"
        and start < dt.datetime.fromisoformat(s["ends_at"])
        and dt.datetime.fromisoformat(s["starts_at"]) < end
    ]
    assert expected and len(events) == len(expected)
    first = events[0]
    assert first.decoded("dtstart") < first.decoded("dtend")
    assert "Phạm Minh Đức" in str(first["summary"])
    assert str(cal["x-wr-calname"]).startswith("Lịch trực tiếp công dân")
    wrong = path.replace(".ics", "x.ics")
    assert client.get(wrong, headers=ANONYMOUS).status_code == 404
    assert client.get("/calendar/nope/secret.ics", headers=ANONYMOUS).status_code == 404
    assert client.get(path).status_code == 401  # still only through the gateway
    feed_id = resp.json["id"]
    assert client.delete(f"/calendar-feeds/{feed_id}", headers=board).status_code == 204
    assert client.get(path, headers=ANONYMOUS).status_code == 404
    _an_agency_feed_lists_every_officer_of_it(client, board, clock)
    _xlsx_and_printable_page(client, reader)


def _an_agency_feed_lists_every_officer_of_it(client, board, clock):
    clock.set(dt.datetime(2024, 6, 1, 9, 0, tzinfo=LOCAL))
    path = client.post("/calendar-feeds", json={"scope": "agency", "subject": "CA"}, headers=board).json["path"]
    cal = icalendar.Calendar.from_ical(client.get(path, headers=ANONYMOUS).data)
    summaries = [str(e["summary"]) for e in cal.walk("VEVENT")]
    assert any("Lâm Văn Phúc" in s for s in summaries) and any("Châu Thị Quyên" in s for s in summaries)
    assert client.post("/calendar-feeds", json={"scope": "agency", "subject": "NOPE"}, headers=board).status_code == 422


def _xlsx_and_printable_page(client, reader):
    query = {"from": "2024-05-20", "to": "2024-05-21"}
    resp = client.get("/exports/roster.xlsx", query_string=query, headers=reader)
    assert resp.status_code == 200, resp.data[:200]
    sheet = openpyxl.load_workbook(io.BytesIO(resp.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:3] == ("Ngày", "Thứ", "Ca")
    body = rows[2:]
    assert {r[1] for r in body} == {"Thứ Hai", "Thứ Ba"}
    assert sum(1 for r in body if r[2] == "Ca sáng") == 8  # two mornings of four officers
    html = client.get("/exports/roster.html", query_string=query, headers=reader)
    assert html.status_code == 200 and html.mimetype == "text/html"
    text = html.get_data(as_text=True)
    assert "LỊCH TRỰC TIẾP CÔNG DÂN" in text and "Thứ Hai, ngày 20/05/2024" in text and "Lãnh đạo trực" in text
    bad = client.get("/exports/roster.xlsx", query_string={"from": "2024-05-20", "to": "2024-09-20"}, headers=reader)
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "to"


def test_the_printed_unit_and_agencies_come_from_dated_data(app, client, board, reader):
    """The header names the board in force on the first printed day, not a constant (issue #22)."""
    from roster.directory.models import Agency

    with app.extensions["tiepdan"]["db"].session() as session:
        session.get(Agency, "BTCD").valid_to = dt.date(2024, 5, 31)
        session.add(
            Agency(
                code="BTCD-2",
                name="Ban Tiếp công dân xã Mỹ Xuyên",
                kind="board",
                unit="31684",
                unit_name="UBND xã Mỹ Xuyên",
                valid_from=dt.date(2024, 6, 1),
            )
        )
    may = client.get(
        "/exports/roster.html", query_string={"from": "2024-05-20", "to": "2024-05-21"}, headers=reader
    ).get_data(as_text=True)
    june = client.get(
        "/exports/roster.html", query_string={"from": "2024-06-03", "to": "2024-06-04"}, headers=reader
    ).get_data(as_text=True)
    board_then = next(
        a
        for a in client.get("/agencies", query_string={"at": "2024-05-20"}, headers=reader).json
        if a["kind"] == "board"
    )
    header = may.split("</header>")[0]
    assert (
        board_then["unit_name"] and board_then["unit_name"].upper() in header and board_then["name"].upper() in header
    )
    assert "UBND XÃ MỸ XUYÊN" in june and "HUYỆN" not in june.split("</header>")[0]
    agencies = client.get("/agencies", query_string={"at": "2024-06-03"}, headers=reader).json
    codes = {a["code"] for a in agencies}
    assert "BTCD-2" in codes and "BTCD" not in codes
    old = next(a for a in client.get("/agencies", headers=reader).json if a["code"] == "BTCD")
    assert old["valid_to"] == "2024-05-31" and old["unit_name"] == board_then["unit_name"]
    # An officer of the ended board cannot be put on a shift after its last day.
    shift = client.get(
        "/on-duty", query_string={"at": "2024-06-04T09:00:00+07:00", "role": "inspector"}, headers=reader
    ).json["officers"][0]
    on_shift = {a["officer"] for a in client.get(f"/shifts/{shift['shift_id']}", headers=reader).json["assignments"]}
    free = next(c for c in ("btcd-01", "btcd-02", "btcd-03") if c not in on_shift)
    added = client.post(
        f"/shifts/{shift['shift_id']}/assignments", json={"officer": free, "duty_role": "lead"}, headers=board
    )
    assert added.status_code == 422 and "does not exist on 2024-06-04" in added.json["errors"][0]["message"]


def test_an_administrator_dates_an_agency_through_the_api(client, board, reader, auditor):
    created = client.post(
        "/agencies",
        json={
            "code": "BTCD-CT",
            "name": "Ban Tiếp công dân thành phố Cần Thơ",
            "kind": "board",
            "unit": "92",
            "unit_name": "UBND thành phố Cần Thơ",
            "valid_from": "2025-07-01",
        },
        headers=board,
    )
    assert created.status_code == 201, created.json
    assert created.json["valid_from"] == "2025-07-01" and created.json["valid_to"] is None
    assert (
        client.post(
            "/agencies", json={"code": "BTCD-CT", "name": "Trùng", "kind": "board", "unit": "92"}, headers=board
        ).status_code
        == 409
    )
    ended = client.patch("/agencies/BTCD", json={"valid_to": "2025-06-30"}, headers=board)
    assert ended.status_code == 200 and ended.json["valid_to"] == "2025-06-30"
    backwards = client.patch("/agencies/BTCD", json={"valid_from": "2025-07-01"}, headers=board)
    assert backwards.status_code == 422 and backwards.json["errors"][0]["field"] == "valid_to"
    bad = client.post("/agencies", json={"code": "X", "name": "Y", "kind": "ministry", "unit": "abc"}, headers=board)
    assert bad.status_code == 422 and {e["field"] for e in bad.json["errors"]} >= {"code", "kind", "unit"}
    assert client.patch("/agencies/NOPE", json={"name": "Không có"}, headers=board).status_code == 404
    assert client.patch("/agencies/BTCD", json={"name": "Đổi tên"}, headers=reader).status_code == 403
    in_2026 = {a["code"] for a in client.get("/agencies", query_string={"at": "2026-01-05"}, headers=reader).json}
    assert "BTCD-CT" in in_2026 and "BTCD" not in in_2026
    audit = client.get("/audit", query_string={"entity": "agency"}, headers=auditor).json
    assert [a["action"] for a in audit][:2] == ["agency.updated", "agency.created"]
