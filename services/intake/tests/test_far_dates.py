"""Every date intake reads has a plausible range (issue #23): year 1 or 9999 is a 422 naming the field, before
anything is looked up or written, in bodies and in query arguments alike."""

import pytest

from tiepdan_common.testing import identity_headers

FAR_DAYS = ["0001-01-01", "9999-12-31"]
FAR_MOMENTS = ["0001-01-01T00:00:00+00:00", "9999-12-31T23:59:00+00:00"]


def admin():
    return identity_headers(subject="admin-01", kind="admin", unit=None)


def _refused(resp, field):
    assert resp.status_code == 422, resp.json
    assert field in {e["field"] for e in resp.json["errors"]}, resp.json


@pytest.mark.parametrize("day", FAR_DAYS)
def test_reference_dates_far_in_time_are_refused(client, day):
    unit = {"code": "31999", "name": "Xã Thử", "level": "commune", "parent_code": "947", "source": "thử"}
    _refused(client.post("/units", headers=admin(), json={**unit, "valid_from": day}), "valid_from")
    _refused(
        client.post("/units", headers=admin(), json={**unit, "valid_from": "2026-07-01", "valid_to": day}), "valid_to"
    )
    rule = {"key": "group.mass_threshold", "value": 3, "source": "thử", "effective_from": day}
    _refused(client.post("/legal-rules", headers=admin(), json=rule), "effective_from")
    succession = {"predecessor_id": 1, "successor_id": 2, "kind": "merge", "effective_on": day}
    _refused(client.post("/unit-successions", headers=admin(), json=succession), "effective_on")
    _refused(client.get("/units", headers=admin(), query_string={"on": day}), "on")


@pytest.mark.parametrize("day", FAR_DAYS)
def test_petition_dates_far_in_time_are_refused(client, board, petition_body, day):
    body = petition_body(channel="forwarded", forwarded_letter_number="12/CV", forwarded_letter_date=day)
    _refused(client.post("/petitions", headers=board, json=body), "forwarded_letter_date")
    _refused(client.post("/petitions/x/steps", headers=board, json={"step": "accept", "taken_on": day}), "taken_on")
    _refused(client.post("/petitions/x/resolution", headers=board, json={"resolved_on": day}), "resolved_on")
    _refused(client.get("/official/register", headers=board, query_string={"from": day}), "from")


@pytest.mark.parametrize("moment", FAR_MOMENTS)
def test_moments_far_in_time_are_refused(client, board, moment):
    _refused(client.patch("/visits/x", headers=board, json={"received_at": moment, "reason": "sửa giờ"}), "received_at")
    _refused(client.get("/visits", headers=board, query_string={"from": moment}), "from")
    _refused(client.get("/petitions", headers=board, query_string={"to": moment}), "to")
    period = {"from": moment, "to": "2026-12-01T00:00:00+07:00"}
    _refused(client.get("/visits/statistics", headers=board, query_string=period), "from")
