"""Province requests: officers of the roster, every change told, a case of their own, times in order, and the
deadline alarm sent once even with two workers."""

import datetime as dt
import threading

from escalation.province.jobs import raise_due
from tiepdan_common.db import Database
from tiepdan_common.testing import identity_headers


def province(subject="province-94"):
    return identity_headers(
        subject=subject,
        kind="province",
        unit="94",
        permissions=("province_requests:read", "province_requests:write", "cases:read"),
    )


def request_body(clock, **extra):
    return {
        "reference": "45/BTCD-T",
        "group_size": 15,
        "place": "Trụ sở Ban Tiếp công dân tỉnh",
        "contact": "Ban TCD tỉnh, 0299 3822 000",
        "unit": "31690",
        "field": "land",
        "deadline": (clock() + dt.timedelta(hours=4)).isoformat(),
        **extra,
    }


def file(client, clock, **extra):
    resp = client.post("/province-requests", json=request_body(clock, **extra), headers=province())
    assert resp.status_code == 201, resp.json
    return resp.json


def test_assignees_and_officers_sent_must_be_officers_of_the_roster(client, officer, clock, roster):
    rid = file(client, clock)["id"]
    bad = client.post(
        f"/province-requests/{rid}/assign",
        headers=officer,
        json={"inspectorate": "btcd-01", "board": "btcd-02", "commune": "ct-31693"},
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json["errors"]} == {"inspectorate", "commune"}  # not TTR; another commune
    free_text = client.post(
        f"/province-requests/{rid}/dispatch", headers=officer, json={"officers": ["ttr-01", "Anh Tư bên xã"]}
    )
    assert free_text.status_code == 422 and free_text.json["errors"][0]["field"] == "officers.1"
    roster.officers["ttr-02"]["active"] = False
    gone = client.post(f"/province-requests/{rid}/dispatch", headers=officer, json={"officers": ["ttr-02"]})
    assert gone.status_code == 422 and "no longer" in gone.json["errors"][0]["message"]
    ok = client.post(
        f"/province-requests/{rid}/assign", headers=officer, json={"inspectorate": "ttr-01", "commune": "ct-31690"}
    )
    assert ok.status_code == 200, ok.json
    assert ok.json["assignees"] == {"inspectorate": "ttr-01", "commune": "ct-31690"}


def test_roster_down_answers_503_then_its_last_answer_is_used(client, officer, clock, roster):
    rid = file(client, clock)["id"]
    roster.down = True
    resp = client.post(f"/province-requests/{rid}/dispatch", headers=officer, json={"officers": ["ttr-01"]})
    assert resp.status_code == 503 and resp.json["code"] == "roster_unavailable"
    roster.down = False
    assert (
        client.post(f"/province-requests/{rid}/assign", headers=officer, json={"board": "btcd-01"}).status_code == 200
    )
    roster.down = True  # the answer of a moment ago stands in
    resp = client.post(f"/province-requests/{rid}/dispatch", headers=officer, json={"officers": ["ttr-01"]})
    assert resp.status_code == 200, resp.json
    bad = client.post(
        f"/province-requests/{file(client, clock)['id']}/dispatch", headers=officer, json={"officers": ["nobody"]}
    )
    assert bad.status_code == 422


def test_every_status_change_is_announced_to_the_province(client, officer, clock, checked_events):
    rid = file(client, clock)["id"]
    client.post(f"/province-requests/{rid}/assign", headers=officer, json={"inspectorate": "ttr-01"})
    client.post(f"/province-requests/{rid}/dispatch", headers=officer, json={"officers": ["ttr-01", "btcd-02"]})
    clock.advance(hours=2)
    client.post(f"/province-requests/{rid}/returned", headers=officer, json={"returned_at": clock().isoformat()})
    client.post(f"/province-requests/{rid}/complete", headers=officer, json={"outcome": "Đã về địa phương"})
    updates = checked_events("escalation.province_request.updated")
    assert [(u["data"]["change"], u["data"]["previous_status"]) for u in updates] == [
        ("assigned", "received"),
        ("officers_sent", "assigned"),
        ("citizens_returned", "officers_sent"),
        ("completed", "citizens_returned"),
    ]
    assert {u["data"]["requested_by"] for u in updates} == {"province-94"}
    assert updates[1]["data"]["officers_sent"] == ["ttr-01", "btcd-02"]


