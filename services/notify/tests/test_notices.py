"""The plan's distribution list as data, a notice to it, and the proof of who got it and acknowledged it."""

import json

from sqlalchemy import select

from notify.audience.models import Contact
from notify.database import OutboxEvent
from notify.delivery.models import Delivery
from notify.delivery.stuck import report_stuck
from tiepdan_common.messaging import contracts
from tiepdan_common.messaging.envelope import Envelope

LEADERS = [("ld-01", "Chủ tịch UBND huyện"), ("ld-02", "Phó Chủ tịch UBND huyện")]


def plan_roster(static_roster, make_person):
    """Mỹ Xuyên as roster tells it: a few officers on duty, the departments' heads, two communes."""

    def titled(code, agency, title="", **kw):
        return {**make_person(code, agency, "department", **kw), "title": title}

    agencies = {
        "VP-HU": [titled("vphu-01", "VP-HU")],
        "VP-UBND": [titled("vp-01", "VP-UBND"), titled("tp-vp-ubnd", "VP-UBND", "Chánh Văn phòng HĐND và UBND huyện")],
        "LD-UBND": [titled(code, "LD-UBND", title) for code, title in LEADERS],
        "TTR": [titled("ttr-01", "TTR"), titled("ttr-02", "TTR")],
        "TNMT": [titled("tnmt-01", "TNMT"), titled("tp-tnmt", "TNMT", "Trưởng phòng Tài nguyên và Môi trường")],
        "LDTBXH": [titled("tp-ldtbxh", "LDTBXH", "Trưởng phòng Lao động - Thương binh và Xã hội")],
        "TCKH": [titled("tp-tckh", "TCKH", "Trưởng phòng Tài chính - Kế hoạch", mail=False)],
        "KTHT": [titled("tp-ktht", "KTHT", "Trưởng phòng Kinh tế và Hạ tầng")],
        "DANTOC": [],  # nobody known: recorded as a recipient who cannot be told
        "BTCD": [titled("btcd-01", "BTCD"), titled("btcd-02", "BTCD")],
        "UBND-31690": [titled("ct-31690", "UBND-31690", "Chủ tịch UBND xã Đại Tâm")],
        "UBND-31693": [titled("ct-31693", "UBND-31693", "Chủ tịch UBND xã Tham Đôn")],
    }
    on_duty = [make_person("btcd-01"), make_person("ttr-02", "TTR", "inspector"), make_person("ca-01", "CA", "police")]
    return static_roster(on_duty, leader=make_person("ld-02", "LD-UBND", "leader_on_call"), agencies=agencies)


def test_the_plan_s_distribution_list_is_seeded_as_data_and_editable(client, board, admin):
    lists = {item["name"]: item for item in client.get("/lists", headers=board).json}
    plan = lists["noi-nhan-ke-hoach"]
    assert plan["title"].startswith("Nơi nhận Kế hoạch tiếp công dân")
    labels = [m["label"] for m in plan["members"]]
    for words in (
        "Thanh tra tỉnh",
        "Ban Tiếp công dân tỉnh",
        "Thường trực Huyện ủy (Văn phòng Huyện ủy)",
        "Thường trực HĐND huyện (Văn phòng HĐND và UBND huyện)",
        "CT, các PCT.UBND huyện",
        "Ủy ban MTTQ Việt Nam và các đoàn thể huyện",
        "Công an huyện",
        "UBND các xã, thị trấn",
    ):
        assert words in labels
    body = {
        "title": "Tổ công tác đất đai",
        "members": [{"label": "Phòng TN&MT", "type": "agency", "value": "TNMT"}, {"type": "leader_on_call"}],
    }
    assert client.put("/lists/to-dat-dai", json=body, headers=board).status_code == 403
    saved = client.put("/lists/to-dat-dai", json=body, headers=admin)
    assert saved.status_code == 200 and saved.json["members"][0] == {
        "label": "Phòng TN&MT",
        "type": "agency",
        "value": "TNMT",
    }
    assert client.get("/lists/to-dat-dai", headers=board).json["title"] == "Tổ công tác đất đai"
    bad = client.put("/lists/x", json={"title": "Sai", "members": [{"type": "agency"}]}, headers=admin)
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "members[0].value"
    bad = client.put("/lists/x", json={"title": "Sai", "members": [{"type": "everyone"}]}, headers=admin)
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "members[0].type"
    assert client.get("/lists/nothing", headers=board).status_code == 404
    assert client.get("/lists/a%00b", headers=board).status_code == 404  # never a 500 from the database
    bad = client.put("/lists/a%00b", json=body, headers=admin)
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "name"
    bad = client.put("/lists/x", json={"title": "Sai\x00", "members": body["members"]}, headers=admin)
    assert bad.status_code == 422 and "title" in str(bad.json)


