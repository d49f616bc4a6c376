"""One open case per matter whoever opens it; writes racing the timer; merge, link, reopen; a visit's case."""

import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from escalation.app import consumers
from escalation.case.models import Case, CaseSource, TimelineEntry
from escalation.policy.jobs import run_due
from tiepdan_common.db import Database


def incident(**extra):
    return {
        "unit": "31690",
        "field": "land",
        "place": "Trước trụ sở UBND huyện",
        "crowd_estimate": 30,
        "occurred_at": "2026-11-26T02:30:00+00:00",
        "summary": "Tụ tập trước cổng",
        **extra,
    }


def manual(**extra):
    return {"title": "Khiếu nại thu hồi đất", "unit": "31690", "field": "land", **extra}


def postgresql_only(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("row locks and concurrent writers: PostgreSQL")


def test_openers_racing_on_one_matter_make_one_open_case(database_url, app, settings, db, admin, police, visit):
    postgresql_only(database_url)
    handler = consumers(settings)[0].handlers["intake.visit.recorded"]
    answers, failures = [], []
    start = threading.Barrier(9)

    def by_visit():
        event = visit(size=12)
        start.wait()
        for _ in range(10):  # what the consumer does with a message whose insert lost: handle it again
            try:
                with db.session() as session:
                    handler(session, event)
                return
            except IntegrityError:
                continue
        failures.append("a visit never settled")

    def by_hand():
        start.wait()
        answers.append(app.test_client().post("/cases", headers=admin, json=manual()).status_code)

    def by_police():
        start.wait()
        answers.append(app.test_client().post("/incidents", headers=police, json=incident()).status_code)

    threads = [threading.Thread(target=run) for run in (by_visit, by_hand, by_police) * 3]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    # Incidents are created (201) whatever case they join; a hand-opened case is 201 only if it won.
    assert not failures and len(answers) == 6 and set(answers) <= {200, 201} and answers.count(201) <= 4, answers
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Case).where(Case.matter_key == "31690:land")) == 1
        (case_id,) = s.scalars(select(Case.id).where(Case.matter_key == "31690:land", Case.status != "closed")).all()
        sources = s.execute(
            select(CaseSource.source_type, func.count())
            .where(CaseSource.case_id == case_id)
            .group_by(CaseSource.source_type)
        ).all()
    assert dict(sources) == {"visit": 3, "manual": 3, "incident": 3}


def test_a_case_opened_by_hand_joins_the_open_case_of_its_matter(client, admin, officer, handle, visit):
    handle(visit(size=12))
    (case,) = client.get("/cases", headers=officer).json
    resp = client.post("/cases", headers=admin, json=manual(severity="critical", public_order=True))
    assert resp.status_code == 200 and resp.json["id"] == case["id"]
    assert resp.json["severity"] == "critical" and resp.json["public_order"] is True
    other = client.post("/cases", headers=admin, json=manual(field="environment"))
    assert other.status_code == 201 and other.json["id"] != case["id"]
    resp = client.post("/incidents", headers=admin, json=incident())
    assert resp.json["case_id"] == case["id"]
    assert len(client.get("/cases?status=open", headers=officer).json) == 2


def test_the_database_refuses_a_second_open_case_for_a_matter(db, client, admin):
    first = client.post("/cases", headers=admin, json=manual()).json
    with pytest.raises(IntegrityError), db.session() as s:
        s.add(
            Case(
                number="VV-X-1",
                title="x",
                unit="31690",
                field_code="land",
                matter_key="31690:land",
                severity="low",
                level="district",
                status="in_progress",
            )
        )
        s.flush()
    client.post(f"/cases/{first['id']}/close", headers=admin, json={"reason": "resolved"})
    assert client.post("/cases", headers=admin, json=manual()).status_code == 201  # the matter is free again


