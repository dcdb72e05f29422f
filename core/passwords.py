"""Invitations, password resets and choosing a password through an e-mailed link (SPEC §3.5, §6).

The e-mail is queued in the outbox in the same transaction as the token it carries, so a link is
never mailed for a token that was rolled back, and never queued twice (its key names the token).
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from core import accounts as accounts_core
from core import audit, emails, outbox, portal, tokens
from core.db import utcnow
from core.errors import ValidationError
from core.schema import accounts
from core.settings import Settings
from core.validation import email_problem

RESET_REQUEST_PAUSE_SECONDS = 60  # Forgot password sends at most one link a minute per account

SENT_ANSWER = ("If an account with this e-mail address exists, we have sent it a link to set a new "
               "password. The link works once and expires; check your spam folder if nothing arrives.")
PASSWORD_SET = "Your password is set. You can now log in with your e-mail address and the new password."


def link(cfg: Settings, token: str) -> str:
    """The set-password address carried by an e-mail."""
    return f"{cfg.base_url}/set-password?token={token}"


def _account(conn: Connection, account_id: int):
    return conn.execute(sa.select(accounts).where(accounts.c.id == account_id)).mappings().one()


def queue_link(conn: Connection, account_id: int, purpose: str, cfg: Settings) -> None:
    """Issue a fresh token (older links stop working) and queue its e-mail, in the caller's transaction."""
    row = _account(conn, account_id)
    token = tokens.issue(conn, account_id, purpose, hours=cfg.token_hours)
    brand = portal.branding(conn)
    build = emails.invitation if purpose == "invite" else emails.password_reset
    mail = build(brand, first_name=row["first_name"], login_email=row["email"], link=link(cfg, token),
                 hours=cfg.token_hours)
    if purpose == "invite":
        conn.execute(accounts.update().where(accounts.c.id == account_id).values(invited_at=utcnow()))
    outbox.enqueue(conn, key=f"{purpose}:{account_id}:{tokens.token_hash(token)[:16]}", kind=purpose,
                   to_addr=row["email"], to_name=f"{row['first_name']} {row['last_name']}".strip(),
                   subject=mail.subject, text=mail.text, html=mail.html)


def request_reset(conn: Connection, email: str, cfg: Settings) -> str:
    """Forgot password: queue a reset link if an active account has this address.

    Returns the same answer whether or not it does, so the form does not reveal who has a login.
    """
    if email_problem(email):
        raise ValidationError({"Email": email_problem(email)})
    row = conn.execute(sa.select(accounts.c.id, accounts.c.client_id).where(
        accounts.c.email == accounts_core.normalise_email(email), accounts.c.active)).first()
    if row is None:
        audit.record(conn, "reset_requested", actor_email=accounts_core.normalise_email(email),
                     details="no active account")
    elif tokens.recently_issued(conn, row.id, seconds=RESET_REQUEST_PAUSE_SECONDS):
        audit.record(conn, "reset_requested", actor_id=row.id, client_id=row.client_id,
                     actor_email=accounts_core.normalise_email(email), details="a link was sent moments ago")
    else:
        queue_link(conn, row.id, "reset", cfg)
        audit.record(conn, "reset_sent", actor_id=row.id, client_id=row.client_id,
                     actor_email=accounts_core.normalise_email(email), target=accounts_core.normalise_email(email),
                     details="forgot password")
    return SENT_ANSWER


def set_password(conn: Connection, token: str, new_password: str, confirm: str) -> str:
    """Choose a password with an e-mailed link; the link is used up and earlier sessions end.

    The password is checked before the token is touched, so a typo does not spend the link.
    """
    tokens.check(conn, token)
    if problem := accounts_core.password_problem(new_password):
        raise ValidationError({"New password": problem})
    if new_password != confirm:
        raise ValidationError({"Confirm password": "does not match the new password"})
    account_id, purpose = tokens.consume(conn, token)
    row = _account(conn, account_id)
    if not row["active"]:
        raise tokens.TokenRefused("This login has been deactivated. Ask your contact at the business.")
    now = utcnow()
    conn.execute(accounts.update().where(accounts.c.id == account_id).values(
        password_hash=accounts_core.hash_password(new_password),
        activated_at=row["activated_at"] or now, failed_logins=0, throttled_until=None,
    ))
    accounts_core.end_sessions(conn, account_id, reason="password set by link", audited=False)
    audit.record(conn, "password_set", actor_id=account_id, actor_email=row["email"], client_id=row["client_id"],
                 target=row["email"], details={"link": purpose})
    return row["email"]
