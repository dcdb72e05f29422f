"""The e-mail outbox (SPEC §7): mail is queued in the same transaction as the change causing it.

`enqueue` writes one row with a unique key, so the same message is never queued twice; the
sender in core/mailer.py (delivery by SMTP or as .eml files, retries, back-off) works from this
table; staff see it and retry failed mail through `list_outbox` and `retry`.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from core import audit
from core.db import utcnow
from core.errors import NotFound, ValidationError
from core.paging import DEFAULT_PAGE_SIZE, Page, blank_missing_text, fetch, like_pattern
from core.schema import outbox
from core.scope import require_staff


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


STATUSES = ("pending", "sent", "failed")


def list_outbox(scope, conn: Connection, *, status: str | None = None, search: str = "",
                page: int = 1, page_size: int = DEFAULT_PAGE_SIZE) -> Page:
    """Staff: one page of queued e-mail, newest first, optionally by status or recipient/subject."""
    require_staff(scope)
    query = sa.select(
        outbox.c.id, outbox.c.created_at, outbox.c.kind, outbox.c.to_addr, outbox.c.subject,
        outbox.c.status, outbox.c.attempts, outbox.c.next_attempt_at, outbox.c.sent_at, outbox.c.last_error,
    )
    if status in STATUSES:
        query = query.where(outbox.c.status == status)
    if search.strip():
        pattern = like_pattern(search)
        query = query.where(sa.or_(sa.func.lower(outbox.c.to_addr).like(pattern, escape="\\"),
                                   sa.func.lower(outbox.c.subject).like(pattern, escape="\\")))
    query = query.order_by(outbox.c.created_at.desc(), outbox.c.id.desc())
    return blank_missing_text(fetch(conn, query, page=page, page_size=page_size), ["last_error"])


def status_counts(scope, conn: Connection) -> dict[str, int]:
    """Staff: how many e-mails are pending, sent and failed."""
    require_staff(scope)
    rows = conn.execute(sa.select(outbox.c.status, sa.func.count()).group_by(outbox.c.status)).all()
    counts = {s: 0 for s in STATUSES}
    counts.update({status: n for status, n in rows})
    return counts


def retry(scope, conn: Connection, outbox_id: int) -> None:
    """Staff: send a failed e-mail again from scratch (fresh attempts, due now)."""
    require_staff(scope)
    row = conn.execute(sa.select(outbox.c.to_addr, outbox.c.status, outbox.c.kind)
                       .where(outbox.c.id == outbox_id)).first()
    if row is None:
        raise NotFound("No such e-mail in the outbox.")
    if row.status != "failed":
        raise ValidationError({"E-mail": "only a failed e-mail can be retried"})
    conn.execute(outbox.update().where(outbox.c.id == outbox_id, outbox.c.status == "failed").values(
        status="pending", attempts=0, next_attempt_at=utcnow(), last_error=None))
    audit.record_for(conn, scope, "email_retried", target=row.to_addr, details={"outbox_id": outbox_id, "kind": row.kind})
