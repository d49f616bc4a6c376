"""The petitions export names a repeat's first petition by its number, never by an id (issue #24)."""

import csv
import io

PERIOD = {"from": "2026-08-01T00:00:00+07:00", "to": "2026-10-01T00:00:00+07:00"}


def test_a_repeat_names_its_first_petition_by_number(client, board, petition_body):
    first = client.post("/petitions", headers=board, json=petition_body())
    assert first.status_code == 201, first.json
    again = client.post(
        "/petitions",
        headers=board,
        json=petition_body(repeat_of=first.json["id"], received_at="2026-09-02T09:00:00+07:00"),
    )
    assert again.status_code == 201, again.json
    text = client.get("/petitions/export", query_string={**PERIOD, "format": "csv"}, headers=board).data
    text = text.decode("utf-8-sig")
    assert first.json["id"] not in text
    rows = list(csv.reader(io.StringIO(text)))
    repeat_row = next(r for r in rows if r[0] == again.json["number"])
    assert first.json["number"] in repeat_row