def test_requests_without_a_commune_each_get_their_own_case(client, clock, officer):
    first = file(client, clock, unit=None, field=None)
    second = file(client, clock, unit=None, field=None)
    assert first["case_id"] != second["case_id"]
    title = client.get(f"/cases/{first['case_id']}", headers=officer).json["title"]
    assert "lĩnh vực khác" in title and "lĩnh vực lĩnh vực" not in title


def test_citizens_returned_on_one_request_does_not_settle_anothers(client, clock, officer):
    first, second = file(client, clock), file(client, clock, reference="46/BTCD-T")
    assert first["case_id"] == second["case_id"]  # the same matter, the same open case
    clock.advance(hours=1)
    resp = client.post(
        f"/province-requests/{first['id']}/returned", headers=officer, json={"returned_at": clock().isoformat()}
    )
    assert resp.status_code == 200
    assert client.get(f"/cases/{first['case_id']}", headers=officer).json["status"] == "opened"
    client.post(
        f"/province-requests/{second['id']}/returned", headers=officer, json={"returned_at": clock().isoformat()}
    )
    assert client.get(f"/cases/{first['case_id']}", headers=officer).json["status"] == "citizens_returned"


def test_citizens_cannot_return_before_the_request_was_received(client, clock, officer):
    rid = file(client, clock)["id"]
    for when in (clock() - dt.timedelta(hours=1), clock() + dt.timedelta(days=1)):
        resp = client.post(
            f"/province-requests/{rid}/returned", headers=officer, json={"returned_at": when.isoformat()}
        )
        assert resp.status_code == 422, resp.json
        assert resp.json["errors"][0]["field"] == "returned_at"
    assert client.get(f"/province-requests/{rid}", headers=officer).json["status"] == "received"


def test_a_missed_deadline_alarms_the_assignees_and_the_leader_once(
    database_url, client, officer, clock, checked_events
):
    late = file(client, clock)
    done = file(client, clock, unit="31693")
    client.post(
        f"/province-requests/{late['id']}/assign", headers=officer, json={"inspectorate": "ttr-01", "board": "btcd-02"}
    )
    client.post(f"/province-requests/{late['id']}/dispatch", headers=officer, json={"officers": ["btcd-02", "ca-01"]})
    client.post(f"/province-requests/{done['id']}/returned", headers=officer, json={"returned_at": clock().isoformat()})
    dbs = [Database(database_url) for _ in range(2)]
    assert raise_due(db=dbs[0], now=clock()) == 0  # not yet
    clock.advance(hours=5)
    start, results = threading.Barrier(2), []

    def run(db):
        start.wait()
        results.extend(raise_due(db=db, now=clock()) for _ in range(3))

    threads = [threading.Thread(target=run, args=(db,)) for db in dbs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sum(results) == 1
    (alarm,) = checked_events("escalation.province_request.overdue")
    assert alarm["data"]["request_id"] == late["id"] and alarm["data"]["case_id"] == late["case_id"]
    assert alarm["data"]["targets"] == [
        {"type": "officer", "value": "ttr-01"},
        {"type": "officer", "value": "btcd-02"},
        {"type": "officer", "value": "ca-01"},
        {"type": "leader_on_call", "value": None},
    ]
    assert [u["data"]["change"] for u in checked_events("escalation.province_request.updated")][-1] == "deadline_passed"
    kinds = [t["kind"] for t in client.get(f"/cases/{late['case_id']}", headers=officer).json["timeline"]]
    assert "province_deadline_passed" in kinds
    assert client.get(f"/province-requests/{late['id']}", headers=officer).json["deadline_alarmed_at"]
    for db in dbs:
        db.dispose()


def test_a_token_the_gateway_no_longer_takes_is_renewed_at_once(client, officer, clock, roster):
    rid = file(client, clock)["id"]
    assert (
        client.post(f"/province-requests/{rid}/assign", headers=officer, json={"board": "btcd-01"}).status_code == 200
    )
    roster.token = "t2"  # revoked or rotated: the old one answers 401
    resp = client.post(f"/province-requests/{rid}/dispatch", headers=officer, json={"officers": ["ttr-03"]})
    assert resp.status_code == 200, resp.json
    roster.officers.pop("ttr-03")  # a fresh answer, not the one kept from before the renewal
    other = file(client, clock, unit="31693")["id"]
    gone = client.post(f"/province-requests/{other}/dispatch", headers=officer, json={"officers": ["ttr-03"]})
    assert gone.status_code == 422
