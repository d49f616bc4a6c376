"""The reception register through the intake API (as the gateway would call it)."""

import datetime as dt
import unicodedata

import pytest


def test_a_service_called_without_the_gateway_identity_answers_401(client, visit_body):
    for method, path in (("get", "/visits"), ("post", "/visits"), ("get", "/openapi.json"), ("get", "/nowhere")):
        resp = getattr(client, method)(path, json=visit_body())
        assert resp.status_code == 401
        assert resp.content_type == "application/problem+json"
        assert resp.json["code"] == "unauthenticated"
    forged = {"X-Tiepdan-Identity": "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4Iiwia2luZCI6ImFkbWluIn0."}
    assert client.get("/visits", headers=forged).status_code == 401
    assert client.get("/livez").status_code == 200
    assert client.get("/readyz").json["checks"]["database"] == "ok"


def test_a_mass_visit_is_recorded_with_a_serial_and_an_event(client, board, visit_body, outbox_events):
    resp = client.post("/visits", json=visit_body(size=12, representatives=3), headers=board)
    assert resp.status_code == 201, resp.json
    visit = resp.json
    assert visit["is_mass"] is True
    assert visit["serial"].startswith("947/")
    assert visit["serial"].endswith("/000001")
    assert visit["representative_count"] == 3
    assert visit["receiving_officer"] == "btcd-01"
    second = client.post("/visits", json=visit_body(), headers=board).json
    assert second["serial"].endswith("/000002")
    (event, _) = outbox_events("intake.visit.recorded")
    assert event["data"]["visit_id"] == visit["id"]
    assert event["data"]["group_size"] == 12 and event["data"]["is_mass"] is True
    assert "Công dân" not in str(event)  # no personal identity in events


@pytest.mark.parametrize(
    "size, reps, field",
    [(5, 0, "citizens"), (8, 3, "citizens"), (11, 6, "citizens"), (3, 0, None), (10, 2, None), (30, 5, None)],
)
def test_representatives_follow_article_29(client, board, visit_body, size, reps, field):
    resp = client.post("/visits", json=visit_body(size=size, representatives=reps), headers=board)
    if field is None:
        assert resp.status_code == 201, resp.json
    else:
        assert resp.status_code == 422
        assert resp.json["errors"][0]["field"] == field


