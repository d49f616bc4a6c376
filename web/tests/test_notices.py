"""Notices to a distribution list, and per recipient the proof (stand-in gateway)."""

from __future__ import annotations

from samples import page

NOTICE = {
    "id": "n-1",
    "kind": "report",
    "list": "noi-nhan",
    "list_title": "Nơi nhận của Kế hoạch",
    "title": "Báo cáo tình hình tiếp công dân ngày 26/11",
    "body": "Trong ngày tiếp 12 lượt.",
    "attachment_url": None,
    "sent_by": "btcd-01",
    "created_at": "2026-11-26T10:00:00+00:00",
    "counts": {"acknowledged": 1, "failed": 1},
    "recipients": [
        {
            "recipient": "ttr-tinh",
            "name": "Thanh tra tỉnh",
            "member": "agency:TTT",
            "status": "acknowledged",
            "channel": "email",
            "delivered_at": "2026-11-26T10:00:05+00:00",
            "acknowledged_at": "2026-11-26T10:30:00+00:00",
            "deliveries": [],
        },
        {
            "recipient": "mttq",
            "name": "Ủy ban MTTQ huyện",
            "member": "body:MTTQ",
            "status": "failed",
            "channel": None,
            "delivered_at": None,
            "acknowledged_at": None,
            "deliveries": [],
        },
    ],
}


def test_a_report_is_sent_to_a_list_and_each_recipients_proof_is_shown(signed_in, fake_gateway):
    client, csrf = signed_in
    fake_gateway.on(
        "GET",
        "/notify/lists",
        200,
        [{"name": "noi-nhan", "title": "Nơi nhận của Kế hoạch", "members": [{"type": "agency", "value": "TTT"}] * 9}],
    )
    fake_gateway.on("GET", "/notify/notices", 200, [NOTICE])
    html = page(client.get("/board/notices"))
    assert "Nơi nhận của Kế hoạch (9 nơi)" in html and "Báo cáo tình hình tiếp công dân ngày 26/11" in html
    fake_gateway.on("POST", "/notify/notices", 201, NOTICE)
    fake_gateway.on("GET", "/notify/notices/n-1", 200, NOTICE)
    resp = client.post(
        "/board/notices",
        data={
            "csrf_token": csrf,
            "idempotency_key": "k-n",
            "list": "noi-nhan",
            "kind": "report",
            "title": "Báo cáo tình hình tiếp công dân ngày 26/11",
            "body": "Trong ngày tiếp 12 lượt.",
            "channels": ["inbox", "email"],
        },
        follow_redirects=True,
    )
    (sent,) = fake_gateway.sent("POST", "/notify/notices")
    assert sent["headers"]["Idempotency-Key"] == "k-n"
    assert sent["json"] == {
        "list": "noi-nhan",
        "kind": "report",
        "title": "Báo cáo tình hình tiếp công dân ngày 26/11",
        "body": "Trong ngày tiếp 12 lượt.",
        "channels": ["inbox", "email"],
    }
    html = page(resp)
    assert "Đã gửi đến 2 nơi nhận." in html
    table = html.split('id="recipients-table"', 1)[1]
    assert "Thanh tra tỉnh" in table and "Thư điện tử" in table and "đã xác nhận lúc 26/11/2026 17:30" in table
    assert "Ủy ban MTTQ huyện" in table and "Gửi không được" in table


def test_a_notice_without_a_list_is_told_next_to_the_list(signed_in, fake_gateway):
    client, csrf = signed_in
    fake_gateway.on("GET", "/notify/lists", 200, [])
    fake_gateway.on(
        "POST",
        "/notify/notices",
        422,
        {"status": 422, "errors": [{"field": "list", "message": "Missing data for required field."}]},
    )
    resp = client.post("/board/notices", data={"csrf_token": csrf, "list": "", "title": "Thông báo", "body": "x"})
    assert resp.status_code == 422 and "Chưa nhập thông tin này." in page(resp)
    assert fake_gateway.sent("POST", "/notify/notices")[0]["json"]["channels"] == ["inbox"]
