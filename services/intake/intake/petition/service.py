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
from . import access, deadlines, domain, law, lifecycle, revisions, rules
from .models import (
    Petition,
    PetitionCounter,
    PetitionHandler,
    PetitionImage,
    PetitionSender,
    PetitionStep,
)
from .rules import calendar, deadline_rules

OPEN_STAGES = ("acceptance", "response", "initial_handling", "resolution")
PETITION_PREFIX = "DON-"  # a petition number (DON-947/2026/000001) is never a visit serial (947/2026/000001)
STEP_EVENT = "intake.petition.step_recorded"
NOT_INFORMED = ("received", "repeat", "voided", "filed", "inspection")

SORT_KEYS = {
    "received_at": listing.SortKey(Petition.received_at, lambda p: p.received_at, dt.datetime.fromisoformat,
                                   lambda v: v.isoformat()),
    # Petitions without a deadline sort after every dated one.
    "deadline": listing.SortKey(func.coalesce(Petition.deadline, dt.date(9999, 12, 31)),
                                lambda p: p.deadline or dt.date(9999, 12, 31), dt.date.fromisoformat,
                                lambda v: v.isoformat()),
    "number": listing.SortKey(Petition.number, lambda p: p.number, str),
}


def _visible(stmt, identity: Identity):
    """A commune sees its own petitions and those returned to it by a higher level."""
    if not identity.is_commune:
        return stmt
    return stmt.where(or_(Petition.receiving_unit == identity.unit, Petition.lower_unit == identity.unit))


def visible_to(identity: Identity, petition: Petition) -> bool:
    return not identity.is_commune or identity.unit in (petition.receiving_unit, petition.lower_unit)


def _violation(exc: visit_domain.RuleViolation, rename: dict | None = None):
    field = (rename or {}).get(exc.field, exc.field)
    return field_error(field, exc.message)


def _repeat_query(*, commune: bool):
    """The first record (not itself a repeat) from senders carrying one of the blind indexes, about one
    matter, whose decision they were told of within the window (built once)."""
    matches = select(PetitionSender.petition_id).where(or_(
        PetitionSender.id_index.in_(bindparam("ids", expanding=True)),
        PetitionSender.name_index.in_(bindparam("names", expanding=True)),
    ))
    stmt = select(Petition).where(
        Petition.id.in_(matches), Petition.matter_key == bindparam("matter_key"),
        Petition.repeat_of.is_(None), Petition.status != "voided",
        Petition.citizen_informed_on.is_not(None), Petition.citizen_informed_on >= bindparam("since"),
        Petition.citizen_informed_on <= bindparam("until"),
    )
    if commune:  # a commune's repeats are among its own records, as everything it reads (_visible)
        stmt = stmt.where(Petition.receiving_unit == bindparam("unit"))
    # The answer shows the first record's decisions, never its senders: those are not loaded.
    return stmt.options(lazyload(Petition.senders)).order_by(Petition.received_at, Petition.id).limit(1)


_REPEAT_QUERIES = {commune: _repeat_query(commune=commune) for commune in (False, True)}
_INSERT_PETITION = insert(Petition.__table__)
_INSERT_SENDER = insert(PetitionSender.__table__)


def matter_of(*, origin_unit: str, field: str, subject: str | None) -> str:
    """The matter a petition is about: its origin, field and subject folded (the key visits carry too)."""
    return visit_domain.matter_key(origin_unit=origin_unit, field=field, subject_folded=fold(subject))


def find_repeat(*, db_session: Session, identity: Identity, senders: list[dict], matter_key: str,
                on: dt.date) -> Petition | None:
    """A suggestion: the first petition, visible to the caller, from one of these senders about the same
    matter, whose decision they were told of within the configured window before ``on``."""
    ids, names = [], []
    for person in senders:
        by_id, by_name = confidential.lookup_indexes(person)
        ids += by_id
        names += by_name
    if not ids and not names:
        return None
    window = law.rule("repeat.window_days", on) or 0
    params = {"ids": ids, "names": names, "matter_key": matter_key, "since": on - dt.timedelta(days=window),
              "until": on}
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