def test_a_refusal_needs_its_legal_ground(client, board, visit_body):
    resp = client.post("/visits", json=visit_body(outcome={"type": "refused"}), headers=board)
    assert resp.status_code == 422
    assert resp.json["errors"] == [
        {"field": "outcome.refusal_ground", "message": "a refusal must state its legal ground (Art. 9)"}
    ]
    ok = client.post(
        "/visits",
        json=visit_body(outcome={"type": "refused", "refusal_ground": "intoxicated_or_incapacitated"}),
        headers=board,
    )
    assert ok.status_code == 201


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"category": "gossip"}, "category"),
        ({"group_size": "twelve"}, "group_size"),
        ({"origin_unit": "99999"}, "origin_unit"),
        ({"field": "astrology"}, "field"),
        ({"received_at": "2999-01-01T00:00:00+07:00"}, "received_at"),
        ({"citizens": [{"address": "Ấp 1"}]}, "citizens[0].full_name"),
        ({"content": None}, "content"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_input_is_a_problem_naming_the_field(client, board, visit_body, overrides, field):
    resp = client.post("/visits", json=visit_body(**overrides), headers=board)
    assert resp.status_code == 422, resp.json
    assert resp.content_type == "application/problem+json"
    assert field in [e["field"] for e in resp.json["errors"]]


def test_broken_bodies_are_problems_not_500(client, board):
    resp = client.post("/visits", data=b"\xff\xfe{", headers={**board, "Content-Type": "application/json"})
    assert resp.status_code in (400, 422) and resp.content_type == "application/problem+json"
    big = client.post(
        "/visits", data=b"{" + b" " * (2 * 1024 * 1024) + b"}", headers={**board, "Content-Type": "application/json"}
    )
    assert big.status_code == 413 and big.content_type == "application/problem+json"


def test_vietnamese_text_is_stored_in_nfc_and_returned_as_sent(client, board, visit_body):
    decomposed = unicodedata.normalize("NFD", "Tranh chấp đất đai ở Hòa Tú")
    resp = client.post("/visits", json=visit_body(content=decomposed), headers=board)
    assert resp.json["content"] == unicodedata.normalize("NFC", decomposed)
    assert "Hòa Tú".encode() in client.get(f"/visits/{resp.json['id']}", headers=board).data


def test_a_commune_writes_and_reads_only_its_own_commune(client, board, commune, visit_body):
    mine = client.post("/visits", json=visit_body(), headers=commune("31684"))
    assert mine.status_code == 201 and mine.json["receiving_unit"] == "31684"
    elsewhere = client.post("/visits", json=visit_body(receiving_unit="31690"), headers=commune("31684"))
    assert elsewhere.status_code == 403
    theirs = client.post("/visits", json=visit_body(), headers=commune("31690")).json
    assert client.get(f"/visits/{theirs['id']}", headers=commune("31684")).status_code == 404
    listed = client.get("/visits", headers=commune("31684")).json["items"]
    assert [v["id"] for v in listed] == [mine.json["id"]]
    assert len(client.get("/visits", headers=board).json["items"]) == 2


def test_a_retried_write_returns_the_first_result(client, board, visit_body, outbox_events):
    headers = {**board, "Idempotency-Key": "desk-1-attempt-42"}
    first = client.post("/visits", json=visit_body(size=6), headers=headers)
    again = client.post("/visits", json=visit_body(size=6), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(outbox_events("intake.visit.recorded")) == 1
    other = client.post("/visits", json=visit_body(size=7, representatives=1), headers=headers)
    assert other.status_code == 422 and other.json["code"] == "idempotency_key_reused"


def test_one_key_sent_at_once_by_two_desks_stores_one_visit(app, board, visit_body, outbox_events):
    """Both pass the first lookup; the unique key makes the later one roll back and replay the first answer.

    (On PostgreSQL; SQLite takes its write lock at BEGIN, so the later one finds the first answer at once.)
    """
    import threading
    from concurrent.futures import ThreadPoolExecutor

    barrier = threading.Barrier(4)
    headers = {**board, "Idempotency-Key": "retry-storm-7"}

    def send(_):
        client = app.test_client()
        barrier.wait()
        return client.post("/visits", json=visit_body(size=6), headers=headers)

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(send, range(4)))
    assert [resp.status_code for resp in answers] == [201] * 4, [resp.json for resp in answers]
    assert len({resp.json["id"] for resp in answers}) == 1
    assert sum(resp.headers.get("Idempotent-Replayed") == "true" for resp in answers) == 3
    assert len(outbox_events("intake.visit.recorded")) == 1
    serials = {resp.json["serial"] for resp in answers}
    assert len(serials) == 1  # the losers' numbers were given back with their rollback
    assert len(app.test_client().get("/visits", headers=board).json["items"]) == 1


def test_the_register_pages_with_a_stable_cursor_and_filters(client, board, visit_body):
    ids = []
    for i in range(7):
        ids.append(
            client.post(
                "/visits",
                json=visit_body(size=6 if i % 2 else 1, received_at=f"2024-06-0{i + 1}T08:00:00+07:00"),
                headers=board,
            ).json["id"]
        )
    seen, cursor = [], None
    while True:
        page = client.get(
            "/visits", query_string={"limit": 3, **({"cursor": cursor} if cursor else {})}, headers=board
        ).json
        seen += [v["id"] for v in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == list(reversed(ids))
    mass = client.get("/visits", query_string={"mass": "true"}, headers=board).json["items"]
    assert len(mass) == 3 and all(v["is_mass"] for v in mass)
    bad = client.get("/visits", query_string={"cursor": "@@@"}, headers=board)
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "cursor"


def test_the_openapi_document_comes_from_the_schemas(client, board):
    doc = client.get("/openapi.json", headers=board).json
    assert "/visits" in doc["paths"]
    assert "VisitIn" in doc["components"]["schemas"]


def test_a_visit_is_numbered_in_the_year_of_its_day_in_viet_nam(client, board, visit_body):
    # 16:59 UTC on 31 December 2024 is 23:59 at the desk; 18:30 UTC is already 01:30 on 1 January 2025.
    late = client.post("/visits", json=visit_body(received_at="2024-12-31T16:59:00+00:00"), headers=board)
    assert late.status_code == 201, late.json
    assert late.json["serial"] == "947/2024/000001"
    new_year = client.post("/visits", json=visit_body(received_at="2024-12-31T18:30:00+00:00"), headers=board)
    assert new_year.json["serial"] == "947/2025/000001"


def test_concurrent_creates_take_every_number_once_with_no_gap(app, board, visit_body, outbox_events):
    from concurrent.futures import ThreadPoolExecutor

    def record(i):
        client = app.test_client()
        return [client.post("/visits", json=visit_body(content=f"Lượt {i}-{n}"), headers=board) for n in range(4)]

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = [resp for batch in pool.map(record, range(6)) for resp in batch]
    assert all(resp.status_code == 201 for resp in answers), [resp.json for resp in answers]
    numbers = sorted(int(resp.json["serial"].rsplit("/", 1)[1]) for resp in answers)
    assert numbers == list(range(1, 25))
    events = outbox_events("intake.visit.recorded")
    assert sorted(e["data"]["serial"] for e in events) == sorted(resp.json["serial"] for resp in answers)


@pytest.mark.parametrize("clock_start", [dt.datetime(2024, 6, 3, 16, 59, 30, tzinfo=dt.UTC)])
def test_a_visit_without_a_time_is_recorded_at_the_apps_clock(client, board, visit_body, clock):
    # 23:59:30 on 3 June 2024 in Viet Nam: the time of receipt, the record's time and "the future" follow the app's clock.
    body = visit_body()
    del body["received_at"]
    first = client.post("/visits", json=body, headers=board)
    assert first.status_code == 201, first.json
    assert dt.datetime.fromisoformat(first.json["received_at"]) == clock()
    assert dt.datetime.fromisoformat(first.json["created_at"]) == clock()
    clock.advance(minutes=1)  # 00:00:30 on 4 June: more than five minutes on is still the future
    too_late = client.post("/visits", json=visit_body(received_at="2024-06-04T00:06:00+07:00"), headers=board)
    assert too_late.status_code == 422 and too_late.json["errors"][0]["field"] == "received_at"
    clock.advance(minutes=1)
    assert (
        client.post("/visits", json=visit_body(received_at="2024-06-04T00:06:00+07:00"), headers=board).status_code
        == 201
    )
