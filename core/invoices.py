"""Invoices as a member sees them (*View invoices*): Due, Overdue, Paid, totals, ageing.

The status is derived, never stored (SPEC §2), and computed in SQL relative to a given `today`
(default `core.db.today()`), so that filtering by status pages on the server:
Paid when amount_paid >= total; otherwise Overdue when due_on < today; otherwise Due.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from core import db
from core.errors import NotFound, RightMissing, ValidationError
from core.filters import date_between, text_search
from core.jobs import DOCUMENT_RIGHTS, require_document_access
from core.paging import DEFAULT_PAGE_SIZE, Page, fetch, order_by
from core.rights import RIGHTS
from core.lines import lines_of
from core.schema import clients, invoices, jobs
from core.scope import MemberScope, require_member

STATUSES = ("due", "overdue", "paid")
STATUS_LABELS = {"due": "Due", "overdue": "Overdue", "paid": "Paid"}
AGEING_BUCKETS = ("Not yet due", "1–30 days", "31–60 days", "61–90 days", "Over 90 days")


def status_expr(today: dt.date) -> sa.ColumnElement:
    """The derived status of an invoice row as SQL: 'paid', 'overdue' or 'due'."""
    return sa.case(
        (invoices.c.amount_paid >= invoices.c.total, "paid"),
        (invoices.c.due_on < today, "overdue"),
        else_="due",
    )


def _outstanding() -> sa.ColumnElement:
    return sa.case((invoices.c.amount_paid >= invoices.c.total, sa.literal(0, invoices.c.total.type)),
                   else_=invoices.c.total - invoices.c.amount_paid)


_SORTS = {
    "issued": invoices.c.issued_on, "due": invoices.c.due_on, "ref": invoices.c.ref, "total": invoices.c.total,
}
SORT_CHOICES = tuple(_SORTS)


def _check_status(status: str | None) -> str | None:
    if status in (None, ""):
        return None
    if status not in STATUSES:
        raise ValidationError({"Status": f"unknown status {status!r}"})
    return status


def _filters(scope: MemberScope, *, date_from, date_to, search) -> list[sa.ColumnElement]:
    return [
        invoices.c.client_id == scope.client_id,
        date_between(invoices.c.issued_on, date_from, date_to),
        text_search([invoices.c.ref, jobs.c.ref], search),
    ]


def _from(scope: MemberScope):
    return invoices.outerjoin(jobs, sa.and_(jobs.c.id == invoices.c.job_id, jobs.c.client_id == scope.client_id))


def list_invoices(scope: MemberScope, conn: Connection, *, status: str | None = None,
                  date_from: dt.date | None = None, date_to: dt.date | None = None, search: str = "",
                  sort: str = "issued", descending: bool = True, page: int = 1,
                  page_size: int = DEFAULT_PAGE_SIZE, today: dt.date | None = None) -> Page:
    """One page of the client's invoices with derived status; filters on status, issue date, ref."""
    require_member(scope, "invoices")
    status = _check_status(status)
    today = today or db.today()
    derived = status_expr(today)
    query = (
        sa.select(invoices.c.id, invoices.c.ref, jobs.c.ref.label("job_ref"), invoices.c.issued_on,
                  invoices.c.due_on, invoices.c.total, invoices.c.amount_paid, _outstanding().label("outstanding"),
                  invoices.c.paid_on, derived.label("status"))
        .select_from(_from(scope))
        .where(*_filters(scope, date_from=date_from, date_to=date_to, search=search),
               sa.true() if status is None else derived == status)
        .order_by(order_by(_SORTS, sort, "issued", descending), invoices.c.id.desc() if descending else invoices.c.id)
    )
    return fetch(conn, query, page=page, page_size=page_size)


