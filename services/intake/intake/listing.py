"""Keyset pages in a chosen order: stable under inserts, no OFFSET."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from sqlalchemy import and_, or_
from sqlalchemy.orm import Session

from tiepdan_common.errors import field_error
from tiepdan_common.schemas import decode_cursor, encode_cursor


@dataclasses.dataclass(frozen=True)
class SortKey:
    """A sortable column: its SQL expression, how to read it from a row, how to parse it from a cursor."""

    expression: object
    read: Callable
    parse: Callable[[str], object]
    dump: Callable[[object], str] = str


def page(
    *, db_session: Session, stmt, sort: str, keys: dict[str, SortKey], id_column, cursor: str | None, limit: int
) -> tuple[list, str | None]:
    """Rows of ``stmt`` ordered by ``sort`` (``-`` for descending) then id, after ``cursor``."""
    name = sort.lstrip("-")
    descending = sort.startswith("-")
    key = keys[name]
    expr = key.expression
    if cursor:
        try:
            cursor_sort, value, last_id = decode_cursor(cursor)
            if cursor_sort != sort:
                raise ValueError("cursor of another order")
            value = key.parse(value)
        except (ValueError, TypeError) as exc:
            raise field_error("cursor", "not a valid cursor for this sort order") from exc
        if descending:
            stmt = stmt.where(or_(expr < value, and_(expr == value, id_column < last_id)))
        else:
            stmt = stmt.where(or_(expr > value, and_(expr == value, id_column > last_id)))
    order = (expr.desc(), id_column.desc()) if descending else (expr.asc(), id_column.asc())
    rows = list(db_session.scalars(stmt.order_by(*order).limit(limit + 1)))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_cursor([sort, key.dump(key.read(last)), last.id])
    return rows, next_cursor


def sort_choices(keys: dict[str, SortKey]) -> list[str]:
    """Every accepted value of a ``sort`` parameter."""
    return [f"{prefix}{name}" for name in keys for prefix in ("-", "")]
