"""The same core code on a real PostgreSQL server (SPEC §9: several app processes share one).

Runs when PORTAL_TEST_PG_URL points at an empty-able database (.ci/run starts Debian's
PostgreSQL and sets it); skipped otherwise, and a failure when PORTAL_REQUIRE_POSTGRES=1.
"""
from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import pytest
import sqlalchemy as sa

from core import accounts, clients, demo, loader, outbox, schema
from core import scope as scope_core
from core.db import make_engine
from tests.factory import STAFF, build_world, business_frames

TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def pg_engine():
    url = os.environ.get("PORTAL_TEST_PG_URL")
    if not url:
        if os.environ.get("PORTAL_REQUIRE_POSTGRES") == "1":
            pytest.fail("PORTAL_REQUIRE_POSTGRES=1 but PORTAL_TEST_PG_URL is not set")
        pytest.skip("set PORTAL_TEST_PG_URL=postgresql+psycopg://... to run the PostgreSQL tests")
    engine = make_engine(url)
    schema.metadata.drop_all(engine)
    schema.init(engine)
    yield engine
    schema.metadata.drop_all(engine)
    engine.dispose()


def test_schema_init_is_idempotent_on_postgresql(pg_engine):
    assert schema.init(pg_engine) == schema.SCHEMA_VERSION
    with pg_engine.connect() as conn:
        assert schema.current_version(conn) == schema.SCHEMA_VERSION


def test_loader_upserts_idempotently_on_postgresql(pg_engine):
    frames = business_frames(TODAY)
    with pg_engine.begin() as conn:
        loader.load(conn, frames)
        loader.load(conn, frames)
        total = conn.execute(sa.text("SELECT total FROM invoices WHERE ref = 'I1-A'")).scalar()
        jobs_count = conn.execute(sa.text("SELECT count(*) FROM jobs")).scalar()
    assert total == Decimal("121.00")
    assert jobs_count == len(frames["jobs"])


def test_demo_and_member_scope_on_postgresql(pg_engine):
    demo.load(pg_engine, "small", today=TODAY)
    with pg_engine.connect() as conn:
        scope = scope_core.load(conn, "invoices@client-a.example")
        creds = accounts.credentials(conn)
    assert scope.rights == frozenset({"invoices"})
    assert "staff@demo.example" in creds["usernames"]


def test_foreign_keys_hold_on_postgresql(pg_engine):
    with pytest.raises(sa.exc.IntegrityError):
        with pg_engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO sites (id, client_id, ref, name, active) "
                                 "VALUES (nextval('sites_id_seq'), 999999, 'S-X', 'x', TRUE)"))


def test_world_clients_and_outbox_on_postgresql(pg_engine):
    world = build_world(pg_engine, TODAY)
    with pg_engine.begin() as conn:
        page = clients.list_clients(world.scope(STAFF), conn, search="alpha")
        assert list(page.rows["ref"]) == ["C-A"]
        assert outbox.enqueue(conn, key="k", kind="test", to_addr="a@b.example", subject="s", text="t")
        assert not outbox.enqueue(conn, key="k", kind="test", to_addr="a@b.example", subject="s", text="t")
