"""A citizen's identity: encrypted at rest, masked without identity:read, every unmasked read audited."""

import base64

import pytest
from sqlalchemy import text

from intake import create_app
from intake.confidential.crypto import IdentityKeyError, generate_key

NAME, ID_NUMBER = "Lê Văn Bảy", "094123456789"


def _raw(app, sql):
    with app.extensions["tiepdan"]["db"].engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def test_identity_is_encrypted_at_rest_and_absent_from_events(app, client, board, petition_body, visit_body):
    client.post("/petitions", json=petition_body(), headers=board)
    client.post("/visits", json=visit_body(citizens=[{"full_name": NAME, "id_number": ID_NUMBER}]), headers=board)
    stored = str(_raw(app, "SELECT full_name, address, id_number, phone FROM petition_senders"))
    stored += str(_raw(app, "SELECT full_name, id_number FROM visit_citizens"))
    stored += str(_raw(app, "SELECT payload FROM outbox_events"))
    stored += str(_raw(app, "SELECT response_body FROM idempotency_records"))
    for secret in (NAME, ID_NUMBER, "0912345678", "Phước Hòa", "Bảy"):
        assert secret not in stored


def test_only_identity_read_unmasks_and_each_such_read_is_audited(client, board, inspector, petition_body):
    pid = client.post("/petitions", json=petition_body(), headers=board).json["id"]
    masked = client.get(f"/petitions/{pid}", headers=board).json["senders"][0]
    assert masked["full_name"] == "L*** V*** B***" and masked["id_number"] == "*********789"
    assert client.get("/identity-reads", headers=board).status_code == 403
    assert client.get("/identity-reads", headers=inspector).json["items"] == []
    shown = client.get(f"/petitions/{pid}", headers=inspector).json["senders"][0]
    assert shown["full_name"] == NAME and shown["id_number"] == ID_NUMBER and shown["identity_masked"] is False
    listed = client.get("/petitions", headers=inspector).json["items"][0]["senders"][0]
    assert listed["identity_masked"] is True  # lists never unmask
    (read,) = client.get("/identity-reads", headers=inspector).json["items"]
    assert (read["reader"], read["record_type"], read["record_id"], read["person_count"]) == (
        "ttr-01",
        "petition",
        pid,
        1,
    )
    client.get(f"/petitions/{pid}", headers=inspector)
    assert len(client.get("/identity-reads", headers=inspector, query_string={"record_id": pid}).json["items"]) == 2


def test_rotating_the_key_re_encrypts_every_person(
    app, client, board, inspector, petition_body, visit_body, identity_key, database_url, reference_dir
):
    pid = client.post("/petitions", json=petition_body(), headers=board).json["id"]
    vid = client.post("/visits", json=visit_body(citizens=[{"full_name": NAME}]), headers=board).json["id"]
    image = client.post(
        f"/petitions/{pid}/images",
        headers=board,
        json={"content_type": "image/jpeg", "data": base64.b64encode(b"\xff\xd8\xff scanned page").decode()},
    ).json
    before = _raw(app, "SELECT full_name FROM petition_senders")
    new_key = generate_key()
    rotated = create_app(
        {
            "database_url": database_url,
            "identity_keys": app.extensions["tiepdan"]["settings"].identity_keys,
            "reference_dir": reference_dir,
            "intake_identity_keys": (new_key, identity_key),
        }
    )
    result = rotated.test_cli_runner().invoke(args=["rotate-identity-key"])
    assert result.exit_code == 0 and "re-encrypted 3 " in result.output, result.output
    assert _raw(app, "SELECT full_name FROM petition_senders") != before
    only_new = create_app(
        {
            "database_url": database_url,
            "identity_keys": app.extensions["tiepdan"]["settings"].identity_keys,
            "reference_dir": reference_dir,
            "intake_identity_keys": (new_key,),
        }
    )
    reader = only_new.test_client()
    assert reader.get(f"/petitions/{pid}", headers=inspector).json["senders"][0]["full_name"] == NAME
    assert reader.get(f"/visits/{vid}", headers=inspector).json["citizens"][0]["full_name"] == NAME
    assert reader.get(f"/petitions/{pid}/images/{image['id']}", headers=inspector).data == b"\xff\xd8\xff scanned page"
    # Repeats are still found after the rotation (blind indexes recomputed with the new key).
    assert (
        reader.post(f"/petitions/{pid}/citizen-informed", json={"informed_on": "2026-09-01"}, headers=board).status_code
        == 200
    )
    again = reader.post("/petitions", json=petition_body(received_at="2026-10-01T09:00:00+07:00"), headers=board).json
    assert again["repeat_suggested_of"] == pid
    for extra_app in (rotated, only_new):
        extra_app.extensions["tiepdan"]["db"].dispose()


