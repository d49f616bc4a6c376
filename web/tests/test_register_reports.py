"""The register and its export, the roster, the reports and the daily summary, against the stand-in gateway."""

from __future__ import annotations

import re

from samples import VISIT, page

from tiepdan_common.clock import LOCAL


def test_the_register_passes_filters_as_local_days_and_lists_visits(signed_in, fake_gateway):
    client, _csrf = signed_in
    fake_gateway.on("GET", "/intake/visits", 200, {"items": [VISIT], "next_cursor": "abc"})
    html = page(client.get("/register?from=2026-11-26&to=2026-11-26&mass=true&category=complaint"))
    assert "947/2026/000001" in html and "26/11/2026 09:00" in html and "đoàn 12 người" in html
    assert "cursor=abc" in html
    query = fake_gateway.sent("GET", "/intake/visits")[-1]["query"]
    assert query["from"] == ["2026-11-26T00:00:00+07:00"] and query["to"] == ["2026-11-27T00:00:00+07:00"]
    assert query["mass"] == ["true"] and query["category"] == ["complaint"]


def test_the_roster_highlights_gaps_from_roster_coverage(signed_in, fake_gateway):
    client, _csrf = signed_in
    import datetime as dt

    start = dt.datetime.now(LOCAL).replace(hour=7, minute=0, second=0, microsecond=0)
    shift = {
        "id": 7,
        "kind": "morning",
        "starts_at": start.isoformat(),
        "ends_at": (start + dt.timedelta(hours=4, minutes=30)).isoformat(),
        "assignments": [{"officer": "btcd-01", "full_name": "Nguyễn Văn An", "agency": "BTCD", "duty_role": "lead"}],
    }
    fake_gateway.on("GET", "/roster/shifts", 200, [shift])
    fake_gateway.on("GET", "/roster/on-duty", 200, {"at": start.isoformat(), "officers": [], "leader_on_call": None})
    fake_gateway.on(
        "GET",
        "/roster/coverage",
        200,
        {
            "gaps": [{"shift_id": 7, "duty_role": "police", "reason": "unfilled", "missing": 1, "officer": None}],
            "unfilled": [{}],
            "double_bookings": [],
            "on_leave": [],
            "no_verified_channel": [],
        },
    )
    html = page(client.get("/today"))
    assert 'class="gap"' in html and "Công an: chưa có người" in html
    assert "Chưa có lãnh đạo trực hôm nay." in html
    # Without roster's report, the roles nobody holds are the gaps.
    fake_gateway.on("GET", "/roster/coverage", 404, {"status": 404})
    html = page(client.get("/today"))
    assert "Thanh tra: chưa có người" in html and "Công an: chưa có người" in html


def test_reports_draw_charts_from_intake_statistics(signed_in, fake_gateway):
    client, _csrf = signed_in
    fake_gateway.on("GET", "/intake/visits", 200, {"items": [VISIT], "next_cursor": None})
    fake_gateway.on(
        "GET",
        "/intake/visits/statistics",
        200,
        {
            "total": 7,
            "citizens": 30,
            "mass": 2,
            "over_level": 1,
            "repeats": 0,
            "by_category": {"complaint": 5, "denunciation": 2},
            "by_field": {"land": 7},
            "by_unit": {},
            "by_origin_unit": {"31690": 7},
            "by_outcome": {"documents_taken": 7},
        },
    )
    html = page(client.get("/reports?from=2026-11-01&to=2026-11-30"))
    assert "<svg" in html and "Khiếu nại" in html and "Tố cáo" in html
    assert re.search(r"<dt>Lượt tiếp</dt><dd>7</dd>", html)
    assert fake_gateway.sent("GET", "/intake/visits/statistics")[-1]["query"]["from"] == ["2026-11-01T00:00:00+07:00"]


