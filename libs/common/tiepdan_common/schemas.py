"""Marshmallow building blocks the services share: NFC text, problem documents, keyset pages."""

from __future__ import annotations

import base64
import json
import re
import unicodedata

from marshmallow import INCLUDE, Schema, ValidationError, fields, validate

from .errors import field_error


# Unicode's control characters (category Cc: U+0000 to U+001F and U+007F to U+009F) but tab, line feed
# and carriage return; one regular expression instead of a category lookup per character (0.25 against
# 3.6 microseconds for a 75-character sentence). A test checks it against every code point.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class Text(fields.String):
    """A string stored and returned in Unicode NFC, stripped, with no control characters."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        text = unicodedata.normalize("NFC", text).strip()
        if CONTROL_CHARACTERS.search(text):
            raise ValidationError("Contains control characters.")
        return text


class ProblemSchema(Schema):
    """An error answer (application/problem+json); as RFC 9457 allows, some carry more members."""

    class Meta:
        unknown = INCLUDE

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    code = fields.String()
    detail = fields.String()
    errors = fields.List(fields.Dict())
    request_id = fields.String()


class PageQuery(Schema):
    """Keyset pagination: a page size and the opaque cursor of the previous page."""

    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=200))
    cursor = fields.String(load_default=None)


def encode_cursor(values: list) -> str:
    """An opaque cursor holding the sort key of the last row of a page."""
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> list:
    """The sort key inside a cursor, or a 422 problem naming the ``cursor`` field."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, json.JSONDecodeError) as exc:
        raise field_error("cursor", "not a valid cursor") from exc
    if not isinstance(values, list):
        raise field_error("cursor", "not a valid cursor")
    return values
