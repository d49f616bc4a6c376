"""The home page: today at a glance (on duty, leader on call, open cases and their next step, inbox, petitions due)."""

from __future__ import annotations

import datetime as dt

from samples import CASE, ESCALATION, page

from tiepdan_common.clock import LOCAL

TODAY = dt.datetime.now(LOCAL).date()


def test_the_home_page_shows_today_at_a_glance(signed_in, fake_gateway):
    client, _csrf = signed_in
    fake_gateway.on(
        "GET",
        "/roster/on-duty",
        200,
        {
            "at": "2026-11-26T02:00:00+00:00",
            "officers": [{"code": "btcd-02", "full_name": "Lê Thị Bình", "duty_role": "lead", "channels": []}],
            "leader_on_call": {
                "code": "ld-01",
                "full_name": "Trần Văn Lãnh",
                "channels": [{"kind": "phone", "address": "0909000111"}],
            },
        },
    )
    fake_gateway.on(
        "GET",
        "/escalation/cases",
        200,
        [CASE, {**CASE, "id": "c-2", "number": "VV-2026-0002", "status": "acknowledged"}],
    )
    fake_gateway.on("GET", "/escalation/cases/c-1/escalation", 200, ESCALATION)
    fake_gateway.on(
        "GET",
        "/escalation/policies",
        200,
        [
            {
                "name": "mass",
                "steps": [
                    {"target": {"type": "on_duty_role", "value": "lead"}},
                    {"target": {"type": "leader_on_call"}},
                ],
            }
        ],
    )
    fake_gateway.on(
        "GET",
        "/escalation/cases/c-2/escalation",
        200,
        {**ESCALATION, "status": "acknowledged", "next_step_at": "2026-11-26T03:00:00+00:00"},
    )
    fake_gateway.on(
        "GET",
        "/notify/inbox",
        200,
        [
            {
                "id": "m-1",
                "title": "Vụ việc mới VV-2026-0001",
                "created_at": "2026-11-26T02:00:00+00:00",
                "acknowledged_at": None,
            }
        ],
    )
    fake_gateway.on(
        "GET",
        "/intake/petitions",
        200,
        {
            "items": [
                {
                    "id": "p-1",
                    "number": "DON-947/2026/000001",
                    "category": "complaint",
                    "status": "received",
                    "stage": "acceptance",
                    "deadline": (TODAY - dt.timedelta(days=1)).isoformat(),
                }
            ],
            "next_cursor": None,
        },
    )
    resp = client.get("/")
    assert resp.status_code == 200
    html = page(resp)
    assert "Lê Thị Bình" in html and "Trưởng ca" in html
    assert "Trần Văn Lãnh" in html and "0909000111" in html
    assert "Chưa ai tiếp nhận: báo bước tiếp theo: Lãnh đạo trực · lúc 26/11/2026 09:15" in html
    assert "Đã tiếp nhận: chờ báo tiến độ · lúc 26/11/2026 10:00" in html
    assert "Vụ việc mới VV-2026-0001" in html
    assert "DON-947/2026/000001" in html and "quá hạn 1 ngày" in html
    assert fake_gateway.sent("GET", "/escalation/cases")[-1]["query"]["status"] == ["open"]


def test_each_panel_of_the_home_page_fails_alone(signed_in, fake_gateway):
    client, _csrf = signed_in
    fake_gateway.on("GET", "/escalation/cases", 200, [])
    fake_gateway.on("GET", "/roster/on-duty", 500, {"status": 500})
    html = page(client.get("/"))
    assert "Hệ thống đang gặp sự cố (mã 500)" in html and "Không có vụ việc nào đang mở." in html
    assert "Tài khoản của bạn chưa được phép dùng chức năng này." in html  # the inbox and petitions refused
