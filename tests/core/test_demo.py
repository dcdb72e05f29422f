"""Demo data: deterministic, realistic, with every status and the demo logins."""
import datetime as dt

import pandas as pd
import sqlalchemy as sa

from core import accounts, demo
from core.schema import invoices, jobs, quotes

TODAY = dt.date(2026, 11, 27)


def test_demo_frames_are_deterministic():
    first = demo.frames("small", today=TODAY)
    second = demo.frames("small", today=TODAY)
    assert first.keys() == second.keys()
    for kind in first:
        pd.testing.assert_frame_equal(first[kind], second[kind], obj=kind)


def test_demo_load_fills_every_kind_with_every_status(engine):
    demo.load(engine, "small", today=TODAY)
    with engine.connect() as conn:
        job_statuses = {r[0] for r in conn.execute(sa.select(jobs.c.status).distinct())}
        quote_statuses = {r[0] for r in conn.execute(sa.select(quotes.c.status).distinct())}
        paid = conn.execute(sa.select(sa.func.count()).where(invoices.c.amount_paid >= invoices.c.total)).scalar()
        overdue = conn.execute(sa.select(sa.func.count()).where(
            invoices.c.amount_paid < invoices.c.total, invoices.c.due_on < TODAY)).scalar()
        due = conn.execute(sa.select(sa.func.count()).where(
            invoices.c.amount_paid < invoices.c.total, invoices.c.due_on >= TODAY)).scalar()
    assert job_statuses == {"unassigned", "assigned", "in_progress", "pending", "completed", "cancelled"}
    assert quote_statuses == {"draft", "awaiting_approval", "approved", "declined", "expired"}
    assert paid > 0 and overdue > 0 and due > 0


def test_demo_logins_can_log_in_over_two_clients(engine):
    demo.load(engine, "small", today=TODAY)
    with engine.connect() as conn:
        creds = accounts.credentials(conn)["usernames"]
    clients_seen = set()
    for email, *_ , client_idx, _rights, _notes in demo.DEMO_LOGINS:
        assert accounts.verify_password(demo.DEMO_PASSWORD, creds[email]["password"])
        clients_seen.add(client_idx)
    assert {0, 1} <= clients_seen


def test_demo_goes_only_into_an_empty_database(engine):
    assert demo.is_empty(engine)
    demo.load(engine, "small", today=TODAY)
    assert not demo.is_empty(engine)


def test_large_scale_has_the_reference_proportions():
    scale = demo.SCALES["large"]
    assert (scale.clients, scale.sites, scale.assets, scale.services, scale.jobs, scale.invoices,
            scale.extra_members) == (2_000, 10_000, 200_000, 1_000_000, 500_000, 400_000, 20_000)
