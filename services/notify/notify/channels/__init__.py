"""Channels that carry a message out of notify: SMS, email, webhook (the inbox is the database itself)."""

from __future__ import annotations

import dataclasses
import threading

import requests

_local = threading.local()


def http_session() -> requests.Session:
    """This thread's HTTP session: connections to a provider are kept alive from one message to the next.

    A session per thread, because a ``requests.Session`` is not documented as safe to share between threads.
    """
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
    return session


class ChannelError(Exception):
    """The channel did not take the message; ``answer`` is what the provider said, if anything."""

    def __init__(self, message: str, answer: str | None = None) -> None:
        super().__init__(message)
        self.answer = answer


@dataclasses.dataclass(frozen=True)
class Outgoing:
    """One message on its way to one address."""

    delivery_id: str
    message_id: str
    event_id: str
    event_type: str
    case_id: str | None
    recipient: str
    address: str
    urgent: bool
    title: str
    body: str
    title_en: str | None
    body_en: str | None
    ack_code: str
    ack_url: str | None
    data: dict = dataclasses.field(default_factory=dict)
