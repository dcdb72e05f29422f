"""Portal members as staff manage them (SPEC §3.2–3.5): create, change, (de)activate, delete.

Every function is staff-only and takes the client the member belongs to: a member id is always
looked up together with that client, so a stale or tampered id cannot reach another client's
member. Each change is one transaction (the caller's) with exactly one audit entry.
"""
from __future__ import annotations

from typing import Iterable

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from core import accounts as accounts_core
from core import audit, passwords, portal
from core.db import utcnow
from core.errors import NotFound, PortalError, ValidationError
from core.filters import text_search
from core.paging import DEFAULT_PAGE_SIZE, Page, fetch
from core.rights import NOTIFICATIONS, NOTIFY_COLUMNS, RIGHT_COLUMNS, RIGHTS, notifications_from_row, rights_from_row
from core.schema import accounts, clients, document_restrictions, tokens
from core.scope import StaffScope, require_staff
from core.settings import Settings
from core.validation import email_problem, required

NAME_MAX = 100
JOB_TITLE_MAX = 150
NO_RIGHTS_NOTICE = ("A member with no right checked can log in but sees only Home and Account; "
                    "check the sections this person should see.")
STATUS_LABELS = {"invited": "Invited", "active": "Active", "deactivated": "Deactivated"}


class SetupIncomplete(PortalError):
    """Portal members cannot be created before the portal setup is completed."""

    def __init__(self):
        super().__init__("Finish the portal setup first: portal members can be created once the portal "
                         "has its name, logo and support contact.")


def status_of(row) -> str:
    """invited (no password yet) / active / deactivated."""
    if not row["active"]:
        return "deactivated"
    return "active" if row["password_hash"] else "invited"


def _client_row(conn: Connection, client_id: int):
    row = conn.execute(sa.select(clients.c.id, clients.c.name).where(clients.c.id == client_id)).first()
    if row is None:
        raise NotFound("No such client.")
    return row


def _member_row(conn: Connection, client_id: int, member_id: int):
    # The client is part of the lookup: another client's member id is simply not found.
    row = conn.execute(sa.select(accounts).where(
        accounts.c.id == member_id, accounts.c.client_id == client_id, accounts.c.role == "member",
    )).mappings().first()
    if row is None:
        raise NotFound("No such portal member for this client.")
    return row


def _labels(keys: Iterable[str], labels: dict[str, str]) -> str:
    chosen = set(keys)
    return ", ".join(label for key, label in labels.items() if key in chosen)


def list_members(scope: StaffScope, conn: Connection, client_id: int, *, search: str = "", page: int = 1,
                 page_size: int = DEFAULT_PAGE_SIZE) -> Page:
    """One page of a client's members with rights, notifications, status and last login, by name.

    `search` keeps the members whose first name, last name or login email contains it.
    """
    require_staff(scope)
    _client_row(conn, client_id)
    query = (
        sa.select(accounts).where(
            accounts.c.client_id == client_id, accounts.c.role == "member",
            text_search([accounts.c.first_name, accounts.c.last_name, accounts.c.email], search),
        )
        .order_by(accounts.c.last_name, accounts.c.first_name, accounts.c.id)
    )
    raw = fetch(conn, query, page=page, page_size=page_size)
    records = [{
        "id": r["id"],
        "name": f"{r['first_name']} {r['last_name']}".strip(),
        "login_email": r["email"],
        "job_title": r["job_title"],
        "rights": _labels(rights_from_row(r), RIGHTS) or "(none)",
        "notifications": _labels(notifications_from_row(r), NOTIFICATIONS) or "(none)",
        "status": STATUS_LABELS[status_of(r)],
        "last_login": r["last_login_at"],
    } for r in raw.rows.to_dict("records")]
    columns = ["id", "name", "login_email", "job_title", "rights", "notifications", "status", "last_login"]
    return Page(pd.DataFrame(records, columns=columns), raw.total, raw.page, raw.page_size)


