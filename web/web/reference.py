"""Reference lists (communes, fields) asked of the gateway and kept for a few minutes."""

from __future__ import annotations

import datetime as dt
import time

from flask import current_app, g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .gateway import get
from .timekeeping import today_local

TTL_SECONDS = 600


def _cached(name: str, path: str) -> tuple[list[dict], int]:
    """The list at ``path`` and 200 (kept for everyone a while), or [] and the failing status.

    A failure is remembered for the rest of the request only (it may be this officer's rights),
    so that a page of the register does not ask once per row.
    """
    cache = current_app.extensions["tiepdan_web"]["reference"]
    hit = cache.get(name)
    if hit and hit[0] > time.monotonic():
        return hit[1], 200
    failed = g.setdefault("reference_failures", {})
    if name in failed:
        return [], failed[name]
    answer = get(path)
    if answer.ok and isinstance(answer.data, list):
        cache[name] = (time.monotonic() + TTL_SECONDS, answer.data)
        return answer.data, 200
    failed[name] = answer.status
    return [], answer.status


def units() -> tuple[list[dict], int]:
    """Administrative units (province, district, communes); the communes from roster's agencies if intake fails."""
    rows, status = _cached("units", "/intake/units")
    if status == 200:
        return rows, status
    agencies, _status = _cached("agencies", "/roster/agencies")
    communes = [
        {"code": a["unit"], "name": a["name"].removeprefix("UBND ").strip(), "level": "commune"}
        for a in agencies
        if a.get("kind") == "commune" and a.get("unit") and a.get("name")
    ]
    return (communes, 200) if communes else ([], status)


def in_force(unit: dict, day: dt.date) -> bool:
    """Whether a unit's version is in force on ``day`` (units without dates always are)."""
    start, end = str(unit.get("valid_from") or ""), str(unit.get("valid_to") or "")
    return (not start or start[:10] <= day.isoformat()) and (not end or day.isoformat() <= end[:10])


def communes(day: dt.date | None = None) -> tuple[list[dict], int]:
    """The communes (and wards) in force on ``day`` (today by default), in the reference order."""
    rows, status = units()
    day = day or today_local()
    return [u for u in rows if u.get("level") == "commune" and in_force(u, day)], status


def fields() -> tuple[list[dict], int]:
    """Fields of petitions, with their Vietnamese and English names."""
    return _cached("fields", "/intake/fields")


def unit_name(code: str | None) -> str:
    """A unit's name when the list is known, else its code."""
    if not code:
        return ""
    rows, _ = units()
    versions = [u for u in rows if u.get("code") == code]
    today = today_local()
    current = next((u for u in versions if in_force(u, today)), None) or (versions[-1] if versions else None)
    return current["name"] if current else code


def office_name(unit_code: str | None) -> str:
    """The People's Committee a signed-in officer works for, from the unit data in force today
    («UBND thành phố Cần Thơ», «UBND phường Mỹ Xuyên»); empty when the unit is not known."""
    name = unit_name(unit_code)
    if not name or name == unit_code:
        return ""
    return f"UBND {name[:1].lower()}{name[1:]}"


def field_name(code: str | None, lang: str = "vi") -> str:
    """A field's name when the list is known, else its code."""
    if not code:
        return ""
    rows, _ = fields()
    row = next((f for f in rows if f.get("code") == code), None)
    if not row:
        return code
    return row.get("name_en") if lang == "en" and row.get("name_en") else row.get("name_vi", code)


def officer_name(code: str | None) -> str:
    """An officer's full name when roster knows the code, else the code (``system`` and the like stay)."""
    if not code:
        return ""
    if code == "system":
        return _("hệ thống")
    rows, _status = _cached("officers", "/roster/officers")
    found = next((o["full_name"] for o in rows if o.get("code") == code and o.get("full_name")), None)
    return found or client_name(code)


# An API client (not an officer) named by the kind its id starts with, as the gateway's demo clients are.
CLIENT_KINDS = (
    ("district", _l("Ban Tiếp công dân (kết nối hệ thống)")),
    ("police", _l("Công an (kết nối hệ thống)")),
    ("province", _l("Ban Tiếp công dân tỉnh (kết nối hệ thống)")),
    ("commune", _l("UBND xã (kết nối hệ thống)")),
)


def client_name(code: str) -> str:
    """What a clerk reads for an actor that is an app, not an officer; an unknown officer's code stays."""
    bare = code.removeprefix("client:")
    return next((str(name) for prefix, name in CLIENT_KINDS if bare.startswith(prefix + "-")), code)


def agency_name(code: str | None) -> str:
    """An agency's name when roster knows the code, else the code."""
    if not code:
        return ""
    rows, _status = _cached("agencies", "/roster/agencies")
    return next((a["name"] for a in rows if a.get("code") == code and a.get("name")), code)


def agencies() -> tuple[list[dict], int]:
    """Roster's agencies (departments, communes, police, the province)."""
    return _cached("agencies", "/roster/agencies")


def officers() -> tuple[list[dict], int]:
    """Roster's officers (code, full name, agency, role)."""
    return _cached("officers", "/roster/officers")