def totals(scope: MemberScope, conn: Connection, *, date_from: dt.date | None = None,
           date_to: dt.date | None = None, search: str = "", today: dt.date | None = None) -> pd.DataFrame:
    """Per status (Due, Overdue, Paid; zeros included): count, invoiced total and outstanding."""
    require_member(scope, "invoices")
    today = today or db.today()
    derived = status_expr(today).label("status")
    inner = (
        sa.select(derived, invoices.c.total, _outstanding().label("outstanding"))
        .select_from(_from(scope))
        .where(*_filters(scope, date_from=date_from, date_to=date_to, search=search))
        .subquery()
    )
    rows = {r.status: r for r in conn.execute(
        sa.select(inner.c.status, sa.func.count().label("invoices"), sa.func.sum(inner.c.total).label("total"),
                  sa.func.sum(inner.c.outstanding).label("outstanding"))
        .group_by(inner.c.status)
    )}
    zero = Decimal("0.00")
    return pd.DataFrame({
        "status": list(STATUSES),
        "invoices": [int(rows[s].invoices) if s in rows else 0 for s in STATUSES],
        "total": [Decimal(rows[s].total or 0) if s in rows else zero for s in STATUSES],
        "outstanding": [Decimal(rows[s].outstanding or 0) if s in rows else zero for s in STATUSES],
    })


def ageing(scope: MemberScope, conn: Connection, *, today: dt.date | None = None) -> pd.DataFrame:
    """Outstanding amounts of unpaid invoices by how long they are overdue (every bucket)."""
    require_member(scope, "invoices")
    today = today or db.today()
    days = dt.timedelta
    bucket = sa.case(
        (invoices.c.due_on >= today, AGEING_BUCKETS[0]),
        (invoices.c.due_on >= today - days(30), AGEING_BUCKETS[1]),
        (invoices.c.due_on >= today - days(60), AGEING_BUCKETS[2]),
        (invoices.c.due_on >= today - days(90), AGEING_BUCKETS[3]),
        else_=AGEING_BUCKETS[4],
    ).label("bucket")
    inner = (
        sa.select(bucket, (invoices.c.total - invoices.c.amount_paid).label("outstanding"))
        .where(invoices.c.client_id == scope.client_id, invoices.c.amount_paid < invoices.c.total)
        .subquery()
    )
    rows = {r.bucket: r for r in conn.execute(
        sa.select(inner.c.bucket, sa.func.count().label("invoices"), sa.func.sum(inner.c.outstanding).label("outstanding"))
        .group_by(inner.c.bucket)
    )}
    return pd.DataFrame({
        "bucket": list(AGEING_BUCKETS),
        "invoices": [int(rows[b].invoices) if b in rows else 0 for b in AGEING_BUCKETS],
        "outstanding": [Decimal(rows[b].outstanding or 0) if b in rows else Decimal("0.00") for b in AGEING_BUCKETS],
    })


def get_invoice(scope: MemberScope, conn: Connection, invoice_id: int, *, today: dt.date | None = None) -> dict:
    """One invoice of the client with its lines, for its PDF.

    Open to *View invoices*; an invoice of a completed job is also open to *View completed jobs*
    and *View job status* (SPEC §3). Another client's invoice is NotFound.
    """
    if not isinstance(scope, MemberScope) or not scope.rights & {"invoices", *DOCUMENT_RIGHTS}:
        raise RightMissing(RIGHTS["invoices"])
    today = today or db.today()
    row = conn.execute(
        sa.select(invoices, jobs.c.ref.label("job_ref"), jobs.c.title.label("job_title"),
                  clients.c.name.label("client_name"), clients.c.address.label("client_address"),
                  clients.c.ref.label("client_ref"), status_expr(today).label("status"))
        .select_from(_from(scope).join(clients, clients.c.id == invoices.c.client_id))
        .where(invoices.c.id == int(invoice_id), invoices.c.client_id == scope.client_id)
    ).mappings().first()
    if row is None:
        raise NotFound("No such invoice.")
    require_document_access(scope, conn, row["job_id"], own_right="invoices")
    invoice = dict(row)
    invoice["lines"] = lines_of(scope, conn, "invoices", invoice["id"])
    return invoice
