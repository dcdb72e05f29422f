"""AppTest: the staff Portal setup, Outbox and Audit log pages; members never get them."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from core import outbox as outbox_core
from core.schema import audit_log, outbox, portal_settings
from tests.app.helpers import app_as, registered_pages

STAFF = "staff@business.example"


def test_staff_navigation_has_the_portal_pages_and_members_do_not(portal_env, world):
    assert {"portal-setup", "outbox", "audit-log", "account"} <= registered_pages(app_as(STAFF))
    for email in ("all@a.example", "all@b.example"):
        assert not {"portal-setup", "outbox", "audit-log"} & registered_pages(app_as(email))


def test_portal_setup_without_a_logo_is_refused_naming_the_logo_and_stays_incomplete(portal_env, world):
    with world.engine.begin() as conn:
        conn.execute(portal_settings.update().values(setup_completed=False))
    at = app_as(STAFF, "pages/staff_portal_setup.py")
    assert not at.exception
    assert any("not completed" in w.value for w in at.warning)
    next(t for t in at.text_input if t.label == "Portal name").input("Acme Portal")
    next(b for b in at.button if b.label == "Save portal setup").click()
    at.run()
    assert any("Logo" in e.value for e in at.error)
    assert next(t for t in at.text_input if t.label == "Portal name").value == "Acme Portal"
    with world.engine.connect() as conn:
        assert conn.execute(sa.select(portal_settings.c.setup_completed)).scalar() is False


def test_outbox_page_lists_failed_mail_and_retry_queues_it_again(portal_env, world):
    with world.engine.begin() as conn:
        outbox_core.enqueue(conn, key="k1", kind="invite", to_addr="x@a.example", subject="Hello", text="t")
        conn.execute(outbox.update().values(status="failed", attempts=8, last_error="refused"))
    at = app_as(STAFF, "pages/staff_outbox.py")
    assert not at.exception
    assert list(at.dataframe[0].value["to_addr"]) == ["x@a.example"]
    next(b for b in at.button if b.label == "Retry").click()
    at.run()
    assert any("will be sent again" in s.value for s in at.success)
    with world.engine.connect() as conn:
        row = conn.execute(sa.select(outbox.c.status, outbox.c.attempts)).one()
        assert (row.status, row.attempts) == ("pending", 0)
        assert conn.execute(sa.select(audit_log.c.action).where(audit_log.c.action == "email_retried")).first()


def test_audit_log_page_filters_by_action(portal_env, world):
    with world.engine.begin() as conn:
        conn.execute(audit_log.insert(), [
            {"occurred_at": dt.datetime(2026, 1, 1), "action": "login", "actor_email": "all@a.example"},
            {"occurred_at": dt.datetime(2026, 1, 2), "action": "member_created", "actor_email": STAFF},
        ])
    at = app_as(STAFF, "pages/staff_audit_log.py")
    assert not at.exception
    at.selectbox(key="audit_action").set_value("member_created").run()
    assert set(at.dataframe[0].value["action"]) == {"member_created"}
    assert any(b.label == "Export CSV" for b in at.get("download_button"))
