"""Two timer runners at once fire each due step exactly once; two workers send one daily summary."""

import threading

from sqlalchemy import func, select

from escalation.database import OutboxEvent
from escalation.policy.jobs import EscalationTimer
from escalation.policy.models import EscalationStep
from escalation.summary.jobs import emit_if_due
from tiepdan_common.db import Database

CASES = 12
UNITS = ("31690", "31693", "31711", "31714")
FIELDS = ("land", "environment", "labour")


def test_two_timers_at_once_send_every_step_once(database_url, app, client, admin, clock):
    client.put(
        "/policies/fast",
        headers=admin,
        json={
            "priority": 1,
            "steps": [
                {"target": {"type": "on_duty_role", "value": "lead"}, "wait_minutes": 1},
                {"target": {"type": "leader_on_call"}, "wait_minutes": 1},
            ],
        },
    )
    for n in range(CASES):  # one open case per matter: each its own unit and field
        resp = client.post(
            "/cases",
            headers=admin,
            json={"title": f"Vụ việc thử {n}", "unit": UNITS[n % 4], "field": FIELDS[n // 4], "severity": "medium"},
        )
        assert resp.status_code == 201
    timers = [EscalationTimer(Database(database_url), clock=clock, batch=3) for _ in range(2)]
    for _minute in range(3):
        start = threading.Barrier(2)

        def run(timer, start=start):
            start.wait()
            for _ in range(3):
                timer.tick()

        threads = [threading.Thread(target=run, args=(t,)) for t in timers]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        clock.advance(minutes=1)
    with app.extensions["tiepdan"]["db"].session() as s:
        steps = s.execute(select(EscalationStep.escalation_id, EscalationStep.step_index)).all()
        events = s.scalar(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.event_type == "escalation.case.escalated")
        )
    assert len(steps) == len(set(steps)) == CASES * 2
    assert events == CASES * 2
    assert sum(t.fired for t in timers) == CASES * 2
    for t in timers:
        t.db.dispose()


def test_two_workers_send_one_daily_summary(database_url, app, clock, checked_events):
    hour = (clock().hour + 7) % 24  # the local hour now: the summary is due
    dbs = [Database(database_url) for _ in range(2)]
    start = threading.Barrier(2)
    results = []

    def run(db):
        start.wait()
        results.append(emit_if_due(db=db, now=clock(), hour=hour))

    threads = [threading.Thread(target=run, args=(d,)) for d in dbs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results) == [False, True]
    (summary,) = checked_events("escalation.daily_summary.ready")
    assert summary["data"]["highlights"][0].endswith("đoàn đông người")
    assert emit_if_due(db=dbs[0], now=clock.advance(hours=1), hour=hour) is False
    for d in dbs:
        d.dispose()
