"""The audit log of unmasked identity reads, for inspectors."""

from __future__ import annotations

from flask_smorest import Blueprint

from tiepdan_common.web import db_session, require

from . import service
from .schemas import IdentityReadPage, IdentityReadQuery

blp = Blueprint(
    "identity_reads",
    __name__,
    url_prefix="/identity-reads",
    description="Audit of unmasked reads of citizens' identity",
)


@blp.route("", methods=["GET"])
@require("audit:read")
@blp.arguments(IdentityReadQuery, location="query")
@blp.response(200, IdentityReadPage)
def list_identity_reads(query):
    """Every unmasked read of a citizen's identity, newest first."""
    items, next_cursor = service.list_reads(db_session=db_session(), query=query)
    return {"items": items, "next_cursor": next_cursor}
