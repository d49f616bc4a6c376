"""What a desk sends and gets back for a petition.

Long because it is the whole shape of the petitions API (registration, lists, answers) in declarations only.
"""

from __future__ import annotations

import json

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from tiepdan_common.schemas import PageQuery, PlausibleDate, PlausibleDateTime, Text

from ..listing import sort_choices
from ..visit.schemas import UNIT_CODE, CitizenIn, CitizenOut
from . import access, law
from .domain import CATEGORIES, DECISIONS
from .lifecycle import OUTCOMES, STATES
from .service import SORT_KEYS

CHANNELS = law.channels()
STATUSES = STATES


def _shown(name: str) -> fields.Function:
    """A text field as the caller may read it (a denunciation's text only for its handlers)."""
    return fields.Function(
        lambda obj: (getattr(obj, "shown", None) or {}).get(name, getattr(obj, name, None)),
        allow_none=True,
        metadata={"type": "string"},
    )


class PartIn(Schema):
    """One category of a mixed petition; each part becomes its own petition (Art. 25(3))."""

    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    field = fields.String(load_default=None, validate=validate.Length(min=1, max=40))
    subject = Text(load_default=None, validate=validate.Length(max=200))
    content = Text(required=True, validate=validate.Length(min=1, max=20000))
    citizen_request = Text(load_default=None, validate=validate.Length(max=20000))


class PetitionIn(Schema):
    receiving_unit = fields.String(load_default=None, validate=UNIT_CODE)
    received_at = PlausibleDateTime(load_default=None, metadata={"description": "Defaults to now; not in the future"})
    channel = fields.String(
        required=True,
        validate=validate.OneOf(CHANNELS),
        metadata={"description": "online: for petitions received from 1 July 2026 (Law 136/2025/QH15)"},
    )
    complaint_round = fields.Integer(
        load_default=1,
        validate=validate.OneOf((1, 2)),
        metadata={
            "description": "2: a second-time complaint against the first-time decision (a new stage, never a repeat)"
        },
    )
    visit_id = fields.String(load_default=None, validate=validate.Length(min=1, max=36))
    forwarded_by = Text(load_default=None, validate=validate.Length(min=1, max=200))
    forwarded_letter_number = Text(
        load_default=None,
        validate=validate.Length(min=1, max=60),
        metadata={"description": "channel forwarded: the forwarding letter's number"},
    )
    forwarded_letter_date = PlausibleDate(load_default=None, metadata={"description": "and its date"})
    category = fields.String(load_default=None, validate=validate.OneOf(CATEGORIES))
    field = fields.String(load_default=None, validate=validate.Length(min=1, max=40))
    origin_unit = fields.String(load_default=None, validate=UNIT_CODE)
    subject = Text(load_default=None, validate=validate.Length(max=200))
    content = Text(load_default=None, validate=validate.Length(min=1, max=20000))
    prior_handling = Text(load_default=None, validate=validate.Length(max=20000))
    citizen_request = Text(load_default=None, validate=validate.Length(max=20000))
    parts = fields.List(
        fields.Nested(PartIn),
        load_default=None,
        validate=validate.Length(min=2, max=4),
        metadata={"description": "A mixed petition's parts, one per category; replaces category/content"},
    )
    anonymous = fields.Boolean(load_default=False)
    verifiable = fields.Boolean(
        load_default=False,
        metadata={"description": "An anonymous denunciation naming the violator with concrete evidence (Art. 25)"},
    )
    violator = Text(load_default=None, validate=validate.Length(max=400))
    evidence = Text(load_default=None, validate=validate.Length(max=20000))
    multi_site = fields.Boolean(
        load_default=False,
        metadata={"description": "A denunciation whose checking needs several sites (10 working days, not 7)"},
    )
    repeat_of = fields.String(load_default=None, validate=validate.Length(min=1, max=36))
    senders = fields.List(fields.Nested(CitizenIn), load_default=list, validate=validate.Length(max=500))

    @validates_schema
    def _one_or_parts(self, data, **_kwargs):
        if data.get("parts"):
            clash = [name for name in ("category", "content") if data.get(name)]
            if clash:
                raise ValidationError("give either parts or a single category and content", clash[0])
            return
        missing = [name for name in ("category", "field", "content") if not data.get(name)]
        if missing:
            raise ValidationError({name: ["Missing data for required field."] for name in missing})


