"""Periodic reports in the official forms, computed from records these tests create and compared with a hand
count figure by figure; merged units' records roll up into today's unit; every figure opens to its records."""

from tiepdan_common.testing import identity_headers

# The 2025 year report runs from 15/12/2024 to 14/12/2025 (cut-offs of reference/report-periods.json).
VISITS = [
    # (desk, local time, group size, category, outcome, reception kind, subject)
    ("31684", "2024-12-10T08:00:00", 1, "complaint", "documents_taken", None, "before"),  # outside the period
    ("31684", "2024-12-16T08:00:00", 1, "complaint", "documents_taken", None, "duong-a"),
    ("31684", "2025-02-03T09:00:00", 7, "complaint", "documents_taken", "periodic", "dat-b"),
    ("31690", "2025-03-04T09:00:00", 2, "recommendation", "guided", None, "cau-c"),
    ("31690", "2025-05-05T09:00:00", 12, "denunciation", "documents_taken", "unscheduled", "can-bo-d"),
    ("31693", "2025-05-06T09:00:00", 3, "complaint", "documents_taken", None, "elsewhere"),  # not merged into 31684
    ("31684", "2025-08-05T09:00:00", 1, "feedback", "explained_closed", None, "den-e"),
    ("31684", "2025-12-15T09:00:00", 1, "complaint", "documents_taken", None, "after"),  # next period
]


def _headers(unit):
    return identity_headers(
        subject=f"desk-{unit}",
        kind="commune",
        unit=unit,
        officer=f"desk-{unit}",
        permissions=("visits:read", "visits:write", "petitions:read", "petitions:write"),
    )


def _record(client, visit_body, desk, at, size, category, outcome, subject, **extra):
    body = visit_body(
        size=size,
        category=category,
        received_at=f"{at}+07:00",
        origin_unit=desk,
        subject=subject,
        outcome={"type": outcome, **({"competent_body": "Phòng TN&MT"} if outcome == "guided" else {})},
        **extra,
    )
    resp = client.post("/visits", json=body, headers=_headers(desk))
    assert resp.status_code == 201, resp.json
    return resp.json


def _total(report):
    total = report["rows"][-1]
    assert total["total"] and total["unit_name"] == "Tổng cộng"
    return {c["column"]: c for c in total["cells"]}


