"""Loader: upsert by ref is idempotent, totals come from lines, refs resolve within the client."""
import datetime as dt
from decimal import Decimal

import pandas as pd
import sqlalchemy as sa

from core import loader
from core.db import stage_frame
from core.schema import invoices, jobs, quotes, sites
from tests.factory import business_frames

TODAY = dt.date(2026, 11, 27)


def snapshot(conn):
    return {t: conn.execute(sa.text(f"SELECT * FROM {t} ORDER BY id")).all()
            for t in ("clients", "sites", "assets", "jobs", "asset_services", "quotes", "quote_lines",
                      "invoices", "invoice_lines", "workflow_forms", "workflow_answers")}


def test_loading_the_same_frames_twice_changes_nothing(engine):
    frames = business_frames(TODAY)
    with engine.begin() as conn:
        loader.load(conn, frames)
        first = snapshot(conn)
        loader.load(conn, frames)
        assert snapshot(conn) == first


def test_totals_are_computed_from_lines_with_vat(engine):
    with engine.begin() as conn:
        loader.load(conn, business_frames(TODAY))
        row = conn.execute(sa.select(invoices).where(invoices.c.ref == "I1-A")).mappings().one()
        quote = conn.execute(sa.select(quotes).where(quotes.c.ref == "Q-A1")).mappings().one()
    assert (row["subtotal"], row["vat_amount"], row["total"]) == (Decimal("100.00"), Decimal("21.00"), Decimal("121.00"))
    assert quote["total"] == Decimal("121.00")


def test_reimport_updates_by_ref_and_replaces_lines(engine):
    frames = business_frames(TODAY)
    with engine.begin() as conn:
        loader.load(conn, frames)
        changed = frames["jobs"].copy()
        changed.loc[changed["job_ref"] == "J-A1", "status"] = "completed"
        lines = frames["invoice_lines"].copy()
        lines.loc[lines["invoice_ref"] == "I1-A", "unit_price"] = "200.00"
        loader.load(conn, {"jobs": changed, "invoice_lines": lines})
        assert conn.execute(sa.select(jobs.c.status).where(jobs.c.ref == "J-A1")).scalar() == "completed"
        assert conn.execute(sa.select(invoices.c.total).where(invoices.c.ref == "I1-A")).scalar() == Decimal("242.00")
        assert conn.execute(sa.select(sa.func.count()).select_from(jobs)).scalar() == len(frames["jobs"])


def test_site_refs_resolve_only_within_the_rows_client(engine):
    frames = business_frames(TODAY)
    bad = frames["jobs"].iloc[[0]].copy()
    bad["job_ref"], bad["site_ref"] = "J-CROSS", "S-B1"  # a client A job naming client B's site
    with engine.begin() as conn:
        loader.load(conn, frames)
        loader.load(conn, {"jobs": bad})
        assert conn.execute(sa.select(jobs.c.id).where(jobs.c.ref == "J-CROSS")).first() is None
        assert conn.execute(sa.select(sa.func.count()).select_from(sites)).scalar() == 4


def test_write_counts_inserted_updated_and_unchanged_rows(engine):
    frames = business_frames(TODAY)
    with engine.begin() as conn:
        loader.load(conn, frames)
        changed = frames["jobs"].copy()
        changed.loc[changed["job_ref"] == "J-A1", "title"] = "Renamed"
        extra = changed.iloc[[0]].assign(job_ref="J-A100")
        staged = pd.concat([changed, extra], ignore_index=True)
        stage_frame(conn, "stage_jobs", staged.astype("string"))
        written = loader.write_staged(conn, loader.KINDS_BY_NAME["jobs"], len(staged))
    assert (written.inserted, written.updated, written.unchanged) == (1, 1, len(frames["jobs"]) - 1)