def test_a_notice_to_the_plan_s_list_with_proof_per_recipient(
    app,
    client,
    board_officer,
    board,
    officer,
    static_roster,
    make_person,
    send_due,
    smtp,
    receiver,
    query,
    clock,
    db,
    settings,
):
    smtp.start()
    app.extensions["notify.roster"] = plan_roster(static_roster, make_person)
    notice = {
        "list": "noi-nhan-ke-hoach",
        "kind": "report",
        "title": "Báo cáo tình hình tiếp công dân tuần 48",
        "body": "Trong tuần, Ban Tiếp công dân huyện tiếp 23 lượt công dân.",
        "attachment_url": "https://myxuyen.example.vn/bao-cao/tuan-48.pdf",
    }
    assert client.post("/notices", json=notice, headers=board).status_code == 403  # needs notices:write
    headers = {**board_officer, "Idempotency-Key": "notice-48"}
    sent = client.post("/notices", json=notice, headers=headers)
    assert sent.status_code == 201, sent.json
    again = client.post("/notices", json=notice, headers=headers)
    assert again.json["id"] == sent.json["id"]  # a retried request sends nothing twice
    proof = sent.json
    who = {r["recipient"]: r for r in proof["recipients"]}
    assert set(who) == {
        "system:province_inspectorate",
        "system:province",  # the province's inspectorate and reception office
        "vphu-01",
        "tp-vp-ubnd",  # the standing committees' offices (no one on duty: the head, else everyone)
        "ld-01",
        "ld-02",  # the chair and vice chairs, every one
        "contact:mttq-947",  # the Front, at its address
        "ttr-02",
        "tp-tnmt",
        "tp-ldtbxh",
        "tp-tckh",
        "tp-ktht",
        "nobody:agency:DANTOC",  # departments
        "ca-01",
        "system:police",  # the police: on duty, and the unit's endpoint
        "btcd-01",  # the board: who is on duty for it
        "ct-31690",
        "system:commune:31690",
        "ct-31693",
        "system:commune:31693",
    }  # every commune
    assert who["ttr-02"]["member"] == "Các Phòng, ban ngành huyện: Thanh tra huyện"
    assert who["ld-01"]["status"] == "delivered" and who["ld-01"]["channel"] == "inbox"  # in the inbox at once
    assert who["nobody:agency:DANTOC"]["status"] == "failed"
    assert who["nobody:agency:DANTOC"]["deliveries"][0]["last_error"].startswith("Các Phòng, ban ngành huyện")
    assert who["system:police"]["status"] == "pending"
    assert proof["counts"]["recipients"] == 20

    assert send_due(limit=100)["sent"] > 0
    proof = client.get(f"/notices/{proof['id']}", headers=board).json
    who = {r["recipient"]: r for r in proof["recipients"]}
    assert who["system:police"]["status"] == "delivered" and who["system:police"]["channel"] == "webhook"
    hooks = {r["path"]: r for r in receiver.requests}
    assert "/province" in hooks and "/police" in hooks and "/commune/31690" in hooks
    mails = {m["To"]: m for m in smtp.received}
    assert str(mails["mttq@myxuyen.example.vn"]["Subject"]) == "Báo cáo: Báo cáo tình hình tiếp công dân tuần 48"
    text = mails["ld-01@myxuyen.example.vn"].get_content()
    assert "Tài liệu kèm theo: https://myxuyen.example.vn/bao-cao/tuan-48.pdf" in text and "/ack/" in text
    tckh = [d for d in who["tp-tckh"]["deliveries"] if d["channel"] == "email"]
    assert tckh[0]["status"] == "skipped"  # no e-mail address: recorded, and reported with the dead ones

    # An acknowledgement in the inbox is the proof the dashboard shows.
    inbox = client.get("/inbox", headers=officer("ld-01")).json
    message = next(m for m in inbox if m["event_type"] == "notify.notice.sent")
    assert message["title"] == "Báo cáo: Báo cáo tình hình tiếp công dân tuần 48"
    assert client.post(f"/inbox/{message['id']}/ack", headers=officer("ld-01")).status_code == 200
    proof = client.get(f"/notices/{proof['id']}", headers=board).json
    ld01 = next(r for r in proof["recipients"] if r["recipient"] == "ld-01")
    assert ld01["status"] == "acknowledged" and ld01["acknowledged_via"] == "inbox"
    assert ld01["acknowledged_at"] is not None and ld01["delivered_at"] is not None
    failed = sorted(r["recipient"] for r in proof["recipients"] if r["status"] == "failed")
    # No endpoint is configured here for the provincial inspectorate: as loud as a failure.
    assert failed == ["nobody:agency:DANTOC", "system:province_inspectorate"]
    assert proof["counts"]["acknowledged"] == 1 and proof["counts"]["failed"] == 2
    assert [n["id"] for n in client.get("/notices", headers=board).json] == [proof["id"]]
    with db.session() as session:  # the board hears of the member nobody could be found for, with the others
        (summary,) = [
            m for m in report_stuck(db_session=session, settings=settings, now=clock()) if m.recipient == "btcd-01"
        ]
    assert "nobody:agency:DANTOC: không tìm được người nhận (Các Phòng, ban ngành huyện: Phòng Dân tộc" in summary.body
    assert "tp-tckh qua email: không có địa chỉ hoặc kênh gửi" in summary.body
    (event,) = [json.loads(e.payload) for e in query(select(OutboxEvent)) if e.event_type == "notify.notice.sent"]
    assert event["data"]["recipients"] == 20 and event["data"]["list"] == "noi-nhan-ke-hoach"
    contracts.validate(Envelope.from_dict(event))  # as its contract says
    assert query(select(Contact).where(Contact.code.like("UBND-%"))) == []  # agencies are not people
    assert query(select(Delivery).where(Delivery.recipient == "contact:mttq-947"))[0].channel == "email"


