"""Jobs as a member sees them: completed jobs, job status (with CSV export), a job's documents.

Every function takes the member's scope first, checks the right, and filters on
`jobs.client_id = scope.client_id` in its SQL. A job's documents (workflow forms, quotes,
invoices, asset service records) are downloadable only once the job is completed.
"""
from __future__ import annotations

import datetime as dt
from typing import Iterable

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from core.csvexport import to_csv_bytes
from core.db import read_frame
from core.errors import NotFound, PortalError, RightMissing, ValidationError
from core.filters import date_between, text_search
from core.formatting import label
from core.paging import DEFAULT_PAGE_SIZE, Page, fetch, order_by
from core.rights import RIGHTS
from core.schema import JOB_STATUSES, asset_services, invoices, jobs, quotes, sites, workflow_forms
from core.scope import MemberScope, require_member

# The statuses a member can filter on, in the order the business works through them.
STATUS_CHOICES = JOB_STATUSES
OPEN_STATUSES = ("unassigned", "assigned", "in_progress", "pending")
# Rights that let a member download a completed job's documents (SPEC §3).
DOCUMENT_RIGHTS = ("completed_jobs", "job_status")
# Quotes still being written are the business's own: never shown to the client.
HIDDEN_QUOTE_STATUSES = ("draft",)

_SORTS = {
    "created": jobs.c.created_at, "ref": jobs.c.ref, "title": jobs.c.title, "status": jobs.c.status,
    "site": sites.c.name, "scheduled": jobs.c.scheduled_for, "completed": jobs.c.completed_at,
}
SORT_CHOICES = tuple(_SORTS)


class JobNotCompleted(PortalError):
    """A job's documents were asked for before the job was completed."""

    def __init__(self, ref: str):
        super().__init__(f"The documents of job {ref} can be downloaded once the job is completed.")
        self.ref = ref


def _statuses(status: str | Iterable[str] | None) -> tuple[str, ...]:
    if status is None or status == "" or status == ():
        return ()
    chosen = (status,) if isinstance(status, str) else tuple(status)
    unknown = [s for s in chosen if s not in JOB_STATUSES]
    if unknown:
        raise ValidationError({"Status": f"unknown status {unknown[0]!r}"})
    return chosen


def _site_filter(site_id: int | None) -> sa.ColumnElement:
    return sa.true() if site_id is None else jobs.c.site_id == int(site_id)


def _base(scope: MemberScope) -> sa.Select:
    return (
        sa.select(jobs.c.id, jobs.c.ref, jobs.c.title, sites.c.name.label("site"), jobs.c.status,
                  jobs.c.technician, jobs.c.scheduled_for, jobs.c.completed_at, jobs.c.created_at)
        .select_from(jobs.join(sites, sites.c.id == jobs.c.site_id))
        .where(jobs.c.client_id == scope.client_id, sites.c.client_id == scope.client_id)
    )


def list_completed(scope: MemberScope, conn: Connection, *, site_id: int | None = None,
                   date_from: dt.date | None = None, date_to: dt.date | None = None, search: str = "",
                   page: int = 1, page_size: int = DEFAULT_PAGE_SIZE) -> Page:
    """One page of the client's completed jobs, newest first (date range on completion)."""
    require_member(scope, "completed_jobs")
    query = (
        _base(scope)
        .where(jobs.c.status == "completed", _site_filter(site_id),
               date_between(jobs.c.completed_at, date_from, date_to),
               text_search([jobs.c.ref, jobs.c.title], search))
        .order_by(jobs.c.completed_at.desc().nulls_last(), jobs.c.id.desc())
    )
    return fetch(conn, query, page=page, page_size=page_size)


def _status_query(scope: MemberScope, *, status=None, site_id=None, date_from=None, date_to=None,
                  search: str = "", sort: str = "created", descending: bool = True) -> sa.Select:
    chosen = _statuses(status)
    return (
        _base(scope)
        .where(jobs.c.status.in_(chosen) if chosen else sa.true(), _site_filter(site_id),
               date_between(jobs.c.created_at, date_from, date_to),
               text_search([jobs.c.ref, jobs.c.title], search))
        .order_by(order_by(_SORTS, sort, "created", descending), jobs.c.id.desc() if descending else jobs.c.id)
    )


def list_jobs(scope: MemberScope, conn: Connection, *, status: str | Iterable[str] | None = None,
              site_id: int | None = None, date_from: dt.date | None = None, date_to: dt.date | None = None,
              search: str = "", sort: str = "created", descending: bool = True, page: int = 1,
              page_size: int = DEFAULT_PAGE_SIZE) -> Page:
    """One page of all the client's jobs with status/site/date (created)/text filters and sorting."""
    require_member(scope, "job_status")
    query = _status_query(scope, status=status, site_id=site_id, date_from=date_from, date_to=date_to,
                          search=search, sort=sort, descending=descending)
    return fetch(conn, query, page=page, page_size=page_size)


CSV_COLUMNS = {
    "ref": "Ref", "title": "Title", "site": "Site", "status": "Status", "technician": "Technician",
    "scheduled_for": "Scheduled for", "completed_at": "Completed at", "created_at": "Created",
}


