"""Sending a notice or report to a distribution list, and the proof: per recipient, delivered and acknowledged.

Each recipient gets an ordinary message (the inbox, its deliveries, its acknowledgement by inbox, SMS code or
e-mail link), so a notice is followed, retried and reported like any alert. A list member that finds nobody
(an agency with no officer known, a system with no webhook) is recorded as a recipient that cannot be told:
a ``skipped`` delivery, counted in the stuck-deliveries report like a dead one.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from tiepdan_common.db import insert_rows
from tiepdan_common.errors import Problem, field_error

from ..audience.recipients import Recipient
from ..audience.service import AudienceResolver
from ..config import NotifySettings
from ..database import outbox
from ..delivery import domain as delivery_domain
from ..delivery import service as deliveries
from ..delivery.models import Delivery
from ..dispatch import Staged, message_row
from ..inbox.models import InboxMessage
from ..rules.models import DistributionList
from .models import Notice, NoticeRecipient

EVENT_TYPE = "notify.notice.sent"


def _label(member: dict) -> str:
    return member.get("label") or ":".join(str(member[k]) for k in ("type", "value") if member.get(k))


def _recipients(resolver: AudienceResolver, members: list[dict], data: dict) -> dict[str, tuple[Recipient, str]]:
    """Each person or system once, with the list member that first named them; a member naming nobody is kept
    as an unreachable recipient."""
    found: dict[str, tuple[Recipient, str]] = {}
    for member in members:
        label = _label(member)
        people = resolver.resolve(member, data)
        if not people:
            code = f"nobody:{member.get('type')}:{member.get('value') or ''}".rstrip(":")[:40]
            people = [Recipient(code, label, {}, unreachable=f"{label}: nobody to tell (no officer, no address)")]
        for person in people:
            found.setdefault(person.code, (person, label))
    return found


def send(
    *,
    db_session: Session,
    roster,
    settings: NotifySettings,
    list_name: str,
    kind: str,
    title: str,
    body: str,
    attachment_url: str | None,
    channels: list[str],
    sent_by: str | None,
    now: dt.datetime,
) -> Notice:
    """Send a notice (thông báo) or report (báo cáo) to every member of a distribution list, now."""
    found = db_session.get(DistributionList, list_name)
    if found is None:
        raise field_error("list", f"no distribution list {list_name!r}")
    notice = Notice(
        kind=kind,
        list_name=list_name,
        list_title=found.title,
        title=title,
        body=body,
        attachment_url=attachment_url,
        sent_by=sent_by,
        created_at=now,
    )
    db_session.add(notice)
    db_session.flush()
    data = {
        "notice_id": notice.id,
        "kind": kind,
        "title": title,
        "body": body,
        "attachment_url": attachment_url,
        "list": list_name,
        "list_title": found.title,
        "sent_by": sent_by,
        "sent_at": now.isoformat(),
    }
    resolver = AudienceResolver(db_session=db_session, roster=roster, settings=settings, now=now)
    resolver.use_fallback = False  # the proof names who was on the list, not who stood in
    staged, links = Staged(), []
    for code, (person, label) in _recipients(resolver, list(found.members), data).items():
        row = message_row(
            recipient=person,
            event_id=notice.id,
            event_type=EVENT_TYPE,
            data=data,
            urgent=False,
            now=now,
            rule=f"list:{list_name}"[:80],
        )
        staged.messages.append(row)
        staged.deliveries += deliveries.plan_rows(
            message_id=row["id"], recipient=person, now=now, steps=[{"after_seconds": 0, "channels": channels}]
        )
        links.append(
            {
                "notice_id": notice.id,
                "message_id": row["id"],
                "recipient": code,
                "name": person.name,
                "member": label[:200],
            }
        )
    staged.write(db_session)
    insert_rows(db_session, NoticeRecipient.__table__, links)
    outbox.add(
        db_session,
        EVENT_TYPE,
        {
            "notice_id": notice.id,
            "kind": kind,
            "list": list_name,
            "title": title,
            "recipients": len(links),
            "sent_by": sent_by,
            "sent_at": now.isoformat(),
        },
    )
    return notice


def detail(*, db_session: Session, notice_id: str) -> dict:
    """A notice with each recipient's status, channel, delivered_at and acknowledged_at, and the counts."""
    notice = db_session.get(Notice, notice_id) if len(notice_id) <= 36 and notice_id.isprintable() else None
    if notice is None:
        raise Problem(404, "No such notice.")
    rows = db_session.execute(
        select(NoticeRecipient, InboxMessage)
        .join(InboxMessage, InboxMessage.id == NoticeRecipient.message_id)
        .where(NoticeRecipient.notice_id == notice_id)
        .order_by(NoticeRecipient.id)
    ).all()
    by_message: dict[str, list[Delivery]] = {}
    for delivery in db_session.scalars(
        select(Delivery)
        .where(Delivery.message_id.in_([m.id for _, m in rows]))
        .order_by(Delivery.step, Delivery.channel)
    ):
        by_message.setdefault(delivery.message_id, []).append(delivery)
    recipients = []
    for link, message in rows:
        its = by_message.get(message.id, [])
        recipients.append(
            {
                "recipient": link.recipient,
                "name": link.name,
                "member": link.member,
                "message_id": message.id,
                **delivery_domain.proof(message, its),
                "deliveries": its,
            }
        )
    counts = {s: sum(r["status"] == s for r in recipients) for s in ("acknowledged", "delivered", "pending", "failed")}
    return {
        **{c.key: getattr(notice, c.key) for c in Notice.__table__.columns},
        "list": notice.list_name,
        "recipients": recipients,
        "counts": {"recipients": len(recipients), **counts},
    }


def recent(*, db_session: Session, limit: int) -> list[Notice]:
    return list(db_session.scalars(select(Notice).order_by(Notice.created_at.desc(), Notice.id).limit(limit)))
