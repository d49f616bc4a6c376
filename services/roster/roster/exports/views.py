"""Exports over HTTP: secret calendar links, the public feed itself, XLSX and a printable page."""

from __future__ import annotations

from flask import Response
from flask_smorest import Blueprint

from tiepdan_common import web
from tiepdan_common.errors import Problem
from tiepdan_common.idempotency import transactional
from tiepdan_common.schemas import ProblemSchema
from tiepdan_common.web import current_identity, db_session, require

from ..database import IdempotencyRecord
from . import service
from .schemas import FeedIn, FeedOut, RangeQuery

blp = Blueprint("exports", __name__, description="Calendar feeds, XLSX and printable roster")


@blp.post("/calendar-feeds")
@require("roster:read")
@transactional(IdempotencyRecord)
@blp.arguments(FeedIn)
@blp.response(201, FeedOut)
@blp.alt_response(403, schema=ProblemSchema)
def create_feed(data):
    """A secret iCalendar link: an officer for their own shifts, roster:write for any officer or agency."""
    identity = current_identity()
    own = data["scope"] == "officer" and identity.officer == data["subject"]
    if not own and not identity.has("roster:write"):
        raise Problem(403, "Only your own feed, unless you hold roster:write.", code="forbidden")
    feed, secret = service.create_feed(db_session=db_session(), actor=identity.subject, now=web.now(), **data)
    return {
        "id": feed.id,
        "scope": feed.scope,
        "subject": feed.subject,
        "created_at": feed.created_at,
        "path": f"/calendar/{feed.id}/{secret}.ics",
    }


@blp.delete("/calendar-feeds/<feed_id>")
@require("roster:write")
@transactional(IdempotencyRecord)
@blp.response(204)
@blp.alt_response(404, schema=ProblemSchema)
def revoke_feed(feed_id):
    """Revoke a secret calendar link."""
    service.revoke_feed(db_session=db_session(), feed_id=feed_id, actor=current_identity().subject, now=web.now())


# Public by design: the gateway forwards it with an anonymous identity; the secret in the path is the key.
@blp.get("/calendar/<feed_id>/<secret>.ics")
@blp.response(200, description="text/calendar (RFC 5545)", content_type="text/calendar")
@blp.alt_response(404, schema=ProblemSchema)
def calendar(feed_id, secret):
    """The iCalendar feed behind a secret link (no permission: whoever holds the link may read it)."""
    feed = service.open_feed(db_session=db_session(), feed_id=feed_id, secret=secret)
    body = service.calendar(db_session=db_session(), feed=feed, now=web.now())
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Cache-Control": "private, max-age=300", "Referrer-Policy": "no-referrer"},
    )


def _title(query) -> str:
    return f"Lịch trực tiếp công dân từ {query['start'].strftime('%d/%m/%Y')} đến {query['end'].strftime('%d/%m/%Y')}"


@blp.get("/exports/roster.xlsx")
@require("roster:read")
@blp.arguments(RangeQuery, location="query")
@blp.response(
    200, description="XLSX workbook", content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)
def roster_xlsx(query):
    """The roster between two local dates as an Excel workbook."""
    rows = service.roster_rows(db_session=db_session(), start=query["start"], end=query["end"])
    name = f"lich-truc-{query['start']:%Y%m%d}-{query['end']:%Y%m%d}.xlsx"
    return Response(
        service.xlsx(rows=rows, title=_title(query)),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@blp.get("/exports/roster.html")
@require("roster:read")
@blp.arguments(RangeQuery, location="query")
@blp.response(200, description="printable HTML page in Vietnamese", content_type="text/html")
def roster_html(query):
    """The roster between two local dates as a printable page in Vietnamese."""
    rows = service.roster_rows(db_session=db_session(), start=query["start"], end=query["end"])
    html = service.printable(db_session=db_session(), rows=rows, start=query["start"], end=query["end"], now=web.now())
    return Response(html, mimetype="text/html")
