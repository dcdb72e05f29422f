"""The outbox sender (SPEC §7): deliver pending e-mail by SMTP or as .eml files, with retries.

Each due row is first *claimed* with a conditional UPDATE (its next attempt is pushed a lease
ahead), so two senders — the app's background thread and `python -m core send-outbox`, or several
app processes on PostgreSQL — never deliver the same row. A failed delivery is retried with a
growing back-off; after MAX_ATTEMPTS the row is marked failed and listed for staff.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import smtplib
import ssl
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from core.db import utcnow
from core.portal import branding
from core.schema import outbox
from core.settings import Settings

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
FIRST_RETRY_SECONDS = 60
MAX_RETRY_SECONDS = 6 * 3600
LEASE_SECONDS = 300  # a claimed row is left alone this long, even if its sender dies mid-delivery
SMTP_TIMEOUT_SECONDS = 30


@dataclass
class SendResult:
    """What one sender round did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0


def retry_delay(attempts: int) -> int:
    """Seconds to wait after the `attempts`-th failed delivery (doubling, capped)."""
    return min(FIRST_RETRY_SECONDS * 2 ** max(0, attempts - 1), MAX_RETRY_SECONDS)


def _one_line(value: str) -> str:
    # Header values never carry line breaks (no header injection); EmailMessage refuses them too.
    return " ".join((value or "").split())


def build_message(row, cfg: Settings, portal_name: str) -> EmailMessage:
    """The e-mail for one outbox row: headers from Address objects, a text and an HTML part."""
    msg = EmailMessage()
    msg["Subject"] = _one_line(row.subject)
    msg["From"] = Address(display_name=_one_line(portal_name), addr_spec=cfg.mail_from.strip())
    msg["To"] = Address(display_name=_one_line(row.to_name or ""), addr_spec=row.to_addr.strip())
    msg["Date"] = format_datetime(row.created_at.replace(tzinfo=dt.UTC))
    domain = cfg.mail_from.rpartition("@")[2] or "localhost"
    # The same row always has the same Message-ID, so a receiver can drop a re-delivered copy.
    digest = hashlib.sha256(row.dedup_key.encode()).hexdigest()[:24]
    msg["Message-ID"] = f"<outbox-{row.id}-{digest}@{domain}>"
    msg.set_content(row.body_text)
    if row.body_html:
        msg.add_alternative(row.body_html, subtype="html")
    return msg


def deliver(msg: EmailMessage, cfg: Settings, row_id: int) -> None:
    """Hand one message to the SMTP server, or write it as an .eml file when SMTP is not set."""
    if not cfg.smtp_host:
        cfg.outbox_dir.mkdir(parents=True, exist_ok=True)
        final = cfg.outbox_dir / f"{row_id:08d}.eml"
        partial = final.with_suffix(".eml.part")
        partial.write_bytes(msg.as_bytes())
        os.replace(partial, final)  # readers never see a half-written file
        return
    if cfg.smtp_port == 465:
        server = smtplib.SMTP_SSL(cfg.smtp_host, cfg.smtp_port, timeout=SMTP_TIMEOUT_SECONDS,
                                  context=ssl.create_default_context())
    else:
        server = smtplib.SMTP(cfg.smtp_host, cfg.smtp_port, timeout=SMTP_TIMEOUT_SECONDS)
    with server:
        if cfg.smtp_starttls and cfg.smtp_port != 465:
            server.starttls(context=ssl.create_default_context())
        if cfg.smtp_user:
            server.login(cfg.smtp_user, cfg.smtp_password or "")
        server.send_message(msg)


def _claim(engine: Engine, row_id: int, now: dt.datetime) -> bool:
    with engine.begin() as conn:
        result = conn.execute(
            outbox.update()
            .where(outbox.c.id == row_id, outbox.c.status == "pending", outbox.c.next_attempt_at <= now)
            .values(next_attempt_at=now + dt.timedelta(seconds=LEASE_SECONDS))
        )
        return result.rowcount == 1


def send_pending(engine: Engine, cfg: Settings, *, now: dt.datetime | None = None, limit: int = 100) -> SendResult:
    """Deliver the rows that are due (once each); returns how many were sent, retried, failed."""
    now = now or utcnow()
    result = SendResult()
    with engine.connect() as conn:
        portal_name = branding(conn).portal_name
        due = [r.id for r in conn.execute(
            sa.select(outbox.c.id).where(outbox.c.status == "pending", outbox.c.next_attempt_at <= now)
            .order_by(outbox.c.next_attempt_at, outbox.c.id).limit(limit)
        )]
    for row_id in due:
        if not _claim(engine, row_id, now):
            continue  # another sender took it
        with engine.connect() as conn:
            row = conn.execute(sa.select(outbox).where(outbox.c.id == row_id)).one()
        attempts = row.attempts + 1
        try:
            deliver(build_message(row, cfg, portal_name), cfg, row.id)
        except Exception as exc:  # any failure is recorded on the row and retried later
            error = f"{type(exc).__name__}: {exc}"[:1000]
            gave_up = attempts >= MAX_ATTEMPTS
            log.warning("outbox row %s: delivery attempt %s failed: %s", row_id, attempts, error)
            with engine.begin() as conn:
                conn.execute(outbox.update().where(outbox.c.id == row_id).values(
                    attempts=attempts, last_error=error, status="failed" if gave_up else "pending",
                    next_attempt_at=now + dt.timedelta(seconds=retry_delay(attempts)),
                ))
            if gave_up:
                result.failed += 1
            else:
                result.retrying += 1
            continue
        with engine.begin() as conn:
            conn.execute(outbox.update().where(outbox.c.id == row_id).values(
                status="sent", attempts=attempts, sent_at=utcnow(), last_error=None))
        result.sent += 1
    return result
