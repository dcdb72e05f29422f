"""WHERE-clause builders shared by the member lists: date ranges and free text."""
from __future__ import annotations

import datetime as dt
from typing import Sequence

import sqlalchemy as sa

from core.paging import like_pattern


def date_between(column: sa.ColumnElement, date_from: dt.date | None, date_to: dt.date | None) -> sa.ColumnElement:
    """`column` (a DATE or TIMESTAMP) on or after `date_from` and on or before `date_to`, both optional.

    Compares with half-open timestamp bounds so that a timestamp on `date_to` counts, on both
    DuckDB and PostgreSQL, without casting the column (which would bypass its index).
    """
    parts = []
    is_date = isinstance(column.type, sa.Date) and not isinstance(column.type, sa.DateTime)
    if date_from is not None:
        start = date_from if is_date else dt.datetime.combine(date_from, dt.time())
        parts.append(column >= start)
    if date_to is not None:
        if is_date:
            parts.append(column <= date_to)
        else:
            parts.append(column < dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time()))
    return sa.and_(sa.true(), *parts)


def text_search(columns: Sequence[sa.ColumnElement], search: str | None) -> sa.ColumnElement:
    """Any of `columns` contains `search` (case-insensitive, LIKE wildcards taken literally)."""
    if not search or not search.strip():
        return sa.true()
    pattern = like_pattern(search)
    return sa.or_(*(sa.func.lower(c).like(pattern, escape="\\") for c in columns))
