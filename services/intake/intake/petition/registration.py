"""Registering a petition: checks, the split into parts, matter and repeat suggestion, first deadlines.

Long because registration is one transaction whose steps (checks, numbering, parts, steps, events) read in order here.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from tiepdan_common.clock import local_date
from tiepdan_common.errors import Problem, field_error
from tiepdan_common.identity import Identity
from tiepdan_common.web import now

from ..confidential import service as confidential
from ..database import outbox
from ..reference import service as reference
from ..text import fold
from ..visit import domain as visit_domain
from ..visit import service as visits
from ..visit import writes as visit_writes
from ..visit.models import new_id
from . import access, deadlines, domain, law, lifecycle, rules
from .models import Petition, PetitionCounter, PetitionHandler, PetitionSender, PetitionStep
from .rules import calendar, deadline_rules
from .service import PETITION_PREFIX, STEP_EVENT, _violation, find_repeat, get, matter_of, step_event

_INSERT_PETITION = insert(Petition.__table__)
_INSERT_SENDER = insert(PetitionSender.__table__)


def _rule_of_day(db_session: Session, key: str, data: dict):
    """The legal rule in force on the day of receipt; a day before the rules begin is the caller's error."""
    day = local_date(data["received_at"])
    try:
        return reference.rule(db_session=db_session, key=key, on=day)
    except LookupError:
        raise field_error(
            "received_at", f"no legal rule covers {day:%d/%m/%Y}: the reference data does not reach back that far"
        ) from None


def _check_input(*, db_session: Session, identity: Identity, data: dict) -> tuple[str, str, list[dict]]:
    receiving_unit = visits.scope_unit(identity, data["receiving_unit"])
    origin_unit = data["origin_unit"] or receiving_unit
    parts = data["parts"] or [
        {
            "category": data["category"],
            "field": data["field"],
            "content": data["content"],
            "citizen_request": data["citizen_request"],
            "subject": data["subject"],
        }
    ]
    for i, part in enumerate(parts):
        part["field"] = part.get("field") or data["field"]
        if not part["field"]:
            raise field_error(f"parts[{i}].field" if data["parts"] else "field", "is required")
        try:
            visits.check_units(
                db_session=db_session, receiving_unit=receiving_unit, origin_unit=origin_unit, field=part["field"]
            )
        except Problem as exc:
            if data["parts"] and exc.errors and exc.errors[0]["field"] == "field":
                raise field_error(f"parts[{i}].field", exc.errors[0]["message"]) from exc
            raise
    senders = data["senders"]
    try:
        domain.check_parts(parts)
        domain.check_anonymous(
            anonymous=data["anonymous"],
            sender_count=len(senders),
            verifiable=data["verifiable"],
            violator=data["violator"],
            evidence=data["evidence"],
        )
        representatives = sum(1 for s in senders if s["is_representative"])
        domain.check_senders(representatives=representatives, sender_count=len(senders))
        rules = visit_domain.parse_representative_rules(_rule_of_day(db_session, "group.representatives", data))
        visit_domain.check_group(
            group_size=len(senders), citizen_count=len(senders), representative_count=representatives, rules=rules
        )
    except visit_domain.RuleViolation as exc:
        raise _violation(exc, {"citizens": "senders", "group_size": "senders"}) from exc
    if data["channel"] == "visit" and not data["visit_id"]:
        raise field_error("visit_id", "a petition received at a visit names the visit")
    if data["channel"] != "visit" and data["visit_id"]:
        raise field_error("visit_id", "only a petition received at a visit names one")
    if data["channel"] == "forwarded" and not data["forwarded_by"]:
        raise field_error("forwarded_by", "name the body that forwarded the petition")
    for name in ("forwarded_letter_number", "forwarded_letter_date"):
        if data[name] and data["channel"] != "forwarded":
            raise field_error(name, "only a petition forwarded by another body has a forwarding letter")
    if (
        data["forwarded_letter_date"]
        and data["received_at"]
        and data["forwarded_letter_date"] > local_date(data["received_at"])
    ):
        raise field_error("forwarded_letter_date", "is after the petition was received")
    if data["visit_id"]:
        visits.check_visible(db_session=db_session, identity=identity, visit_id=data["visit_id"], field="visit_id")
    return receiving_unit, origin_unit, parts


def _check_channel(*, channel: str, received_on: dt.date) -> None:
    since = law.channel_from(channel)
    if since is None or received_on < since:
        raise field_error(
            "channel",
            f"petitions are received {channel} only from {since.isoformat()}"
            if since
            else f"unknown channel {channel!r}",
        )


