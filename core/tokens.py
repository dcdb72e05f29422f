"""Set-password and reset links: random, stored only as a hash, single use, expiring.

A token is `secrets.token_urlsafe(32)` (256 random bits). Only its SHA-256 is stored, so a copy
of the database does not hold usable links. Issuing a token removes the account's older unused
ones (a resend or a reset makes earlier links worthless); using one is a conditional UPDATE, so
two simultaneous uses cannot both succeed.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from core.db import utcnow
from core.errors import PortalError
from core.schema import tokens

PURPOSES = ("invite", "reset")

USED = "This link has already been used. If you still need to set your password, use Forgot password to get a new link."
EXPIRED = "This link has expired. Use Forgot password to get a new link, or ask your contact at the business."
UNKNOWN = ("This link is not valid. It may have been replaced by a newer one: use the link in the most "
           "recent e-mail, or use Forgot password to get a new link.")


class TokenRefused(PortalError):
    """A set-password link that is unknown, replaced, used or expired; the message says which."""


def token_hash(token: str) -> str:
    """The stored form of a token (hex SHA-256)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue(conn: Connection, account_id: int, purpose: str, *, hours: int) -> str:
    """A new link token for the account; every older unused token of the account stops working."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown token purpose {purpose!r}")
    now = utcnow()
    conn.execute(tokens.delete().where(tokens.c.account_id == account_id, tokens.c.used_at.is_(None)))
    token = secrets.token_urlsafe(32)
    conn.execute(tokens.insert().values(
        account_id=account_id, purpose=purpose, token_hash=token_hash(token), created_at=now,
        expires_at=now + dt.timedelta(hours=hours),
    ))
    return token


def _refusal(conn: Connection, hashed: str, now: dt.datetime) -> TokenRefused:
    row = conn.execute(sa.select(tokens.c.used_at, tokens.c.expires_at).where(tokens.c.token_hash == hashed)).first()
    if row is None:
        return TokenRefused(UNKNOWN)
    if row.used_at is not None:
        return TokenRefused(USED)
    if row.expires_at <= now:
        return TokenRefused(EXPIRED)
    return TokenRefused(UNKNOWN)


def check(conn: Connection, token: str) -> int:
    """The account a still-usable token belongs to (without using it up), else TokenRefused."""
    now = utcnow()
    hashed = token_hash(token or "")
    account_id = conn.execute(
        sa.select(tokens.c.account_id).where(
            tokens.c.token_hash == hashed, tokens.c.used_at.is_(None), tokens.c.expires_at > now)
    ).scalar()
    if account_id is None:
        raise _refusal(conn, hashed, now)
    return account_id


def consume(conn: Connection, token: str) -> tuple[int, str]:
    """Use up a token inside the caller's transaction: (account id, purpose), else TokenRefused."""
    now = utcnow()
    hashed = token_hash(token or "")
    result = conn.execute(
        tokens.update()
        .where(tokens.c.token_hash == hashed, tokens.c.used_at.is_(None), tokens.c.expires_at > now)
        .values(used_at=now)
    )
    if result.rowcount != 1:
        raise _refusal(conn, hashed, now)
    row = conn.execute(sa.select(tokens.c.account_id, tokens.c.purpose).where(tokens.c.token_hash == hashed)).one()
    return row.account_id, row.purpose


def recently_issued(conn: Connection, account_id: int, *, seconds: int) -> bool:
    """True when the account got a token in the last `seconds` (limits reset-mail floods)."""
    since = utcnow() - dt.timedelta(seconds=seconds)
    return conn.execute(
        sa.select(tokens.c.id).where(tokens.c.account_id == account_id, tokens.c.created_at > since)
    ).first() is not None
