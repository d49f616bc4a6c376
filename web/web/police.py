"""Police incidents (tin báo) and hot spots (điểm nóng) in detail: report, update, close; a hot spot's trend.

Police-safe: these pages show no citizen's identity (the API gives none to the police).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from . import labels, reference
from .auth import can, login_required
from .formatting import parse_local
from .gateway import api, get, post
from .timekeeping import now_local

bp = Blueprint("police", __name__, url_prefix="/board")

INCIDENT_TEXT = ("unit", "field", "place", "summary")


def incident_body(form, *, new: bool) -> dict:
    """The API body of an incident report (or of its changes) from the form."""
    body: dict = {k: (form.get(k) or "").strip() or None for k in INCIDENT_TEXT}
    when = parse_local(form.get("occurred_at"))
    body["occurred_at"] = when.isoformat() if when else (form.get("occurred_at") or "").strip() or None
    crowd = (form.get("crowd_estimate") or "").strip()
    body["crowd_estimate"] = int(crowd) if crowd.isdigit() else (crowd or None)
    body["public_order"] = form.get("public_order") == "on"
    if not new:
        body.pop("unit"), body.pop("field")
    return {k: v for k, v in body.items() if v is not None}


def _errors(answer) -> dict:
    return {
        e.get("field") or "body": labels.field_message(e.get("message", ""), e.get("field"))
        for e in answer.field_errors
    }


def _context() -> dict:
    communes, _s = reference.communes()
    fields, _s = reference.fields()
    return {
        "communes": communes,
        "fields": fields,
        "unit_name": reference.unit_name,
        "field_name": reference.field_name,
        "now_local": now_local().strftime("%d/%m/%Y %H:%M"),
    }


@bp.route("/incidents/new", methods=["GET", "POST"])
@login_required
def report_incident():
    """The police report a public-order incident; it joins its case or opens one for a crowd."""
    form, errors, status = request.form.to_dict(), {}, 200
    if request.method == "POST":
        answer = post("/escalation/incidents", json=incident_body(request.form, new=True))
        if answer.ok and isinstance(answer.data, dict):
            flash(_("Đã gửi tin báo."), "success")
            return redirect(url_for("police.incident", incident_id=answer.data["id"]))
        errors = _errors(answer)
        if not errors:
            flash(labels.status_message(answer.status, answer.problem), "error")
        status = 422 if errors else 200
    return render_template("incident_new.html", form=form, errors=errors, **_context()), status


@bp.get("/incidents/<incident_id>")
@login_required
def incident(incident_id, errors=None, status=200):
    """One incident: what, where, when, how many; update or close it (its reporting unit)."""
    answer = get(f"/escalation/incidents/{incident_id}")
    if not answer.ok or not isinstance(answer.data, dict):
        return render_template(
            "incident.html", incident=None, error=labels.status_message(answer.status), **_context()
        ), answer.status if answer.status >= 400 else 502
    return render_template(
        "incident.html",
        incident=answer.data,
        error=None,
        errors=errors or {},
        writable=can("incidents:write") and answer.data.get("status") != "closed",
        **_context(),
    ), status


@bp.post("/incidents/<incident_id>/<action>")
@login_required
def change_incident(incident_id, action):
    """Update the incident (crowd, place, summary, public order) or close it with its outcome."""
    if action not in ("update", "close"):
        return "", 404
    if action == "close":
        path, body = (
            f"/escalation/incidents/{incident_id}/close",
            {"outcome": (request.form.get("outcome") or "").strip()},
        )
    else:
        path, body = f"/escalation/incidents/{incident_id}", incident_body(request.form, new=False)
    answer = post(path, json=body)
    if answer.ok:
        flash(_("Đã đóng tin báo.") if action == "close" else _("Đã cập nhật tin báo."), "success")
        return redirect(url_for("police.incident", incident_id=incident_id))
    errors = _errors(answer)
    if not errors:
        flash(labels.status_message(answer.status, answer.problem), "error")
    return incident(incident_id, errors=errors, status=422 if errors else 200)


@bp.get("/hotspots/<hotspot_id>")
@login_required
def hotspot(hotspot_id, errors=None, status=200):
    """A hot spot: its scope, rule, counts, four weeks' trend, linked cases; owner, note, status."""
    answer = get(f"/escalation/hotspots/{hotspot_id}")
    if not answer.ok or not isinstance(answer.data, dict):
        return render_template(
            "hotspot.html", hotspot=None, error=labels.status_message(answer.status), **_context()
        ), answer.status if answer.status >= 400 else 502
    cases = []
    if can("cases:read"):
        for case_id in (answer.data.get("case_ids") or [])[:20]:
            found = get(f"/escalation/cases/{case_id}")
            if found.ok and isinstance(found.data, dict):
                cases.append(found.data)
    agencies, _s = reference.agencies()
    return render_template(
        "hotspot.html",
        hotspot=answer.data,
        cases=cases,
        error=None,
        errors=errors or {},
        agencies=[a for a in agencies if a.get("kind") not in ("province",)],
        **_context(),
    ), status


@bp.post("/hotspots/<hotspot_id>/change")
@login_required
def change_hotspot(hotspot_id):
    """Set the owner and a note, activate by hand or mark defused."""
    body = {
        "status": request.form.get("status") or None,
        "owner": request.form.get("owner") or None,
        "note": (request.form.get("note") or "").strip() or None,
    }
    answer = post(f"/escalation/hotspots/{hotspot_id}", json={k: v for k, v in body.items() if v is not None})
    if answer.ok:
        flash(_("Đã cập nhật điểm nóng."), "success")
        return redirect(url_for("police.hotspot", hotspot_id=hotspot_id))
    errors = _errors(answer)
    if not errors:
        flash(labels.status_message(answer.status, answer.problem), "error")
    return hotspot(hotspot_id, errors=errors, status=422 if errors else 200)


RULE_NUMBERS = ("window_days", "min_mass_visits", "min_citizens", "min_incidents", "cool_down_days")


def rule_body(form) -> dict:
    """A hot-spot rule from its form: scope, window, thresholds (blank: not a condition), status, cooling down."""
    body: dict = {
        "scope": form.get("scope") or "commune_field",
        "status": form.get("status") or "active",
        "active": form.get("active") == "on",
        "field": form.get("field") or None,
    }
    for name in RULE_NUMBERS:
        value = (form.get(name) or "").strip()
        body[name] = int(value) if value.isdigit() else (value or None)
    return body


@bp.get("/hotspots/rules")
@login_required
def hotspot_rules(errors=None, status=200, open_rule=None):
    """The hot-spot rules (data): read by the board, changed by those holding rules:write."""
    answer = get("/escalation/hotspots/rules")
    rules = answer.data if answer.ok and isinstance(answer.data, list) else []
    return render_template(
        "hotspot_rules.html",
        rules=rules,
        errors=errors or {},
        open_rule=open_rule,
        error=None if answer.ok else labels.status_message(answer.status),
        editable=can("rules:write"),
        **_context(),
    ), status


@bp.post("/hotspots/rules/<name>")
@login_required
def save_hotspot_rule(name):
    """Create or replace a hot-spot rule."""
    answer = api("PUT", f"/escalation/hotspots/rules/{name}", json=rule_body(request.form))
    if answer.ok:
        flash(_("Đã lưu quy tắc điểm nóng."), "success")
        return redirect(url_for("police.hotspot_rules"))
    errors = _errors(answer)
    if not errors:
        flash(labels.status_message(answer.status, answer.problem), "error")
    return hotspot_rules(errors=errors, status=422 if errors else 200, open_rule=name)
