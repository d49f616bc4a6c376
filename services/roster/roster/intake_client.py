"""Intake's working-day calendar, asked through the gateway like any client, with roster's own credentials.

The catch-up (``catch_up``) reads it to learn the days an administrator set in intake while roster had no
queue to hear of them. Intake states its reference version (``X-Reference-Version``) read before each list:
every change up to that version is in the answer, so a message of an older change is known to be stale.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import requests

from .config import RosterSettings

VERSION_HEADER = "X-Reference-Version"
KINDS = ("holiday", "working_day")


class IntakeUnreachable(Exception):
    """The gateway or intake did not answer, refused roster, or answered something roster cannot read."""


@dataclasses.dataclass(frozen=True)
class IntakeYear:
    year: int
    confirmed: bool
    source: str
    note: str


@dataclasses.dataclass(frozen=True)
class IntakeDay:
    date: dt.date
    kind: str
    name: str
    source: str
    confirmed: bool
    in_exchange_for: dt.date | None


@dataclasses.dataclass(frozen=True)
class IntakeCalendar:
    """Intake's calendar years and listed days, complete up to reference version ``version``."""

    version: int
    years: tuple[IntakeYear, ...]
    days: tuple[IntakeDay, ...]


def _date(value) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _parse_day(row: dict) -> IntakeDay:
    kind = row.get("kind") or "holiday"
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    return IntakeDay(
        date=dt.date.fromisoformat(row["date"]),
        kind=kind,
        name=row.get("name") or "",
        source=row.get("source") or "",
        confirmed=bool(row.get("confirmed", True)),
        in_exchange_for=_date(row.get("in_exchange_for")),
    )


def _parse_year(row: dict) -> IntakeYear:
    return IntakeYear(
        year=int(row["year"]),
        confirmed=bool(row.get("confirmed", True)),
        source=row.get("source") or "",
        note=row.get("note") or "",
    )


class IntakeClient:
    """Reads intake's calendar through the gateway (a client-credentials token, then two GETs)."""

    def __init__(self, *, gateway_url: str, client_id: str, client_secret: str, timeout: float = 3.0) -> None:
        self.gateway_url = gateway_url.rstrip("/")
        self.client_id, self.client_secret, self.timeout = client_id, client_secret, timeout

    def calendar(self) -> IntakeCalendar:
        """Intake's calendar now; :class:`IntakeUnreachable` when it cannot be had."""
        try:
            with requests.Session() as session:
                token = self._token(session)
                # Years first: the version it states is the lower one, true of both lists.
                version, years = self._get(session, token, "/api/v1/intake/calendar-years")
                _later, days = self._get(session, token, "/api/v1/intake/holidays")
                return IntakeCalendar(
                    version=version,
                    years=tuple(_parse_year(y) for y in years),
                    days=tuple(_parse_day(d) for d in days),
                )
        except (requests.RequestException, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise IntakeUnreachable(f"{type(exc).__name__}: {exc}") from exc

    def _token(self, session: requests.Session) -> str:
        resp = session.post(
            f"{self.gateway_url}/api/v1/auth/token",
            timeout=self.timeout,
            json={"grant_type": "client_credentials", "client_id": self.client_id, "client_secret": self.client_secret},
        )
        resp.raise_for_status()
        return resp.json()["access_token"]

    def _get(self, session: requests.Session, token: str, path: str) -> tuple[int, list]:
        resp = session.get(
            f"{self.gateway_url}{path}", timeout=self.timeout, headers={"Authorization": f"Bearer {token}"}
        )
        resp.raise_for_status()
        body = resp.json()
        if not isinstance(body, list):
            raise ValueError(f"{path}: a list was expected")
        version = resp.headers.get(VERSION_HEADER)
        if version is None:
            raise ValueError(f"{path}: no {VERSION_HEADER} header")
        return int(version), body


def client(settings: RosterSettings) -> IntakeClient:
    """The client the settings point at (intake behind the gateway, as ``svc-roster``)."""
    return IntakeClient(
        gateway_url=settings.gateway_url,
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        timeout=settings.intake_timeout,
    )
