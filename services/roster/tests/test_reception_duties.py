"""Reception duties as dated data: the rule in force on each day (issue #22), and delegation."""

import datetime as dt

import pytest

from roster.reception import domain
from roster.reception.duties import DutyBook, assess
from tiepdan_common.clock import LOCAL

D = dt.date


@pytest.fixture
def book(reference_dir):
    return DutyBook.load(reference_dir / "reception-duties.json")


def test_the_commune_chairs_rule_changes_on_1_july_2026(book):
    june, july = book.duty_on("commune_chair", D(2026, 6, 30)), book.duty_on("commune_chair", D(2026, 7, 1))
    assert (june.days, june.per, june.delegation_allowed) == (1, "week", True)
    assert (july.days, july.per, july.delegation_allowed) == (2, "month", False)
    assert "136/2025/QH15" in july.source and july.confirmed is False
    assert book.duty_on("district_chair", D(2025, 6, 30)).days == 2
    assert book.duty_on("district_chair", D(2025, 7, 1)) is None  # no district level any more
    assert book.ahead_on(D(2026, 7, 6)) == 5


def test_assessing_a_month_uses_that_months_rule(book):
    two_july_days = [D(2026, 7, 7), D(2026, 7, 21)]
    assert assess(book, "commune_chair", 2026, 7, two_july_days)["behind"] is False
    june = assess(book, "commune_chair", 2026, 6, [D(2026, 6, 2), D(2026, 6, 16)])  # two of five weeks
    assert (june["required"], june["scheduled"], june["behind"]) == (5, 2, True)
    assert june["missing_weeks"] == ["2026-W24", "2026-W26", "2026-W27"]
    assert assess(book, "district_chair", 2026, 7, []) is None


def test_overlapping_rules_are_refused():
    rule = {
        "obligation": "commune_chair",
        "holder": "x",
        "days": 1,
        "per": "week",
        "delegation_allowed": True,
        "valid_from": "2014-07-01",
        "valid_to": None,
        "source": "s",
    }
    with pytest.raises(ValueError):
        DutyBook.from_json({"duties": [rule, {**rule, "valid_from": "2026-07-01"}], "publication": []})


def test_compliance_for_a_commune_chair_in_june_and_july_2026(client, board, reader, clock):
    clock.set(dt.datetime(2026, 5, 11, 9, 0, tzinfo=LOCAL))

    def publish(officer, day, **extra):
        return client.post(
            "/reception-days", json={"officer": officer, "date": day, "place": "Trụ sở UBND xã", **extra}, headers=board
        )

    for monday in ("2026-06-01", "2026-06-08", "2026-06-15", "2026-06-22", "2026-06-29"):
        assert publish("ct-31690", monday).status_code == 201
    for day in ("2026-07-07", "2026-07-21"):
        assert publish("ct-31690", day).status_code == 201
    assert publish("ct-31693", "2026-07-14").status_code == 201

    def report(month):
        resp = client.get("/reception-days/compliance", query_string={"month": month}, headers=reader)
        assert resp.status_code == 200, resp.json
        return {r["officer"]: r for r in resp.json}

    june, july = report("2026-06"), report("2026-07")
    assert (june["ct-31690"]["per"], june["ct-31690"]["required"], june["ct-31690"]["behind"]) == ("week", 5, False)
    assert "ít nhất 1 ngày trong 1 tuần" in june["ct-31690"]["rule"]
    assert (july["ct-31690"]["per"], july["ct-31690"]["required"], july["ct-31690"]["behind"]) == ("month", 2, False)
    assert july["ct-31690"]["delegation_allowed"] is False and "136/2025/QH15" in july["ct-31690"]["rule"]
    # One July day would have met June's weekly rule for that week; under July's rule it is behind.
    assert (july["ct-31693"]["scheduled"], july["ct-31693"]["behind"]) == (1, True)
    assert "ld-01" not in june  # no district chair's duty after June 2025


def test_a_deputy_may_stand_in_until_the_law_forbids_it(client, board, reader, clock):
    clock.set(dt.datetime(2026, 5, 11, 9, 0, tzinfo=LOCAL))
    deputy = client.post(
        "/officers",
        json={
            "code": "pct-31690",
            "full_name": "Phan Văn Phó",
            "agency": "UBND-31690",
            "role": "leader",
            "title": "Phó Chủ tịch UBND xã Đại Tâm",
        },
        headers=board,
    )
    assert deputy.status_code == 201, deputy.json

    def publish(day, chair="ct-31690"):
        return client.post(
            "/reception-days", json={"officer": "pct-31690", "date": day, "on_behalf_of": chair}, headers=board
        )

    june = publish("2026-06-10")
    assert june.status_code == 201 and june.json["on_behalf_of"] == "ct-31690"
    july = publish("2026-07-08")
    assert july.status_code == 422, july.json
    assert july.json["errors"][0]["field"] == "on_behalf_of" and "136/2025/QH15" in july.json["errors"][0]["message"]
    assert publish("2026-06-11", chair="ct-31693").json["errors"][0]["field"] == "on_behalf_of"  # not their chair
    report = {
        r["officer"]: r
        for r in client.get("/reception-days/compliance", query_string={"month": "2026-06"}, headers=reader).json
    }
    assert report["ct-31690"]["missing_weeks"] == ["2026-W23", "2026-W25", "2026-W26", "2026-W27"]
    beyond = client.get("/reception-days/compliance", query_string={"month": "2028-03"}, headers=reader)
    assert beyond.status_code == 422 and beyond.json["errors"][0]["field"] == "month"


def test_a_province_chair_and_a_provincial_director_have_duties_today(book):
    chair = domain.obligation(agency_kind="leadership", role="leader", title="Chủ tịch UBND thành phố", unit="92")
    assert chair == "province_chair" and book.duty_on(chair, D(2026, 7, 1)).days == 1
    assert (
        domain.obligation(agency_kind="leadership", role="leader", title="Chủ tịch UBND huyện", unit="947")
        == "district_chair"
    )
    assert (
        domain.obligation(agency_kind="department", role="department", title="Giám đốc Sở Tài chính")
        == "department_head"
    )
