"""A visit at which a denunciation was handed in hides the denouncer entirely (issue 21, follow-up).

The petition records the visit it was handed in at (``visit_id``); the visit then follows the petition
package's rule: senders in clear only for ``identity:read`` with an assignment to the denunciation or a
stated purpose (audited), never initials or last digits, and no link from a part to the visit."""

import csv
import io

import pytest

from tiepdan_common.testing import identity_headers

PERSON = {
    "full_name": "Nguyễn Thị Hồng Đào",
    "id_number": "094187654321",
    "phone": "0912345678",
    "address": "Ấp Hòa Mỹ, thị trấn Mỹ Xuyên",
    "is_representative": False,
}
DAY = "2024-06-03T10:00:00+07:00"
PERIOD = {"from": "2024-06-01T00:00:00+07:00", "to": "2024-07-01T00:00:00+07:00"}


def officer(subject, *permissions, kind="district", unit="947"):
    return identity_headers(
        subject=subject,
        kind=kind,
        unit=unit,
        officer=subject,
        permissions=("visits:read", "petitions:read", *permissions),
    )


def auditor():
    return identity_headers(subject="audit-01", kind="district", unit="947", permissions=("audit:read",))


@pytest.fixture
def handed_in(client, board, visit_body, petition_body):
    """A complaint visit at which the citizen also handed in a petition holding a denunciation."""
    visit = client.post("/visits", json=visit_body(citizens=[PERSON]), headers=board).json
    body = petition_body(
        channel="visit",
        visit_id=visit["id"],
        received_at=DAY,
        senders=[PERSON],
        category=None,
        content=None,
        parts=[
            {"category": "complaint", "content": "Khiếu nại quyết định thu hồi đất"},
            {"category": "denunciation", "field": "officials_conduct", "content": "Tố cáo cán bộ địa chính nhận tiền"},
        ],
    )
    body.pop("category"), body.pop("content")
    created = client.post("/petitions", json=body, headers=board)
    assert created.status_code == 201, created.json
    return visit, created.json["parts"]


def _names(person):
    return {person[k] for k in ("full_name", "id_number", "phone", "address")}


def test_the_visit_hides_the_denouncer_from_every_reader_without_the_right_and_an_assignment(client, board, handed_in):
    visit, _ = handed_in
    readers = [
        board,
        officer("btcd-02", "visits:write"),
        officer("ttr-01", "identity:read"),
        officer("ca-01", kind="police"),
        officer("tinh-01", kind="province", unit="94"),
    ]
    for who in readers:
        shown = client.get(f"/visits/{visit['id']}", headers=who)
        assert shown.status_code == 200
        person = shown.json["citizens"][0]
        assert _names(person) == {"***"} and person["identity_masked"] is True, person
        listed = client.get("/visits", headers=who).json["items"]
        assert _names(listed[0]["citizens"][0]) == {"***"}
    text = client.get("/visits/export", query_string={**PERIOD, "format": "csv"}, headers=board).data.decode(
        "utf-8-sig"
    )
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][4:8] == ["***"] * 4 and "N***" not in text and "321" not in text
    # Nobody read an identity in clear: the audit log holds nothing for the visit.
    assert client.get("/identity-reads", headers=auditor(), query_string={"record_id": visit["id"]}).json["items"] == []


def test_the_right_with_an_assignment_or_a_purpose_unmasks_the_visit_and_is_audited(client, board, handed_in):
    visit, (_, denunciation) = handed_in
    inspector = officer("ttr-01", "identity:read")
    purpose = "Thanh tra việc giải quyết tố cáo theo Quyết định 15/QĐ-TTr"
    read = client.get(f"/visits/{visit['id']}", query_string={"purpose": purpose}, headers=inspector).json
    assert read["citizens"][0]["full_name"] == PERSON["full_name"]
    assert (
        client.post(f"/petitions/{denunciation['id']}/handlers", json={"officer": "ttr-01"}, headers=board).status_code
        == 201
    )
    assigned = client.get(f"/visits/{visit['id']}", headers=inspector).json["citizens"][0]
    assert assigned["phone"] == PERSON["phone"] and assigned["identity_masked"] is False
    reads = client.get("/identity-reads", headers=auditor(), query_string={"record_id": visit["id"]}).json["items"]
    assert sorted((r["reader"], r["purpose"] or "") for r in reads) == [("ttr-01", ""), ("ttr-01", purpose)]
    # A purpose without the right is refused, as on the petition.
    refused = client.get(f"/visits/{visit['id']}", query_string={"purpose": purpose}, headers=board)
    assert refused.status_code == 403


