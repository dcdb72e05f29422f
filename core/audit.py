"""The audit log: who did what and when (SPEC §3 item 9)."""
from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from core.csvexport import to_csv_bytes
from core.db import read_frame, utcnow
from core.paging import DEFAULT_PAGE_SIZE, Page, blank_missing_text, fetch, like_pattern
from core.schema import audit_log, clients
from core.scope import require_staff


def record(
    conn: Connection,
    action: str,
    *,
    actor_id: int | None = None,
    actor_email: str | None = None,
    client_id: int | None = None,
    target: str | None = None,
    details: dict | str | None = None,
) -> None:
    """Write one audit entry inside the caller's transaction."""
    if isinstance(details, dict):
        details = json.dumps(details, default=str, sort_keys=True)
    conn.execute(
        audit_log.insert().values(
            occurred_at=utcnow(), actor_id=actor_id, actor_email=actor_email, action=action,
            client_id=client_id, target=target, details=details,
        )
    )


def record_for(conn: Connection, scope, action: str, **kwargs) -> None:
    """Write an audit entry whose actor is the given scope's account."""
    record(conn, action, actor_id=scope.account_id, actor_email=scope.email, **kwargs)


_SORT = (audit_log.c.occurred_at.desc(), audit_log.c.id.desc())
EXPORT_LIMIT = 100_000


def _filtered(*, action: str | None = None, actor: str = "", client: str = "", client_id: int | None = None,
              since: dt.date | None = None, until: dt.date | None = None, search: str = "") -> sa.Select:
    query = (
        sa.select(audit_log.c.id, audit_log.c.occurred_at, audit_log.c.actor_email, audit_log.c.action,
                  clients.c.name.label("client"), audit_log.c.target, audit_log.c.details)
        .select_from(audit_log.outerjoin(clients, clients.c.id == audit_log.c.client_id))
    )
    if action:
        query = query.where(audit_log.c.action == action)
    if actor.strip():
        query = query.where(sa.func.lower(audit_log.c.actor_email).like(like_pattern(actor), escape="\\"))
    if client_id is not None:
        query = query.where(audit_log.c.client_id == client_id)
    if client.strip():
        pattern = like_pattern(client)
        query = query.where(sa.or_(sa.func.lower(clients.c.name).like(pattern, escape="\\"),
                                   sa.func.lower(clients.c.ref).like(pattern, escape="\\")))
    if since is not None:
        query = query.where(audit_log.c.occurred_at >= dt.datetime.combine(since, dt.time()))
    if until is not None:
        query = query.where(audit_log.c.occurred_at < dt.datetime.combine(until + dt.timedelta(days=1), dt.time()))
    if search.strip():
        pattern = like_pattern(search)
        query = query.where(sa.or_(sa.func.lower(audit_log.c.target).like(pattern, escape="\\"),
                                   sa.func.lower(audit_log.c.details).like(pattern, escape="\\")))
    return query.order_by(*_SORT)


def list_entries(scope, conn: Connection, *, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE, **filters) -> Page:
    """Staff: one page of audit entries, newest first, filtered by action, actor, client, dates, text."""
    require_staff(scope)
    result = fetch(conn, _filtered(**filters), page=page, page_size=page_size)
    return blank_missing_text(result, ["actor_email", "client", "target", "details"])


def actions(scope, conn: Connection) -> list[str]:
    """Staff: the actions that occur in the log (for the filter)."""
    require_staff(scope)
    return [r[0] for r in conn.execute(sa.select(audit_log.c.action).distinct().order_by(audit_log.c.action))]


def entries_csv(scope, conn: Connection, **filters) -> bytes:
    """Staff: the filtered entries as Excel-safe CSV bytes (newest first, at most EXPORT_LIMIT rows)."""
    require_staff(scope)
    frame = read_frame(conn, _filtered(**filters).limit(EXPORT_LIMIT))
    frame = frame.drop(columns=["id"]).rename(columns={
        "occurred_at": "When (UTC)", "actor_email": "Who", "action": "Action", "client": "Client",
        "target": "Target", "details": "Details"})
    return to_csv_bytes(frame)
