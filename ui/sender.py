"""The outbox sender thread of the app process: started once per process, woken after a change.

Delivery itself is core.mailer.send_pending; this module only runs it in the background so that
no page ever waits for an SMTP server. With PORTAL_OUTBOX_SENDER=0 the thread is not started and
`python -m core send-outbox` (cron or its own service) delivers instead.
"""
from __future__ import annotations

import logging
import threading

import streamlit as st
from sqlalchemy.engine import Engine

from core import mailer
from core import settings as settings_core
from ui import context

log = logging.getLogger(__name__)
POLL_SECONDS = 15


class _Sender:
    def __init__(self, engine: Engine):
        self.engine = engine
        self.wake_event = threading.Event()
        self.thread = threading.Thread(target=self._run, name="portal-outbox-sender", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            try:
                # Settings are read each round: a changed SMTP configuration applies without a restart.
                mailer.send_pending(self.engine, settings_core.load(for_web=False))
            except Exception:  # the thread must survive a database or configuration hiccup
                log.exception("outbox sender round failed")
            self.wake_event.wait(POLL_SECONDS)
            self.wake_event.clear()


@st.cache_resource(show_spinner=False)
def _sender(db_url: str, _engine: Engine) -> _Sender:
    # Keyed by the database URL; the engine (unhashable, hence the underscore) is that URL's.
    return _Sender(_engine)


def start() -> None:
    """Start this process's sender thread for the configured database (once; later calls do nothing)."""
    cfg = context.settings()
    if cfg.outbox_sender:
        _sender(cfg.db_url, context.engine())


def wake() -> None:
    """Ask the sender to deliver now (after a page queued e-mail) instead of at its next poll."""
    cfg = context.settings()
    if cfg.outbox_sender:
        _sender(cfg.db_url, context.engine()).wake_event.set()
