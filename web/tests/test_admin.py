"""Administrators' reference screens: units, holidays, legal rules, agencies (stand-in gateway)."""

from __future__ import annotations

import pytest
from samples import page
from standin import BOARD_PERMISSIONS, fake_token

ADMIN_PERMISSIONS = [*BOARD_PERMISSIONS, "identity:read", "audit:read", "rules:write", "notices:write"]

UNITS = [
    {
        "id": 1,
        "code": "94",
        "name": "Tỉnh Sóc Trăng",
        "level": "province",
        "parent_id": None,
        "valid_from": "2004-01-01",
        "valid_to": "2025-06-30",
        "confirmed": True,
    },
    {
        "id": 2,
        "code": "947",
        "name": "Huyện Mỹ Xuyên",
        "level": "district",
        "parent_id": 1,
        "valid_from": "2004-01-01",
        "valid_to": "2025-06-30",
        "confirmed": True,
    },
    {
        "id": 3,
        "code": "92",
        "name": "Thành phố Cần Thơ",
        "level": "province",
        "parent_id": None,
        "valid_from": "2025-07-01",
        "valid_to": None,
        "confirmed": True,
    },
]


@pytest.fixture
def admin_in(client, fake_gateway):
    """A client signed in as an administrator; returns (client, csrf token)."""
    token = fake_token(sub="admin-01", name="Quản trị viên", roles=[], kind="admin")
    fake_gateway.on(
        "POST",
        "/auth/token",
        200,
        {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": 3600,
            "kind": "admin",
            "unit": None,
            "permissions": ADMIN_PERMISSIONS,
        },
    )
    client.get("/login")
    with client.session_transaction() as s:
        csrf = s["csrf"]
    resp = client.post("/login", data={"username": "admin-01", "password": "x", "csrf_token": csrf})
    assert resp.status_code == 302, resp.data
    with client.session_transaction() as s:
        return client, s["csrf"]


def test_only_an_administrator_sees_the_screens(signed_in, client, fake_gateway):
    board, _csrf = signed_in
    for path in ("/admin", "/admin/units", "/admin/holidays", "/admin/rules", "/admin/agencies"):
        resp = board.get(path)
        assert resp.status_code == 403 and "Chỉ quản trị viên" in page(resp)
    # Nothing of the administrators' data is asked for (the units list is everyone's reference: the header
    # names the officer's People's Committee from it).
    for path in ("/intake/holidays", "/intake/legal-rules", "/intake/reference-changes"):
        assert fake_gateway.sent("GET", path) == [], path


def test_a_visitor_is_sent_to_sign_in(client):
    resp = client.get("/admin/holidays")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_units_are_listed_with_labels_and_dates(admin_in, fake_gateway):
    client, _csrf = admin_in
    fake_gateway.on("GET", "/intake/units", 200, UNITS)
    html = page(client.get("/admin/units"))
    row = html.split('id="unit-2"', 1)[1].split("</tr>", 1)[0]
    assert "Huyện Mỹ Xuyên" in row and "Cấp huyện" in row and "Tỉnh Sóc Trăng" in row
    assert "từ 01/01/2004" in row and "đến 30/06/2025" in row
    assert ">district<" not in row


def test_a_unit_that_succeeds_another_is_added_with_its_legal_act(admin_in, fake_gateway):
    client, csrf = admin_in
    fake_gateway.on("GET", "/intake/units", 200, UNITS)
    fake_gateway.on(
        "POST",
        "/intake/units",
        201,
        {**UNITS[2], "id": 9, "code": "31690", "name": "Xã Mỹ Xuyên", "level": "commune", "parent_id": 3},
    )
    fake_gateway.on("POST", "/intake/unit-successions", 201, {"id": 4})
    resp = client.post(
        "/admin/units",
        data={
            "csrf_token": csrf,
            "code": "31690",
            "name": "Xã Mỹ Xuyên",
            "level": "commune",
            "parent_code": "92",
            "valid_from": "01/07/2025",
            "valid_to": "",
            "source": "Nghị quyết 1668/NQ-UBTVQH15",
            "predecessor_id": "2",
            "kind": "merge",
            "legal_act": "Nghị quyết 1668/NQ-UBTVQH15 ngày 16/6/2025",
        },
        follow_redirects=True,
    )
    (sent,) = fake_gateway.sent("POST", "/intake/units")
    assert sent["json"] == {
        "code": "31690",
        "name": "Xã Mỹ Xuyên",
        "level": "commune",
        "parent_code": "92",
        "valid_from": "2025-07-01",
        "source": "Nghị quyết 1668/NQ-UBTVQH15",
    }
    (link,) = fake_gateway.sent("POST", "/intake/unit-successions")
    assert link["json"] == {
        "predecessor_id": 2,
        "successor_id": 9,
        "kind": "merge",
        "effective_on": "2025-07-01",
        "legal_act": "Nghị quyết 1668/NQ-UBTVQH15 ngày 16/6/2025",
    }
    assert "Đã thêm Xã Mỹ Xuyên." in page(resp)