def create(*, db_session: Session, identity: Identity, data: dict) -> list[SimpleNamespace]:
    """Register a petition (split into one per category when mixed) and stage ``intake.petition.received``.

    Returns the petitions as answered. A repeat found is a suggestion (``repeat_suggested_of``) for the
    officer to confirm or override; ``repeat_of`` given by the desk is a repeat confirmed at once. A
    second-time complaint is a new stage of its matter, never a repeat. An anonymous denunciation goes
    to an inspection (verifiable) or is filed (Law on Denunciation Art. 25), with no deadline.
    """
    data["received_at"] = visits.check_received_at(data["received_at"])
    receiving_unit, origin_unit, parts = _check_input(db_session=db_session, identity=identity, data=data)
    received_on = local_date(data["received_at"])
    _check_channel(channel=data["channel"], received_on=received_on)
    if data["complaint_round"] == 2 and any(p["category"] != "complaint" for p in parts):
        raise field_error("complaint_round", "only a complaint has a second round")
    rules_on = deadline_rules(db_session=db_session, on=received_on)
    work = calendar(db_session=db_session)
    try:  # a day the calendar does not know is refused first: no deadline could be computed
        work.is_working_day(received_on)
    except rules.RANGE_ERRORS as exc:
        raise rules.out_of_calendar(exc, "received_at") from exc
    # The unit versions in force on the day of receipt, kept with the petition; another is a 422 naming it.
    receiving, origin = visits.check_units(
        db_session=db_session,
        receiving_unit=receiving_unit,
        origin_unit=origin_unit,
        field=parts[0]["field"],
        on=received_on,
    )
    explicit = None
    if data["repeat_of"]:
        if data["parts"]:
            raise field_error("repeat_of", "a split petition cannot be one repeat")
        explicit = get(db_session=db_session, identity=identity, petition_id=data["repeat_of"], field="repeat_of")
        explicit = db_session.get(Petition, explicit.repeat_of) if explicit.repeat_of else explicit

    senders = data["senders"]
    # Confidential: a denunciation, a part split from one, or a petition handed in at the same visit as one.
    confidential_group = any(p["category"] == "denunciation" for p in parts) or bool(
        data["visit_id"]
        and db_session.scalar(
            select(Petition.id)
            .where(Petition.visit_id == data["visit_id"], Petition.category == "denunciation")
            .limit(1)
        )
    )
    if confidential_group and data["visit_id"]:
        db_session.execute(update(Petition).where(Petition.visit_id == data["visit_id"]).values(confidential=True))
    # The senders as the answer shows them: masked from the values given (the stored ones decrypt to these).
    shown = {strict: confidential.present_given(people=senders, strict=strict) for strict in (False, True)}
    ids = [new_id() for _ in parts]
    split_group = new_id() if len(parts) > 1 else None  # opaque: names none of the parts
    officer = access.officer_of(identity)
    created: list[SimpleNamespace] = []
    for index, part in enumerate(parts):
        subject = part.get("subject") or data["subject"]
        matter_key = matter_of(origin_unit=origin_unit, field=part["field"], subject=subject)
        suggested = None
        if explicit is None and not data["anonymous"] and data["complaint_round"] != 2:
            suggested = find_repeat(
                db_session=db_session, identity=identity, senders=senders, matter_key=matter_key, on=received_on
            )
        track = lifecycle.anonymous_track(
            category=part["category"], anonymous=data["anonymous"], verifiable=data["verifiable"]
        )
        try:
            due = deadlines.on_receipt(
                category=part["category"],
                anonymous=data["anonymous"] or bool(explicit),
                multi_site=data["multi_site"],
                received_on=received_on,
                rules=rules_on,
                calendar=work,
            )
        except rules.RANGE_ERRORS as exc:
            raise rules.out_of_calendar(exc, "received_at") from exc
        status = "repeat" if explicit else (track or "received")
        row = {
            "id": ids[index],
            "number": PETITION_PREFIX
            + visit_writes.next_serial(
                db_session=db_session, unit=receiving_unit, year=received_on.year, counter_model=PetitionCounter
            ),
            "receiving_unit": receiving_unit,
            "received_at": data["received_at"],
            "received_on": received_on,
            "receiving_unit_id": receiving.id,
            "origin_unit_id": origin.id,
            "channel": data["channel"],
            "visit_id": data["visit_id"],
            "forwarded_by": data["forwarded_by"],
            "forwarded_letter_number": data["forwarded_letter_number"],
            "forwarded_letter_date": data["forwarded_letter_date"],
            "category": part["category"],
            "field_code": part["field"],
            "origin_unit": origin_unit,
            "subject": subject,
            "content": part["content"],
            "prior_handling": data["prior_handling"],
            "citizen_request": part.get("citizen_request"),
            "search_text": fold(" ".join(filter(None, (subject, part["content"], part.get("citizen_request"))))),
            "anonymous": data["anonymous"],
            "verifiable": data["verifiable"],
            "violator": data["violator"],
            "evidence": data["evidence"],
            "handled_as_denunciation": part["category"] == "denunciation" and not data["anonymous"],
            "multi_site": data["multi_site"],
            "sender_count": len(senders),
            "split_group": split_group,
            "split_from": ids[0] if index else None,
            "repeat_of": explicit.id if explicit else None,
            "repeat_count": 0,
            "status": status,
            "stage": due.first.stage,
            "deadline": due.first.deadline,
            "inform_deadline": due.inform_by,
            "forward_deadline": due.forward_by,
            "citizen_informed_on": None,
            "decision": None,
            "forwarded_to": None,
            "decision_reason": None,
            "decided_at": None,
            "decided_by": None,
            "resolved_on": None,
            "resolution": None,
            "created_by": identity.subject,
            "created_at": now(),
            "matter_key": matter_key,
            "complaint_round": data["complaint_round"],
            "repeat_suggested_of": suggested.id if suggested else None,
            "repeat_decision": "confirmed" if explicit else ("suggested" if suggested else None),
            "repeat_reason": None,
            "confidential": confidential_group,
            "lower_unit": None,
            "complexity": None,
            "paused_on": None,
            "paused_remaining": None,
            "extensions": 0,
            "version": 1,
        }
        db_session.execute(_INSERT_PETITION, row)
        if senders:  # sealed for each part: no two rows share a ciphertext
            db_session.execute(
                _INSERT_SENDER,
                [
                    {
                        "petition_id": row["id"],
                        "position": i,
                        "is_representative": s["is_representative"],
                        **confidential.seal(s),
                    }
                    for i, s in enumerate(senders)
                ],
            )
        db_session.add(PetitionHandler(petition_id=row["id"], officer=officer, assigned_by=officer))
        db_session.add(
            PetitionStep(
                petition_id=row["id"],
                step="received",
                from_status=None,
                to_status="received",
                taken_on=received_on,
                recorded_by=officer,
                basis="Luật Tiếp công dân 42/2013, Điều 25, 28",
                details="{}",
                deadline=due.first.deadline,
                on_time=True,
            )
        )
        if track:
            step = PetitionStep(
                petition_id=row["id"],
                step=track,
                from_status="received",
                to_status=track,
                taken_on=received_on,
                recorded_by=officer,
                basis="Luật Tố cáo 25/2018, Điều 25",
                details="{}",
                deadline=None,
                on_time=True,
            )
            db_session.add(step)
            db_session.flush()
            outbox.add(db_session, STEP_EVENT, step_event(SimpleNamespace(**row), step))
        if explicit is not None:
            # An ORM UPDATE: the first record, loaded in this session, shows the new count in the answer.
            db_session.execute(
                update(Petition).where(Petition.id == explicit.id).values(repeat_count=Petition.repeat_count + 1)
            )
        petition = SimpleNamespace(
            **row, decisions=[], earlier=explicit or suggested, people=shown[confidential_group], content_hidden=False
        )
        access.hide_links(petition, handler=True)
        petition.allowed_steps = lifecycle.allowed(
            status=status,
            category=part["category"],
            anonymous=data["anonymous"],
            received_on=received_on,
            available_from=law.steps_available_from(),
        )
        created.append(petition)
        outbox.add(db_session, "intake.petition.received", received_event(petition))
    return created


def received_event(petition: Petition) -> dict:
    """The data of ``intake.petition.received``: no identity, no free text, no link to a denunciation (a
    confidential record names neither its other parts nor the visit it was handed in at)."""
    return {
        "petition_id": petition.id,
        "number": petition.number,
        "receiving_unit": petition.receiving_unit,
        "origin_unit": petition.origin_unit,
        "received_at": petition.received_at.isoformat(),
        "channel": petition.channel,
        "category": petition.category,
        "field": petition.field_code,
        "anonymous": petition.anonymous,
        "sender_count": petition.sender_count,
        "split_from": None if petition.confidential else petition.split_from,
        "repeat_of": petition.repeat_of,
        "visit_id": None if petition.confidential else petition.visit_id,
    }
