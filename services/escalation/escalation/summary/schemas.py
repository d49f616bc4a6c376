"""What the summary API reads and answers (marshmallow schemas)."""

from __future__ import annotations

from marshmallow import Schema, fields

from tiepdan_common.schemas import PlausibleDate


class SummaryQuery(Schema):
    date = PlausibleDate(load_default=None, metadata={"description": "local date (YYYY-MM-DD); today by default"})


class SummaryItem(Schema):
    key = fields.String()
    label = fields.String(metadata={"description": "Vietnamese label"})
    value = fields.Integer()


class SummaryOut(Schema):
    date = fields.Date()
    title = fields.String(metadata={"description": "e.g. Báo cáo tình hình ngày 26/11/2026"})
    period_label = fields.String(metadata={"description": "the period covered, in Vietnamese"})
    period_from = fields.AwareDateTime()
    period_to = fields.AwareDateTime()
    complete = fields.Boolean(metadata={"description": "false while the date's summary hour has not come"})
    items = fields.List(fields.Nested(SummaryItem))
    highlights = fields.List(fields.String())
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    sent_at = fields.AwareDateTime(allow_none=True)
    sent_late = fields.Boolean(allow_none=True, metadata={"description": "sent by a worker catching up"})
