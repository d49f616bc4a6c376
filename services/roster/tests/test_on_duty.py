"""Who is on duty: the answer escalation and notify rely on."""

import datetime as dt
import itertools
import json

from roster.duty import domain
from tiepdan_common.calendar import Calendar
from tiepdan_common.clock import LOCAL, today


def local(*args):
    return dt.datetime(*args, tzinfo=LOCAL).isoformat()


def next_weekday(weekday: int, reference_dir=None) -> dt.date:
    """The next such weekday that is not a public holiday."""
    holidays = set()
    if reference_dir is not None:
        holidays = {h["date"] for h in json.loads((reference_dir / "holidays-vn.json").read_text())["holidays"]}
    day = today()
    day += dt.timedelta(days=(weekday - day.weekday()) % 7 or 7)
    while day.isoformat() in holidays:
        day += dt.timedelta(days=7)
    return day


def test_someone_is_on_duty_and_a_leader_on_call_right_now(client, reader):
    resp = client.get("/on-duty", headers=reader)
    assert resp.status_code == 200, resp.json
    body = resp.json
    assert body["officers"], "the demo roster must cover now, whatever the hour"
    assert body["leader_on_call"]["role"] == "leader"
    assert all(c["verified"] for o in body["officers"] for c in o["channels"])


def test_office_hours_shift_has_each_required_role(client, reader, reference_dir):
    tuesday = next_weekday(1, reference_dir)
    body = client.get(
        "/on-duty", query_string={"at": local(tuesday.year, tuesday.month, tuesday.day, 9, 0)}, headers=reader
    ).json
    roles = sorted(o["duty_role"] for o in body["officers"])
    assert roles == ["department", "inspector", "lead", "police"]
    lead = [o for o in body["officers"] if o["duty_role"] == "lead"][0]
    assert lead["agency"] == "BTCD"
    only_police = client.get(
        "/on-duty",
        query_string={"at": local(tuesday.year, tuesday.month, tuesday.day, 9, 0), "role": "police"},
        headers=reader,
    ).json
    # The police desk officer and the police officer on call (midnight to midnight) both answer.
    assert sorted((o["shift_kind"], o["agency"]) for o in only_police["officers"]) == [
        ("morning", "CA"),
        ("on_call", "CA"),
    ]
    assert [o["agency"] for o in body["police_on_call"]] == ["CA"]


def test_shift_boundaries_hand_over_without_gap_or_overlap(client, reader, reference_dir):
    day = next_weekday(2, reference_dir)
    at_end = client.get(
        "/on-duty", query_string={"at": local(day.year, day.month, day.day, 11, 30)}, headers=reader
    ).json
    assert {o["shift_kind"] for o in at_end["officers"]} == {"standby"}
    before = client.get(
        "/on-duty", query_string={"at": local(day.year, day.month, day.day, 11, 29, 59)}, headers=reader
    ).json
    assert {o["shift_kind"] for o in before["officers"]} == {"morning"}


def test_weekends_have_standby_only(client, reader):
    sunday = next_weekday(6)
    body = client.get(
        "/on-duty", query_string={"at": local(sunday.year, sunday.month, sunday.day, 9, 0)}, headers=reader
    ).json
    assert {o["duty_role"] for o in body["officers"]} == {"standby"}
    assert body["leader_on_call"] is not None


def test_rotation_is_fair_within_each_pool():
    rotation = domain.Rotation({("board",): ["a", "b", "c"]})
    taken = [rotation.take(("board",), 1)[0] for _ in range(9)]
    assert {x: taken.count(x) for x in "abc"} == {"a": 3, "b": 3, "c": 3}
    assert rotation.take(("board",), 1, unavailable={"a", "b"}) == ["c"]


def test_day_slots_cover_every_minute_of_a_working_day():
    calendar = Calendar.from_json(
        {
            "years": [{"year": 2024}],
            "holidays": [{"date": "2024-09-02", "name": "QK"}],
            "makeup_working_days": [{"date": "2024-05-04", "name": "Làm bù"}],
        }
    )
    slots = [s for s in domain.day_slots(dt.date(2024, 5, 21), calendar) if s.kind != "on_call"]
    for a, b in itertools.pairwise(slots):
        assert a.ends_at == b.starts_at
    assert slots[-1].ends_at - slots[0].starts_at == dt.timedelta(days=1)
    holiday = domain.day_slots(dt.date(2024, 9, 2), calendar)
    assert [s.kind for s in holiday] == ["on_call", "standby"]
    makeup_saturday = domain.day_slots(dt.date(2024, 5, 4), calendar)  # worked for Monday 29 April
    assert [s.kind for s in makeup_saturday] == ["on_call", "morning", "standby", "afternoon", "standby"]


def test_unauthenticated_and_bad_queries(client, reader):
    assert client.get("/on-duty").status_code == 401
    bad = client.get("/on-duty", query_string={"at": "yesterday"}, headers=reader)
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "at"
    assert client.get("/officers", headers=reader).json[0]["channels"]
    assert client.get("/officers/nobody", headers=reader).status_code == 404


def test_with_on_call_one_answer_holds_what_each_agency_filter_would(client, reader):
    """At night the on-call officers answer for their agencies: one answer with them lets a client (notify, for
    a hot spot across many communes) filter by agency itself instead of asking once per agency."""
    monday = next_weekday(0)
    for hour in (2, 9, 20):
        at = local(monday.year, monday.month, monday.day, hour, 0)
        plain = client.get("/on-duty", query_string={"at": at}, headers=reader).json
        every = client.get("/on-duty", query_string={"at": at, "with_on_call": "true"}, headers=reader).json
        assert {o["code"] for o in plain["officers"]} <= {o["code"] for o in every["officers"]}
        for agency in {o["agency"] for o in every["officers"]} | {"CA", "BTCD"}:
            alone = client.get("/on-duty", query_string={"at": at, "agency": agency}, headers=reader).json
            mine = [o["code"] for o in every["officers"] if o["agency"] == agency]
            assert [o["code"] for o in alone["officers"]] == mine, (hour, agency)
    night = client.get(
        "/on-duty", query_string={"at": local(monday.year, monday.month, monday.day, 2, 0)}, headers=reader
    ).json
    night_every = client.get(
        "/on-duty",
        query_string={"at": local(monday.year, monday.month, monday.day, 2, 0), "with_on_call": "true"},
        headers=reader,
    ).json
    assert len(night_every["officers"]) > len(night["officers"])  # the police officer on call, at least
