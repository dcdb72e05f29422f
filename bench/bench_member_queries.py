"""Time the member-facing list queries for the largest client (not a test; prints ms per call).

    python bench/bench_member_queries.py                       # a fresh temporary DB, demo --scale large
    python bench/bench_member_queries.py --scale small         # quicker
    python bench/bench_member_queries.py --db duckdb:///data/portal.duckdb   # an existing database

An empty database is first filled with the demo data set of the chosen scale (as
`python -m core demo --scale large` does). The member gets every right; each query runs a few
times and the median is printed.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core import assets, demo, home, invoices, jobs, pdf, schema  # noqa: E402
from core.db import make_engine  # noqa: E402
from core.rights import RIGHTS  # noqa: E402
from core.schema import clients, jobs as jobs_table  # noqa: E402
from core.scope import MemberScope  # noqa: E402


def _largest_client_scope(conn) -> MemberScope:
    cid, count = conn.execute(
        sa.select(jobs_table.c.client_id, sa.func.count().label("n")).group_by(jobs_table.c.client_id)
        .order_by(sa.text("n DESC")).limit(1)).one()
    name = conn.execute(sa.select(clients.c.name).where(clients.c.id == cid)).scalar_one()
    print(f"largest client: {name} (id {cid}, {count:,} jobs)")
    return MemberScope(account_id=0, email="bench@example", name="Bench", client_id=cid, client_name=name,
                       rights=frozenset(RIGHTS))


def _time(engine, label: str, fn, repeat: int) -> None:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        with engine.connect() as conn:
            fn(conn)
        samples.append((time.perf_counter() - started) * 1000)
    print(f"{label:<48} {statistics.median(samples):8.1f} ms  (min {min(samples):.1f}, n={repeat})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (default: a fresh temporary DuckDB file)")
    parser.add_argument("--scale", choices=sorted(demo.SCALES), default="large")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    url = args.db or f"duckdb:///{Path(tempfile.mkdtemp()) / 'bench.duckdb'}"
    engine = make_engine(url)
    schema.init(engine)
    if demo.is_empty(engine):
        print(f"loading demo data ({args.scale}) into {url} …")
        started = time.perf_counter()
        demo.load(engine, args.scale)
        print(f"loaded in {time.perf_counter() - started:.1f} s")
    with engine.connect() as conn:
        scope = _largest_client_scope(conn)
        some_job = jobs.list_completed(scope, conn, page_size=1).rows["id"].iloc[0]
        some_invoice = invoices.list_invoices(scope, conn, page_size=1).rows["id"].iloc[0]
        last_page = -(-jobs.list_jobs(scope, conn).total // 50)

    calls = {
        "jobs.list_jobs (page 1)": lambda c: jobs.list_jobs(scope, c),
        "jobs.list_jobs (last page)": lambda c: jobs.list_jobs(scope, c, page=last_page),
        "jobs.list_jobs (status=pending, search)": lambda c: jobs.list_jobs(scope, c, status="pending", search="boiler"),
        "jobs.list_jobs (sort by site)": lambda c: jobs.list_jobs(scope, c, sort="site", descending=False),
        "jobs.list_completed": lambda c: jobs.list_completed(scope, c),
        "jobs.job_status_csv (all jobs)": lambda c: jobs.job_status_csv(scope, c),
        "jobs.job_documents": lambda c: jobs.job_documents(scope, c, int(some_job)),
        "assets.list_assets": lambda c: assets.list_assets(scope, c),
        "assets.upcoming_services (30 days)": lambda c: assets.upcoming_services(scope, c),
        "assets.completed_services": lambda c: assets.completed_services(scope, c),
        "invoices.list_invoices": lambda c: invoices.list_invoices(scope, c),
        "invoices.list_invoices (status=overdue)": lambda c: invoices.list_invoices(scope, c, status="overdue"),
        "invoices.totals": lambda c: invoices.totals(scope, c),
        "invoices.ageing": lambda c: invoices.ageing(scope, c),
        "home.figures": lambda c: home.figures(scope, c),
        "pdf.invoice_pdf": lambda c: pdf.invoice_pdf(scope, c, int(some_invoice)),
    }
    for label, fn in calls.items():
        _time(engine, label, fn, args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