def job_status_csv(scope: MemberScope, conn: Connection, *, status: str | Iterable[str] | None = None,
                   site_id: int | None = None, date_from: dt.date | None = None, date_to: dt.date | None = None,
                   search: str = "", sort: str = "created", descending: bool = True) -> bytes:
    """The filtered job list, all pages, in the list's order, as Excel-safe CSV bytes."""
    require_member(scope, "job_status")
    query = _status_query(scope, status=status, site_id=site_id, date_from=date_from, date_to=date_to,
                          search=search, sort=sort, descending=descending)
    frame = read_frame(conn, query)
    frame["status"] = [label(s) for s in frame["status"]]
    return to_csv_bytes(frame[list(CSV_COLUMNS)].rename(columns=CSV_COLUMNS))


def status_counts(scope: MemberScope, conn: Connection) -> pd.DataFrame:
    """Number of the client's jobs per status (every status, zeros included)."""
    require_member(scope, "job_status")
    rows = dict(conn.execute(
        sa.select(jobs.c.status, sa.func.count()).where(jobs.c.client_id == scope.client_id)
        .group_by(jobs.c.status)
    ).all())
    return pd.DataFrame({"status": list(JOB_STATUSES), "jobs": [int(rows.get(s, 0)) for s in JOB_STATUSES]})


def completed_count(scope: MemberScope, conn: Connection, *, date_from: dt.date | None = None,
                    date_to: dt.date | None = None) -> int:
    """How many of the client's jobs were completed in the date range."""
    require_member(scope, "completed_jobs")
    return int(conn.execute(
        sa.select(sa.func.count()).select_from(jobs)
        .where(jobs.c.client_id == scope.client_id, jobs.c.status == "completed",
               date_between(jobs.c.completed_at, date_from, date_to))
    ).scalar_one())


def may_download_documents(scope: object) -> bool:
    """True when the member holds a right that covers completed jobs' documents."""
    return isinstance(scope, MemberScope) and any(r in scope.rights for r in DOCUMENT_RIGHTS)


def require_document_access(scope: MemberScope, conn: Connection, job_id: int | None, *,
                            own_right: str | None = None) -> None:
    """Allow a document of `job_id` (already fetched for this client) or raise.

    A member with `own_right` (e.g. *View invoices* for an invoice) may open it whatever its job;
    otherwise the document must belong to a completed job of the member's client and the member
    must hold *View completed jobs* or *View job status*.
    """
    if own_right is not None and isinstance(scope, MemberScope) and own_right in scope.rights:
        return
    if not may_download_documents(scope):
        raise RightMissing(RIGHTS[own_right or "completed_jobs"])
    if job_id is None:
        raise NotFound("No such document.")
    _completed_job(scope, conn, job_id)


def _completed_job(scope: MemberScope, conn: Connection, job_id: int) -> dict:
    row = conn.execute(
        sa.select(jobs.c.id, jobs.c.ref, jobs.c.title, jobs.c.status, jobs.c.completed_at, sites.c.name.label("site"))
        .select_from(jobs.outerjoin(sites, sa.and_(sites.c.id == jobs.c.site_id,
                                                   sites.c.client_id == scope.client_id)))
        .where(jobs.c.id == int(job_id), jobs.c.client_id == scope.client_id)
    ).mappings().first()
    if row is None:
        raise NotFound("No such job.")
    if row["status"] != "completed":
        raise JobNotCompleted(row["ref"])
    return dict(row)


def completed_job(scope: MemberScope, conn: Connection, job_id: int) -> dict:
    """A completed job of the client (ref, title, site), for its documents; refuses open jobs."""
    if not may_download_documents(scope):
        raise RightMissing(RIGHTS["completed_jobs"])
    return _completed_job(scope, conn, job_id)


DOCUMENT_KINDS = ("Workflow form", "Quote", "Invoice", "Asset service record")


def job_documents(scope: MemberScope, conn: Connection, job_id: int) -> pd.DataFrame:
    """The downloadable documents of one completed job: kind, id, ref, name, date.

    Refuses (JobNotCompleted) for a job that is not completed, and NotFound for another client's job.
    """
    job = completed_job(scope, conn, job_id)
    cid, jid = scope.client_id, job["id"]
    parts = [
        sa.select(sa.literal("Workflow form").label("kind"), workflow_forms.c.id, workflow_forms.c.ref,
                  workflow_forms.c.name.label("name"), sa.cast(workflow_forms.c.completed_at, sa.Date).label("dated"))
        .where(workflow_forms.c.client_id == cid, workflow_forms.c.job_id == jid),
        sa.select(sa.literal("Quote").label("kind"), quotes.c.id, quotes.c.ref, quotes.c.title.label("name"),
                  quotes.c.issued_on.label("dated"))
        .where(quotes.c.client_id == cid, quotes.c.job_id == jid, quotes.c.status.not_in(HIDDEN_QUOTE_STATUSES)),
        sa.select(sa.literal("Invoice").label("kind"), invoices.c.id, invoices.c.ref,
                  sa.literal("Invoice").label("name"), invoices.c.issued_on.label("dated"))
        .where(invoices.c.client_id == cid, invoices.c.job_id == jid),
        sa.select(sa.literal("Asset service record").label("kind"), asset_services.c.id, asset_services.c.ref,
                  asset_services.c.service_type.label("name"), asset_services.c.completed_on.label("dated"))
        .where(asset_services.c.client_id == cid, asset_services.c.job_id == jid,
               asset_services.c.completed_on.is_not(None)),
    ]
    frame = read_frame(conn, sa.union_all(*parts))
    frame["order"] = frame["kind"].map({k: i for i, k in enumerate(DOCUMENT_KINDS)})
    return frame.sort_values(["order", "ref"]).drop(columns="order").reset_index(drop=True)