def _check_channel(*, channel: str, received_on: dt.date) -> None:
    since = law.channel_from(channel)
    if since is None or received_on < since:
        raise field_error("channel", f"petitions are received {channel} only from {since.isoformat()}"
                          if since else f"unknown channel {channel!r}")


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
    explicit = None
    if data["repeat_of"]:
        if data["parts"]:
            raise field_error("repeat_of", "a split petition cannot be one repeat")
        explicit = get(db_session=db_session, identity=identity, petition_id=data["repeat_of"], field="repeat_of")
        explicit = db_session.get(Petition, explicit.repeat_of) if explicit.repeat_of else explicit

    senders = data["senders"]
    confidential_group = any(p["category"] == "denunciation" for p in parts)
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
            suggested = find_repeat(db_session=db_session, identity=identity, senders=senders,
                                    matter_key=matter_key, on=received_on)
        track = lifecycle.anonymous_track(category=part["category"], anonymous=data["anonymous"],
                                          verifiable=data["verifiable"])
        try:
            due = deadlines.on_receipt(category=part["category"], anonymous=data["anonymous"] or bool(explicit),
                                       multi_site=data["multi_site"], received_on=received_on, rules=rules_on,
                                       calendar=work)
        except rules.RANGE_ERRORS as exc:
            raise rules.out_of_calendar(exc, "received_at") from exc
        status = "repeat" if explicit else (track or "received")
        row = {
            "id": ids[index],
            "number": PETITION_PREFIX + visits.next_serial(db_session=db_session, unit=receiving_unit,
                                                           year=received_on.year, counter_model=PetitionCounter),
            "receiving_unit": receiving_unit, "received_at": data["received_at"], "received_on": received_on,
            "channel": data["channel"], "visit_id": data["visit_id"], "forwarded_by": data["forwarded_by"],
            "category": part["category"], "field_code": part["field"], "origin_unit": origin_unit,
            "subject": subject, "content": part["content"], "prior_handling": data["prior_handling"],
            "citizen_request": part.get("citizen_request"),
            "search_text": fold(" ".join(filter(None, (subject, part["content"], part.get("citizen_request"))))),
            "anonymous": data["anonymous"], "verifiable": data["verifiable"], "violator": data["violator"],
            "evidence": data["evidence"], "handled_as_denunciation": part["category"] == "denunciation"
            and not data["anonymous"], "multi_site": data["multi_site"], "sender_count": len(senders),
            "split_group": split_group, "split_from": ids[0] if index else None,
            "repeat_of": explicit.id if explicit else None, "repeat_count": 0,
            "status": status, "stage": due.first.stage, "deadline": due.first.deadline,
            "inform_deadline": due.inform_by, "forward_deadline": due.forward_by,
            "citizen_informed_on": None, "decision": None, "forwarded_to": None, "decision_reason": None,
            "decided_at": None, "decided_by": None, "resolved_on": None, "resolution": None,
            "created_by": identity.subject, "created_at": utcnow(),
            "matter_key": matter_key, "complaint_round": data["complaint_round"],
            "repeat_suggested_of": suggested.id if suggested else None,
            "repeat_decision": "confirmed" if explicit else ("suggested" if suggested else None),
            "repeat_reason": None, "confidential": confidential_group, "lower_unit": None, "complexity": None,
            "paused_on": None, "paused_remaining": None, "extensions": 0, "version": 1,
        }
        db_session.execute(_INSERT_PETITION, row)
        if senders:  # sealed for each part: no two rows share a ciphertext
            db_session.execute(_INSERT_SENDER, [
                {"petition_id": row["id"], "position": i, "is_representative": s["is_representative"],
                 **confidential.seal(s)}
                for i, s in enumerate(senders)
            ])
        db_session.add(PetitionHandler(petition_id=row["id"], officer=officer, assigned_by=officer))
        db_session.add(PetitionStep(petition_id=row["id"], step="received", from_status=None,
                                    to_status="received", taken_on=received_on, recorded_by=officer,
                                    basis="Luật Tiếp công dân 42/2013, Điều 25, 28", details="{}",
                                    deadline=due.first.deadline, on_time=True))
        if track:
            step = PetitionStep(petition_id=row["id"], step=track, from_status="received", to_status=track,
                                taken_on=received_on, recorded_by=officer,
                                basis="Luật Tố cáo 25/2018, Điều 25", details="{}", deadline=None, on_time=True)
            db_session.add(step)
            db_session.flush()
            outbox.add(db_session, STEP_EVENT, step_event(SimpleNamespace(**row), step))
        if explicit is not None:
            # An ORM UPDATE: the first record, loaded in this session, shows the new count in the answer.
            db_session.execute(
                update(Petition).where(Petition.id == explicit.id).values(repeat_count=Petition.repeat_count + 1)
            )
        petition = SimpleNamespace(**row, decisions=[], earlier=explicit or suggested,
                                   people=shown[confidential_group], content_hidden=False)
        access.hide_links(petition, handler=True)
        petition.allowed_steps = lifecycle.allowed(status=status, category=part["category"],
                                                   anonymous=data["anonymous"], received_on=received_on,
                                                   available_from=law.steps_available_from())
        created.append(petition)
        outbox.add(db_session, "intake.petition.received", received_event(petition))
    return created


