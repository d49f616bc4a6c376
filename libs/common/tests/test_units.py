"""Pure pieces of the library: envelope, identity, problem documents."""

import sys
import time
import unicodedata

import jwt
import pytest
from marshmallow import Schema, ValidationError

from tiepdan_common.errors import flatten_messages
from tiepdan_common.identity import Identity, IdentityError, IdentityVerifier, sign_identity
from tiepdan_common.messaging.envelope import Envelope, EnvelopeError
from tiepdan_common.schemas import CONTROL_CHARACTERS, Text

K1 = "first-key-0123456789abcdef0123456789"
K2 = "second-key-0123456789abcdef0123456789"


def test_envelope_round_trip_keeps_vietnamese():
    env = Envelope.new(type="intake.visit.recorded", source="intake", data={"content": "Đất đai"})
    again = Envelope.from_bytes(env.to_json().encode())
    assert again == env
    assert "Đất đai" in env.to_json()
    assert env.correlation_id == env.id


@pytest.mark.parametrize(
    "raw",
    [
        [],
        {"id": "x"},
        {"id": 1, "type": "t", "version": 1, "occurred_at": "n", "source": "s", "correlation_id": "c", "data": {}},
    ],
)
def test_envelope_rejects_malformed(raw):
    with pytest.raises(EnvelopeError):
        Envelope.from_dict(raw)


def test_identity_signed_by_the_gateway_verifies():
    ident = Identity(subject="c1", kind="commune", unit="31684", permissions=("visits:write",))
    token = sign_identity(ident, K1)
    assert IdentityVerifier([K1]).verify(token) == ident
    # During a key rotation the previous key is still accepted.
    assert IdentityVerifier([K2, K1]).verify(token) == ident


@pytest.mark.parametrize(
    "token",
    [
        None,
        "",
        "garbage",
        sign_identity(Identity(subject="c1", kind="district"), "other-key-0123456789abcdef0123456789"),
        sign_identity(Identity(subject="c1", kind="district"), K1, ttl=-10, now=time.time() - 100),
        jwt.encode({"sub": "c1", "kind": "admin", "iat": 0, "exp": 2**40}, None, algorithm="none"),
    ],
)
def test_identity_refuses_missing_forged_expired_and_unsigned(token):
    with pytest.raises(IdentityError):
        IdentityVerifier([K1]).verify(token)


def test_validation_messages_are_flattened_to_field_paths():
    messages = {"json": {"citizens": {0: {"full_name": ["Missing data for required field."]}}, "size": ["Bad."]}}
    assert flatten_messages(messages) == [
        {"field": "citizens[0].full_name", "message": "Missing data for required field."},
        {"field": "size", "message": "Bad."},
    ]


def test_ids_beyond_32_bits_match_no_route_and_unstorable_values_are_422(tmp_path):
    from flask import Blueprint
    from sqlalchemy.exc import DataError

    from tiepdan_common.config import load_settings
    from tiepdan_common.db import Database
    from tiepdan_common.testing import identity_headers
    from tiepdan_common.web import ProblemApi, init_service_app

    settings = load_settings("t", {"identity_keys": ("test-identity-key-0123456789abcdef0123",)})
    app = __import__("flask").Flask("t")
    init_service_app(app, settings=settings, db=Database(f"sqlite:///{tmp_path / 't.db'}"))
    ProblemApi(app, spec_kwargs={"title": "t", "version": "1", "openapi_version": "3.1.0"})
    bp = Blueprint("b", __name__)

    @bp.get("/things/<int:thing_id>")
    def thing(thing_id):
        if thing_id == 7:
            raise DataError("INSERT", {}, Exception("value too long"))
        if thing_id == 8:
            import datetime as dt

            return {"day": str(dt.date(1, 1, 1) - dt.timedelta(days=1))}
        if thing_id == 9:  # as SQLAlchemy wraps an overflow while binding a parameter
            from sqlalchemy.exc import StatementError

            raise StatementError("bind", "SELECT 1", {}, OverflowError("date value out of range"))
        return {"id": thing_id}

    app.register_blueprint(bp)
    client = app.test_client()
    headers = identity_headers()
    assert client.get("/things/5", headers=headers).json == {"id": 5}
    assert client.get("/things/51302224465225", headers=headers).status_code == 404
    for thing in (7, 8, 9):
        refused = client.get(f"/things/{thing}", headers=headers)
        assert refused.status_code == 422 and refused.json["code"] == "invalid_value"


def test_text_refuses_exactly_the_control_characters_but_tab_and_line_breaks():
    controls = {
        chr(cp) for cp in range(sys.maxunicode + 1) if unicodedata.category(chr(cp)) == "Cc" and chr(cp) not in "\t\n\r"
    }
    assert {chr(cp) for cp in range(sys.maxunicode + 1) if CONTROL_CHARACTERS.match(chr(cp))} == controls

    class Body(Schema):
        content = Text()

    assert Body().load({"content": " Nội dung\tcó\r\ndòng mới "}) == {"content": "Nội dung\tcó\r\ndòng mới"}
    for bad in ("a\x00b", "a\x1bb", "a\x7fb", "a\x85b"):
        with pytest.raises(ValidationError, match="control characters"):
            Body().load({"content": bad})