class RepeatCheckIn(Schema):
    """Who sends what, to see before registering whether it repeats an earlier petition."""

    category = fields.String(load_default=None, validate=validate.OneOf(CATEGORIES))
    field = fields.String(required=True, validate=validate.Length(min=1, max=40))
    origin_unit = fields.String(required=True, validate=UNIT_CODE)
    subject = Text(load_default=None, validate=validate.Length(max=200))
    senders = fields.List(fields.Nested(CitizenIn), required=True, validate=validate.Length(min=1, max=500))


class LinkedPetition(Schema):
    id = fields.String()
    number = fields.String()
    category = fields.String()
    status = fields.String()
    relation = fields.String(metadata={"description": "split_part, first_record or repeat"})


class StepOut(Schema):
    id = fields.Integer()
    step = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    taken_on = fields.Date()
    recorded_at = fields.AwareDateTime()
    recorded_by = fields.String()
    basis = fields.String(allow_none=True)
    details = fields.Function(
        lambda s: s.shown_details if getattr(s, "shown_details", None) is not None else json.loads(s.details),
        metadata={"type": "object"},
    )
    deadline = fields.Date(allow_none=True)
    on_time = fields.Boolean()


class RevisionOut(Schema):
    version = fields.Integer()
    kind = fields.String()
    reason = fields.String()
    revised_by = fields.String()
    revised_at = fields.AwareDateTime()
    before = fields.Dict()


class HandlerOut(Schema):
    officer = fields.String()
    assigned_by = fields.String()
    assigned_at = fields.AwareDateTime()


class DecisionOut(Schema):
    decision = fields.String()
    forwarded_to = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    deadline = fields.Date(allow_none=True)
    on_time = fields.Boolean()
    decided_at = fields.AwareDateTime()
    decided_by = fields.String()
    citizen_informed_on = fields.Date(allow_none=True)


def _decisions(petition) -> list[dict]:
    """The decisions as ``access`` left them for the caller; a denunciation's reasons hidden when it did not."""
    shown = getattr(petition, "shown_decisions", None)
    if shown is None:
        shown = access.decisions_shown(petition, readable=False)
    return DecisionOut(many=True).dump(shown)


def _decisions_field() -> fields.Function:
    return fields.Function(
        _decisions,
        metadata={
            "type": "array",
            "items": {"type": "object"},
            "description": "Decisions of the older endpoint; a denunciation's reasons only to its handlers",
        },
    )


class EarlierPetition(Schema):
    """The first record of the same matter and its handling."""

    id = fields.String()
    number = fields.String()
    received_at = fields.AwareDateTime()
    receiving_unit = fields.String()
    status = fields.String()
    decision = fields.String(allow_none=True)
    forwarded_to = fields.String(allow_none=True)
    deadline = fields.Date(allow_none=True)
    repeat_count = fields.Integer()
    decisions = _decisions_field()


class ImageIn(Schema):
    kind = fields.String(load_default="handwriting", validate=validate.OneOf(("handwriting", "scan")))
    content_type = fields.String(required=True, validate=validate.OneOf(("image/png", "image/jpeg")))
    data = fields.String(required=True, metadata={"description": "The image, base64-encoded (at most 700 KB)"})


class ImageOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    created_at = fields.AwareDateTime()


class RepeatCheckOut(Schema):
    earlier = fields.Nested(EarlierPetition, allow_none=True)


