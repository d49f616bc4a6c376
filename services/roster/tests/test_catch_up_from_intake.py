"""Roster's catch-up reads intake's calendar through the gateway (issue 22): a day an administrator set in
intake while roster had no queue to hear of it is learned, once; without an answer the file alone serves.

The gateway is a stand-in in the test process: it hands ``svc-roster`` a token and answers intake's
``GET /calendar-years`` and ``GET /holidays`` with the reference version they are as of.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select

from roster import reference_sync, worker
from roster.audit.models import AuditEntry
from roster.calendar_copy import CalendarDay, CalendarYear
from tiepdan_common.calendar import Calendar
from tiepdan_common.clock import LOCAL, today
from tiepdan_common.messaging.envelope import Envelope

CLIENT_ID, SECRET, TOKEN = "svc-roster", "secret-of-svc-roster", "token-of-svc-roster"


class StandInGateway:
    """The gateway and intake behind it, as far as roster's catch-up asks them."""

    def __init__(self, file: Calendar) -> None:
        self.version = 40
        self.years = [
            {
                "year": y.year,
                "confirmed": y.status == "confirmed",
                "source": "; ".join(y.sources),
                "note": y.note or None,
            }
            for y in file.years
        ]
        self.days = {e.date: self.day(e.date, "holiday", e.name, e.source, e) for e in file.holidays}
        self.days |= {e.date: self.day(e.date, "working_day", e.name, e.source, e) for e in file.makeup_working_days}
        self.fail: dict[str, int] = {}  # path -> status to answer instead
        self.send_version = True
        self.requests: list[tuple[str, str, str | None, dict | None]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @staticmethod
    def day(day: dt.date, kind: str, name: str, source: str, entry=None) -> dict:
        return {
            "date": day.isoformat(),
            "name": name,
            "kind": kind,
            "source": source,
            "in_exchange_for": entry.in_exchange_for.isoformat() if entry and entry.in_exchange_for else None,
            "confirmed": entry.confirmed if entry else True,
            "note": None,
        }

    def _handler(self):
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                gateway.requests.append(("POST", self.path, None, body))
                if self.path != "/api/v1/auth/token":
                    return self._answer(404, {})
                if (body.get("client_id"), body.get("client_secret")) != (CLIENT_ID, SECRET):
                    return self._answer(401, {"code": "invalid_client"})
                if "token" in gateway.fail:
                    return self._answer(gateway.fail["token"], {})
                self._answer(200, {"access_token": TOKEN, "token_type": "Bearer", "expires_in": 900})

            def do_GET(self) -> None:
                path = self.path.removeprefix("/api/v1/intake")
                gateway.requests.append(("GET", self.path, self.headers.get("Authorization"), None))
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    return self._answer(401, {"code": "unauthenticated"})
                if path in gateway.fail:
                    return self._answer(gateway.fail[path], {"code": "service_unavailable"})
                if path == "/calendar-years":
                    return self._answer(200, gateway.years)
                if path == "/holidays":
                    return self._answer(200, [gateway.days[d] for d in sorted(gateway.days)])
                self._answer(404, {})

            def _answer(self, status: int, body) -> None:
                data = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                if gateway.send_version and status == 200 and self.command == "GET":
                    self.send_header("X-Reference-Version", str(gateway.version))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        return Handler

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def file(reference_dir) -> Calendar:
    return Calendar.load(reference_dir / "holidays-vn.json")


@pytest.fixture
def gateway(file):
    stand_in = StandInGateway(file)
    yield stand_in
    stand_in.close()


@pytest.fixture
def settings_overrides(gateway, broker_names):
    return {
        "gateway_url": gateway.url,
        "client_id": CLIENT_ID,
        "client_secret": SECRET,
        "intake_timeout": 2.0,
        "calendar_max_age_seconds": 0.0,
        **broker_names,
    }


def ahead(file: Calendar, weekday: int, days: int) -> dt.date:
    """The first ``weekday`` (0 Monday) at least ``days`` ahead that the file does not list."""
    day = today() + dt.timedelta(days=days)
    while day.weekday() != weekday or file.entry(day) is not None:
        day += dt.timedelta(days=1)
    return day


def kinds_on(client, headers, day):
    start = dt.datetime.combine(day, dt.time(0, 0), tzinfo=LOCAL)
    window = {"from": start.isoformat(), "to": (start + dt.timedelta(days=1)).isoformat()}
    shifts = client.get("/shifts", query_string=window, headers=headers).json
    return sorted(s["kind"] for s in shifts if dt.datetime.fromisoformat(s["starts_at"]) >= start)


def catch_up(app) -> str:
    result = app.test_cli_runner().invoke(args=["catch-up"])
    assert result.exit_code == 0, result.output
    return result.output


def row(db, day: dt.date) -> CalendarDay | None:
    with db.session() as session:
        found = session.get(CalendarDay, day)
        if found is not None:
            session.expunge(found)
        return found


def audit_rows(db) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry))


