"""Putting an official document together: its period, scope, heading, table and signature."""

from __future__ import annotations

from flask import Response
from sqlalchemy.orm import Session

from tiepdan_common.clock import local_date
from tiepdan_common.errors import Problem, field_error
from tiepdan_common.identity import Identity
from tiepdan_common.web import current_settings, now

from ..reference import service as reference
from ..visit import service as visits
from . import books, facts, forms, heading, national, periods, xlsx
from .models import RECEPTION_KINDS, ReceptionKind

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def period_of(query: dict) -> periods.Period:
    """The period a query asks for: an official one by kind and year, or the days from ``from`` to ``to``."""
    try:
        if query["period"] in (None, "ad_hoc"):
            if query["date_from"] is None or query["date_to"] is None:
                raise field_error(
                    "from" if query["date_from"] is None else "to",
                    "give a period (period, year) or both days of a range (from, to)",
                )
            return periods.ad_hoc(query["date_from"], query["date_to"])
        if query["year"] is None:
            raise field_error("year", "an official period needs its year")
        rules = periods.load(current_settings().reference_dir)
        return periods.official(rules, kind=query["period"], year=query["year"], number=query["number"])
    except periods.PeriodError as exc:
        raise field_error(exc.field, str(exc)) from exc


def prepare(*, db_session: Session, identity: Identity, query: dict, symbol: str) -> dict:
    """Period, scope, heading and signature of a document asked for by ``query``."""
    period = period_of(query)
    scope = facts.scope(
        db_session=db_session, identity=identity, unit=query["unit"], include_predecessors=query["include_predecessors"]
    )
    return {
        "period": period,
        "scope": scope,
        "heading": heading.heading(
            db_session=db_session,
            unit=scope["unit"],
            on=min(period.end, local_date(now())),
            issued_on=local_date(now()),
            number=query.get("doc_number"),
            symbol=symbol,
        ),
        "signature": heading.signature(
            preparer=query.get("preparer"), signer=query.get("signer"), signer_title=query.get("signer_title")
        ),
    }


def period_text(period: periods.Period) -> str:
    days = f"từ ngày {period.start:%d/%m/%Y} đến ngày {period.end:%d/%m/%Y}"
    return f"Kỳ báo cáo: {period.label} ({days})" if period.kind != "ad_hoc" else f"Kỳ báo cáo: {days}"


def download(body: bytes, *, filename: str, mimetype: str = XLSX) -> Response:
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def report(*, db_session: Session, identity: Identity, form_key: str, query: dict) -> dict:
    """A periodic or ad hoc report in the rows and columns of its official form, every figure with its records."""
    form = forms.FORMS.get(form_key)
    if form is None:
        raise Problem(404, "No such report form.", code="not_found")
    doc = prepare(db_session=db_session, identity=identity, query=query, symbol="BC-UBND")
    period, scope = doc["period"], doc["scope"]
    if form.record_type == "visit":
        found = facts.visit_facts(db_session=db_session, scope=scope, period=period)
    else:
        found = facts.petition_facts(db_session=db_session, scope=scope, period=period)
        wanted = "for_handling" if form.key == "handling" else "for_resolution"
        found = [f for f in found if f[wanted]]
    names = facts.unit_names(db_session=db_session, on=period.end)
    table = forms.compute(form, found, unit_names=names)
    if not query.get("records", True):  # the figures alone: a year of records behind every cell is megabytes
        for row in table["rows"]:
            for cell in row["cells"]:
                cell.pop("records")
    return {
        **table,
        "heading": doc["heading"],
        "signature": doc["signature"],
        "period": period.as_dict(),
        "period_text": period_text(period),
        "unit": scope["unit"],
        "units_included": sorted(scope["codes"]),
        "units_included_names": [names.get(code, code) for code in sorted(scope["codes"])],
    }


def report_xlsx(data: dict) -> bytes:
    columns = [{"name": "Đơn vị", "number": "A"}] + data["columns"]
    rows = [[r["unit_name"]] + [c["value"] for c in r["cells"]] for r in data["rows"]]
    return xlsx.document(
        heading=data["heading"],
        title=data["title"],
        subtitle=data["period_text"],
        columns=columns,
        rows=rows,
        signature=data["signature"],
        sheet_title=data["code"],
        widths=[24] + [9] * len(data["columns"]),
        bold_rows={len(rows) - 1},
    )


def register(*, db_session: Session, identity: Identity, query: dict, book: bool) -> dict:
    """The reception register (or the petitions book) of the period in its official layout."""
    doc = prepare(db_session=db_session, identity=identity, query=query, symbol="STCD" if not book else "STĐ")
    build = books.book_rows if book else books.register_rows
    rows, unmasked = build(db_session=db_session, identity=identity, scope=doc["scope"], period=doc["period"])
    columns = books.BOOK_COLUMNS if book else books.REGISTER_COLUMNS
    return {
        "title": "SỔ THEO DÕI ĐƠN" if book else "SỔ TIẾP CÔNG DÂN",
        "heading": doc["heading"],
        "signature": doc["signature"],
        "period": doc["period"].as_dict(),
        "period_text": period_text(doc["period"]),
        "columns": [{"key": k, "name": n, "number": i + 1} for i, (k, n) in enumerate(columns)],
        "rows": rows,
        "identities_shown": unmasked,
    }


REGISTER_WIDTHS = [15, 14, 18, 22, 14, 36, 24, 24, 18, 7, 16, 26, 18]


def register_xlsx(data: dict) -> bytes:
    keys = [c["key"] for c in data["columns"]]
    return xlsx.document(
        heading=data["heading"],
        title=data["title"],
        subtitle=data["period_text"],
        columns=data["columns"],
        rows=[[r[k] for k in keys] for r in data["rows"]],
        signature=data["signature"],
        sheet_title=data["title"].capitalize(),
        widths=REGISTER_WIDTHS,
    )


def set_reception_kind(*, db_session: Session, identity: Identity, visit_id: str, data: dict) -> dict:
    """Record how a visit was received (a leader's periodic or unscheduled reception, or regular)."""
    visit = visits.get(db_session=db_session, identity=identity, visit_id=visit_id)
    if identity.is_commune and visit.receiving_unit != identity.unit:
        raise Problem(404, "No such visit.", code="not_found")
    row = db_session.get(ReceptionKind, visit.id, with_for_update=True)
    if row is None:
        row = ReceptionKind(visit_id=visit.id, kind=data["kind"], recorded_by=identity.subject)
        db_session.add(row)
    row.kind, row.leader, row.recorded_by = data["kind"], data.get("leader"), identity.subject
    db_session.flush()
    return {
        "visit_id": visit.id,
        "serial": visit.serial,
        "kind": row.kind,
        "kind_name": RECEPTION_KINDS[row.kind],
        "leader": row.leader,
    }


def national_rows(*, db_session: Session, identity: Identity, query: dict):
    """The period, scope and records of the national database export."""
    period = period_of(query)
    scope = facts.scope(
        db_session=db_session, identity=identity, unit=query["unit"], include_predecessors=query["include_predecessors"]
    )
    fields = {f.code: f.name_vi for f in reference.list_fields(db_session=db_session)}
    rows = national.records(
        db_session=db_session,
        scope=scope,
        period=period,
        fields=fields,
        units=facts.unit_names(db_session=db_session, on=period.end),
    )
    return period, scope, rows
