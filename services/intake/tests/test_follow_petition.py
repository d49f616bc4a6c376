"""Petitions, follow-ups of issue 21: a denunciation's decision reasons stay with its handlers; the unit
versions in force on the day of receipt are kept, and a unit not in force that day is refused."""

import pytest

from tiepdan_common.testing import identity_headers

SECRET = "đã nhận 20 triệu đồng của hộ ông Bảy"
DAY = "2024-06-03T10:00:00+07:00"


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


def _reasons(answer):
    return [d["reason"] for d in answer["decisions"]]


def test_a_denunciations_decision_reasons_are_read_only_by_its_handlers(client, board, other_officer, petition_body):
    denunciation = client.post(
        "/petitions",
        headers=board,
        json=petition_body(
            category="denunciation", field="officials_conduct", received_at=DAY, content="Tố cáo cán bộ địa chính"
        ),
    ).json
    decided = client.post(
        f"/petitions/{denunciation['id']}/decisions",
        headers=board,
        json={"decision": "archive", "reason": f"Lưu đơn: {SECRET}", "decided_at": "2024-06-05T09:00:00+07:00"},
    )
    assert decided.status_code == 201, decided.json
    assert _reasons(decided.json) == [f"Lưu đơn: {SECRET}"]
    assert _reasons(client.get(f"/petitions/{denunciation['id']}", headers=board).json) == [f"Lưu đơn: {SECRET}"]
    hidden = client.get(f"/petitions/{denunciation['id']}", headers=other_officer).json
    assert hidden["content_hidden"] is True
    assert [d["decision"] for d in hidden["decisions"]] == ["archive"] and _reasons(hidden) == [None]
    listed = {p["id"]: p for p in client.get("/petitions", headers=other_officer).json["items"]}
    assert _reasons(listed[denunciation["id"]]) == [None]
    # The same denunciation named as the first record of a repeat shows its decisions, never their reasons.
    repeat = client.post(
        "/petitions",
        headers=other_officer,
        json=petition_body(
            category="denunciation",
            field="officials_conduct",
            received_at="2024-06-10T10:00:00+07:00",
            content="Tố cáo lại",
            repeat_of=denunciation["id"],
        ),
    )
    assert repeat.status_code == 201, repeat.json
    assert _reasons(repeat.json["earlier"]) == [None]
    read = client.get(f"/petitions/{repeat.json['id']}", headers=other_officer).json
    assert read["earlier"]["id"] == denunciation["id"] and _reasons(read["earlier"]) == [None]
    assert _reasons(client.get(f"/petitions/{repeat.json['id']}", headers=board).json["earlier"]) == [
        f"Lưu đơn: {SECRET}"
    ]


def test_a_complaints_decision_reasons_stay_visible(client, board, other_officer, petition_body):
    complaint = client.post("/petitions", headers=board, json=petition_body(received_at=DAY)).json
    client.post(
        f"/petitions/{complaint['id']}/decisions",
        headers=board,
        json={"decision": "archive", "reason": "Đơn trùng", "decided_at": "2024-06-05T09:00:00+07:00"},
    )
    assert _reasons(client.get(f"/petitions/{complaint['id']}", headers=other_officer).json) == ["Đơn trùng"]


def _unit_ids(app, petition_id):
    import sqlalchemy as sa

    with app.extensions["tiepdan"]["db"].engine.connect() as conn:
        return conn.execute(
            sa.text(
                "SELECT r.code, r.valid_from, o.code, o.valid_from FROM petitions p "
                "JOIN units r ON r.id = p.receiving_unit_id JOIN units o ON o.id = p.origin_unit_id "
                "WHERE p.id = :p"
            ),
            {"p": petition_id},
        ).one()


def test_a_petition_keeps_the_unit_versions_in_force_on_its_day(app, client, board, petition_body):
    before = client.post(
        "/petitions", headers=board, json=petition_body(received_at="2025-06-30T09:00:00+07:00", origin_unit="31684")
    )
    assert before.status_code == 201, before.json
    after = client.post(
        "/petitions",
        headers=board,
        json=petition_body(received_at="2025-07-01T09:00:00+07:00", receiving_unit="92", origin_unit="31684"),
    )
    assert after.status_code == 201, after.json
    # 31684 is one code with two versions: Thị trấn Mỹ Xuyên to 30 June 2025, Phường Mỹ Xuyên from 1 July.
    code, _, origin, origin_since = _unit_ids(app, before.json["id"])
    assert (code, origin, str(origin_since)) == ("947", "31684", "2024-01-01")
    code, _, origin, origin_since = _unit_ids(app, after.json["id"])
    assert (code, origin, str(origin_since)) == ("92", "31684", "2025-07-01")
    # A correction of the origin keeps the version of the day of receipt, and refuses one not in force then.
    moved = client.patch(
        f"/petitions/{before.json['id']}",
        headers=board,
        json={"reason": "Ghi nhầm nơi phát sinh", "origin_unit": "31690"},
    )
    assert moved.status_code == 200, moved.json
    assert _unit_ids(app, before.json["id"])[2] == "31690"
    gone = client.patch(
        f"/petitions/{after.json['id']}",
        headers=board,
        json={"reason": "Ghi nhầm nơi phát sinh", "origin_unit": "31690"},
    )
    assert gone.status_code == 422 and gone.json["errors"][0]["field"] == "origin_unit", gone.json


