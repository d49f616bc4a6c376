"""Who a message goes to: an officer, another body's system, or a body at fixed addresses, with their channels."""

from __future__ import annotations

import dataclasses

CHANNEL_OF_KIND = {"phone": "sms", "email": "email", "webhook": "webhook"}


@dataclasses.dataclass
class Recipient:
    """An officer (``code``), another body's system (``system:<name>``, reached by webhook), or a body reached
    at fixed addresses (``contact:<name>``); ``unreachable`` says why nobody could be found to tell."""

    code: str
    name: str | None = None
    channels: dict = dataclasses.field(default_factory=dict)
    via_fallback: bool = False
    unreachable: str | None = None

    @property
    def is_system(self) -> bool:
        return self.code.startswith("system:")

    @property
    def is_contact(self) -> bool:
        return self.code.startswith("contact:")


def channels_of(raw: list | None) -> dict:
    """Roster's ``[{kind, address, verified}]`` as ``{channel: address}``, verified addresses first."""
    out: dict = {}
    for entry in sorted(raw or [], key=lambda c: not c.get("verified", True)):
        channel = CHANNEL_OF_KIND.get(entry.get("kind"))
        if channel and entry.get("address") and channel not in out:
            out[channel] = entry["address"]
    return out
