"""The audit log: who did what and when (SPEC §3 item 9)."""
from __future__ import annotations

import json

from sqlalchemy.engine import Connection

from core.db import utcnow
from core.schema import audit_log


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
