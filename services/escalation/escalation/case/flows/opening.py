"""A case opened or joined across aggregates: its escalation started, the open hot spot of its place linked, the
police alerted for public order; joined, a change that matters re-escalated. Visits, incidents, province requests
and officers (by hand) open cases through here; the case, policy, hot-spot and alert services stay leaves."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tiepdan_common.clock import local_date
from tiepdan_common.identity import Identity
from tiepdan_common.models import utcnow

from ... import reference
from ...alert import service as alerts
from ...hotspot import service as hotspots
from ...policy import service as policies
from ...unit import service as unit_copy
from .. import domain
from .. import service as cases
from ..models import Case
from . import changes


def open_case(
    *,
    db_session: Session,
    title: str,
    unit: str,
    field_code: str,
    category: str | None,
    matter_key: str,
    severity: str,
    level: str,
    owner_agency: str | None,
    group_size: int | None,
    source_type: str,
    source_id: str,
    actor: str,
    public_order: bool = False,
    complex: bool = False,
    now: dt.datetime | None = None,
    public_title: str | None = None,
    active_policies: list | None = None,
    link: Callable[[Case], None] | None = None,
    flush: bool = True,
    number: str | None = None,
) -> Case:
    """Open a case, record where it came from, stage ``escalation.case.opened`` and start its escalation.

    A caller opening many cases in one transaction may pass what it has read already: ``active_policies``
    (the active escalation policies in order, :func:`policies.active`) and ``link(case)``, which links the
    new case to the open hot spot of its place (:meth:`hotspots.Windows.link`); with ``flush=False`` the
    rows are written at the session's next flush; ``number`` is one it took already (:class:`Numbers`).

    With ``flush`` the case is written at once in a savepoint: if another opener committed an open case
    for the same matter first (the unique index on open matters), this one joins that case and returns it.
    """
    now = now or utcnow()
    args = {
        "db_session": db_session,
        "title": title,
        "unit": unit,
        "field_code": field_code,
        "category": category,
        "matter_key": matter_key,
        "severity": severity,
        "level": level,
        "owner_agency": owner_agency,
        "group_size": group_size,
        "source_type": source_type,
        "source_id": source_id,
        "actor": actor,
        "public_order": public_order,
        "complex": complex,
        "now": now,
        "public_title": public_title,
        "active_policies": active_policies,
        "link": link,
        "flush": flush,
        "number": number,
    }
    if flush:
        return _open_or_join(args)[0]
    return _open(**args)


def _open_or_join(args: dict) -> tuple[Case, bool]:
    """Open the case in a savepoint; if the matter's open case was committed first, join it: (case, opened)."""
    db_session = args["db_session"]
    try:
        with db_session.begin_nested():
            return _open(**args), True
    except IntegrityError:
        existing = cases.find_open_for_matter(db_session=db_session, matter_key=args["matter_key"])
        if existing is None:
            raise
        join_case(
            db_session=db_session,
            case=existing,
            source_type=args["source_type"],
            source_id=args["source_id"],
            actor=args["actor"],
            group_size=args["group_size"],
            severity=args["severity"],
            public_order=args["public_order"],
            now=args["now"],
        )
        return existing, False


def _open(
    *,
    db_session: Session,
    now: dt.datetime,
    active_policies: list | None,
    link: Callable[[Case], None] | None,
    flush: bool,
    **values,
) -> Case:
    """The case's rows, then in order: its escalation, its hot spot, the police alerted for public order."""
    case = cases.create(db_session=db_session, now=now, **values)
    policies.start(db_session=db_session, case=case, now=now, active=active_policies)
    if link is not None:
        link(case)
    else:
        hotspots.link_case(db_session=db_session, case=case)
    if values["public_order"]:
        alerts.raise_alert(db_session=db_session, case=case, reason="public_order", now=now)
    if flush:
        db_session.flush()
    return case


def join_case(
    *,
    db_session: Session,
    case: Case,
    source_type: str,
    source_id: str,
    actor: str,
    group_size: int | None = None,
    over_level: bool = False,
    severity: str | None = None,
    public_order: bool = False,
    now: dt.datetime | None = None,
    active_policies: list | None = None,
) -> None:
    """Attach a related event to an open case instead of opening another; a change that matters is announced."""
    now = now or utcnow()
    before = changes.Before.of(case)
    flagged = cases.attach(
        db_session=db_session,
        case=case,
        source_type=source_type,
        source_id=source_id,
        group_size=group_size,
        over_level=over_level,
        severity=severity,
        public_order=public_order,
    )
    if flagged:
        alerts.raise_alert(db_session=db_session, case=case, reason="public_order", now=now)
    cases.note_joined(
        db_session=db_session,
        case=case,
        source_type=source_type,
        source_id=source_id,
        actor=actor,
        group_size=group_size,
        now=now,
    )
    joined = (
        [{"kind": "visit_joined", "source": {"type": source_type, "id": source_id}}] if source_type == "visit" else []
    )
    changes.settle(db_session, case, before, now=now, also=joined, candidates=active_policies)


def open_manual(
    *,
    db_session: Session,
    identity: Identity,
    title: str,
    unit: str,
    field_code: str,
    category: str | None,
    severity: str,
    group_size: int | None,
    public_order: bool,
    complex: bool,
    owner_agency: str | None,
    level: str,
    reference_dir,
    now: dt.datetime | None = None,
) -> tuple[Case, bool]:
    """Open a case by hand, or join the open case of the same matter: (the case, whether it was opened).

    Events and police see a generated title, never the officer's.
    """
    cases.check_opener(identity, unit)
    now = now or utcnow()
    field = reference.field(reference_dir, field_code)["name_vi"]
    place = unit_copy.directory(db_session).name(unit, local_date(now))
    public_title = f"Vụ việc {domain.field_phrase(field)}, {place}"
    matter_key = f"{unit}:{field_code}"
    source_id = str(uuid.uuid4())
    existing = cases.find_open_for_matter(db_session=db_session, matter_key=matter_key)
    if existing is None:
        case, opened = _open_or_join(
            {
                "db_session": db_session,
                "title": title,
                "unit": unit,
                "field_code": field_code,
                "category": category,
                "matter_key": matter_key,
                "severity": severity,
                "level": level,
                "owner_agency": owner_agency,
                "group_size": group_size,
                "source_type": "manual",
                "source_id": source_id,
                "actor": identity.subject,
                "public_order": public_order,
                "complex": complex,
                "now": now,
                "public_title": public_title,
                "active_policies": None,
                "link": None,
                "flush": True,
                "number": None,
            }
        )
        if opened:
            return case, True
        existing = case
    else:
        join_case(
            db_session=db_session,
            case=existing,
            source_type="manual",
            source_id=source_id,
            actor=identity.subject,
            group_size=group_size,
            severity=severity,
            public_order=public_order,
            now=now,
        )
    cases.note(
        db_session=db_session,
        case=existing,
        actor=identity.subject,
        kind="note",
        now=now,
        detail={"title": title, "why": "opened by hand while the matter had this case open"},
    )
    return existing, False
