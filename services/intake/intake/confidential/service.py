"""Sealing, masking and revealing citizens' identity fields; every reveal is audited."""

from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from tiepdan_common.context import request_id_var
from tiepdan_common.errors import field_error
from tiepdan_common.identity import Identity
from tiepdan_common.schemas import decode_cursor, encode_cursor

from .crypto import IdentityCipher
from .models import IdentityRead

IDENTITY_FIELDS = ("full_name", "address", "id_number", "phone")
PERMISSION = "identity:read"


def current_cipher() -> IdentityCipher:
    """The running app's identity cipher."""
    return current_app.extensions["intake"]["cipher"]


def seal(
    person: dict, *, cipher: IdentityCipher | None = None, indexes: tuple[list[str], list[str]] | None = None
) -> dict:
    """Column values for a person: identity fields encrypted, blind indexes for finding repeats.

    ``indexes``: the person's ``lookup_indexes`` when already computed (their first entries are the
    newest key's, the ones stored)."""
    cipher = cipher or current_cipher()
    sealed = {name: cipher.encrypt(person.get(name)) for name in IDENTITY_FIELDS}
    by_id, by_name = indexes if indexes is not None else lookup_indexes(person, cipher=cipher)
    sealed["id_index"] = by_id[0] if by_id else None
    sealed["name_index"] = by_name[0] if by_name else None
    return sealed


def lookup_indexes(person: dict, *, cipher: IdentityCipher | None = None) -> tuple[list[str], list[str]]:
    """The blind indexes (under every key) a repeat of this person would carry."""
    cipher = cipher or current_cipher()
    name_address = f"{person.get('full_name') or ''}|{person.get('address') or ''}" if person.get("address") else None
    return cipher.indexes("id_number", person.get("id_number")), cipher.indexes("name_address", name_address)


def reveal(row, *, cipher: IdentityCipher | None = None) -> dict:
    """The clear identity fields of a stored person."""
    cipher = cipher or current_cipher()
    return {name: cipher.decrypt(getattr(row, name)) for name in IDENTITY_FIELDS}


def _mask_name(name: str | None) -> str | None:
    if not name:
        return name
    return " ".join(word[0] + "***" for word in name.split())


def _mask_digits(value: str | None) -> str | None:
    if not value:
        return value
    return "*" * max(len(value) - 3, 3) + value[-3:]


def mask(clear: dict, *, strict: bool) -> dict:
    """Masked identity fields: initials and last digits, or nothing at all when ``strict`` (a denouncer)."""
    if strict:
        return {name: ("***" if clear.get(name) else None) for name in IDENTITY_FIELDS}
    return {
        "full_name": _mask_name(clear.get("full_name")),
        "address": "***" if clear.get("address") else None,
        "id_number": _mask_digits(clear.get("id_number")),
        "phone": _mask_digits(clear.get("phone")),
    }


def present(
    *,
    db_session: Session,
    identity: Identity,
    record_type: str,
    record_id: str,
    people: list,
    strict: bool,
    unmasked: bool,
    purpose: str | None = None,
) -> list[dict]:
    """People as the caller may see them; an unmasked answer is written to the audit log first (with the
    purpose stated for it, if any)."""
    cipher = current_cipher()
    show = unmasked and identity.has(PERMISSION)
    out = []
    for row in people:
        clear = reveal(row, cipher=cipher)
        shown = clear if show else mask(clear, strict=strict)
        out.append({**shown, "is_representative": row.is_representative, "identity_masked": not show})
    if show and people:
        audit(
            db_session=db_session,
            identity=identity,
            record_type=record_type,
            record_id=record_id,
            person_count=len(people),
            purpose=purpose,
        )
    return out


def reveal_audited(
    *, db_session: Session, identity: Identity, record_type: str, record_id: str, people: list, purpose: str
) -> list[dict]:
    """People in clear for a reader the rules allow without ``identity:read`` (the receiving unit's officers),
    the read written to the audit log with its purpose."""
    cipher = current_cipher()
    out = [
        {**reveal(row, cipher=cipher), "is_representative": row.is_representative, "identity_masked": False}
        for row in people
    ]
    if out:
        audit(
            db_session=db_session,
            identity=identity,
            record_type=record_type,
            record_id=record_id,
            person_count=len(out),
            purpose=purpose,
        )
    return out


def audit(
    *,
    db_session: Session,
    identity: Identity,
    record_type: str,
    record_id: str,
    person_count: int,
    purpose: str | None = None,
) -> None:
    """Write one read of confidential data to the audit log (Law on Denunciation, Art. 56)."""
    db_session.add(
        IdentityRead(
            reader=identity.subject,
            reader_kind=identity.kind,
            reader_unit=identity.unit,
            officer=identity.officer,
            record_type=record_type,
            record_id=record_id,
            person_count=person_count,
            request_id=request_id_var.get(),
            purpose=purpose,
        )
    )


def present_given(*, people: list[dict], strict: bool) -> list[dict]:
    """People just written, as a write's answer shows them: masked for every caller (the answer is kept for
    Idempotency-Key replays), from the values given rather than by decrypting what was stored."""
    return [
        {**mask(person, strict=strict), "is_representative": person["is_representative"], "identity_masked": True}
        for person in people
    ]


def list_reads(*, db_session: Session, query: dict) -> tuple[list[IdentityRead], str | None]:
    """A page of the identity-read audit log, newest first."""
    stmt = select(IdentityRead)
    for column, key in (
        (IdentityRead.reader, "reader"),
        (IdentityRead.record_type, "record_type"),
        (IdentityRead.record_id, "record_id"),
    ):
        if query.get(key):
            stmt = stmt.where(column == query[key])
    if query.get("date_from"):
        stmt = stmt.where(IdentityRead.read_at >= query["date_from"])
    if query.get("date_to"):
        stmt = stmt.where(IdentityRead.read_at < query["date_to"])
    if query.get("cursor"):
        try:
            at, last_id = decode_cursor(query["cursor"])
            at, last_id = dt.datetime.fromisoformat(at), int(last_id)
        except (ValueError, TypeError) as exc:
            raise field_error("cursor", "not a valid cursor") from exc
        stmt = stmt.where(or_(IdentityRead.read_at < at, and_(IdentityRead.read_at == at, IdentityRead.id < last_id)))
    limit = query["limit"]
    rows = list(db_session.scalars(stmt.order_by(IdentityRead.read_at.desc(), IdentityRead.id.desc()).limit(limit + 1)))
    cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        cursor = encode_cursor([rows[-1].read_at.isoformat(), rows[-1].id])
    return rows, cursor


def rotate_all(*, db_session: Session, models: list, batch: int = 500) -> int:
    """Re-encrypt every stored person (and image) with the newest key, recompute blind indexes; returns the count."""
    cipher = current_cipher()
    count = 0
    for model in models:
        last_id = 0
        while True:
            rows = list(db_session.scalars(select(model).where(model.id > last_id).order_by(model.id).limit(batch)))
            if not rows:
                break
            for row in rows:
                if hasattr(row, "full_name"):
                    clear = reveal(row, cipher=cipher)
                    for name, value in seal(clear, cipher=cipher).items():
                        setattr(row, name, value)
                else:  # an image
                    row.data = cipher.rotate_bytes(row.data)
            last_id = rows[-1].id
            count += len(rows)
            db_session.commit()  # a batch at a time: a long rotation does not hold one huge transaction
    return count
