"""Finding a returning citizen's visits by full name, identity number or phone, without decrypting.

Each citizen carries blind indexes (HMACs under a key derived from the identity key, see
``intake.confidential.crypto``): the identity number's (``id_index``, kept since migration 0002),
the folded full name's and the phone's digits' (``full_name_index``, ``phone_index``, migration 0008).
A search computes the same HMACs of what the clerk typed, under every configured key, and looks them
up; names are folded (diacritics and case ignored), phones reduced to digits with +84 read as 0. No
identity is ever compared in clear or leaves encryption at rest.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..confidential import service as confidential
from ..confidential.crypto import IdentityCipher
from ..text import fold
from .models import VisitCitizen


def phone_digits(phone: str | None) -> str:
    """A phone number as digits, +84/84 read as the leading 0."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    if digits.startswith("84") and len(digits) >= 10:
        digits = "0" + digits[2:]
    return digits


def _indexes(cipher: IdentityCipher, *, full_name=None, id_number=None, phone=None) -> dict[str, list[str]]:
    return {
        "full_name_index": cipher.indexes("full_name", fold(full_name)) if full_name else [],
        "id_index": cipher.indexes("id_number", id_number) if id_number else [],
        "phone_index": cipher.indexes("phone", phone_digits(phone)) if phone else [],
    }


def search_indexes(person: dict, *, cipher: IdentityCipher | None = None) -> dict:
    """The stored search indexes of a person (newest key): full name and phone."""
    found = _indexes(
        cipher or confidential.current_cipher(), full_name=person.get("full_name"), phone=person.get("phone")
    )
    return {
        "full_name_index": found["full_name_index"][0] if found["full_name_index"] else None,
        "phone_index": found["phone_index"][0] if found["phone_index"] else None,
    }


def matching_visits(*, full_name: str | None, id_number: str | None, phone: str | None):
    """A SELECT of the ids of visits with a citizen matching every one of the given identity fields."""
    found = _indexes(confidential.current_cipher(), full_name=full_name, id_number=id_number, phone=phone)
    stmt = select(VisitCitizen.visit_id)
    for column, given in (("full_name_index", full_name), ("id_index", id_number), ("phone_index", phone)):
        if given:
            stmt = stmt.where(getattr(VisitCitizen, column).in_(found[column]))
    return stmt


def reindex(*, db_session: Session, batch: int = 500) -> int:
    """Recompute every citizen's search indexes under the newest key (after a key rotation); the count."""
    cipher = confidential.current_cipher()
    count, last_id = 0, 0
    while True:
        rows = list(
            db_session.scalars(
                select(VisitCitizen).where(VisitCitizen.id > last_id).order_by(VisitCitizen.id).limit(batch)
            )
        )
        if not rows:
            return count
        for row in rows:
            for name, value in search_indexes(confidential.reveal(row, cipher=cipher), cipher=cipher).items():
                setattr(row, name, value)
        last_id, count = rows[-1].id, count + len(rows)
        db_session.commit()
