"""Province request, task and dialogue rules, without a server."""

import datetime as dt

from escalation.dialogue import domain as dialogues
from escalation.province import domain as province
from escalation.summary.service import period
from escalation.task import domain as tasks

NOW = dt.datetime(2026, 11, 26, 3, 0, tzinfo=dt.UTC)
OFFICERS = {
    "ttr-01": {"agency": "TTR", "active": True},
    "btcd-01": {"agency": "BTCD", "active": True},
    "ct-31690": {"agency": "UBND-31690", "active": True},
    "old-01": {"agency": "TTR", "active": False},
}


def test_each_assignment_takes_an_active_officer_of_its_agency():
    assert province.assignee_problem("inspectorate", "ttr-01", OFFICERS, "31690") is None
    assert province.assignee_problem("board", "ttr-01", OFFICERS, "31690") == "ttr-01 is not an officer of BTCD"
    assert province.assignee_problem("commune", "ct-31690", OFFICERS, "31690") is None
    assert province.assignee_problem("commune", "ct-31690", OFFICERS, "31693") is not None
    assert province.assignee_problem("commune", "ct-31690", OFFICERS, None) is None  # any commune's committee
    assert "no longer" in province.assignee_problem("inspectorate", "old-01", OFFICERS, None)
    assert "not an officer" in province.officer_problem("Anh Tư", OFFICERS)


def test_citizens_return_after_receipt_and_dispatch_and_not_in_the_future():
    received, sent = NOW - dt.timedelta(hours=5), NOW - dt.timedelta(hours=3)

    def check(at):
        return province.returned_problem(returned_at=at, received_at=received, dispatched_at=sent, now=NOW)

    assert check(NOW - dt.timedelta(hours=6)) == "before the request was received"
    assert check(NOW - dt.timedelta(hours=4)) == "before the officers were sent"
    assert check(NOW + dt.timedelta(minutes=2)) is None  # a phone's clock a little ahead
    assert check(NOW + dt.timedelta(hours=1)) == "in the future"


def test_the_alarm_tells_each_officer_once_and_the_leader_on_call():
    targets = province.alarm_targets({"inspectorate": "ttr-01", "board": "btcd-01"}, ["btcd-01", "ca-01"])
    assert [t["value"] for t in targets] == ["ttr-01", "btcd-01", "ca-01", None]
    assert targets[-1]["type"] == "leader_on_call"


def test_due_and_dialogue_dates_are_plausible():
    assert tasks.due_problem(NOW - dt.timedelta(days=1), NOW) == "already past"
    assert tasks.due_problem(NOW + dt.timedelta(days=400), NOW) == "more than a year ahead"
    assert tasks.overdue(status="open", due_at=NOW - dt.timedelta(seconds=1), now=NOW)
    assert not tasks.overdue(status="done", due_at=NOW - dt.timedelta(days=1), now=NOW)
    assert dialogues.scheduled_problem(NOW.replace(year=2062), NOW) == "more than a year ahead"
    assert dialogues.held_problem(NOW + dt.timedelta(hours=1), NOW) == "in the future"


def test_a_dates_summary_covers_the_24_hours_to_its_hour_in_viet_nam():
    start, end = period(dt.date(2026, 11, 26), 17)
    assert end == dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC) and end - start == dt.timedelta(days=1)