def change(day: dt.date, version: int, action: str = "deleted") -> Envelope:
    data = {
        "table": "holidays",
        "action": action,
        "key": day.isoformat(),
        "effective_from": day.isoformat(),
        "reference_version": version,
        "changed_at": dt.datetime.now(dt.UTC).isoformat(),
        "changed_by": "admin-01",
        "data": {} if action == "deleted" else {"date": day.isoformat(), "name": "Nghỉ", "kind": "holiday"},
    }
    return Envelope.new(type="intake.reference.changed", source="intake", data=data)


def test_a_day_only_intake_knows_is_learned_at_catch_up_once(app, client, reader, db, file, gateway, clock):
    day = ahead(file, 2, 4)  # a Wednesday inside the standing roster CURRENT
    source = "Quyết định của UBND tỉnh (thử)"
    gateway.days[day] = gateway.day(day, "holiday", "Ngày nghỉ do tỉnh công bố", source)
    assert "morning" in kinds_on(client, reader, day)
    assert row(db, day) is None

    output = catch_up(app)
    assert "'intake_version': 40" in output and "CURRENT" in output
    learned = row(db, day)
    assert (learned.kind, learned.name, learned.source, learned.reference_version) == (
        "holiday",
        "Ngày nghỉ do tỉnh công bố",
        source,
        40,
    )
    assert kinds_on(client, reader, day) == ["on_call", "standby"]
    listed = client.get("/holidays", query_string={"year": day.year}, headers=reader).json
    assert any(h["date"] == day.isoformat() and h["source"] == source for h in listed)
    # As svc-roster, through the gateway: a token, then both lists with it.
    token, *reads = gateway.requests
    assert token[:2] == ("POST", "/api/v1/auth/token") and token[3]["grant_type"] == "client_credentials"
    assert [(r[1], r[2]) for r in reads] == [
        ("/api/v1/intake/calendar-years", f"Bearer {TOKEN}"),
        ("/api/v1/intake/holidays", f"Bearer {TOKEN}"),
    ]
    # The days the file and intake both list stay the file's.
    new_year = dt.date(today().year, 1, 1)
    assert row(db, new_year).reference_version is None

    # Applied once: a second run changes nothing and writes nothing.
    written = audit_rows(db)
    again = catch_up(app)
    assert "'copy_rows_changed': 0" in again and "'regenerated': []" in again
    assert audit_rows(db) == written

    # A late message of a change older than what the catch-up read is ignored; a newer one applies.
    with db.session() as session:
        reference_sync.handle(session, change(day, 39), now=clock())
    assert row(db, day).kind == "holiday"
    with db.session() as session:
        reference_sync.handle(session, change(day, 41), now=clock())
    assert row(db, day).kind == "removed"
    assert "morning" in kinds_on(client, reader, day)


