"""The dated rules and the working-day calendar that petition deadlines use, for a day of receipt."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from tiepdan_common.calendar import CalendarRangeError
from tiepdan_common.errors import field_error

from ..reference import service as reference
from . import law
from .deadlines import WorkCalendar

RANGE_ERRORS = (CalendarRangeError,)

_REFERENCE_KEYS = {
    "petition_response": "deadline.petition_response_working_days",
    "denunciation_initial": "deadline.denunciation_initial_working_days",
    "denunciation_initial_multi_site": "deadline.denunciation_initial_multi_site_working_days",
    "denunciation_forward": "deadline.denunciation_forward_working_days",
    "complaint_first": "deadline.complaint_first_days",
    "complaint_second": "deadline.complaint_second_days",
    "denunciation_resolution": "deadline.denunciation_resolution_days",
}
_LAW_KEYS = {"complaint_acceptance": "deadline.complaint_acceptance_working_days"}


def deadline_rules(*, db_session: Session, on: dt.date) -> dict:
    """The legal numbers in force on ``on`` that petition deadlines use."""
    out = {name: reference.rule(db_session=db_session, key=key, on=on) for name, key in _REFERENCE_KEYS.items()}
    out.update({name: law.rule(key, on) for name, key in _LAW_KEYS.items()})
    return out


def calendar(*, db_session: Session) -> WorkCalendar:
    """The shared working-day calendar (holidays and make-up working days) of the reference data in force."""
    return reference.calendar(db_session=db_session)


def out_of_calendar(exc: Exception, field: str):
    """A 422 naming ``field`` for a date the calendar does not know (never a silent guess)."""
    return field_error(field, f"{exc}; no deadline can be computed", code="outside_calendar")
