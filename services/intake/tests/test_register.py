"""Working with the register: search without diacritics, filters, sorting, exports, statistics, repeats."""

import csv
import io
import unicodedata

from openpyxl import load_workbook

PERIOD = {"from": "2024-06-01T00:00:00+07:00", "to": "2024-06-08T00:00:00+07:00"}


def _record(client, board, visit_body, day, **overrides):
    body = visit_body(received_at=f"2024-06-0{day}T08:00:00+07:00", **overrides)
    resp = client.post("/visits", json=body, headers=board)
    assert resp.status_code == 201, resp.json
    return resp.json


def test_search_ignores_diacritics_and_case(client, board, visit_body, petition_body):
    land = _record(client, board, visit_body, 1, content="Tranh chấp ĐẤT ĐAI ở ấp Hòa Tú")
    _record(client, board, visit_body, 2, content="Chế độ chính sách người có công", field="social_policy")
    nfd = unicodedata.normalize("NFD", "đất đai")
    for q in ("dat dai", "Đất Đai", nfd, "HOA TU"):
        found = client.get("/visits", query_string={"q": q}, headers=board).json["items"]
        assert [v["id"] for v in found] == [land["id"]], q
    assert client.get("/visits", query_string={"q": "100%"}, headers=board).json["items"] == []
    pid = client.post(
        "/petitions", json=petition_body(content="Đề nghị cấp giấy chứng nhận quyền sử dụng đất"), headers=board
    ).json["id"]
    found = client.get("/petitions", query_string={"q": "quyen su dung dat"}, headers=board).json["items"]
    assert [p["id"] for p in found] == [pid]


