"""Petitions, follow-ups of issue 21: a denunciation's decision reasons stay with its handlers; the unit
versions in force on the day of receipt are kept, and a unit not in force that day is refused."""

import pytest
from tiepdan_common.testing import identity_headers

SECRET = "đã nhận 20 triệu đồng của hộ ông Bảy"
DAY = "2024-06-03T10:00:00+07:00"


@pytest.fixture
def other_officer():
    """A board officer who did not register the petition and is not assigned to it."""
    return identity_headers(subject="btcd-02", kind="district", unit="947", officer="btcd-02",
                            permissions=("visits:read", "visits:write", "petitions:read", "petitions:write"))


def _reasons(answer):
    return [d["reason"] for d in answer["decisions"]]


def test_a_denunciations_decision_reasons_are_read_only_by_its_handlers(client, board, other_officer,
                                                                         petition_body):
    denunciation = client.post("/petitions", headers=board, json=petition_body(
        category="denunciation", field="officials_conduct", received_at=DAY, content="Tố cáo cán bộ địa chính")).json
    decided = client.post(f"/petitions/{denunciation['id']}/decisions", headers=board, json={
        "decision": "archive", "reason": f"Lưu đơn: {SECRET}", "decided_at": "2024-06-05T09:00:00+07:00"})
    assert decided.status_code == 201, decided.json
    assert _reasons(decided.json) == [f"Lưu đơn: {SECRET}"]
    assert _reasons(client.get(f"/petitions/{denunciation['id']}", headers=board).json) == [f"Lưu đơn: {SECRET}"]
    hidden = client.get(f"/petitions/{denunciation['id']}", headers=other_officer).json
    assert hidden["content_hidden"] is True
    assert [d["decision"] for d in hidden["decisions"]] == ["archive"] and _reasons(hidden) == [None]
    listed = {p["id"]: p for p in client.get("/petitions", headers=other_officer).json["items"]}
    assert _reasons(listed[denunciation["id"]]) == [None]
    # The same denunciation named as the first record of a repeat shows its decisions, never their reasons.
    repeat = client.post("/petitions", headers=other_officer, json=petition_body(
        category="denunciation", field="officials_conduct", received_at="2024-06-10T10:00:00+07:00",
        content="Tố cáo lại", repeat_of=denunciation["id"]))
    assert repeat.status_code == 201, repeat.json
    assert _reasons(repeat.json["earlier"]) == [None]
    read = client.get(f"/petitions/{repeat.json['id']}", headers=other_officer).json
    assert read["earlier"]["id"] == denunciation["id"] and _reasons(read["earlier"]) == [None]
    assert _reasons(client.get(f"/petitions/{repeat.json['id']}", headers=board).json["earlier"]) \
        == [f"Lưu đơn: {SECRET}"]


def test_a_complaints_decision_reasons_stay_visible(client, board, other_officer, petition_body):
    complaint = client.post("/petitions", headers=board, json=petition_body(received_at=DAY)).json
    client.post(f"/petitions/{complaint['id']}/decisions", headers=board, json={
        "decision": "archive", "reason": "Đơn trùng", "decided_at": "2024-06-05T09:00:00+07:00"})
    assert _reasons(client.get(f"/petitions/{complaint['id']}", headers=other_officer).json) == ["Đơn trùng"]
