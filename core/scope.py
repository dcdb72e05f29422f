"""Who is asking: the logged-in account, read fresh from the database on every run.

Every member-facing function takes a `MemberScope` first and filters by `scope.client_id` in
its SQL; every staff function takes a `StaffScope`. `require_*` refuse loudly (fail closed).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from core.errors import PortalError, RightMissing
from core.rights import RIGHTS, rights_from_row
from core.schema import accounts, clients


@dataclass(frozen=True)
class MemberScope:
    """A portal member: one client, a set of rights."""

    account_id: int
    email: str
    name: str
    client_id: int
    client_name: str
    rights: frozenset[str]

    role = "member"

    def require(self, right: str) -> None:
        """Raise RightMissing unless this member holds `right`."""
        if right not in RIGHTS:
            raise ValueError(f"unknown right {right!r}")
        if right not in self.rights:
            raise RightMissing(RIGHTS[right])


@dataclass(frozen=True)
class StaffScope:
    """A member of staff of the business."""

    account_id: int
    email: str
    name: str

    role = "staff"


Scope = MemberScope | StaffScope


class NotStaff(PortalError):
    """A staff-only function was called without a staff scope."""


def require_member(scope: object, right: str) -> MemberScope:
    """Check that `scope` is a member holding `right`, and return it."""
    if not isinstance(scope, MemberScope):
        raise RightMissing(RIGHTS.get(right, right))
    scope.require(right)
    return scope


def require_staff(scope: object) -> StaffScope:
    """Check that `scope` is staff, and return it."""
    if not isinstance(scope, StaffScope):
        raise NotStaff("This action is for staff only.")
    return scope


def load(conn: Connection, email: str, *, authenticated_at: dt.datetime | None = None) -> Scope | None:
    """The scope of an active account, or None if it is unknown, inactive or its session ended.

    `authenticated_at` (naive UTC) is when this browser session logged in; a session that began
    before the account's `sessions_valid_after` (logout, password change, deactivation, "end
    sessions") is no longer valid.
    """
    row = conn.execute(
        sa.select(accounts, clients.c.name.label("client_name"), clients.c.active.label("client_active"))
        .select_from(accounts.outerjoin(clients, clients.c.id == accounts.c.client_id))
        .where(accounts.c.email == email.strip().lower())
    ).mappings().first()
    if row is None or not row["active"]:
        return None
    if authenticated_at is not None and row["sessions_valid_after"] is not None:
        if authenticated_at < row["sessions_valid_after"]:
            return None
    name = f"{row['first_name']} {row['last_name']}".strip()
    if row["role"] == "staff":
        return StaffScope(account_id=row["id"], email=row["email"], name=name)
    if not row["client_active"]:
        return None
    return MemberScope(
        account_id=row["id"], email=row["email"], name=name, client_id=row["client_id"],
        client_name=row["client_name"], rights=rights_from_row(row),
    )
