"""Write views as one unit of work, optionally replayable with an ``Idempotency-Key``.

``@transactional(IdempotencyRecord)`` commits the view's changes, its outbox
events and the stored answer together. A retry with the same key and body gets
the first answer back; the same key with another body is refused (422). Two
concurrent requests with one key cannot both commit: the loser replays the
winner's answer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import cache, wraps
from types import SimpleNamespace
from typing import ParamSpec, TypeVar, cast

from flask import Response, request
from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Session

from .errors import Problem
from .models import utcnow
from .web import current_identity, db_session

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
_KEPT_HEADERS = ("Location", "Content-Type")

P = ParamSpec("P")
R = TypeVar("R")


def _request_hash() -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(request.path.encode())
    digest.update(b"\0")
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _replay(record: Row) -> Response:
    headers = json.loads(record.response_headers or "{}")
    response = Response(record.response_body, status=record.status_code, headers=headers)
    response.headers[REPLAYED_HEADER] = "true"
    return response


def transactional(
    idempotency_model: type[DeclarativeBase] | None = None,  # a mapped class with IdempotencyMixin
) -> Callable[[Callable[P, R]], Callable[P, R | Response]]:
    """Commit the view's session when it succeeds; with a model, honour ``Idempotency-Key``."""

    def decorator(view: Callable[P, R]) -> Callable[P, R | Response]:
        @wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | Response:
            session = db_session()
            key = request.headers.get(HEADER) if idempotency_model is not None else None
            if key is not None and idempotency_model is not None:
                key = key.strip()
                if not key or len(key) > 200:
                    raise Problem(
                        400,
                        "Idempotency-Key must be 1 to 200 characters.",
                        code="invalid_idempotency_key",
                        errors=[{"field": HEADER, "message": "must be 1 to 200 characters"}],
                    )
                caller = current_identity().subject
                found = _find(session, idempotency_model, caller, key)
                if found is not None:
                    return _check_and_replay(found)
            try:
                response = view(*args, **kwargs)
            except BaseException:
                session.rollback()
                raise
            if not isinstance(response, Response) or response.status_code >= 400:
                session.rollback()
                return response
            try:
                if key is not None and idempotency_model is not None:
                    # A plain INSERT: nothing reads the row back. A concurrent request with the same key
                    # fails here (or at the commit) and replays the winner's answer below.
                    session.execute(
                        _statements(idempotency_model).store,
                        {
                            "caller": caller,
                            "key": key,
                            "request_hash": _request_hash(),
                            "status_code": response.status_code,
                            "response_body": response.get_data(as_text=True),
                            "response_headers": json.dumps(
                                {h: response.headers[h] for h in _KEPT_HEADERS if h in response.headers}
                            ),
                            "created_at": utcnow(),
                        },
                    )
                session.commit()
            except IntegrityError:
                session.rollback()
                if key is None or idempotency_model is None:
                    raise
                found = _find(session, idempotency_model, caller, key)
                if found is None:
                    raise
                return _check_and_replay(found)
            return response

        return wrapper

    return decorator


@cache
def _statements(model: type[DeclarativeBase]) -> SimpleNamespace:
    """The lookup of a stored answer and the insert of one, built once per model: a statement built per
    request costs SQLAlchemy its cache key (each value a new bound parameter) on every write."""
    table = cast(Table, model.__table__)  # declarative mapping of one table, typed as any FromClause
    find = select(table.c.request_hash, table.c.status_code, table.c.response_body, table.c.response_headers).where(
        table.c.caller == bindparam("caller"), table.c.key == bindparam("key")
    )
    return SimpleNamespace(find=find, store=insert(table))


def _find(session: Session, model: type[DeclarativeBase], caller: str, key: str) -> Row | None:
    """The stored answer's columns (a row, not an object: the ORM would add nothing to a lookup)."""
    return session.execute(_statements(model).find, {"caller": caller, "key": key}).first()


def _check_and_replay(record: Row) -> Response:
    if record.request_hash != _request_hash():
        raise Problem(
            422,
            "This Idempotency-Key was already used with a different request.",
            code="idempotency_key_reused",
            errors=[{"field": HEADER, "message": "already used with a different request"}],
        )
    return _replay(record)
