"""The export for the national database of citizen reception and complaint handling (Decree 55/2022/NĐ-CP).

One record per reception visit and per petition of the period, with its type, eligibility, competence and
outcome, each as a code and its Vietnamese label; register numbers, never UUIDs; no citizen's identity
(the database receives those through its own channel, not a file). ``FIELDS`` documents each field; the
CSV's headings are their Vietnamese names, in that order.
"""

from __future__ import annotations

import csv
import io

from sqlalchemy import select
from sqlalchemy.orm import Session

from tiepdan_common.clock import local_date

from ..petition.lifecycle import STEPS
from ..petition.models import Petition
from ..report import labels
from ..visit.models import Visit
from . import facts
from .books import RESOLUTION_OUTCOME, json_outcome
from .models import RECEPTION_KINDS, ReceptionKind
from .periods import Period

FIELDS = (
    ("record_type", "Loại bản ghi", "reception (lượt tiếp công dân) or petition (đơn)"),
    ("number", "Số hiệu", "register serial of the visit, or petition number DON-<unit>/<year>/<n>"),
    ("date", "Ngày", "local day of receipt, YYYY-MM-DD"),
    ("receiving_unit", "Mã đơn vị tiếp nhận", "statistics office code of the receiving unit"),
    ("receiving_unit_name", "Đơn vị tiếp nhận", "its name on that day"),
    ("origin_unit", "Mã nơi phát sinh", "code of the unit where the matter arose"),
    ("category", "Mã loại", "complaint, denunciation, recommendation or feedback"),
    ("category_name", "Loại", "Khiếu nại, Tố cáo, Kiến nghị, Phản ánh"),
    ("field", "Mã lĩnh vực", "field code (reference/fields.json)"),
    ("field_name", "Lĩnh vực", "field name"),
    ("people", "Số người", "people at the visit, or senders of the petition"),
    ("mass", "Đoàn đông người", "true when the group reached the mass threshold in force"),
    ("form", "Hình thức", "a visit's reception kind (regular, periodic, unscheduled) or a petition's channel"),
    ("form_name", "Hình thức tiếp nhận", "its Vietnamese name"),
    ("eligible", "Đủ điều kiện xử lý", "petition: true unless a confirmed repeat or anonymous; visit: null"),
    (
        "competent",
        "Thuộc thẩm quyền",
        (
            "petition: true once accepted (thụ lý); false when guided, forwarded or "
            "returned to the lower level; null while undecided; visit: true when the "
            "documents were taken"
        ),
    ),
    ("handling", "Mã hướng xử lý", "visit: outcome at the desk; petition: first handling step"),
    ("handling_name", "Hướng xử lý", "its Vietnamese name"),
    ("outcome", "Mã kết quả", "petition resolved: upheld, rejected or partly_upheld; else the status code"),
    ("outcome_name", "Kết quả", "its Vietnamese name"),
    ("matter", "Vụ việc", "matter key shared by the visits and petitions about one matter"),
)
NOT_COMPETENT = ("guide", "forward", "return_to_lower_level")


def _visit(v: Visit, *, kind: str, fields: dict, units: dict) -> dict:
    return {
        "record_type": "reception",
        "number": v.serial,
        "date": local_date(v.received_at).isoformat(),
        "receiving_unit": v.receiving_unit,
        "receiving_unit_name": units.get(v.receiving_unit, v.receiving_unit),
        "origin_unit": v.origin_unit,
        "category": v.category,
        "category_name": labels.CATEGORY.get(v.category, v.category),
        "field": v.field_code,
        "field_name": fields.get(v.field_code, v.field_code),
        "people": v.group_size,
        "mass": v.is_mass,
        "form": kind,
        "form_name": RECEPTION_KINDS[kind],
        "eligible": None,
        "competent": v.outcome == "documents_taken",
        "handling": v.outcome,
        "handling_name": labels.OUTCOME.get(v.outcome, v.outcome),
        "outcome": v.outcome,
        "outcome_name": labels.OUTCOME.get(v.outcome, v.outcome),
        "matter": v.matter_key,
    }


def _petition(p, steps, *, period: Period, fields: dict, units: dict) -> dict:
    fact = facts.petition_fact(p, steps, period)
    handling = fact["handling"]
    competent = True if fact["competent"] else (False if handling in NOT_COMPETENT else None)
    outcome = json_outcome(steps)
    return {
        "record_type": "petition",
        "number": p.number,
        "date": p.received_on.isoformat(),
        "receiving_unit": p.receiving_unit,
        "receiving_unit_name": units.get(p.receiving_unit, p.receiving_unit),
        "origin_unit": p.origin_unit,
        "category": p.category,
        "category_name": labels.CATEGORY.get(p.category, p.category),
        "field": p.field_code,
        "field_name": fields.get(p.field_code, p.field_code),
        "people": p.sender_count,
        "mass": None,
        "form": p.channel,
        "form_name": labels.CHANNEL.get(p.channel, p.channel),
        "eligible": fact["eligible"],
        "competent": competent,
        "handling": handling,
        "handling_name": STEPS[handling].label_vi if handling else "Chưa xử lý",
        "outcome": outcome or p.status,
        "outcome_name": RESOLUTION_OUTCOME[outcome] if outcome else labels.STATUS.get(p.status, p.status),
        "matter": p.matter_key,
    }


def records(*, db_session: Session, scope: dict, period: Period, fields: dict, units: dict) -> list[dict]:
    """The period's visits, then its petitions, in register order."""
    visits = list(db_session.scalars(facts.visits_in(db_session=db_session, scope=scope, period=period)))
    kinds = dict(
        db_session.execute(
            select(ReceptionKind.visit_id, ReceptionKind.kind).where(
                ReceptionKind.visit_id.in_([v.id for v in visits] or [""])
            )
        ).all()
    )
    out = [_visit(v, kind=kinds.get(v.id, "regular"), fields=fields, units=units) for v in visits]
    start, end = facts.bounds(period)
    petitions = list(
        db_session.scalars(
            select(Petition)
            .where(
                Petition.status != "voided",
                Petition.received_at >= start,
                Petition.received_at < end,
                Petition.receiving_unit.in_(sorted(scope["codes"])),
            )
            .order_by(Petition.received_at, Petition.id)
        )
    )
    steps = facts._steps_of(db_session, [p.id for p in petitions])
    out += [_petition(p, steps.get(p.id, []), period=period, fields=fields, units=units) for p in petitions]
    return out


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    return value


def to_csv(rows: list[dict]) -> bytes:
    """UTF-8 with a BOM, Vietnamese headings in the order of ``FIELDS``."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([label for _, label, _ in FIELDS])
    for row in rows:
        writer.writerow([_csv_value(row[key]) for key, _, _ in FIELDS])
    return ("\ufeff" + text.getvalue()).encode("utf-8")


def documentation() -> list[dict]:
    """The fields of the export: API name, Vietnamese heading, meaning."""
    return [{"name": key, "heading": label, "meaning": meaning} for key, label, meaning in FIELDS]
