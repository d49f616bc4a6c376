"""Dates outside a plausible range are a 422 naming the field, and the range is in the API document."""

import datetime as dt

import pytest
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, ValidationError

from tiepdan_common.schemas import PlausibleDate, PlausibleDateTime


class Report(Schema):
    occurred_at = PlausibleDateTime(required=True, metadata={"description": "When it happened"})
    day = PlausibleDate(load_default=None, earliest=dt.date(2014, 7, 1))


@pytest.mark.parametrize(
    "moment",
    ["0001-01-01T00:00:00+07:00", "9999-12-31T23:59:59-12:00", "1999-12-31T23:59:59+07:00", "2099-01-01T00:00:00Z"],
)
def test_a_moment_outside_the_range_names_the_field(moment):
    with pytest.raises(ValidationError) as caught:
        Report().load({"occurred_at": moment})
    assert list(caught.value.messages) == ["occurred_at"]
    assert "between 2000-01-01 and" in caught.value.messages["occurred_at"][0]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "2014-06-30"])
def test_a_day_outside_its_own_range_names_the_field(day):
    with pytest.raises(ValidationError) as caught:
        Report().load({"occurred_at": "2024-05-01T08:00:00+07:00", "day": day})
    assert "between 2014-07-01 and" in caught.value.messages["day"][0]


def test_plausible_values_pass_and_the_last_day_is_today_plus_five_years():
    today = dt.date.today()
    data = Report().load({"occurred_at": "2000-01-01T00:00:00+07:00", "day": "2014-07-01"})
    assert data["day"] == dt.date(2014, 7, 1)
    last = today.replace(year=today.year + 5, day=28 if (today.month, today.day) == (2, 29) else today.day)
    assert Report().load({"occurred_at": "2024-01-01T00:00:00Z", "day": last.isoformat()})["day"] == last
    with pytest.raises(ValidationError):
        Report().load({"occurred_at": "2024-01-01T00:00:00Z", "day": (last + dt.timedelta(days=1)).isoformat()})


def test_the_range_is_configurable_and_stated_in_the_api_document(monkeypatch):
    monkeypatch.setenv("TIEPDAN_EARLIEST_DATE", "2010-01-01")
    monkeypatch.setenv("TIEPDAN_DATE_YEARS_AHEAD", "2")

    class Later(Schema):
        at = PlausibleDateTime()

    with pytest.raises(ValidationError, match="between 2010-01-01"):
        Later().load({"at": "2005-01-01T00:00:00Z"})
    spec = APISpec("t", "1", "3.1.0", plugins=[MarshmallowPlugin()])
    spec.components.schema("Report", schema=Report)
    spec.components.schema("Later", schema=Later)
    props = spec.to_dict()["components"]["schemas"]
    assert props["Report"]["properties"]["occurred_at"]["x-earliest"] == "2000-01-01"
    assert props["Report"]["properties"]["occurred_at"]["description"] == (
        "When it happened (from 2000-01-01 to 5 years after today)"
    )
    assert props["Report"]["properties"]["day"]["x-earliest"] == "2014-07-01"
    assert props["Later"]["properties"]["at"]["x-latest"] == "today+2y"
