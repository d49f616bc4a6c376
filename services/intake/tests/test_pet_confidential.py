"""Confidentiality follows the denunciation: split parts, content, search, export, unmasking and its audit."""

import csv
import io

import pytest

from tiepdan_common.testing import identity_headers

PERIOD = {"from": "2026-08-01T00:00:00+07:00", "to": "2026-10-01T00:00:00+07:00"}
SECRET = "nhận tiền của hộ dân Phước Hòa"


@pytest.fixture
def other_officer():
    """A board officer who did not register the petition and is not assigned to it."""
    return identity_headers(
        subject="btcd-02",
        kind="district",
        unit="947",
        officer="btcd-02",
        permissions=("visits:read", "visits:write", "petitions:read", "petitions:write"),
    )


@pytest.fixture
def mixed(client, board, petition_body):
    body = petition_body(
        category=None,
        content=None,
        parts=[
            {"category": "complaint", "content": "Khiếu nại quyết định thu hồi đất"},
            {"category": "denunciation", "field": "officials_conduct", "content": f"Tố cáo cán bộ địa chính {SECRET}"},
        ],
        violator="Cán bộ địa chính xã Đại Tâm",
        evidence="Biên nhận ngày 03/8/2026",
    )
    body.pop("category"), body.pop("content")
    resp = client.post("/petitions", json=body, headers=board)
    assert resp.status_code == 201, resp.json
    return resp.json["parts"]


def test_the_complaint_split_from_a_denunciation_hides_the_denouncer_entirely(
    client, board, inspector, other_officer, mixed
):
    complaint, denunciation = mixed
    for who in (board, other_officer, inspector):
        shown = client.get(f"/petitions/{complaint['id']}", headers=who).json
        assert set(shown["senders"][0][k] for k in ("full_name", "id_number", "phone")) == {"***"}, shown
        assert shown["linked"] == [] and shown["split_from"] is None and shown["split_group"] is None
        listed = client.get("/petitions", headers=who).json["items"]
        assert all(p["senders"][0]["full_name"] == "***" for p in listed)
    # The answer to the registration already showed nothing either.
    assert complaint["senders"][0]["full_name"] == "***" and complaint["senders"][0]["phone"] == "***"


def test_a_denunciations_content_is_read_searched_and_exported_only_by_its_handlers(
    client, board, other_officer, mixed
):
    _, denunciation = mixed
    hidden = client.get(f"/petitions/{denunciation['id']}", headers=other_officer).json
    assert hidden["content_hidden"] is True
    assert (hidden["content"], hidden["violator"], hidden["evidence"]) == (None, None, None)
    mine = client.get(f"/petitions/{denunciation['id']}", headers=board).json
    assert SECRET in mine["content"] and mine["violator"] == "Cán bộ địa chính xã Đại Tâm"
    assert [
        p["id"] for p in client.get("/petitions", query_string={"q": "phuoc hoa"}, headers=board).json["items"]
    ] == [denunciation["id"]]
    assert client.get("/petitions", query_string={"q": "phuoc hoa"}, headers=other_officer).json["items"] == []
    listed = {p["id"]: p for p in client.get("/petitions", headers=other_officer).json["items"]}
    assert listed[denunciation["id"]]["content"] is None
    for who, seen in ((other_officer, False), (board, True)):
        rows = client.get("/petitions/export", query_string={**PERIOD, "format": "csv"}, headers=who)
        text = rows.data.decode("utf-8-sig")
        assert (SECRET in text) is seen and "Biên nhận" not in text
        assert len(list(csv.reader(io.StringIO(text)))) == 3
    client.post(
        f"/petitions/{denunciation['id']}/steps",
        headers=board,
        json={"step": "archive", "reason": f"Đã xác minh việc {SECRET}", "taken_on": "2026-09-01"},
    )
    archived = client.get(f"/petitions/{denunciation['id']}", headers=other_officer).json["steps"][-1]
    assert archived["step"] == "archive" and "reason" not in archived["details"]
    assigned = client.post(f"/petitions/{denunciation['id']}/handlers", json={"officer": "btcd-02"}, headers=board)
    assert assigned.status_code == 201 and assigned.json["assigned_by"] == "btcd-01"
    assert SECRET in client.get(f"/petitions/{denunciation['id']}", headers=other_officer).json["content"]
    handlers = client.get(f"/petitions/{denunciation['id']}", headers=board).json["handlers"]
    assert [h["officer"] for h in handlers] == ["btcd-01", "btcd-02"]


