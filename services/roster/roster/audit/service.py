"""Writing and reading the audit trail."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import AuditEntry


def record(
    *, db_session: Session, at: dt.datetime, actor: str, action: str, entity: str, entity_id, detail: dict | None = None
) -> AuditEntry:
    """Add one audit row to the session (committed with the change it records)."""
    entry = AuditEntry(
        at=at,
        actor=actor,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        detail=json.dumps(detail or {}, ensure_ascii=False, default=str),
    )
    db_session.add(entry)
    return entry


def entries(
    *,
    db_session: Session,
    entity: str | None = None,
    entity_id: str | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> list[AuditEntry]:
    """The newest audit rows first, optionally of one entity, keyset-paged by id."""
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if entity:
        stmt = stmt.where(AuditEntry.entity == entity)
    if entity_id:
        stmt = stmt.where(AuditEntry.entity_id == entity_id)
    if before_id:
        stmt = stmt.where(AuditEntry.id < before_id)
    return list(db_session.scalars(stmt))
