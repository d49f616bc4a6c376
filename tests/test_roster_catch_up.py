"""Roster learns, from intake through the gateway, a day an administrator added while roster had no queue to
hear of it (issue 22): its worker stopped and its queue deleted, as for a new deployment of roster.

The day is a Thursday some seven weeks ahead (the other reference tests use Wednesdays), taken back at the
end, because the system is shared by the whole session.
"""

from __future__ import annotations

import datetime as dt
import signal
import subprocess

import pika
import sqlalchemy as sa
from harness import BIN, ROOT

from tiepdan_common.calendar import Calendar
from tiepdan_common.clock import LOCAL
from tiepdan_common.db import make_engine
from tiepdan_common.testing import wait_for

FILE = Calendar.load(ROOT / "reference" / "holidays-vn.json")
SOURCE = "Quyết định của UBND thành phố (kiểm thử bắt kịp lịch)"


def _ahead_thursday(days: int = 44) -> dt.date:
    day = dt.datetime.now(LOCAL).date() + dt.timedelta(days=days)
    while day.weekday() != 3 or FILE.entry(day) is not None:
        day += dt.timedelta(days=1)
    return day


def kinds_on(system, token, day: dt.date) -> list[str]:
    start = dt.datetime.combine(day, dt.time(0, 0), tzinfo=LOCAL)
    resp = system.call(
        "GET",
        "/api/v1/roster/shifts",
        token,
        params={"from": start.isoformat(), "to": (start + dt.timedelta(days=1)).isoformat()},
    )
    assert resp.status_code == 200, resp.text
    return sorted(s["kind"] for s in resp.json() if dt.datetime.fromisoformat(s["starts_at"]) >= start)


def roster_day(system, token, day: dt.date) -> dict | None:
    resp = system.call("GET", "/api/v1/roster/holidays", token, params={"year": day.year})
    assert resp.status_code == 200, resp.text
    return next((h for h in resp.json() if h["date"] == day.isoformat()), None)


def delete_roster_queue(system) -> None:
    queue = f"{system.names['queue_prefix']}.roster.roster.reference"
    connection = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", 5672))
    try:
        channel = connection.channel()
        channel.queue_declare(queue=queue, passive=True)  # the worker's queue by that name (else: an error)
        channel.queue_delete(queue=queue)
    finally:
        connection.close()


def roster_catch_up(system) -> str:
    result = subprocess.run(
        [str(BIN / "flask"), "--app", "roster", "catch-up"],
        env=system.env("roster"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_a_day_added_in_intake_while_roster_had_no_queue_is_learned_at_the_worker_s_start(system, admin_token):
    day = _ahead_thursday()
    assert "morning" in kinds_on(system, admin_token, day)
    system.kill("roster-worker", signal.SIGTERM)
    delete_roster_queue(system)  # a fresh roster: no queue, no message of what intake did meanwhile
    intake_db = make_engine(system.db_urls["intake"], pool_size=1, max_overflow=0)

    def unpublished() -> int:
        with intake_db.connect() as conn:
            return conn.execute(sa.text("SELECT count(*) FROM outbox_events WHERE published_at IS NULL")).scalar()

    try:
        resp = system.call(
            "PUT",
            f"/api/v1/intake/holidays/{day.isoformat()}",
            admin_token,
            json={"name": "Ngày nghỉ do thành phố công bố", "kind": "holiday", "source": SOURCE},
        )
        assert resp.status_code == 200, resp.text
        # intake's message is gone before roster's queue exists again: only the catch-up can bring the day.
        wait_for(
            lambda: unpublished() == 0,
            timeout=10,
            message="intake did not publish its change",
        )
        assert roster_day(system, admin_token, day) is None

        system.start("roster-worker")
        wait_for(
            lambda: (roster_day(system, admin_token, day) or {}).get("source") == SOURCE,
            timeout=30,
            message="roster's worker did not learn intake's day at start",
        )
        wait_for(
            lambda: kinds_on(system, admin_token, day) == ["on_call", "standby"],
            timeout=10,
            message="roster did not regenerate the day's shifts",
        )
        # The command does the same, once: nothing left to change.
        output = roster_catch_up(system)
        assert "'copy_rows_changed': 0" in output and "'intake_version': None" not in output, output
    finally:
        intake_db.dispose()
        if "roster-worker" not in system.processes:
            system.start("roster-worker")
        system.call(
            "DELETE", f"/api/v1/intake/holidays/{day.isoformat()}", admin_token, params={"reason": "kiểm thử xong"}
        )
    # The worker's queue exists again: the deletion reaches roster by message.
    wait_for(
        lambda: (roster_day(system, admin_token, day) or {}).get("source") != SOURCE,
        timeout=20,
        message="roster did not follow the deletion",
    )
    wait_for(lambda: "morning" in kinds_on(system, admin_token, day), timeout=10)
