"""Leaders' reception days and shift-starting reminders, driven by the injected clock."""

import dataclasses
import datetime as dt

from roster.coverage import jobs as coverage_jobs
from roster.duty import jobs as duty_jobs
from roster.reception import domain as reception
from tiepdan_common.calendar import Calendar
from tiepdan_common.clock import LOCAL


def test_who_is_behind_on_reception_days(client, board, reader, clock):
    clock.set(dt.datetime(2024, 5, 27, 9, 0, tzinfo=LOCAL))  # Monday

    def publish(officer, day):
        return client.post(
            "/reception-days",
            json={"officer": officer, "date": day, "place": "Trụ sở Ban Tiếp công dân huyện"},
            headers=board,
        )

    for day in ("2024-06-06", "2024-06-20"):
        assert publish("ld-01", day).status_code == 201
    late = publish("tp-tnmt", "2024-05-31")  # Friday: only 3 working days ahead
    assert late.status_code == 201 and late.json["published_in_time"] is False
    assert publish("tp-tnmt", "2024-05-31").status_code == 409
    assert publish("ld-01", "2024-05-27").json["errors"][0]["field"] == "date"
    for week_monday in ("2024-06-03", "2024-06-10", "2024-06-17", "2024-06-24"):
        assert publish("ct-31690", week_monday).status_code == 201
    report = {
        r["officer"]: r
        for r in client.get("/reception-days/compliance", query_string={"month": "2024-06"}, headers=reader).json
    }
    assert report["ld-01"]["obligation"] == "district_chair" and report["ld-01"]["behind"] is False
    assert report["ct-31690"]["behind"] is False and report["ct-31690"]["required"] == 4
    assert report["ct-31693"]["behind"] is True and report["ct-31693"]["missing_weeks"] == [
        "2024-W23",
        "2024-W24",
        "2024-W25",
        "2024-W26",
    ]
    assert report["tp-tnmt"]["behind"] is True
    may = {
        r["officer"]: r
        for r in client.get("/reception-days/compliance", query_string={"month": "2024-05"}, headers=reader).json
    }
    assert may["tp-tnmt"]["behind"] is True and may["tp-tnmt"]["published_late"] == ["2024-05-31"]
    assert "ld-02" not in report  # a vice chair has no such duty
    assert len([r for r in report.values() if r["obligation"] == "commune_chair"]) == 11


def test_publication_counts_working_days(reference_dir):
    calendar = Calendar.load(reference_dir / "holidays-vn.json")
    assert reception.published_in_time(dt.date(2024, 6, 10), dt.date(2024, 6, 3), calendar, 5)
    assert not reception.published_in_time(dt.date(2024, 6, 7), dt.date(2024, 6, 3), calendar, 5)
    assert not reception.published_in_time(dt.date(2024, 9, 9), dt.date(2024, 8, 30), calendar, 5)  # Quốc khánh
    # Published Tuesday 22/4/2025: 23, 24, 25, Saturday 26 (make-up), 28 -> Monday 28 April is in time.
    assert reception.published_in_time(dt.date(2025, 4, 28), dt.date(2025, 4, 22), calendar, 5)
    assert not reception.published_in_time(dt.date(2025, 4, 25), dt.date(2025, 4, 22), calendar, 5)
    assert reception.obligation(agency_kind="leadership", role="leader", title="Chủ tịch UBND huyện")
    assert reception.obligation(agency_kind="leadership", role="leader", title="Phó Chủ tịch UBND huyện") is None


def test_a_shift_is_reminded_once_even_with_two_workers(app, db, settings, outbox_events, clock):
    clock.set(dt.datetime(2024, 5, 21, 6, 40, tzinfo=LOCAL))
    assert duty_jobs.remind_once(db, settings) == []
    clock.set(dt.datetime(2024, 5, 21, 6, 50, tzinfo=LOCAL))
    first = duty_jobs.remind_once(db, settings)
    second = duty_jobs.remind_once(db, settings)
    assert len(first) == 1 and second == []
    (reminder,) = [e["data"] for e in outbox_events("roster.shift.starting")]
    assert reminder["shift_kind"] == "morning"
    assert dt.datetime.fromisoformat(reminder["starts_at"]) == dt.datetime(2024, 5, 21, 7, 0, tzinfo=LOCAL)
    assert sorted(o["duty_role"] for o in reminder["officers"]) == ["department", "inspector", "lead", "police"]
    _two_workers_racing_send_one_reminder(app, outbox_events, clock)
    _the_worker_announces_coverage_gaps_once(app, outbox_events, clock)


def _the_worker_announces_coverage_gaps_once(app, outbox_events, clock):
    settings, db = app.extensions["tiepdan"]["settings"], app.extensions["tiepdan"]["db"]
    clock.set(dt.datetime(2024, 6, 24, 6, 0, tzinfo=LOCAL))
    assert coverage_jobs.check_coverage_once(db, settings) == 0  # the seeded roster is complete
    from roster.duty import changes, generation

    calendar = app.extensions["roster"]["calendar"].get()  # read before the session below writes
    with db.session() as session:  # a second period over the same days books everyone twice
        period = changes.ensure_period(
            db_session=session, code="DUP", name="Trùng", starts_on=dt.date(2024, 6, 25), ends_on=dt.date(2024, 6, 25)
        )
        generation.generate(db_session=session, period=period, calendar=calendar, now=clock())
    announced = coverage_jobs.check_coverage_once(db, settings)
    gaps = [e["data"] for e in outbox_events("roster.coverage.gap")]
    assert announced == len(gaps) > 0 and all("bị xếp trùng hai ca" in g["reason"] for g in gaps)
    assert coverage_jobs.check_coverage_once(db, settings) == 0


def _two_workers_racing_send_one_reminder(app, outbox_events, clock):
    import threading

    settings, db = app.extensions["tiepdan"]["settings"], app.extensions["tiepdan"]["db"]
    clock.set(dt.datetime(2024, 5, 22, 13, 20, tzinfo=LOCAL))
    barrier = threading.Barrier(2)

    def both_at_once():
        barrier.wait(timeout=10)  # both workers read the due shifts at the same moment
        return clock()

    racing = dataclasses.replace(settings, clock=both_at_once)

    results, errors = [], []

    def run():
        try:
            results.append(duty_jobs.remind_once(db, racing))
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    reminders = [e["data"] for e in outbox_events("roster.shift.starting") if e["data"]["shift_kind"] == "afternoon"]
    assert len(reminders) == 1
    assert sorted(len(r) for r in results) in ([0, 1], [1])
