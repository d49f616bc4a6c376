"""Administration commands: ``tiepdan-gateway-admin <command>`` or ``python -m gateway <command>``.

They act on the gateway database named by ``GATEWAY_DATABASE_URL``. The module is long because it is one
click group of sixteen short commands, each a thin layer over the stores, read together as the CLI.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from tiepdan_common.db import Database
from tiepdan_common.identity import KINDS
from tiepdan_common.migrations import upgrade

from . import access, sealing
from .accounts import AccountError, AccountStore
from .keys import KeyStore
from .migrations import MIGRATIONS_PATH
from .passwords import generate_secret
from .runtime import make_account_store
from .settings import GatewaySettings, load_gateway_settings

README_START = "<!-- access-table:start -->"
README_END = "<!-- access-table:end -->"


class Context:
    """Settings and stores, opened on first use so that ``--help`` needs no database."""

    def __init__(self) -> None:
        self._settings: GatewaySettings | None = None
        self._db: Database | None = None

    @property
    def settings(self) -> GatewaySettings:
        if self._settings is None:
            self._settings = load_gateway_settings()
        return self._settings

    @property
    def db(self) -> Database:
        if self._db is None:
            self._db = Database(self.settings.database_url)
        return self._db

    def accounts(self) -> AccountStore:
        return make_account_store(self.settings, self.db)

    def keys(self) -> KeyStore:
        return KeyStore(self.db, self.settings.token_ttl_seconds, self.settings.secrets_keys)

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()


pass_context = click.make_pass_decorator(Context)


def _fail(exc: Exception) -> None:
    raise click.ClickException(str(exc))


@click.group()
@click.pass_context
def main(ctx: click.Context) -> None:
    """Administer the tiepdan gateway: database, API clients, officer accounts, signing keys."""
    ctx.obj = Context()
    ctx.call_on_close(ctx.obj.close)


# --------------------------------------------------------------------------- database


@main.command()
@click.option("--revision", default="head", show_default=True)
@pass_context
def migrate(obj: Context, revision: str) -> None:
    """Apply the database migrations."""
    upgrade(MIGRATIONS_PATH, obj.settings.database_url, revision)
    click.echo(f"gateway: database at {revision}")


@main.command("seed-demo")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_context
def seed_demo(obj: Context, path: Path) -> None:
    """Create or update every client and officer account of the demo file PATH (idempotent)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    store = obj.accounts()
    agencies = {a["code"]: a for a in data.get("agencies", [])}
    created = updated = 0
    try:
        for client in data.get("clients", []):
            new = store.upsert_client(
                client["client_id"],
                kind=client["kind"],
                display_name=client.get("name") or client["client_id"],
                unit=client.get("unit"),
                roles=client.get("roles") or [],
                secret=client["client_secret"],
            )
            created, updated = created + new, updated + (not new)
        for officer in data.get("officers", []):
            role = officer["role"]
            agency = agencies.get(officer.get("agency"), {})
            try:
                kind = access.officer_kind(role, agency.get("kind"))
            except KeyError:
                raise AccountError(f"officer {officer['username']}: no kind known for role {role!r}") from None
            new = store.upsert_user(
                officer["username"],
                password=officer["password"],
                full_name=officer["full_name"],
                kind=kind,
                unit=agency.get("unit"),
                roles=[role],
                officer_code=officer.get("code"),
            )
            created, updated = created + new, updated + (not new)
        for user in data.get("users", []):  # people who sign in without being on the roster: administrators
            new = store.upsert_user(
                user["username"],
                password=user["password"],
                full_name=user["full_name"],
                kind=user["kind"],
                unit=user.get("unit"),
                roles=user.get("roles") or [],
                officer_code=None,
            )
            created, updated = created + new, updated + (not new)
    except (AccountError, KeyError) as exc:
        _fail(exc)
    click.echo(f"gateway: demo accounts seeded ({created} created, {updated} updated)")


# --------------------------------------------------------------------------- clients


