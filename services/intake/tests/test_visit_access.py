"""Who sees a citizen's name on a visit, and how a clerk finds a returning citizen (issue 21)."""

import sqlalchemy as sa

from tiepdan_common.testing import identity_headers

PERSON = {
    "full_name": "Nguyễn Thị Hồng Đào",
    "id_number": "094187654321",
    "phone": "0912345678",
    "address": "Ấp Hòa Mỹ, thị trấn Mỹ Xuyên",
}


def auditor():  # signed per call: a signature lives a minute
    return identity_headers(subject="audit-01", kind="district", unit="947", permissions=("audit:read",))


def reader(kind, unit, subject=None):
    return identity_headers(
        subject=subject or f"{kind}-{unit}", kind=kind, unit=unit, officer=subject, permissions=("visits:read",)
    )


def test_the_receiving_units_officers_see_names_others_masked_every_read_audited(client, board, visit_body):
    visit = client.post("/visits", json=visit_body(citizens=[PERSON]), headers=board).json
    assert visit["citizens"][0]["identity_masked"] is True  # a write's answer is kept for replays: masked
    own = client.get(f"/visits/{visit['id']}", headers=board).json["citizens"][0]
    assert own["full_name"] == PERSON["full_name"] and own["phone"] == PERSON["phone"] and not own["identity_masked"]
    for other in (reader("police", "947"), reader("province", "92"), reader("district", "948")):
        masked = client.get(f"/visits/{visit['id']}", headers=other).json["citizens"][0]
        assert masked["identity_masked"] and masked["full_name"] != PERSON["full_name"], other
    reads = client.get("/identity-reads", headers=auditor(), query_string={"record_id": visit["id"]}).json["items"]
    assert [(r["reader"], r["record_type"]) for r in reads] == [("btcd-01", "visit")]


def test_a_denouncer_stays_masked_for_the_receiving_unit(client, board, visit_body):
    visit = client.post("/visits", json=visit_body(category="denunciation", citizens=[PERSON]), headers=board).json
    shown = client.get(f"/visits/{visit['id']}", headers=board).json["citizens"][0]
    assert shown["identity_masked"] and shown["full_name"] == "***" and shown["id_number"] == "***"


def test_a_returning_citizen_is_found_by_name_identity_number_or_phone(app, client, board, commune, visit_body):
    first = client.post("/visits", json=visit_body(citizens=[PERSON]), headers=board).json
    other = client.post("/visits", json=visit_body(citizens=[{"full_name": "Trần Văn Khác"}]), headers=board).json
    for query in (
        {"full_name": "nguyen thi HONG dao"},
        {"full_name": "Nguyễn  Thị Hồng Đào"},
        {"id_number": PERSON["id_number"]},
        {"phone": "+84912345678"},
        {"full_name": "Nguyen Thi Hong Dao", "phone": "0912345678"},
    ):
        found = client.post("/visits/find-citizen", json=query, headers=board)
        assert found.status_code == 200 and [v["id"] for v in found.json["items"]] == [first["id"]], query
        assert found.json["items"][0]["citizens"][0]["identity_masked"] is True
    nobody = client.post(
        "/visits/find-citizen", json={"full_name": "Nguyễn Thị Hồng", "phone": "0912345678"}, headers=board
    )
    assert nobody.json["items"] == []
    assert client.post("/visits/find-citizen", json={}, headers=board).status_code == 422
    # A commune finds only its own records.
    assert (
        client.post("/visits/find-citizen", json={"phone": "0912345678"}, headers=commune("31684")).json["items"] == []
    )
    with app.extensions["tiepdan"]["db"].engine.connect() as conn:
        stored = conn.execute(
            sa.text("SELECT full_name, phone, full_name_index, phone_index FROM visit_citizens WHERE visit_id = :v"),
            {"v": first["id"]},
        ).one()
    assert "Đào" not in stored.full_name and "0912345678" not in stored.phone
    assert len(stored.full_name_index) == 64 and len(stored.phone_index) == 64
    assert other["id"] != first["id"]


def test_a_citizen_is_still_found_after_the_identity_key_is_rotated(
    app, client, board, visit_body, database_url, identity_key, reference_dir
):
    from intake import create_app
    from intake.confidential.crypto import generate_key

    first = client.post("/visits", json=visit_body(citizens=[PERSON]), headers=board).json
    new_key = generate_key()
    settings = app.extensions["tiepdan"]["settings"]

    def with_keys(*keys):
        return create_app(
            {
                "database_url": database_url,
                "identity_keys": settings.identity_keys,
                "reference_dir": reference_dir,
                "intake_identity_keys": keys,
            }
        )

    rotated = with_keys(new_key, identity_key)
    assert rotated.test_cli_runner().invoke(args=["rotate-identity-key"]).exit_code == 0
    only_new = with_keys(new_key)
    try:
        found = (
            only_new.test_client()
            .post("/visits/find-citizen", json={"full_name": "nguyen thi hong dao"}, headers=board)
            .json["items"]
        )
        assert [v["id"] for v in found] == [first["id"]]
    finally:
        for extra in (rotated, only_new):
            extra.extensions["tiepdan"]["db"].dispose()