def _shown_visit(petition):
    """The visit a petition was handed in at, as ``access.hide_links`` leaves it (a confidential record's
    only to the denunciation's handlers; none when it was not worked out)."""
    if hasattr(petition, "shown_visit_id"):
        return petition.shown_visit_id
    return None if petition.confidential else petition.visit_id


class PetitionOut(Schema):
    id = fields.String()
    number = fields.String()
    receiving_unit = fields.String()
    received_at = fields.AwareDateTime()
    channel = fields.String()
    visit_id = fields.Function(
        _shown_visit,
        allow_none=True,
        metadata={
            "description": "The visit it was handed in at; a denunciation's only to its handlers, a part split from "
            "one or handed in with one: none"
        },
    )
    forwarded_by = fields.String(allow_none=True)
    forwarded_letter_number = fields.String(allow_none=True)
    forwarded_letter_date = fields.Date(allow_none=True)
    category = fields.String()
    field = fields.String(attribute="field_code")
    origin_unit = fields.String()
    subject = _shown("subject")
    content = _shown("content")
    prior_handling = _shown("prior_handling")
    citizen_request = _shown("citizen_request")
    content_hidden = fields.Boolean(metadata={"description": "A denunciation's text, hidden: not one of its handlers"})
    anonymous = fields.Boolean()
    verifiable = fields.Boolean()
    violator = _shown("violator")
    evidence = _shown("evidence")
    handled_as_denunciation = fields.Boolean()
    multi_site = fields.Boolean()
    sender_count = fields.Integer()
    senders = fields.List(fields.Nested(CitizenOut), attribute="people")
    split_group = fields.String(allow_none=True, attribute="shown_split_group")
    split_from = fields.String(allow_none=True, attribute="shown_split_from")
    confidential = fields.Boolean(metadata={"description": "A denunciation or split from one: senders hidden"})
    matter_key = fields.String()
    complaint_round = fields.Integer()
    repeat_of = fields.String(allow_none=True)
    repeat_suggested_of = fields.String(allow_none=True)
    repeat_decision = fields.String(allow_none=True, metadata={"description": "suggested, confirmed or overridden"})
    repeat_reason = _shown("repeat_reason")
    repeat_count = fields.Integer()
    status = fields.String()
    stage = fields.String(allow_none=True)
    deadline = fields.Date(allow_none=True)
    inform_deadline = fields.Date(allow_none=True)
    forward_deadline = fields.Date(allow_none=True)
    lower_unit = fields.String(allow_none=True)
    complexity = fields.String(allow_none=True)
    extensions = fields.Integer()
    paused_on = fields.Date(allow_none=True)
    paused_remaining = fields.Integer(allow_none=True)
    version = fields.Integer()
    citizen_informed_on = fields.Date(allow_none=True)
    decision = fields.String(allow_none=True)
    forwarded_to = fields.String(allow_none=True)
    decision_reason = _shown("decision_reason")
    decided_at = fields.AwareDateTime(allow_none=True)
    decided_by = fields.String(allow_none=True)
    resolved_on = fields.Date(allow_none=True)
    resolution = _shown("resolution")
    decisions = _decisions_field()
    linked = fields.List(fields.Nested(LinkedPetition))
    images = fields.List(
        fields.Nested(ImageOut),
        attribute="image_list",
        metadata={"description": "Handwriting and scans (metadata; the images need identity:read)"},
    )
    earlier = fields.Nested(EarlierPetition, allow_none=True)
    steps = fields.List(fields.Nested(StepOut), attribute="step_list")
    allowed_steps = fields.List(
        fields.String(),
        metadata={"description": "The steps POST /petitions/{id}/steps accepts now (state, category, date of receipt)"},
    )
    revisions = fields.List(fields.Nested(RevisionOut), attribute="revision_list")
    handlers = fields.List(fields.Nested(HandlerOut), attribute="handler_list")
    created_by = fields.String()
    created_at = fields.AwareDateTime()