def test_the_apis_field_error_is_shown_next_to_the_field(admin_in, fake_gateway):
    client, csrf = admin_in
    fake_gateway.on("GET", "/intake/units", 200, UNITS)
    fake_gateway.on(
        "POST",
        "/intake/units",
        409,
        {
            "status": 409,
            "code": "conflict",
            "detail": "valid_from: overlaps",
            "errors": [{"field": "valid_from", "message": "unit 947 already has a version in force from 2004-01-01"}],
        },
    )
    resp = client.post(
        "/admin/units",
        data={
            "csrf_token": csrf,
            "code": "947",
            "name": "Huyện Mỹ Xuyên",
            "level": "district",
            "parent_code": "94",
            "valid_from": "01/01/2020",
            "source": "x",
        },
    )
    html = page(resp)
    assert resp.status_code == 422
    assert 'id="err-valid_from"' in html and "already has a version in force" in html
    assert 'value="01/01/2020"' in html  # what was typed stays


def test_a_date_not_in_day_month_year_is_refused_before_the_api(admin_in, fake_gateway):
    client, csrf = admin_in
    fake_gateway.on("GET", "/intake/holidays", 200, [])
    resp = client.post(
        "/admin/holidays",
        data={"csrf_token": csrf, "date": "31/02/2026", "kind": "holiday", "name": "x", "source": "y"},
    )
    assert resp.status_code == 422 and 'id="err-date"' in page(resp)
    assert [r for r in fake_gateway.requests if r["method"] == "PUT"] == []


def test_a_unit_version_is_closed(admin_in, fake_gateway):
    client, csrf = admin_in
    fake_gateway.on("GET", "/intake/units", 200, UNITS)
    fake_gateway.on("PATCH", "/intake/units/2", 200, UNITS[1])
    assert "Sửa Huyện Mỹ Xuyên" in page(client.get("/admin/units?edit=2"))
    client.post(
        "/admin/units/2",
        data={
            "csrf_token": csrf,
            "name": "Huyện Mỹ Xuyên",
            "valid_to": "30/06/2025",
            "source": "",
            "reason": "Bỏ cấp huyện",
        },
    )
    (sent,) = fake_gateway.sent("PATCH", "/intake/units/2")
    assert sent["json"] == {"name": "Huyện Mỹ Xuyên", "valid_to": "2025-06-30", "note": None, "reason": "Bỏ cấp huyện"}


def test_a_holiday_and_a_makeup_day_are_put_and_deleted(admin_in, fake_gateway):
    client, csrf = admin_in
    fake_gateway.on(
        "GET",
        "/intake/holidays",
        200,
        [{"date": "2025-04-26", "name": "Làm bù cho thứ Sáu 02/5/2025", "kind": "working_day", "source": "8726/VPCP"}],
    )
    html = page(client.get("/admin/holidays"))
    assert "26/04/2025" in html and "Ngày làm bù" in html and ">working_day<" not in html
    fake_gateway.on("PUT", "/intake/holidays/2026-08-31", 200, {})
    resp = client.post(
        "/admin/holidays",
        data={
            "csrf_token": csrf,
            "date": "31/08/2026",
            "kind": "holiday",
            "name": "Nghỉ hoán đổi",
            "source": "Thông báo của Bộ Nội vụ",
        },
        follow_redirects=True,
    )
    (sent,) = fake_gateway.sent("PUT", "/intake/holidays/2026-08-31")
    assert sent["json"] == {"name": "Nghỉ hoán đổi", "kind": "holiday", "source": "Thông báo của Bộ Nội vụ"}
    assert "Đã lưu ngày 31/08/2026" in page(resp)
    fake_gateway.on("DELETE", "/intake/holidays/2025-04-26", 204, {})
    client.post("/admin/holidays/2025-04-26/delete", data={"csrf_token": csrf})
    assert len(fake_gateway.sent("DELETE", "/intake/holidays/2025-04-26")) == 1


