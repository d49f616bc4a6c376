"""Showing citizens' names to the officers of the unit that received them (issue 21: the office's working
data), with every such read written to the identity-read audit log like any other unmasked read."""

from __future__ import annotations

from sqlalchemy.orm import Session
from tiepdan_common.context import request_id_var
from tiepdan_common.identity import Identity

from ..confidential import service as confidential
from ..confidential.models import IdentityRead

PURPOSE = "receiving unit's own record"


def present_to_own_unit(*, db_session: Session, identity: Identity, visit) -> list[dict]:
    """The visit's citizens in clear, and the read audited (purpose: the receiving unit's own record)."""
    cipher = confidential.current_cipher()
    people = [{**confidential.reveal(row, cipher=cipher), "is_representative": row.is_representative,
               "identity_masked": False} for row in visit.citizens]
    if people:
        db_session.add(IdentityRead(
            reader=identity.subject, reader_kind=identity.kind, reader_unit=identity.unit, officer=identity.officer,
            record_type="visit", record_id=visit.id, person_count=len(people), request_id=request_id_var.get(),
            purpose=PURPOSE,
        ))
    return people
