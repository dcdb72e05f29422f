"""Work requests: members ask for work at one of their sites; staff accept, decline or convert them.

A request names one of the member's own client's active sites (checked here, whatever the form
sent), keeps the member's notes up to 4,000 characters, and queues one e-mail to each staff
account chosen to receive work requests, in the same transaction as the request itself.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from core import audit, outbox
from core.db import utcnow
from core.errors import NotFound, PortalError, ValidationError
from core.paging import DEFAULT_PAGE_SIZE, Page, fetch, like_pattern
from core.schema import WORK_REQUEST_STATUSES, accounts, clients, jobs, sites, work_requests
from core.scope import MemberScope, StaffScope, require_member, require_staff

SUBJECT_MAX = 200
NOTES_MAX = 4000
REASON_MAX = 2000
JOB_REF_MAX = 64

STATUS_LABELS = {
    "new": "New",
    "accepted": "Accepted",
    "declined": "Declined",
    "converted": "Converted to a job",
}
# Which statuses each staff action may start from.
_ALLOWED_FROM = {
    "accepted": ("new",),
    "declined": ("new", "accepted"),
    "converted": ("new", "accepted"),
}
PREFERENCE_NOTICE = ("The requested date and time are a preference: they are confirmed only when "
                     "the job is scheduled.")


class StatusConflict(PortalError):
    """The request is not in a status the action can start from (someone handled it already)."""


def _too_long(value: str, max_chars: int) -> str | None:
    excess = len(value) - max_chars
    if excess <= 0:
        return None
    return (f"is {excess:,} character{'s' if excess != 1 else ''} too long "
            f"(at most {max_chars:,} characters; now {len(value):,})")


def site_choices(scope: MemberScope, conn: Connection) -> list[tuple[int, str]]:
    """The member's own client's active sites as (id, name), for the Site field."""
    require_member(scope, "work_requests")
    rows = conn.execute(
        sa.select(sites.c.id, sites.c.name, sites.c.address)
        .where(sites.c.client_id == scope.client_id, sites.c.active)
        .order_by(sites.c.name, sites.c.id)
    )
    return [(r.id, f"{r.name} — {r.address}" if r.address else r.name) for r in rows]


def _check(scope: MemberScope, conn: Connection, *, subject: str, site_id, notes: str,
           requested_date, requested_time, now: dt.datetime) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not subject.strip():
        errors["Subject"] = "is required"
    elif problem := _too_long(subject, SUBJECT_MAX):
        errors["Subject"] = problem
    if site_id is None:
        errors["Site"] = "is required"
    else:
        own = conn.execute(
            sa.select(sites.c.id).where(
                sites.c.id == int(site_id), sites.c.client_id == scope.client_id, sites.c.active)
        ).first()
        if own is None:
            errors["Site"] = "is not one of your organisation's active sites"
    if problem := _too_long(notes, NOTES_MAX):
        errors["Notes"] = problem
    if requested_date is None:
        errors["Requested date"] = "is required"
    if requested_time is None:
        errors["Requested time"] = "is required"
    if requested_date is not None and requested_time is not None:
        if dt.datetime.combine(requested_date, requested_time) < now.replace(second=0):
            errors["Requested date"] = "and time are in the past: choose a moment from now on"
    return errors


def submit(scope: MemberScope, conn: Connection, *, subject: str, site_id: int | None, notes: str,
           requested_date: dt.date | None, requested_time: dt.time | None,
           now: dt.datetime | None = None) -> int:
    """Store a member's work request, audit it and queue the staff e-mails; return its id.

    Nothing is stored when any field is refused (ValidationError naming each field).
    """
    require_member(scope, "work_requests")
    now = now or utcnow()
    subject = subject or ""
    notes = notes or ""
    errors = _check(scope, conn, subject=subject, site_id=site_id, notes=notes,
                    requested_date=requested_date, requested_time=requested_time, now=now)
    if errors:
        raise ValidationError(errors)
    requested_for = dt.datetime.combine(requested_date, requested_time.replace(second=0, microsecond=0))
    request_id = conn.execute(
        work_requests.insert().values(
            client_id=scope.client_id, site_id=int(site_id), account_id=scope.account_id,
            submitted_by=scope.email, subject=subject.strip(), notes=notes,
            requested_for=requested_for, status="new", created_at=now,
        ).returning(work_requests.c.id)
    ).scalar_one()
    audit.record_for(conn, scope, "work_request_submitted", client_id=scope.client_id,
                     target=f"work_request:{request_id}", details={"site_id": int(site_id)})
    _queue_staff_mail(conn, scope, request_id)
    return request_id


def _queue_staff_mail(conn: Connection, scope: MemberScope, request_id: int) -> None:
    row = conn.execute(
        sa.select(work_requests, sites.c.name.label("site_name"))
        .select_from(work_requests.join(sites, sites.c.id == work_requests.c.site_id))
        .where(work_requests.c.id == request_id)
    ).mappings().one()
    # Headers must stay on one line whatever the member typed.
    one_line_subject = " ".join(row["subject"].split())
    text = (
        f"{scope.name} ({scope.email}) of {scope.client_name} sent a work request.\n\n"
        f"Subject: {row['subject']}\n"
        f"Site: {row['site_name']}\n"
        f"Requested for: {row['requested_for']:%Y-%m-%d %H:%M} (a preference)\n\n"
        f"Notes:\n{row['notes'] or '(none)'}\n\n"
        "Handle it on the Work requests page of the portal.\n"
    )
    recipients = conn.execute(
        sa.select(accounts.c.id, accounts.c.email, accounts.c.first_name, accounts.c.last_name)
        .where(accounts.c.role == "staff", accounts.c.active, accounts.c.receives_work_requests)
        .order_by(accounts.c.id)
    ).all()  # fetched before enqueueing: one DuckDB cursor at a time
    for staff in recipients:
        outbox.enqueue(
            conn, key=f"work_request:{request_id}:{staff.id}", kind="work_request",
            to_addr=staff.email, to_name=f"{staff.first_name} {staff.last_name}".strip(),
            subject=f"Work request from {scope.client_name}: {one_line_subject}"[:300], text=text,
        )


def _listing(*extra_columns) -> sa.Select:
    return (
        sa.select(
            work_requests.c.id, work_requests.c.created_at, work_requests.c.subject,
            sites.c.name.label("site"), work_requests.c.requested_for, work_requests.c.status,
            work_requests.c.decline_reason, work_requests.c.job_ref, *extra_columns,
        )
        # The site must be the request's own client's: bad data never shows another client's site.
        .select_from(work_requests.join(sites, sa.and_(sites.c.id == work_requests.c.site_id,
                                                       sites.c.client_id == work_requests.c.client_id)))
    )


def _matching(query: sa.Select, search: str) -> sa.Select:
    if not search.strip():
        return query
    pattern = like_pattern(search)
    return query.where(sa.or_(sa.func.lower(work_requests.c.subject).like(pattern, escape="\\"),
                              sa.func.lower(work_requests.c.notes).like(pattern, escape="\\")))


def _labelled(page: Page) -> Page:
    page.rows["status_label"] = page.rows["status"].map(STATUS_LABELS)
    return page


def list_for_member(scope: MemberScope, conn: Connection, *, status: str | None = None, search: str = "",
                    page: int = 1, page_size: int = DEFAULT_PAGE_SIZE) -> Page:
    """One page of the member's client's work requests, newest first."""
    require_member(scope, "work_requests")
    query = _listing(work_requests.c.submitted_by, work_requests.c.notes).where(
        work_requests.c.client_id == scope.client_id)
    if status in WORK_REQUEST_STATUSES:
        query = query.where(work_requests.c.status == status)
    query = _matching(query, search).order_by(work_requests.c.created_at.desc(), work_requests.c.id.desc())
    return _labelled(fetch(conn, query, page=page, page_size=page_size))


def inbox(scope: StaffScope, conn: Connection, *, status: str | None = None, client_id: int | None = None,
          submitted_from: dt.date | None = None, submitted_to: dt.date | None = None, search: str = "",
          page: int = 1, page_size: int = DEFAULT_PAGE_SIZE) -> Page:
    """Staff: one page of all clients' work requests, newest first, filtered."""
    require_staff(scope)
    query = _listing(
        clients.c.name.label("client"), work_requests.c.submitted_by.label("member"), work_requests.c.notes,
    ).join(clients, clients.c.id == work_requests.c.client_id)
    if status in WORK_REQUEST_STATUSES:
        query = query.where(work_requests.c.status == status)
    if client_id is not None:
        query = query.where(work_requests.c.client_id == int(client_id))
    if submitted_from is not None:
        query = query.where(work_requests.c.created_at >= dt.datetime.combine(submitted_from, dt.time()))
    if submitted_to is not None:
        query = query.where(
            work_requests.c.created_at < dt.datetime.combine(submitted_to + dt.timedelta(days=1), dt.time()))
    query = _matching(query, search).order_by(work_requests.c.created_at.desc(), work_requests.c.id.desc())
    return _labelled(fetch(conn, query, page=page, page_size=page_size))