@main.command("create-client")
@click.argument("client_id")
@click.option("--kind", type=click.Choice(KINDS), required=True)
@click.option("--name", "display_name", required=True, help="Display name.")
@click.option("--unit", default=None, help="Unit code (a commune's code, the district's ...).")
@click.option("--role", "roles", multiple=True, help="A role (repeatable).")
@pass_context
def create_client(obj: Context, client_id: str, kind: str, display_name: str, unit: str | None, roles) -> None:
    """Create an API client and print its secret (shown once)."""
    try:
        secret = obj.accounts().create_client(client_id, kind=kind, display_name=display_name, unit=unit, roles=roles)
    except AccountError as exc:
        _fail(exc)
    click.echo(f"client_id:     {client_id}")
    click.echo(f"client_secret: {secret}")
    click.echo("Store the secret now: it is not shown again.", err=True)


@main.command("list-clients")
@click.option("--json", "as_json", is_flag=True, help="JSON lines instead of a table.")
@pass_context
def list_clients(obj: Context, as_json: bool) -> None:
    """List the API clients."""
    for c in obj.accounts().list_clients():
        row = {
            "client_id": c.client_id,
            "kind": c.kind,
            "unit": c.unit,
            "name": c.display_name,
            "roles": list(c.roles or []),
            "disabled": c.disabled,
            "created_at": c.created_at.isoformat(),
        }
        if as_json:
            click.echo(json.dumps(row, ensure_ascii=False))
        else:
            state = "disabled" if c.disabled else "active"
            roles = ",".join(row["roles"]) or "-"
            click.echo(f"{c.client_id:<20} {c.kind:<9} {c.unit or '-':<6} {state:<8} {roles:<12} {c.display_name}")


@main.command("disable-client")
@click.argument("client_id")
@click.option("--enable", is_flag=True, help="Enable the client again instead.")
@pass_context
def disable_client(obj: Context, client_id: str, enable: bool) -> None:
    """Disable an API client (it gets no new token; tokens already issued run out within TOKEN_TTL_SECONDS)."""
    try:
        obj.accounts().set_client_disabled(client_id, not enable)
    except AccountError as exc:
        _fail(exc)
    click.echo(f"client {client_id} {'enabled' if enable else 'disabled'}")


@main.command("rotate-secret")
@click.argument("client_id")
@pass_context
def rotate_secret(obj: Context, client_id: str) -> None:
    """Give a client a new secret and print it (shown once; the old secret stops working)."""
    try:
        secret = obj.accounts().rotate_secret(client_id)
    except AccountError as exc:
        _fail(exc)
    click.echo(f"client_secret: {secret}")
    click.echo("Store the secret now: it is not shown again.", err=True)


# --------------------------------------------------------------------------- officer accounts


@main.command("create-user")
@click.argument("username")
@click.option("--full-name", required=True)
@click.option("--kind", type=click.Choice(KINDS), required=True)
@click.option("--role", "roles", multiple=True, help="A role (repeatable), e.g. board, inspector, leader.")
@click.option("--unit", default=None)
@click.option("--officer-code", default=None)
@click.option("--password", default=None, help="Password; prompted for when omitted, or generated with --generate.")
@click.option("--generate", is_flag=True, help="Generate a random password and print it once.")
@pass_context
def create_user(
    obj: Context,
    username: str,
    full_name: str,
    kind: str,
    roles,
    unit: str | None,
    officer_code: str | None,
    password: str | None,
    generate: bool,
) -> None:
    """Create an officer account."""
    if generate:
        password = generate_secret()
    elif password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        obj.accounts().create_user(
            username,
            password=password,
            full_name=full_name,
            kind=kind,
            unit=unit,
            roles=roles,
            officer_code=officer_code,
        )
    except AccountError as exc:
        _fail(exc)
    click.echo(f"user {username} created")
    if generate:
        click.echo(f"password: {password}")


