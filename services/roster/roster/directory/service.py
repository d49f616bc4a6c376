"""Reading and seeding agencies and officers."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Agency, ContactChannel, Officer


def list_officers(*, db_session: Session, agency: str | None = None) -> list[Officer]:
    stmt = select(Officer).order_by(Officer.agency_code, Officer.code)
    if agency:
        stmt = stmt.where(Officer.agency_code == agency)
    return list(db_session.scalars(stmt))


def get_officer(*, db_session: Session, code: str) -> Officer | None:
    return db_session.get(Officer, code)


def seed(*, db_session: Session, demo: dict) -> dict:
    """Create or update the agencies and officers of the demo data (channels verified)."""
    for a in demo["agencies"]:
        db_session.merge(Agency(code=a["code"], name=a["name"], kind=a["kind"], unit=a["unit"]))
    db_session.flush()
    for o in demo["officers"]:
        officer = db_session.get(Officer, o["code"]) or Officer(code=o["code"])
        officer.full_name, officer.agency_code = o["full_name"], o["agency"]
        officer.role, officer.title, officer.active = o["role"], o.get("title", ""), True
        officer.channels = [
            ContactChannel(kind="phone", address=o["phone"], verified=True),
            ContactChannel(kind="email", address=o["email"], verified=True),
        ]
        db_session.add(officer)
    db_session.flush()
    return {"agencies": len(demo["agencies"]), "officers": len(demo["officers"])}
