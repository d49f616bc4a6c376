"""The reception register (sổ tiếp công dân) and the petitions book (sổ theo dõi đơn) in their official layout.

Columns follow Law 42/2013 Art. 25(2): serial, date, full name, address, content, prior handling, the
citizen's request, how it was received and handled. Identities are shown in clear to ``identity:read``
callers (a denouncer only to that right; a confidential petition's senders only to its handlers) and
every record shown so is written to the identity-read audit log; everyone else reads them masked.
"""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from tiepdan_common.identity import Identity

from ..clock import local_text
from ..confidential import service as confidential
from ..petition import access
from ..petition import service as petitions
from ..petition.lifecycle import STEPS
from ..petition.models import Petition
from ..reference import service as reference
from ..report import labels
from ..visit import denounced
from ..visit.models import Visit
from . import facts
from .models import RECEPTION_KINDS, ReceptionKind
from .periods import Period

PURPOSE = "official register export"
RESOLUTION_OUTCOME = {"upheld": "Đúng", "rejected": "Sai", "partly_upheld": "Đúng một phần"}

REGISTER_COLUMNS = (
    ("serial", "Số thứ tự"),
    ("date", "Ngày tiếp"),
    ("full_name", "Họ và tên"),
    ("address", "Địa chỉ"),
    ("id_number", "Số CCCD/giấy tờ tùy thân"),
    ("content", "Nội dung vụ việc"),
    ("prior_handling", "Quá trình giải quyết trước đó"),
    ("request", "Yêu cầu của công dân"),
    ("kind", "Phân loại, lĩnh vực"),
    ("people", "Số người"),
    ("reception", "Hình thức tiếp"),
    ("handling", "Kết quả tiếp nhận, xử lý"),
    ("note", "Ghi chú"),
)
BOOK_COLUMNS = (
    ("number", "Số đơn"),
    ("date", "Ngày nhận"),
    ("full_name", "Họ và tên người gửi"),
    ("address", "Địa chỉ"),
    ("channel", "Nguồn đơn"),
    ("content", "Nội dung"),
    ("kind", "Phân loại, lĩnh vực"),
    ("people", "Số người đứng đơn"),
    ("eligible", "Điều kiện xử lý"),
    ("competent", "Thẩm quyền"),
    ("handling", "Hướng xử lý"),
    ("result", "Kết quả giải quyết"),
    ("note", "Ghi chú"),
)


def _people(shown: list[dict], key: str) -> str:
    return "; ".join(p.get(key) or "" for p in shown)


def _fields(db_session: Session) -> dict[str, str]:
    return {f.code: f.name_vi for f in reference.list_fields(db_session=db_session)}


def register_rows(*, db_session: Session, identity: Identity, scope: dict, period: Period) -> tuple[list[dict], int]:
    """The register's rows for the period and how many were shown with identities (each read audited)."""
    show = identity.has(confidential.PERMISSION)
    fields = _fields(db_session)
    visits = list(db_session.scalars(facts.visits_in(db_session=db_session, scope=scope, period=period)))
    ids = [v.id for v in visits] or [""]
    kinds = {k.visit_id: k for k in db_session.scalars(select(ReceptionKind).where(ReceptionKind.visit_id.in_(ids)))}
    firsts = {v.repeat_of for v in visits if v.repeat_of}
    serials = dict(db_session.execute(select(Visit.id, Visit.serial).where(Visit.id.in_(firsts or {""}))).all())
    # A visit where a denunciation was handed in hides its citizens entirely, in clear only to the
    # denunciation's handlers with identity:read (intake.visit.denounced).
    denounced_at = denounced.denunciations_at(db_session=db_session, visit_ids=[v.id for v in visits])
    rows, unmasked = [], 0
    for v in visits:
        hidden = denounced_at.get(v.id)
        clear = show and (
            not hidden or denounced.handles(db_session=db_session, identity=identity, petition_ids=hidden)
        )
        shown = confidential.present(
            db_session=db_session,
            identity=identity,
            record_type="visit",
            record_id=v.id,
            people=v.citizens,
            strict=v.category == "denunciation" or bool(hidden),
            unmasked=clear,
            purpose=PURPOSE,
        )
        unmasked += 1 if clear and shown else 0
        kind = kinds.get(v.id)
        reception = RECEPTION_KINDS[kind.kind if kind else "regular"]
        if kind and kind.leader:
            reception += f" ({kind.leader})"
        handling = labels.OUTCOME.get(v.outcome, v.outcome)
        if v.competent_body:
            handling += f": {v.competent_body}"
        if v.refusal_ground:
            handling += f" ({labels.REFUSAL_GROUND.get(v.refusal_ground, v.refusal_ground)})"
        notes = []
        if v.repeat_of:
            notes.append(f"Tiếp lần sau của số {serials.get(v.repeat_of, '')}")
        if v.is_mass:
            notes.append("Đoàn đông người")
        if v.over_level:
            notes.append("Vượt cấp")
        rows.append(
            {
                "id": v.id,
                "serial": v.serial,
                "date": local_text(v.received_at),
                "full_name": _people(shown, "full_name"),
                "address": _people(shown, "address"),
                "id_number": _people(shown, "id_number"),
                "identity_masked": not (clear and shown),
                "content": v.content,
                "prior_handling": v.prior_handling or "",
                "request": v.citizen_request or "",
                "kind": f"{labels.CATEGORY.get(v.category, v.category)} - {fields.get(v.field_code, v.field_code)}",
                "people": v.group_size,
                "reception": reception,
                "handling": handling,
                "note": "; ".join(notes),
            }
        )
    return rows, unmasked