def received_event(petition: Petition) -> dict:
    """The data of ``intake.petition.received``: no identity, no free text, no link to a denunciation."""
    return {
        "petition_id": petition.id, "number": petition.number, "receiving_unit": petition.receiving_unit,
        "origin_unit": petition.origin_unit, "received_at": petition.received_at.isoformat(),
        "channel": petition.channel, "category": petition.category, "field": petition.field_code,
        "anonymous": petition.anonymous, "sender_count": petition.sender_count,
        "split_from": None if petition.confidential else petition.split_from, "repeat_of": petition.repeat_of,
        "visit_id": petition.visit_id,
    }


def step_event(petition, step: PetitionStep) -> dict:
    """The data of ``intake.petition.step_recorded``: no identity, no free text."""
    return {
        "petition_id": petition.id, "number": petition.number, "step": step.step,
        "from_status": step.from_status, "to_status": step.to_status, "taken_on": step.taken_on.isoformat(),
        "recorded_by": step.recorded_by, "legal_basis": step.basis,
        "deadline": step.deadline.isoformat() if step.deadline else None, "on_time": step.on_time,
        "receiving_unit": petition.receiving_unit, "to_unit": petition.lower_unit,
        "category": petition.category,
    }


def present(*, db_session: Session, identity: Identity, petition: Petition, unmasked: bool,
            handler: bool | None = None, purpose: str | None = None) -> Petition:
    """Attach the senders and text as the caller may see them; unmasked reads are audited (with a purpose)."""
    if handler is None:
        handler = bool(access.handled_ids(db_session=db_session, identity=identity, petition_ids=[petition.id]))
    show = unmasked and access.may_unmask(identity=identity, petition=petition, handler=handler, purpose=purpose)
    petition.people = confidential.present(
        db_session=db_session, identity=identity, record_type="petition", record_id=petition.id,
        people=petition.senders, strict=petition.confidential, unmasked=show, purpose=purpose,
    )
    if access.may_read_content(identity=identity, petition=petition, handler=handler, purpose=purpose):
        access.show_content(petition)
        if unmasked and petition.category == "denunciation":  # a denunciation read in full: audited too
            confidential.audit(db_session=db_session, identity=identity, record_type="petition_content",
                               record_id=petition.id, person_count=0, purpose=purpose)
    else:
        access.hide_content(petition)
    access.hide_links(petition, handler=handler)
    petition.allowed_steps = lifecycle.allowed(status=petition.status, category=petition.category,
                                               anonymous=petition.anonymous, received_on=petition.received_on,
                                               available_from=law.steps_available_from())
    return petition