def get_for_staff(scope: StaffScope, conn: Connection, request_id: int) -> dict:
    """Staff: one work request with its client, site and member."""
    require_staff(scope)
    row = conn.execute(
        _listing(clients.c.name.label("client"), work_requests.c.client_id,
                 work_requests.c.submitted_by.label("member"), work_requests.c.notes)
        .join(clients, clients.c.id == work_requests.c.client_id)
        .where(work_requests.c.id == int(request_id))
    ).mappings().first()
    if row is None:
        raise NotFound("No such work request.")
    return dict(row)


def _handle(scope: StaffScope, conn: Connection, request_id: int, new_status: str, action: str,
            **values) -> None:
    current = conn.execute(
        sa.select(work_requests.c.status, work_requests.c.client_id).where(work_requests.c.id == int(request_id))
    ).first()
    if current is None:
        raise NotFound("No such work request.")
    if current.status not in _ALLOWED_FROM[new_status]:
        raise StatusConflict(
            f"This work request is already {STATUS_LABELS[current.status].lower()}; it cannot be "
            f"{STATUS_LABELS[new_status].lower()} now.")
    # The status condition again in the UPDATE: two staff handling one request at once cannot both win.
    updated = conn.execute(
        work_requests.update()
        .where(work_requests.c.id == int(request_id), work_requests.c.status == current.status)
        .values(status=new_status, handled_by=scope.account_id, handled_at=utcnow(), **values)
    ).rowcount
    if updated != 1:
        raise StatusConflict("Someone else handled this work request just now; reload the page.")
    audit.record_for(conn, scope, action, client_id=current.client_id, target=f"work_request:{request_id}",
                     details={"from": current.status, **values})


