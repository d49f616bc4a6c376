"""Query and body schemas of the official documents."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .models import RECEPTION_KINDS
from .periods import KINDS


class PeriodQuery(Schema):
    """An official period (``period``, ``year``, ``number`` for a quarter) or any range of days (``from``, ``to``)."""

    period = fields.String(load_default=None, validate=validate.OneOf(KINDS + ("ad_hoc",)),
                           metadata={"description": "quarter, six_months, nine_months, year; ad_hoc with from/to"})
    year = fields.Integer(load_default=None, validate=validate.Range(min=2000, max=2100))
    number = fields.Integer(load_default=None, validate=validate.Range(min=1, max=4),
                            metadata={"description": "the quarter, 1 to 4"})
    date_from = fields.Date(data_key="from", load_default=None, metadata={"description": "first day (ad hoc)"})
    date_to = fields.Date(data_key="to", load_default=None, metadata={"description": "last day, inclusive"})
    unit = fields.String(load_default=None, validate=validate.Length(max=10),
                         metadata={"description": "receiving unit code; the caller's unit by default"})
    include_predecessors = fields.Boolean(load_default=True,
                                          metadata={"description": "with the units it succeeded (merged)"})


class DocumentQuery(PeriodQuery):
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "xlsx")))
    doc_number = fields.String(load_default=None, validate=validate.Length(max=30),
                               metadata={"description": "the document's number (Số ...)"})
    preparer = fields.String(load_default=None, validate=validate.Length(max=120))
    signer = fields.String(load_default=None, validate=validate.Length(max=120))
    signer_title = fields.String(load_default=None, validate=validate.Length(max=120))


class NationalQuery(PeriodQuery):
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv")))


class YearQuery(Schema):
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))


class ReceptionKindIn(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(tuple(RECEPTION_KINDS)))
    leader = fields.String(load_default=None, validate=validate.Length(max=200),
                           metadata={"description": "the leader who received (định kỳ, đột xuất)"})


class ReceptionKindOut(Schema):
    visit_id = fields.String()
    serial = fields.String()
    kind = fields.String()
    kind_name = fields.String()
    leader = fields.String(allow_none=True)
