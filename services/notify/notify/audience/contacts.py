"""Officers' contact details as roster last gave them, remembered so they can be reached while roster is down."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .models import Contact, RosterSnapshot
from .roster_client import RosterUnavailable


def get_or_create(db_session: Session, model, key: str, **defaults):
    """The row with this primary key, created if missing; a concurrent creator's row is taken, not fought over.

    The consumer and the contact-refreshing task both remember roster's answers: the
    second to insert the same key waits for the first, fails on the key in its own
    savepoint, and reads the row the first committed.
    """
    row = db_session.get(model, key)
    if row is not None:
        return row
    try:
        with db_session.begin_nested():
            row = model(**{model.__mapper__.primary_key[0].key: key}, **defaults)
            db_session.add(row)
    except IntegrityError:
        row = db_session.get(model, key)
    return row


def remember_contacts(db_session: Session, people: list[dict], now: dt.datetime) -> int:
    """Keep each officer's name, agency and channels as roster gave them (in code order: no deadlocks)."""
    for person in sorted((p for p in people if p.get("code")), key=lambda p: p["code"]):
        contact = get_or_create(db_session, Contact, person["code"], channels=[], updated_at=now)
        known = (contact.full_name, contact.agency, contact.channels)
        contact.full_name = person.get("full_name") or contact.full_name
        contact.agency = person.get("agency") or contact.agency
        if person.get("channels") is not None:
            contact.channels = person["channels"]
        if (contact.full_name, contact.agency, contact.channels) != known or contact.updated_at is None:
            contact.updated_at = now
            db_session.add(contact)
    return len(people)


def sync_contacts(*, db_session: Session, roster, now: dt.datetime) -> int:
    """Refresh every officer's contact details from roster (a periodic task); 0 when roster is down."""
    try:
        officers = roster.officers()
    except RosterUnavailable:
        return 0
    remember_contacts(db_session, officers, now)
    # Kept as the answer an agency audience reads (every officer, filtered by agency), so that an agency can
    # be reached while roster is down.
    snapshot = get_or_create(db_session, RosterSnapshot, "officers", answer=officers, fetched_at=now)
    snapshot.answer, snapshot.fetched_at = officers, now
    db_session.add(snapshot)
    return len(officers)
