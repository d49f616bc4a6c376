"""Token signing and verification without a database: forged, expired, foreign and unsigned tokens."""

import base64
import datetime as dt
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from gateway.accounts import Principal
from gateway.keys import PublishedKey, public_jwk
from gateway.tokens import TokenError, TokenIssuer, TokenVerifier, UnknownKeyError
from tiepdan_common.identity import IdentityVerifier
from tiepdan_common.testing import TEST_IDENTITY_KEY

PRINCIPAL = Principal(
    subject="btcd-01",
    kind="district",
    unit="947",
    roles=("board",),
    permissions=("visits:read", "visits:write"),
    officer="btcd-01",
    name="Nguyễn Văn An",
)


def make_key(retired_at: dt.datetime | None = None) -> tuple[Ed25519PrivateKey, PublishedKey]:
    private = Ed25519PrivateKey.generate()
    jwk = public_jwk(private.public_key())
    return private, PublishedKey(
        kid=jwk["kid"],
        public_key=private.public_key(),
        jwk=jwk,
        created_at=dt.datetime.now(dt.UTC),
        retired_at=retired_at,
    )


@pytest.fixture
def key():
    return make_key()


@pytest.fixture
def issuer():
    return TokenIssuer(issuer="tiepdan-gateway", audience="tiepdan-api", ttl_seconds=900)


@pytest.fixture
def verifier(key):
    v = TokenVerifier(issuer="tiepdan-gateway", audience="tiepdan-api", identity_key=TEST_IDENTITY_KEY)
    v.set_keys([key[1]])
    return v


def test_issued_token_has_the_claims(issuer, key):
    private, published = key
    token, ttl = issuer.issue(PRINCIPAL, published.kid, private, now=1_700_000_000)
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "EdDSA" and header["kid"] == published.kid
    claims = jwt.decode(
        token, published.public_key, algorithms=["EdDSA"], audience="tiepdan-api", options={"verify_exp": False}
    )
    assert ttl == 900
    assert claims["sub"] == "btcd-01" and claims["kind"] == "district" and claims["unit"] == "947"
    assert claims["roles"] == ["board"] and claims["perms"] == ["visits:read", "visits:write"]
    assert claims["officer"] == "btcd-01" and claims["name"] == "Nguyễn Văn An"
    assert claims["iss"] == "tiepdan-gateway" and claims["aud"] == "tiepdan-api"
    assert claims["exp"] - claims["iat"] == 900


def test_valid_token_verifies_and_is_cached(issuer, key, verifier):
    private, published = key
    token, _ = issuer.issue(PRINCIPAL, published.kid, private)
    caller = verifier.verify(token)
    assert caller.subject == "btcd-01" and caller.permission_set == {"visits:read", "visits:write"}
    assert verifier.verify(token) is caller
    assert len(verifier) == 1


def _segments(token: str) -> list[str]:
    return token.split(".")


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_forged_payload_refused(issuer, key, verifier):
    private, published = key
    header, payload, signature = _segments(issuer.issue(PRINCIPAL, published.kid, private)[0])
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["kind"] = "admin"
    with pytest.raises(TokenError):
        verifier.verify(".".join([header, _b64(claims), signature]))


def test_expired_token_refused(issuer, key, verifier):
    private, published = key
    token, _ = issuer.issue(PRINCIPAL, published.kid, private, now=time.time() - 1000)
    with pytest.raises(TokenError, match="expired"):
        verifier.verify(token)


def test_cached_token_refused_once_expired(issuer, key, verifier):
    private, published = key
    token, _ = issuer.issue(PRINCIPAL, published.kid, private)
    caller = verifier.verify(token)
    with pytest.raises(TokenError, match="expired"):
        verifier.verify(token, now=caller.token_exp + 1)
    assert len(verifier) == 0


def test_token_of_another_key_with_a_known_kid_refused(issuer, key, verifier):
    _, published = key
    stranger, _ = make_key()
    token, _ = issuer.issue(PRINCIPAL, published.kid, stranger)  # claims our kid, signed by another key
    with pytest.raises(TokenError):
        verifier.verify(token)


def test_token_of_an_unknown_key_asks_for_a_reload(issuer, verifier):
    stranger, published = make_key()
    token, _ = issuer.issue(PRINCIPAL, published.kid, stranger)
    with pytest.raises(UnknownKeyError):
        verifier.verify(token)


