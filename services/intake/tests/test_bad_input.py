"""Bad input of every kind is a problem+json naming the field; text comes back in NFC."""

import unicodedata

CASES = [
    ({"channel": None}, "channel"),
    ({"channel": "pigeon"}, "channel"),
    ({"category": "gossip"}, "category"),
    ({"field": None}, "field"),
    ({"field": "astrology"}, "field"),
    ({"content": ""}, "content"),
    ({"content": 42}, "content"),
    ({"origin_unit": "99999"}, "origin_unit"),
    ({"origin_unit": "abc"}, "origin_unit"),
    ({"receiving_unit": "12345"}, "receiving_unit"),
    ({"received_at": "2999-01-01T00:00:00+07:00"}, "received_at"),
    ({"received_at": "yesterday"}, "received_at"),
    ({"received_at": "2026-08-28T09:00:00"}, "received_at"),
    ({"anonymous": "perhaps"}, "anonymous"),
    ({"senders": "Lê Văn Bảy"}, "senders"),
    ({"senders": [{"full_name": "A", "id_number": "12ab"}]}, "senders[0].id_number"),
    ({"senders": [{"full_name": "A", "phone": "call me"}]}, "senders[0].phone"),
    ({"senders": [{"address": "Ấp 1"}]}, "senders[0].full_name"),
    ({"senders": []}, "senders"),
    ({"senders": [{"full_name": "A"}, {"full_name": "B"}]}, "senders"),
    ({"senders": [{"full_name": f"Người {i}"} for i in range(6)]}, "senders"),
    ({"channel": "visit"}, "visit_id"),
    ({"channel": "visit", "visit_id": "00000000-0000-0000-0000-000000000000"}, "visit_id"),
    ({"channel": "forwarded"}, "forwarded_by"),
    ({"visit_id": "x"}, "visit_id"),
    ({"repeat_of": "no-such-petition"}, "repeat_of"),
    ({"parts": [{"category": "complaint", "content": "a"}]}, "parts"),
    ({"parts": [{"category": "complaint", "content": "a"}, {"category": "feedback", "content": "b"}]}, "category"),
    ({"verifiable": True}, "verifiable"),
    ({"content": "Nội dung\u0000ẩn"}, "content"),
    ({"surprise": 1}, "surprise"),
]


def test_every_kind_of_bad_petition_is_a_problem_naming_the_field(client, board, petition_body):
    for overrides, field in CASES:
        resp = client.post("/petitions", json=petition_body(**overrides), headers=board)
        assert resp.status_code == 422, (overrides, resp.json)
        assert resp.content_type == "application/problem+json"
        assert field in [e["field"] for e in resp.json["errors"]], (overrides, resp.json)
    assert client.get("/petitions", headers=board).json["items"] == []


def test_bad_queries_and_paths_are_problems(client, board, commune):
    for query, field in (
        ({"limit": 0}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"overdue": "maybe"}, "overdue"),
        ({"status": "lost"}, "status"),
        ({"from": "not a date"}, "from"),
        ({"cursor": "%%%"}, "cursor"),
        ({"sort": "-content"}, "sort"),
    ):
        resp = client.get("/petitions", query_string=query, headers=board)
        assert resp.status_code == 422 and resp.json["errors"][0]["field"] == field, (query, resp.json)
    assert client.get("/petitions/" + "x" * 300, headers=board).status_code == 404
    assert client.get("/visits/statistics", headers=board).json["errors"][0]["field"] in ("from", "to")
    resp = client.get(
        "/visits/export",
        headers=board,
        query_string={"from": "2026-11-01T00:00:00+07:00", "to": "2026-11-02T00:00:00+07:00", "format": "pdf"},
    )
    assert resp.status_code == 422 and resp.json["errors"][0]["field"] == "format"
    assert client.post("/petitions", json={}, headers=commune()).json["errors"][0]["field"] == "channel"
    no_perm = client.get("/identity-reads", headers=board)
    assert no_perm.status_code == 403 and no_perm.content_type == "application/problem+json"


def test_broken_and_huge_bodies_are_problems(client, board):
    headers = {**board, "Content-Type": "application/json"}
    broken = client.post("/petitions", data=b'{"content": "\xff\xfe"}', headers=headers)
    assert broken.status_code in (400, 422) and broken.content_type == "application/problem+json"
    huge = client.post("/petitions", data=b'{"content": "' + b"a" * (10 * 1024 * 1024) + b'"}', headers=headers)
    assert huge.status_code == 413 and huge.content_type == "application/problem+json"
    not_json = client.post("/petitions", data=b"channel=post", headers={**board, "Content-Type": "text/plain"})
    assert not_json.status_code in (400, 415, 422) and not_json.content_type == "application/problem+json"


def test_decomposed_vietnamese_is_stored_and_returned_in_nfc(client, board, inspector, petition_body):
    nfd = unicodedata.normalize("NFD", "Khiếu nại việc cấp sổ đỏ ở Thạnh Phú")
    name = unicodedata.normalize("NFD", "Trịnh Thị Hường")
    resp = client.post(
        "/petitions",
        headers=board,
        json=petition_body(content=nfd, senders=[{"full_name": name, "is_representative": True}]),
    )
    assert resp.status_code == 201
    assert resp.json["content"] == unicodedata.normalize("NFC", nfd) != nfd
    shown = client.get(f"/petitions/{resp.json['id']}", headers=inspector).json
    assert shown["content"] == unicodedata.normalize("NFC", nfd)
    assert shown["senders"][0]["full_name"] == unicodedata.normalize("NFC", name)
