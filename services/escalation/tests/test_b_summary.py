"""The daily summary on demand for any date, and the summaries a stopped worker missed sent when it is back."""

import datetime as dt
import threading

from sqlalchemy import select

from escalation.summary.jobs import catch_up
from escalation.summary.models import DailySummary
from tiepdan_common.db import Database

# 26 November 2026, the summary hour 17:00 in Viet Nam is 10:00 UTC.
D = dt.date(2026, 11, 26)
HOUR_UTC = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)


def open_case(client, admin, clock, at, unit="31690"):
    clock.set(at)
    resp = client.post("/cases", headers=admin, json={"title": "Khiếu nại đất đai", "unit": unit, "field": "land"})
    assert resp.status_code == 201


def test_a_past_dates_summary_reads_in_vietnamese(client, officer, admin, handle, visit, clock):
    open_case(client, admin, clock, HOUR_UTC - dt.timedelta(hours=1))
    clock.set(HOUR_UTC + dt.timedelta(days=2))
    handle(visit(size=12, at=HOUR_UTC - dt.timedelta(hours=3)))  # in the 24 hours to 17:00 of the 26th
    handle(visit(size=2, unit="31693", at=HOUR_UTC - dt.timedelta(hours=30)))  # the 25th's
    handle(visit(size=3, unit="31693", at=HOUR_UTC + dt.timedelta(hours=1)))  # the 27th's
    resp = client.get("/reports/daily-summary?date=2026-11-26", headers=officer)
    assert resp.status_code == 200, resp.json
    body = resp.json
    assert body["title"] == "Báo cáo tình hình ngày 26/11/2026" and body["complete"] is True
    assert body["period_label"] == "Từ 17:00 ngày 25/11/2026 đến 17:00 ngày 26/11/2026"
    assert body["items"][0] == {"key": "visits", "label": "Lượt tiếp công dân", "value": 1}
    assert body["counts"]["mass_visits"] == 1 and body["counts"]["open_cases"] == 1
    assert body["highlights"][0] == "1 lượt tiếp công dân, trong đó 1 đoàn đông người"
    assert body["sent_at"] is None
    assert client.get("/reports/daily-summary?date=2026-11-25", headers=officer).json["counts"]["open_cases"] == 0
    today = client.get("/reports/daily-summary", headers=officer).json  # the 28th, so far
    assert today["date"] == "2026-11-28" and today["counts"]["visits"] == 0 and today["counts"]["open_cases"] == 1


def test_a_summary_date_is_checked(client, officer, police, clock):
    clock.set(HOUR_UTC)
    future = client.get("/reports/daily-summary?date=2026-11-27", headers=officer)
    assert future.status_code == 422 and future.json["errors"][0]["field"] == "date"
    bad = client.get("/reports/daily-summary?date=26/11/2026", headers=officer)
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "date"
    assert client.get("/reports/daily-summary", headers=police).status_code == 403


def test_a_summary_missed_while_the_worker_was_down_is_sent_once_when_it_is_back(
    database_url, db, client, officer, admin, handle, visit, clock, checked_events
):
    open_case(client, admin, clock, HOUR_UTC - dt.timedelta(hours=1))
    open_case(client, admin, clock, HOUR_UTC + dt.timedelta(hours=1), unit="31693")  # after the hour: not in the 26th's
    assert catch_up(db=db, now=HOUR_UTC - dt.timedelta(days=1), hour=17) == [D - dt.timedelta(days=1)]
    handle(visit(size=12, at=HOUR_UTC - dt.timedelta(hours=2)))
    handle(visit(size=7, unit="31693", at=HOUR_UTC + dt.timedelta(hours=2)))  # after the 26th's hour
    back = HOUR_UTC + dt.timedelta(hours=16)  # the worker was down from before 17:00 to 09:00 next morning
    dbs = [Database(database_url) for _ in range(2)]
    start, sent = threading.Barrier(2), []

    def run(worker_db):
        start.wait()
        sent.extend(catch_up(db=worker_db, now=back, hour=17))

    threads = [threading.Thread(target=run, args=(d,)) for d in dbs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sent == [D]
    events = checked_events("escalation.daily_summary.ready")
    assert [e["data"]["date"] for e in events] == ["2026-11-25", "2026-11-26"]
    late = events[-1]["data"]
    assert (late["visits"], late["mass_visits"], late["open_cases"]) == (1, 1, 1)  # as things stood at 17:00
    with db.session() as s:
        assert s.scalars(select(DailySummary.late).order_by(DailySummary.date)).all() == [False, True]
    assert catch_up(db=db, now=back + dt.timedelta(hours=9), hour=17) == [D + dt.timedelta(days=1)]
    read = client.get("/reports/daily-summary?date=2026-11-26", headers=officer).json
    assert read["sent_late"] is True and read["counts"]["visits"] == 1
    for d in dbs:
        d.dispose()


def test_a_new_installation_sends_no_past_summaries(db):
    assert catch_up(db=db, now=HOUR_UTC - dt.timedelta(hours=1), hour=17) == []
    assert catch_up(db=db, now=HOUR_UTC + dt.timedelta(minutes=1), hour=17) == [D]
    with db.session() as s:
        assert s.get(DailySummary, D).late is False