def test_unsigned_token_refused(verifier, key):
    claims = {
        "sub": "x",
        "kind": "admin",
        "iss": "tiepdan-gateway",
        "aud": "tiepdan-api",
        "iat": int(time.time()),
        "exp": int(time.time()) + 600,
    }
    token = jwt.encode(claims, None, algorithm="none", headers={"kid": key[1].kid})
    with pytest.raises(TokenError):
        verifier.verify(token)


def test_hmac_token_with_public_key_as_secret_refused(verifier, key):
    """Algorithm confusion: an HS256 token 'signed' with the published public key."""
    public_pem = key[1].public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    claims = {
        "sub": "x",
        "kind": "admin",
        "iss": "tiepdan-gateway",
        "aud": "tiepdan-api",
        "iat": int(time.time()),
        "exp": int(time.time()) + 600,
    }
    token = jwt.encode(claims, public_pem, algorithm="HS256", headers={"kid": key[1].kid})
    with pytest.raises(TokenError):
        verifier.verify(token)


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c", "eyJhbGciOiJFZERTQSJ9.e30.AAAA"])
def test_malformed_tokens_refused(verifier, token):
    with pytest.raises(TokenError):
        verifier.verify(token)


@pytest.mark.parametrize(("field", "value"), [("aud", "someone-else"), ("iss", "evil"), ("kind", "emperor")])
def test_wrong_audience_issuer_or_kind_refused(key, verifier, field, value):
    private, published = key
    claims = {
        "sub": "x",
        "kind": "district",
        "iss": "tiepdan-gateway",
        "aud": "tiepdan-api",
        "iat": int(time.time()),
        "exp": int(time.time()) + 600,
        field: value,
    }
    token = jwt.encode(claims, private, algorithm="EdDSA", headers={"kid": published.kid})
    with pytest.raises(TokenError):
        verifier.verify(token)


def test_retired_key_refuses_tokens_issued_after_retirement(issuer):
    retired_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    private, published = make_key(retired_at=retired_at)
    v = TokenVerifier(issuer="tiepdan-gateway", audience="tiepdan-api", identity_key=TEST_IDENTITY_KEY)
    v.set_keys([published])
    before, _ = issuer.issue(PRINCIPAL, published.kid, private, now=retired_at.timestamp() - 60)
    after, _ = issuer.issue(PRINCIPAL, published.kid, private, now=time.time())
    assert v.verify(before).subject == "btcd-01"
    with pytest.raises(TokenError, match="retired"):
        v.verify(after)


def test_dropping_a_key_forgets_its_cached_tokens(issuer, key, verifier):
    private, published = key
    token, _ = issuer.issue(PRINCIPAL, published.kid, private)
    verifier.verify(token)
    verifier.set_keys([])
    with pytest.raises(UnknownKeyError):
        verifier.verify(token)


def test_cache_is_bounded(issuer, key):
    private, published = key
    v = TokenVerifier(issuer="tiepdan-gateway", audience="tiepdan-api", identity_key=TEST_IDENTITY_KEY, cache_size=3)
    v.set_keys([published])
    tokens = [issuer.issue(PRINCIPAL, published.kid, private)[0] for _ in range(5)]
    callers = [v.verify(t) for t in tokens]
    assert len(v) == 3
    assert v.verify(tokens[-1]) is callers[-1]  # still cached
    assert v.verify(tokens[0]) is not callers[0]  # evicted, verified again


def test_identity_header_is_signed_for_the_services_and_reused(issuer, key, verifier):
    private, published = key
    caller = verifier.verify(issuer.issue(PRINCIPAL, published.kid, private)[0])
    now = time.time()
    header = verifier.identity_header(caller, now=now)
    identity = IdentityVerifier([TEST_IDENTITY_KEY]).verify(header)
    assert identity.subject == "btcd-01" and identity.permissions == ("visits:read", "visits:write")
    assert identity.officer == "btcd-01" and identity.name == "Nguyễn Văn An"
    assert verifier.identity_header(caller, now=now + 30) == header  # 30 s left: reused
    renewed = verifier.identity_header(caller, now=now + 45)  # under 20 s left: signed again
    assert renewed != header
    assert jwt.decode(renewed, options={"verify_signature": False})["exp"] == int(now + 45) + 60


def test_identity_never_outlives_the_token(issuer, key, verifier):
    private, published = key
    token, _ = issuer.issue(PRINCIPAL, published.kid, private, now=time.time() - 890)  # 10 s left
    caller = verifier.verify(token)
    header = verifier.identity_header(caller)
    assert jwt.decode(header, options={"verify_signature": False})["exp"] <= caller.token_exp
