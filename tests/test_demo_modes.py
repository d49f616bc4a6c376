"""The two demos, end to end through the gateway: today's structure records today's visits at the communes in
force, and the 2024 plan's district records its visits in the 7th session with every clock placed there.

A unit's validity is enforced by each record's date: the district and its abolished communes in June 2024,
Cần Thơ and the communes that succeeded them today.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from harness import ROOT, System

from tiepdan_common.clock import LOCAL, offset_to

PLAN = json.loads((ROOT / "demo" / "demo-2024.json").read_text("utf-8"))
PLAN_START = dt.datetime(2024, 6, 10, 8, 0, tzinfo=LOCAL)  # a Monday of the 7th session (20 May to 29 June 2024)


def visit(*, origin: str | None = None, id_number: str | None = None) -> dict:
    citizen = {"full_name": "Lê Văn Bảy", "is_representative": True}
    if id_number:
        citizen["id_number"] = id_number
    body = {
        "category": "complaint",
        "field": "land",
        "group_size": 6,
        "content": "Khiếu nại việc bồi thường khi thu hồi đất làm đường",
        "citizens": [citizen],
        "outcome": {"type": "documents_taken"},
    }
    if origin:
        body["origin_unit"] = origin
    return body


def _secret(demo: dict, client_id: str) -> str:
    return next(c["client_secret"] for c in demo["clients"] if c["client_id"] == client_id)


def test_today_a_successor_commune_records_and_an_abolished_one_is_refused(system, demo, board_token):
    commune = system.token("commune-31708", _secret(demo, "commune-31708"))
    resp = system.call("POST", "/api/v1/intake/visits", commune, json=visit(id_number="094080009999"))
    assert resp.status_code == 201, resp.text
    assert resp.json()["receiving_unit"] == "31708"

    # Xã Tham Đôn (31693) was merged on 1 July 2025: a matter from it today is refused, naming the field.
    resp = system.call(
        "POST", "/api/v1/intake/visits", board_token, json=visit(origin="31693", id_number="094080009998")
    )
    assert resp.status_code == 422, resp.text
    assert any(e["field"] == "origin_unit" for e in resp.json()["errors"])
    assert not any(c["client_id"].endswith("31693") for c in demo["clients"])


@pytest.fixture(scope="module")
def plan_system(tmp_path_factory):
    system = System(tmp_path_factory.mktemp("plan-2024"))
    system.demo_file = ROOT / "demo" / "demo-2024.json"
    system.extra_env["TIEPDAN_CLOCK_OFFSET_SECONDS"] = str(round(offset_to(PLAN_START)))
    try:
        system.prepare()
        system.start_all()
        yield system
    except BaseException:
        print(system.logs(60))
        raise
    finally:
        system.close()


def test_the_2024_plan_records_at_the_district_communes_in_the_session(plan_system):
    commune = plan_system.token("commune-31690", _secret(PLAN, "commune-31690"))
    # Before 1 July 2026 no identity document is required.
    resp = plan_system.call("POST", "/api/v1/intake/visits", commune, json=visit())
    assert resp.status_code == 201, resp.text
    recorded = resp.json()
    received = dt.datetime.fromisoformat(recorded["received_at"]).astimezone(LOCAL)
    assert received.date() == PLAN_START.date() and recorded["receiving_unit"] == "31690"
    assert recorded["serial"].startswith("31690/2024/")

    board = plan_system.token("district-board", _secret(PLAN, "district-board"))
    on_duty = plan_system.call("GET", "/api/v1/roster/on-duty", board)
    assert on_duty.status_code == 200, on_duty.text
    assert on_duty.json()["officers"], "nobody on duty in the 7th session's roster"