def test_a_makeup_weekday_refused_by_the_api_is_told_next_to_the_kind(admin_in, fake_gateway):
    client, csrf = admin_in
    fake_gateway.on("GET", "/intake/holidays", 200, [])
    fake_gateway.on(
        "PUT",
        "/intake/holidays/2026-08-31",
        422,
        {"status": 422, "errors": [{"field": "kind", "message": "a make-up working day is a Saturday or Sunday"}]},
    )
    resp = client.post(
        "/admin/holidays",
        data={"csrf_token": csrf, "date": "31/08/2026", "kind": "working_day", "name": "x", "source": "y"},
    )
    assert resp.status_code == 422 and 'id="err-kind"' in page(resp)


def test_a_legal_rule_is_added_with_its_value_and_source(admin_in, fake_gateway):
    client, csrf = admin_in
    fake_gateway.on(
        "GET",
        "/intake/legal-rules",
        200,
        [
            {
                "key": "reception.commune_chair.days_per_month",
                "effective_from": "2026-07-01",
                "value": 2,
                "source": "Luật 136/2025/QH15",
                "confirmed": True,
                "note": None,
            }
        ],
    )
    html = page(client.get("/admin/rules"))
    assert "01/07/2026" in html and "Luật 136/2025/QH15" in html
    fake_gateway.on("POST", "/intake/legal-rules", 201, {})
    client.post(
        "/admin/rules",
        data={
            "csrf_token": csrf,
            "key": "petition.deadline.complaint_first.days",
            "value": "45",
            "effective_from": "01/01/2027",
            "source": "Luật Khiếu nại",
            "note": "",
        },
    )
    (sent,) = fake_gateway.sent("POST", "/intake/legal-rules")
    assert sent["json"] == {
        "key": "petition.deadline.complaint_first.days",
        "effective_from": "2027-01-01",
        "value": 45,
        "source": "Luật Khiếu nại",
    }


def test_an_agency_is_added_and_its_dates_changed(admin_in, fake_gateway):
    client, csrf = admin_in
    fake_gateway.on(
        "GET",
        "/roster/agencies",
        200,
        [
            {
                "code": "TNMT",
                "name": "Phòng Tài nguyên và Môi trường",
                "kind": "department",
                "unit": "947",
                "unit_name": "UBND huyện Mỹ Xuyên",
                "valid_from": None,
                "valid_to": None,
            }
        ],
    )
    html = page(client.get("/admin/agencies"))
    assert "Phòng, ban chuyên môn" in html and "không thời hạn" in html
    fake_gateway.on("POST", "/roster/agencies", 201, {})
    client.post(
        "/admin/agencies",
        data={
            "csrf_token": csrf,
            "code": "BTCD-CT",
            "name": "Ban Tiếp công dân thành phố",
            "kind": "board",
            "unit": "92",
            "unit_name": "UBND thành phố Cần Thơ",
            "valid_from": "01/07/2025",
            "valid_to": "",
        },
    )
    (sent,) = fake_gateway.sent("POST", "/roster/agencies")
    assert sent["json"] == {
        "code": "BTCD-CT",
        "kind": "board",
        "unit": "92",
        "name": "Ban Tiếp công dân thành phố",
        "unit_name": "UBND thành phố Cần Thơ",
        "valid_from": "2025-07-01",
    }
    fake_gateway.on("PATCH", "/roster/agencies/TNMT", 200, {})
    client.post(
        "/admin/agencies/TNMT",
        data={
            "csrf_token": csrf,
            "name": "Phòng Tài nguyên và Môi trường",
            "unit_name": "UBND huyện Mỹ Xuyên",
            "valid_from": "",
            "valid_to": "30/06/2025",
        },
    )
    (patched,) = fake_gateway.sent("PATCH", "/roster/agencies/TNMT")
    assert patched["json"] == {
        "name": "Phòng Tài nguyên và Môi trường",
        "unit_name": "UBND huyện Mỹ Xuyên",
        "valid_from": None,
        "valid_to": "2025-06-30",
    }


def test_the_index_lists_the_latest_changes_from_intakes_audit(admin_in, fake_gateway):
    client, _csrf = admin_in
    fake_gateway.on(
        "GET",
        "/intake/reference-changes",
        200,
        [
            {
                "id": 7,
                "changed_at": "2026-12-06T02:00:00+00:00",
                "actor": "admin-01",
                "table_name": "holidays",
                "action": "created",
                "record_key": "2026-12-30",
                "before": None,
                "after": {},
            }
        ],
    )
    html = page(client.get("/admin"))
    changes = html.split('id="reference-changes"', 1)[1].split("</ul>", 1)[0]
    assert "Ngày nghỉ, ngày làm bù · thêm 2026-12-30" in changes and "06/12/2026 09:00" in changes
    assert len(fake_gateway.sent("GET", "/intake/reference-changes")) == 1
