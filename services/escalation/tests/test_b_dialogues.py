"""Dialogues (đối thoại): date, place, participants, minutes and outcome, with dates in a plausible range."""

import datetime as dt


def open_case(client, admin):
    return client.post(
        "/cases", headers=admin, json={"title": "Khiếu nại đất đai", "unit": "31690", "field": "land"}
    ).json


def test_a_dialogue_is_recorded_with_its_date_place_participants_minutes_and_outcome(client, admin, officer, clock):
    case = open_case(client, admin)
    planned = clock() + dt.timedelta(days=2)
    resp = client.post(
        f"/cases/{case['id']}/dialogues",
        headers=officer,
        json={
            "scheduled_at": planned.isoformat(),
            "place": "UBND xã Đại Tâm",
            "participants": [{"name": "Lê Văn Ba", "role": "Phó Chủ tịch UBND huyện"}],
        },
    )
    assert resp.status_code == 201, resp.json
    did = resp.json["id"]
    early = client.post(
        f"/cases/{case['id']}/dialogues/{did}/record", headers=officer, json={"outcome": "Đồng ý đo đạc lại"}
    )  # held on the planned day, which has not come
    assert early.status_code == 422 and early.json["errors"][0]["field"] == "held_at"
    clock.advance(days=3)
    missing = client.post(
        f"/cases/{case['id']}/dialogues/{did}/record", headers=officer, json={"minutes": "Các bên trình bày ý kiến"}
    )
    assert missing.status_code == 422 and missing.json["errors"][0]["field"] == "outcome"
    held_at = (planned + dt.timedelta(hours=1)).isoformat()
    rec = client.post(
        f"/cases/{case['id']}/dialogues/{did}/record",
        headers=officer,
        json={
            "held_at": held_at,
            "place": "Hội trường UBND xã Đại Tâm",
            "minutes": "Các bên thống nhất đo đạc lại",
            "outcome": "Đồng ý đo đạc lại",
            "participants": [
                {"name": "Lê Văn Ba", "role": "Phó Chủ tịch UBND huyện"},
                {"name": "Trần Thị Bốn", "role": "người đại diện"},
            ],
        },
    )
    assert rec.status_code == 200, rec.json
    got = client.get(f"/cases/{case['id']}/dialogues/{did}", headers=officer).json
    assert got["status"] == "held" and got["place"] == "Hội trường UBND xã Đại Tâm"
    assert dt.datetime.fromisoformat(got["held_at"]) == dt.datetime.fromisoformat(held_at)
    assert len(got["participants"]) == 2 and got["minutes"] == "Các bên thống nhất đo đạc lại"


def test_dialogue_dates_must_be_plausible(client, admin, officer, police, clock):
    case = open_case(client, admin)
    for when in (clock().replace(year=clock().year + 36), clock() - dt.timedelta(days=800)):
        resp = client.post(
            f"/cases/{case['id']}/dialogues",
            headers=officer,
            json={"scheduled_at": when.isoformat(), "place": "UBND xã"},
        )
        assert resp.status_code == 422 and resp.json["errors"][0]["field"] == "scheduled_at", resp.json
    did = client.post(
        f"/cases/{case['id']}/dialogues",
        headers=officer,
        json={"scheduled_at": clock().isoformat(), "place": "UBND xã"},
    ).json["id"]
    cancelled = client.post(
        f"/cases/{case['id']}/dialogues/{did}/record", headers=officer, json={"status": "cancelled"}
    )
    assert cancelled.status_code == 200 and cancelled.json["held_at"] is None
    assert client.get(f"/cases/{case['id']}/dialogues/{did}", headers=police).status_code == 403
    assert client.get(f"/cases/{case['id']}/dialogues/nope", headers=officer).status_code == 404


def test_a_dialogue_not_yet_held_is_moved_within_the_plausible_range(client, admin, officer, clock):
    case = open_case(client, admin)
    did = client.post(
        f"/cases/{case['id']}/dialogues",
        headers=officer,
        json={"scheduled_at": (clock() + dt.timedelta(days=1)).isoformat(), "place": "UBND xã"},
    ).json["id"]
    later = clock() + dt.timedelta(days=5)
    moved = client.post(
        f"/cases/{case['id']}/dialogues/{did}",
        headers=officer,
        json={"scheduled_at": later.isoformat(), "place": "Hội trường huyện"},
    )
    assert moved.status_code == 200 and moved.json["place"] == "Hội trường huyện"
    assert dt.datetime.fromisoformat(moved.json["scheduled_at"]) == later
    bad = client.post(
        f"/cases/{case['id']}/dialogues/{did}",
        headers=officer,
        json={"scheduled_at": later.replace(year=later.year + 40).isoformat()},
    )
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "scheduled_at"
    client.post(f"/cases/{case['id']}/dialogues/{did}/record", headers=officer, json={"status": "cancelled"})
    assert (
        client.post(f"/cases/{case['id']}/dialogues/{did}", headers=officer, json={"place": "Nơi khác"}).status_code
        == 409
    )
    kinds = [t["kind"] for t in client.get(f"/cases/{case['id']}", headers=officer).json["timeline"]]
    assert "dialogue_rescheduled" in kinds