def test_the_service_refuses_to_start_without_an_identity_key(monkeypatch, tmp_path):
    monkeypatch.delenv("INTAKE_IDENTITY_KEYS", raising=False)
    monkeypatch.delenv("INTAKE_ALLOW_DEV_IDENTITY_KEY", raising=False)
    url = f"sqlite:///{tmp_path / 'x.db'}"
    with pytest.raises(IdentityKeyError, match="INTAKE_IDENTITY_KEYS"):
        create_app({"database_url": url})
    monkeypatch.setenv("INTAKE_ALLOW_DEV_IDENTITY_KEY", "true")
    assert create_app({"database_url": url}).extensions["intake"]["cipher"] is not None
    monkeypatch.setenv("INTAKE_IDENTITY_KEYS", "not-a-fernet-key")
    with pytest.raises(IdentityKeyError):
        create_app({"database_url": url})


PNG = b"\x89PNG\r\n\x1a\n" + b"handwriting of Le Van Bay" * 10


def test_handwriting_images_are_encrypted_and_read_only_with_identity_read(
    app, client, board, inspector, petition_body
):
    pid = client.post("/petitions", json=petition_body(), headers=board).json["id"]
    body = {"kind": "handwriting", "content_type": "image/png", "data": base64.b64encode(PNG).decode()}
    added = client.post(f"/petitions/{pid}/images", json=body, headers=board)
    assert added.status_code == 201 and added.json["size"] == len(PNG)
    assert b"handwriting" not in b"".join(bytes(r[0]) for r in _raw(app, "SELECT data FROM petition_images"))
    listed = client.get(f"/petitions/{pid}", headers=board).json["images"]
    assert [(i["id"], i["kind"]) for i in listed] == [(added.json["id"], "handwriting")]
    url = f"/petitions/{pid}/images/{added.json['id']}"
    assert client.get(url, headers=board).status_code == 403
    shown = client.get(url, headers=inspector)
    assert shown.status_code == 200 and shown.data == PNG and shown.content_type == "image/png"
    reads = client.get("/identity-reads", headers=inspector, query_string={"record_type": "petition_image"})
    assert [r["record_id"] for r in reads.json["items"]] == [pid]
    for bad, field in (
        ({**body, "data": "@@not base64@@"}, "data"),
        ({**body, "content_type": "image/jpeg"}, "content_type"),
        ({**body, "content_type": "image/gif"}, "content_type"),
    ):
        resp = client.post(f"/petitions/{pid}/images", json=bad, headers=board)
        assert resp.status_code == 422 and resp.json["errors"][0]["field"] == field, resp.json


def test_identity_never_reaches_a_log_line(client, board, inspector, petition_body, caplog, capfd):
    import logging

    caplog.set_level(logging.DEBUG)
    pid = client.post("/petitions", json=petition_body(), headers=board).json["id"]
    client.get(f"/petitions/{pid}", headers=inspector)
    client.post("/petitions", json=petition_body(senders=[{"full_name": NAME, "id_number": "12x"}]), headers=board)
    logged = caplog.text + "".join(str(r.__dict__) for r in caplog.records) + "".join(capfd.readouterr())
    assert "/petitions" in logged  # the access log was captured
    for secret in (NAME, ID_NUMBER, "Bảy", "0912345678"):
        assert secret not in logged
