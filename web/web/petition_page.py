"""One petition's page: its steps so far, and each step that may come next as a form.

Which steps are offered is the API's answer (``allowed_steps``) when it gives one; a step is
posted to ``/intake/petitions/<id>/steps``. Against an intake that knows only decisions, the
same forms post the matching decision (accept, guide, forward, back to the commune, archive)
and the resolution, so the screen works with either.
"""

from __future__ import annotations

import uuid
from urllib.parse import quote

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from . import labels, reference
from .auth import can, login_required
from .formatting import parse_day
from .gateway import get, post
from .timekeeping import now_local

bp = Blueprint("petition_page", __name__, url_prefix="/petitions")

PATH = "/intake/petitions"
GROUNDS_PATH = "/intake/petitions/grounds"
# What each step needs typed in (beyond the day it was taken).
STEP_INPUTS = {
    "accept": ("complexity",),
    "not_accept": ("ground", "reason"),
    "guide": ("to_body",),
    "forward": ("to_body", "letter_number", "letter_date"),
    "reforward": ("to_body", "letter_number", "letter_date"),
    "return_to_lower_level": ("to_unit",),
    "extend": ("reason",),
    "temporarily_suspend": ("reason",),
    "resume": (),
    "suspend": ("reason",),
    "withdraw": ("reason",),
    "withdraw_part": ("part", "reason"),
    "dialogue_held": ("held_on",),
    "dialogue_skipped": ("held_on", "valid_reason", "reason"),
    "resolve": ("outcome", "resolution"),
    "archive": ("reason",),
}
# Intake before its lifecycle: the decisions it takes from "received", and resolving an accepted one.
LEGACY = {"received": ("accept", "guide", "forward", "return_to_lower_level", "archive"), "accepted": ("resolve",)}
LEGACY_DECISION = {
    "accept": "accept",
    "guide": "guide",
    "forward": "forward",
    "return_to_lower_level": "request_lower_level",
    "archive": "archive",
}
DATE_INPUTS = ("letter_date", "held_on")


def allowed_steps(petition: dict) -> list[str]:
    """The steps the API says may be taken now (or, with the older API, what its decisions allow)."""
    given = petition.get("allowed_steps")
    if isinstance(given, list):
        return [s.get("step") or s.get("name") if isinstance(s, dict) else s for s in given]
    return list(LEGACY.get(petition.get("status"), ()))


def uses_steps(petition: dict) -> bool:
    """Whether this intake records a petition's life as steps (``POST .../steps``)."""
    return "allowed_steps" in petition or "steps" in petition


def step_body(step: str, form) -> dict:
    """The API body of one step from its form (days typed day/month/year sent as ISO dates)."""
    body: dict = {"step": step}
    taken = parse_day(form.get("taken_on"))
    body["taken_on"] = taken.isoformat() if taken else (form.get("taken_on") or "").strip() or None
    for name in STEP_INPUTS.get(step, ()):
        if name == "valid_reason":
            body[name] = form.get(name) == "on"
            continue
        value = (form.get(name) or "").strip() or None
        if name in DATE_INPUTS and value:
            day = parse_day(value)
            value = day.isoformat() if day else value
        body[name] = value
    if step == "accept" and form.get("second_time") == "on":
        body["second_time"] = True
    return {k: v for k, v in body.items() if v is not None}


def legacy_call(step: str, body: dict) -> tuple[str, dict]:
    """The older API's path and body for a step: a decision, or the resolution."""
    if step == "resolve":
        outcome = labels.label(labels.RESOLUTION_OUTCOMES, body.get("outcome"))
        text = body.get("resolution") or ""
        return "resolution", {
            "resolved_on": body.get("taken_on"),
            "resolution": f"{outcome}: {text}" if body.get("outcome") else text,
        }
    decision = {"decision": LEGACY_DECISION.get(step, step)}
    if step == "accept":
        decision.update({k: body[k] for k in ("complexity", "second_time") if k in body})
    elif step in ("guide", "forward"):
        letter = [
            x
            for x in (
                body.get("letter_number") and _("công văn số %(n)s", n=body["letter_number"]),
                body.get("letter_date") and _("ngày %(d)s", d=_dmy(body["letter_date"])),
            )
            if x
        ]
        decision["forwarded_to"] = body.get("to_body") and (
            f"{body['to_body']} ({', '.join(letter)})" if letter else body["to_body"]
        )
    elif step == "return_to_lower_level":
        decision["forwarded_to"] = reference.unit_name(body.get("to_unit")) if body.get("to_unit") else None
    elif step == "archive":
        decision["reason"] = body.get("reason")
    return "decisions", {k: v for k, v in decision.items() if v is not None}


def _dmy(iso: str) -> str:
    day = parse_day(iso)
    return day.strftime("%d/%m/%Y") if day else iso