def test_the_register_export_passes_intakes_xlsx_through(signed_in, fake_gateway):
    client, _csrf = signed_in
    xlsx = b"PK\x03\x04 pretend workbook"
    fake_gateway.on("GET", "/intake/visits/export", 200, xlsx)
    resp = client.get("/register/export.xlsx?from=2026-11-01&to=2026-11-26&q=dat+dai")
    assert resp.status_code == 200 and resp.data == xlsx
    assert resp.headers["Content-Disposition"].startswith('attachment; filename="so-tiep-cong-dan-')
    query = fake_gateway.sent("GET", "/intake/visits/export")[-1]["query"]
    assert query["format"] == ["xlsx"] and query["from"] == ["2026-11-01T00:00:00+07:00"] and "q" not in query


def test_a_failed_export_says_why_on_the_register(signed_in, fake_gateway):
    client, _csrf = signed_in
    fake_gateway.on("GET", "/intake/visits", 200, {"items": [], "next_cursor": None})
    resp = client.get("/register/export.xlsx", follow_redirects=True)
    assert "Chưa xuất được sổ ra Excel: Tài khoản của bạn chưa được phép dùng chức năng này." in page(resp)


def test_the_roster_export_passes_roster_files_through(signed_in, fake_gateway):
    client, _csrf = signed_in
    fake_gateway.on("GET", "/roster/exports/roster.xlsx", 200, b"PK\x03\x04 roster")
    resp = client.get("/today/roster.xlsx?from=2026-11-26&to=2026-12-02")
    assert resp.status_code == 200 and resp.data == b"PK\x03\x04 roster"
    assert 'filename="lich-truc-20261126-20261202.xlsx"' in resp.headers["Content-Disposition"]
    query = fake_gateway.sent("GET", "/roster/exports/roster.xlsx")[-1]["query"]
    assert query == {"from": ["2026-11-26"], "to": ["2026-12-02"]}
    resp = client.get("/today/roster.html", follow_redirects=True)
    assert "Chưa xuất được lịch trực" in page(resp)


def test_a_returning_citizen_is_found_by_name_id_or_phone_without_it_in_a_url(signed_in, fake_gateway):
    client, csrf = signed_in
    fake_gateway.on("POST", "/intake/visits/find-citizen", 200, {"items": [VISIT], "next_cursor": None})
    html = page(
        client.post(
            "/register/find",
            data={"csrf_token": csrf, "full_name": "nguyen van tu", "id_number": "", "phone": "0909123456"},
        )
    )
    assert fake_gateway.sent("POST", "/intake/visits/find-citizen")[0]["json"] == {
        "full_name": "nguyen van tu",
        "phone": "0909123456",
        "limit": 50,
    }
    assert "947/2026/000001" in html and '<details class="card" id="find-citizen" open>' in html
    html = page(client.post("/register/find", data={"csrf_token": csrf}))
    assert "Nhập họ tên, số CCCD hoặc số điện thoại của công dân." in html
    assert len(fake_gateway.sent("POST", "/intake/visits/find-citizen")) == 1


def test_the_daily_summary_is_read_on_demand_for_a_date_typed_day_month_year(signed_in, fake_gateway):
    client, _csrf = signed_in
    fake_gateway.on("GET", "/intake/visits", 200, {"items": [], "next_cursor": None})
    fake_gateway.on(
        "GET",
        "/escalation/reports/daily-summary",
        200,
        {
            "date": "2026-11-25",
            "title": "Báo cáo tình hình ngày 25/11/2026",
            "period_label": "từ 17:00 24/11 đến 17:00 25/11",
            "complete": True,
            "items": [{"key": "visits", "label": "Lượt tiếp", "value": 14}],
            "highlights": ["Đoàn 25 người tại xã Đại Tâm"],
            "counts": {},
            "sent_at": "2026-11-25T10:00:00+00:00",
        },
    )
    html = page(client.get("/reports?date=25/11/2026"))
    assert fake_gateway.sent("GET", "/escalation/reports/daily-summary")[-1]["query"] == {"date": ["2026-11-25"]}
    day = html.split('id="day-summary"', 1)[1].split("</article>", 1)[0]
    assert "Báo cáo tình hình ngày 25/11/2026" in day and "<dt>Lượt tiếp</dt><dd>14</dd>" in day
    assert "Đoàn 25 người tại xã Đại Tâm" in day and "đã gửi lãnh đạo lúc 25/11/2026 17:00" in day
