"""Server-side paging and allow-listed sorting shared by list functions."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


@dataclass(frozen=True)
class Page:
    """One page of a list: the rows and the total count over all pages."""

    rows: pd.DataFrame
    total: int
    page: int
    page_size: int


def clamp(page: int, page_size: int) -> tuple[int, int]:
    """Sanitise paging arguments (page ≥ 1, 1 ≤ size ≤ MAX_PAGE_SIZE)."""
    return max(1, int(page)), min(max(1, int(page_size)), MAX_PAGE_SIZE)


def order_by(allowed: dict[str, sa.ColumnElement], sort: str | None, default: str, descending: bool):
    """An ORDER BY clause from an allow-list; unknown sort keys fall back to the default."""
    column = allowed.get(sort or default, allowed[default])
    return column.desc() if descending else column.asc()


def like_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with LIKE's wildcards escaped."""
    escaped = text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def fetch(conn, query: sa.Select, *, page: int, page_size: int) -> Page:
    """Run `query` (already filtered and ordered) for one page, plus its total row count.

    A page past the end falls back to the last page, so a narrowed filter never shows nothing.
    """
    from core.db import read_frame

    page, page_size = clamp(page, page_size)
    total = conn.execute(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    last = max(1, -(-total // page_size))
    page = min(page, last)
    rows = read_frame(conn, query.limit(page_size).offset((page - 1) * page_size))
    return Page(rows, total, page, page_size)


def blank_missing_text(page: Page, columns: list[str]) -> Page:
    """The same page with empty text instead of missing values in the given text columns."""
    rows = page.rows.copy()
    for column in columns:
        if column in rows.columns:
            rows[column] = rows[column].astype(object).where(rows[column].notna(), "")
    return Page(rows, page.total, page.page, page.page_size)