@main.command("list-users")
@click.option("--json", "as_json", is_flag=True, help="JSON lines instead of a table.")
@pass_context
def list_users(obj: Context, as_json: bool) -> None:
    """List the officer accounts."""
    for u in obj.accounts().list_users():
        row = {
            "username": u.username,
            "officer_code": u.officer_code,
            "full_name": u.full_name,
            "kind": u.kind,
            "unit": u.unit,
            "roles": list(u.roles or []),
            "disabled": u.disabled,
            "failed_attempts": u.failed_attempts,
            "locked_until": u.locked_until.isoformat() if u.locked_until else None,
            "last_login_at": u.last_login_at.isoformat() if u.last_login_at else None,
        }
        if as_json:
            click.echo(json.dumps(row, ensure_ascii=False))
        else:
            state = "disabled" if u.disabled else ("locked" if u.locked_until else "active")
            click.echo(f"{u.username:<12} {u.kind:<9} {','.join(row['roles']) or '-':<11} {state:<8} {u.full_name}")


@main.command("disable-user")
@click.argument("username")
@click.option("--enable", is_flag=True, help="Enable the account again instead.")
@pass_context
def disable_user(obj: Context, username: str, enable: bool) -> None:
    """Disable an officer account (tokens already issued run out within TOKEN_TTL_SECONDS)."""
    try:
        obj.accounts().set_user_disabled(username, not enable)
    except AccountError as exc:
        _fail(exc)
    click.echo(f"user {username} {'enabled' if enable else 'disabled'}")


@main.command("unlock-user")
@click.argument("username")
@pass_context
def unlock_user(obj: Context, username: str) -> None:
    """Lift the lock put on an account after failed sign-ins."""
    try:
        obj.accounts().unlock_user(username)
    except AccountError as exc:
        _fail(exc)
    click.echo(f"user {username} unlocked")


@main.command("set-password")
@click.argument("username")
@click.option("--password", default=None, help="New password; prompted for when omitted.")
@pass_context
def set_password(obj: Context, username: str, password: str | None) -> None:
    """Give an officer a new password."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        obj.accounts().set_password(username, password)
    except AccountError as exc:
        _fail(exc)
    click.echo(f"user {username}: password changed")


# --------------------------------------------------------------------------- signing keys


@main.command("rotate-signing-key")
@pass_context
def rotate_signing_key(obj: Context) -> None:
    """Make a new current token signing key; the old one stays published until its tokens expire."""
    kid = obj.keys().rotate()
    click.echo(f"new signing key {kid}")


@main.command("new-secrets-key")
def new_secrets_key() -> None:
    """Print a new key for GATEWAY_SECRETS_KEYS (put it first, keep the old one after it, then reseal)."""
    click.echo(sealing.new_key())


@main.command("reseal-signing-keys")
@pass_context
def reseal_signing_keys(obj: Context) -> None:
    """Seal every signing key under the first key of GATEWAY_SECRETS_KEYS (then the others can be dropped)."""
    count = obj.keys().reseal()
    click.echo(f"resealed {count} signing key(s)")


@main.command("list-signing-keys")
@pass_context
def list_signing_keys(obj: Context) -> None:
    """List the token signing keys (ids and dates only)."""
    for key in obj.keys().all_keys():
        retired = key.retired_at.isoformat() if key.retired_at else "current"
        click.echo(f"{key.kid}  created {key.created_at.isoformat()}  retired {retired}")


# --------------------------------------------------------------------------- documentation


def replace_between_markers(text: str, content: str) -> str:
    """``text`` with what lies between the access-table markers replaced by ``content``."""
    start = text.index(README_START) + len(README_START)
    end = text.index(README_END)
    return text[:start] + "\n" + content + text[end:]


@main.command("access-table")
@click.option(
    "--write",
    "readme",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Update the tables between the markers of this README instead of printing them.",
)
def access_table(readme: Path | None) -> None:
    """Print the role and route tables as Markdown (or update them in the README)."""
    content = access.access_markdown()
    if readme is None:
        click.echo(content, nl=False)
        return
    text = readme.read_text(encoding="utf-8")
    try:
        new = replace_between_markers(text, content)
    except ValueError:
        raise click.ClickException(f"{readme} has no {README_START} ... {README_END} markers") from None
    if new != text:
        readme.write_text(new, encoding="utf-8")
        click.echo(f"{readme}: access tables updated")
    else:
        click.echo(f"{readme}: access tables already current")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
