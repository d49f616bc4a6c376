"""Choosing an event's audience: asked of roster, remembered, with a fallback when roster does not answer."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy.orm import Session

from tiepdan_common.clock import local_date

from ..config import NotifySettings
from ..rules import domain
from ..rules.service import distribution_list
from . import domain as agencies
from .contacts import get_or_create, remember_contacts
from .models import Contact, RosterSnapshot
from .recipients import Recipient, channels_of
from .roster_client import RosterUnavailable

log = logging.getLogger(__name__)
FRESH = dt.timedelta(minutes=1)


def _parse(value) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None


class AudienceResolver:
    """Resolves audience specs for one event; asks roster at most once per question, remembers answers."""

    def __init__(
        self, *, db_session: Session, roster, settings: NotifySettings, now: dt.datetime, kept: dict | None = None
    ) -> None:
        self.db_session = db_session
        self.roster = roster
        self.settings = settings
        self.now = now
        self.down = False
        # Alerts tell the standing fallback list when an audience finds nobody; a notice records who is missing.
        self.use_fallback = True
        self._answers: dict = {}
        # Rows read or written here, kept referenced for the next events of the transaction (see dispatch.Lookups).
        self.kept = kept

    def _get(self, model, key: str):
        """``db_session.get``; the row stays loaded for the session's later events when ``kept`` is given."""
        row = self.db_session.get(model, key)
        self._keep(row)
        return row

    def _keep(self, row) -> None:
        if row is not None and self.kept is not None:
            self.kept[(type(row), row.key if isinstance(row, RosterSnapshot) else row.code)] = row

    # Roster, remembered.

    def _remember(self, key: str, answer) -> None:
        """Keep roster's answer; rewritten only when it changed or is old (a flood writes little)."""
        snapshot = self._get(RosterSnapshot, key)
        if snapshot is not None and snapshot.answer == answer and self.now - snapshot.fetched_at < FRESH:
            return
        snapshot = snapshot or get_or_create(self.db_session, RosterSnapshot, key, answer=answer, fetched_at=self.now)
        snapshot.answer, snapshot.fetched_at = answer, self.now
        self.db_session.add(snapshot)
        self._keep(snapshot)
        if key == "agencies":  # agencies, not people
            return
        people = answer.get("officers", []) + [answer.get("leader_on_call")] if isinstance(answer, dict) else answer
        remember_contacts(self.db_session, [p for p in people if p], self.now)

    def _ask(self, key: str, fetch):
        """(answer, stale): roster's fresh answer, or the last one remembered when roster is down."""
        if key not in self._answers:
            answer, stale = None, True
            if not self.down:
                try:
                    answer, stale = fetch(), False
                    self._remember(key, answer)
                except RosterUnavailable:
                    self.down = True
            if stale:
                snapshot = self._get(RosterSnapshot, key)
                answer = snapshot.answer if snapshot else None
            self._answers[key] = (answer, stale)
        return self._answers[key]

    def _on_duty(self, role: str | None = None, agency: str | None = None) -> tuple[dict, bool]:
        if agency:
            # One answer with the on-call officers serves every agency, filtered here as roster would: a hot spot
            # across a province's communes asks roster once, not once per commune.
            answer, stale = self._on_duty_answer({"with_on_call": "true"})
            officers = [
                o
                for o in answer.get("officers", [])
                if o.get("agency") == agency and (role is None or o.get("duty_role") == role)
            ]
            return {**answer, "officers": officers}, stale
        return self._on_duty_answer({"role": role} if role else {})

    def _on_duty_answer(self, params: dict) -> tuple[dict, bool]:
        key = "on-duty" + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")
        answer, stale = self._ask(key, lambda: self.roster.on_duty(**params))
        answer = answer or {}
        if stale:  # a remembered shift is worth using only until it ends

            def current(p):
                ends = _parse(p.get("shift_ends_at")) if p else None
                return p is not None and ends is not None and ends > self.now

            answer = {
                "officers": [o for o in answer.get("officers", []) if current(o)],
                "leader_on_call": answer.get("leader_on_call") if current(answer.get("leader_on_call")) else None,
            }
        return answer, stale

    def _agency(self, agency: str) -> tuple[list, bool]:
        # Every officer in one answer, filtered here: many agencies in one event ask roster once.
        answer, stale = self._ask("officers", lambda: self.roster.officers())
        return [o for o in (answer or []) if o.get("active", True) and o.get("agency") == agency], stale

    def _agency_people(self, agency: str, everyone: bool = False) -> tuple[list, bool]:
        """Who is told for an agency: on duty for it now, else its head, else every member
        (``everyone``: every member); see :mod:`notify.audience.domain`."""
        members, stale = self._agency(agency)
        on_duty = []
        if not everyone:
            answer, duty_stale = self._on_duty(agency=agency)
            on_duty = [o for o in answer.get("officers", []) if o.get("agency", agency) == agency]
            leader = answer.get("leader_on_call")
            if leader and leader.get("agency") == agency and leader["code"] not in {o["code"] for o in on_duty}:
                on_duty.append(leader)
            stale = stale or duty_stale
        people, _why = agencies.agency_people(
            on_duty=on_duty,
            members=members,
            everyone=everyone,
            head_titles=self.settings.head_titles or agencies.HEAD_TITLES,
        )
        return people, stale

    # Audiences.

    def fallback(self) -> list[Recipient]:
        """The standing list told when roster cannot say who should be."""
        return [self._from_contact(code, via_fallback=True) for code in self.settings.fallback_recipients]

    def _from_contact(self, code: str, via_fallback: bool = False) -> Recipient:
        contact = self._get(Contact, code)
        return Recipient(
            code, contact.full_name if contact else None, channels_of(contact.channels) if contact else {}, via_fallback
        )

    def _people(self, raw: list, stale: bool) -> list[Recipient]:
        people = [Recipient(p["code"], p.get("full_name"), channels_of(p.get("channels")), stale) for p in raw]
        if (stale or not people) and self.use_fallback:
            people += self.fallback()
        return people

    def _system(self, name: str, **values) -> list[Recipient]:
        webhooks = self.settings.webhooks
        url = webhooks.get(name)
        if url is None and ":" in name:
            url = webhooks.get(name.split(":")[0] + ":*")
        if not url:  # told all the same: its delivery is recorded as one that cannot be made, and reported
            log.warning("no webhook configured for system %s", name)
            return [Recipient(f"system:{name}"[:40], name, {})]
        for key, value in values.items():
            url = url.replace("{" + key + "}", str(value))
        return [Recipient(f"system:{name}"[:40], name, {"webhook": url})]

    def resolve(self, spec: dict, data: dict, depth: int = 0) -> list[Recipient]:
        """The recipients of one audience spec for an event's ``data``."""
        kind, value = spec.get("type"), domain.expand(spec.get("value"), data)
        if kind == "on_duty":
            answer, stale = self._on_duty()
            raw = list(answer.get("officers", []))
            if spec.get("leader") and answer.get("leader_on_call"):
                raw.append(answer["leader_on_call"])
            return self._people(raw, stale)
        if kind == "on_duty_role":
            if not value:
                return self.resolve({"type": "on_duty"}, data, depth + 1)
            answer, stale = self._on_duty(value)
            return self._people([o for o in answer.get("officers", []) if o.get("duty_role", value) == value], stale)
        if kind == "leader_on_call":
            answer, stale = self._on_duty()
            leader = answer.get("leader_on_call")
            return self._people([leader] if leader else [], stale)
        if kind == "agency":
            if not value:
                log.warning("an agency audience without an agency: nobody")
                return []
            raw, stale = self._agency_people(value, everyone=bool(spec.get("all")))
            return self._people(raw, stale)
        if kind == "police":
            answer, stale = self._on_duty("police")
            police = [
                Recipient(o["code"], o.get("full_name"), channels_of(o.get("channels")), stale)
                for o in answer.get("officers", [])
                if o.get("duty_role", "police") == "police"
            ]
            return police + self._system("police")
        if kind == "commune":
            unit = value or data.get("unit")
            if not unit:
                return []
            raw, stale = self._agency_people(f"UBND-{unit}")
            people = [Recipient(o["code"], o.get("full_name"), channels_of(o.get("channels")), stale) for o in raw]
            return people + self._system(f"commune:{unit}", unit=unit)
        if kind == "province":  # the province that filed a request (value: its client) has its own endpoint
            named = value and self.settings.webhooks.get(f"province:{value}")
            return self._system(f"province:{value}" if named else "province")
        if kind == "system" and value:
            return self._system(str(value))
        if kind == "communes":
            agencies_, _stale = self._ask("agencies", self.roster.agencies)
            today = str(local_date(self.now))  # a commune merged away is not told
            units = sorted(
                {
                    a["unit"]
                    for a in agencies_ or []
                    if a.get("kind") == "commune"
                    and a.get("unit")
                    and (a.get("valid_to") or "9999") >= today
                    and (a.get("valid_from") or "") <= today
                }
            )
            return [r for unit in units for r in self.resolve({"type": "commune", "value": unit}, data, depth + 1)]
        if kind == "contact" and value:
            channels = {c: a for c, a in (spec.get("channels") or {}).items() if c in ("email", "sms", "webhook") and a}
            return [Recipient(f"contact:{value}"[:40], spec.get("name") or str(value), channels)]
        if kind == "distribution_list" and depth < 2:
            members = distribution_list(db_session=self.db_session, name=value or "plan")
            return [r for member in members for r in self.resolve(member, data, depth + 1)]
        if kind == "target" and isinstance(data.get("target"), dict):
            target = data["target"]
            return self.resolve({"type": target["type"], "value": target.get("value")}, data, depth + 1)
        if kind == "event_officers":
            return [self._from_contact(o["code"]) for o in data.get("officers", [])]
        if kind == "officer" and value:  # one officer by code, e.g. "{owner}"
            return [self._from_contact(str(value))]
        if kind == "event_targets":  # the event names them: [{type: officer|leader_on_call|..., value}]
            targets = domain.lookup(data, value or "targets")
            return (
                [
                    r
                    for t in (targets if isinstance(targets, list) else [])
                    for r in self.resolve({"type": t.get("type"), "value": t.get("value")}, data, depth + 1)
                ]
                if depth < 2
                else []
            )
        if kind == "fallback":
            return self.fallback()
        log.warning("audience %r resolves to nobody", spec)
        return []