def test_unmasking_a_denouncer_needs_the_right_and_an_assignment_or_a_purpose(client, board, inspector, mixed):
    complaint, denunciation = mixed
    bare = client.get(f"/petitions/{denunciation['id']}", headers=inspector).json
    assert bare["senders"][0]["full_name"] == "***" and bare["content"] is None  # the right alone is not enough
    purpose = "Thanh tra việc giải quyết tố cáo theo Quyết định 15/QĐ-TTr"
    read = client.get(f"/petitions/{denunciation['id']}", query_string={"purpose": purpose}, headers=inspector).json
    assert read["senders"][0]["full_name"] == "Lê Văn Bảy" and SECRET in read["content"]
    no_right = client.get(f"/petitions/{denunciation['id']}", query_string={"purpose": purpose}, headers=board)
    assert no_right.status_code == 200 and no_right.json["senders"][0]["full_name"] == "***"  # handler, no right
    assert (
        client.post(f"/petitions/{complaint['id']}/handlers", json={"officer": "ttr-01"}, headers=board).status_code
        == 201
    )
    assigned = client.get(f"/petitions/{complaint['id']}", headers=inspector).json
    assert assigned["senders"][0]["full_name"] == "Lê Văn Bảy"
    reads = client.get("/identity-reads", query_string={"reader": "ttr-01"}, headers=inspector).json["items"]
    assert [(r["record_type"], r["record_id"], r["purpose"]) for r in reversed(reads)] == [
        ("petition", denunciation["id"], purpose),
        ("petition_content", denunciation["id"], purpose),
        ("petition", complaint["id"], None),
    ]
    assert all(r["reader"] == "ttr-01" for r in reads)
    content_reads = client.get(
        "/identity-reads", query_string={"record_type": "petition_content"}, headers=inspector
    ).json["items"]
    assert [r["reader"] for r in content_reads] == ["btcd-01", "ttr-01"]  # the handler's read is audited too


def test_events_and_the_matter_never_tie_a_denunciation_to_its_sender(
    client, board, other_officer, mixed, outbox_events
):
    complaint, denunciation = mixed
    received = [e["data"] for e in outbox_events("intake.petition.received")]
    assert [r["split_from"] for r in received] == [None, None]
    matter = client.get(f"/matters/{denunciation['matter_key']}", headers=other_officer)
    assert matter.status_code == 404  # only the denunciation is about that matter, and it is not theirs
    assert [p["id"] for p in client.get(f"/matters/{denunciation['matter_key']}", headers=board).json["petitions"]] == [
        denunciation["id"]
    ]
    assert "Bảy" not in str(outbox_events()) and SECRET not in str(outbox_events())


def test_petitions_handed_in_at_one_visit_with_a_denunciation_hide_the_sender(client, board, petition_body, visit_body):
    visit = client.post("/visits", json=visit_body(), headers=board).json
    complaint = client.post("/petitions", json=petition_body(channel="visit", visit_id=visit["id"]), headers=board).json
    assert complaint["confidential"] is False and complaint["senders"][0]["full_name"] == "L*** V*** B***"
    client.post(
        "/petitions",
        headers=board,
        json=petition_body(channel="visit", visit_id=visit["id"], category="denunciation", field="officials_conduct"),
    )
    again = client.get(f"/petitions/{complaint['id']}", headers=board).json
    assert again["confidential"] is True and again["senders"][0]["full_name"] == "***"
    later = client.post(
        "/petitions",
        json=petition_body(channel="visit", visit_id=visit["id"], category="recommendation"),
        headers=board,
    ).json
    assert later["confidential"] is True and later["senders"][0]["id_number"] == "***"


def test_a_denouncers_handwriting_needs_an_assignment_or_a_purpose(client, board, inspector, mixed):
    import base64

    _, denunciation = mixed
    png = b"\x89PNG\r\n\x1a\n" + b"handwriting" * 10
    image = client.post(
        f"/petitions/{denunciation['id']}/images",
        headers=board,
        json={"content_type": "image/png", "data": base64.b64encode(png).decode()},
    ).json
    url = f"/petitions/{denunciation['id']}/images/{image['id']}"
    refused = client.get(url, headers=inspector)
    assert refused.status_code == 403 and refused.json["errors"][0]["field"] == "purpose"
    shown = client.get(url, query_string={"purpose": "Xác minh theo Quyết định 15/QĐ-TTr"}, headers=inspector)
    assert shown.status_code == 200 and shown.data == png
    (read,) = client.get("/identity-reads", query_string={"record_type": "petition_image"}, headers=inspector).json[
        "items"
    ]
    assert read["purpose"].endswith("Xác minh theo Quyết định 15/QĐ-TTr")
