"""Correcting and voiding a visit or a petition with a reason (stand-in gateway)."""

from __future__ import annotations

from samples import VISIT, page


def test_a_visit_is_corrected_with_only_what_changed_and_its_version(signed_in, fake_gateway):
    client, csrf = signed_in
    visit = {**VISIT, "version": 2, "subject": None, "voided_at": None}
    fake_gateway.on("GET", "/intake/visits/v-1", 200, visit)
    fake_gateway.on(
        "GET",
        "/intake/visits/v-1/history",
        200,
        [
            {
                "version": 1,
                "action": "corrected",
                "reason": "Sai giờ tiếp",
                "changed_by": "btcd-01",
                "changed_at": "2026-11-26T03:00:00+00:00",
                "before": {},
            }
        ],
    )
    html = page(client.get("/register/v-1"))
    assert "Sửa: Sai giờ tiếp" in html and 'id="correct-form"' in html
    fake_gateway.on("PATCH", "/intake/visits/v-1", 200, visit)
    client.post(
        "/register/v-1/correct",
        data={
            "csrf_token": csrf,
            "received_at": "26/11/2026 08:30",
            "subject": "",
            "content": "Khiếu nại thu hồi đất",
            "reason": "Ghi nhầm giờ",
        },
    )
    (sent,) = [r for r in fake_gateway.requests if r["method"] == "PATCH"]
    assert sent["json"] == {"received_at": "2026-11-26T08:30:00+07:00", "reason": "Ghi nhầm giờ", "version": 2}
    fake_gateway.on(
        "POST",
        "/intake/visits/v-1/void",
        422,
        {"status": 422, "errors": [{"field": "reason", "message": "Missing data for required field."}]},
    )
    resp = client.post("/register/v-1/void", data={"csrf_token": csrf, "reason": ""}, follow_redirects=True)
    assert fake_gateway.sent("POST", "/intake/visits/v-1/void")[0]["json"] == {"reason": "", "version": 2}
    assert "Chưa nhập thông tin này." in page(resp)


def test_a_petition_is_corrected_and_voided_with_a_reason(signed_in, fake_gateway):
    client, csrf = signed_in
    petition = {
        "id": "p-1",
        "number": "DON-947/2026/000007",
        "status": "received",
        "category": "complaint",
        "content": "Khiếu nại",
        "subject": "Tỉnh lộ 940",
        "citizen_request": None,
        "senders": [],
        "revisions": [
            {
                "version": 1,
                "kind": "voided",
                "reason": "Ghi trùng",
                "revised_by": "btcd-01",
                "revised_at": "2026-11-26T03:00:00+00:00",
            }
        ],
        "steps": [],
        "allowed_steps": [],
    }
    fake_gateway.on("GET", "/intake/petitions/p-1", 200, petition)
    assert "Hủy: Ghi trùng" in page(client.get("/petitions/p-1"))
    fake_gateway.on("PATCH", "/intake/petitions/p-1", 200, petition)
    client.post(
        "/petitions/p-1/correct",
        data={
            "csrf_token": csrf,
            "subject": "Tỉnh lộ 940",
            "content": "Khiếu nại mức bồi thường",
            "reason": "Ghi thiếu",
        },
    )
    (sent,) = [r for r in fake_gateway.requests if r["method"] == "PATCH"]
    assert sent["json"] == {"content": "Khiếu nại mức bồi thường", "reason": "Ghi thiếu"}
    fake_gateway.on("POST", "/intake/petitions/p-1/void", 200, {**petition, "status": "voided"})
    client.post("/petitions/p-1/void", data={"csrf_token": csrf, "reason": "Nhập nhầm"})
    assert fake_gateway.sent("POST", "/intake/petitions/p-1/void")[0]["json"] == {"reason": "Nhập nhầm"}
