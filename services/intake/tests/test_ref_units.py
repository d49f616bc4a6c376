"""Units are dated versions: a record keeps the version in force on its day (issue 22)."""

import datetime as dt

import pytest

from intake.reference import service as reference
from tiepdan_common.calendar import CalendarRangeError
from tiepdan_common.testing import identity_headers

WRITE = ("reference:read", "visits:read", "visits:write")  # as the gateway signs a commune's desk


def desk(kind, unit):
    return identity_headers(subject=f"{kind}-{unit}", kind=kind, unit=unit, officer=f"{kind}-{unit}", permissions=WRITE)


def test_the_abolished_district_is_refused_for_a_visit_in_august_2026(client, board, visit_body):
    late = client.post("/visits", json=visit_body(received_at="2026-08-03T09:00:00+07:00"), headers=board)
    assert late.status_code == 422 and late.json["errors"][0]["field"] == "receiving_unit"
    assert "947" in late.json["errors"][0]["message"] and "2026-08-03" in late.json["errors"][0]["message"]
    origin = client.post(
        "/visits",
        headers=desk("commune", "31684"),
        json=visit_body(
            origin_unit="31690",
            received_at="2026-08-03T09:00:00+07:00",
            citizens=[{"full_name": "Trần Văn Một", "id_number": "094000000001"}],
        ),
    )
    assert origin.status_code == 422 and origin.json["errors"][0]["field"] == "origin_unit"


def test_a_merged_commune_on_30_june_and_on_1_july_2025(client, visit_body):
    june = client.post(
        "/visits", headers=desk("commune", "31690"), json=visit_body(received_at="2025-06-30T09:00:00+07:00")
    )
    assert june.status_code == 201, june.json
    july = client.post(
        "/visits", headers=desk("commune", "31690"), json=visit_body(received_at="2025-07-01T09:00:00+07:00")
    )
    assert july.status_code == 422 and july.json["errors"][0]["field"] == "receiving_unit"
    # The ward that succeeded it keeps the town's code 31684 under Cần Thơ: two versions of one code.
    old = client.post(
        "/visits",
        headers=desk("commune", "31684"),
        json=visit_body(origin_unit="31684", received_at="2025-06-30T09:00:00+07:00"),
    ).json
    new = client.post(
        "/visits",
        headers=desk("commune", "31684"),
        json=visit_body(origin_unit="31684", received_at="2025-07-01T09:00:00+07:00"),
    ).json
    assert old["receiving_unit"] == new["receiving_unit"] == "31684"
    assert old["receiving_unit_id"] != new["receiving_unit_id"]
    units = {(u["code"], u["valid_from"]): u for u in client.get("/units", headers=desk("commune", "31684")).json}
    assert (
        units[("31684", "2024-01-01")]["parent_code"] == "947"
        and units[("31684", "2024-01-01")]["valid_to"] == "2025-06-30"
    )
    assert units[("31684", "2025-07-01")]["parent_code"] == "92" and units[("31684", "2025-07-01")]["valid_to"] is None
    today = {
        u["code"]
        for u in client.get("/units", query_string={"on": "2026-08-03"}, headers=desk("commune", "31684")).json
    }
    assert "947" not in today and {"92", "31684"} <= today


def test_over_level_is_counted_in_the_tree_of_the_day(client, visit_body):
    # 2024: province -> district -> commune: a commune's matter at the province skips the district.
    before = client.post(
        "/visits", headers=desk("province", "94"), json=visit_body(receiving_unit="94", origin_unit="31690")
    ).json
    assert before["over_level"] is True
    # From 1 July 2025: province -> commune: the province is the next level up.
    after = client.post(
        "/visits",
        headers=desk("province", "92"),
        json=visit_body(receiving_unit="92", origin_unit="31684", received_at="2025-08-04T09:00:00+07:00"),
    ).json
    assert after["over_level"] is False


def test_statistics_of_a_successor_include_its_predecessors_records(client, board, visit_body):
    client.post("/visits", headers=board, json=visit_body(origin_unit="31690"))  # Đại Tâm, 2024
    client.post("/visits", headers=desk("commune", "31690"), json=visit_body())  # at Đại Tâm's desk
    client.post("/visits", headers=desk("commune", "31729"), json=visit_body(origin_unit="31729"))  # Hòa Tú II
    client.post(
        "/visits",
        headers=desk("commune", "31684"),
        json=visit_body(origin_unit="31684", received_at="2025-08-04T09:00:00+07:00"),
    )
    period = {"from": "2024-01-01T00:00:00+07:00", "to": "2026-12-01T00:00:00+07:00"}
    plain = client.get("/visits/statistics", headers=board, query_string={**period, "unit": "31684"}).json
    assert plain["total"] == 1
    rolled = client.get(
        "/visits/statistics", headers=board, query_string={**period, "unit": "31684", "include_predecessors": "true"}
    ).json
    assert rolled["total"] == 3 and rolled["by_origin_unit"] == {"31684": 1, "31690": 2}
    listed = client.get("/visits", headers=board, query_string={"unit": "31684", "include_predecessors": "true"}).json
    assert len(listed["items"]) == 3


def test_the_calendar_knows_make_up_saturdays_and_refuses_unknown_years(app):
    with app.extensions["tiepdan"]["db"].session() as session:
        calendar = reference.calendar(db_session=session)
        assert calendar.is_working_day(dt.date(2025, 4, 26))  # Saturday worked for Friday 2 May 2025
        assert not calendar.is_working_day(dt.date(2025, 5, 2))
        assert calendar.add_working_days(dt.date(2025, 4, 25), 1) == dt.date(2025, 4, 26)
        with pytest.raises(CalendarRangeError):
            calendar.is_working_day(dt.date(2031, 1, 2))
