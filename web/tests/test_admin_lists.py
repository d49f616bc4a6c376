"""Administrators' other lists against the stand-in gateway: holidays, legal rules, agencies."""

from __future__ import annotations

from samples import page


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
