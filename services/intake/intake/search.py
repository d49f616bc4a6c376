"""The search condition of the registers: the folded phrase as a substring, led by its rarest word.

On PostgreSQL the folded search text has a trigram GIN index (migration 0004). A LIKE on the
whole phrase hands the index every trigram of every word; the index then takes the rarest
trigram's rows as candidates and, for each, steps through the posting trees of the common
trigrams ("ho so" is in nearly every dossier). A search for "ho so 4242" over a million visits
read some 1,400 index pages that way. Led by one rare word (``LIKE '%4242%'``, nine pages) with
the phrase checked on the rows found, the same search reads a few hundred heap rows instead.

Which word is rarest comes from PostgreSQL's own statistics of the column (its most common values
and histogram, the sample ANALYZE keeps), as the planner itself estimates a LIKE; they are read at
most every few minutes. Without statistics (a new table, SQLite) the phrase alone is the condition.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .text import fold, like_pattern

# pg_trgm takes trigrams from runs of letters and digits; a word inside '%...%' needs three characters for one.
_WORD = re.compile(r"[^\W_]{3,}")
STATS_TTL = 300.0

_STATS = sa.text("""
    SELECT null_frac, most_common_vals::text::text[], most_common_freqs, histogram_bounds::text::text[]
    FROM pg_stats WHERE schemaname = current_schema() AND tablename = :table AND attname = :column
""")


@dataclass(frozen=True)
class ColumnSample:
    """What ANALYZE keeps of a text column: its most common values with their share, and a histogram."""

    null_frac: float
    common: tuple[tuple[str, float], ...]
    histogram: tuple[str, ...]

    def share(self, word: str) -> float:
        """The estimated share of rows containing ``word``, as PostgreSQL estimates a LIKE '%word%'."""
        share = sum(freq for value, freq in self.common if word in value)
        rest = max(0.0, 1.0 - self.null_frac - sum(freq for _value, freq in self.common))
        if self.histogram:
            share += rest * sum(word in value for value in self.histogram) / len(self.histogram)
        return share


# (database, table, column) -> (when to read again, the sample); a stale read by two threads at once does no harm.
_cache: dict[tuple[str, str, str], tuple[float, ColumnSample | None]] = {}


def column_sample(db_session: Session, column) -> ColumnSample | None:
    """The column's statistics, read at most every ``STATS_TTL`` seconds; None where there are none."""
    bind = db_session.get_bind()
    if bind.dialect.name != "postgresql":
        return None
    key = (bind.url.render_as_string(hide_password=True), column.table.name, column.name)
    now = time.monotonic()
    cached = _cache.get(key)
    if cached and cached[0] > now:
        return cached[1]
    row = db_session.execute(_STATS, {"table": column.table.name, "column": column.name}).first()
    sample = None
    if row is not None and (row[1] or row[3]):
        sample = ColumnSample(
            null_frac=row[0] or 0.0, common=tuple(zip(row[1] or (), row[2] or ())), histogram=tuple(row[3] or ())
        )
    _cache[key] = (now + STATS_TTL, sample)
    return sample


def lead_word(phrase: str, sample: ColumnSample | None) -> str | None:
    """The word of ``phrase`` (folded) fewest rows contain, the longest among equals; None without a sample."""
    words = _WORD.findall(phrase)
    if sample is None or not words:
        return None
    return min(words, key=lambda word: (sample.share(word), -len(word)))


def condition(db_session: Session, column, query: str):
    """Rows whose ``column`` (folded text) contains ``query`` folded."""
    phrase = fold(query)
    lead = lead_word(phrase, column_sample(db_session, column))
    if lead is None or lead == phrase:
        return column.like(like_pattern(phrase), escape="\\")
    # strpos is not an operator of the trigram index, so the phrase is checked on the rows the lead word finds.
    return sa.and_(column.like(f"%{lead}%"), sa.func.strpos(column, phrase) > 0)
