"""Working a case beyond its status: dialogues (đối thoại), tasks, merge, links, reopen; roster pickers."""

from __future__ import annotations

from flask import Blueprint, request, url_for
from flask_babel import gettext as _

from . import labels, reference
from .auth import can, login_required
from .formatting import parse_local
from .gateway import get
from .timekeeping import now_local

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
    return {
        "items": items,
        "error": None if answer.ok else labels.status_message(answer.status),
        "status": answer.status,
    }


def sections(case_id: str, case: dict) -> dict:
    """The case's dialogues and tasks, and the open cases it may merge into or link to (not for police)."""
    if not can("cases:write") and not can("visits:read"):
        return {}
    out = {
        "dialogues": _list(f"/escalation/cases/{case_id}/dialogues"),
        "tasks": _list(f"/escalation/cases/{case_id}/tasks"),
    }
    if can("cases:write") and case.get("status") != "closed":
        others = _list("/escalation/cases?status=open&limit=100")
        out["others"] = [c for c in others["items"] if c.get("id") != case_id]
    return out


def people(text: str) -> list[dict]:
    """Participants typed one per line as «name; role; unit» (role and unit may be left out)."""
    out = []
    for line in (text or "").splitlines():
        parts = [p.strip() for p in line.split(";")]
        if parts and parts[0]:
            out.append(
                {
                    "name": parts[0],
                    "role": (parts[1] if len(parts) > 1 else "") or None,
                    "unit": (parts[2] if len(parts) > 2 else "") or None,
                }
            )
    return out


def dialogue_body(form) -> dict:
    """The API body of a new dialogue: when (typed day/month/year), where, who."""
    when = parse_local(form.get("scheduled_at"))
    return {
        "scheduled_at": when.isoformat() if when else (form.get("scheduled_at") or None),
        "place": (form.get("place") or "").strip(),
        "participants": people(form.get("participants")),
    }


def record_body(form) -> dict:
    """The API body recording a dialogue as held (minutes, outcome) or cancelled."""
    body = {
        "status": form.get("status") or "held",
        "minutes": (form.get("minutes") or "").strip() or None,
        "outcome": (form.get("outcome") or "").strip() or None,
    }
    return {k: v for k, v in body.items() if v is not None}


@bp.post("/<case_id>/dialogues")
@login_required
def schedule_dialogue(case_id):
    """Schedule a dialogue with the citizens."""
    from .cases import write

    return write(
        case_id,
        "dialogue",
        dialogue_body(request.form),
        _("Đã ghi lịch đối thoại."),
        path=f"/escalation/cases/{case_id}/dialogues",
    )


@bp.post("/<case_id>/dialogues/<dialogue_id>")
@login_required
def record_dialogue(case_id, dialogue_id):
    """Record a dialogue as held, with its minutes and outcome, or as cancelled."""
    from .cases import write

    return write(
        case_id,
        "record",
        record_body(request.form),
        _("Đã ghi kết quả đối thoại."),
        path=f"/escalation/cases/{case_id}/dialogues/{dialogue_id}/record",
    )


def task_body(form) -> dict:
    """A new task: its title, its owner (an officer of the roster) and when it is due (day/month/year)."""
    due = parse_local(form.get("due_at"))
    return {
        "title": (form.get("title") or "").strip(),
        "owner": form.get("owner") or "",
        "due_at": due.isoformat() if due else (form.get("due_at") or "").strip() or None,
    }


@bp.post("/<case_id>/tasks")
@login_required
def add_task(case_id):
    """Add a task to the case."""
    from .cases import write

    body = {k: v for k, v in task_body(request.form).items() if v is not None}
    return write(case_id, "task", body, _("Đã thêm việc cần làm."), path=f"/escalation/cases/{case_id}/tasks")


@bp.post("/<case_id>/tasks/<task_id>/done")
@login_required
def task_done(case_id, task_id):
    """Mark a task done."""
    from .cases import write

    return write(
        case_id, "task_done", {}, _("Đã đánh dấu xong."), path=f"/escalation/cases/{case_id}/tasks/{task_id}/done"
    )


@bp.post("/<case_id>/merge")
@login_required
def merge(case_id):
    """Merge this case into another open one: it is closed as merged, its history carried over."""
    from .cases import write

    into = request.form.get("into") or ""
    answer = write(case_id, "merge", {"into": into}, _("Đã gộp vào vụ việc khác."))
    if answer.status_code == 302 and into:
        answer.location = url_for("cases.case", case_id=into)
    return answer


@bp.post("/<case_id>/links")
@login_required
def link(case_id):
    """Link a related case; both timelines note it."""
    from .cases import write

    return write(
        case_id,
        "link",
        {"case_id": request.form.get("case_id") or ""},
        _("Đã liên kết vụ việc."),
        path=f"/escalation/cases/{case_id}/links",
    )


@bp.post("/<case_id>/links/<other_id>/remove")
@login_required
def unlink(case_id, other_id):
    """Remove a link between two cases."""
    from .cases import write

    return write(
        case_id,
        "unlink",
        None,
        _("Đã bỏ liên kết."),
        path=f"/escalation/cases/{case_id}/links/{other_id}",
        method="DELETE",
    )


@bp.post("/<case_id>/reopen")
@login_required
def reopen(case_id):
    """Reopen a closed case with a reason; its escalation starts again."""
    from .cases import write

    return write(case_id, "reopen", {"reason": (request.form.get("reason") or "").strip()}, _("Đã mở lại vụ việc."))


def now_text() -> str:
    """Now, as the day/month/year text the forms show."""
    return now_local().strftime("%d/%m/%Y %H:%M")


__all__ = ["bp", "can", "pickers", "sections"]
