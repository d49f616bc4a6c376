"""Administrators' reference screens against the stand-in gateway: who may see them, the index, units."""

from __future__ import annotations

from samples import page

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