def _handling_text(p: Petition, fact: dict) -> str:
    if not fact["handling"]:
        return "Chưa xử lý"
    text = STEPS[fact["handling"]].label_vi
    return f"{text}: {p.forwarded_to}" if p.forwarded_to and fact["handling"] in ("guide", "forward") else text


def book_rows(*, db_session: Session, identity: Identity, scope: dict, period: Period) -> tuple[list[dict], int]:
    """The petitions book's rows (petitions received in the period) and how many were shown unmasked."""
    start, end = facts.bounds(period)
    stmt = select(Petition).where(
        Petition.status != "voided",
        Petition.received_at >= start,
        Petition.received_at < end,
        Petition.receiving_unit.in_(sorted(scope["codes"])),
    )
    found = list(db_session.scalars(stmt.order_by(Petition.received_at, Petition.id)))
    steps = facts._steps_of(db_session, [p.id for p in found])
    mine = access.handled_ids(db_session=db_session, identity=identity, petition_ids=[p.id for p in found])
    numbers = dict(
        db_session.execute(
            select(Petition.id, Petition.number).where(
                Petition.id.in_({p.repeat_of for p in found if p.repeat_of} or {""})
            )
        ).all()
    )
    fields = _fields(db_session)
    rows, unmasked = [], 0
    for p in found:
        handler = p.id in mine
        show = identity.has(confidential.PERMISSION) and (not p.confidential or handler)
        petitions.present(
            db_session=db_session,
            identity=identity,
            petition=p,
            unmasked=show,
            handler=handler,
            purpose=PURPOSE if show else None,
        )
        unmasked += 1 if show and p.people else 0
        fact = facts.petition_fact(p, steps.get(p.id, []), period)
        outcome = fact["outcome"] or (json_outcome(steps.get(p.id, [])))
        result = RESOLUTION_OUTCOME.get(outcome, "") if outcome else labels.STATUS.get(p.status, p.status)
        notes = [f"Trùng với đơn số {numbers.get(p.repeat_of, '')}"] if p.repeat_of else []
        if p.anonymous:
            notes.append("Đơn nặc danh")
        content = p.shown["content"] if p.shown["content"] is not None else "(nội dung tố cáo được bảo mật)"
        rows.append(
            {
                "id": p.id,
                "number": p.number,
                "date": local_text(p.received_at),
                "full_name": _people(p.people, "full_name"),
                "address": _people(p.people, "address"),
                "identity_masked": not (show and p.people),
                "channel": labels.CHANNEL.get(p.channel, p.channel),
                "content": content,
                "kind": f"{labels.CATEGORY.get(p.category, p.category)} - {fields.get(p.field_code, p.field_code)}",
                "people": p.sender_count,
                "eligible": "Đủ điều kiện" if fact["eligible"] else "Không đủ điều kiện",
                "competent": "Thuộc thẩm quyền"
                if fact["competent"]
                else (
                    "Không thuộc thẩm quyền"
                    if fact["handling"] in ("guide", "forward", "return_to_lower_level")
                    else ""
                ),
                "handling": _handling_text(p, fact),
                "result": result,
                "note": "; ".join(notes),
            }
        )
    return rows, unmasked


def json_outcome(steps) -> str | None:
    """The outcome of the petition's resolution, whenever it was resolved."""
    resolved = next((s for s in steps if s.step == "resolve"), None)
    return json.loads(resolved.details or "{}").get("outcome") if resolved else None
