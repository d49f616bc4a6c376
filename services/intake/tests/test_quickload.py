"""QuickLoad's load gives what marshmallow's own load gives, value for value and error for error."""

import datetime as dt
import unicodedata

import pytest
from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load

from intake.petition.schemas import PetitionIn
from intake.quickload import QuickLoad
from intake.visit.schemas import CitizenIn, VisitIn


def marshmallow_load(schema, data, **kwargs):
    """The full load, past QuickLoad's."""
    return Schema.load(schema, data, **kwargs)


def outcome(schema, data, **kwargs):
    try:
        return "ok", schema.load(data, **kwargs)
    except ValidationError as exc:
        return "error", exc.messages


def expected(schema, data, **kwargs):
    try:
        return "ok", marshmallow_load(schema, data, **kwargs)
    except ValidationError as exc:
        return "error", exc.messages


PERSON = {"full_name": "  Lê Văn Bảy ", "address": "Ấp Phước Hòa", "id_number": "094123456789",
          "phone": "+84912345678", "is_representative": True}
VISIT = {"category": "complaint", "field": "land", "origin_unit": "31690", "content": "Khiếu nại",
         "citizens": [PERSON], "outcome": {"type": "documents_taken"}}

VISITS = [
    VISIT,
    {**VISIT, "received_at": "2026-08-28T09:00:00+07:00", "receiving_unit": "947", "receiving_officer": "btcd-01",
     "prior_handling": "UBND xã đã trả lời", "citizen_request": "Bồi thường", "group_size": 12, "over_level": True,
     "subject": "Tỉnh lộ 940", "repeat_of": "abc", "outcome": {"type": "guided", "competent_body": "Sở TN&MT"}},
    {**VISIT, "receiving_unit": None, "received_at": None, "group_size": None, "subject": None},
    {**VISIT, "citizens": [{"full_name": "A"}, {**PERSON, "address": None, "phone": None}]},
    {**VISIT, "content": unicodedata.normalize("NFD", " Tranh chấp đất đai ở Hòa Tú ")},  # Text: NFC, stripped
    # Not accepted: the full load's errors, whatever the first broken field.
    {**VISIT, "category": "gossip"},
    {**VISIT, "group_size": "twelve"},
    {**VISIT, "group_size": True},
    {**VISIT, "received_at": "2026-08-28T09:00:00"},  # no timezone
    {**VISIT, "citizens": [{"address": "Ấp 1"}]},
    {**VISIT, "citizens": [{**PERSON, "id_number": "12"}, {"full_name": ""}]},
    {**VISIT, "citizens": [{**PERSON, "nickname": "Tư"}]},
    {**VISIT, "citizens": []},
    {**VISIT, "citizens": "Lê Văn Bảy"},
    {**VISIT, "outcome": {"type": "refused", "refusal_ground": "boredom"}},
    {**VISIT, "outcome": None},
    {**VISIT, "content": None},
    {**VISIT, "content": "a\x00b"},
    {**VISIT, "surprise": 1},
    {key: value for key, value in VISIT.items() if key != "field"},
    {},
    [],
    "visit",
    None,
]


@pytest.mark.parametrize("body", VISITS)
def test_a_visit_body_loads_as_marshmallow_loads_it(body):
    assert outcome(VisitIn(), body) == expected(VisitIn(), body)


def test_a_loaded_visit_is_the_very_same_dict():
    loaded = VisitIn().load(VISITS[1])
    assert loaded == marshmallow_load(VisitIn(), VISITS[1])
    assert list(loaded) == list(marshmallow_load(VisitIn(), VISITS[1]))  # same order too
    assert loaded["received_at"] == dt.datetime(2026, 8, 28, 2, 0, tzinfo=dt.UTC)
    assert loaded["citizens"][0]["full_name"] == "Lê Văn Bảy"


def test_an_accepted_body_does_not_go_through_marshmallows_schema_load(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("the full load ran")

    schema = VisitIn()
    monkeypatch.setattr(Schema, "load", refuse)
    assert schema.load(VISITS[1])["subject"] == "Tỉnh lộ 940"
    with pytest.raises(AssertionError, match="the full load ran"):
        schema.load({**VISIT, "surprise": 1})


def test_a_petition_with_senders_loads_as_before(petition_body):
    for body in (petition_body(), petition_body(senders=[{"full_name": "A", "id_number": "x"}])):
        assert outcome(PetitionIn(), body) == expected(PetitionIn(), body)


def test_other_ways_of_loading_take_marshmallows_path():
    for kwargs in ({"unknown": EXCLUDE}, {"partial": True}, {"many": True}):
        data = [VISIT] if kwargs.get("many") else {**VISIT, "surprise": 1}
        assert outcome(VisitIn(), data, **kwargs) == expected(VisitIn(), data, **kwargs)
    assert outcome(CitizenIn(many=True), [PERSON]) == expected(CitizenIn(many=True), [PERSON])


def test_a_schema_with_hooks_always_takes_marshmallows_path():
    class Hooked(QuickLoad):
        name = fields.String()

        @post_load
        def shout(self, data, **_kwargs):
            return {**data, "name": data["name"].upper()}

    assert Hooked()._quick is None
    assert Hooked().load({"name": "a"}) == {"name": "A"}
