"""Working a case beyond its status: dialogues (đối thoại), with roster pickers for people and agencies."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, request
from flask_babel import gettext as _

from . import labels, reference
from .auth import can, login_required
from .formatting import parse_local
from .gateway import get

bp = Blueprint("casework", __name__, url_prefix="/board/cases")


def pickers() -> dict:
    """Agencies, officers, leaders, communes and police units to choose from (roster's directory)."""
    agencies, _s = reference.agencies()
    officers, _s = reference.officers()
    communes, _s = reference.communes()
    return {
        "agencies": [a for a in agencies if a.get("kind") not in ("commune", "police", "province")],
        "police": [a for a in agencies if a.get("kind") == "police"],
        "officers": [o for o in officers if o.get("active", True) and o.get("role") != "leader"],
        "leaders": [o for o in officers if o.get("role") == "leader"],
        "communes": communes,
    }


def _list(path: str) -> dict:
    answer = get(path)
    items = answer.data if answer.ok and isinstance(answer.data, list) else []
    if answer.ok and isinstance(answer.data, dict):
        items = answer.data.get("items") or []
    return {"items": items, "error": None if answer.ok else labels.status_message(answer.status),
            "status": answer.status}


def sections(case_id: str, case: dict) -> dict:
    """The case's dialogues (hidden from police and province, who may not read them)."""
    if not can("cases:write") and not can("visits:read"):
        return {}
    return {"dialogues": _list(f"/escalation/cases/{case_id}/dialogues")}


def people(text: str) -> list[dict]:
    """Participants typed one per line as «name; role; unit» (role and unit may be left out)."""
    out = []
    for line in (text or "").splitlines():
        parts = [p.strip() for p in line.split(";")]
        if parts and parts[0]:
            out.append({"name": parts[0], "role": (parts[1] if len(parts) > 1 else "") or None,
                        "unit": (parts[2] if len(parts) > 2 else "") or None})
    return out


def dialogue_body(form) -> dict:
    """The API body of a new dialogue: when (typed day/month/year), where, who."""
    when = parse_local(form.get("scheduled_at"))
    return {"scheduled_at": when.isoformat() if when else (form.get("scheduled_at") or None),
            "place": (form.get("place") or "").strip(), "participants": people(form.get("participants"))}


def record_body(form) -> dict:
    """The API body recording a dialogue as held (minutes, outcome) or cancelled."""
    body = {"status": form.get("status") or "held", "minutes": (form.get("minutes") or "").strip() or None,
            "outcome": (form.get("outcome") or "").strip() or None}
    return {k: v for k, v in body.items() if v is not None}


@bp.post("/<case_id>/dialogues")
@login_required
def schedule_dialogue(case_id):
    """Schedule a dialogue with the citizens."""
    from .cases import write

    return write(case_id, "dialogue", dialogue_body(request.form), _("Đã ghi lịch đối thoại."),
                 path=f"/escalation/cases/{case_id}/dialogues")


@bp.post("/<case_id>/dialogues/<dialogue_id>")
@login_required
def record_dialogue(case_id, dialogue_id):
    """Record a dialogue as held, with its minutes and outcome, or as cancelled."""
    from .cases import write

    return write(case_id, "record", record_body(request.form), _("Đã ghi kết quả đối thoại."),
                 path=f"/escalation/cases/{case_id}/dialogues/{dialogue_id}/record")


def now_local() -> str:
    """Now, as the day/month/year text the forms show."""
    from .formatting import LOCAL

    return dt.datetime.now(LOCAL).strftime("%d/%m/%Y %H:%M")


__all__ = ["bp", "can", "pickers", "sections"]
