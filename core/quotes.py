"""Quotes as a member downloads them: only those of the client's completed jobs (SPEC §3)."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from core.errors import NotFound, RightMissing
from core.jobs import HIDDEN_QUOTE_STATUSES, may_download_documents, require_document_access
from core.rights import RIGHTS
from core.lines import lines_of
from core.schema import clients, jobs, quotes
from core.scope import MemberScope


def get_quote(scope: MemberScope, conn: Connection, quote_id: int) -> dict:
    """One quote of a completed job of the client, with its lines, for its PDF."""
    if not may_download_documents(scope):
        raise RightMissing(RIGHTS["completed_jobs"])
    row = conn.execute(
        sa.select(quotes, jobs.c.ref.label("job_ref"), clients.c.name.label("client_name"),
                  clients.c.address.label("client_address"), clients.c.ref.label("client_ref"))
        .select_from(quotes.join(clients, clients.c.id == quotes.c.client_id)
                     .outerjoin(jobs, sa.and_(jobs.c.id == quotes.c.job_id, jobs.c.client_id == scope.client_id)))
        .where(quotes.c.id == int(quote_id), quotes.c.client_id == scope.client_id,
               quotes.c.status.not_in(HIDDEN_QUOTE_STATUSES))
    ).mappings().first()
    if row is None:
        raise NotFound("No such quote.")
    require_document_access(scope, conn, row["job_id"])
    quote = dict(row)
    quote["lines"] = lines_of(scope, conn, "quotes", quote["id"])
    return quote
