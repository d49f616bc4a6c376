"""An administrator adds a holiday and a legal rule through the gateway, and every service applies them
within seconds: intake's petition deadlines move, roster's working day becomes a day off (issue 22).

The changes are made on days no other test uses (August 2026, and a Wednesday some six weeks ahead),
and taken back at the end, because the system is shared by the whole session.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from harness import ROOT

from tiepdan_common.calendar import Calendar
from tiepdan_common.clock import LOCAL
from tiepdan_common.testing import wait_for

FILE = Calendar.load(ROOT / "reference" / "holidays-vn.json")
RECEIVED = dt.date(2026, 8, 3)  # a Monday; no day off in August 2026
PAST_HOLIDAY = dt.date(2026, 8, 5)  # a Wednesday inside the petition's ten working days
RULE = "deadline.petition_response_working_days"


def _secret(demo: dict, client_id: str) -> str:
    return next(c["client_secret"] for c in demo["clients"] if c["client_id"] == client_id)


def _ahead_wednesday(days: int = 40) -> dt.date:
    day = dt.datetime.now(LOCAL).date() + dt.timedelta(days=days)
    while day.weekday() != 2 or FILE.entry(day) is not None:
        day += dt.timedelta(days=1)
    return day


@pytest.fixture(scope="module")
def commune(system, demo):
    return system.token("commune-31708", _secret(demo, "commune-31708"))


def petition(system, token) -> dict:
    resp = system.call(
        "POST",
        "/api/v1/intake/petitions",
        token,
        headers={"Idempotency-Key": uuid.uuid4().hex},
        json={
            "channel": "post",
            "category": "recommendation",
            "field": "land",
            "origin_unit": "31708",
            "received_at": f"{RECEIVED.isoformat()}T09:00:00+07:00",
            "content": f"Kiến nghị sửa đường liên ấp ({uuid.uuid4().hex[:6]})",
            "senders": [{"full_name": "Lê Văn Bảy", "address": "Ấp Phước Hòa", "is_representative": True}],
        },
    )
    assert resp.status_code == 201, resp.text
    return resp.json()


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


def test_an_administrators_holiday_and_rule_reach_intake_and_roster(system, admin_token, commune):
    source = "Quyết định thử nghiệm của quản trị viên (kiểm thử hệ thống)"
    before = petition(system, commune)
    assert before["inform_deadline"] == FILE.add_working_days(RECEIVED, 10).isoformat()
    future = _ahead_wednesday()
    assert "morning" in kinds_on(system, admin_token, future)
    try:
        # A day off in the petition's ten working days: intake's next petition counts one day more.
        for day in (PAST_HOLIDAY, future):
            resp = system.call(
                "PUT",
                f"/api/v1/intake/holidays/{day.isoformat()}",
                admin_token,
                json={"name": "Ngày nghỉ do tỉnh công bố", "kind": "holiday", "source": source},
            )
            assert resp.status_code == 200, resp.text
        wait_for(
            lambda: petition(system, commune)["inform_deadline"] == "2026-08-18",
            timeout=10,
            message="intake did not apply the holiday",
        )

        # Roster: the day is a day off in its calendar, and the future one loses its office hours.
        wait_for(
            lambda: (roster_day(system, admin_token, PAST_HOLIDAY) or {}).get("kind") == "day_off",
            timeout=10,
            message="roster did not apply the holiday",
        )
        # Each change is its own event, applied in order: the second may land a moment after the first.
        wait_for(
            lambda: (roster_day(system, admin_token, future) or {}).get("source") == source,
            timeout=10,
            message="roster did not apply the second holiday",
        )
        wait_for(
            lambda: kinds_on(system, admin_token, future) == ["on_call", "standby"],
            timeout=10,
            message="roster did not regenerate the day's shifts",
        )

        # A legal rule in force from the day of receipt: twelve working days, for that one day only.
        in_force = [
            r
            for r in system.call("GET", "/api/v1/intake/legal-rules", admin_token).json()
            if r["key"] == RULE and r["effective_from"] <= RECEIVED.isoformat()
        ]
        old = max(in_force, key=lambda r: r["effective_from"])["value"]
        for on, value in ((RECEIVED, 12), (RECEIVED + dt.timedelta(days=1), old)):
            resp = system.call(
                "POST",
                "/api/v1/intake/legal-rules",
                admin_token,
                json={"key": RULE, "effective_from": on.isoformat(), "value": value, "source": source},
            )
            assert resp.status_code == 201, resp.text
        wait_for(
            lambda: petition(system, commune)["inform_deadline"] == "2026-08-20",
            timeout=10,
            message="intake did not apply the rule",
        )

        # Each change is audited with who made it.
        changes = system.call("GET", "/api/v1/intake/reference-changes", admin_token).json()
        assert {(c["table_name"], c["record_key"]) for c in changes} >= {
            ("holidays", PAST_HOLIDAY.isoformat()),
            ("legal_rules", f"{RULE}@{RECEIVED.isoformat()}"),
        }
    finally:
        for day in (PAST_HOLIDAY, future):
            system.call(
                "DELETE", f"/api/v1/intake/holidays/{day.isoformat()}", admin_token, params={"reason": "kiểm thử xong"}
            )
    wait_for(
        lambda: roster_day(system, admin_token, future) is None and "morning" in kinds_on(system, admin_token, future),
        timeout=10,
        message="roster did not take the deleted holiday back",
    )