def test_a_unit_not_in_force_on_the_day_of_receipt_is_refused_naming_the_field(client, board, commune, petition_body):
    cases = [
        (petition_body(received_at="2026-08-28T09:00:00+07:00", receiving_unit="947"), "receiving_unit"),
        (petition_body(received_at="2026-08-28T09:00:00+07:00", origin_unit="31690"), "origin_unit"),
        (petition_body(received_at="2025-06-30T09:00:00+07:00", receiving_unit="92"), "receiving_unit"),
        (
            petition_body(
                received_at="2026-08-28T09:00:00+07:00",
                category=None,
                content=None,
                parts=[
                    {"category": "complaint", "content": "Khiếu nại"},
                    {"category": "denunciation", "content": "Tố cáo"},
                ],
                origin_unit="31693",
            ),
            "origin_unit",
        ),
    ]
    for body, field in cases:
        body = {k: v for k, v in body.items() if v is not None}
        resp = client.post("/petitions", headers=board, json=body)
        assert resp.status_code == 422, (field, resp.json)
        assert resp.json["errors"][0]["field"] == field, (field, resp.json)
    # A commune of 2024 records at its own desk only while it exists.
    old_commune = client.post(
        "/petitions",
        headers=commune("31690"),
        json={k: v for k, v in petition_body(received_at="2026-08-28T09:00:00+07:00").items() if k != "receiving_unit"},
    )
    assert old_commune.status_code == 422 and old_commune.json["errors"][0]["field"] == "receiving_unit"


def test_a_denunciations_repeat_override_reason_is_read_only_by_its_handlers(
    client, board, other_officer, petition_body
):
    body = {"category": "denunciation", "field": "officials_conduct", "subject": "Cán bộ địa chính"}
    first = client.post("/petitions", headers=board, json=petition_body(**body)).json
    forwarded = client.post(
        f"/petitions/{first['id']}/steps",
        headers=board,
        json={
            "step": "forward",
            "taken_on": "2026-09-01",
            "to_body": "Thanh tra thành phố",
            "letter_number": "12/BTCD",
            "letter_date": "2026-09-01",
            "citizen_informed_on": "2026-09-01",
        },
    )
    assert forwarded.status_code == 201, forwarded.json
    again = client.post(
        "/petitions", headers=board, json=petition_body(**body, received_at="2026-10-01T09:00:00+07:00")
    ).json
    assert again["repeat_suggested_of"] == first["id"]
    overridden = client.post(
        f"/petitions/{again['id']}/repeat",
        headers=board,
        json={"decision": "override", "reason": f"Có tình tiết mới: {SECRET}"},
    )
    assert overridden.status_code == 200 and SECRET in overridden.json["repeat_reason"]
    assert SECRET in client.get(f"/petitions/{again['id']}", headers=board).json["repeat_reason"]
    hidden = client.get(f"/petitions/{again['id']}", headers=other_officer).json
    assert hidden["repeat_decision"] == "overridden" and hidden["repeat_reason"] is None
    listed = {p["id"]: p for p in client.get("/petitions", headers=other_officer).json["items"]}
    assert listed[again["id"]]["repeat_reason"] is None


def test_a_matter_is_returned_to_a_commune_in_force_below_the_receiving_unit_on_the_day(
    client, board, commune, petition_body
):
    def received(day):
        resp = client.post(
            "/petitions", headers=board, json=petition_body(received_at=f"{day}T09:00:00+07:00", origin_unit="31684")
        )
        assert resp.status_code == 201, resp.json
        return resp.json["id"]

    def returned(pid, unit, day):
        return client.post(
            f"/petitions/{pid}/steps",
            headers=board,
            json={"step": "return_to_lower_level", "to_unit": unit, "taken_on": day},
        )

    # June 2025: Thị trấn Mỹ Xuyên (31684) is under Huyện Mỹ Xuyên, whatever its code's version of today.
    june = received("2025-06-02")
    ok = returned(june, "31684", "2025-06-10")
    assert ok.status_code == 201 and ok.json["lower_unit"] == "31684", ok.json
    assert [p["id"] for p in client.get("/petitions", headers=commune("31684")).json["items"]] == [june]
    # Xã Đại Tâm (31690) merged away on 1 July 2025: a matter is not returned to it after.
    late = received("2025-06-25")
    gone = returned(late, "31690", "2025-07-02")
    assert gone.status_code == 422 and gone.json["errors"][0]["field"] == "to_unit", gone.json
    assert "02/07/2025" in gone.json["errors"][0]["message"]
    unknown = returned(late, "99999", "2025-06-26")
    assert unknown.status_code == 422 and unknown.json["errors"][0]["field"] == "to_unit"
    assert returned(late, "31690", "2025-06-30").status_code == 201


def test_petitions_roll_up_by_todays_unit_through_its_predecessors(client, board, petition_body):
    old = client.post("/petitions", headers=board, json=petition_body(received_at="2025-06-02T09:00:00+07:00")).json
    new = client.post("/petitions", headers=board, json=petition_body()).json
    assert (old["receiving_unit"], old["origin_unit"], new["receiving_unit"], new["origin_unit"]) == (
        "947",
        "31690",
        "92",
        "31684",
    )

    def listed(**query):
        return [p["id"] for p in client.get("/petitions", headers=board, query_string=query).json["items"]]

    assert listed(unit="31684") == [new["id"]]
    # Phường Mỹ Xuyên succeeded Xã Đại Tâm (31690) on 1 July 2025: its matters of before are its own.
    assert listed(unit="31684", include_predecessors="true") == [new["id"], old["id"]]
    period = {"from": "2025-01-01T00:00:00+07:00", "to": "2026-12-01T00:00:00+07:00"}
    stats = client.get(
        "/petitions/statistics", headers=board, query_string={**period, "unit": "31684", "include_predecessors": "true"}
    ).json
    assert stats["total"] == 2
    assert (
        client.get("/petitions/statistics", headers=board, query_string={**period, "unit": "31684"}).json["total"] == 1
    )
