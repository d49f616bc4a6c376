"""Marshmallow building blocks the services share: NFC text, problem documents, keyset pages, plausible dates."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from marshmallow import INCLUDE, Schema, ValidationError, fields, validate

from .errors import field_error

# Unicode's control characters (category Cc: U+0000 to U+001F and U+007F to U+009F) but tab, line feed
# and carriage return; one regular expression instead of a category lookup per character (0.25 against
# 3.6 microseconds for a 75-character sentence). A test checks it against every code point.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class Text(fields.String):
    """A string stored and returned in Unicode NFC, stripped, with no control characters."""

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> str:
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


# --------------------------------------------------------------------------- plausible dates


def _earliest_default() -> dt.date:
    return dt.date.fromisoformat(os.environ.get("TIEPDAN_EARLIEST_DATE", "2000-01-01"))


def _years_ahead_default() -> int:
    return int(os.environ.get("TIEPDAN_DATE_YEARS_AHEAD", "5"))


class _PlausibleRange:
    """A date range from a fixed first day to today plus some years, stated in the API document.

    Defaults: ``TIEPDAN_EARLIEST_DATE`` (2000-01-01) and ``TIEPDAN_DATE_YEARS_AHEAD`` (5); a field
    may narrow them (``earliest=`` the day its reference data begins). Year 1 and 9999 never reach
    date arithmetic, the database or a page that sorts by them.
    """

    def _init_range(self, kwargs: dict, earliest: dt.date | None, years_ahead: int | None) -> None:
        self.earliest = earliest or _earliest_default()
        self.years_ahead = _years_ahead_default() if years_ahead is None else years_ahead
        metadata = dict(kwargs.pop("metadata", None) or {})
        limits = f"from {self.earliest.isoformat()} to {self.years_ahead} years after today"
        metadata["description"] = (
            f"{metadata['description']} ({limits})" if metadata.get("description") else (limits[0].upper() + limits[1:])
        )
        metadata.setdefault("x-earliest", self.earliest.isoformat())
        metadata.setdefault("x-latest", f"today+{self.years_ahead}y")
        kwargs["metadata"] = metadata

    def latest(self) -> dt.date:
        today = dt.date.today()
        try:
            return today.replace(year=today.year + self.years_ahead)
        except ValueError:  # 29 February
            return today.replace(year=today.year + self.years_ahead, day=28)

    def check(self, day: dt.date) -> None:
        latest = self.latest()
        if not self.earliest <= day <= latest:
            raise ValidationError(f"Must be between {self.earliest.isoformat()} and {latest.isoformat()}.")


class PlausibleDate(_PlausibleRange, fields.Date):
    """A calendar date within a plausible range (see :class:`_PlausibleRange`)."""

    def __init__(
        self, *args: Any, earliest: dt.date | None = None, years_ahead: int | None = None, **kwargs: Any
    ) -> None:
        self._init_range(kwargs, earliest, years_ahead)
        super().__init__(*args, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> dt.date:
        day = super()._deserialize(value, attr, data, **kwargs)
        self.check(day)
        return day


class PlausibleDateTime(_PlausibleRange, fields.AwareDateTime):
    """A moment with its UTC offset within a plausible range (see :class:`_PlausibleRange`)."""

    def __init__(
        self, *args: Any, earliest: dt.date | None = None, years_ahead: int | None = None, **kwargs: Any
    ) -> None:
        self._init_range(kwargs, earliest, years_ahead)
        super().__init__(*args, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> dt.datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        self.check(moment.date())  # the local day: no conversion that could overflow at year 1 or 9999
        return moment


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"


def json_or_files(schema: str, *media_types: str, many: bool = False) -> dict:
    """``blp.doc`` for a 200 answer that is JSON (component ``schema``) or, when asked, one of these files:
    flask-smorest documents one content type, and a doc's content replaces it, so JSON is named again."""
    ref = {"$ref": f"#/components/schemas/{schema}"}
    content = {"application/json": {"schema": {"type": "array", "items": ref} if many else ref}}
    for media_type in media_types:
        content[media_type] = {
            "schema": {"type": "string", "format": "binary"} if media_type == XLSX else {"type": "string"}
        }
    return {"responses": {"200": {"content": content}}}