def test_a_commune_merged_away_is_not_on_the_list_any_more(
    app, client, board_officer, static_roster, make_person, monkeypatch
):
    roster = plan_roster(static_roster, make_person)
    dated = {"UBND-31690": {"valid_to": "2025-06-30"}, "UBND-31693": {"valid_from": "2025-07-01"}}
    plain = roster.agencies
    monkeypatch.setattr(roster, "agencies", lambda: [{**a, **dated.get(a["code"], {})} for a in plain()])
    app.extensions["notify.roster"] = roster
    sent = client.post(
        "/notices",
        json={"list": "noi-nhan-ke-hoach", "title": "Thông báo lịch tiếp", "body": "x"},
        headers=board_officer,
    ).json
    who = {r["recipient"] for r in sent["recipients"]}
    assert "ct-31693" in who and "ct-31690" not in who and "system:commune:31690" not in who


def test_bad_notices_are_clear_422s(app, client, board_officer, static_roster):
    app.extensions["notify.roster"] = static_roster([])
    cases = [
        ({"list": "khong-co", "title": "Thông báo", "body": "x"}, "list"),
        ({"list": "noi-nhan-ke-hoach", "title": "Thông báo"}, "body"),
        (
            {"list": "noi-nhan-ke-hoach", "title": "Thông báo", "body": "x", "attachment_url": "tep.pdf"},
            "attachment_url",
        ),
        ({"list": "noi-nhan-ke-hoach", "title": "Thông báo", "body": "a\x00b"}, "body"),
        ({"list": "noi-nhan-ke-hoach", "title": "Thông báo", "body": "x", "kind": "memo"}, "kind"),
    ]
    for body, field in cases:
        answer = client.post("/notices", json=body, headers=board_officer)
        assert answer.status_code == 422, body
        assert answer.content_type == "application/problem+json"
        assert field in str(answer.json), (field, answer.json)
    assert client.get("/notices/a%00b", headers=board_officer).status_code == 404
    assert client.get("/messages", headers=board_officer, query_string={"case_id": "a\x00b"}).status_code == 422
