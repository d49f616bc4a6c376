"""Acknowledgement from outside the app: the SMS provider's callback and the email link.

These routes call no ``require()``: the gateway forwards them as public routes with an anonymous
identity. They authenticate by what they carry: the provider's HMAC signature, the link's signed token.
"""

from __future__ import annotations

from html import escape

from flask import Response, request
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate

from tiepdan_common.errors import Problem, flatten_messages
from tiepdan_common.idempotency import transactional
from tiepdan_common.limits import FORM, accepts
from tiepdan_common.schemas import ProblemSchema, Text
from tiepdan_common.web import current_settings, db_session, now

from .. import signing
from . import service

blp = Blueprint("ack", __name__, description="Acknowledgement by SMS code or email link (public, signed)")


class SmsInbound(Schema):
    """The provider's callback: the sender's number and the reply (``text``, or the ``code`` alone)."""

    sender = Text(data_key="from", load_default=None, allow_none=True, validate=validate.Length(max=32))
    text = Text(load_default=None, allow_none=True, validate=validate.Length(max=1600))  # ten parts of a long SMS
    code = Text(load_default=None, allow_none=True, validate=validate.Length(max=16))


class AckOut(Schema):
    message_id = fields.String(attribute="id")
    recipient = fields.String()
    acknowledged_at = fields.AwareDateTime()
    acknowledged_via = fields.String()


@blp.post("/sms/inbound")
@accepts(FORM)  # many providers post a form
@transactional()
@blp.arguments(SmsInbound, location="json")
@blp.response(200, AckOut)
@blp.alt_response(401, schema=ProblemSchema)
@blp.alt_response(404, schema=ProblemSchema)
def sms_inbound(payload):
    """The SMS provider posts an officer's reply; a six-digit code in it acknowledges that officer's message.

    JSON or a form, with ``from`` and ``text`` (or ``code``).

    Signed by the provider with the shared secret: headers X-Tiepdan-Timestamp and X-Tiepdan-Signature.
    """
    try:
        # The window is real time (the provider's clock), not the app's injectable one.
        signing.verify(current_settings().sms_inbound_secrets, request.headers, request.get_data(cache=True))
    except signing.SignatureError as exc:
        raise Problem(401, f"The SMS provider's signature does not verify: {exc}.", code="bad_signature") from exc
    if request.mimetype == FORM:  # checked by the same schema as JSON (the body checks see only JSON)
        try:
            payload = SmsInbound().load({k: request.form[k] for k in ("from", "text", "code") if k in request.form})
        except ValidationError as exc:
            errors = flatten_messages(exc.messages)
            detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
            raise Problem(422, detail, code="validation_failed", errors=errors) from exc
    return service.by_sms(
        db_session=db_session(),
        sender=payload["sender"],
        text=" ".join(filter(None, (payload["code"], payload["text"]))),
        now=now(),
    )


_PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{title}</h1><p>{text}</p>{form}</body></html>"""


def _page(title: str, text: str, form: str = "", status: int = 200) -> Response:
    return Response(
        _PAGE.format(title=escape(title), text=escape(text), form=form), status=status, mimetype="text/html"
    )


@blp.get("/ack/<token>")
@blp.response(200, content_type="text/html", description="A page with one button that acknowledges")
def ack_page(token):
    """The email link's page: one button that acknowledges (a link scanner's GET changes nothing)."""
    form = '<form method="post"><button type="submit">Xác nhận đã nhận tin / Acknowledge</button></form>'
    return _page(
        "Xác nhận đã nhận tin",
        "Bấm nút dưới đây để xác nhận đồng chí đã nhận tin. Press the button to acknowledge the message.",
        form,
    )


@blp.post("/ack/<token>")
@transactional()
@blp.response(200, AckOut)
@blp.alt_response(403, schema=ProblemSchema)
@blp.alt_response(404, schema=ProblemSchema)
def ack_by_link(token):
    """Acknowledge the message named by the link's signed token (answers HTML to a browser's form)."""
    message = service.by_token(db_session=db_session(), secret=current_settings().ack_secret, token=token, now=now())
    if request.mimetype == "application/x-www-form-urlencoded" and request.accept_mimetypes.accept_html:
        return _page(
            "Đã xác nhận",
            f"Cảm ơn đồng chí. Tin \u201c{message.title}\u201d đã được xác nhận. "
            "Thank you: the message is acknowledged.",
        )
    return message
