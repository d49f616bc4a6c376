"""The map and the law in force on each record's day, through the gateway (issue 22).

A unit is in force on a record's date or refused; statistics of a successor commune include its
predecessors' records; "over level" is counted in the tree of the day (province → district → commune
until 30 June 2025, province → commune from 1 July 2025); a make-up Saturday is a working day inside a
deadline; a commune chair's reception duty changes on 1 July 2026.

Records are dated in the past, on days no other test uses, and carry unique content.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from harness import ROOT

from tiepdan_common.calendar import Calendar
from tiepdan_common.clock import LOCAL

CALENDAR = Calendar.load(ROOT / "reference" / "holidays-vn.json")


def _at(day: str, hour: int = 9) -> str:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=LOCAL).isoformat()


def visit(*, receiving: str, origin: str, day: str, hour: int = 9) -> dict:
    citizen = {"full_name": "Trần Thị Tám", "is_representative": True}
    if day >= "2026-07-01":  # identification is required at reception from 1 July 2026
        citizen["id_number"] = f"0940{uuid.uuid4().int % 10**8:08d}"
    return {
        "receiving_unit": receiving,
        "origin_unit": origin,
        "received_at": _at(day, hour),
        "category": "recommendation",
        "field": "land",
        "content": f"Kiến nghị nạo vét kênh thủy lợi ({uuid.uuid4().hex[:8]})",
        "citizens": [citizen],
        "outcome": {"type": "documents_taken"},
    }


def post_visit(system, token, **kwargs):
    return system.call(
        "POST",
        "/api/v1/intake/visits",
        token,
        headers={"Idempotency-Key": uuid.uuid4().hex},
        json=visit(**kwargs),
    )


def _fields(resp) -> set[str]:
    return {e["field"] for e in resp.json().get("errors", [])}


def test_a_merged_commune_records_on_30_june_2025_and_its_successor_from_1_july(system, board_token):
    # Xã Đại Tâm (31690) and huyện Mỹ Xuyên (947) are in force until 30 June 2025.
    resp = post_visit(system, board_token, receiving="947", origin="31690", day="2025-06-30", hour=16)
    assert resp.status_code == 201, resp.text
    assert (resp.json()["receiving_unit"], resp.json()["origin_unit"]) == ("947", "31690")

    # On 1 July 2025 both are gone: each is refused by name.
    resp = post_visit(system, board_token, receiving="947", origin="31690", day="2025-07-01", hour=8)
    assert resp.status_code == 422, resp.text
    assert {"receiving_unit", "origin_unit"} & _fields(resp)
    resp = post_visit(system, board_token, receiving="92", origin="31690", day="2025-07-01", hour=8)
    assert resp.status_code == 422, resp.text
    assert "origin_unit" in _fields(resp)

    # Its successor, phường Mỹ Xuyên (31684 under Cần Thơ), records from 1 July 2025.
    resp = post_visit(system, board_token, receiving="92", origin="31684", day="2025-07-01", hour=8)
    assert resp.status_code == 201, resp.text


def test_statistics_of_a_successor_commune_include_its_predecessors(system, board_token):
    day = "2025-06-23"
    for origin in ("31690", "31690", "31684"):
        resp = post_visit(system, board_token, receiving="947", origin=origin, day=day)
        assert resp.status_code == 201, resp.text
    resp = post_visit(system, board_token, receiving="92", origin="31684", day="2025-07-02")
    assert resp.status_code == 201, resp.text

    def stats(**params):
        resp = system.call(
            "GET",
            "/api/v1/intake/visits/statistics",
            board_token,
            params={"from": _at("2025-06-23", 0), "to": _at("2025-07-03", 0), **params},
        )
        assert resp.status_code == 200, resp.text
        return resp.json()

    own = stats(unit="31684")
    rolled = stats(unit="31684", include_predecessors="true")
    # By today's unit, the two visits from Đại Tâm before the merger count for phường Mỹ Xuyên.
    assert rolled["total"] - own["total"] >= 2, (own, rolled)
    assert rolled["by_origin_unit"].get("31690", 0) >= 2


@pytest.mark.parametrize(
    ("day", "province", "commune", "over_level"),
    [
        ("2025-06-24", "94", "31690", True),  # Sóc Trăng → Mỹ Xuyên → Đại Tâm: two levels up
        ("2025-07-03", "92", "31684", False),  # Cần Thơ → phường Mỹ Xuyên: one level up
    ],
)
def test_a_commune_matter_at_the_province_is_over_level_only_in_the_three_tier_tree(
    system, board_token, day, province, commune, over_level
):
    resp = post_visit(system, board_token, receiving=province, origin=commune, day=day)
    assert resp.status_code == 201, resp.text
    assert resp.json()["over_level"] is over_level


def test_a_make_up_saturday_is_a_working_day_inside_a_petition_deadline(system, board_token):
    # Thứ Sáu 02/01/2026 was swapped for thứ Bảy 10/01/2026 (Văn bản 12729/VPCP-KGVX).
    saturday = dt.date(2026, 1, 10)
    assert CALENDAR.is_working_day(saturday)
    resp = system.call(
        "POST",
        "/api/v1/intake/petitions",
        board_token,
        headers={"Idempotency-Key": uuid.uuid4().hex},
        json={
            "channel": "post",
            "category": "recommendation",
            "field": "land",
            "receiving_unit": "92",
            "origin_unit": "31684",
            "received_at": _at("2026-01-05"),
            "content": f"Kiến nghị sửa cầu dân sinh ({uuid.uuid4().hex[:8]})",
            "senders": [{"full_name": "Lê Văn Bảy", "address": "Khóm 3", "is_representative": True}],
        },
    )
    assert resp.status_code == 201, resp.text
    # Ten working days after Monday 5 January: the 6th to the 9th, the make-up Saturday, the 12th to the 16th.
    assert resp.json()["inform_deadline"] == "2026-01-16"


def test_a_commune_chairs_reception_duty_changes_on_1_july_2026(system, admin_token):
    def duty(month: str) -> dict:
        resp = system.call("GET", "/api/v1/roster/reception-days/compliance", admin_token, params={"month": month})
        assert resp.status_code == 200, resp.text
        return next(row for row in resp.json() if row["officer"] == "ct-31708")

    june, july = duty("2026-06"), duty("2026-07")
    # June 2026: one day a week (five Mondays), a deputy may stand in.
    assert (june["per"], june["required"], june["delegation_allowed"]) == ("week", 5, True)
    # July 2026 (Luật 136/2025/QH15): two days a month, in person.
    assert (july["per"], july["required"], july["delegation_allowed"]) == ("month", 2, False)
    assert "136/2025/QH15" in july["rule"]
