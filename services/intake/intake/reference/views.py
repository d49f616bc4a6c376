"""Reference data for desks, the dashboard and other services (units, fields, holidays, legal rules: read with
``reference:read``, which lets a caller read no visit), and an administrator's changes to it (admin only: each
audited and published as intake.reference.changed)."""

from __future__ import annotations

import datetime as dt
from functools import wraps

from flask import after_this_request
from flask_smorest import Blueprint
from sqlalchemy import select

from tiepdan_common.errors import Problem, field_error
from tiepdan_common.idempotency import transactional
from tiepdan_common.schemas import ProblemSchema
from tiepdan_common.web import current_identity, db_session, require

from . import admin, calendar_admin, service
from .cache import read_version
from .models import Holiday, LegalRule
from .schemas import (
    CalendarYearIn,
    CalendarYearOut,
    ChangeOut,
    FieldOut,
    HolidayIn,
    HolidayOut,
    ReasonQuery,
    RuleIn,
    RuleOut,
    SuccessionIn,
    SuccessionOut,
    SuccessionQuery,
    UnitIn,
    UnitOut,
    UnitPatch,
    UnitQuery,
)

blp = Blueprint("reference", __name__, description="Reference data: administrative units, fields, holidays, rules")

READ = "reference:read"
# The reference version before a list was read: every change up to it is in the list (roster's catch-up).
VERSION_HEADER = "X-Reference-Version"


def admin_only(view):
    """Refuse the view with 403 unless the caller is an administrator (kind ``admin``)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if current_identity().kind != "admin":
            raise Problem(403, "Only an administrator changes reference data.", code="forbidden")
        result = view(*args, **kwargs)
        return result

    return wrapper


def _changed():
    """This process follows its own change once committed; the others within their max age (cache.py)."""
    cache = service.current_cache()

    @after_this_request
    def _forget(response):
        if cache is not None and response.status_code < 400:
            cache.invalidate()
        return response


@blp.get("/units")
@require(READ)
@blp.arguments(UnitQuery, location="query")
@blp.response(200, UnitOut(many=True))
def list_units(query):
    """Administrative unit versions (every version, or those in force on ``on``)."""
    return service.list_units(db_session=db_session(), on=query["on"])


@blp.post("/units")
@admin_only
@transactional()
@blp.arguments(UnitIn)
@blp.response(201, UnitOut)
@blp.alt_response(409, schema=ProblemSchema, description="A version of the code overlaps these dates")
def create_unit(data):
    """Add a unit version (a new unit, or a code's new shape from a date), with its source."""
    unit = admin.create_unit(db_session=db_session(), identity=current_identity(), data=data)
    _changed()
    return {**vars(unit), "parent_code": data.get("parent_code")}


@blp.patch("/units/<int:unit_id>")
@admin_only
@transactional()
@blp.arguments(UnitPatch)
@blp.response(200, UnitOut)
def update_unit(data, unit_id):
    """Close a version (``valid_to``) or correct its name, source, confirmation or note."""
    unit = admin.update_unit(db_session=db_session(), identity=current_identity(), unit_id=unit_id, data=data)
    _changed()
    return unit


@blp.get("/unit-successions")
@require(READ)
@blp.arguments(SuccessionQuery, location="query")
@blp.response(200, SuccessionOut(many=True))
def list_successions(query):
    """Which unit version succeeded which (merge, split, rename, abolition), by day, with their codes."""
    return service.list_successions(db_session=db_session(), unit_id=query["unit_id"])


@blp.post("/unit-successions")
@admin_only
@transactional()
@blp.arguments(SuccessionIn)
@blp.response(201, SuccessionOut)
def create_succession(data):
    """Record that a unit version was succeeded by another (merge, split, rename, abolition)."""
    link = admin.create_succession(db_session=db_session(), identity=current_identity(), data=data)
    _changed()
    return link


@blp.get("/fields")
@require(READ)
@blp.response(200, FieldOut(many=True))
def list_fields():
    """Fields of petitions and the department responsible for each."""
    return service.list_fields(db_session=db_session())


@blp.get("/holidays")
@require(READ)
@blp.response(200, HolidayOut(many=True))
def list_holidays():
    """Days off and make-up working days (kind ``working_day``), with the reference version they are as of."""
    version = read_version(db_session())
    return list(db_session().scalars(select(Holiday).order_by(Holiday.date))), _version_header(version)


@blp.put("/holidays/<date_text>")
@admin_only
@transactional()
@blp.arguments(HolidayIn)
@blp.response(200, HolidayOut)
def put_holiday(data, date_text):
    """Add or change a day off or a make-up working day."""
    day = _day(date_text)
    row = calendar_admin.put_holiday(db_session=db_session(), identity=current_identity(), day=day, data=data)
    _changed()
    return row


@blp.delete("/holidays/<date_text>")
@admin_only
@transactional()
@blp.arguments(ReasonQuery, location="query")
@blp.response(204)
def delete_holiday(query, date_text):
    """Remove a day entered in error."""
    calendar_admin.delete_holiday(
        db_session=db_session(), identity=current_identity(), day=_day(date_text), reason=query["reason"]
    )
    _changed()


@blp.get("/calendar-years")
@require(READ)
@blp.response(200, CalendarYearOut(many=True))
def list_calendar_years():
    """The years the working-day calendar holds (a date outside them has no working-day count), with the
    reference version they are as of."""
    version = read_version(db_session())
    return service.list_calendar_years(db_session=db_session()), _version_header(version)


@blp.post("/calendar-years")
@admin_only
@transactional()
@blp.arguments(CalendarYearIn)
@blp.response(201, CalendarYearOut)
@blp.alt_response(409, schema=ProblemSchema, description="The year, or one of its days, is already recorded")
def create_calendar_year(data):
    """Add a year to the calendar with its days off and make-up working days."""
    row = calendar_admin.create_calendar_year(db_session=db_session(), identity=current_identity(), data=data)
    _changed()
    return row


@blp.get("/legal-rules")
@require(READ)
@blp.response(200, RuleOut(many=True))
def list_rules():
    """Every legal rule row, each with the day it is in force from and its source."""
    return list(db_session().scalars(select(LegalRule).order_by(LegalRule.key, LegalRule.effective_from)))


@blp.post("/legal-rules")
@admin_only
@transactional()
@blp.arguments(RuleIn)
@blp.response(201, RuleOut)
def create_rule(data):
    """Add a legal rule in force from a date."""
    rule = admin.create_rule(db_session=db_session(), identity=current_identity(), data=data)
    _changed()
    return rule


@blp.get("/reference-changes")
@admin_only
@blp.response(200, ChangeOut(many=True))
def list_changes():
    """The audit of administrators' reference changes, newest first."""
    return admin.list_changes(db_session=db_session())


def _version_header(version: int | None) -> dict[str, str]:
    return {VERSION_HEADER: str(version)} if version is not None else {}


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise field_error("date", "Not a date (YYYY-MM-DD).") from exc