def test_reception_report_matches_a_hand_count_and_rolls_up_merged_communes(client, visit_body):
    made = []
    for desk, at, size, category, outcome, kind, subject in VISITS:
        visit = _record(client, visit_body, desk, at, size, category, outcome, subject)
        if kind:
            marked = client.put(
                f"/official/visits/{visit['id']}/reception-kind",
                headers=_headers(desk),
                json={"kind": kind, "leader": "Chủ tịch UBND"},
            )
            assert marked.status_code == 200 and marked.json["kind_name"].startswith("Tiếp"), marked.json
        made.append((visit, desk, at, size, category, outcome, kind or "regular"))
    # A second visit about the matter first received before the period: an old matter (vụ việc cũ).
    again = _record(
        client,
        visit_body,
        "31684",
        "2025-09-09T09:00:00",
        1,
        "complaint",
        "documents_taken",
        "before",
        repeat_of=made[0][0]["id"],
    )
    assert again["repeat_of"] == made[0][0]["id"]
    made.append((again, "31684", "2025-09-09", 1, "complaint", "documents_taken", "regular"))

    board = identity_headers(
        subject="p-31684",
        kind="commune",
        unit="31684",
        officer="p-31684",
        permissions=("visits:read", "petitions:read"),
    )
    resp = client.get(
        "/official/reports/reception", headers=board, query_string={"period": "year", "year": 2025, "unit": "31684"}
    )
    assert resp.status_code == 200, resp.json
    report = resp.json
    assert (report["period"]["start"], report["period"]["end"]) == ("2024-12-15", "2025-12-14")
    assert set(report["units_included"]) == {"31684", "31690"}
    assert set(report["units_included_names"]) == {"Phường Mỹ Xuyên", "Xã Đại Tâm"}
    assert report["heading"]["issuing_body"] == "ỦY BAN NHÂN DÂN PHƯỜNG MỸ XUYÊN"
    assert report["heading"]["place_date"].startswith("Mỹ Xuyên, ngày ")

    # The hand count over what this test recorded.
    inside = [m for m in made if m[1] in ("31684", "31690") and "2024-12-15" <= m[2][:10] <= "2025-12-14"]
    assert len(inside) == 6
    total = _total(report)
    for kind in ("regular", "periodic", "unscheduled"):
        mine = [m for m in inside if m[6] == kind]
        assert total[f"{kind}.visits"]["value"] == len(mine), kind
        assert total[f"{kind}.people"]["value"] == sum(m[3] for m in mine), kind
        assert total[f"{kind}.groups"]["value"] == sum(1 for m in mine if m[3] >= 5), kind
        assert {r["number"] for r in total[f"{kind}.visits"]["records"]} == {m[0]["serial"] for m in mine}
    assert total["regular.visits"]["value"] == 4 and total["regular.people"]["value"] == 5
    assert total["periodic.groups"]["value"] == 1 and total["periodic.group_people"]["value"] == 7
    assert total["unscheduled.group_people"]["value"] == 12
    # The visit about "before" is an old matter; the five others are new matters (one each).
    assert total["regular.matters_old"]["value"] == 1
    assert [r["number"] for r in total["regular.matters_old"]["records"]] == [again["serial"]]
    assert total["regular.matters_new"]["value"] == 3
    assert total["content.complaint"]["value"] == 3  # three matters: duong-a, dat-b, before
    assert total["content.denunciation"]["value"] == 1 and total["content.recommendation"]["value"] == 2
    assert total["result.guided"]["value"] == 1 and total["result.explained_closed"]["value"] == 1
    assert total["result.documents_taken"]["value"] == 4
    # Rows per desk: the merged commune's own row holds its two visits.
    by_unit = {r["unit"]: r for r in report["rows"] if not r["total"]}
    assert set(by_unit) == {"31684", "31690"} and by_unit["31690"]["unit_name"] == "Xã Đại Tâm"
    assert sum(c["value"] for c in by_unit["31690"]["cells"] if c["column"].endswith(".visits")) == 2

    figures = client.get(
        "/official/reports/reception",
        headers=board,
        query_string={"period": "year", "year": 2025, "unit": "31684", "records": "false"},
    ).json
    assert [c["value"] for c in figures["rows"][-1]["cells"]] == [c["value"] for c in report["rows"][-1]["cells"]]
    assert all("records" not in c for r in figures["rows"] for c in r["cells"])

    # Without the predecessors, only the desk's own code.
    alone = client.get(
        "/official/reports/reception",
        headers=board,
        query_string={"period": "year", "year": 2025, "unit": "31684", "include_predecessors": "false"},
    ).json
    assert sum(c["value"] for c in alone["rows"][-1]["cells"] if c["column"].endswith(".visits")) == 4


def _step(client, headers, pid, **body):
    resp = client.post(f"/petitions/{pid}/steps", json=body, headers=headers)
    assert resp.status_code == 201, resp.json
    return resp.json