def test_acknowledgements_hammered_while_the_timer_ticks_are_all_kept(
    database_url, app, db, client, clock, admin, officer
):
    postgresql_only(database_url)
    policy = {
        "priority": 1,
        "steps": [
            {"target": {"type": "on_duty_role", "value": "lead"}, "wait_minutes": 1},
            {"target": {"type": "leader_on_call"}, "wait_minutes": 1},
        ],
        "repeat_from": 0,
        "max_repeats": 20,
        "progress_timeout_minutes": 1,
    }
    assert client.put("/policies/fast", headers=admin, json=policy).status_code == 200
    cases = [
        client.post("/cases", headers=admin, json=manual(unit=unit)).json["id"] for unit in ("31690", "31693", "31711")
    ]
    stop, answers = threading.Event(), []
    timer_db = Database(database_url)

    def timer():
        while not stop.is_set():
            clock.advance(minutes=1)
            run_due(db=timer_db, now=clock())

    def officer_acks(n):
        own = app.test_client()
        for i in range(20):
            resp = own.post(f"/cases/{cases[(n + i) % 3]}/acknowledge", headers=officer, json={})
            answers.append((resp.status_code, resp.content_type, cases[(n + i) % 3]))

    ticking = threading.Thread(target=timer)
    ticking.start()
    workers = [threading.Thread(target=officer_acks, args=(n,)) for n in range(4)]
    for t in workers:
        t.start()
    for t in workers:
        t.join(120)
    stop.set()
    ticking.join(30)
    timer_db.dispose()
    assert {status for status, _, _ in answers} <= {200, 409}, answers
    assert all(kind == "application/problem+json" for status, kind, _ in answers if status == 409)
    with db.session() as s:
        kept = dict(
            s.execute(
                select(TimelineEntry.case_id, func.count())
                .where(TimelineEntry.kind == "acknowledged")
                .group_by(TimelineEntry.case_id)
            ).all()
        )
    for case_id in cases:  # every acknowledgement answered 200 is on the case
        assert kept.get(case_id, 0) == sum(1 for status, _, c in answers if status == 200 and c == case_id)


def test_a_write_that_loses_a_race_answers_409_to_retry(client, officer, admin, monkeypatch):
    from sqlalchemy.orm.exc import StaleDataError

    from escalation.case.flows import handling

    case = client.post("/cases", headers=admin, json=manual()).json

    def lost(**_):
        raise StaleDataError("the timer changed the escalation first")

    monkeypatch.setattr(handling.policies, "acknowledge", lost)
    resp = client.post(f"/cases/{case['id']}/acknowledge", headers=officer, json={})
    assert resp.status_code == 409 and resp.content_type == "application/problem+json"
    assert resp.json["code"] == "write_conflict" and resp.headers["Retry-After"] == "1"


def test_a_visits_case_is_found_by_its_source(client, officer, handle, visit):
    event = visit(size=12)
    handle(event)
    handle(visit(size=3))  # small: no case
    (case,) = client.get(f"/cases?source_type=visit&source_id={event.data['visit_id']}", headers=officer).json
    assert case["unit"] == "31690"
    assert client.get("/cases?source_type=visit&source_id=nope", headers=officer).json == []
    bad = client.get("/cases?source_type=petition&source_id=x", headers=officer)
    assert bad.status_code == 422 and "source_type" in str(bad.json["errors"])


def test_the_close_reasons_are_listed_in_vietnamese(client, officer, admin):
    reasons = client.get("/cases/close-reasons", headers=officer).json
    assert {"code": "citizens_returned", "label": "Công dân đã về địa phương, tình hình ổn định"} in reasons
    assert "merged" not in [r["code"] for r in reasons]
    case = client.post("/cases", headers=admin, json=manual()).json
    assert client.post(f"/cases/{case['id']}/close", headers=admin, json={"reason": "merged"}).status_code == 422


