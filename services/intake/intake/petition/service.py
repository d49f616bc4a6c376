"""Registering petitions, finding repeats, taking handling decisions."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from sqlalchemy import and_, bindparam, func, insert, or_, select, update
from sqlalchemy.orm import Session, lazyload

from tiepdan_common.errors import Problem, field_error
from tiepdan_common.identity import Identity
from tiepdan_common.models import utcnow

from .. import listing, search
from ..clock import local_date, today
from ..confidential import service as confidential
from ..database import outbox
from ..reference import service as reference
from ..text import fold
from ..visit import domain as visit_domain
from ..visit import service as visits
from ..visit.models import new_id
from . import domain
from .models import (
    Petition,
    PetitionCounter,
    PetitionDecision,
    PetitionImage,
    PetitionSender,
)

OPEN_STAGES = ("response", "initial_handling", "resolution")

SORT_KEYS = {
    "received_at": listing.SortKey(Petition.received_at, lambda p: p.received_at, dt.datetime.fromisoformat,
                                   lambda v: v.isoformat()),
    # Petitions without a deadline sort after every dated one.
    "deadline": listing.SortKey(func.coalesce(Petition.deadline, dt.date(9999, 12, 31)),
                                lambda p: p.deadline or dt.date(9999, 12, 31), dt.date.fromisoformat,
                                lambda v: v.isoformat()),
    "number": listing.SortKey(Petition.number, lambda p: p.number, str),
}


def deadline_rules(*, db_session: Session, on: dt.date) -> dict:
    """The legal numbers in force on ``on`` that petition deadlines use."""
    keys = {
        "petition_response": "deadline.petition_response_working_days",
        "denunciation_initial": "deadline.denunciation_initial_working_days",
        "denunciation_initial_multi_site": "deadline.denunciation_initial_multi_site_working_days",
        "denunciation_forward": "deadline.denunciation_forward_working_days",
        "complaint_first": "deadline.complaint_first_days",
        "complaint_second": "deadline.complaint_second_days",
        "denunciation_resolution": "deadline.denunciation_resolution_days",
    }
    return {name: reference.rule(db_session=db_session, key=key, on=on) for name, key in keys.items()}


def _holidays(db_session: Session, start: dt.date) -> set[dt.date]:
    return reference.holidays(db_session=db_session, start=start, end=start + dt.timedelta(days=400))


def _visible(stmt, identity: Identity):
    return stmt.where(Petition.receiving_unit == identity.unit) if identity.is_commune else stmt


def _violation(exc: visit_domain.RuleViolation, rename: dict | None = None):
    field = (rename or {}).get(exc.field, exc.field)
    return field_error(field, exc.message)


def _repeat_query(*, commune: bool):
    """The first record (not itself a repeat) from senders carrying one of the blind indexes, about one
    matter (built once)."""
    matches = select(PetitionSender.petition_id).where(or_(
        PetitionSender.id_index.in_(bindparam("ids", expanding=True)),
        PetitionSender.name_index.in_(bindparam("names", expanding=True)),
    ))
    stmt = select(Petition).where(
        Petition.id.in_(matches), Petition.origin_unit == bindparam("origin_unit"),
        Petition.field_code == bindparam("field"), Petition.category == bindparam("category"),
        Petition.repeat_of.is_(None),
    )
    if commune:  # a commune's repeats are among its own records, as everything it reads (_visible)
        stmt = stmt.where(Petition.receiving_unit == bindparam("unit"))
    # The answer shows the first record's decisions, never its senders: those are not loaded.
    return stmt.options(lazyload(Petition.senders)).order_by(Petition.received_at, Petition.id).limit(1)


_REPEAT_QUERIES = {commune: _repeat_query(commune=commune) for commune in (False, True)}
_INSERT_PETITION = insert(Petition.__table__)
_INSERT_SENDER = insert(PetitionSender.__table__)


def find_repeat(*, db_session: Session, identity: Identity, senders: list[dict], origin_unit: str, field: str,
                category: str) -> Petition | None:
    """The first petition, visible to the caller, from one of these senders about the same matter."""
    ids, names = [], []
    for person in senders:
        by_id, by_name = confidential.lookup_indexes(person)
        ids += by_id
        names += by_name
    if not ids and not names:
        return None
    params = {"ids": ids, "names": names, "origin_unit": origin_unit, "field": field, "category": category}
    if identity.is_commune:
        params["unit"] = identity.unit
    return db_session.scalars(_REPEAT_QUERIES[identity.is_commune], params).first()


def _check_input(*, db_session: Session, identity: Identity, data: dict) -> tuple[str, str, list[dict]]:
    receiving_unit = visits.scope_unit(identity, data["receiving_unit"])
    origin_unit = data["origin_unit"] or receiving_unit
    parts = data["parts"] or [{"category": data["category"], "field": data["field"], "content": data["content"],
                               "citizen_request": data["citizen_request"], "subject": data["subject"]}]
    for i, part in enumerate(parts):
        part["field"] = part.get("field") or data["field"]
        if not part["field"]:
            raise field_error(f"parts[{i}].field" if data["parts"] else "field", "is required")
        try:
            visits.check_units(db_session=db_session, receiving_unit=receiving_unit, origin_unit=origin_unit,
                               field=part["field"])
        except Problem as exc:
            if data["parts"] and exc.errors and exc.errors[0]["field"] == "field":
                raise field_error(f"parts[{i}].field", exc.errors[0]["message"]) from exc
            raise
    senders = data["senders"]
    try:
        domain.check_parts(parts)
        domain.check_anonymous(anonymous=data["anonymous"], sender_count=len(senders), verifiable=data["verifiable"],
                               violator=data["violator"], evidence=data["evidence"])
        representatives = sum(1 for s in senders if s["is_representative"])
        domain.check_senders(representatives=representatives, sender_count=len(senders))
        rules = visit_domain.parse_representative_rules(
            reference.rule(db_session=db_session, key="group.representatives", on=local_date(data["received_at"]))
        )
        visit_domain.check_group(group_size=len(senders), citizen_count=len(senders),
                                 representative_count=representatives, rules=rules)
    except visit_domain.RuleViolation as exc:
        raise _violation(exc, {"citizens": "senders", "group_size": "senders"}) from exc
    if data["channel"] == "visit" and not data["visit_id"]:
        raise field_error("visit_id", "a petition received at a visit names the visit")
    if data["channel"] != "visit" and data["visit_id"]:
        raise field_error("visit_id", "only a petition received at a visit names one")
    if data["channel"] == "forwarded" and not data["forwarded_by"]:
        raise field_error("forwarded_by", "name the body that forwarded the petition")
    if data["visit_id"]:
        visits.check_visible(db_session=db_session, identity=identity, visit_id=data["visit_id"], field="visit_id")
    return receiving_unit, origin_unit, parts


def create(*, db_session: Session, identity: Identity, data: dict) -> list[SimpleNamespace]:
    """Register a petition (split into one per category when mixed) and stage ``intake.petition.received``.

    Returns the petitions as answered. Reference data (units, fields, rules, holidays) comes from the
    process's cache; the rows go in with plain INSERTs (every column is set here, the ORM would add
    nothing but CPU time).
    """
    data["received_at"] = visits.check_received_at(data["received_at"])
    receiving_unit, origin_unit, parts = _check_input(db_session=db_session, identity=identity, data=data)
    received_on = local_date(data["received_at"])
    rules = deadline_rules(db_session=db_session, on=received_on)
    holidays = _holidays(db_session, received_on)
    explicit = None
    if data["repeat_of"]:
        if data["parts"]:
            raise field_error("repeat_of", "a split petition cannot be one repeat")
        explicit = get(db_session=db_session, identity=identity, petition_id=data["repeat_of"], field="repeat_of")
        explicit = db_session.get(Petition, explicit.repeat_of) if explicit.repeat_of else explicit

    senders = data["senders"]
    # The senders as the answer shows them: masked from the values given (the stored ones decrypt to these).
    shown = {strict: confidential.present_given(people=senders, strict=strict) for strict in (False, True)}
    ids = [new_id() for _ in parts]
    created: list[SimpleNamespace] = []
    for index, part in enumerate(parts):
        earlier = explicit
        if earlier is None and not data["anonymous"]:
            earlier = find_repeat(db_session=db_session, identity=identity, senders=senders,
                                  origin_unit=origin_unit, field=part["field"], category=part["category"])
        handled = domain.handled_as_denunciation(category=part["category"], anonymous=data["anonymous"],
                                                 verifiable=data["verifiable"])
        due = domain.Deadline(None, None) if earlier else domain.on_receipt(
            category=part["category"], received_on=received_on, handled=handled, anonymous=data["anonymous"],
            multi_site=data["multi_site"], rules=rules, holidays=holidays)
        subject = part.get("subject") or data["subject"]
        row = {
            "id": ids[index],
            "number": visits.next_serial(db_session=db_session, unit=receiving_unit, year=received_on.year,
                                         counter_model=PetitionCounter),
            "receiving_unit": receiving_unit, "received_at": data["received_at"], "received_on": received_on,
            "channel": data["channel"], "visit_id": data["visit_id"], "forwarded_by": data["forwarded_by"],
            "category": part["category"], "field_code": part["field"], "origin_unit": origin_unit,
            "subject": subject, "content": part["content"], "prior_handling": data["prior_handling"],
            "citizen_request": part.get("citizen_request"),
            "search_text": fold(" ".join(filter(None, (subject, part["content"], part.get("citizen_request"))))),
            "anonymous": data["anonymous"], "verifiable": data["verifiable"], "violator": data["violator"],
            "evidence": data["evidence"], "handled_as_denunciation": handled, "multi_site": data["multi_site"],
            "sender_count": len(senders),
            "split_group": ids[0] if len(parts) > 1 else None, "split_from": ids[0] if index else None,
            "repeat_of": earlier.id if earlier else None, "repeat_count": 0,
            "status": "repeat" if earlier else "received", "stage": due.stage, "deadline": due.deadline,
            "inform_deadline": None if earlier else domain.inform_deadline(
                received_on=received_on, anonymous=data["anonymous"], rules=rules, holidays=holidays),
            "citizen_informed_on": None, "decision": None, "forwarded_to": None, "decision_reason": None,
            "decided_at": None, "decided_by": None, "resolved_on": None, "resolution": None,
            "created_by": identity.subject, "created_at": utcnow(),
        }
        db_session.execute(_INSERT_PETITION, row)
        if senders:  # sealed for each part: no two rows share a ciphertext
            db_session.execute(_INSERT_SENDER, [
                {"petition_id": row["id"], "position": i, "is_representative": s["is_representative"],
                 **confidential.seal(s)}
                for i, s in enumerate(senders)
            ])
        if earlier is not None:
            # An ORM UPDATE: the first record, loaded in this session, shows the new count in the answer.
            db_session.execute(
                update(Petition).where(Petition.id == earlier.id).values(repeat_count=Petition.repeat_count + 1)
            )
        petition = SimpleNamespace(**row, decisions=[], earlier=earlier,
                                   people=shown[part["category"] == "denunciation"])
        created.append(petition)
        outbox.add(db_session, "intake.petition.received", received_event(petition))
    return created


def received_event(petition: Petition) -> dict:
    """The data of ``intake.petition.received``: no identity, no free text."""
    return {
        "petition_id": petition.id, "number": petition.number, "receiving_unit": petition.receiving_unit,
        "origin_unit": petition.origin_unit, "received_at": petition.received_at.isoformat(),
        "channel": petition.channel, "category": petition.category, "field": petition.field_code,
        "anonymous": petition.anonymous, "sender_count": petition.sender_count,
        "split_from": petition.split_from, "repeat_of": petition.repeat_of, "visit_id": petition.visit_id,
    }


def present(*, db_session: Session, identity: Identity, petition: Petition, unmasked: bool) -> Petition:
    """Attach the senders as the caller may see them and the linked petitions; unmasked reads are audited."""
    petition.people = confidential.present(
        db_session=db_session, identity=identity, record_type="petition", record_id=petition.id,
        people=petition.senders, strict=petition.category == "denunciation", unmasked=unmasked,
    )
    return petition


def linked(*, db_session: Session, identity: Identity, petition: Petition) -> list[dict]:
    """The other parts of a split petition and the repeats of (or the first of) this matter."""
    conditions = []
    if petition.split_group:
        conditions.append(Petition.split_group == petition.split_group)
    conditions.append(Petition.repeat_of == (petition.repeat_of or petition.id))
    if petition.repeat_of:
        conditions.append(Petition.id == petition.repeat_of)
    stmt = _visible(select(Petition), identity).where(or_(*conditions), Petition.id != petition.id)
    out = []
    for other in db_session.scalars(stmt.order_by(Petition.received_at, Petition.id)):
        if petition.split_group and other.split_group == petition.split_group:
            relation = "split_part"
        elif other.id == petition.repeat_of:
            relation = "first_record"
        else:
            relation = "repeat"
        out.append({"id": other.id, "number": other.number, "category": other.category, "status": other.status,
                    "relation": relation})
    return out


def get(*, db_session: Session, identity: Identity, petition_id: str, field: str | None = None) -> Petition:
    """The petition, if the caller may see it; otherwise 404 (existence is not leaked)."""
    petition = db_session.get(Petition, petition_id) if len(petition_id) <= 36 else None
    if petition is None or (identity.is_commune and petition.receiving_unit != identity.unit):
        if field:
            raise field_error(field, "no such petition")
        raise Problem(404, "No such petition.", code="not_found")
    return petition


def detail(*, db_session: Session, identity: Identity, petition_id: str) -> Petition:
    """One petition with its links and, for identity:read callers, its senders unmasked (audited)."""
    petition = get(db_session=db_session, identity=identity, petition_id=petition_id)
    petition.linked = linked(db_session=db_session, identity=identity, petition=petition)
    petition.earlier = db_session.get(Petition, petition.repeat_of) if petition.repeat_of else None
    petition.image_list = list(db_session.scalars(
        select(PetitionImage).where(PetitionImage.petition_id == petition.id).order_by(PetitionImage.id)))
    return present(db_session=db_session, identity=identity, petition=petition, unmasked=True)


def decide(*, db_session: Session, identity: Identity, petition_id: str, data: dict) -> Petition:
    """Take a handling decision, compute the deadline it carries, stage ``intake.petition.decided``."""
    petition = get(db_session=db_session, identity=identity, petition_id=petition_id)
    petition = db_session.scalars(
        select(Petition).where(Petition.id == petition.id).with_for_update()
    ).one()  # two desks deciding at once: the second sees the first's decision
    decided_at = data["decided_at"] or utcnow()
    decided_on, now_day = local_date(decided_at), today()
    try:
        domain.check_decision(decision=data["decision"], status=petition.status, forwarded_to=data["forwarded_to"],
                              reason=data["reason"], informed_on=data["citizen_informed_on"], decided_on=decided_on,
                              received_on=petition.received_on, today=now_day)
    except visit_domain.RuleViolation as exc:
        raise _violation(exc) from exc
    holidays = _holidays(db_session, petition.received_on)
    due = domain.after_decision(
        decision=data["decision"], category=petition.category, decided_on=decided_on,
        received_on=petition.received_on, inform_by=petition.inform_deadline, complexity=data["complexity"],
        second_time=data["second_time"], rules=deadline_rules(db_session=db_session, on=decided_on),
        holidays=holidays)
    on_time = petition.deadline is None or decided_on <= petition.deadline
    if due.stage is None and due.deadline is not None and data["decision"] == "forward":
        on_time = decided_on <= due.deadline
    petition.status = domain.STATUS_AFTER[data["decision"]]
    petition.decision = data["decision"]
    petition.forwarded_to = data["forwarded_to"]
    petition.decision_reason = data["reason"]
    petition.decided_at = decided_at
    petition.decided_by = identity.officer or identity.subject
    petition.stage, petition.deadline = due.stage, due.deadline
    if data["citizen_informed_on"]:
        petition.citizen_informed_on = data["citizen_informed_on"]
    petition.decisions.append(PetitionDecision(
        decision=data["decision"], forwarded_to=data["forwarded_to"], reason=data["reason"], deadline=due.deadline,
        on_time=on_time, decided_at=decided_at, decided_by=petition.decided_by,
        citizen_informed_on=data["citizen_informed_on"]))
    db_session.flush()
    outbox.add(db_session, "intake.petition.decided", {
        "petition_id": petition.id, "number": petition.number, "decision": petition.decision,
        "forwarded_to": petition.forwarded_to, "deadline": due.deadline.isoformat() if due.deadline else None,
        "decided_at": decided_at.isoformat(),
        "citizen_informed_on": petition.citizen_informed_on.isoformat() if petition.citizen_informed_on else None,
    })
    return present(db_session=db_session, identity=identity, petition=petition, unmasked=False)


def inform(*, db_session: Session, identity: Identity, petition_id: str, informed_on: dt.date) -> Petition:
    """Record the day the citizen was told of the handling (Art. 28(1))."""
    petition = get(db_session=db_session, identity=identity, petition_id=petition_id)
    if informed_on > today() or informed_on < petition.received_on:
        raise field_error("informed_on", "must be between the receipt and today")
    if petition.anonymous:
        raise field_error("informed_on", "an anonymous petition has nobody to inform")
    petition.citizen_informed_on = informed_on
    return present(db_session=db_session, identity=identity, petition=petition, unmasked=False)


def resolve(*, db_session: Session, identity: Identity, petition_id: str, data: dict) -> Petition:
    """Close an accepted petition with its resolution."""
    petition = get(db_session=db_session, identity=identity, petition_id=petition_id)
    if petition.status != "accepted":
        raise field_error("status", f"only an accepted petition is resolved, this one is {petition.status}", status=409,
                          code="conflict")
    if data["resolved_on"] > today() or data["resolved_on"] < petition.received_on:
        raise field_error("resolved_on", "must be between the receipt and today")
    petition.status, petition.stage = "resolved", None
    petition.resolved_on, petition.resolution = data["resolved_on"], data["resolution"]
    return present(db_session=db_session, identity=identity, petition=petition, unmasked=False)


def overdue_condition(day: dt.date):
    """SQL: the petition is past a deadline it has not met (as of ``day``)."""
    return or_(
        and_(Petition.stage.in_(OPEN_STAGES), Petition.deadline < day),
        and_(Petition.status.not_in(("received", "repeat")), Petition.citizen_informed_on.is_(None),
             Petition.inform_deadline < day),
    )


def filtered(*, db_session: Session, identity: Identity, query: dict):
    """The SELECT of petitions the caller may see, narrowed by the list filters."""
    stmt = _visible(select(Petition), identity)
    if query.get("unit"):
        stmt = stmt.where(or_(Petition.receiving_unit == query["unit"], Petition.origin_unit == query["unit"]))
    if query.get("date_from"):
        stmt = stmt.where(Petition.received_at >= query["date_from"])
    if query.get("date_to"):
        stmt = stmt.where(Petition.received_at < query["date_to"])
    for column, key in ((Petition.category, "category"), (Petition.field_code, "field"),
                        (Petition.status, "status"), (Petition.channel, "channel"), (Petition.decision, "decision")):
        if query.get(key):
            stmt = stmt.where(column == query[key])
    if query.get("anonymous") is not None:
        stmt = stmt.where(Petition.anonymous.is_(query["anonymous"]))
    if query.get("mass") is not None:
        threshold = reference.rule(db_session=db_session, key="group.mass_threshold", on=today())
        stmt = stmt.where((Petition.sender_count >= threshold) if query["mass"] else (Petition.sender_count < threshold))
    if query.get("overdue") is not None:
        condition = overdue_condition(today())
        stmt = stmt.where(condition if query["overdue"] else ~condition)
    if query.get("q"):
        stmt = stmt.where(search.condition(db_session, Petition.search_text, query["q"]))
    return stmt


def list_page(*, db_session: Session, identity: Identity, query: dict) -> tuple[list[Petition], str | None]:
    """A page of petitions in the asked order, with a keyset cursor; senders masked."""
    rows, cursor = listing.page(
        db_session=db_session, stmt=filtered(db_session=db_session, identity=identity, query=query),
        sort=query.get("sort") or "-received_at", keys=SORT_KEYS, id_column=Petition.id,
        cursor=query.get("cursor"), limit=query["limit"],
    )
    for petition in rows:
        present(db_session=db_session, identity=identity, petition=petition, unmasked=False)
    return rows, cursor


def statistics(*, db_session: Session, identity: Identity, query: dict) -> dict:
    """Counts of petitions in a period by category, field, unit, channel, status and decision."""
    base = filtered(db_session=db_session, identity=identity, query=query).subquery()
    day = today()
    out = {"total": db_session.scalar(select(func.count()).select_from(base))}
    out["repeats"] = db_session.scalar(select(func.count()).select_from(base).where(base.c.status == "repeat"))
    out["anonymous"] = db_session.scalar(select(func.count()).select_from(base).where(base.c.anonymous.is_(True)))
    out["overdue"] = db_session.scalar(
        select(func.count()).select_from(Petition).where(Petition.id.in_(select(base.c.id)), overdue_condition(day)))
    for key, column in (("by_category", base.c.category), ("by_field", base.c.field_code),
                        ("by_unit", base.c.receiving_unit), ("by_channel", base.c.channel),
                        ("by_status", base.c.status), ("by_decision", base.c.decision)):
        rows = db_session.execute(select(column, func.count()).group_by(column).order_by(column)).all()
        out[key] = {value or "none": count for value, count in rows}
    return out


def export_rows(*, db_session: Session, identity: Identity, query: dict, limit: int = 100_000):
    """Petitions of the period in book order, senders masked, for an export."""
    stmt = filtered(db_session=db_session, identity=identity, query=query)
    stmt = stmt.order_by(Petition.received_at, Petition.id).limit(limit)
    for petition in db_session.scalars(stmt):
        yield present(db_session=db_session, identity=identity, petition=petition, unmasked=False)