class PetitionsCreated(PetitionOut):
    """The first petition registered, and every part when a mixed petition was split."""

    parts = fields.List(fields.Nested(PetitionOut))


class DecisionIn(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(DECISIONS))
    forwarded_to = Text(load_default=None, validate=validate.Length(min=1, max=200))
    reason = Text(load_default=None, validate=validate.Length(min=1, max=4000))
    decided_at = PlausibleDateTime(load_default=None)
    citizen_informed_on = PlausibleDate(load_default=None)
    complexity = fields.String(load_default="normal", validate=validate.OneOf(("normal", "complex_or_remote", "both")))
    second_time = fields.Boolean(load_default=False, metadata={"description": "A second-time complaint"})
    ground = fields.String(load_default=None, validate=validate.Length(min=1, max=60))
    letter_number = Text(load_default=None, validate=validate.Length(min=1, max=60))
    letter_date = PlausibleDate(load_default=None)
    to_unit = fields.String(
        load_default=None,
        validate=UNIT_CODE,
        metadata={"description": "request_lower_level: the commune it goes back to"},
    )


class InformIn(Schema):
    informed_on = PlausibleDate(required=True)


class ResolutionIn(Schema):
    resolved_on = PlausibleDate(required=True)
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    resolution = Text(required=True, validate=validate.Length(min=1, max=20000))


class PetitionQuery(PageQuery):
    date_from = PlausibleDateTime(data_key="from", load_default=None)
    date_to = PlausibleDateTime(data_key="to", load_default=None)
    category = fields.String(load_default=None, validate=validate.OneOf(CATEGORIES))
    field = fields.String(load_default=None)
    unit = fields.String(load_default=None, validate=UNIT_CODE)
    include_predecessors = fields.Boolean(
        load_default=False,
        metadata={
            "description": "With unit: also the petitions of every unit it succeeded (merged communes, the district)"
        },
    )
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    decision = fields.String(load_default=None, validate=validate.OneOf(DECISIONS))
    channel = fields.String(load_default=None, validate=validate.OneOf(CHANNELS))
    anonymous = fields.Boolean(load_default=None)
    overdue = fields.Boolean(load_default=None)
    mass = fields.Boolean(load_default=None, metadata={"description": "Signed by five people or more"})
    matter = fields.String(load_default=None, validate=validate.Length(min=1, max=160))
    q = Text(load_default=None, validate=validate.Length(min=1, max=200))
    sort = fields.String(load_default="-received_at", validate=validate.OneOf(sort_choices(SORT_KEYS)))


class PetitionPeriodQuery(Schema):
    date_from = PlausibleDateTime(data_key="from", required=True)
    date_to = PlausibleDateTime(data_key="to", required=True)
    category = fields.String(load_default=None, validate=validate.OneOf(CATEGORIES))
    field = fields.String(load_default=None)
    unit = fields.String(load_default=None, validate=UNIT_CODE)
    include_predecessors = fields.Boolean(
        load_default=False,
        metadata={
            "description": "With unit: also the petitions of every unit it succeeded (merged communes, the district)"
        },
    )
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))

    @validates_schema
    def _period(self, data, **_kwargs):
        if data["date_to"] <= data["date_from"]:
            raise ValidationError("must be after 'from'", "to")


class PetitionExportQuery(PetitionPeriodQuery):
    format = fields.String(load_default="csv", validate=validate.OneOf(("csv", "xlsx")))


class PetitionPage(Schema):
    items = fields.List(fields.Nested(PetitionOut))
    next_cursor = fields.String(allow_none=True)


class PetitionStatistics(Schema):
    total = fields.Integer()
    repeats = fields.Integer()
    anonymous = fields.Integer()
    overdue = fields.Integer()
    by_category = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_field = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_unit = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_channel = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_decision = fields.Dict(keys=fields.String(), values=fields.Integer())
