"""Tasks on a case: created with an owner of the roster and a due time, listed, marked done, reminded once."""

import datetime as dt
import threading

from escalation.task.jobs import remind_due
from tiepdan_common.db import Database


def open_case(client, admin):
    resp = client.post("/cases", headers=admin, json={"title": "Khiếu nại đất đai", "unit": "31690", "field": "land"})
    assert resp.status_code in (200, 201), resp.json
    return resp.json


def test_a_task_is_created_listed_and_done(client, admin, officer, police, clock, checked_events):
    case = open_case(client, admin)
    due = (clock() + dt.timedelta(days=2)).isoformat()
    resp = client.post(
        f"/cases/{case['id']}/tasks",
        headers=officer,
        json={"title": "Mời các hộ đối thoại", "owner": "ttr-01", "due_at": due},
    )
    assert resp.status_code == 201, resp.json
    task = resp.json
    assert (task["status"], task["owner"], task["overdue"]) == ("open", "ttr-01", False)
    (assigned,) = checked_events("escalation.task.assigned")
    assert assigned["data"]["owner"] == "ttr-01" and "Mời" not in str(assigned["data"])
    listed = client.get(f"/cases/{case['id']}/tasks", headers=officer).json
    assert [t["id"] for t in listed] == [task["id"]]
    clock.advance(days=3)
    assert client.get(f"/cases/{case['id']}/tasks", headers=officer).json[0]["overdue"] is True
    done = client.post(f"/cases/{case['id']}/tasks/{task['id']}/done", headers=officer)
    assert done.status_code == 200 and done.json["status"] == "done" and done.json["done_by"] == "btcd-01"
    assert done.json["overdue"] is False
    assert client.post(f"/cases/{case['id']}/tasks/{task['id']}/done", headers=officer).status_code == 409
    assert client.get(f"/cases/{case['id']}/tasks?status=open", headers=officer).json == []
    kinds = [t["kind"] for t in client.get(f"/cases/{case['id']}", headers=officer).json["timeline"]]
    assert kinds[-2:] == ["task_created", "task_done"]
    assert client.get(f"/cases/{case['id']}/tasks", headers=police).status_code == 403


def test_a_task_needs_an_officer_of_the_roster_and_a_sensible_due_time(client, admin, officer, clock):
    case = open_case(client, admin)
    resp = client.post(
        f"/cases/{case['id']}/tasks",
        headers=officer,
        json={"title": "Xác minh", "owner": "chú Ba", "due_at": (clock() - dt.timedelta(days=1)).isoformat()},
    )
    assert resp.status_code == 422
    assert {e["field"] for e in resp.json["errors"]} == {"owner", "due_at"}
    resp = client.post(f"/cases/{case['id']}/tasks", headers=officer, json={"title": "Xác minh"})
    assert resp.status_code == 422 and {e["field"] for e in resp.json["errors"]} == {"owner", "due_at"}
    assert (
        client.post(
            "/cases/nope/tasks",
            headers=officer,
            json={"title": "Xác minh", "owner": "ttr-01", "due_at": clock().isoformat()},
        ).status_code
        == 404
    )
    other = client.post("/cases", headers=admin, json={"title": "Việc khác", "unit": "31693", "field": "land"}).json
    task = client.post(
        f"/cases/{case['id']}/tasks",
        headers=officer,
        json={"title": "Xác minh", "owner": "ttr-01", "due_at": clock().isoformat()},
    ).json
    assert client.post(f"/cases/{other['id']}/tasks/{task['id']}/done", headers=officer).status_code == 404


def test_an_overdue_task_is_reminded_once_with_two_workers(database_url, client, admin, officer, clock, checked_events):
    case = open_case(client, admin)
    for owner, hours in (("ttr-01", 1), ("btcd-02", 48)):
        client.post(
            f"/cases/{case['id']}/tasks",
            headers=officer,
            json={"title": "Báo cáo", "owner": owner, "due_at": (clock() + dt.timedelta(hours=hours)).isoformat()},
        )
    dbs = [Database(database_url) for _ in range(2)]
    later, start, counts = clock() + dt.timedelta(hours=2), threading.Barrier(2), []

    def run(db):
        start.wait()
        counts.extend(remind_due(db=db, now=later) for _ in range(3))

    threads = [threading.Thread(target=run, args=(db,)) for db in dbs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sum(counts) == 1
    (reminder,) = checked_events("escalation.task.overdue")
    assert reminder["data"]["owner"] == "ttr-01" and reminder["data"]["case_id"] == case["id"]
    for db in dbs:
        db.dispose()
