"""The audit trail over HTTP."""

from __future__ import annotations

from flask_smorest import Blueprint

from tiepdan_common.web import db_session, require

from . import service
from .schemas import AuditOut, AuditQuery

blp = Blueprint("audit", __name__, description="Audit trail of roster changes")


@blp.get("/audit")
@require("audit:read")
@blp.arguments(AuditQuery, location="query")
@blp.response(200, AuditOut(many=True))
def list_audit(query):
    """Every change to the roster, newest first (page with before_id)."""
    return service.entries(db_session=db_session(), **query)
