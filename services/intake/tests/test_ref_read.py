"""Reference data is read with ``reference:read``, which reads no visit (issue 22): roster's catch-up asks it
as a service; the calendar lists state the reference version they are as of."""

import pytest

from tiepdan_common.testing import identity_headers

READS = ("/units", "/unit-successions", "/fields", "/holidays", "/calendar-years", "/legal-rules")
DAY = "2026-12-30"  # a Wednesday no other test lists


def caller(*permissions):
    return identity_headers(subject="svc-roster", kind="service", unit=None, permissions=permissions)


def admin():  # signed per call: a signature lives a minute
    return identity_headers(subject="admin-01", kind="admin", unit=None)


@pytest.mark.parametrize("path", READS)
def test_reference_reads_need_reference_read_and_visits_read_is_not_it(client, path):
    assert client.get(path, headers=caller("reference:read")).status_code == 200
    refused = client.get(path, headers=caller("visits:read", "visits:write", "petitions:read"))
    assert refused.status_code == 403 and "reference:read" in refused.json["detail"]


def test_a_reference_reader_reads_no_visit_and_not_the_administrators_audit(client):
    reader = caller("reference:read")
    assert client.get("/visits", headers=reader).status_code == 403
    assert client.get("/reference-changes", headers=reader).status_code == 403


def test_the_calendar_lists_carry_the_reference_version_they_are_as_of(client, outbox_events):
    reader = caller("reference:read")
    before = client.get("/holidays", headers=reader)
    assert int(before.headers["X-Reference-Version"]) >= 1
    assert DAY not in {h["date"] for h in before.json}
    try:
        put = client.put(f"/holidays/{DAY}", headers=admin(), json={"name": "Nghỉ (thử)", "source": "thử"})
        assert put.status_code == 200, put.json
        (event,) = [e["data"] for e in outbox_events("intake.reference.changed") if e["data"]["key"] == DAY]
        after = client.get("/holidays", headers=reader)
        # Every change up to the stated version is in the list: the change's own version included.
        assert int(after.headers["X-Reference-Version"]) >= event["reference_version"]
        assert DAY in {h["date"] for h in after.json}
        years = client.get("/calendar-years", headers=reader)
        assert int(years.headers["X-Reference-Version"]) == int(after.headers["X-Reference-Version"])
    finally:
        client.delete(f"/holidays/{DAY}", headers=admin(), query_string={"reason": "thử xong"})
