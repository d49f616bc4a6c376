"""Reading and seeding agencies and officers."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from tiepdan_common.errors import Problem, field_error

from ..audit import service as audit
from .models import Agency, ContactChannel, Officer


def _check_dates(agency: Agency) -> None:
    if agency.valid_from and agency.valid_to and agency.valid_to < agency.valid_from:
        raise field_error("valid_to", "must not be before valid_from")


def create_agency(*, db_session: Session, data: dict, actor: str, now: dt.datetime) -> Agency:
    """A new agency (409 if the code exists)."""
    if db_session.get(Agency, data["code"]) is not None:
        raise field_error("code", "an agency with this code exists", status=409, code="conflict")
    agency = Agency(**{"unit_name": "", **data})
    _check_dates(agency)
    db_session.add(agency)
    db_session.flush()
    audit.record(
        db_session=db_session,
        at=now,
        actor=actor,
        action="agency.created",
        entity="agency",
        entity_id=agency.code,
        detail=data,
    )
    return agency


def update_agency(*, db_session: Session, code: str, changes: dict, actor: str, now: dt.datetime) -> Agency:
    """Change an agency's name, unit name or dates."""
    agency = db_session.get(Agency, code)
    if agency is None:
        raise Problem(404, "No such agency.")
    for name, value in changes.items():
        setattr(agency, name, value)
    _check_dates(agency)
    audit.record(
        db_session=db_session,
        at=now,
        actor=actor,
        action="agency.updated",
        entity="agency",
        entity_id=code,
        detail=changes,
    )
    db_session.flush()
    return agency


def list_officers(*, db_session: Session, agency: str | None = None) -> list[Officer]:
    """Officers in agency then code order, optionally of one agency."""
    stmt = select(Officer).order_by(Officer.agency_code, Officer.code)
    if agency:
        stmt = stmt.where(Officer.agency_code == agency)
    return list(db_session.scalars(stmt))


def get_officer(*, db_session: Session, code: str) -> Officer | None:
    """One officer, or None."""
    return db_session.get(Officer, code)


def create_officer(*, db_session: Session, data: dict, actor: str, now: dt.datetime) -> Officer:
    """Add an officer (with their channels) to an agency."""
    if db_session.get(Officer, data["code"]) is not None:
        raise field_error("code", "an officer with this code exists", status=409, code="conflict")
    if db_session.get(Agency, data["agency"]) is None:
        raise field_error("agency", "no such agency")
    officer = Officer(
        code=data["code"],
        full_name=data["full_name"],
        agency_code=data["agency"],
        role=data["role"],
        title=data.get("title", ""),
        active=True,
        channels=[ContactChannel(**c) for c in data.get("channels", [])],
    )
    db_session.add(officer)
    db_session.flush()
    audit.record(
        db_session=db_session,
        at=now,
        actor=actor,
        action="officer.created",
        entity="officer",
        entity_id=officer.code,
        detail=data,
    )
    return officer


def update_officer(*, db_session: Session, code: str, changes: dict, actor: str, now: dt.datetime) -> Officer:
    """Change an officer's name, title, role, agency or active flag."""
    officer = db_session.get(Officer, code)
    if officer is None:
        raise Problem(404, "No such officer.")
    if "agency" in changes:
        if db_session.get(Agency, changes["agency"]) is None:
            raise field_error("agency", "no such agency")
        officer.agency_code = changes.pop("agency")
        db_session.flush()
        db_session.expire(officer, ["agency"])
    for name, value in changes.items():
        setattr(officer, name, value)
    audit.record(
        db_session=db_session,
        at=now,
        actor=actor,
        action="officer.updated",
        entity="officer",
        entity_id=code,
        detail=changes,
    )
    db_session.flush()
    return officer


def replace_channels(*, db_session: Session, code: str, channels: list[dict], actor: str, now: dt.datetime) -> Officer:
    """Replace an officer's contact channels (and whether each is verified)."""
    officer = db_session.get(Officer, code)
    if officer is None:
        raise Problem(404, "No such officer.")
    officer.channels = [ContactChannel(**c) for c in channels]
    audit.record(
        db_session=db_session,
        at=now,
        actor=actor,
        action="officer.channels_replaced",
        entity="officer",
        entity_id=code,
        detail={"channels": channels},
    )
    db_session.flush()
    return officer


def seed(*, db_session: Session, demo: dict) -> dict:
    """Create or update the agencies and officers of the demo data (channels verified)."""
    for a in demo["agencies"]:
        valid_from, valid_to = (dt.date.fromisoformat(a[k]) if a.get(k) else None for k in ("valid_from", "valid_to"))
        db_session.merge(
            Agency(
                code=a["code"],
                name=a["name"],
                kind=a["kind"],
                unit=a["unit"],
                unit_name=a.get("unit_name", ""),
                valid_from=valid_from,
                valid_to=valid_to,
            )
        )
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