def test_merging_closes_the_absorbed_case_and_carries_everything_over(
    client, officer, admin, police, handle, visit, checked_events
):
    event = visit(size=12)
    handle(event)
    (absorbed,) = client.get("/cases", headers=officer).json
    inc = client.post("/incidents", headers=police, json=incident(crowd_estimate=60)).json
    survivor = client.post("/cases", headers=admin, json=manual(unit="31693", field="land")).json
    third = client.post("/cases", headers=admin, json=manual(unit="31711")).json
    assert (
        client.post(f"/cases/{absorbed['id']}/links", headers=officer, json={"case_id": third["id"]}).status_code == 200
    )
    resp = client.post(f"/cases/{absorbed['id']}/merge", headers=officer, json={"into": survivor["id"]})
    assert resp.status_code == 200, resp.json
    merged = resp.json
    assert merged["id"] == survivor["id"] and merged["group_size"] == 60 and merged["severity"] == "critical"
    assert [link["id"] for link in merged["links"]] == [third["id"]]
    assert any(t["detail"].get("merged_from") == absorbed["number"] for t in merged["timeline"])
    gone = client.get(f"/cases/{absorbed['id']}", headers=officer).json
    assert gone["status"] == "closed" and gone["close_reason"] == "merged" and gone["merged_into"] == survivor["id"]
    (found,) = client.get(f"/cases?source_type=visit&source_id={event.data['visit_id']}", headers=officer).json
    assert found["id"] == survivor["id"]
    assert client.get(f"/incidents/{inc['id']}", headers=police).json["case_id"] == survivor["id"]
    closed = [e["data"] for e in checked_events("escalation.case.closed")]
    assert closed[-1]["reason"] == "merged" and closed[-1]["case_id"] == absorbed["id"]
    assert "merged" in [c["kind"] for c in checked_events("escalation.case.changed")[-1]["data"]["changes"]]
    again = client.post(f"/cases/{absorbed['id']}/merge", headers=officer, json={"into": survivor["id"]})
    assert again.status_code == 409
    itself = client.post(f"/cases/{survivor['id']}/merge", headers=officer, json={"into": survivor["id"]})
    assert itself.status_code == 422 and itself.json["errors"][0]["field"] == "into"
    missing = client.post(f"/cases/{survivor['id']}/merge", headers=officer, json={"into": "nope"})
    assert missing.status_code == 422 and missing.json["errors"][0]["field"] == "into"
    assert (
        client.post(f"/cases/{absorbed['id']}/reopen", headers=officer, json={"reason": "Công dân quay lại"}).json[
            "code"
        ]
        == "merged"
    )


def test_links_read_from_either_side_and_can_be_removed(client, officer, admin):
    one = client.post("/cases", headers=admin, json=manual()).json
    two = client.post("/cases", headers=admin, json=manual(unit="31693")).json
    client.post(f"/cases/{one['id']}/links", headers=officer, json={"case_id": two["id"]})
    client.post(f"/cases/{two['id']}/links", headers=officer, json={"case_id": one["id"]})  # kept once
    detail = client.get(f"/cases/{two['id']}", headers=officer).json
    assert [link["number"] for link in detail["links"]] == [one["number"]]
    assert "linked" in [t["kind"] for t in detail["timeline"]]
    resp = client.delete(f"/cases/{two['id']}/links/{one['id']}", headers=officer)
    assert resp.status_code == 200 and resp.json["links"] == []
    assert client.delete(f"/cases/{two['id']}/links/{one['id']}", headers=officer).status_code == 404


