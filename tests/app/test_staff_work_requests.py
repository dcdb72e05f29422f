"""The staff inbox: every client's requests, declined with a reason through the page."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from core import work_requests
from core.schema import sites, work_requests as wr_table
from tests.app.helpers import app_as, registered_pages
from tests.factory import STAFF

PAGE = "pages/staff_work_requests.py"


def _submit(world, email, site_ref, subject) -> int:
    with world.engine.begin() as conn:
        site_id = conn.execute(sa.select(sites.c.id).where(sites.c.ref == site_ref)).scalar_one()
        return work_requests.submit(world.scope(email), conn, subject=subject, site_id=site_id, notes="*not bold*",
                                    requested_date=dt.date.today() + dt.timedelta(days=2),
                                    requested_time=dt.time(8, 15))


def test_staff_inbox_shows_requests_of_all_clients_with_member_text_as_text(portal_env, world, engine):
    _submit(world, "all@a.example", "S-A1", "Alpha request")
    _submit(world, "all@b.example", "S-B1", "Bravo request")
    at = app_as(STAFF, PAGE)
    assert not at.exception
    texts = " ".join(t.value for t in at.text)
    assert "Alpha request" in texts and "Bravo request" in texts
    assert "Notes: *not bold*" in [t.value for t in at.text]
    assert "Work request inbox" in registered_pages(at)


def test_staff_declines_a_request_with_a_reason_through_the_page(portal_env, world, engine):
    request_id = _submit(world, "all@a.example", "S-A1", "Alpha request")
    at = app_as(STAFF, PAGE)
    at.text_input(key=f"reason_{request_id}").set_value("Part of next week's visit")
    next(b for b in at.button if b.label == "Decline").click()
    at.run()
    assert not at.exception
    assert any(f"Work request {request_id} declined" in s.value for s in at.success)
    with engine.connect() as conn:
        row = conn.execute(sa.select(wr_table.c.status, wr_table.c.decline_reason)).one()
    assert tuple(row) == ("declined", "Part of next week's visit")


def test_decline_without_reason_shows_the_field_and_changes_nothing(portal_env, world, engine):
    request_id = _submit(world, "all@a.example", "S-A1", "Alpha request")
    at = app_as(STAFF, PAGE)
    next(b for b in at.button if b.label == "Decline").click()
    at.run()
    assert any("Reason" in e.value for e in at.error)
    with engine.connect() as conn:
        assert conn.execute(sa.select(wr_table.c.status).where(wr_table.c.id == request_id)).scalar_one() == "new"


def test_member_does_not_get_the_staff_inbox(portal_env, world):
    at = app_as("all@a.example")
    assert "Work request inbox" not in registered_pages(at)
    assert "Client documents" not in registered_pages(at)