def get_member(scope: StaffScope, conn: Connection, client_id: int, member_id: int) -> dict:
    """One member of this client, with its rights and notifications as key sets and its status."""
    require_staff(scope)
    row = _member_row(conn, client_id, member_id)
    return {
        "id": row["id"], "client_id": row["client_id"], "first_name": row["first_name"],
        "last_name": row["last_name"], "email": row["email"], "job_title": row["job_title"],
        "rights": rights_from_row(row), "notifications": notifications_from_row(row),
        "status": status_of(row), "active": row["active"], "invited_at": row["invited_at"],
        "activated_at": row["activated_at"], "last_login_at": row["last_login_at"],
    }


def _check_keys(rights: Iterable[str], notifications: Iterable[str]) -> tuple[frozenset, frozenset]:
    rights, notifications = frozenset(rights), frozenset(notifications)
    if unknown := (rights - RIGHTS.keys()) | (notifications - NOTIFICATIONS.keys()):
        raise ValueError(f"unknown rights or notifications: {sorted(unknown)}")
    return rights, notifications


def _validated(conn: Connection, *, first_name: str, last_name: str, email: str, job_title: str,
               except_id: int | None = None) -> dict:
    errors = {}
    for label, value in (("First name", first_name), ("Last name", last_name)):
        if problem := required(value, NAME_MAX):
            errors[label] = problem
    if len(job_title.strip()) > JOB_TITLE_MAX:
        errors["Job title"] = f"is {len(job_title.strip()) - JOB_TITLE_MAX} characters too long (at most {JOB_TITLE_MAX})"
    if problem := email_problem(email):
        errors["Login email"] = problem
    elif accounts_core.email_taken(conn, email, except_id=except_id):
        errors["Login email"] = f"'{email.strip()}' is already the login of another account"
    if errors:
        raise ValidationError(errors)
    return {"first_name": first_name.strip(), "last_name": last_name.strip(),
            "email": accounts_core.normalise_email(email), "job_title": job_title.strip()}


def _flag_values(rights: frozenset, notifications: frozenset) -> dict:
    values = {col: key in rights for key, col in RIGHT_COLUMNS.items()}
    values.update({col: key in notifications for key, col in NOTIFY_COLUMNS.items()})
    return values


def create_member(scope: StaffScope, conn: Connection, client_id: int, *, first_name: str, last_name: str,
                  email: str, job_title: str = "", rights: Iterable[str] = (), notifications: Iterable[str] = (),
                  cfg: Settings) -> int:
    """Create a member of this client and queue its invitation; refused until setup is completed."""
    require_staff(scope)
    if not portal.branding(conn).setup_completed:
        raise SetupIncomplete()
    client = _client_row(conn, client_id)
    rights, notifications = _check_keys(rights, notifications)
    values = _validated(conn, first_name=first_name, last_name=last_name, email=email, job_title=job_title)
    member_id = conn.execute(accounts.insert().values(
        **values, **_flag_values(rights, notifications), role="member", client_id=client.id, active=True,
        password_hash=None, created_at=utcnow(),
    ).returning(accounts.c.id)).scalar_one()
    passwords.queue_link(conn, member_id, "invite", cfg)
    audit.record_for(conn, scope, "member_created", client_id=client.id, target=values["email"], details={
        "rights": sorted(rights), "notifications": sorted(notifications), "invitation": "queued"})
    return member_id


def update_member(scope: StaffScope, conn: Connection, client_id: int, member_id: int, *, first_name: str,
                  last_name: str, email: str, job_title: str = "", rights: Iterable[str] = (),
                  notifications: Iterable[str] = ()) -> list[str]:
    """Change a member's details, rights and notifications; returns the changed fields (none: no entry).

    Rights apply on the member's next click (its scope is re-read every run).
    """
    require_staff(scope)
    row = _member_row(conn, client_id, member_id)
    rights, notifications = _check_keys(rights, notifications)
    values = _validated(conn, first_name=first_name, last_name=last_name, email=email, job_title=job_title,
                        except_id=member_id)
    values.update(_flag_values(rights, notifications))
    changed = [col for col, value in values.items() if row[col] != value]
    if not changed:
        return []
    conn.execute(accounts.update().where(accounts.c.id == member_id, accounts.c.client_id == client_id)
                 .values(**{col: values[col] for col in changed}))
    flags = set(RIGHT_COLUMNS.values()) | set(NOTIFY_COLUMNS.values())
    action = "rights_changed" if set(changed) <= flags else "member_changed"
    details = {"changed": changed}
    if set(changed) & flags:
        details["rights"] = {"before": sorted(rights_from_row(row)), "after": sorted(rights)}
        details["notifications"] = {"before": sorted(notifications_from_row(row)), "after": sorted(notifications)}
    if "email" in changed:
        details["login_email_before"] = row["email"]
    audit.record_for(conn, scope, action, client_id=client_id, target=values["email"], details=details)
    return changed


