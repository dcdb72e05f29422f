"""Clients as staff see them: search and page through them, open one."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from core.errors import NotFound
from core.paging import DEFAULT_PAGE_SIZE, Page, fetch, like_pattern, order_by
from core.schema import accounts, clients
from core.scope import StaffScope, require_staff

_SORTS = {"name": clients.c.name, "ref": clients.c.ref}


def list_clients(scope: StaffScope, conn: Connection, *, search: str = "", sort: str = "name",
                 descending: bool = False, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE) -> Page:
    """One page of clients with their number of portal members, filtered by name or ref."""
    require_staff(scope)
    where = sa.true()
    if search.strip():
        pattern = like_pattern(search)
        where = sa.or_(sa.func.lower(clients.c.name).like(pattern, escape="\\"),
                       sa.func.lower(clients.c.ref).like(pattern, escape="\\"))
    members = (
        sa.select(accounts.c.client_id, sa.func.count().label("members"))
        .where(accounts.c.role == "member").group_by(accounts.c.client_id).subquery()
    )
    query = (
        sa.select(clients.c.id, clients.c.ref, clients.c.name, clients.c.email, clients.c.phone,
                  sa.func.coalesce(members.c.members, 0).label("members"))
        .select_from(clients.outerjoin(members, members.c.client_id == clients.c.id))
        .where(where)
        .order_by(order_by(_SORTS, sort, "name", descending), clients.c.id)
    )
    return fetch(conn, query, page=page, page_size=page_size)


def get_client(scope: StaffScope, conn: Connection, client_id: int) -> dict:
    """One client's details, for staff."""
    require_staff(scope)
    row = conn.execute(sa.select(clients).where(clients.c.id == client_id)).mappings().first()
    if row is None:
        raise NotFound("No such client.")
    return dict(row)


def client_choices(scope: StaffScope, conn: Connection, *, active_only: bool = False) -> list[tuple[int, str]]:
    """Staff: every client as (id, "name (ref)"), by name, for a searchable select."""
    require_staff(scope)
    query = sa.select(clients.c.id, clients.c.name, clients.c.ref).order_by(clients.c.name, clients.c.id)
    if active_only:
        query = query.where(clients.c.active)
    return [(r.id, f"{r.name} ({r.ref})") for r in conn.execute(query)]
