"""Query and body schemas of the official documents."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from tiepdan_common.schemas import PlausibleDate, Text

from .models import RECEPTION_KINDS
from .periods import KINDS


class PeriodQuery(Schema):
    """An official period (``period``, ``year``, ``number`` for a quarter) or any range of days (``from``, ``to``)."""

    period = fields.String(
        load_default=None,
        validate=validate.OneOf(KINDS + ("ad_hoc",)),
        metadata={"description": "quarter, six_months, nine_months, year; ad_hoc with from/to"},
    )
    year = fields.Integer(load_default=None, validate=validate.Range(min=2000, max=2100))
    number = fields.Integer(
        load_default=None, validate=validate.Range(min=1, max=4), metadata={"description": "the quarter, 1 to 4"}
    )
    date_from = PlausibleDate(data_key="from", load_default=None, metadata={"description": "first day (ad hoc)"})
    date_to = PlausibleDate(data_key="to", load_default=None, metadata={"description": "last day, inclusive"})
    unit = Text(
        load_default=None,
        validate=validate.Length(max=10),
        metadata={"description": "receiving unit code; the caller's unit by default"},
    )
    include_predecessors = fields.Boolean(
        load_default=True, metadata={"description": "with the units it succeeded (merged)"}
    )


class DocumentQuery(PeriodQuery):
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "xlsx")))
    records = fields.Boolean(
        load_default=True,
        metadata={"description": "a report's cells with the records behind each figure (false: figures only)"},
    )
    doc_number = Text(
        load_default=None, validate=validate.Length(max=30), metadata={"description": "the document's number (Số ...)"}
    )
    preparer = Text(load_default=None, validate=validate.Length(max=120))
    signer = Text(load_default=None, validate=validate.Length(max=120))
    signer_title = Text(load_default=None, validate=validate.Length(max=120))


class NationalQuery(PeriodQuery):
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv")))


class YearQuery(Schema):
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))


class ReceptionKindIn(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(tuple(RECEPTION_KINDS)))
    leader = Text(
        load_default=None,
        validate=validate.Length(max=200),
        metadata={"description": "the leader who received (định kỳ, đột xuất)"},
    )


class ReceptionKindOut(Schema):
    visit_id = fields.String()
    serial = fields.String()
    kind = fields.String()
    kind_name = fields.String()
    leader = fields.String(allow_none=True)


class HeadingOut(Schema):
    parent_body = fields.String(allow_none=True, metadata={"description": "the body above the issuing one"})
    issuing_body = fields.String(metadata={"description": "ỦY BAN NHÂN DÂN <unit name>, from the unit data"})
    unit = fields.String()
    unit_name = fields.String()
    number = fields.String(metadata={"description": "Số: <doc_number>/<symbol>"})
    nation = fields.String()
    motto = fields.String()
    place_date = fields.String(metadata={"description": "<place>, ngày dd tháng mm năm yyyy"})


class PeriodOut(Schema):
    kind = fields.String(metadata={"description": "quarter, six_months, nine_months, year or ad_hoc"})
    start = fields.String(metadata={"description": "first day, YYYY-MM-DD"})
    end = fields.String(metadata={"description": "last day, inclusive"})
    label = fields.String()
    basis = fields.String(metadata={"description": "the rule's legal basis"})
    confirmed = fields.Boolean()
    note = fields.String(allow_none=True)


class ColumnOut(Schema):
    key = fields.String()
    group = fields.String(load_default="")
    subgroup = fields.String(load_default="")
    name = fields.String()
    number = fields.Integer(metadata={"description": "the column's number on the form"})
    counts = fields.String(metadata={"description": "records, people or matters"})


class RecordRef(Schema):
    number = fields.String(metadata={"description": "register serial or petition number"})
    id = fields.String()


class CellOut(Schema):
    column = fields.String()
    value = fields.Integer()
    records = fields.List(
        fields.Nested(RecordRef),
        metadata={"description": "the records behind the figure (left out with records=false)"},
    )


class RowOut(Schema):
    unit = fields.String(allow_none=True, metadata={"description": "receiving unit code; null on the total row"})
    unit_name = fields.String()
    total = fields.Boolean()
    cells = fields.List(fields.Nested(CellOut))


class DocumentOut(Schema):
    title = fields.String()
    heading = fields.Nested(HeadingOut)
    signature = fields.Dict(metadata={"description": "left and right blocks: title, note, name"})
    period = fields.Nested(PeriodOut)
    period_text = fields.String()


class ReportOut(DocumentOut):
    form = fields.String()
    code = fields.String(metadata={"description": "the form's number, e.g. Biểu số 01/TCD"})
    record_type = fields.String(metadata={"description": "visit or petition"})
    columns = fields.List(fields.Nested(ColumnOut))
    rows = fields.List(fields.Nested(RowOut))
    unit = fields.String()
    units_included = fields.List(fields.String(), metadata={"description": "codes rolled up (predecessors)"})
    units_included_names = fields.List(fields.String())


class RegisterOut(DocumentOut):
    columns = fields.List(fields.Nested(ColumnOut))
    rows = fields.List(fields.Dict(), metadata={"description": "one per record, keyed by the columns' keys"})
    identities_shown = fields.Integer(metadata={"description": "records shown with identities (each audited)"})


class FieldDoc(Schema):
    name = fields.String()
    heading = fields.String(metadata={"description": "the CSV's Vietnamese heading"})
    meaning = fields.String()


class NationalOut(Schema):
    period = fields.Nested(PeriodOut)
    unit = fields.String()
    fields_ = fields.List(fields.Nested(FieldDoc), data_key="fields", attribute="fields")
    records = fields.List(fields.Dict())


class PeriodList(Schema):
    items = fields.List(fields.Nested(PeriodOut))