def deactivate(scope: StaffScope, conn: Connection, client_id: int, member_id: int) -> None:
    """Switch a member's login off; its open sessions end on their next click."""
    require_staff(scope)
    row = _member_row(conn, client_id, member_id)
    if not row["active"]:
        return
    conn.execute(accounts.update().where(accounts.c.id == member_id).values(active=False))
    accounts_core.end_sessions(conn, member_id, reason="deactivated", audited=False)
    audit.record_for(conn, scope, "member_deactivated", client_id=client_id, target=row["email"],
                     details="sessions ended")


def reactivate(scope: StaffScope, conn: Connection, client_id: int, member_id: int) -> None:
    """Switch a deactivated member's login back on (with its password and rights as they were)."""
    require_staff(scope)
    row = _member_row(conn, client_id, member_id)
    if row["active"]:
        return
    conn.execute(accounts.update().where(accounts.c.id == member_id)
                 .values(active=True, failed_logins=0, throttled_until=None))
    audit.record_for(conn, scope, "member_reactivated", client_id=client_id, target=row["email"])


def resend_invitation(scope: StaffScope, conn: Connection, client_id: int, member_id: int, *, cfg: Settings) -> None:
    """Send a new invitation; the links of earlier ones stop working."""
    require_staff(scope)
    row = _member_row(conn, client_id, member_id)
    if not row["active"]:
        raise ValidationError({"Invitation": "this login is deactivated: reactivate it first"})
    if row["password_hash"]:
        raise ValidationError({"Invitation": "this member has already set a password: send a password reset instead"})
    passwords.queue_link(conn, member_id, "invite", cfg)
    audit.record_for(conn, scope, "invitation_sent", client_id=client_id, target=row["email"], details="resent")


def send_password_reset(scope: StaffScope, conn: Connection, client_id: int, member_id: int, *, cfg: Settings) -> None:
    """E-mail the member a link to choose a new password (earlier links stop working)."""
    require_staff(scope)
    row = _member_row(conn, client_id, member_id)
    if not row["active"]:
        raise ValidationError({"Password reset": "this login is deactivated: reactivate it first"})
    passwords.queue_link(conn, member_id, "reset", cfg)
    audit.record_for(conn, scope, "reset_sent", client_id=client_id, target=row["email"], details="sent by staff")


def end_sessions(scope: StaffScope, conn: Connection, client_id: int, member_id: int) -> None:
    """Log the member out everywhere (remember-me cookies included) on its next click."""
    require_staff(scope)
    _member_row(conn, client_id, member_id)
    accounts_core.end_sessions(conn, member_id, reason="ended by staff", actor=scope)


def delete_member(scope: StaffScope, conn: Connection, client_id: int, member_id: int) -> None:
    """Delete a member for good: its login, links and document restrictions (the audit log stays)."""
    require_staff(scope)
    row = _member_row(conn, client_id, member_id)
    conn.execute(tokens.delete().where(tokens.c.account_id == member_id))
    conn.execute(document_restrictions.delete().where(document_restrictions.c.account_id == member_id))
    conn.execute(accounts.delete().where(accounts.c.id == member_id, accounts.c.client_id == client_id))
    audit.record_for(conn, scope, "member_deleted", client_id=client_id, target=row["email"],
                     details={"name": f"{row['first_name']} {row['last_name']}"})
