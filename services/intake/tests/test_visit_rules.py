"""The reception rules in force on the visit's day: identification and online reception from 1 July 2026."""

from tiepdan_common.testing import identity_headers


def ward():  # signed per call: a signature lives a minute
    return identity_headers(
        subject="commune-31684",
        kind="commune",
        unit="31684",
        officer="ub-31684",
        permissions=("visits:read", "visits:write"),
    )


def _body(visit_body, day, **overrides):
    return visit_body(origin_unit="31684", received_at=f"{day}T09:00:00+07:00", **overrides)


def test_from_1_july_2026_a_citizen_must_give_an_identity_document(client, visit_body):
    before = client.post("/visits", headers=ward(), json=_body(visit_body, "2026-06-30"))
    assert before.status_code == 201, before.json
    after = client.post("/visits", headers=ward(), json=_body(visit_body, "2026-07-01"))
    assert after.status_code == 422 and after.json["errors"][0]["field"] == "citizens.0.id_number"
    assert after.headers["Content-Type"].startswith("application/problem+json")
    two = _body(
        visit_body,
        "2026-07-01",
        size=2,
        citizens=[{"full_name": "Lê Văn A", "id_number": "094100000001"}, {"full_name": "Lê Thị B"}],
    )
    missing = client.post("/visits", headers=ward(), json=two)
    assert missing.status_code == 422 and missing.json["errors"][0]["field"] == "citizens.1.id_number"
    given = _body(visit_body, "2026-07-01", citizens=[{"full_name": "Lê Văn A", "id_number": "094100000001"}])
    assert client.post("/visits", headers=ward(), json=given).status_code == 201


def test_online_reception_is_a_channel_from_1_july_2026(client, visit_body):
    person = [{"full_name": "Lê Văn A", "id_number": "094100000001"}]
    early = client.post("/visits", headers=ward(), json=_body(visit_body, "2026-06-30", channel="online"))
    assert early.status_code == 422 and early.json["errors"][0]["field"] == "channel"
    online = client.post(
        "/visits", headers=ward(), json=_body(visit_body, "2026-07-01", channel="online", citizens=person)
    )
    assert online.status_code == 201 and online.json["channel"] == "online"
    unknown = client.post("/visits", headers=ward(), json=_body(visit_body, "2026-07-01", channel="carrier_pigeon"))
    assert unknown.status_code == 422 and unknown.json["errors"][0]["field"] == "channel"