def test_intake_wins_for_days_it_removed_and_a_newer_message_wins_over_intake(app, client, reader, db, file, gateway):
    removed = next(e.date for e in file.holidays if e.date.year == file.last_year)
    del gateway.days[removed]  # an administrator deleted a day of the file in intake
    newer = ahead(file, 3, 4)  # a Thursday a message of version 50 already made a day off
    with db.session() as session:
        reference_sync.handle(session, change(newer, 50, "created"), now=dt.datetime.now(dt.UTC))
    gateway.days[newer] = gateway.day(newer, "holiday", "Tên cũ hơn", "Nguồn cũ hơn")
    saturday = ahead(file, 5, 4)  # a make-up Saturday intake lists
    gateway.days[saturday] = gateway.day(saturday, "working_day", "Làm bù (thử)", "Thông báo (thử)")

    output = catch_up(app)
    assert "'intake_version': 40" in output
    assert (row(db, removed).kind, row(db, removed).reference_version) == ("removed", 40)
    assert (row(db, newer).name, row(db, newer).reference_version) == ("Nghỉ", 50)
    assert row(db, saturday).kind == "working_day"
    assert kinds_on(client, reader, saturday) == ["afternoon", "morning", "on_call", "standby", "standby"]
    # The file no longer brings back the day intake removed.
    app.extensions["roster"]["calendar"].seed()
    assert row(db, removed).kind == "removed"


def test_a_year_intake_added_after_the_copy_s_last_is_added_and_a_gap_is_not(app, db, file, gateway):
    following, gap = file.last_year + 1, file.last_year + 3
    for year in (following, gap):
        gateway.years.append({"year": year, "confirmed": False, "source": "Dự kiến (thử)", "note": "dự kiến"})
    gateway.days[dt.date(following, 1, 1)] = gateway.day(dt.date(following, 1, 1), "holiday", "Tết Dương lịch", "luật")
    gateway.days[dt.date(gap, 1, 1)] = gateway.day(dt.date(gap, 1, 1), "holiday", "Tết Dương lịch", "luật")

    catch_up(app)
    with db.session() as session:
        years = {y.year: (y.status, y.sources, y.note) for y in session.scalars(select(CalendarYear))}
    assert years[following] == ("provisional", ["Dự kiến (thử)"], "dự kiến") and gap not in years
    assert row(db, dt.date(following, 1, 1)).kind == "holiday" and row(db, dt.date(gap, 1, 1)) is None
    assert app.extensions["roster"]["calendar"].get().last_year == following


@pytest.mark.parametrize("failure", ["unreachable", "wrong secret", "intake down", "no version"])
def test_without_intake_s_answer_the_catch_up_follows_the_file_and_says_so(
    db, file, gateway, settings, failure, caplog
):
    day = ahead(file, 2, 4)
    gateway.days[day] = gateway.day(day, "holiday", "Ngày nghỉ (thử)", "(thử)")
    if failure == "unreachable":
        gateway.close()
    elif failure == "wrong secret":
        settings = dataclasses.replace(settings, client_secret="not-the-secret")
    elif failure == "intake down":
        gateway.fail["/holidays"] = 503
    else:
        gateway.send_version = False
    with caplog.at_level(logging.WARNING, logger="roster.reference_sync"):
        result = reference_sync.catch_up_with_intake(db, settings)
    assert result["intake_version"] is None
    assert row(db, day) is None  # the file's days only
    assert any("intake could not be asked" in r.getMessage() for r in caplog.records)


def test_a_worker_that_could_not_ask_intake_at_start_asks_again_until_it_has(db, file, gateway, settings):
    day = ahead(file, 2, 4)
    gateway.days[day] = gateway.day(day, "holiday", "Ngày nghỉ (thử)", "(thử)")
    gateway.fail["token"] = 503  # the gateway is starting

    running = worker.build(settings, db)  # starts all the same, from the file
    assert row(db, day) is None
    retry = next(c for c in running.components if getattr(c, "name", "") == "calendar-catch-up")
    retry.func()
    assert row(db, day) is None

    del gateway.fail["token"]
    retry.func()
    assert row(db, day).reference_version == 40
    asked = len(gateway.requests)
    retry.func()  # intake has answered: nothing more to ask
    assert len(gateway.requests) == asked