def linked(*, db_session: Session, identity: Identity, petition: Petition, handler: bool) -> list[dict]:
    """The other parts of a split petition and the repeats of (or the first of) this matter.

    A confidential record links to no other part, except a denunciation to its handlers.
    """
    conditions = []
    if petition.split_group and (not petition.confidential or (petition.category == "denunciation" and handler)):
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
    if petition is None or not visible_to(identity, petition):
        if field:
            raise field_error(field, "no such petition")
        raise Problem(404, "No such petition.", code="not_found")
    return petition


def lock(*, db_session: Session, identity: Identity, petition_id: str) -> Petition:
    """The petition, row-locked to the end of the transaction (two desks at once: the second waits)."""
    petition = get(db_session=db_session, identity=identity, petition_id=petition_id)
    return db_session.scalars(select(Petition).where(Petition.id == petition.id).with_for_update()).one()


def detail(*, db_session: Session, identity: Identity, petition_id: str, purpose: str | None = None) -> Petition:
    """One petition with its steps, revisions and links; senders unmasked for those entitled (audited)."""
    petition = get(db_session=db_session, identity=identity, petition_id=petition_id)
    handler = bool(access.handled_ids(db_session=db_session, identity=identity, petition_ids=[petition.id]))
    if purpose and petition.confidential and not handler:
        access.require_handler_or_purpose(identity=identity, handler=handler, purpose=purpose)
    petition.linked = linked(db_session=db_session, identity=identity, petition=petition, handler=handler)
    earlier_id = petition.repeat_of or petition.repeat_suggested_of
    petition.earlier = db_session.get(Petition, earlier_id) if earlier_id else None
    petition.image_list = list(db_session.scalars(
        select(PetitionImage).where(PetitionImage.petition_id == petition.id).order_by(PetitionImage.id)))
    petition.step_list = list(db_session.scalars(
        select(PetitionStep).where(PetitionStep.petition_id == petition.id).order_by(PetitionStep.id)))
    petition.handler_list = access.handlers(db_session=db_session, petition_id=petition.id)
    petition = present(db_session=db_session, identity=identity, petition=petition, unmasked=True, handler=handler,
                       purpose=purpose)
    petition.revision_list = revisions.history(db_session=db_session, petition=petition)
    return petition


def overdue_condition(day: dt.date):
    """SQL: the petition is past a deadline it has not met (as of ``day``)."""
    return or_(
        and_(Petition.stage.in_(OPEN_STAGES), Petition.deadline < day),
        and_(Petition.status.not_in(NOT_INFORMED), Petition.citizen_informed_on.is_(None),
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
                        (Petition.status, "status"), (Petition.channel, "channel"), (Petition.decision, "decision"),
                        (Petition.matter_key, "matter")):
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
        # A denunciation's text is searched only by its handlers: others do not learn it matches.
        stmt = stmt.where(search.condition(db_session, Petition.search_text, query["q"]), access.searchable(identity))
    return stmt


def _present_all(*, db_session: Session, identity: Identity, rows: list[Petition]) -> None:
    mine = access.handled_ids(db_session=db_session, identity=identity, petition_ids=[p.id for p in rows])
    for petition in rows:
        present(db_session=db_session, identity=identity, petition=petition, unmasked=False,
                handler=petition.id in mine)


def list_page(*, db_session: Session, identity: Identity, query: dict) -> tuple[list[Petition], str | None]:
    """A page of petitions in the asked order, with a keyset cursor; senders masked."""
    rows, cursor = listing.page(
        db_session=db_session, stmt=filtered(db_session=db_session, identity=identity, query=query),
        sort=query.get("sort") or "-received_at", keys=SORT_KEYS, id_column=Petition.id,
        cursor=query.get("cursor"), limit=query["limit"],
    )
    _present_all(db_session=db_session, identity=identity, rows=rows)
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
    batch: list[Petition] = []
    for petition in db_session.scalars(stmt):
        batch.append(petition)
        if len(batch) == 500:
            _present_all(db_session=db_session, identity=identity, rows=batch)
            yield from batch
            batch = []
    _present_all(db_session=db_session, identity=identity, rows=batch)
    yield from batch