def accept(scope: StaffScope, conn: Connection, request_id: int) -> None:
    """Staff: accept a new work request."""
    require_staff(scope)
    _handle(scope, conn, request_id, "accepted", "work_request_accepted")


def decline(scope: StaffScope, conn: Connection, request_id: int, *, reason: str) -> None:
    """Staff: decline a work request with a reason the member sees."""
    require_staff(scope)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"Reason": "is required: the member sees it"})
    if problem := _too_long(reason, REASON_MAX):
        raise ValidationError({"Reason": problem})
    _handle(scope, conn, request_id, "declined", "work_request_declined", decline_reason=reason)


def mark_converted(scope: StaffScope, conn: Connection, request_id: int, *, job_ref: str) -> None:
    """Staff: record that a work request became a job (by the job's ref)."""
    require_staff(scope)
    job_ref = (job_ref or "").strip()
    if not job_ref:
        raise ValidationError({"Job ref": "is required"})
    if problem := _too_long(job_ref, JOB_REF_MAX):
        raise ValidationError({"Job ref": problem})
    # The job may not be imported yet; but a job ref that is another client's is a mistake.
    request_client = conn.execute(
        sa.select(work_requests.c.client_id).where(work_requests.c.id == int(request_id))).scalar()
    job_client = conn.execute(sa.select(jobs.c.client_id).where(jobs.c.ref == job_ref)).scalar()
    if request_client is not None and job_client is not None and job_client != request_client:
        raise ValidationError({"Job ref": f"{job_ref} is a job of another client"})
    _handle(scope, conn, request_id, "converted", "work_request_converted", job_ref=job_ref)
