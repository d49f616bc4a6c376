"""A complainant's identity is the receiving office's working data (issue #21): its officers read the names
of a complaint it received (each read audited); the police, the province, other units, and everybody without
the right on a denunciation, see them masked."""

from tiepdan_common.testing import identity_headers

JUNE_2024 = "2024-06-12T09:00:00+07:00"


def officer(unit="947", kind="district"):
    return identity_headers(
        subject="btcd-02",
        kind=kind,
        unit=unit,
        officer="btcd-02",
        permissions=("petitions:read", "petitions:write", "audit:read"),
    )


def reads(client, inspector, petition_id):
    return [r for r in client.get("/identity-reads", headers=inspector).json["items"] if r["record_id"] == petition_id]


def test_the_receiving_unit_s_officers_read_a_complainant_s_name_audited(client, board, inspector, petition_body):
    made = client.post("/petitions", headers=board, json=petition_body(received_at=JUNE_2024))
    assert made.status_code == 201, made.json
    pid = made.json["id"]
    seen = client.get(f"/petitions/{pid}", headers=officer()).json
    assert seen["senders"][0]["full_name"] == "Lê Văn Bảy" and seen["senders"][0]["identity_masked"] is False
    (read,) = reads(client, inspector, pid)
    assert read["reader"] == "btcd-02" and read["purpose"] == "receiving unit's own record"

    police = identity_headers(subject="police-947", kind="police", unit="947", permissions=("petitions:read",))
    for other in (officer(unit="31684", kind="commune"), police):
        answer = client.get(f"/petitions/{pid}", headers=other)
        if answer.status_code == 200:
            assert answer.json["senders"][0]["identity_masked"] is True


def test_a_denunciation_stays_masked_for_the_receiving_unit(client, board, petition_body):
    made = client.post(
        "/petitions",
        headers=board,
        json=petition_body(received_at=JUNE_2024, category="denunciation", violator="Cán bộ địa chính xã"),
    )
    assert made.status_code == 201, made.json
    seen = client.get(f"/petitions/{made.json['id']}", headers=officer()).json
    assert seen["senders"][0]["identity_masked"] is True and "Bảy" not in str(seen["senders"])
