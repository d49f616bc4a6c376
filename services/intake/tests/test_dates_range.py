"""Dates outside what the reference data covers are refused with a 422 naming the field, never a 500
(issue #23): before the legal rules begin, in year 1, in 9999."""

import pytest


@pytest.mark.parametrize(
    "when",
    [
        "2000-01-01T09:00:00+07:00",
        "0001-01-01T00:00:00+00:00",
        "9999-12-31T23:00:00+07:00",
        "2013-06-01T09:00:00+07:00",
    ],
)
def test_a_visit_out_of_range_is_a_422_naming_received_at(client, board, visit_body, when):
    resp = client.post("/visits", headers=board, json=visit_body(received_at=when))
    assert resp.status_code == 422, resp.json
    assert resp.json["errors"][0]["field"] in ("received_at", "receiving_unit", "origin_unit"), resp.json


@pytest.mark.parametrize(
    "when", ["2000-01-01T09:00:00+07:00", "0001-01-01T00:00:00+00:00", "9999-12-31T23:00:00+07:00"]
)
def test_a_petition_out_of_range_is_a_422(client, board, petition_body, when):
    resp = client.post("/petitions", headers=board, json=petition_body(received_at=when))
    assert resp.status_code == 422, resp.json
