"""Case numbers (``VV-2026-0007``): one counter row per year, taken under its row lock, with no gap."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tiepdan_common.clock import local_date

from .models import CaseCounter


def year_of(moment: dt.datetime) -> int:
    """The year a case opened at ``moment`` is numbered in: Viet Nam's, which turns seven hours before UTC's."""
    return local_date(moment).year


def next_number(*, db_session: Session, year: int) -> str:
    """The next case number of the year, e.g. ``VV-2026-0007``."""
    return _format(year, _take(db_session, year, 1))


def _format(year: int, number: int) -> str:
    return f"VV-{year}-{number:04d}"


def _take(db_session: Session, year: int, count: int) -> int:
    """Move the year's counter on by ``count`` (negative: give numbers back); the last number it gave.

    The counter's row stays locked to the end of the transaction: no other transaction takes a number
    in between, and a rollback gives them all back.
    """
    counter = CaseCounter.__table__
    for _ in range(3):
        # The counter depends on nothing pending: what the caller added is flushed later, together.
        with db_session.no_autoflush:
            last = db_session.execute(
                update(counter)
                .where(counter.c.year == year)
                .values(last=counter.c.last + count)
                .returning(counter.c.last)
            ).scalar()
        if last is not None:
            return last
        try:
            with db_session.begin_nested():
                db_session.add(CaseCounter(year=year, last=0))
        except IntegrityError:
            pass
    raise RuntimeError("could not allocate a case number")


class Numbers:
    """Case numbers of a year taken together, for a batch that will open several cases: one statement.

    :meth:`take` gives them in order; past those taken together, one at a time (:func:`next_number`),
    and for another year too. :meth:`give_back` returns those not used, so that numbers keep no gap.
    """

    def __init__(self, *, db_session: Session, year: int, count: int) -> None:
        self.db_session, self.year = db_session, year
        self._last = _take(db_session, year, count) if count > 0 else 0
        self._next = self._last - count + 1

    def take(self, year: int) -> str:
        if year != self.year or self._next > self._last:
            return next_number(db_session=self.db_session, year=year)
        self._next += 1
        return _format(year, self._next - 1)

    def give_back(self) -> None:
        unused = self._last - self._next + 1
        if unused > 0:
            _take(self.db_session, self.year, -unused)
            self._last = self._next - 1
