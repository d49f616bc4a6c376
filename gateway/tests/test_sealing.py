"""Signing keys at rest are sealed under GATEWAY_SECRETS_KEYS; rotating that key is one documented command."""

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from cryptography.fernet import InvalidToken

from gateway.cli import main
from gateway.keys import KeyStore
from gateway.migrations import MIGRATIONS_PATH
from gateway.sealing import Sealer, new_key
from gateway.settings import load_gateway_settings
from tiepdan_common.config import SettingsError
from tiepdan_common.db import Database
from tiepdan_common.migrations import upgrade


@pytest.fixture
def db_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'keys.db'}"
    upgrade(MIGRATIONS_PATH, url)
    return url


def _stored(url: str) -> list[str]:
    db = Database(url)
    try:
        with db.engine.connect() as conn:
            return [row[0] for row in conn.execute(sa.text("SELECT private_key_pem FROM signing_keys"))]
    finally:
        db.dispose()


def test_a_new_signing_key_is_stored_sealed(db_url):
    keys = KeyStore(Database(db_url), 900, (new_key(),))
    keys.current()
    (stored,) = _stored(db_url)
    assert stored.startswith("fernet:") and "PRIVATE KEY" not in stored and "BEGIN" not in stored
    keys.db.dispose()


def test_rotating_the_secrets_key_reseals_every_signing_key(db_url):
    old, new = new_key(), new_key()
    keys = KeyStore(Database(db_url), 900, (old,))
    first, _ = keys.current()
    keys.rotate()
    before = _stored(db_url)
    env = {"GATEWAY_DATABASE_URL": db_url, "GATEWAY_SECRETS_KEYS": f"{new},{old}"}
    result = CliRunner().invoke(main, ["reseal-signing-keys"], env=env, catch_exceptions=False)
    assert result.exit_code == 0 and "resealed 2" in result.output
    after = _stored(db_url)
    assert set(after).isdisjoint(before)
    only_new = KeyStore(Database(db_url), 900, (new,))
    assert only_new.current()[0] != first  # the current key opens with the new key alone
    only_old = KeyStore(Database(db_url), 900, (old,))
    with pytest.raises(InvalidToken):
        only_old.current()
    for store in (keys, only_new, only_old):
        store.db.dispose()


def test_a_key_stored_before_sealing_still_works_and_is_sealed_by_the_command(db_url):
    plain = KeyStore(Database(db_url), 900, (new_key(),))
    plain.sealer.seal = lambda text: text  # as the gateway wrote keys before they were sealed
    kid, _ = plain.current()
    assert _stored(db_url)[0].startswith("-----BEGIN")
    secrets_key = new_key()
    assert KeyStore(Database(db_url), 900, (secrets_key,)).current()[0] == kid
    CliRunner().invoke(
        main, ["reseal-signing-keys"], env={"GATEWAY_DATABASE_URL": db_url, "GATEWAY_SECRETS_KEYS": secrets_key}
    )
    assert _stored(db_url)[0].startswith("fernet:")
    plain.db.dispose()


def test_a_malformed_secrets_key_stops_the_gateway_naming_the_variable():
    with pytest.raises(SettingsError, match="GATEWAY_SECRETS_KEYS"):
        load_gateway_settings({"secrets_keys": ("not-a-key",)})


def test_new_secrets_key_prints_a_usable_key():
    printed = CliRunner().invoke(main, ["new-secrets-key"]).output.strip()
    assert Sealer([printed]).open(Sealer([printed]).seal("x")) == "x"
