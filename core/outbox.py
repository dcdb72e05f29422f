"""The e-mail outbox (SPEC §7): mail is queued in the same transaction as the change causing it.

`enqueue` writes one row with a unique key, so the same message is never queued twice; the
sender (delivery by SMTP or as .eml files, retries, back-off) works from this table.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from core.db import utcnow


def enqueue(conn: Connection, *, key: str, kind: str, to_addr: str, subject: str, text: str,
            html: str | None = None, to_name: str | None = None) -> bool:
    """Queue one e-mail inside the caller's transaction; False if `key` was queued before."""
    now = utcnow()
    result = conn.execute(
        sa.text("""
            INSERT INTO outbox (id, dedup_key, kind, to_addr, to_name, subject, body_text, body_html,
                                status, attempts, next_attempt_at, created_at)
            VALUES (nextval('outbox_id_seq'), :key, :kind, :to_addr, :to_name, :subject, :text, :html,
                    'pending', 0, :now, :now)
            ON CONFLICT (dedup_key) DO NOTHING"""),
        {"key": key[:200], "kind": kind, "to_addr": to_addr, "to_name": to_name, "subject": subject,
         "text": text, "html": html, "now": now},
    )
    return result.rowcount == 1
