"""Accounts: passwords, the credentials the login form checks, login bookkeeping, sessions.

Passwords are bcrypt hashes (the same scheme streamlit-authenticator's Hasher writes and checks;
core calls bcrypt directly so that it never imports Streamlit).
"""
from __future__ import annotations

import datetime as dt
import secrets

import bcrypt
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from core import audit
from core.db import utcnow
from core.errors import ValidationError
from core.schema import accounts

BCRYPT_ROUNDS = 12
MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_BYTES = 72  # bcrypt ignores everything after 72 bytes; we refuse instead
FREE_FAILURES = 2  # failed logins before the delay starts
MAX_DELAY_SECONDS = 15 * 60

# A valid bcrypt hash of a secret nobody knows: a throttled account's entry gets this, so the
# login form refuses it without ever checking the real password during the delay.
_LOCKED_HASH = bcrypt.hashpw(secrets.token_hex(32).encode(), bcrypt.gensalt(4)).decode()


def normalise_email(email: str) -> str:
    """Login names are compared case-insensitively: store and look up lower-case."""
    return email.strip().lower()


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable, or None. Length only, no composition rules."""
    if len(password) < MIN_PASSWORD_CHARS:
        return f"must be at least {MIN_PASSWORD_CHARS} characters (this one has {len(password)})"
    size = len(password.encode("utf-8"))
    if size > MAX_PASSWORD_BYTES:
        return (f"must be at most {MAX_PASSWORD_BYTES} bytes, bcrypt's limit "
                f"(this one is {size} bytes; letters like é or € take 2–3 bytes each)")
    return None


def hash_password(password: str) -> str:
    """bcrypt-hash a password that passed `password_problem`."""
    problem = password_problem(password)
    if problem:
        raise ValidationError({"New password": problem})
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(BCRYPT_ROUNDS)).decode()


def verify_password(password: str, password_hash: str | None) -> bool:
    """True when `password` matches the stored hash."""
    if not password_hash:
        return False
    try:
        return bcrypt.checkpw(password.encode("utf-8"), password_hash.encode())
    except ValueError:
        return False


def throttle_delay(failures: int) -> int:
    """Seconds an account must wait after `failures` consecutive failed logins (growing, capped)."""
    if failures <= FREE_FAILURES:
        return 0
    return min(2 ** (failures - FREE_FAILURES), MAX_DELAY_SECONDS)


def _entry(row, now: dt.datetime) -> dict:
    throttled = row["throttled_until"] is not None and row["throttled_until"] > now
    return {
        "email": row["email"],
        "first_name": row["first_name"],
        "last_name": row["last_name"],
        "password": _LOCKED_HASH if throttled else row["password_hash"],
        "roles": [row["role"]],
        "failed_login_attempts": 0,
    }


def credentials(conn: Connection, *, only_email: str | None = None) -> dict:
    """The credentials dict streamlit-authenticator checks: active accounts with a password.

    With `only_email`, just that account (an authenticated run needs no one else's hash).
    """
    now = utcnow()
    query = sa.select(
        accounts.c.email, accounts.c.first_name, accounts.c.last_name, accounts.c.password_hash,
        accounts.c.role, accounts.c.throttled_until,
    ).where(accounts.c.active, accounts.c.password_hash.is_not(None))
    if only_email is not None:
        query = query.where(accounts.c.email == normalise_email(only_email))
    return {"usernames": {row["email"]: _entry(row, now) for row in conn.execute(query).mappings()}}


def failed_usernames(creds: dict) -> list[str]:
    """Accounts whose entry the login form marked as a failed attempt in this run."""
    return [u for u, entry in creds["usernames"].items() if entry.get("failed_login_attempts", 0) > 0]


def seconds_throttled(conn: Connection, email: str) -> int:
    """How many seconds this account must still wait before the next login attempt counts."""
    until = conn.execute(
        sa.select(accounts.c.throttled_until).where(accounts.c.email == normalise_email(email))
    ).scalar()
    if until is None:
        return 0
    return max(0, int((until - utcnow()).total_seconds() + 0.999))


def record_login_failure(conn: Connection, email: str | None) -> int:
    """Count a failed login (audit + growing delay) and return the seconds to wait now."""
    if email is None:
        audit.record(conn, "login_failed", details="unknown email")
        return 0
    email = normalise_email(email)
    row = conn.execute(
        sa.select(accounts.c.id, accounts.c.failed_logins, accounts.c.throttled_until, accounts.c.client_id)
        .where(accounts.c.email == email)
    ).first()
    if row is None:
        audit.record(conn, "login_failed", actor_email=email, details="unknown email")
        return 0
    now = utcnow()
    if row.throttled_until is not None and row.throttled_until > now:
        # An attempt during the delay is refused unchecked and does not lengthen it.
        audit.record(conn, "login_throttled", actor_id=row.id, actor_email=email, client_id=row.client_id)
        return int((row.throttled_until - now).total_seconds() + 0.999)
    failures = row.failed_logins + 1
    delay = throttle_delay(failures)
    conn.execute(
        accounts.update().where(accounts.c.id == row.id).values(
            failed_logins=failures,
            throttled_until=now + dt.timedelta(seconds=delay) if delay else None,
        )
    )
    audit.record(conn, "login_failed", actor_id=row.id, actor_email=email, client_id=row.client_id,
                 details={"consecutive_failures": failures, "delay_seconds": delay})
    return delay


def record_login_success(conn: Connection, email: str) -> dt.datetime:
    """Reset the failure count, stamp the last login, audit it; returns when the new session began.

    A login right after its sessions were ended (password just set, say) starts no earlier than
    "sessions valid after", which end_sessions puts a second ahead: the fresh session stays valid.
    """
    email = normalise_email(email)
    now = utcnow()
    row = conn.execute(sa.select(accounts.c.id, accounts.c.client_id, accounts.c.sessions_valid_after)
                       .where(accounts.c.email == email)).first()
    if row is None:
        return now
    conn.execute(
        accounts.update().where(accounts.c.id == row.id)
        .values(failed_logins=0, throttled_until=None, last_login_at=now)
    )
    audit.record(conn, "login", actor_id=row.id, actor_email=email, client_id=row.client_id)
    return max(now, row.sessions_valid_after or now)


def end_sessions(conn: Connection, account_id: int, *, reason: str, actor=None, audited: bool = True) -> dt.datetime:
    """End every session of an account, remember-me cookies included, on its next interaction.

    Returns the new "sessions valid after" time. `audited=False` when the caller writes the one
    audit entry of a larger change (deactivation, password change) itself.
    """
    # Cookies carry their issue time at one-second precision; one second ahead makes sure a
    # cookie issued in the same second as this call is ended too.
    valid_after = utcnow() + dt.timedelta(seconds=1)
    conn.execute(
        accounts.update().where(accounts.c.id == account_id)
        .values(sessions_valid_after=valid_after)
    )
    if not audited:
        return valid_after
    row = conn.execute(sa.select(accounts.c.email, accounts.c.client_id).where(accounts.c.id == account_id)).first()
    if actor is not None:
        audit.record_for(conn, actor, "sessions_ended", client_id=row.client_id, target=row.email, details=reason)
    else:
        audit.record(conn, "sessions_ended", actor_id=account_id, actor_email=row.email,
                     client_id=row.client_id, target=row.email, details=reason)
    return valid_after


def email_taken(conn: Connection, email: str, *, except_id: int | None = None) -> bool:
    """True when another account already uses this login e-mail (any case)."""
    query = sa.select(accounts.c.id).where(accounts.c.email == normalise_email(email))
    if except_id is not None:
        query = query.where(accounts.c.id != except_id)
    return conn.execute(query).first() is not None


def create_staff(conn: Connection, email: str, *, first_name: str, last_name: str, password: str,
                 receives_work_requests: bool = True) -> int:
    """Create an active staff account with a password (command line and demo data)."""
    from core.validation import email_problem

    errors = {}
    if problem := email_problem(email):
        errors["Email"] = problem
    elif email_taken(conn, email):
        errors["Email"] = "is already used by another account"
    if not first_name.strip():
        errors["First name"] = "is required"
    if not last_name.strip():
        errors["Last name"] = "is required"
    if problem := password_problem(password):
        errors["Password"] = problem
    if errors:
        raise ValidationError(errors)
    now = utcnow()
    account_id = conn.execute(
        accounts.insert().values(
            email=normalise_email(email), role="staff", first_name=first_name.strip(),
            last_name=last_name.strip(), password_hash=hash_password(password), active=True,
            receives_work_requests=receives_work_requests, created_at=now, activated_at=now,
        ).returning(accounts.c.id)
    ).scalar_one()
    audit.record(conn, "staff_created", target=normalise_email(email))
    return account_id


def change_password(conn: Connection, account_id: int, *, current: str, new: str, confirm: str) -> dt.datetime:
    """An account changes its own password; every other session of it ends.

    Returns the new "sessions valid after" time, which the caller's own session adopts.
    """
    row = conn.execute(sa.select(accounts.c.email, accounts.c.client_id, accounts.c.password_hash)
                       .where(accounts.c.id == account_id, accounts.c.active)).first()
    if row is None or not verify_password(current, row.password_hash):
        raise ValidationError({"Current password": "is not correct"})
    if problem := password_problem(new):
        raise ValidationError({"New password": problem})
    if new != confirm:
        raise ValidationError({"Confirm password": "does not match the new password"})
    conn.execute(accounts.update().where(accounts.c.id == account_id).values(password_hash=hash_password(new)))
    valid_after = end_sessions(conn, account_id, reason="password change", audited=False)
    audit.record(conn, "password_changed", actor_id=account_id, actor_email=row.email, client_id=row.client_id,
                 target=row.email, details="other sessions ended")
    return valid_after