def test_no_link_ties_the_denouncer_to_the_visit(client, board, handed_in):
    visit, (complaint, denunciation) = handed_in
    other = officer("btcd-02", "visits:write")
    # The registration's answer and every later read of a part keep the visit to the denunciation's handlers.
    assert complaint["visit_id"] is None and denunciation["visit_id"] == visit["id"]
    for who in (board, other):
        assert client.get(f"/petitions/{complaint['id']}", headers=who).json["visit_id"] is None
        listed = client.get("/petitions", headers=who).json["items"]
        assert {p["visit_id"] for p in listed if p["id"] == complaint["id"]} == {None}
    assert client.get(f"/petitions/{denunciation['id']}", headers=board).json["visit_id"] == visit["id"]
    assert client.get(f"/petitions/{denunciation['id']}", headers=other).json["visit_id"] is None
    # Finding the citizen by name does not lead a reader who does not handle the denunciation to the visit.
    for query in ({"full_name": PERSON["full_name"]}, {"phone": PERSON["phone"]}):
        assert client.post("/visits/find-citizen", json=query, headers=other).json["items"] == []
        found = client.post("/visits/find-citizen", json=query, headers=board).json["items"]
        assert [v["id"] for v in found] == [visit["id"]] and _names(found[0]["citizens"][0]) == {"***"}


def test_the_petition_events_do_not_name_the_visit_of_a_denunciation(client, handed_in, outbox_events):
    received = outbox_events("intake.petition.received")
    assert [e["data"]["visit_id"] for e in received] == [None, None]


def test_a_visit_with_only_a_complaint_handed_in_keeps_the_receiving_units_view(
    client, board, visit_body, petition_body
):
    visit = client.post("/visits", json=visit_body(citizens=[PERSON]), headers=board).json
    created = client.post(
        "/petitions",
        json=petition_body(channel="visit", visit_id=visit["id"], received_at=DAY, senders=[PERSON]),
        headers=board,
    )
    assert created.status_code == 201 and created.json["visit_id"] == visit["id"]
    assert client.get(f"/visits/{visit['id']}", headers=board).json["citizens"][0]["full_name"] == PERSON["full_name"]
    police = client.get(f"/visits/{visit['id']}", headers=officer("ca-01", kind="police")).json["citizens"][0]
    assert police["full_name"] == "N*** T*** H*** Đ***"


def test_a_denunciation_made_at_the_desk_needs_the_right_and_a_purpose(client, board, visit_body):
    visit = client.post("/visits", json=visit_body(category="denunciation", citizens=[PERSON]), headers=board).json
    inspector = officer("ttr-01", "identity:read")
    bare = client.get(f"/visits/{visit['id']}", headers=inspector).json["citizens"][0]
    assert _names(bare) == {"***"}  # the right alone is not enough
    purpose = "Xác minh nội dung tố cáo theo Quyết định 15/QĐ-TTr"
    read = client.get(f"/visits/{visit['id']}", query_string={"purpose": purpose}, headers=inspector).json
    assert read["citizens"][0]["id_number"] == PERSON["id_number"]
    reads = client.get("/identity-reads", headers=auditor(), query_string={"record_id": visit["id"]}).json["items"]
    assert [(r["reader"], r["purpose"]) for r in reads] == [("ttr-01", purpose)]
    assert client.get(f"/visits/{visit['id']}", query_string={"purpose": purpose}, headers=board).status_code == 403
    # Nor does a search by name lead anyone to the denouncer's visit.
    for who in (board, inspector):
        assert client.post("/visits/find-citizen", json={"phone": PERSON["phone"]}, headers=who).json["items"] == []
