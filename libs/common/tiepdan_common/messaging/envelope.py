"""The event envelope every message on the exchange carries."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import uuid
from typing import Any


class EnvelopeError(ValueError):
    """A message that is not a well-formed event envelope."""


@dataclasses.dataclass(frozen=True)
class Envelope:
    """``id`` is also the AMQP message_id; ``type`` is also the routing key."""

    id: str
    type: str
    version: int
    occurred_at: str
    source: str
    correlation_id: str
    data: dict[str, Any]

    @classmethod
    def new(
        cls, *, type: str, source: str, data: dict, correlation_id: str | None = None, version: int = 1
    ) -> Envelope:
        """A new envelope with a fresh id, stamped now (UTC)."""
        event_id = str(uuid.uuid4())
        return cls(
            id=event_id,
            type=type,
            version=version,
            occurred_at=dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            source=source,
            correlation_id=correlation_id or event_id,
            data=data,
        )

    def to_dict(self) -> dict:
        # Shallow on purpose: dataclasses.asdict deep-copies ``data``, a cost every event paid for nothing.
        return {
            "id": self.id,
            "type": self.type,
            "version": self.version,
            "occurred_at": self.occurred_at,
            "source": self.source,
            "correlation_id": self.correlation_id,
            "data": self.data,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_dict(cls, raw: Any) -> Envelope:
        if not isinstance(raw, dict):
            raise EnvelopeError("envelope is not a JSON object")
        missing = [f.name for f in dataclasses.fields(cls) if f.name not in raw]
        if missing:
            raise EnvelopeError(f"envelope lacks {', '.join(missing)}")
        if not isinstance(raw["version"], int) or isinstance(raw["version"], bool):
            raise EnvelopeError("envelope version is not an integer")
        if not isinstance(raw["data"], dict):
            raise EnvelopeError("envelope data is not an object")
        for name in ("id", "type", "occurred_at", "source", "correlation_id"):
            if not isinstance(raw[name], str) or not raw[name]:
                raise EnvelopeError(f"envelope {name} is not a non-empty string")
        return cls(**{f.name: raw[f.name] for f in dataclasses.fields(cls)})

    @classmethod
    def from_bytes(cls, body: bytes) -> Envelope:
        try:
            raw = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise EnvelopeError(f"body is not UTF-8 JSON: {exc}") from exc
        return cls.from_dict(raw)