def test_a_closed_case_is_reopened_with_a_reason_and_escalates_again(db, clock, client, officer, admin, checked_events):
    case = client.post("/cases", headers=admin, json=manual(severity="high")).json
    client.post(f"/cases/{case['id']}/close", headers=officer, json={"reason": "citizens_returned"})
    resp = client.post(f"/cases/{case['id']}/reopen", headers=officer, json={"reason": "Công dân quay lại trụ sở"})
    assert resp.status_code == 200, resp.json
    assert resp.json["status"] == "opened" and resp.json["close_reason"] is None
    entry = next(t for t in resp.json["timeline"] if t["kind"] == "reopened")
    assert entry["detail"]["reason"] == "Công dân quay lại trụ sở" and entry["detail"]["closed_at"]
    (changed,) = checked_events("escalation.case.changed")
    assert changed["data"]["changes"][0]["kind"] == "reopened" and changed["data"]["re_escalated"] is True
    assert run_due(db=db, now=clock.advance(seconds=1)) == 1
    assert (
        client.post(f"/cases/{case['id']}/reopen", headers=officer, json={"reason": "lần nữa"}).json["code"]
        == "not_closed"
    )
    # Closed again, and another case opened for the matter meanwhile: reopening would make two.
    client.post(f"/cases/{case['id']}/close", headers=officer, json={"reason": "resolved"})
    other = client.post("/cases", headers=admin, json=manual()).json
    resp = client.post(f"/cases/{case['id']}/reopen", headers=officer, json={"reason": "Công dân quay lại"})
    assert resp.status_code == 409 and resp.json["open_case_id"] == other["id"]
    short = client.post(f"/cases/{case['id']}/reopen", headers=officer, json={"reason": ""})
    assert short.status_code == 422 and short.json["errors"][0]["field"] == "reason"


def test_generated_titles_read_naturally(client, officer, admin, police, handle, visit):
    handle(visit(size=12, field="other"))
    (case,) = client.get("/cases", headers=officer).json
    assert case["title"].startswith("Đoàn đông người (12 công dân), lĩnh vực khác, ")
    opened = client.post("/cases", headers=admin, json=manual(field="other", unit="31693")).json
    assert client.get(f"/cases/{opened['id']}", headers=officer).json["title"] == "Khiếu nại thu hồi đất"
    public = client.get(f"/cases/{opened['id']}", headers=police).json["title"]
    assert public.startswith("Vụ việc lĩnh vực khác, ") and "lĩnh vực lĩnh vực" not in public
    land = client.post("/cases", headers=admin, json=manual(unit="31711")).json
    assert client.get(f"/cases/{land['id']}", headers=police).json["title"].startswith("Vụ việc lĩnh vực đất đai, ")


def test_every_write_racing_the_timer_succeeds_or_answers_409(database_url, app, db, client, clock, admin, officer):
    postgresql_only(database_url)
    policy = {
        "priority": 1,
        "steps": [{"target": {"type": "on_duty_role", "value": "lead"}, "wait_minutes": 1}],
        "repeat_from": 0,
        "max_repeats": 20,
        "progress_timeout_minutes": 1,
        "check_in_minutes": 1,
    }
    assert client.put("/policies/fast", headers=admin, json=policy).status_code == 200
    cases = [client.post("/cases", headers=admin, json=manual(unit=unit)).json["id"] for unit in ("31690", "31693")]
    stop, answers = threading.Event(), []
    timer_db = Database(database_url)

    def timer():
        while not stop.is_set():
            clock.advance(minutes=1)
            run_due(db=timer_db, now=clock())

    writes = [
        ("acknowledge", {}),
        ("progress", {"status": "in_progress"}),
        ("update", {"severity": "high"}),
        ("update", {"group_size": 60}),
        ("update", {"severity": "low"}),
    ]

    def officer_writes(n):
        own = app.test_client()
        for i in range(15):
            path, body = writes[(n + i) % len(writes)]
            resp = own.post(f"/cases/{cases[i % 2]}/{path}", headers=officer, json=body)
            answers.append((path, resp.status_code, resp.content_type))

    ticking = threading.Thread(target=timer)
    ticking.start()
    workers = [threading.Thread(target=officer_writes, args=(n,)) for n in range(3)]
    for t in workers:
        t.start()
    for t in workers:
        t.join(120)
    closes = [
        app.test_client().post(f"/cases/{case_id}/close", headers=officer, json={"reason": "resolved"})
        for case_id in cases
    ]
    stop.set()
    ticking.join(30)
    timer_db.dispose()
    assert {status for _, status, _ in answers} <= {200, 409}, answers
    assert all(kind == "application/problem+json" for _, status, kind in answers if status == 409)
    assert [c.status_code for c in closes] == [200, 200]
    assert run_due(db=db, now=clock.advance(days=1)) == 0  # closed: nothing chases them any more