def test_filters_and_sort_orders_page_stably(client, board, visit_body):
    made = [
        _record(client, board, visit_body, day, size=size, representatives=1 if size >= 5 else 0, category=category)
        for day, size, category in (
            (1, 1, "complaint"),
            (2, 12, "complaint"),
            (3, 3, "feedback"),
            (4, 6, "complaint"),
            (5, 1, "recommendation"),
        )
    ]
    by_size, cursor = [], None
    while True:
        page = client.get(
            "/visits",
            headers=board,
            query_string={"sort": "group_size", "limit": 2, **({"cursor": cursor} if cursor else {})},
        ).json
        by_size += [v["group_size"] for v in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert by_size == [1, 1, 3, 6, 12]
    oldest = client.get("/visits", query_string={"sort": "received_at", "limit": 5}, headers=board).json["items"]
    assert [v["id"] for v in oldest] == [v["id"] for v in made]
    complaints = client.get(
        "/visits",
        headers=board,
        query_string={
            "category": "complaint",
            "mass": "true",
            "from": "2024-06-02T00:00:00+07:00",
            "to": "2024-06-04T00:00:00+07:00",
        },
    ).json["items"]
    assert [v["id"] for v in complaints] == [made[1]["id"]]
    first_page = client.get("/visits", query_string={"sort": "group_size", "limit": 2}, headers=board).json
    wrong = client.get(
        "/visits", headers=board, query_string={"sort": "-received_at", "cursor": first_page["next_cursor"]}
    )
    assert wrong.status_code == 422 and wrong.json["errors"][0]["field"] == "cursor"
    bad_sort = client.get("/visits", query_string={"sort": "content"}, headers=board)
    assert bad_sort.status_code == 422 and bad_sort.json["errors"][0]["field"] == "sort"


def test_repeat_visits_share_the_first_visits_matter(client, board, visit_body, outbox_events):
    person = {"full_name": "Nguyễn Văn Tư", "address": "Ấp Phước Hòa", "is_representative": True}
    first = _record(client, board, visit_body, 1, citizens=[person], subject="Tỉnh lộ 940")
    assert first["matter_key"] == "31690:land:tinh-lo-940" and first["repeat_of"] is None
    second = _record(client, board, visit_body, 3, citizens=[{**person, "full_name": "NGUYỄN VĂN TƯ"}])
    assert second["repeat_of"] == first["id"] and second["matter_key"] == first["matter_key"]
    assert second["earlier"]["serial"] == first["serial"]
    assert second["earlier"]["outcome"]["type"] == "documents_taken"
    events = [e["data"] for e in outbox_events("intake.visit.recorded")]
    assert [(e["repeat_of"], e["matter_key"]) for e in events] == [
        (None, first["matter_key"]),
        (first["id"], first["matter_key"]),
    ]
    explicit = _record(client, board, visit_body, 4, repeat_of=second["id"])
    assert explicit["repeat_of"] == first["id"]
    assert client.get(f"/visits/{first['id']}", headers=board).json["repeat_count"] == 2


def test_the_register_exports_as_csv_and_xlsx_with_vietnamese_headers(client, board, visit_body, petition_body):
    _record(client, board, visit_body, 2, content="Khiếu nại về bồi thường đất")
    _record(client, board, visit_body, 9, content="Ngoài kỳ báo cáo")
    resp = client.get("/visits/export", query_string={**PERIOD, "format": "csv"}, headers=board)
    assert resp.status_code == 200 and resp.content_type.startswith("text/csv")
    rows = list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Số thứ tự", "Ngày giờ tiếp", "Đơn vị tiếp"]
    assert len(rows) == 2 and "Khiếu nại về bồi thường đất" in rows[1] and "Khiếu nại" in rows[1]
    assert "Đất đai" in rows[1] and "Xã Đại Tâm" in rows[1]
    xlsx = client.get("/visits/export", query_string={**PERIOD, "format": "xlsx"}, headers=board)
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet.title == "Sổ tiếp công dân" and sheet.cell(1, 1).value == "Số thứ tự" and sheet.max_row == 2
    client.post("/petitions", json=petition_body(received_at="2024-06-03T09:00:00+07:00"), headers=board)
    book = client.get("/petitions/export", query_string={**PERIOD, "format": "xlsx"}, headers=board)
    sheet = load_workbook(io.BytesIO(book.data)).active
    assert sheet.cell(1, 1).value == "Số đơn" and sheet.cell(2, 9).value == "Khiếu nại" and sheet.max_row == 2
    backwards = client.get("/visits/export", headers=board, query_string={"from": PERIOD["to"], "to": PERIOD["from"]})
    assert backwards.status_code == 422 and backwards.json["errors"][0]["field"] == "to"


def test_statistics_count_a_period_by_category_field_unit_and_outcome(client, board, visit_body, petition_body):
    _record(client, board, visit_body, 1, size=12, representatives=2)
    _record(
        client,
        board,
        visit_body,
        2,
        category="feedback",
        field="social_policy",
        outcome={"type": "guided", "competent_body": "Phòng LĐTB&XH"},
    )
    _record(client, board, visit_body, 9)
    stats = client.get("/visits/statistics", query_string=PERIOD, headers=board).json
    assert stats["total"] == 2 and stats["mass"] == 1 and stats["citizens"] == 13
    assert stats["by_category"] == {"complaint": 1, "feedback": 1}
    assert stats["by_field"] == {"land": 1, "social_policy": 1}
    assert stats["by_outcome"] == {"documents_taken": 1, "guided": 1} and stats["by_unit"] == {"947": 2}
    first = client.post("/petitions", json=petition_body(received_at="2024-06-02T09:00:00+07:00"), headers=board)
    # The desk marks the second a repeat of the first (a repeat found by itself is only a suggestion).
    client.post(
        "/petitions",
        json=petition_body(received_at="2024-06-03T09:00:00+07:00", repeat_of=first.json["id"]),
        headers=board,
    )
    pstats = client.get("/petitions/statistics", query_string=PERIOD, headers=board).json
    assert pstats["total"] == 2 and pstats["repeats"] == 1
    assert pstats["by_status"] == {"received": 1, "repeat": 1} and pstats["by_channel"] == {"post": 2}


def test_a_communes_visit_repeats_only_records_it_may_see(client, board, commune, visit_body):
    person = {"full_name": "Nguyễn Văn Tư", "id_number": "094111222333", "is_representative": False}
    theirs = client.post("/visits", json=visit_body(citizens=[person]), headers=commune("31684")).json
    district = client.post("/visits", json=visit_body(citizens=[person]), headers=board).json
    assert district["repeat_of"] == theirs["id"]  # the district desk sees every commune's register
    assert district["earlier"]["repeat_count"] == 1 and district["earlier"]["serial"] == theirs["serial"]
    mine = client.post("/visits", json=visit_body(citizens=[person]), headers=commune("31690")).json
    assert mine["repeat_of"] is None and mine["earlier"] is None
    again = client.post("/visits", json=visit_body(citizens=[person]), headers=commune("31690")).json
    assert again["repeat_of"] == mine["id"] and again["earlier"]["repeat_count"] == 1
    named = client.post("/visits", json=visit_body(citizens=[person], repeat_of=theirs["id"]), headers=commune("31690"))
    assert named.status_code == 422 and named.json["errors"][0]["field"] == "repeat_of"
