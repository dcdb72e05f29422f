"""Bad data that links a client A record to client B's site never shows B's site to A's members.

The importer refuses such links, but the SQL is the last line of defence: every join to `sites`
on a member path also requires the member's client.
"""
import datetime as dt

import pytest
import sqlalchemy as sa

from core import assets, jobs, work_requests, workflow_forms
from core.schema import asset_services, assets as assets_table, jobs as jobs_table, sites
from core.schema import work_requests as work_requests_table, workflow_forms as forms_table

SECRET = "SECRET B SITE"


@pytest.fixture
def crossed(world):
    """Client A's completed job J-A5 and asset A-A1 (and a request) pointed at client B's site."""
    with world.engine.begin() as conn:
        b_site = conn.execute(sa.select(sites.c.id).where(sites.c.ref == "S-B1")).scalar_one()
        conn.execute(sites.update().where(sites.c.id == b_site).values(name=SECRET, address=SECRET))
        conn.execute(jobs_table.update().where(jobs_table.c.ref == "J-A5").values(site_id=b_site))
        conn.execute(assets_table.update().where(assets_table.c.ref == "A-A1").values(site_id=b_site))
        scope = world.scope("all@a.example")
        request_id = work_requests.submit(
            scope, conn, subject="Leak test", site_id=conn.execute(
                sa.select(sites.c.id).where(sites.c.ref == "S-A1")).scalar_one(),
            notes="", requested_date=world.today + dt.timedelta(days=2), requested_time=dt.time(9))
        conn.execute(work_requests_table.update().where(work_requests_table.c.id == request_id)
                     .values(site_id=b_site))
    return world


def _texts(value) -> str:
    return repr(value)


def test_member_lists_never_show_another_clients_site(crossed):
    scope = crossed.scope("all@a.example")
    with crossed.engine.connect() as conn:
        shown = [
            assets.upcoming_services(scope, conn, days=400).rows,
            assets.completed_services(scope, conn).rows,
            work_requests.list_for_member(scope, conn).rows,
        ]
    assert all(SECRET not in frame.to_string() for frame in shown)


def test_member_records_by_id_never_show_another_clients_site(crossed):
    scope = crossed.scope("all@a.example")
    with crossed.engine.connect() as conn:
        service_id = conn.execute(sa.select(asset_services.c.id).where(asset_services.c.ref == "SV-A1")).scalar_one()
        form_id = conn.execute(sa.select(forms_table.c.id).where(forms_table.c.ref == "F-A5")).scalar_one()
        job_id = conn.execute(sa.select(jobs_table.c.id).where(jobs_table.c.ref == "J-A5")).scalar_one()
        records = [assets.service_record(scope, conn, service_id), workflow_forms.get_form(scope, conn, form_id),
                   jobs.completed_job(scope, conn, job_id)]
    assert all(SECRET not in _texts(record) for record in records)