def test_handling_and_resolution_forms_match_a_hand_count(client, board, petition_body):
    def petition(day, category="complaint", **extra):
        resp = client.post(
            "/petitions",
            headers=board,
            json=petition_body(received_at=f"{day}T09:00:00+07:00", category=category, origin_unit="31684", **extra),
        )
        assert resp.status_code == 201, resp.json
        return resp.json["id"] if "id" in resp.json else resp.json["items"][0]["id"]

    # Before the second quarter of 2026 (15/3 to 14/6): accepted in March, resolved in the quarter.
    old = petition("2026-03-02")
    _step(client, board, old, step="accept", taken_on="2026-03-05", complexity="normal")
    upheld = petition("2026-03-20")
    _step(client, board, upheld, step="accept", taken_on="2026-03-25", complexity="normal")
    _step(client, board, upheld, step="resolve", taken_on="2026-04-20", outcome="upheld", resolution="Đúng")
    _step(client, board, old, step="resolve", taken_on="2026-04-22", outcome="rejected", resolution="Sai")
    forwarded = petition("2026-04-01")
    _step(
        client,
        board,
        forwarded,
        step="forward",
        taken_on="2026-04-03",
        to_body="UBND tỉnh",
        letter_number="5/BTCD",
        letter_date="2026-04-03",
    )
    guided = petition("2026-04-02", category="recommendation")
    _step(client, board, guided, step="guide", taken_on="2026-04-06", to_body="Phòng Tư pháp")
    pending = petition("2026-05-04")
    _step(client, board, pending, step="accept", taken_on="2026-05-06", complexity="normal")
    denounced = petition("2026-04-10", category="denunciation")
    _step(client, board, denounced, step="accept", taken_on="2026-04-13")
    _step(
        client,
        board,
        denounced,
        step="resolve",
        taken_on="2026-05-20",
        outcome="partly_upheld",
        resolution="Tố cáo đúng một phần",
    )
    waiting = petition("2026-06-01")  # received, not handled yet at the end of the quarter
    petition("2026-06-20")  # after the quarter
    # Anonymous and filed before the quarter (never handled as a petition): not carried over into it.
    petition("2026-03-03", category="denunciation", anonymous=True, senders=[])

    query = {"period": "quarter", "year": 2026, "number": 2, "unit": "92"}  # the units in force in 2026
    handling = client.get("/official/reports/handling", headers=board, query_string=query)
    assert handling.status_code == 200, handling.json
    total = _total(handling.json)
    # Hand count: received in the quarter: upheld, forwarded, guided, pending, denounced, waiting (6); carried
    # over: none (old was handled, accepted, on 5 March, before the quarter began).
    assert total["total"]["value"] == 6 and total["carried_over"]["value"] == 0
    assert total["eligible.complaint"]["value"] == 4 and total["eligible.recommendation"]["value"] == 1
    assert total["eligible.denunciation"]["value"] == 1 and total["competent.denunciation"]["value"] == 1
    assert total["competent.complaint"]["value"] == 2  # upheld, pending
    assert total["not_competent.forwarded"]["value"] == 1 and total["not_competent.guided"]["value"] == 1
    assert total["handled"]["value"] == 5  # waiting was not handled
    ids = {r["id"] for r in total["total"]["records"]}
    assert ids == {upheld, forwarded, guided, pending, denounced, waiting}

    complaints = client.get("/official/reports/complaint_resolution", headers=board, query_string=query).json
    total = _total(complaints)
    # Hand count: competent complaints pending during the quarter: old (carried over), upheld, pending.
    assert total["total"]["value"] == 3 and total["carried_over"]["value"] == 1
    assert [r["id"] for r in total["carried_over"]["records"]] == [old]
    assert total["resolved"]["value"] == 2 and total["upheld"]["value"] == 1 and total["rejected"]["value"] == 1
    assert total["open"]["value"] == 1 and [r["id"] for r in total["open"]["records"]] == [pending]
    assert complaints["code"] == "Biểu số 03/KQGQ"
    denunciations = _total(
        client.get("/official/reports/denunciation_resolution", headers=board, query_string=query).json
    )
    assert denunciations["total"]["value"] == 1 and denunciations["partly_upheld"]["value"] == 1
    assert denunciations["upheld"]["value"] == 0 and [r["id"] for r in denunciations["resolved"]["records"]] == [
        denounced
    ]
    assert [c["number"] for c in complaints["columns"]] == list(range(1, len(complaints["columns"]) + 1))


def test_periods_are_data_and_bad_periods_name_their_field(client, board):
    found = client.get("/official/periods", query_string={"year": 2025}, headers=board)
    assert found.status_code == 200
    first = found.json["items"][0]
    assert (first["start"], first["end"], first["label"]) == ("2024-12-15", "2025-03-14", "Quý I năm 2025")
    assert "09/2019" in first["basis"] and first["confirmed"] is False
    for query, field in (
        ({"period": "quarter", "year": 2025, "number": 5}, "number"),
        ({"period": "quarter", "year": 2025}, "number"),
        ({"period": "year"}, "year"),
        ({"from": "2025-01-01"}, "to"),
        ({"from": "2025-02-01", "to": "2025-01-01"}, "to"),
        ({"period": "month"}, "period"),
    ):
        resp = client.get("/official/reports/reception", headers=board, query_string=query)
        assert resp.status_code == 422, (query, resp.json)
        assert resp.json["errors"][0]["field"] == field, (query, resp.json)
    assert (
        client.get(
            "/official/reports/nothing", headers=board, query_string={"period": "year", "year": 2025}
        ).status_code
        == 404
    )
    bad_unit = client.get(
        "/official/reports/reception", headers=board, query_string={"period": "year", "year": 2025, "unit": "99999"}
    )
    assert bad_unit.status_code == 422 and bad_unit.json["errors"][0]["field"] == "unit"
    bad_kind = client.put("/official/visits/nope/reception-kind", headers=board, json={"kind": "weekly"})
    assert bad_kind.status_code == 422 and bad_kind.json["errors"][0]["field"] == "kind"
    assert (
        client.put("/official/visits/nope/reception-kind", headers=board, json={"kind": "periodic"}).status_code == 404
    )