def grounds(category: str | None) -> list[dict]:
    """Grounds not to accept a petition of this category (intake's dated legal data)."""
    answer = get(GROUNDS_PATH)
    rows = answer.data if answer.ok else None
    if isinstance(rows, dict):
        rows = rows.get("items")
    rows = [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []
    return [r for r in rows if not r.get("category") or r.get("category") == category]


def handler_choices() -> list[dict]:
    """Officers who may be assigned a petition (roster's active officers, police and leaders aside)."""
    if not can("petitions:write"):
        return []
    rows, _s = reference.officers()
    return [o for o in rows if o.get("active", True) and o.get("role") not in ("police", "leader")]


def matter_of(petition: dict) -> dict | None:
    """The other petitions and the visits about the same matter (intake's matter), or None."""
    key = petition.get("matter_key")
    if not key:
        return None
    answer = get(f"/intake/matters/{quote(key, safe='')}")
    if not answer.ok or not isinstance(answer.data, dict):
        return None
    others = [p for p in answer.data.get("petitions") or [] if p.get("id") != petition.get("id")]
    visits = answer.data.get("visits") or []
    return {"petitions": others, "visits": visits} if others or visits else None


@bp.get("/<petition_id>")
@login_required
def detail(petition_id, errors=None, status=200, open_step=None):
    """A petition with its steps, the repeat to confirm or override, and the next steps' forms."""
    answer = get(f"{PATH}/{petition_id}")
    if not answer.ok or not isinstance(answer.data, dict):
        return render_template("petition.html", petition=None, error=labels.status_message(answer.status)), (
            answer.status if answer.status >= 400 else 502
        )
    petition = answer.data
    steps = allowed_steps(petition) if can("petitions:write") else []
    communes, _s = reference.communes()
    return render_template(
        "petition.html",
        petition=petition,
        error=None,
        errors=errors or {},
        steps=steps,
        inputs=STEP_INPUTS,
        matter=matter_of(petition),
        grounds=grounds(petition.get("category")) if "not_accept" in steps else [],
        communes=communes,
        open_step=open_step,
        officers=handler_choices(),
        today=now_local().strftime("%d/%m/%Y"),
        idempotency_key=uuid.uuid4().hex,
        unit_name=reference.unit_name,
        field_name=reference.field_name,
    ), status


def _after(petition_id: str, answer, done: str, step: str):
    if answer.ok:
        flash(done, "success")
        return redirect(url_for("petition_page.detail", petition_id=petition_id))
    errors = {
        e.get("field") or "body": labels.field_message(e.get("message", ""), e.get("field"))
        for e in answer.field_errors
    }
    if not errors:
        detail_text = (answer.problem or {}).get("detail") if answer.status == 409 else None
        flash(
            labels.status_message(answer.status, answer.problem)
            + (f" ({labels.step_conflict(detail_text)})" if detail_text else ""),
            "error",
        )
    return detail(petition_id, errors=errors, status=422 if errors else 200, open_step=step)


@bp.post("/<petition_id>/steps/<step>")
@login_required
def take_step(petition_id, step):
    """Take one step (accept, not accept, guide, forward, extend, suspend, withdraw, dialogue, resolve...)."""
    if step not in STEP_INPUTS:
        return "", 404
    if not can("petitions:write"):
        flash(labels.status_message(403), "error")
        return redirect(url_for("petition_page.detail", petition_id=petition_id))
    body = step_body(step, request.form)
    current = get(f"{PATH}/{petition_id}")
    headers = {"Idempotency-Key": request.form.get("idempotency_key") or uuid.uuid4().hex}
    if current.ok and isinstance(current.data, dict) and not uses_steps(current.data):
        action, legacy = legacy_call(step, body)
        answer = post(f"{PATH}/{petition_id}/{action}", json=legacy, headers=headers)
    else:
        answer = post(f"{PATH}/{petition_id}/steps", json=body, headers=headers)
    return _after(petition_id, answer, _("Đã ghi bước: %(s)s.", s=labels.label(labels.PETITION_STEPS, step)), step)


@bp.post("/<petition_id>/repeat")
@login_required
def repeat(petition_id):
    """Confirm the suggested repeat, or override it with a reason (kept on the record)."""
    decision = request.form.get("decision")
    body = {"decision": decision, "reason": (request.form.get("reason") or "").strip() or None}
    answer = post(f"{PATH}/{petition_id}/repeat", json={k: v for k, v in body.items() if v is not None})
    done = _("Đã xác nhận là đơn trùng.") if decision == "confirm" else _("Đã ghi: không phải đơn trùng.")
    return _after(petition_id, answer, done, "repeat")


@bp.post("/<petition_id>/handlers")
@login_required
def assign_handler(petition_id):
    """Assign an officer of the roster to handle the petition (what reading a denunciation requires)."""
    answer = post(f"{PATH}/{petition_id}/handlers", json={"officer": request.form.get("officer") or ""})
    return _after(petition_id, answer, _("Đã phân công người xử lý."), "handlers")


@bp.post("/<petition_id>/informed")
@login_required
def informed(petition_id):
    """Record the day the citizen was told how the petition is handled."""
    day = parse_day(request.form.get("informed_on"))
    answer = post(
        f"{PATH}/{petition_id}/citizen-informed",
        json={"informed_on": day.isoformat() if day else (request.form.get("informed_on") or None)},
    )
    return _after(petition_id, answer, _("Đã ghi ngày báo cho công dân."), "informed")
